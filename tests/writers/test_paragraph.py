"""The Justified flowable in a real PDF: text reads back in order, lines obey the rules and fill the frame."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from builder.style import fonts, load_style
from builder.writers.pdf.linebreak import DEFAULT_TRACKING, NO_END, NO_START, Piece
from builder.writers.pdf.paragraph import HIGHLIGHT, Justified, slice_pieces

SEED = Path(__file__).parent.parent / "data" / "seed_2020.txt"
LEFT, RIGHT, TOP, BOTTOM = 28 * mm, 26 * mm, 37 * mm, 35 * mm
WIDTH, HEIGHT = A4[0] - LEFT - RIGHT, A4[1] - TOP - BOTTOM
LEADING = 28.95
SIZE = 16.0
ASCII_PUNCTUATION = str.maketrans({",": "，", "(": "（", ")": "）", ";": "；", ":": "：", "?": "？"})

pytestmark = pytest.mark.skipif(
    not Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf").exists(), reason="Debian CJK fonts not installed"
)


@pytest.fixture(scope="module")
def body_font() -> str:
    return fonts.register(load_style())["body"].name


def seed_paragraphs() -> list[str]:
    """The seed's longer paragraphs, with the full-width punctuation a report uses."""
    return [line.translate(ASCII_PUNCTUATION) for line in SEED.read_text().splitlines() if len(line) > 30]


def to_pieces(text: str, font: str) -> list[Piece]:
    """Seed text as pieces: each `**` a missing figure, kept whole and tagged."""
    out: list[Piece] = []
    for i, part in enumerate(re.split(r"(\*\*)", text)):
        if i % 2:
            out.append(Piece("【待补】", font, SIZE, "missing", True))
        elif part:
            out.append(Piece(part, font, SIZE))
    return out


@dataclass(frozen=True)
class PdfLine:
    page: int
    top: float
    text: str
    x0: float
    x1: float


