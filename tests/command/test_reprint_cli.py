"""The reprint loop from the command line: proof list, redline with --since, diff, refresh."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from builder.command.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "inputs" / "2020"


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    edition = tmp_path_factory.mktemp("new") / "2020"
    shutil.copytree(SAMPLE, edition)
    wb = openpyxl.load_workbook(edition / "figures.xlsx")
    wb["总量"]["B3"] = int(wb["总量"]["B3"].value) + 100000
    wb.save(edition / "figures.xlsx")
    return edition


def test_build_since_writes_proof_list_and_redline(corrected: Path, tmp_path: Path) -> None:
    assert main(["build", str(corrected), "-o", str(tmp_path), "--since", str(SAMPLE)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert any(n.endswith("-校对清单.xlsx") for n in names)
    redline = next(tmp_path.glob("*-修订.docx"))
    with zipfile.ZipFile(redline) as z:
        body = z.read("word/document.xml")
    assert b"<w:ins " in body and b"<w:del " in body
    proof = openpyxl.load_workbook(next(tmp_path.glob("*-校对清单.xlsx")), read_only=True)
    assert proof.sheetnames[0] == "校对清单"


def test_diff_command_lists_the_changed_cell(corrected: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SAMPLE), str(corrected)]) == 0
    out = capsys.readouterr().out
    assert "总量!B3" in out and "1022.3万件" in out and "1032.3万件" in out


def test_refresh_command_puts_new_figures_into_an_edited_docx(
    corrected: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", str(SAMPLE), "-o", str(tmp_path / "old")]) == 0
    edited = next((tmp_path / "old").glob("*公开报告.docx"))
    out = tmp_path / "refreshed.docx"
    assert main(["refresh", str(edited), str(corrected), "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "1032.3万件" in body and "1022.3万件" not in body
