"""An adversarial suite for `builder.command.outputs.write_all`: a set of outputs is written all or none.

Every fault is tried at every point of a write, found by tracing a clean one: each staged file,
each rename, the clean-up. At each, a rename refused (once, or from then on, so that undoing fails
too), a full disk, a folder or an immutable file in the way, SIGINT, SIGTERM and SIGHUP, and
SIGKILL followed by the next writer. Then signals at random moments of real time, concurrent
writers, and the lock. After each, the folder holds the user's own file and one whole set, the
earlier or the new, and nothing else. Seeded; BUILDER_ADVERSARIAL_TRIES=N makes the random parts
longer by hand.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import random
import shutil
import signal
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from output_sets import (
    NAMES,
    SEED,
    SIGNALS,
    STOPPED,
    USER,
    Files,
    contents,
    earlier_and_new,
    fill,
    in_child,
    one_set,
    tries,
)

from builder.command import outputs
from builder.command.cli import main
from builder.command.outputs import Exists, OutputError, settle, write_all

EARLIER, NEW = earlier_and_new()
Point = tuple[str, int]  # a call of a traced function, by its name and its number among that function's calls


def paths(folder: Path, files: Files) -> dict[Path, bytes]:
    return {folder / name: data for name, data in files.items()}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    fill(out, {**USER, **EARLIER})
    return out


def reset(folder: Path) -> None:
    fill(folder, {**USER, **EARLIER})


# ---------------------------------------------------------------- the points of a write

HOOKED: dict[str, tuple[object, str]] = {"write": (Path, "write_bytes"), "replace": (os, "replace"), "rmtree": (shutil, "rmtree")}


@contextlib.contextmanager
def hooked(at: Callable[[Point], None]) -> Iterator[None]:
    """`at(point)` called before each traced call (in this process; a forked child keeps them)."""
    saved = {name: getattr(owner, attr) for name, (owner, attr) in HOOKED.items()}
    counts: Counter[str] = Counter()

    def wrap(name: str) -> Callable[..., object]:
        real = saved[name]

        def call(*args: object, **kwargs: object) -> object:
            counts[name] += 1
            at((name, counts[name]))
            return real(*args, **kwargs)  # type: ignore[operator]

        return call

    for name, (owner, attr) in HOOKED.items():
        setattr(owner, attr, wrap(name))
    try:
        yield
    finally:
        for name, (owner, attr) in HOOKED.items():
            setattr(owner, attr, saved[name])


def trace(folder: Path) -> list[Point]:
    """The points of a clean write of NEW over EARLIER, in order."""
    points: list[Point] = []
    with hooked(points.append):
        write_all(paths(folder, NEW))
    assert one_set(folder, EARLIER, NEW) == "new"
    reset(folder)
    return points


def test_a_clean_write_passes_every_point(folder: Path) -> None:
    points = trace(folder)
    kinds = Counter(name for name, _ in points)
    assert kinds["write"] == len(NEW)  # each file staged once
    assert kinds["replace"] == 1 + (len(EARLIER) + len(NEW)) + 1  # the manifest, each aside and in, done
    assert points[-1] == ("rmtree", 1)  # the earlier set deleted last, after the new one is in


# ---------------------------------------------------------------- faults at each point, in this process


def test_a_rename_refused_at_any_point_leaves_the_earlier_set(folder: Path) -> None:
    renames = [p for p in trace(folder) if p[0] == "replace"]
    for _, n in renames:
        for code in (errno.EPERM, errno.EBUSY, errno.ENOSPC):

            def refuse(point: Point, n: int = n, code: int = code) -> None:
                if point == ("replace", n):
                    raise OSError(code, os.strerror(code))

            with hooked(refuse), pytest.raises(OutputError) as raised:
                write_all(paths(folder, NEW))
            assert raised.value.path.parent == folder and raised.value.path.name in NEW
            assert one_set(folder, EARLIER, NEW) == "earlier", (n, code)


def test_when_undoing_fails_too_the_next_writer_puts_the_earlier_set_back(folder: Path) -> None:
    renames = [p for p in trace(folder) if p[0] == "replace"]
    for _, n in renames:

        def refuse_from(point: Point, n: int = n) -> None:
            if point[0] == "replace" and point[1] >= n:
                raise OSError(errno.EIO, "I/O error")

        with hooked(refuse_from), pytest.raises(OutputError) as raised:
            write_all(paths(folder, NEW))
        assert "读写设备出错" in str(raised.value)
        settle(folder)
        assert one_set(folder, EARLIER, NEW) == "earlier", n
        write_all(paths(folder, NEW))  # and the folder takes a new set as usual
        assert one_set(folder, EARLIER, NEW) == "new"
        reset(folder)


@pytest.mark.parametrize("written", ["write_bytes", "write_text"])
def test_a_full_disk_at_any_file_leaves_the_earlier_set(written: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = getattr(Path, written)
    calls = Counter[str]()
    for n in range(1, len(NEW) + 1):
        calls.clear()

        def full(self: Path, data: object, *args: object, n: int = n, **kwargs: object) -> object:
            calls["n"] += 1
            if calls["n"] == n:
                raise OSError(errno.ENOSPC, "No space left on device", str(self))
            return real(self, data, *args, **kwargs)

        monkeypatch.setattr(Path, written, full)
        with pytest.raises(OutputError, match="磁盘空间不足"):
            write_all(paths(folder, NEW))
        monkeypatch.undo()
        assert one_set(folder, EARLIER, NEW) == "earlier", n
        if written == "write_text":  # the set's names, written once: no later call to fail
            break


@pytest.mark.parametrize("position", range(len(NAMES)))
def test_a_folder_in_the_way_at_any_position_is_refused_before_anything_is_written(position: int, tmp_path: Path) -> None:
    out = tmp_path / "out"
    earlier: dict[str, bytes | None] = {**USER, **EARLIER, NAMES[position]: None}
    fill(out, earlier)
    (out / NAMES[position] / "里面的文件.txt").write_bytes(b"kept")
    with pytest.raises(OutputError) as raised:
        write_all(paths(out, NEW))
    assert str(raised.value) == f"{out / NAMES[position]}: 无法写出（已有同名的文件夹）"
    assert contents(out) == earlier
    assert (out / NAMES[position] / "里面的文件.txt").read_bytes() == b"kept"


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[None]:
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i needs root and a file system that supports it")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.skipif(shutil.which("chattr") is None, reason="no chattr")
@pytest.mark.parametrize("name", [n for n in NAMES if n in EARLIER])
def test_an_immutable_file_at_any_position_leaves_the_earlier_set(name: str, folder: Path) -> None:
    with immutable(folder / name):
        with pytest.raises(OutputError, match="没有写入权限") as raised:
            write_all(paths(folder, NEW))
        assert raised.value.path == folder / name
        assert one_set(folder, EARLIER, NEW) == "earlier"


# ---------------------------------------------------------------- signals and SIGKILL at each point


def signalled_at(folder: Path, point: Point, signum: int) -> int:
    """A forked writer that sends itself `signum` just before `point`; its exit."""

    def send(now: Point) -> None:
        if now == point:
            os.kill(os.getpid(), signum)

    def body() -> None:
        with hooked(send):
            write_all(paths(folder, NEW))

    return in_child(body)


def test_a_signal_at_any_point_takes_effect_on_a_whole_set(folder: Path) -> None:
    """Before the swap begins, the staging is dropped; once it has, it is finished; then the signal acts."""
    points = trace(folder)
    swap_begins = next(i for i, p in enumerate(points) if p[0] == "replace")
    for index, point in enumerate(points):
        for signum in SIGNALS:
            code = signalled_at(folder, point, signum)
            assert code in STOPPED, (point, signum, code)
            expected = "earlier" if index < swap_begins else "new"
            assert one_set(folder, EARLIER, NEW) == expected, (point, signal.Signals(signum).name)
            reset(folder)


def test_sigkill_at_any_point_is_settled_by_the_next_writer(folder: Path) -> None:
    """A killed writer leaves its staging folder and lock; the next one puts the earlier set back
    unless the new one was in whole, then writes as usual."""
    points = trace(folder)
    done = points.index(("rmtree", 1))
    for index, point in enumerate(points):
        assert signalled_at(folder, point, signal.SIGKILL) == -signal.SIGKILL
        left = {n for n in contents(folder) if n.startswith(".builder")}
        assert left, point  # what it was doing is still there to settle
        settle(folder)
        assert one_set(folder, EARLIER, NEW) == ("new" if index >= done else "earlier"), point
        reset(folder)
    assert signalled_at(folder, points[len(points) // 2], signal.SIGKILL) == -signal.SIGKILL
    write_all(paths(folder, NEW))  # settled on its way in
    assert one_set(folder, EARLIER, NEW) == "new"


# ---------------------------------------------------------------- signals at random moments


def test_signals_at_random_moments_of_a_write(folder: Path) -> None:
    """Forked writers signalled after a random delay drawn over a write's length; every outcome
    is a whole set, and both outcomes occur."""
    durations = []
    for _ in range(5):
        started = time.perf_counter()
        write_all(paths(folder, NEW))
        durations.append(time.perf_counter() - started)
        reset(folder)
    span = statistics.median(durations) * 1.5
    rng = random.Random(SEED)
    seen: Counter[tuple[str, str, int]] = Counter()
    for attempt in range(tries(90)):
        signum = SIGNALS[attempt % len(SIGNALS)]
        ready_r, ready_w = os.pipe()

        def body(ready_w: int = ready_w) -> None:
            os.write(ready_w, b"!")
            write_all(paths(folder, NEW))

        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            os.close(ready_r)
            os._exit(in_child_code(body))
        os.close(ready_w)
        assert os.read(ready_r, 1) == b"!"
        os.close(ready_r)
        time.sleep(rng.uniform(0, span))
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        assert code in STOPPED | {0}, code
        seen[(signal.Signals(signum).name, one_set(folder, EARLIER, NEW), code)] += 1
        reset(folder)
    print("\nsignals at random moments of a write:", dict(sorted(seen.items())))
    assert {outcome for _, outcome, _ in seen} == {"earlier", "new"}, seen


def in_child_code(body: Callable[[], object]) -> int:
    try:
        body()
    except OutputError:
        return 2
    except KeyboardInterrupt:
        return 130
    except BaseException:
        return 3
    return 0


# ---------------------------------------------------------------- one writer at a time


@contextlib.contextmanager
def lock_held(folder: Path, *, remove: bool = True) -> Iterator[int]:
    """The folder's lock held by this process, as a writer holds it; released as a writer does,
    or (`remove=False`) as a killed writer leaves it: the file still there, no one holding it."""
    lock = folder / outputs.LOCK_NAME
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield fd  # for a forked child to close: its copy would hold the lock too
    finally:
        if remove:
            lock.unlink()
        os.close(fd)


def started(body: Callable[[], object], *, close: tuple[int, ...] = ()) -> int:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        for fd in close:
            os.close(fd)
        os._exit(in_child_code(body))
    return pid


def ended(pid: int, within: float) -> int | None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    return None


@pytest.mark.parametrize("remove", [True, False], ids=["released", "left-by-a-killed-writer"])
def test_a_writer_waits_for_the_lock(remove: bool, folder: Path) -> None:
    with lock_held(folder, remove=remove) as held:
        pid = started(lambda: write_all(paths(folder, NEW)), close=(held,))
        assert ended(pid, 0.5) is None  # waiting
        assert contents(folder) == {**USER, **EARLIER, outputs.LOCK_NAME: b""}
    assert ended(pid, 10) == 0
    assert one_set(folder, EARLIER, NEW) == "new"


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_a_signal_stops_a_writer_waiting_for_the_lock(signum: int, folder: Path) -> None:
    with lock_held(folder) as held:
        pid = started(lambda: write_all(paths(folder, NEW)), close=(held,))
        assert ended(pid, 0.3) is None
        os.kill(pid, signum)
        assert ended(pid, 2) in STOPPED
    assert one_set(folder, EARLIER, NEW) == "earlier"


def test_a_lock_held_too_long_is_one_line(folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(outputs, "LOCK_WAIT", 0.3)
    with lock_held(folder):
        with pytest.raises(OutputError, match="另一个 builder 正在写入这个文件夹"):
            write_all(paths(folder, NEW))
        capsys.readouterr()
        workbook = folder / "figures.xlsx"
        assert main(["template", str(workbook)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"{workbook}: 无法写出（另一个 builder 正在写入这个文件夹，等了 0.3 秒仍未写完）"]
    assert one_set(folder, EARLIER, NEW) == "earlier"


def test_concurrent_writers_take_turns_and_leave_one_whole_set(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rounds of six writers at once, each with a set of its own: no two swaps overlap (each notes
    its swap's start and end in a log), all succeed, and the folder holds the set of one."""
    log = tmp_path / "swaps.log"
    real_swap = outputs._swap

    def noted(stage: Path, paths_: list[Path]) -> None:
        with open(log, "a", encoding="utf-8") as note:
            note.write(f"in {os.getpid()}\n")
        time.sleep(0.002)
        real_swap(stage, paths_)
        with open(log, "a", encoding="utf-8") as note:
            note.write(f"out {os.getpid()}\n")

    monkeypatch.setattr(outputs, "_swap", noted)
    rng = random.Random(SEED + 1)
    for _ in range(tries(4)):
        sets = [{n: f"writer {i} ".encode() + rng.randbytes(rng.randint(1_000, 100_000)) for n in NAMES} for i in range(6)]
        pids = [started(lambda s=s: write_all(paths(folder, s))) for s in sets]
        assert [ended(pid, 30) for pid in pids] == [0] * len(pids)
        found = contents(folder)
        assert [s for s in sets if found == {**USER, **s}], "not one writer's whole set"
        words = log.read_text(encoding="utf-8").split()
        swaps = [words[i : i + 4] for i in range(0, len(words), 4)]  # in PID out PID, one swap after another
        assert len(swaps) == len(sets) and all(w[0] == "in" and w[2] == "out" and w[1] == w[3] for w in swaps), words
        log.unlink()
        reset(folder)


# ---------------------------------------------------------------- builder template


def test_template_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = tmp_path / "figures.xlsx"
    workbook.write_bytes(b"an analyst's filled workbook")
    assert main(["template", str(workbook)]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"{workbook}: 文件已存在，未覆盖（确要覆盖请加 --force）"]
    assert workbook.read_bytes() == b"an analyst's filled workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures.xlsx"]
    assert main(["template", str(workbook), "--force"]) == 0
    assert workbook.read_bytes().startswith(b"PK")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures.xlsx"]


def test_template_writes_a_new_file_and_refuses_a_folder_even_with_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workbook = tmp_path / "new" / "figures.xlsx"
    assert main(["template", str(workbook)]) == 0
    assert workbook.read_bytes().startswith(b"PK")
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    capsys.readouterr()
    assert main(["template", str(folder), "--force"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"{folder}: 无法写出（已有同名的文件夹）"]
    assert folder.is_dir() and not any(folder.iterdir())


def test_overwrite_false_refuses_a_set_with_any_file_there(folder: Path) -> None:
    with pytest.raises(Exists):
        write_all(paths(folder, NEW), overwrite=False)
    assert one_set(folder, EARLIER, NEW) == "earlier"
