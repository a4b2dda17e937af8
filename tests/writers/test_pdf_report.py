"""The sample report's PDF read back with pdfplumber and pypdf: line breaking, grid, fonts, outline, charts."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from pdfminer.converter import PDFPageAggregator
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pypdf import PdfReader

from builder.command.pipeline import prepare
from builder.document import Chart, Document, Heading, Paragraph, Toc
from builder.style import Style, load_style
from builder.writers import pdf

SAMPLE = Path(__file__).resolve().parents[2] / "inputs" / "2020"
NO_START = set("。，、；：？！”’）〕】》〉」』%…—")
NO_END = set("“‘（〔【《〈「『")
BODY_SIZE = 16.0
MM = 72 / 25.4


@dataclass
class Line:
    page: int
    top: float
    x0: float
    x1: float
    text: str


@pytest.fixture(scope="module")
def report() -> tuple[Document, Style, bytes, dict[int, int]]:
    _, document, _ = prepare(SAMPLE)
    style = load_style()
    rendered = pdf.render(document, style)
    return document, style, rendered.data, rendered.heading_pages


@pytest.fixture(scope="module")
def body_lines(report: tuple[Document, Style, bytes, dict[int, int]]) -> list[Line]:
    """Lines of 16 pt text after the contents page, in reading order."""
    _, _, data, _ = report
    out: list[Line] = []
    with pdfplumber.open(io.BytesIO(data)) as doc:
        for number, page in enumerate(doc.pages, start=1):
            if number == 1:
                continue
            rows: dict[float, list[dict[str, Any]]] = defaultdict(list)
            for ch in page.chars:
                if abs(ch["size"] - BODY_SIZE) < 0.5:
                    rows[round(ch["top"], 1)].append(ch)
            for top in sorted(rows):
                chars = sorted(rows[top], key=lambda c: c["x0"])
                text = "".join(c["text"] for c in chars)
                out.append(Line(number, top, chars[0]["x0"], chars[-1]["x1"], text))
    return out


def _geometry(style: Style) -> tuple[float, float, float]:
    left = float(style.page.left) * MM
    right = left + float(style.page.text_width) * MM
    return left, right, (right - left) / style.grid.chars


def test_extracted_text_is_the_document_text(
    report: tuple[Document, Style, bytes, dict[int, int]], body_lines: list[Line]
) -> None:
    document, *_ = report
    after_toc = document.blocks[[isinstance(b, Toc) for b in document.blocks].index(True) + 1 :]
    expected = "".join(
        b.number + b.text if isinstance(b, Heading) else b.text for b in after_toc if isinstance(b, Heading | Paragraph)
    )
    assert "".join(line.text for line in body_lines) == expected


def test_no_line_starts_or_ends_with_a_forbidden_character(body_lines: list[Line]) -> None:
    assert len(body_lines) > 300
    bad = [(ln.page, ln.text) for ln in body_lines if ln.text[0] in NO_START or ln.text[-1] in NO_END]
    assert bad == []


def test_every_line_but_a_paragraphs_last_fills_the_text_block(
    report: tuple[Document, Style, bytes, dict[int, int]], body_lines: list[Line]
) -> None:
    _, style, _, _ = report
    left, right, pitch = _geometry(style)
    short = []
    for line, nxt in zip(body_lines, [*body_lines[1:], None], strict=True):
        if abs(line.x1 - right) <= 1.0:
            continue
        ends_paragraph = (
            nxt is None
            or nxt.page != line.page
            or nxt.top - line.top > style.grid.line_pitch * 1.5
            or abs(nxt.x0 - (left + 2 * pitch)) < 1.0  # the next line opens a paragraph
        )
        if not ends_paragraph:
            short.append((line.page, line.text, round(right - line.x1, 2)))
    assert short == []
    full = [ln for ln in body_lines if abs(ln.x1 - right) <= 1.0]
    assert len(full) > 200


def test_lines_keep_the_grid_and_a_page_of_text_holds_22(
    report: tuple[Document, Style, bytes, dict[int, int]], body_lines: list[Line]
) -> None:
    _, style, _, _ = report
    by_page: dict[int, list[Line]] = defaultdict(list)
    for line in body_lines:
        by_page[line.page].append(line)
    top_of_block = float(style.page.top) * MM
    for lines in by_page.values():
        for line in lines:  # every line sits on one of the 22 grid lines
            slot = (line.top - top_of_block) / style.grid.line_pitch
            assert 0 <= round(slot) < style.grid.lines, (line.page, line.text)
    fullest = max(len(v) for v in by_page.values())
    assert fullest == style.grid.lines


def test_a_full_line_of_chinese_holds_28_characters(
    report: tuple[Document, Style, bytes, dict[int, int]], body_lines: list[Line]
) -> None:
    _, style, _, _ = report
    left, right, _ = _geometry(style)
    cjk_only = [
        ln
        for ln in body_lines
        if abs(ln.x0 - left) < 1.0
        and abs(ln.x1 - right) < 1.0
        and re.fullmatch(r"[\u4e00-\u9fff，。、；：（）《》]+", ln.text)  # “” are proportional in some fonts
    ]
    assert len(cjk_only) > 20
    exact = [ln for ln in cjk_only if len(ln.text) == style.grid.chars]
    # a shorter line gave its end to the next line: punctuation may not open a line, a number keeps its unit
    assert len(exact) > len(cjk_only) / 2
    assert all(len(ln.text) <= style.grid.chars for ln in cjk_only), [ln.text for ln in cjk_only if len(ln.text) > 28]


def test_every_font_is_embedded(report: tuple[Document, Style, bytes, dict[int, int]]) -> None:
    _, _, data, _ = report
    reader = PdfReader(io.BytesIO(data))
    seen = 0
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None, font.get("/BaseFont")
            assert "/FontFile2" in descriptor.get_object(), font.get("/BaseFont")
            seen += 1
    assert seen > 0
    assert reader.metadata is not None and reader.metadata.title == report[0].meta.title


def _outline_titles(items: list[Any]) -> list[str]:
    out: list[str] = []
    for item in items:
        if isinstance(item, list):
            out += _outline_titles(item)
        else:
            out.append(str(item.title))
    return out


def test_outline_entries_are_the_headings(report: tuple[Document, Style, bytes, dict[int, int]]) -> None:
    document, _, data, _ = report
    titles = _outline_titles(PdfReader(io.BytesIO(data)).outline)
    assert titles == [b.number + b.text for b in document.blocks if isinstance(b, Heading)]


def test_contents_page_numbers_are_the_pages_headings_start_on(
    report: tuple[Document, Style, bytes, dict[int, int]],
) -> None:
    document, _, data, pages = report
    with pdfplumber.open(io.BytesIO(data)) as doc:
        contents = doc.pages[0].extract_text()
        page_texts = [re.sub(r"\s+", "", p.extract_text() or "") for p in doc.pages]
    entries = re.findall(r"^(\S+?)[\s·]+(\d+)$", contents, flags=re.M)
    listed = {text: int(number) for text, number in entries}
    level_one_two = [(i, b) for i, b in enumerate(document.blocks) if isinstance(b, Heading) and b.level <= 2]
    assert len(listed) == len(level_one_two) >= 6
    for index, block in level_one_two:
        label = block.number + block.text
        assert listed[label] == pages[index]
        assert label in page_texts[pages[index] - 1]


def test_every_chart_is_in_the_pdf_with_its_labels(report: tuple[Document, Style, bytes, dict[int, int]]) -> None:
    document, _, data, _ = report
    charts = [b for b in document.blocks if isinstance(b, Chart)]
    with pdfplumber.open(io.BytesIO(data)) as doc:
        # the draft mark's large characters left out: they can fall on a caption's line
        texts = [re.sub(r"\s+", "", _unmarked(p).extract_text() or "") for p in doc.pages]
    for chart in charts:
        caption = f"图{chart.number}{chart.caption}"
        page = next((t for t in texts if caption in t), None)
        assert page is not None, caption
        for category in chart.categories:
            assert category in page, (caption, category)


def _unmarked(page: Any) -> Any:
    """The page without the draft mark (its characters are far larger than any text's)."""
    return page.filter(lambda o: o.get("object_type") != "char" or o["size"] < 50)


class _RenderModes(PDFPageAggregator):  # type: ignore[misc]
    """pdfminer's page aggregator, noting each glyph's text render mode (2: filled and stroked, i.e. bold)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mode = 0
        self.glyphs: list[tuple[str, int]] = []

    def render_string(self, textstate: Any, *args: Any, **kwargs: Any) -> None:
        self.mode = textstate.render
        super().render_string(textstate, *args, **kwargs)

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        advance = float(super().render_char(*args, **kwargs))
        self.glyphs.append((self.cur_item._objs[-1].get_text(), self.mode))
        return advance


def test_level_three_headings_and_nothing_else_are_bold(report: tuple[Document, Style, bytes, dict[int, int]]) -> None:
    document, style, data, _ = report
    assert style.fonts.heading3.bold and not style.fonts.body.bold
    manager = PDFResourceManager()
    device = _RenderModes(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    for page in PDFPage.get_pages(io.BytesIO(data)):
        interpreter.process_page(page)
    bold = "".join(text for text, mode in device.glyphs if mode == 2)
    expected = "".join(b.number + b.text for b in document.blocks if isinstance(b, Heading) and b.level == 3)
    assert len(expected) > 20
    assert bold == expected
    assert {mode for _, mode in device.glyphs} == {0, 2}
