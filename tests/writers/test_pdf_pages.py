"""The sample report's pages read back: filled, figures beside their text, table cells by the rules,
each figure's page in the proof list; and nothing runs off the page, whatever the text."""

from __future__ import annotations

import bisect
import io
import itertools
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from openpyxl import load_workbook

from builder.command.pipeline import prepare_all, proof_inputs
from builder.document import (
    Block,
    Cell,
    Chart,
    ChartKind,
    Document,
    Figure,
    Heading,
    Meta,
    Paragraph,
    Series,
    Table,
    para,
)
from builder.style import Style, load_style
from builder.writers import pdf
from builder.writers.proof_list import proof_workbook
from builder.writers.proof_list.rows import SHEET

SAMPLE = Path(__file__).resolve().parents[2] / "inputs" / "2020"
NO_START = set("。，、；：？！”’）〕】》〉」』%…—")
NO_END = set("“‘（〔【《〈「『")
MM = 72 / 25.4
FILL = 0.8


@pytest.fixture(scope="module")
def sample() -> tuple[Any, pdf.Rendered, list[Any]]:
    prepared = prepare_all(SAMPLE)
    rendered = pdf.render(prepared.document, load_style())
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        pages = [_Page(p) for p in doc.pages]
    return prepared, rendered, pages


class _Page:
    """What a test needs of one page: its characters, its shapes, its text without spaces."""

    def __init__(self, page: Any) -> None:
        bottom = _block(load_style())[3]
        keep = ("text", "size", "top", "bottom", "x0", "x1")  # only what the tests read: a run holds many pages
        self.chars = [
            {k: c[k] for k in keep} for c in page.chars if c["size"] < 50 and c["top"] < bottom
        ]  # not the draft mark nor the number
        self.shapes = [{"bottom": s["bottom"]} for s in (*page.rects, *page.lines, *page.curves)]
        self.rects = [{k: r[k] for k in ("width", "height", "non_stroking_color")} for r in page.rects]
        self.text = re.sub(r"\s+", "", "".join(c["text"] for c in self.chars))


def _block(style: Style) -> tuple[float, float, float, float]:
    """The text block: left, right, top, bottom, in pdfplumber's top-down points."""
    page = style.page
    left, top = float(page.left) * MM, float(page.top) * MM
    return left, left + float(page.text_width) * MM, top, top + float(page.text_height) * MM


def _page_of(pages: list[_Page], text: str, start: int = 0) -> int:
    """The first page (from 1) at or after `start` whose text holds `text`."""
    flat = re.sub(r"\s+", "", text)
    return next(n for n in range(start, len(pages)) if flat in pages[n].text) + 1


def test_every_page_but_a_parts_last_is_filled(sample: tuple[Any, pdf.Rendered, list[_Page]]) -> None:
    prepared, rendered, pages = sample
    blocks = prepared.document.blocks
    _, _, top, bottom = _block(load_style())
    first_text = next(b for b in blocks if isinstance(b, Paragraph))
    starts = {1, _page_of(pages, first_text.text[:12])}
    starts |= {rendered.heading_pages[i] for i, b in enumerate(blocks) if isinstance(b, Heading) and b.level == 1}
    fills = {}
    for number, page in enumerate(pages, start=1):
        if number + 1 in starts or number == len(pages):
            continue  # the last page of a part
        lowest = max(
            [c["bottom"] for c in page.chars if c["bottom"] <= bottom + 2]
            + [s["bottom"] for s in page.shapes if s["bottom"] <= bottom + 2]
        )
        fills[number] = (lowest - top) / (bottom - top)
    assert len(fills) > 20
    short = {n: round(f, 2) for n, f in fills.items() if f < FILL}
    assert short == {}


def test_parts_start_on_a_new_page(sample: tuple[Any, pdf.Rendered, list[_Page]]) -> None:
    prepared, rendered, pages = sample
    for index, block in enumerate(prepared.document.blocks):
        if isinstance(block, Heading) and block.level == 1:
            assert pages[rendered.heading_pages[index] - 1].text.lstrip("— 0123456789").startswith(block.number)


