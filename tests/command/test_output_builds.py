"""Whole `builder build` runs (`python -m builder build`, from the repository's root) against the
all-or-none promise: signals at random moments of the write step, two and three builds into one
folder at once, writer workers killed, an immutable file in the set.

Two editions differ in one cell, so every file of their sets differs and a mix of the two is
seen. A build of edition B runs into a folder holding edition A's set and a file of the user's;
afterwards the folder holds the user's file and A's set or B's, whole, and nothing else. Seeded;
BUILDER_ADVERSARIAL_TRIES=N runs N signalled builds instead of six.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from output_sets import SEED, SIGNALS, STOPPED, USER, Files, contents, fill, one_set, tries

from builder.command.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"
LIMIT = 60  # seconds a build may take, however it ends


@dataclass(frozen=True)
class Edition:
    path: Path
    files: Files  # the set a build of it writes, by name


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Edition, Edition]:
    """The sample, and the sample with its total received changed: same names, other bytes in every file."""
    root = tmp_path_factory.mktemp("editions")
    a, b = root / "a" / "2020", root / "b" / "2020"
    shutil.copytree(SAMPLE, a)
    shutil.copytree(SAMPLE, b)
    workbook = openpyxl.load_workbook(b / "figures.xlsx")
    workbook["总量"]["B3"] = 10323291
    workbook.save(b / "figures.xlsx")
    built = []
    for edition in (a, b):
        out = edition.parent / "out"
        assert main(["build", str(edition), "-o", str(out)]) == 0
        built.append(Edition(edition, {p.name: p.read_bytes() for p in out.iterdir()}))
    first, second = built
    assert first.files.keys() == second.files.keys() and len(first.files) == 5
    assert all(first.files[n] != second.files[n] for n in first.files)
    return first, second


def command(edition: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "builder", "build", str(edition), "-o", str(out)]


def started(edition: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command(edition, out), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(run: subprocess.Popen[bytes], prefix: str) -> list[str]:
    """Standard error up to and with the first line starting with `prefix` (all of it if none does)."""
    assert run.stderr is not None
    seen = []
    for raw in run.stderr:
        seen.append(raw.decode("utf-8", "replace"))
        if seen[-1].startswith(prefix):
            break
    return seen


def finished(run: subprocess.Popen[bytes], before: list[str]) -> tuple[int, str]:
    try:
        out, err = run.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        run.kill()
        run.communicate()
        raise AssertionError(f"still running after {LIMIT} s") from None
    text = "".join(before) + err.decode("utf-8", "replace") + out.decode("utf-8", "replace")
    assert "内部错误" not in text and "Traceback" not in text, text
    return run.returncode, text


def test_signals_at_random_moments_of_the_write_step(editions: tuple[Edition, Edition], tmp_path: Path) -> None:
    """SIGINT, SIGTERM and SIGHUP in turn, each a random 0–12 ms after the first “第3步” line."""
    a, b = editions
    out = tmp_path / "out"
    rng = random.Random(SEED)
    seen: Counter[tuple[str, str, int]] = Counter()
    for attempt in range(tries(6)):
        signum = SIGNALS[attempt % len(SIGNALS)]
        fill(out, {**USER, **a.files})
        run = started(b.path, out)
        before = wait_for(run, "第3步")
        assert before and before[-1].startswith("第3步"), before
        time.sleep(rng.uniform(0, 0.012))
        run.send_signal(signum)
        code, text = finished(run, before)
        assert code in STOPPED | {0}, (code, text)
        seen[(signal.Signals(signum).name, one_set(out, a.files, b.files), code)] += 1
    print("\nsignals in the write step of a build:", dict(sorted(seen.items())))


@pytest.mark.parametrize("which", [(0, 1), (1, 0, 1)], ids=["two", "three"])
def test_builds_into_one_folder_at_once_all_succeed_and_one_set_is_left(
    which: tuple[int, ...], editions: tuple[Edition, Edition], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    fill(out, USER)
    runs = [started(editions[i].path, out) for i in which]
    for run in runs:
        code, text = finished(run, [])
        assert code == 0, text
    found = contents(out)
    assert found in ({**USER, **editions[0].files}, {**USER, **editions[1].files}), sorted(found)


def workers_of(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds the workers through /proc")
def test_workers_killed_at_random_moments_leave_a_whole_new_set(editions: tuple[Edition, Edition], tmp_path: Path) -> None:
    """The build does a killed worker's task itself: the same set, written whole."""
    a, b = editions
    out = tmp_path / "out"
    rng = random.Random(SEED + 2)
    killed = 0
    for _ in range(2):
        fill(out, {**USER, **a.files})
        run = started(b.path, out)
        before = wait_for(run, "第1步")
        time.sleep(rng.uniform(0.05, 0.6))
        for pid in workers_of(run.pid):
            try:
                os.killpg(pid, signal.SIGKILL)  # the first worker leads its siblings' group
                killed += 1
            except OSError:
                pass
        code, text = finished(run, before)
        assert code == 0, text
        assert one_set(out, a.files, b.files) == "new"
    assert killed, "no worker was running to kill"


@pytest.mark.skipif(shutil.which("chattr") is None, reason="no chattr")
def test_a_last_file_that_cannot_be_replaced_leaves_the_earlier_set(
    editions: tuple[Edition, Edition], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = editions
    out = tmp_path / "out"
    fill(out, {**USER, **a.files})
    last = out / "检查结果.txt"
    if subprocess.run(["chattr", "+i", str(last)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i needs root and a file system that supports it")
    try:
        capsys.readouterr()
        assert main(["build", str(b.path), "-o", str(out)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert err[-1] == f"{last}: 无法写出（没有写入权限）", err
    finally:
        subprocess.run(["chattr", "-i", str(last)], check=True)
    assert one_set(out, a.files, b.files) == "earlier"
