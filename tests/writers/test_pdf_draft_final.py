"""Draft and final PDFs, document metadata, and the font commands, read back from real outputs."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from builder.command.cli import main
from builder.command.pipeline import prepare
from builder.style import fonts as fonts_module
from builder.style import load_style
from builder.style.fonts import FontError
from builder.writers import pdf

SAMPLE = Path(__file__).resolve().parents[2] / "inputs" / "2020"
WATERMARK_SIZE = 120


@pytest.fixture(scope="module")
def draft_and_final() -> tuple[bytes, bytes]:
    _, document, _ = prepare(SAMPLE)
    style = load_style()
    draft = pdf.render(document, style).data
    final = pdf.render(replace(document, meta=replace(document.meta, final=True)), style).data
    return draft, final


def _watermarks(data: bytes) -> list[int]:
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return [
            sum(1 for c in page.chars if c["size"] > WATERMARK_SIZE / 2 and c["text"] in "草稿") for page in doc.pages
        ]


def _yellow(data: bytes) -> int:
    """Filled rectangles in a yellow (red and green high, blue low): the draft's marks."""
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return sum(1 for page in doc.pages for r in page.rects if _is_yellow(r.get("non_stroking_color")))


def _is_yellow(color: object) -> bool:
    return isinstance(color, tuple | list) and len(color) == 3 and color[0] > 0.9 and color[1] > 0.8 and color[2] < 0.5


def test_a_draft_carries_the_watermark_on_every_page(draft_and_final: tuple[bytes, bytes]) -> None:
    draft, _ = draft_and_final
    marks = _watermarks(draft)
    assert len(marks) > 10 and all(n == 2 for n in marks)


def test_a_draft_marks_every_missing_figure(draft_and_final: tuple[bytes, bytes]) -> None:
    draft, _ = draft_and_final
    with pdfplumber.open(io.BytesIO(draft)) as doc:
        text = "".join(page.extract_text() or "" for page in doc.pages)
    assert text.count("【待补】") == 8
    assert _yellow(draft) >= 8


def test_a_final_pdf_has_neither_watermark_nor_marks(draft_and_final: tuple[bytes, bytes]) -> None:
    _, final = draft_and_final
    assert not any(_watermarks(final))
    assert _yellow(final) == 0


def test_metadata_names_title_subject_author_and_language(draft_and_final: tuple[bytes, bytes]) -> None:
    draft, _ = draft_and_final
    _, document, _ = prepare(SAMPLE)
    reader = PdfReader(io.BytesIO(draft))
    meta = reader.metadata
    assert meta is not None
    assert (meta.title, meta.subject, meta.author) == (
        document.meta.title,
        document.meta.subject,
        document.meta.author,
    )
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"


def test_two_pdf_renders_are_identical(draft_and_final: tuple[bytes, bytes]) -> None:
    draft, _ = draft_and_final
    _, document, _ = prepare(SAMPLE)
    assert pdf.render(document, load_style()).data == draft


def test_fonts_command_lists_every_role(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fonts", str(SAMPLE)]) == 0
    out = capsys.readouterr().out.splitlines()
    roles = load_style().fonts.roles()
    assert len(out) == len(roles)
    for role, line in zip(roles, out, strict=True):
        assert role in line and ("/" in line)
    assert not any("替代" in line for line in out)  # set up as the README says: Fandol for every role


def test_no_chinese_font_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_fonts(*_: object, **__: object) -> object:
        raise FontError("没有可用的中文字体：请以 root 运行 apt-get install fonts-arphic-gbsn00lp")

    monkeypatch.setattr(fonts_module, "register", no_fonts)
    assert main(["build", str(SAMPLE), "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("没有可用的中文字体") and "fonts-arphic-gbsn00lp" in err[-1]
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(("epoch", "stamp"), [(None, "D:20000101000000"), ("1609459200", "D:20210101000000")])
def test_pdf_dates_are_source_date_epoch_never_the_clock(
    epoch: str | None, stamp: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    _, document, _ = prepare(SAMPLE)
    info = PdfReader(io.BytesIO(pdf.render(document, load_style()).data)).metadata
    assert info is not None
    assert str(info["/CreationDate"]).startswith(stamp) and str(info["/ModDate"]).startswith(stamp)