class _Reader:
    """The pages' text as one string, read forward: where each text is next found, by page."""

    def __init__(self, pages: list[_Page], start_page: int) -> None:
        self.text = "".join(p.text for p in pages)
        self.ends = list(itertools.accumulate(len(p.text) for p in pages))
        self.at = self.ends[start_page - 2] if start_page > 1 else 0

    def span(self, text: str, move: bool = True) -> tuple[int, int]:
        """The pages (from 1) of the first and last character of `text`, found from where the last text
        ended; a chart or table is looked for without moving on (paragraphs may have passed it)."""
        flat = re.sub(r"\s+", "", text)
        found = self.text.index(flat[:12], self.at)
        end = self.text.index(flat[-12:], found) + len(flat[-12:])  # a float may stand between the two
        if move:
            self.at = end
        return bisect.bisect_right(self.ends, found) + 1, bisect.bisect_right(self.ends, end - 1) + 1


def test_every_chart_and_table_is_on_the_page_of_the_block_before_it_or_the_next(
    sample: tuple[Any, pdf.Rendered, list[_Page]],
) -> None:
    """The block before: the paragraph or heading before it, or the chart or table before it where
    several follow one paragraph (three charts after one paragraph cannot all be beside it)."""
    prepared, _, pages = sample
    blocks = prepared.document.blocks
    first = next(b for b in blocks if isinstance(b, Paragraph))
    reader = _Reader(pages, _page_of(pages, first.text[:12]))
    checked = ends_on = 0
    for block in blocks:
        if isinstance(block, Paragraph):
            _, ends_on = reader.span(block.text)
        elif isinstance(block, Heading):
            _, ends_on = reader.span(block.number + block.text)
        elif isinstance(block, Chart | Table):
            label = f"图{block.number}" if isinstance(block, Chart) else f"表{block.number}"
            on, _ = reader.span(label + block.caption, move=False)
            assert on in (ends_on, ends_on + 1), (label, ends_on, on)
            ends_on = on
            checked += 1
    assert checked > 30


def test_figures_keep_their_numbers_in_reading_order(sample: tuple[Any, pdf.Rendered, list[_Page]]) -> None:
    prepared, _, pages = sample
    for kind, label in ((Chart, "图"), (Table, "表")):
        numbered = [b for b in prepared.document.blocks if isinstance(b, kind)]
        found = [_page_of(pages, f"{label}{b.number}{b.caption}") for b in numbered]
        assert found == sorted(found)


def _cell_lines(page: _Page, size: float) -> list[str]:
    """Lines of text at `size`, cut where a gap wider than a character and a half parts them (table columns)."""
    rows: dict[float, list[dict[str, Any]]] = defaultdict(list)
    for c in page.chars:
        if abs(c["size"] - size) < 0.3:
            rows[round(c["top"], 1)].append(c)
    out = []
    for chars in rows.values():
        chars.sort(key=lambda c: c["x0"])
        text = chars[0]["text"]
        for a, b in itertools.pairwise(chars):
            if b["x0"] - a["x1"] > size * 1.5:
                out.append(text)
                text = ""
            text += b["text"]
        out.append(text)
    return out


def test_no_table_cell_line_starts_or_ends_with_a_forbidden_character(
    sample: tuple[Any, pdf.Rendered, list[_Page]],
) -> None:
    _, _, pages = sample
    size = float(load_style().fonts.roles()["table"].size)
    lines = [line for page in pages for line in _cell_lines(page, size)]
    assert len(lines) > 200
    bad = [t for t in lines if t.strip("—") and (t[0] in NO_START or t[-1] in NO_END)]
    assert bad == []


def test_every_proof_list_row_is_on_its_page(sample: tuple[Any, pdf.Rendered, list[_Page]]) -> None:
    prepared, rendered, pages = sample
    data = proof_workbook(prepared.document, proof_inputs(prepared.findings, prepared.ledger), rendered.figure_pages)
    ws = load_workbook(io.BytesIO(data))[SHEET]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) for name in ("页码", "印出", "位置")}
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert rows and all(isinstance(r[col["页码"]], int) for r in rows)
    for row in rows:
        page, printed, where = row[col["页码"]], str(row[col["印出"]]), str(row[col["位置"]])
        if where.startswith("图"):  # a chart prints its plotted value: the chart's caption is on the page
            number = re.match(r"图(\d+)", where)
            assert number is not None
            assert f"图{number.group(1)}" in pages[page - 1].text, row
        else:
            assert re.sub(r"\s+", "", printed) in pages[page - 1].text, row


