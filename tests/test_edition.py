"""An edition's own settings: version and date on the title block, bad settings refused in one line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.build import prepare
from builder.cli import main
from builder.document import Title

SAMPLE = Path(__file__).resolve().parent.parent / "inputs" / "2020"


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
    [('date = "2021/13/01"\n', "date"), ('colour = "red"\n', "colour"), ("version = 3\n", "version"), ("title = \n", "")],
)
def test_bad_edition_settings_are_one_line(
    toml: str, word: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edition = _edition(tmp_path, toml)
    assert main(["check", str(edition)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(str(edition / "edition.toml")) and word in err[0]
    assert "Traceback" not in err[0]
