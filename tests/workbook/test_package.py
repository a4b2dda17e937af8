"""Hostile workbook files: `builder.workbook.package.inspect_package` refuses each with one line before openpyxl sees it.

`builder.workbook.reader.open_workbook` calls the guard before anything else opens the file, so through
the command (`builder check`) each exits 2 with the guard's line first. The files are made by
`hostile_files.py`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hostile_files import HOSTILE, ROOT, SAMPLE, MiB, rewrite_sample, zeros_member

from builder.command.cli import main
from builder.model.errors import Unreadable
from builder.workbook import package as guard


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every hostile file, built once for the module as `<case>/figures.xlsx`."""
    folder = tmp_path_factory.mktemp("hostile")
    for case, (make, _words) in HOSTILE.items():
        (folder / case).mkdir()
        make(folder / case / "figures.xlsx")
    return folder


ONE_LINE = re.compile(r"^figures\.xlsx: [^\n]+$")


def refusal(path: Path) -> str:
    with pytest.raises(Unreadable) as caught:
        guard.inspect_package(path)
    lines = caught.value.lines()
    assert len(lines) == 1, lines
    return lines[0]


# ---------------------------------------------------------------------------------------------
# the guard alone


@pytest.mark.parametrize("case", list(HOSTILE))
def test_guard_refuses_with_one_line(case: str, hostile_dir: Path) -> None:
    path = hostile_dir / case / "figures.xlsx"
    assert path.stat().st_size < 4 * MiB  # the bombs stay small on disk
    started = time.perf_counter()
    line = refusal(path)
    elapsed = time.perf_counter() - started
    assert ONE_LINE.match(line), line
    for word in HOSTILE[case][1]:
        assert word in line, (word, line)
    assert elapsed < 1.0, f"{case}: {elapsed:.2f} s"


def test_guard_accepts_the_sample_fast() -> None:
    guard.inspect_package(SAMPLE)
    started = time.perf_counter()
    for _ in range(10):
        guard.inspect_package(SAMPLE)
    assert (time.perf_counter() - started) / 10 < 0.050


def test_guard_accepts_an_xlsm_copy(tmp_path: Path) -> None:
    """A macro-enabled workbook: its content type says so and it carries a VBA project, never run."""
    macro = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            data = data.replace(sheet.encode(), macro.encode())
            data = data.replace(
                b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>'
            )
        return data

    path = tmp_path / "figures.xlsm"
    rewrite_sample(path, change, {"xl/vbaProject.bin": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(1016)})
    guard.inspect_package(path)
    plain = tmp_path / "copy.xlsm"
    shutil.copyfile(SAMPLE, plain)
    guard.inspect_package(plain)


def test_guard_accepts_a_workbook_part_named_by_its_content_type(tmp_path: Path) -> None:
    """openpyxl finds the workbook by content type, so a package may keep it elsewhere."""

    def change(name: str, data: bytes) -> bytes:
        return data.replace(b"/xl/workbook.xml", b"/xl/book.xml") if name == "[Content_Types].xml" else data

    path = tmp_path / "figures.xlsx"
    rewrite_sample(path, lambda n, d: None if n == "xl/workbook.xml" else change(n, d), {"xl/book.xml": b"<workbook/>"})
    guard.inspect_package(path)


def test_guard_says_nothing_of_a_huge_sheet_dimension(tmp_path: Path) -> None:
    """A `<dimension>` claiming every row and column of Excel: the reader stops at its own limits."""

    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return data

    path = tmp_path / "figures.xlsx"
    rewrite_sample(path, change)
    guard.inspect_package(path)


def test_guard_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    """A FIFO would block the first `open` until something writes to it: the guard never opens it."""
    fifo = tmp_path / "figures.xlsx"
    os.mkfifo(fifo)
    started = time.perf_counter()
    line = refusal(fifo)
    assert time.perf_counter() - started < 1.0
    assert line.startswith("figures.xlsx: ") and "不是普通文件" in line, line
    assert refusal(tmp_path / "missing.xlsx").startswith("missing.xlsx: 无法打开")
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    assert "文件夹" in refusal(folder)


def test_guard_keeps_a_hostile_member_name_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "figures.xlsx"
    shutil.copyfile(SAMPLE, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        zeros_member(archive, "xl/media/a\nb\rc\x1bd.bin", 70 * MiB)
    line = refusal(path)
    assert ONE_LINE.match(line) and "a?b?c?d.bin" in line, line


def test_guard_reads_only_the_zip_directory_for_a_bomb(hostile_dir: Path) -> None:
    """The bombs are refused from their directory: far faster than inflating 300 MiB."""
    started = time.perf_counter()
    for _ in range(10):
        refusal(hostile_dir / "zip-bomb-300MiB-member" / "figures.xlsx")
    assert (time.perf_counter() - started) / 10 < 0.050


# ---------------------------------------------------------------------------------------------
# through the command: the reader calls the guard first


@pytest.mark.parametrize("case", list(HOSTILE))
def test_check_refuses_with_the_guards_line(case: str, hostile_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = hostile_dir / case / "figures.xlsx"
    expected = refusal(path)
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "内部错误" not in out + err, err
    assert code == 2, (out, err)
    assert err.splitlines()[0] == expected


def test_check_of_a_fifo_returns_at_once(tmp_path: Path) -> None:
    """A workbook path that is a FIFO: anything that opens it (`zipfile.is_zipfile`, say) blocks for ever."""

    fifo = tmp_path / "figures.xlsx"
    os.mkfifo(fifo)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "builder", "check", str(fifo)], capture_output=True, text=True, timeout=5, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        pytest.fail("builder check blocked on a FIFO")
    assert run.returncode == 2
    assert run.stderr.splitlines()[0].startswith("figures.xlsx: ")
