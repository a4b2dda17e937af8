"""The page writer: a small hand-built document written as HTML and read back (lxml), checked (Nu), opened (Chromium)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from page_tools import (
    BROWSER_MISSING,
    CHECKER_MISSING,
    NO_BROWSER,
    NO_CHECKER,
    axe_violations,
    browser,
    checker_errors,
    opened,
    parsed,
    table_rows,
)

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
from builder.writers import html as html_writer
from builder.writers import writer
from builder.writers.drawing.chart_style import PALETTE
from builder.writers.drawing.charts import label_text, pie_shares

STYLE = load_style()
FONT = Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf")
pytestmark = pytest.mark.skipif(not FONT.exists(), reason="Debian CJK font fonts-arphic-gbsn00lp not installed")


def fig(text: str, value: str | None, state: FigureState = FigureState.OK, sources: tuple[str, ...] = ()) -> Figure:
    return Figure(id=f"测试!{text}", text=text, value=None if value is None else Decimal(value), sources=sources, state=state)


def missing() -> Figure:
    return fig(MISSING_TEXT, None, FigureState.MISSING, ("测试!B9",))


def cell(text: str, numeric: bool = False, colspan: int = 1, rowspan: int = 1) -> Cell:
    runs = (fig(text, text.replace(",", ""), sources=("测试!C2",)),) if numeric else (Text(text),)
    return Cell(runs, numeric=numeric, colspan=colspan, rowspan=rowspan)


def series(name: str, scale: Decimal, *values: str | None) -> Series:
    points = tuple(missing() if v is None else fig(v, v, sources=(f"测试!D{i}",)) for i, v in enumerate(values, 2))
    plotted = tuple(None if p.value is None else round_half_even(p.value / scale, 1) for p in points)
    return Series(name, points, plotted)


CATEGORIES = ("城乡建设", "住房", "其他")


def chart(kind: ChartKind) -> Chart:
    scale = Decimal(1) if kind is ChartKind.PIE else Decimal(10000)
    rows = {
        ChartKind.COLUMN: (series("本年", scale, "1000000", None, "370000"),),
        ChartKind.BAR: (series("本年", scale, "1000000", "600000", "370000"),),
        ChartKind.LINE: (series("本年", scale, "100000", None, "37000"), series("上年", scale, "90000", "65000", "30000")),
        ChartKind.PIE: (series("占比", scale, "50.76", "30.46", "18.78"),),
        ChartKind.STACKED: (series("咨询", scale, "30000", "20000", "10000"), series("诉求", scale, "50000", "1", "21000")),
    }[kind]
    unit = "%" if kind is ChartKind.PIE else "万件"
    return Chart(f"图-{kind.value}", f"各类问题受理量（{kind.value}）", kind, CATEGORIES, rows, unit, scale)


TABLE = Table(
    id="表-类别",
    caption="各类问题受理情况",
    widths=(0.3, 0.25, 0.25, 0.2),
    header=(
        (cell("问题类别", rowspan=2), cell("受理量（件）", colspan=2), cell("占比（%）", rowspan=2)),
        (cell("本年"), cell("上年")),
    ),
    rows=(
        (cell("城乡建设"), cell("100,000", True), cell("90,000", True), cell("50.76", True)),
        (cell("住房"), cell("60,000", True), cell("—"), cell("30.46", True)),
        (cell("合计"), cell("160,000", True), cell("90,000", True), cell("81.22", True)),
    ),
    note="注：占比为各类问题受理量占受理总量的比例。",
)


def sample_document(final: bool = False, extra: tuple[Paragraph, ...] = ()) -> Document:
    """A small report with every block kind, a missing figure, a merged header and five charts."""
    blocks = [
        Title("测试市接诉即办工作报告", subtitle="（征求意见稿）"),
        Toc(),
        PageBreak(),
        *extra,
        Heading(1, "一、", "总体情况"),
        para("全市共受理群众来电", fig("19.70万件", "197000", sources=("总量!B3",)), "，环比上升", missing(), "。"),
        Heading(3, "1.", "电话渠道"),
        para("接通率", fig("95.10%", "95.10", sources=("总量!B4", "总量!B3")), "。"),
        Heading(4, "（1）", "工作日"),
        TABLE,
        Heading(1, "二、", "图表汇总"),
        Heading(2, "（一）", "各类图表"),
        *[chart(kind) for kind in ChartKind],
    ]
    meta = Meta(title="测试市接诉即办工作报告", subject="2020年度", author="测试市", version="修订稿2", date="2021-02-03", final=final)
    return Document(meta, tuple(number_captions(blocks)))


@cache
def written(final: bool = False) -> bytes:
    return html_writer.write(sample_document(final), STYLE)


def text_of(element: object) -> str:
    return "".join(element.itertext())  # type: ignore[attr-defined]


# -- the page ------------------------------------------------------------------------------


def test_registry_names_the_html_writer() -> None:
    assert writer("html") is html_writer.write


def test_language_title_with_version_and_date_and_nothing_loaded() -> None:
    blob = written()
    root = parsed(blob)
    assert blob.startswith(b"<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert root.findtext(".//title") == "测试市接诉即办工作报告（修订稿2 2021-02-03）"
    assert root.find(".//meta[@charset='utf-8']") is not None
    assert not root.xpath("//script | //link | //img | //iframe | //object | //embed | //*[@src]")
    assert not re.search(rb"url\(|@import|https?://|//[a-z]", blob.split(b"<body>")[0]), "the head loads nothing"
    assert not root.xpath("//*[@href][not(starts-with(@href, '#'))]")


def test_font_stacks_name_the_chinese_fonts_and_open_fallbacks() -> None:
    style = parsed(written()).findtext(".//style")
    stacks = dict(re.findall(r"--font-(\w+): ([^;]+);", style))
    assert all(name in stacks["body"] for name in ('"仿宋"', '"FangSong"', '"FandolFang"', '"AR PL SungtiL GB"')) and stacks["body"].endswith("serif")
    assert all(name in stacks["heading1"] for name in ('"黑体"', '"SimHei"', '"FandolHei"', '"WenQuanYi Micro Hei"')) and stacks["heading1"].endswith("sans-serif")
    assert all(name in stacks["heading2"] for name in ('"楷体"', '"KaiTi"', '"FandolKai"', '"AR PL KaitiM GB"'))
    assert "/usr/share" not in style
    assert "@media print" in style and re.search(r"@page \{ size: 210(\.0)?mm 297(\.0)?mm; margin: 37(\.0)?mm 26(\.0)?mm 35(\.0)?mm 28(\.0)?mm", style)


def test_headings_rank_by_depth_with_ids_from_the_outline_and_a_contents_list_links_each() -> None:
    root = parsed(written())
    headings = root.xpath("//main//*[self::h1 or self::h2 or self::h3 or self::h4][not(@class='title')]")
    got = [(h.tag, h.get("class"), h.get("id"), text_of(h)) for h in headings]
    assert got == [
        ("h1", "level-1", "s1", "一、总体情况"),
        ("h2", "level-3", "s1-1", "1.电话渠道"),  # straight under 一、: one rank down, not two
        ("h3", "level-4", "s1-1-1", "（1）工作日"),
        ("h1", "level-1", "s2", "二、图表汇总"),
        ("h2", "level-2", "s2-1", "（一）各类图表"),
    ]
    links = [(a.get("href"), text_of(a)) for a in root.xpath("//nav[@class='contents']//a")]
    assert links == [(f"#{h[2]}", h[3]) for h in got]
    nested = root.xpath("//nav[@class='contents']/ol/li/ol/li/ol/li/a")
    assert [a.get("href") for a in nested] == ["#s1-1-1"]


def test_heading_ids_do_not_move_when_text_is_added_before_them() -> None:
    longer = html_writer.write(sample_document(extra=(para("前言。"), para("又一段。"))), STYLE)
    ids = [parsed(b).xpath("//main//*[starts-with(name(), 'h')]/@id") for b in (written(), longer)]
    assert ids[0] == ids[1] and len(ids[0]) == 6


def test_tables_have_a_caption_header_scopes_row_headers_and_right_aligned_numbers() -> None:
    table = parsed(written()).get_element_by_id("t1")
    assert text_of(table.find("caption")) == "表1 各类问题受理情况"
    head = table.find("thead")
    assert [(th.get("scope"), th.get("colspan"), th.get("rowspan")) for th in head.iter("th")] == [
        ("col", None, "2"), ("colgroup", "2", None), ("col", None, "2"), ("col", None, None), ("col", None, None)
    ]
    kept = [(text_of(span), text_of(span.getparent())) for span in head.xpath(".//span[@class='nowrap']")]
    assert kept == [("（件）", "受理量（件）"), ("（%）", "占比（%）")]  # a unit on one line, as in the PDF
    body = table.find("tbody").findall("tr")
    assert [[c.tag for c in row] for row in body] == [["th", "td", "td", "td"]] * 3
    assert all(row[0].get("scope") == "row" for row in body)
    assert all(c.get("class") == "num" for row in body for c in row[1:])  # the dash of a number column too
    assert body[1][2].text == "—"
    assert [col.get("style") for col in table.iter("col")] == ["width: 30.00%", "width: 25.00%", "width: 25.00%", "width: 20.00%"]
    note = table.getparent().getnext()
    assert note.get("class") == "note" and text_of(note).startswith("注：")
    box = table.getparent()
    assert box.get("class") == "table-box" and box.get("tabindex") == "0" and box.get("aria-labelledby") == "t1-caption"


def test_every_printed_figure_carries_its_key_and_source_cells() -> None:
    document = sample_document()
    tagged = parsed(written()).xpath("//*[@data-key]")
    placed = placed_figures(document)
    # a chart's table reads category by category, the walk series by series: compare by key
    assert len(tagged) == len({t.get("data-key") for t in tagged}) == len(placed)
    assert {t.get("data-key"): t.get("data-sources") for t in tagged} == {p.key: " ".join(p.figure.sources) for p in placed}
    in_text = [t for t in tagged if not t.xpath("ancestor::details")]
    assert [(t.get("data-key"), text_of(t)) for t in in_text] == [(p.key, p.figure.text) for p in placed if p.in_text]


def test_a_draft_marks_missing_figures_and_carries_a_banner_a_final_build_neither() -> None:
    draft = parsed(written())
    marks = draft.xpath("//mark[contains(@class, 'missing')]")
    assert marks and all(text_of(m) == MISSING_TEXT for m in marks)
    banner = draft.xpath("//*[@class='draft-banner']")
    assert len(banner) == 1 and text_of(banner[0]).startswith("草稿") and "3处" in text_of(banner[0])
    final = parsed(written(final=True))
    assert not final.xpath("//mark") and not final.xpath("//*[@class='draft-banner']")
    assert "草稿" not in text_of(final.find("body"))


def test_text_is_escaped() -> None:
    hostile = "<script>alert(1)</script>&amp;"
    document = sample_document(extra=(para(hostile, fig("<b>1</b>", "1", sources=('"x!A1',))),))
    blob = html_writer.write(replace(document, meta=replace(document.meta, title=hostile)), STYLE)
    assert b"<script>" not in blob and b"<b>" not in blob
    root = parsed(blob)
    assert hostile in root.findtext(".//title")
    assert root.xpath("//*[@data-sources='\"x!A1']")


def test_two_writes_give_identical_bytes() -> None:
    assert html_writer.write(sample_document(), STYLE) == html_writer.write(sample_document(), STYLE)


# -- charts --------------------------------------------------------------------------------


def charts_of(document: Document) -> list[Chart]:
    return [b for b in document.blocks if isinstance(b, Chart)]


def test_each_chart_is_an_inline_svg_image_with_title_and_description() -> None:
    root = parsed(written())
    for chart in charts_of(sample_document()):
        figure = root.get_element_by_id(f"f{chart.number}")
        svg = figure.find("svg")
        assert svg.get("role") == "img"
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert root.get_element_by_id(title_id).text == f"图{chart.number} {chart.caption}"
        desc = root.get_element_by_id(desc_id).text
        assert all(c in desc for c in chart.categories) and chart.unit in desc
        assert text_of(figure.find("figcaption")) == f"图{chart.number} {chart.caption}"
        assert float(svg.get("width")) > 400 and svg.get("viewbox") == f"0 0 {svg.get('width')} {svg.get('height')}"
        assert not svg.xpath(".//*[@id]")[2:], "no ids but the title's and the description's"


def test_each_charts_table_holds_what_the_chart_plots_in_order() -> None:
    root = parsed(written())
    for chart in charts_of(sample_document()):
        details = root.get_element_by_id(f"f{chart.number}").getnext()
        assert details.tag == "details" and text_of(details.find("summary")) == f"图{chart.number}的数据"
        rows = table_rows(details.find(".//table"))
        expected_head = ["类别", *[f"{s.name}（{chart.unit}）" for s in chart.series]]
        if chart.kind is ChartKind.PIE:
            expected_head.append("占比")
        assert rows[0] == expected_head
        assert [r[0] for r in rows[1:]] == list(chart.categories)
        for s, series_ in enumerate(chart.series, start=1):
            want = [MISSING_TEXT if v is None else label_text(v, chart.places) for v in series_.values]
            assert [r[s] for r in rows[1:]] == want, chart.kind
        if chart.kind is ChartKind.PIE:
            assert [r[-1] for r in rows[1:]] == pie_shares(chart.series[0].values)


def test_single_series_charts_draw_the_tables_values_as_labels() -> None:
    root = parsed(written())
    for chart in charts_of(sample_document()):
        svg = root.get_element_by_id(f"f{chart.number}").find("svg")
        texts = [t.text for t in svg.iter("text")]
        assert all(c in texts for c in chart.categories), chart.kind  # as labels or in the legend
        rows = table_rows(root.get_element_by_id(f"f{chart.number}").getnext().find(".//table"))[1:]
        if chart.kind is ChartKind.PIE:
            assert [t for t in texts if t.endswith("%") and t[0].isdigit()] == [r[-1] for r in rows]
        elif len(chart.series) == 1:
            assert not Counter(r[1] for r in rows if r[1] != MISSING_TEXT) - Counter(texts)  # each label drawn


def test_charts_keep_the_pdfs_colours_and_center_their_labels_in_any_font() -> None:
    blob = written()
    for color in PALETTE[:2]:
        assert f"fill: #{color.hexval()[2:].lower()}".encode() in blob
    assert b"rgb(" not in blob
    root = parsed(blob)
    anchors = {t.get("text-anchor") for t in root.iter("text")}
    assert anchors >= {"middle"}
    assert all("font-family: inherit" in t.get("style") for t in root.iter("text"))


# -- checked by the W3C checker and a browser ---------------------------------------------


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page") / "页面.html"
    path.write_bytes(written())
    return path


@pytest.mark.skipif(NO_CHECKER, reason=CHECKER_MISSING)
def test_the_nu_checker_finds_no_error(page_file: Path, tmp_path: Path) -> None:
    assert checker_errors(page_file) == []
    broken = tmp_path / "broken.html"
    broken.write_bytes(written().replace(b"<figcaption>", b"<figcaption><div><p>", 1))
    assert checker_errors(broken), "the checker reports a broken page"


@pytest.mark.skipif(NO_BROWSER, reason=BROWSER_MISSING)
def test_in_a_browser_nothing_scrolls_sideways_charts_have_size_and_axe_is_content(page_file: Path) -> None:
    with browser() as launched:
        for width in (1280, 375):
            with opened(launched, page_file, width) as (page, asked):
                assert page.evaluate("document.documentElement.scrollWidth") == width
                sizes = page.evaluate("[...document.querySelectorAll('svg[role=img]')].map(s => s.getBoundingClientRect().height * s.getBoundingClientRect().width)")
                assert len(sizes) == 5 and min(sizes) > 0
                assert axe_violations(page) == []
                assert asked == []


@pytest.mark.skipif(NO_BROWSER, reason=BROWSER_MISSING)
def test_the_browser_checks_catch_a_request_a_wide_page_and_an_inaccessible_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>坏</title></head><body>'
        '<img src="https://example.invalid/a.png" alt=""><div style="width: 2000px">宽</div><button></button></body></html>',
        encoding="utf-8",
    )
    with browser() as launched, opened(launched, bad, 375) as (page, asked):
        assert asked == ["https://example.invalid/a.png"]
        assert page.evaluate("document.documentElement.scrollWidth") > 375
        assert any(v.startswith("button-name (critical)") for v in axe_violations(page))
