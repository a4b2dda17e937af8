"""The DOCX writer: a small hand-built document, written and read back (python-docx, zip + lxml, LibreOffice)."""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from lxml import etree

from builder.document import (
    MISSING_TEXT,
    Cell,
    Chart,
    ChartKind,
    Document,
    Figure,
    FigureState,
    Heading,
    Meta,
    PageBreak,
    Paragraph,
    Series,
    Table,
    Text,
    Title,
    Toc,
    number_captions,
    para,
)
from builder.document.walk import placed_figures
from builder.model.numbers import round_half_even
from builder.style import load_style
from builder.writers import docx as docx_writer
from builder.writers import writer
from builder.writers.docx import chart_xml as docx_charts

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def q(prefix: str, name: str) -> str:
    """A Clark name, `{namespace}name`."""
    return f"{{{NS[prefix]}}}{name}"


W = q("w", "")
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RT_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
RT_PACKAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
STYLE = load_style()


def fig(text: str, value: str | None, state: FigureState = FigureState.OK) -> Figure:
    return Figure(
        id=f"测试!{text}", text=text, value=None if value is None else Decimal(value), sources=(), state=state
    )


def missing() -> Figure:
    return fig(MISSING_TEXT, None, FigureState.MISSING)


def cell(text: str, numeric: bool = False, colspan: int = 1, rowspan: int = 1) -> Cell:
    runs = (fig(text, text.replace(",", "")),) if numeric else (Text(text),)
    return Cell(runs, numeric=numeric, colspan=colspan, rowspan=rowspan)


def series(name: str, *values: str | None) -> Series:
    """A series whose points are plotted as given; `chart` scales them as the composer would."""
    plotted = tuple(None if v is None else Decimal(v) for v in values)
    return Series(name, tuple(missing() if v is None else fig(v, v) for v in values), plotted)


def scaled(s: Series, scale: Decimal, places: int = 1) -> Series:
    """`s` plotted as a chart of that scale plots it: value / scale rounded half-even to `places`."""
    values = tuple(None if p.value is None else round_half_even(p.value / scale, places) for p in s.points)
    return Series(s.name, s.points, values)


CATEGORIES = ("城乡建设", "住房", "其他")
CHARTS = {
    ChartKind.COLUMN: (series("本年", "1000000", None, "370000"),),
    ChartKind.BAR: (series("本年", "1000000", "600000", None),),
    ChartKind.LINE: (series("本年", "100000", None, "37000"), series("上年", "90000", "65000", "30000")),
    ChartKind.PIE: (series("占比", "50.76", "30.46", None),),
    ChartKind.STACKED: (series("咨询", "30000", "20000", "10000"), series("诉求", "50000", None, "21000")),
}
HEADINGS = [
    Heading(1, "一、", "总体情况"),
    Heading(2, "（一）", "受理情况"),
    Heading(3, "1.", "电话渠道"),
    Heading(4, "（1）", "工作日来电"),
    Heading(1, "二、", "图表汇总"),
]


def chart(kind: ChartKind) -> Chart:
    unit = "%" if kind is ChartKind.PIE else "万件"
    scale = Decimal(1) if kind is ChartKind.PIE else Decimal(10000)
    plotted = tuple(scaled(s, scale) for s in CHARTS[kind])
    return Chart(f"图-{kind.value}", f"各类问题受理量（{kind.value}）", kind, CATEGORIES, plotted, unit, scale)


