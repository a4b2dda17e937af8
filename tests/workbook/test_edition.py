"""An edition's own settings: version and date on the title block, bad settings refused in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.command.cli import main
from builder.command.pipeline import prepare
from builder.document import Title

SAMPLE = Path(__file__).resolve().parents[2] / "inputs" / "2020"


def _edition(tmp_path: Path, toml: str) -> Path:
    edition = tmp_path / "2020"
    shutil.copytree(SAMPLE, edition)
    (edition / "edition.toml").write_text(toml, encoding="utf-8")
    return edition


def test_version_and_date_stand_under_the_title(tmp_path: Path) -> None:
    edition = _edition(tmp_path, 'version = "修订稿2"\ndate = "2021-02-03"\n')
    _, document, _ = prepare(edition)
    title = document.blocks[0]
    assert isinstance(title, Title)
    assert title.subtitle == "（修订稿2\u30002021年2月3日）"
    assert document.meta.version == "修订稿2" and document.meta.date == "2021-02-03"


@pytest.mark.parametrize(
    ("toml", "word"),
    [
        ('date = "2021/13/01"\n', "date"),
        ('colour = "red"\n', "colour"),
        ("version = 3\n", "version"),
        ("title = \n", ""),
    ],
)
def test_bad_edition_settings_are_one_line(
    toml: str, word: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edition = _edition(tmp_path, toml)
    assert main(["check", str(edition)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(str(edition / "edition.toml")) and word in err[0]
    assert "Traceback" not in err[0]


def test_every_output_of_a_build_carries_the_version(tmp_path: Path) -> None:
    """The PDF's keywords, the DOCX's core properties and the proof list all name the edition's version."""
    import io
    import zipfile

    import openpyxl
    from pypdf import PdfReader

    edition = _edition(tmp_path, 'version = "修订稿2"\ndate = "2021-02-03"\n')
    out = tmp_path / "out"
    assert main(["build", str(edition), "-o", str(out)]) == 0
    pdf = next(out.glob("*.pdf"))
    meta = PdfReader(io.BytesIO(pdf.read_bytes())).metadata
    assert meta is not None and "修订稿2" in str(meta.get("/Keywords"))
    with zipfile.ZipFile(next(out.glob("*公开报告.docx"))) as z:
        assert "<cp:version>修订稿2</cp:version>" in z.read("docProps/core.xml").decode("utf-8")
    proof = openpyxl.load_workbook(next(out.glob("*校对清单.xlsx")))
    assert proof.properties.version == "修订稿2"
    assert any(row[1] == "修订稿2 2021-02-03" for row in proof["说明"].iter_rows(values_only=True))
