"""The `builder` command on editions whose own files or text are hostile or broken, each in a process
of its own with a timeout, all at once: template bombs (time, memory, nesting), a FIFO, a device
and a link leading out of the edition in every place an edition file is read (edition.toml,
prose, part templates, fonts), control, private-use and non-characters in prose and names, and
settings or titles longer than a format allows.

Every run ends in time with exit 0, 1 or 2 and no internal error; a refusal is one line naming
the file (or sheet and cell), and nothing is written. The template that runs too long meets the
real limit (`builder.compose.sandbox.SECONDS`); the in-process tests of `tests/compose` take
smaller ones.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from docx_tools import pdf_text

from builder.compose.sandbox import SECONDS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "inputs" / "2020"
TIMEOUT = 60.0  # seconds a run may take on a loaded machine; the time bomb stops at SECONDS
PROGRESS = re.compile(r"^(第\d步 |注意：|草稿：|共\d+处问题|未发现问题)")
FONT = Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf")

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    setup: Setup
    codes: frozenset[int]  # the exit codes it may end with
    where: str = ""  # what the refusal's first line starts with, relative to the edition folder
    command: str = "build"


def write(relative: str, text: str) -> Setup:
    def setup(edition: Path) -> None:
        path = edition / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.write_text(text, encoding="utf-8")

    return setup


def append(relative: str, text: str) -> Setup:
    def setup(edition: Path) -> None:
        with (edition / relative).open("a", encoding="utf-8") as out:
            out.write(text)

    return setup


def fifo(relative: str) -> Setup:
    def setup(edition: Path) -> None:
        path = edition / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        os.mkfifo(path)

    return setup


def link(relative: str, target: str) -> Setup:
    def setup(edition: Path) -> None:
        path = edition / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.symlink_to(target)

    return setup


def setting(key: str, value: str) -> Setup:
    """edition.toml with `key` set to `value`, as a TOML basic string."""

    def setup(edition: Path) -> None:
        toml = edition / "edition.toml"
        lines = [line for line in toml.read_text(encoding="utf-8").splitlines() if not line.startswith(f"{key} =")]
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        toml.write_text("\n".join([*lines, f'{key} = "{escaped}"', ""]), encoding="utf-8")

    return setup


def cell(sheet: str, label: str, column: int, value: str) -> Setup:
    """The workbook with `value` in `column` of the first row of `sheet` whose first cell is `label`."""

    def setup(edition: Path) -> None:
        path = edition / "figures.xlsx"
        wb = openpyxl.load_workbook(path)
        ws = wb[sheet]
        row = next(r for r in range(3, ws.max_row + 1) if str(ws.cell(r, 1).value) == label)
        ws.cell(row, column).value = value
        wb.save(path)

    return setup


NESTED_LOOPS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
SLOW_LOOPS = (
    "{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10) %}{% endfor %}{% endfor %}{% endfor %}"
)
DOUBLED = (
    '{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}'
)
LONG = "长" * 300
REFUSED = frozenset({2})
BUILT = frozenset({0})

CASES: dict[str, Case] = {
    # bounded work
    "prose-nested-range-loops": Case(write("prose/总述.j2", NESTED_LOOPS), REFUSED, "prose/总述.j2:1"),
    "prose-loops-past-the-time-limit": Case(write("prose/总述.j2", SLOW_LOOPS), REFUSED, "prose/总述.j2:1"),
    "title-of-a-billion-characters": Case(setting("title", "{{ 'x' * 10**9 }}"), REFUSED, "edition.toml"),
    "part-template-doubling-a-string": Case(
        write("templates/部分/来电类型.j2", DOUBLED), REFUSED, "templates/部分/来电类型.j2:1"
    ),
    "prose-500-nested-parentheses": Case(
        write("prose/总述.j2", "{{ " + "(" * 500 + "1" + ")" * 500 + " }}"), REFUSED, "prose/总述.j2:1"
    ),
    "prose-including-itself": Case(write("prose/总述.j2", '{% include "部分/总述.j2" %}'), REFUSED, "prose/总述.j2:1"),
    # text at the door
    "prose-control-characters": Case(append("prose/总述.j2", "控制\x01字\x08符\x1b清\x00除\n"), BUILT),
    "prose-non-character": Case(append("prose/总述.j2", "非字符\ufffe\n"), REFUSED, "prose/总述.j2:"),
    "prose-private-use-marker": Case(append("prose/总述.j2", "标记\ue0000\ue001\n"), REFUSED, "prose/总述.j2:"),
    "street-with-a-figure-marker": Case(cell("街乡镇", "丰台区", 2, "新村\ue0000\ue001街道"), REFUSED, "街乡镇!B"),
    "street-with-a-marker-out-of-range": Case(
        cell("街乡镇", "丰台区", 2, "新村\ue000999\ue001街道"), REFUSED, "街乡镇!B"
    ),
    "setting-over-255-characters": Case(setting("subject", LONG), BUILT),
    "title-over-255-by-a-long-region": Case(cell("基本信息", "地区", 2, LONG), BUILT),
}
for place, relative in {
    "edition-toml": "edition.toml",
    "prose": "prose/总述.j2",
    "part-template": "templates/部分/总述.j2",
    "font": "fonts/extra.ttf",
}.items():
    CASES[f"{place}-fifo"] = Case(fifo(relative), REFUSED, relative)
    CASES[f"{place}-linked-to-dev-zero"] = Case(link(relative, "/dev/zero"), REFUSED, relative)
    CASES[f"{place}-linked-outside"] = Case(link(relative, "/etc/hostname"), REFUSED, relative)


@dataclass(frozen=True)
class Run:
    edition: Path
    out: Path
    code: int | None  # None: still running at the timeout
    stdout: str
    stderr: str
    seconds: float


def runs(base: Path) -> dict[str, Run]:
    """Every case run at once, each a `builder` process with its own edition and output folder."""
    started: dict[str, tuple[subprocess.Popen[str], float, Path, Path]] = {}
    env = {**os.environ, "BUILDER_JOBS": "1"}
    env.pop("BUILDER_DEBUG", None)
    for name, case in CASES.items():
        edition, out = base / name / "edition", base / name / "out"
        shutil.copytree(SAMPLE, edition)
        case.setup(edition)
        command = [sys.executable, "-m", "builder", case.command, str(edition)]
        if case.command == "build":
            command += ["-o", str(out)]
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started[name] = (process, time.monotonic(), edition, out)
    done: dict[str, Run] = {}
    for name, (process, start, edition, out) in started.items():
        try:
            stdout, stderr = process.communicate(timeout=max(TIMEOUT - (time.monotonic() - start), 1))
            code: int | None = process.returncode
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            code = None
        done[name] = Run(edition, out, code, stdout, stderr, time.monotonic() - start)
    return done


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    return runs(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("name", list(CASES))
def test_each_run_ends_in_time_without_an_internal_error(name: str, results: dict[str, Run]) -> None:
    run, case = results[name], CASES[name]
    assert run.code is not None, f"still running after {TIMEOUT:g} s"
    assert "Traceback" not in run.stdout + run.stderr and "内部错误" not in run.stdout + run.stderr, run.stderr
    assert run.code in case.codes, run.stderr
    if run.code == 2:
        lines = [line for line in run.stderr.splitlines() if not PROGRESS.match(line)]
        assert len(lines) == 1, run.stderr
        where = str(run.edition / case.where) if "!" not in case.where else case.where
        assert lines[0].startswith(where), lines[0]
        assert not run.out.exists() or not any(run.out.iterdir())


def test_a_template_running_too_long_is_stopped_at_the_limit(results: dict[str, Run]) -> None:
    run = results["prose-loops-past-the-time-limit"]
    assert run.code == 2 and f"{SECONDS:g}秒" in run.stderr, run.stderr
    assert run.seconds < SECONDS + 20, f"{run.seconds:.1f} s"


def test_a_link_outside_prints_nothing_of_its_target(results: dict[str, Run]) -> None:
    hostname = socket.gethostname()
    for name, run in results.items():
        if name.endswith("linked-outside") and run.out.exists():
            for path in run.out.iterdir():
                assert hostname.encode() not in path.read_bytes()


def test_control_characters_in_prose_are_dropped_from_the_report(results: dict[str, Run]) -> None:
    run = results["prose-control-characters"]
    pdf = next(run.out.glob("*.pdf"))
    assert "控制字符清除" in pdf_text(pdf).replace("\n", "")


def _core(docx: Path) -> str:
    with zipfile.ZipFile(docx) as z:
        return z.read("docProps/core.xml").decode("utf-8")


def test_metadata_over_255_characters_is_shortened_only_in_the_docx_core_properties(results: dict[str, Run]) -> None:
    run = results["setting-over-255-characters"]
    docx = next(p for p in run.out.glob("*.docx"))
    core = _core(docx)
    assert f"<dc:subject>{LONG[:254]}…</dc:subject>" in core
    region = results["title-over-255-by-a-long-region"]
    docx = next(p for p in region.out.glob("*.docx"))
    title = re.search(r"<dc:title>(.*?)</dc:title>", _core(docx))
    assert title is not None and len(title.group(1)) == 255 and title.group(1).endswith("…")
    with zipfile.ZipFile(docx) as z:
        custom = z.read("docProps/custom.xml").decode("utf-8")
    assert f"{LONG}“接诉即办”工作2020年度公开报告" in custom  # the title refresh compares, whole
    printed = pdf_text(next(region.out.glob("*.pdf"))).replace("\n", "")
    assert f"{LONG}“接诉即办”工作2020年度公开报告" in printed


@pytest.mark.skipif(not FONT.is_file(), reason="the Debian font package fonts-arphic-gbsn00lp is not installed")
def test_a_font_linked_from_inside_the_edition_is_used(tmp_path: Path) -> None:
    edition = tmp_path / "edition"
    shutil.copytree(SAMPLE, edition)
    shutil.copy(FONT, edition / "licensed.ttf")
    (edition / "fonts").mkdir()
    (edition / "fonts" / "宋体.ttf").symlink_to("../licensed.ttf")
    run = subprocess.run(
        [sys.executable, "-m", "builder", "fonts", str(edition)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert run.returncode == 0, run.stderr