def sample_document(final: bool = False) -> Document:
    """A small report with every block kind, a missing figure, a merged header cell and five charts."""
    table = Table(
        id="表-类别",
        caption="各类问题受理情况",
        widths=(0.3, 0.25, 0.25, 0.2),
        header=(
            (cell("问题类别", rowspan=2), cell("受理量（件）", colspan=2), cell("占比（%）", rowspan=2)),
            (cell("本年"), cell("上年")),
        ),
        rows=(
            (cell("城乡建设"), cell("100,000", True), cell("90,000", True), cell("50.76", True)),
            (cell("住房"), cell("60,000", True), cell("65,000", True), cell("30.46", True)),
            (cell("其他"), cell("37,000", True), cell("25,000", True), cell("18.78", True)),
            (cell("合计"), cell("197,000", True), cell("180,000", True), cell("100.00", True)),
        ),
        note="注：占比为各类问题受理量占受理总量的比例。",
    )
    h1, h2, h3, h4, h1b = HEADINGS
    blocks = [
        Title("测试市12345市民服务热线2020年接诉即办工作报告", subtitle="（公开征求意见稿）"),
        Toc(),
        PageBreak(),
        h1,
        para("2020年，全市共受理群众来电", fig("19.70万件", "197000"), "，环比上升", missing(), "。"),
        h2,
        para("其中电话反映", fig("12.00万件", "120000"), "，网络反映", fig("7.70万件", "77000"), "。" * 1),
        table,
        h3,
        para("电话渠道全年保持畅通，接通率", fig("95.10%", "95.10"), "。"),
        h4,
        para("工作日来电占全部来电的", fig("78.20%", "78.20"), "，较上年有所上升。"),
        PageBreak(),  # a part starts on a new page where the tree says so (the composers put it there)
        h1b,
        *[chart(kind) for kind in ChartKind],
    ]
    meta = Meta(title="测试市接诉即办工作报告", subject="2020年度", author="测试市政务服务管理局", final=final)
    return Document(meta, tuple(number_captions(blocks)))


@cache
def written(final: bool = False) -> bytes:
    return docx_writer.write(sample_document(final), STYLE)


def opened(blob: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(blob))