# ---------------------------------------------------------------- nothing runs off the page

URL = "https://www.beijing.gov.cn/zhengce/zhengcefagui/202101/t20210120_2222222.html?from=12345&id=1"
WORD = "a" * 3000
NUMBER = "1" * 78
LONG_NAME = "朝阳" * 150


def _figure(value: int) -> Figure:
    return Figure("测试!A1", str(value), Decimal(value), ("测试!A1",))


def _hostile() -> Document:
    names = ("东城区", LONG_NAME, "西城区")
    values = (10, 20, 30)
    series = Series("承办量", tuple(_figure(v) for v in values), tuple(Decimal(v) for v in values))
    head = (Cell((para("区名").runs[0],)), Cell((para("区级部门（万件）").runs[0],)))
    rows = tuple(
        (Cell((para(name).runs[0],)), Cell((_figure(v),), numeric=True)) for name, v in zip(names, values, strict=True)
    )
    long_row = ((Cell((para(NUMBER).runs[0],)), Cell((para(URL).runs[0],), numeric=True)),)
    blocks: list[Block] = [
        Heading(1, "一、", "长词"),
        para("网址见" + URL + "。"),
        para("一个词：" + WORD + "。"),
        para("一个数：" + NUMBER + "万件。"),
        Table("表.测试", "测试表", (0.3, 0.7), (head,), rows + long_row, number=1),
    ]
    for k, kind in enumerate((ChartKind.BAR, ChartKind.COLUMN, ChartKind.LINE, ChartKind.PIE), start=1):
        blocks.append(Chart(f"图.{k}", "测试图", kind, names, (series,), "万件", number=k))
    return Document(Meta("测试", "测试", "测试"), tuple(blocks))


def test_long_tokens_and_names_stay_inside_the_text_block() -> None:
    style = load_style()
    document = _hostile()
    rendered = pdf.render(document, style)
    left, right, _, bottom = _block(style)
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        pages = [_Page(p) for p in doc.pages]
    outside = [
        (n, c["text"])
        for n, page in enumerate(pages, start=1)
        for c in page.chars
        if c["top"] < bottom  # not the page number
        and (c["x0"] < left - 0.5 or c["x1"] > right + 0.5)
    ]
    assert outside == []
    text = "".join(p.text for p in pages)
    for token in (URL, WORD, NUMBER):
        assert text.count(token[:40]) >= 1
    assert text.count("a") >= len(WORD)
    for chart in (b for b in document.blocks if isinstance(b, Chart)):
        page = pages[_page_of(pages, f"图{chart.number}{chart.caption}") - 1]
        assert "…" in page.text, chart.kind  # the long name is cut short
    bars = next(p for p in pages if "图1测试图" in p.text)
    assert sum(1 for r in bars.rects if r["width"] > 1 and r["height"] > 1 and r["non_stroking_color"]) >= 3


def test_a_figure_in_a_table_split_over_pages_has_the_page_of_its_row() -> None:
    rows = tuple((Cell((para(f"第{n}行").runs[0],)), Cell((_figure(n),), numeric=True)) for n in range(1, 81))
    head = (Cell((para("行").runs[0],)), Cell((para("数").runs[0],)))
    table = Table("表.长", "长表", (0.5, 0.5), (head,), rows, number=1)
    document = Document(Meta("测试", "测试", "测试"), (para("前言。"), table))
    rendered = pdf.render(document, load_style())
    with pdfplumber.open(io.BytesIO(rendered.data)) as doc:
        pages = [_Page(p) for p in doc.pages]
    assert len(pages) >= 3
    keys = sorted(rendered.figure_pages, key=lambda k: int(k.split("@")[1]))
    assert len(keys) == 80
    for n, key in enumerate(keys, start=1):
        assert f"第{n}行{n}" in pages[rendered.figure_pages[key] - 1].text, (key, rendered.figure_pages[key])
    assert len(set(rendered.figure_pages.values())) >= 3