def pdf_lines(data: bytes) -> Iterator[PdfLine]:
    """The lines of every page from pdfplumber's characters, grouped by baseline, in x order."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            rows: dict[float, list[dict[str, Any]]] = {}
            for char in page.chars:
                rows.setdefault(round(float(char["top"]), 2), []).append(char)
            for top in sorted(rows):
                chars = sorted(rows[top], key=lambda c: float(c["x0"]))
                text = "".join(str(c["text"]) for c in chars)
                yield PdfLine(number, top, text, float(chars[0]["x0"]), float(chars[-1]["x1"]))


def build(flowables: list[Justified]) -> bytes:
    """A GB/T 9704 page: A4, 156 × 225 mm text block, frame without padding."""
    out = io.BytesIO()
    frame = Frame(LEFT, BOTTOM, WIDTH, HEIGHT, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(out, pagesize=A4, pageTemplates=[PageTemplate("body", [frame])])
    doc.build(flowables)
    return out.getvalue()


def paragraph(text: str, font: str) -> Justified:
    return Justified(to_pieces(text, font), first_indent=2 * SIZE * DEFAULT_TRACKING, leading=LEADING)


@pytest.fixture(scope="module")
def document(body_font: str) -> tuple[list[str], bytes]:
    """Several seed paragraphs, one of them longer than a page."""
    seed = seed_paragraphs()
    texts = [seed[0], seed[1], "".join(seed[2:8]), seed[8], *seed[9:14]]
    return texts, build([paragraph(t, body_font) for t in texts])


def expected_lines(texts: list[str], font: str) -> list[tuple[str, bool, bool]]:
    """(text, first of its paragraph, last of its paragraph) of every line the flowable lays out."""
    out: list[tuple[str, bool, bool]] = []
    for text in texts:
        lines = paragraph(text, font).layout(WIDTH)
        out += [(line.text, i == 0, line.last) for i, line in enumerate(lines)]
    return out


def expanded(text: str) -> str:
    return text.replace("**", "【待补】")


def test_text_reads_back_line_by_line(document: tuple[list[str], bytes], body_font: str) -> None:
    texts, data = document
    got = list(pdf_lines(data))
    want = expected_lines(texts, body_font)
    assert [line.text for line in got] == [text for text, _, _ in want]
    assert "".join(line.text for line in got) == "".join(expanded(t) for t in texts)
    assert len({line.page for line in got}) >= 2  # the long paragraph went on to the next page


def test_lines_obey_the_rules_and_fill_the_frame(document: tuple[list[str], bytes], body_font: str) -> None:
    texts, data = document
    got = list(pdf_lines(data))
    want = expected_lines(texts, body_font)
    right = LEFT + WIDTH
    for line, (_, first, last) in zip(got, want, strict=True):
        if not first:
            assert line.text[0] not in NO_START, line.text
            assert line.x0 == pytest.approx(LEFT, abs=0.5)
        else:
            assert line.x0 == pytest.approx(LEFT + 2 * SIZE * DEFAULT_TRACKING, abs=0.5)
        if not last:
            assert line.text[-1] not in NO_END, line.text
            assert abs(line.x1 - right) <= 1.0, line.text


def test_pages_hold_22_lines_at_the_grid_pitch(document: tuple[list[str], bytes]) -> None:
    _, data = document
    got = list(pdf_lines(data))
    page1 = [line for line in got if line.page == 1]
    assert len(page1) == 22
    steps = [b.top - a.top for a, b in itertools.pairwise(page1)]
    assert steps == pytest.approx([LEADING] * 21, abs=0.01)
    # the first em box starts at the top of the text block (37 mm down): glyph tops sit near it
    assert page1[0].top == pytest.approx(TOP + (LEADING - SIZE) / 2, abs=2.5)


def test_extract_text_has_no_inserted_spaces(document: tuple[list[str], bytes]) -> None:
    texts, data = document
    # a justified line that breaks before a number with its unit spreads the rest: gaps of a fifth of an
    # em, which pdfplumber's default guess (3 pt) takes for spaces; a quarter em is still no word gap
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        extracted = "".join((page.extract_text(x_tolerance=SIZE / 4) or "").replace("\n", "") for page in pdf.pages)
    assert extracted == "".join(expanded(t) for t in texts)


def test_missing_figures_are_highlighted(body_font: str) -> None:
    text = next(t for t in seed_paragraphs() if "**" in t)
    data = build([paragraph(text, body_font)])
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        rects = [
            r for r in page.rects if r.get("non_stroking_color") == (HIGHLIGHT.red, HIGHLIGHT.green, HIGHLIGHT.blue)
        ]
        marks = [c for c in page.chars if c["text"] == "【"]
    assert len(rects) == text.count("**") == len(marks)
    for rect, mark in zip(sorted(rects, key=lambda r: (r["top"], r["x0"])), marks, strict=True):
        assert rect["x0"] == pytest.approx(mark["x0"], abs=0.5)


def test_final_build_has_no_highlight(body_font: str) -> None:
    pieces = [Piece("一二三", body_font, SIZE), Piece("【待补】", body_font, SIZE, "missing", True)]
    data = build([Justified(pieces, final=True)])
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert pdf.pages[0].rects == []


def test_split_fills_every_grid_line(body_font: str) -> None:
    flow = paragraph("".join(seed_paragraphs()[2:4]), body_font)
    _, height = flow.wrap(WIDTH, HEIGHT)
    count = len(flow.lines)
    assert height == count * LEADING and count >= 6
    assert flow.split(WIDTH, 0.5 * LEADING) == []  # not even one line fits
    one, _ = flow.split(WIDTH, 1.5 * LEADING)  # GB/T 9704 fills the grid: a single line stays
    assert len(one.layout(WIDTH)) == 1
    head, tail = flow.split(WIDTH, 3 * LEADING)
    assert len(head.layout(WIDTH)) == 3 and not head.layout(WIDTH)[-1].last
    assert tail.layout(WIDTH)[0].indent == 0.0
    head2, _ = flow.split(WIDTH, (count - 1) * LEADING)
    assert len(head2.layout(WIDTH)) == count - 1  # the last line alone goes on
    assert head.text + tail.text == flow.text


def test_slice_pieces_keeps_fonts_and_tags() -> None:
    pieces = [Piece("一二", "a", 16), Piece("【待补】", "b", 16, "missing", True), Piece("三四", "a", 16)]
    assert slice_pieces(pieces, 1, 4) == [Piece("二", "a", 16), Piece("【待", "b", 16, "missing", True)]