def part_xml(blob: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        return etree.fromstring(z.read(name))


def rels(blob: bytes, name: str) -> dict[str, tuple[str, str]]:
    """Relationships of a part: rId → (type, target)."""
    folder, _, base = name.rpartition("/")
    root = part_xml(blob, f"{folder}/_rels/{base}.rels")
    return {r.get("Id"): (r.get("Type"), r.get("Target")) for r in root.findall("rel:Relationship", NS)}


def content_type(blob: bytes, partname: str) -> str:
    root = part_xml(blob, "[Content_Types].xml")
    for override in root.findall("ct:Override", NS):
        if override.get("PartName") == partname:
            return override.get("ContentType")
    ext = partname.rsplit(".", 1)[-1]
    for default in root.findall("ct:Default", NS):
        if default.get("Extension") == ext:
            return default.get("ContentType")
    return ""


def instructions(root: etree._Element) -> list[str]:
    return ["".join(t.itertext()).strip() for t in root.iter(W + "instrText")]


# -- registry and styles ---------------------------------------------------------------------


def test_registry_names_the_docx_writer() -> None:
    assert writer("docx") is docx_writer.write


STYLE_FONTS = {
    "Normal": STYLE.fonts.body,
    "Title": STYLE.fonts.title,
    "Subtitle": STYLE.fonts.subtitle,
    "Heading 1": STYLE.fonts.heading1,
    "Heading 2": STYLE.fonts.heading2,
    "Heading 3": STYLE.fonts.heading3,
    "Heading 4": STYLE.fonts.heading4,
    "Caption": STYLE.fonts.caption,
    "TOC Heading": STYLE.fonts.heading1,
    "toc 1": STYLE.fonts.body,
    "toc 2": STYLE.fonts.body,
    "Footer": STYLE.fonts.page_number,
    "表格文字": STYLE.fonts.table,
    "表注": STYLE.fonts.table,
    "图表": STYLE.fonts.chart,
    STYLE.table_style: STYLE.fonts.table,
}


@pytest.mark.parametrize("name", sorted(STYLE_FONTS))
def test_every_style_names_its_font_for_ascii_hansi_and_east_asia(name: str) -> None:
    style = opened(written()).styles[name]
    fonts = style.element.find(f"{W}rPr/{W}rFonts")
    expected = STYLE_FONTS[name]
    assert fonts is not None
    for attribute in ("ascii", "hAnsi", "eastAsia"):
        assert fonts.get(W + attribute) == expected.docx, attribute
    assert style.font.size.pt == expected.size
    assert bool(style.font.bold) == expected.bold


def test_doc_defaults_set_fonts_and_no_style_uses_theme_fonts() -> None:
    root = part_xml(written(), "word/styles.xml")
    defaults = root.find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert defaults is not None and defaults.get(W + "eastAsia") == STYLE.fonts.body.docx
    for fonts in root.iter(W + "rFonts"):
        assert not any("Theme" in key or "theme" in key for key in fonts.attrib), dict(fonts.attrib)
    lang = root.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang is not None and lang.get(W + "eastAsia") == "zh-CN"


def test_heading_styles_have_outline_levels_and_body_is_justified_with_two_character_indent() -> None:
    doc = opened(written())
    for level in (1, 2, 3, 4):
        outline = doc.styles[f"Heading {level}"].element.find(f"{W}pPr/{W}outlineLvl")
        assert outline is not None and outline.get(W + "val") == str(level - 1)
    normal = doc.styles["Normal"]
    assert normal.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    ind = normal.element.find(f"{W}pPr/{W}ind")
    assert ind is not None and ind.get(W + "firstLineChars") == "200"


# -- blocks ----------------------------------------------------------------------------------


def test_headings_use_heading_styles_with_the_number_as_text() -> None:
    paragraphs = {p.text: p.style.name for p in opened(written()).paragraphs}
    for heading in HEADINGS:
        assert paragraphs[heading.number + heading.text] == f"Heading {heading.level}"
    assert paragraphs["测试市12345市民服务热线2020年接诉即办工作报告"] == "Title"
    assert paragraphs["（公开征求意见稿）"] == "Subtitle"


def all_runs(paragraph: DocxParagraph) -> list[Run]:
    """Every run of a paragraph, those inside content controls included (python-docx's `runs` skips them)."""
    return [Run(r, paragraph) for r in paragraph._p.iter(W + "r")]


def full_text(element: etree._Element) -> str:
    """The text of a paragraph or cell, content controls included."""
    return "".join(t.text or "" for t in element.iter(W + "t"))


def test_missing_figure_is_highlighted_in_a_draft_only() -> None:
    def runs(blob: bytes) -> dict[str, object]:
        paragraph = next(p for p in opened(blob).paragraphs if p.text.startswith("2020年，全市"))
        return {r.text: r.font.highlight_color for r in all_runs(paragraph)}

    draft = runs(written())
    assert draft[MISSING_TEXT] == WD_COLOR_INDEX.YELLOW
    assert draft["19.70万件"] is None
    assert runs(written(final=True))[MISSING_TEXT] is None


def test_page_break_starts_the_next_block_on_a_new_page() -> None:
    paragraph = next(p for p in opened(written()).paragraphs if p.text == "一、总体情况")
    assert paragraph.paragraph_format.page_break_before is True


def test_a_page_breaks_where_the_tree_says_and_nowhere_else() -> None:
    h1, *_, h1b = HEADINGS
    starts = [p.text for p in opened(written()).paragraphs if p.paragraph_format.page_break_before]
    assert starts == [h1.number + h1.text, h1b.number + h1b.text]


def test_section_is_a4_with_gbt9704_margins_and_a_22_by_28_grid() -> None:
    doc = opened(written())
    section = doc.sections[0]
    sizes = {
        "page_width": 210,
        "page_height": 297,
        "top_margin": 37,
        "bottom_margin": 35,
        "left_margin": 28,
        "right_margin": 26,
    }
    for name, mm in sizes.items():
        assert getattr(section, name).mm == pytest.approx(mm, abs=0.05), name
    sect_pr = doc.element.body.find(W + "sectPr")
    pg_sz, pg_mar = sect_pr.find(W + "pgSz"), sect_pr.find(W + "pgMar")
    assert (pg_sz.get(W + "w"), pg_sz.get(W + "h")) == ("11906", "16838")
    assert pg_mar.get(W + "top") == "2098" and pg_mar.get(W + "left") == "1587"
    grid = sect_pr.find(W + "docGrid")
    assert grid.get(W + "type") == "linesAndChars"
    line_pitch, char_space = int(grid.get(W + "linePitch")), int(grid.get(W + "charSpace"))
    text_width = int(pg_sz.get(W + "w")) - int(pg_mar.get(W + "left")) - int(pg_mar.get(W + "right"))
    text_height = int(pg_sz.get(W + "h")) - int(pg_mar.get(W + "top")) - int(pg_mar.get(W + "bottom"))
    assert line_pitch == 579
    assert text_height // line_pitch == 22
    char_pitch = STYLE.fonts.body.size + char_space / 4096
    assert math.floor(text_width / 20 / char_pitch) == 28
    # styles do not snap to the grid; exact 28.95 pt lines and 0.3 pt condensing give 22 × 28 in any reader
    normal = doc.styles["Normal"].element
    assert normal.find(f"{W}pPr/{W}snapToGrid").get(W + "val") == "0"
    condensed = STYLE.fonts.body.size + int(normal.find(f"{W}rPr/{W}spacing").get(W + "val")) / 20
    assert condensed < text_width / 20 / 28 and math.floor(text_width / 20 / condensed) == 28


def test_footers_hold_a_page_field_odd_right_even_left() -> None:
    blob = written()
    doc = opened(blob)
    assert doc.settings.odd_and_even_pages_header_footer
    settings = part_xml(blob, "word/settings.xml")
    assert settings.find("w:evenAndOddHeaders", NS) is not None
    section = doc.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for paragraph, align in ((odd, WD_ALIGN_PARAGRAPH.RIGHT), (even, WD_ALIGN_PARAGRAPH.LEFT)):
        assert paragraph.alignment == align
        assert instructions(paragraph._p) == ["PAGE"]
        assert paragraph.text.replace(" ", "") == "—1—"
    assert odd.paragraph_format.right_indent.pt == pytest.approx(STYLE.fonts.page_number.size)
    assert even.paragraph_format.left_indent.pt == pytest.approx(STYLE.fonts.page_number.size)
    # the dashes sit 7 mm below the text block: bottom margin − footer distance − half a footer line
    gap = section.bottom_margin.mm - section.footer_distance.mm - STYLE.fonts.page_number.size * 25.4 / 72 / 2
    assert gap == pytest.approx(7, abs=0.1)


def test_toc_field_result_lists_level_one_and_two_headings() -> None:
    doc = opened(written())
    body = doc.element.body
    assert 'TOC \\o "1-2" \\h \\u' in instructions(body)
    entries = [
        (p.style.name, p._p.xpath("string(.//w:hyperlink/w:r[1]/w:t)"))
        for p in doc.paragraphs
        if p.style.name.startswith("toc")
    ]
    assert entries == [
        ("toc 1", "一、总体情况"),
        ("toc 2", "（一）受理情况"),
        ("toc 1", "二、图表汇总"),
    ]
    anchors = {link.get(W + "anchor") for link in body.iter(W + "hyperlink")}
    bookmarks = {b.get(W + "name") for b in body.iter(W + "bookmarkStart")}
    assert anchors and anchors <= bookmarks
    # no pages given: the page number places are empty
    assert all(p.text.endswith("\t") for p in doc.paragraphs if p.style.name.startswith("toc"))


def test_toc_shows_page_numbers_when_given() -> None:
    document = sample_document()
    pages = {i: 2 + i for i, b in enumerate(document.blocks) if isinstance(b, Heading) and b.level <= 2}
    doc = opened(docx_writer.write(document, STYLE, toc_pages=pages))
    texts = [p.text for p in doc.paragraphs if p.style.name.startswith("toc")]
    assert texts == [f"一、总体情况\t{pages[3]}", f"（一）受理情况\t{pages[5]}", f"二、图表汇总\t{pages[13]}"]


def test_table_caption_merges_header_repeat_and_alignment() -> None:
    blob = written()
    doc = opened(blob)
    caption = next(p for p in doc.paragraphs if p.text.startswith("表"))
    assert caption.style.name == "Caption" and caption.alignment is None
    assert caption.text == "表1 各类问题受理情况"
    assert "SEQ 表 \\* ARABIC" in instructions(caption._p)
    assert caption._p.getnext().tag == W + "tbl"  # the caption is above the table
    table = doc.tables[0]
    assert table.style.name == STYLE.table_style
    tbl = table._tbl
    assert len(tbl.findall(f"{W}tr/{W}trPr/{W}tblHeader")) == 2
    first = tbl.findall(f"{W}tr")[0].findall(f"{W}tc")
    assert [tc.find(f"{W}tcPr/{W}gridSpan") is not None for tc in first] == [False, True, False]
    assert len(tbl.findall(f".//{W}vMerge")) == 4  # two cells spanning two rows
    assert full_text(table.cell(2, 1)._tc) == "100,000"
    assert table.cell(2, 1).paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    text_cell = table.cell(2, 0).paragraphs[0]
    assert text_cell.alignment is None and text_cell.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert table.cell(0, 1).paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert table.cell(2, 1).paragraphs[0].style.name == "表格文字"
    widths = [int(c.get(W + "w")) for c in tbl.findall(f"{W}tblGrid/{W}gridCol")]
    assert sum(widths) == pytest.approx(156 / 25.4 * 1440, abs=4)
    assert widths[0] == pytest.approx(0.3 * 156 / 25.4 * 1440, abs=2)
    note = tbl.getnext()
    assert note.xpath("string(.)") == "注：占比为各类问题受理量占受理总量的比例。"


def test_chart_parts_relationships_and_content_types() -> None:
    blob = written()
    doc_rels = rels(blob, "word/document.xml")
    chart_targets = sorted(target for kind, target in doc_rels.values() if kind == RT_CHART)
    assert chart_targets == [f"charts/chart{n}.xml" for n in range(1, 6)]
    body = part_xml(blob, "word/document.xml")
    chart_ids = [c.get(q("r", "id")) for c in body.iter(q("c", "chart"))]
    assert len(chart_ids) == 5 and all(doc_rels[i][0] == RT_CHART for i in chart_ids)
    doc_pr_ids = [d.get("id") for d in body.iter(q("wp", "docPr"))]
    assert len(set(doc_pr_ids)) == len(doc_pr_ids) == 5
    for n in range(1, 6):
        name = f"word/charts/chart{n}.xml"
        assert content_type(blob, "/" + name) == CHART_CT
        chart_rels = rels(blob, name)
        assert list(chart_rels.values()) == [(RT_PACKAGE, f"../embeddings/Microsoft_Excel_Worksheet{n}.xlsx")]
        assert content_type(blob, f"/word/embeddings/Microsoft_Excel_Worksheet{n}.xlsx") == XLSX_CT
        space = part_xml(blob, name)
        external = space[-1]
        assert external.tag == q("c", "externalData")
        assert external.get(q("r", "id")) in chart_rels
        assert external.find("c:autoUpdate", NS).get("val") == "0"
        assert external.getprevious().tag == q("c", "txPr")
        east_asian = space.findall("c:txPr//a:ea", NS)
        assert [e.get("typeface") for e in east_asian] == [STYLE.fonts.chart.docx]
        assert space.find("c:txPr//a:defRPr", NS).get("sz") == "1050"


def test_embedded_workbooks_hold_exactly_the_plotted_values() -> None:
    blob = written()
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        for n, kind in enumerate(ChartKind, start=1):
            workbook = openpyxl.load_workbook(io.BytesIO(z.read(f"word/embeddings/Microsoft_Excel_Worksheet{n}.xlsx")))
            rows = list(workbook.active.iter_rows(values_only=True))
            the_chart = chart(kind)
            assert rows[0][1:] == tuple(s.name for s in the_chart.series)
            assert [r[0] for r in rows[1:]] == list(CATEGORIES)
            for col, s in enumerate(the_chart.series, start=1):
                expected = [
                    None if p.value is None else float(round_half_even(p.value / the_chart.scale, the_chart.places))
                    for p in s.points
                ]
                assert [r[col] for r in rows[1:]] == expected


def test_chart_kinds_legends_labels_and_missing_points() -> None:
    blob = written()
    expected = {
        ChartKind.COLUMN: ("barChart", "col", "clustered", False),
        ChartKind.BAR: ("barChart", "bar", "clustered", False),
        ChartKind.LINE: ("lineChart", None, "standard", True),
        ChartKind.PIE: ("pieChart", None, None, True),
        ChartKind.STACKED: ("barChart", "col", "stacked", True),
    }
    for n, kind in enumerate(ChartKind, start=1):
        space = part_xml(blob, f"word/charts/chart{n}.xml")
        tag, direction, grouping, legend = expected[kind]
        plot = space.find(f"c:chart/c:plotArea/c:{tag}", NS)
        assert plot is not None, kind
        if direction:
            assert plot.find("c:barDir", NS).get("val") == direction
        if grouping:
            assert plot.find("c:grouping", NS).get("val") == grouping
        assert (space.find("c:chart/c:legend", NS) is not None) is legend, kind
        if legend:
            assert space.find("c:chart/c:legend/c:legendPos", NS).get("val") == "b"
        assert space.find("c:chart/c:autoTitleDeleted", NS).get("val") == "1"
        labels = plot.find("c:dLbls", NS)
        single = len(CHARTS[kind]) == 1
        assert (labels is not None and labels.find("c:showVal", NS).get("val") == "1") is (
            single and kind is not ChartKind.PIE
        )
        if kind is ChartKind.PIE:
            assert labels.find("c:showPercent", NS).get("val") == "1"
        points = [len(ser.findall("c:val//c:pt", NS)) for ser in plot.findall("c:ser", NS)]
        assert points == [sum(p.value is not None for p in s.points) for s in CHARTS[kind]]


def test_chart_caption_is_below_the_chart() -> None:
    doc = opened(written())
    for n, kind in enumerate(ChartKind, start=1):
        caption = next(p for p in doc.paragraphs if p.text == f"图{n} {chart(kind).caption}")
        assert caption.style.name == "Caption"
        assert "SEQ 图 \\* ARABIC" in instructions(caption._p)
        assert caption._p.getprevious().find(f".//{W}drawing") is not None


def test_a_series_must_have_a_point_per_category() -> None:
    broken = replace(chart(ChartKind.COLUMN), series=(series("本年", "1", "2"),))
    with pytest.raises(ValueError, match="2 points for 3 categories"):
        docx_charts.chart_data(broken)


def test_edge_blocks_trailing_table_double_page_break_and_bad_heading_level() -> None:
    table = Table("t", "仅一格", (1.0,), ((cell("甲"),),), ((cell("1", True),),), number=1)
    doc = opened(docx_writer.write(Document(Meta("t", "s", "a"), (para("前"), PageBreak(), PageBreak(), table)), STYLE))
    body = [child.tag.rsplit("}", 1)[1] for child in doc.element.body]
    assert body == ["p", "p", "p", "tbl", "p", "sectPr"]  # text, empty page, caption, table, closing paragraph
    assert [p.paragraph_format.page_break_before for p in doc.paragraphs[1:3]] == [True, True]
    with pytest.raises(ValueError, match="heading level 5"):
        docx_writer.write(Document(Meta("t", "s", "a"), (Heading(5, "", "五级"),)), STYLE)


# -- content controls ------------------------------------------------------------------------


def controls(blob: bytes) -> list[etree._Element]:
    return list(part_xml(blob, "word/document.xml").iter(W + "sdt"))


def test_every_printed_figure_sits_in_a_content_control_tagged_with_its_key() -> None:
    document = sample_document()
    expected = [
        (p.key, p.figure.text) for p in placed_figures(document) if not isinstance(document.blocks[p.block], Chart)
    ]
    found = [
        (sdt.find(f"{W}sdtPr/{W}tag").get(W + "val"), full_text(sdt.find(W + "sdtContent")))
        for sdt in controls(written())
    ]
    assert found == expected
    assert ("测试!19.70万件@1", "19.70万件") in found and ("测试!100,000@1", "100,000") in found


def test_content_controls_follow_the_schema_and_have_unique_ids() -> None:
    sdts = controls(written())
    ids = []
    for sdt in sdts:
        assert sdt.getparent().tag == W + "p"  # inline, in a body or cell paragraph
        properties, content = list(sdt)
        assert properties.tag == W + "sdtPr" and content.tag == W + "sdtContent"
        assert [child.tag for child in properties] == [W + "alias", W + "tag", W + "id"]
        assert properties.find(W + "alias").get(W + "val") == properties.find(W + "tag").get(W + "val")
        ids.append(int(properties.find(W + "id").get(W + "val")))
        assert [child.tag for child in content] == [W + "r"]
    assert len(set(ids)) == len(ids) == len(sdts)
    body = part_xml(written(), "word/document.xml")
    other_ids = [int(b.get(W + "id")) for b in body.iter(W + "bookmarkStart")]
    other_ids += [int(d.get("id")) for d in body.iter(q("wp", "docPr"))]
    assert not set(ids) & set(other_ids)


def test_controls_keep_the_visible_text_and_the_missing_highlight() -> None:
    document = sample_document()
    doc = opened(written())
    texts = [full_text(p._p) for p in doc.paragraphs]
    for block in document.blocks:
        if isinstance(block, Paragraph):
            assert block.text in texts
    missing_sdt = next(s for s in controls(written()) if full_text(s) == MISSING_TEXT)
    assert missing_sdt.find(f".//{W}highlight").get(W + "val") == "yellow"
    assert not any(s.find(f".//{W}highlight") is not None for s in controls(written(final=True)))


# -- metadata and determinism ----------------------------------------------------------------


def test_core_properties_come_from_meta_with_fixed_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    core = opened(docx_writer.write(sample_document(), STYLE)).core_properties
    assert (core.title, core.subject, core.author, core.language) == (
        "测试市接诉即办工作报告",
        "2020年度",
        "测试市政务服务管理局",
        "zh-CN",
    )
    assert core.last_modified_by == "" and core.revision == 1
    assert core.created == core.modified == datetime(2000, 1, 1, tzinfo=UTC)


def test_source_date_epoch_sets_the_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1609459200")  # 2021-01-01T00:00:00Z
    blob = docx_writer.write(sample_document(), STYLE)
    assert opened(blob).core_properties.created == datetime(2021, 1, 1, tzinfo=UTC)
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert {i.date_time for i in z.infolist()} == {(2021, 1, 1, 0, 0, 0)}
        inner = z.read("word/embeddings/Microsoft_Excel_Worksheet1.xlsx")
    with zipfile.ZipFile(io.BytesIO(inner)) as workbook:
        assert b"2021-01-01T00:00:00Z" in workbook.read("docProps/core.xml")


def test_two_writes_give_identical_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = docx_writer.write(sample_document(), STYLE)
    second = docx_writer.write(sample_document(), STYLE)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        names = z.namelist()
        assert names[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "docProps/thumbnail.jpeg" not in names


# -- LibreOffice as an independent reader ----------------------------------------------------


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(docx_path: Path, outdir: Path) -> Path:
    """`soffice --headless --convert-to pdf`, with a profile of its own so runs do not lock each other."""
    soffice = _soffice()
    assert soffice, "LibreOffice (soffice) is not installed"
    profile = Path(f"/tmp/lo-profile-{os.getpid()}")
    command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf"]
    try:
        subprocess.run(
            [*command, "--outdir", str(outdir), str(docx_path)], check=True, capture_output=True, timeout=120
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = outdir / (docx_path.stem + ".pdf")
    assert pdf.is_file(), f"LibreOffice wrote no PDF for {docx_path}"
    return pdf


@pytest.mark.skipif(_soffice() is None and not os.environ.get("CI"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_it_and_the_pdf_holds_every_heading(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(written())
    pdf = convert_to_pdf(path, tmp_path)
    assert shutil.which("pdftotext") or os.environ.get("CI"), "pdftotext (poppler-utils) is not installed"
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, timeout=60).stdout.decode()
    flat = "".join(text.split())
    for heading in HEADINGS:
        assert heading.number + heading.text in flat
    assert "表1各类问题受理情况" in flat
    assert "图5" in flat


def test_value_axes_of_charts_without_negative_values_start_at_zero_as_in_the_pdf() -> None:
    blob = written()
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        charts = [n for n in z.namelist() if n.startswith("word/charts/chart")]
    assert len(charts) == len(ChartKind)
    for name in charts:
        space = part_xml(blob, name)
        axes = space.findall(".//c:valAx", NS)
        pie = space.find(".//c:pieChart", NS) is not None
        assert (axes == []) == pie, name
        for axis in axes:  # without c:min, Word and LibreOffice start near the smallest value
            assert float(axis.find("c:scaling/c:min", NS).get("val")) == 0, name
