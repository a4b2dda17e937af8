"""Faults while writing outputs: a full disk, a refused folder or a folder in place of an output leaves every earlier output as it was."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest

from builder.command.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "inputs" / "2020"


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("earlier")
    assert main(["build", str(SAMPLE), "-o", str(out)]) == 0
    return out


@pytest.mark.parametrize(
    ("code", "word"), [(errno.ENOSPC, "无法写出（磁盘空间不足）"), (errno.EACCES, "无法写出（没有写入权限）")]
)
def test_a_write_that_fails_half_way_changes_nothing(
    code: int,
    word: str,
    earlier: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    shutil.copytree(earlier, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    writes = {"n": 0}
    real = Path.write_bytes

    def failing(self: Path, data: bytes) -> int:  # the third output file hits the fault
        writes["n"] += 1
        if writes["n"] == 3:
            raise OSError(code, word, str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    capsys.readouterr()
    assert main(["build", str(SAMPLE), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith(word) and "Traceback" not in "\n".join(err)
    assert err[-1].startswith(str(out / "北京市")) and ".tmp" not in err[-1]  # the output asked for, not the staging file
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary file left either


def test_an_output_path_that_is_a_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder", encoding="utf-8")
    assert main(["build", str(SAMPLE), "-o", str(blocker / "2020")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    problems = [line for line in err if not line.startswith(("第", "注意", "共", "草稿"))]
    assert len(problems) == 1 and problems[0].endswith("无法写出（路径中有一段是文件而不是文件夹）"), problems
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_a_folder_in_place_of_the_last_output_changes_nothing(earlier: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The last file of the set cannot be replaced: the files before it are not replaced either."""
    out = tmp_path / "out"
    shutil.copytree(earlier, out)
    (out / "检查结果.txt").unlink()
    (out / "检查结果.txt").mkdir()
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    capsys.readouterr()
    assert main(["build", str(SAMPLE), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == f"{out / '检查结果.txt'}: 无法写出（已有同名的文件夹）", err
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert sorted(p.name for p in out.iterdir()) == sorted([*before, "检查结果.txt"])  # nothing hidden left
