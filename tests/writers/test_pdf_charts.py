"""PDF chart drawings: every kind rendered with ReportLab and read back with pdfplumber.

Charts are of the report's real sizes (12 months, 16 districts, 5 wedges, 2 series) and names.
Run this file as a script (`python tests/writers/test_pdf_charts.py out.pdf`) to get one page
with every kind, to look at.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from reportlab.graphics import renderPDF
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from builder.document import Chart, ChartKind, Figure, FigureState, Series
from builder.writers.drawing.charts import PALETTE, drawing

FONT = "test-cjk"
FONT_PATH = Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf")
WIDTH = 442.0  # A4 text width of the report, in points
MARGIN = 30.0  # blank page around the drawing, so stray text would be caught outside it

pytestmark = pytest.mark.skipif(not FONT_PATH.exists(), reason="Debian CJK font fonts-arphic-gbsn00lp not installed")

MONTHS = tuple(f"{m}月" for m in range(1, 13))
DISTRICTS = (
    "东城区",
    "西城区",
    "朝阳区",
    "海淀区",
    "丰台区",
    "石景山区",
    "门头沟区",
    "房山区",
    "通州区",
    "顺义区",
    "昌平区",
    "大兴区",
    "怀柔区",
    "平谷区",
    "密云区",
    "延庆区",
)
TOPICS = (  # ascending, as the composer lists them for horizontal bars
    "教育",
    "卫生健康",
    "住房",
    "市场监管",
    "交通管理",
    "中心城区及副中心",
    "劳动和社会保障",
    "城市管理和综合行政执法",
)
UNITS = ("区分中心", "街乡镇", "市级部门", "国有企业", "电商企业")
CALL_TYPES = ("诉求", "咨询", "投诉", "建议", "表扬")

CALLS_2020 = (123456, 110000, 150020, 160000, None, 175500, 190000, 185000, 170000, 165000, 158000, 199999)
CALLS_2019 = (98000, 102000, 120000, 130000, 125000, 140000, 150000, 148000, 139000, 131000, 127000, 150000)
BY_DISTRICT = (
    312000,
    405000,
    1250000,
    980000,
    560000,
    210000,
    90000,
    330000,
    420000,
    280000,
    610000,
    470000,
    120000,
    95000,
    110000,
    70000,
)
SOLVED = (90.5, 88.2, 91.3, 87.6, 85.1, 89.9, 92.4, 86.6, 88.8, 90.1, 87.3, 89.4, 93.2, 91.7, 92.8, 94.1)
SATISFIED = (91.5, 89.2, 92.3, 88.6, 86.1, 90.9, 93.4, 87.6, 89.8, 91.1, 88.3, 90.4, 94.2, 92.7, 93.8, 95.1)
BY_TOPIC = (30000, 45000, 120000, 90000, 60000, 180000, 250000, 300000)
BY_UNIT = (320000, 220000, 300000, 100000, 60000)
BY_TYPE = (913200, 50000, 25000, 8000, 3800)  # 91.32% 5.00% 2.50% 0.80% 0.38%

Value = int | float | None


@pytest.fixture(scope="module", autouse=True)
def cjk_font() -> None:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH)))


def figure(value: Value) -> Figure:
    if value is None:
        return Figure("测试!A1", "【待补】", None, ("测试!A1",), state=FigureState.MISSING)
    return Figure("测试!A1", str(value), Decimal(str(value)), ("测试!A1",))


def _series(name: str, values: Sequence[Value], scale: Decimal, places: int) -> Series:
    """Points and what the composer would plot for them: value / scale rounded half-even to `places`."""
    rounded = tuple(
        None if v is None else (Decimal(str(v)) / scale).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        for v in values
    )
    return Series(name, tuple(figure(v) for v in values), rounded)


def chart(
    kind: ChartKind,
    categories: Sequence[str],
    series: dict[str, Sequence[Value]],
    *,
    unit: str = "万件",
    scale: int = 10000,
    places: int = 1,
) -> Chart:
    return Chart(
        id=f"图.{kind.value}",
        caption="测试图",
        kind=kind,
        categories=tuple(categories),
        series=tuple(_series(name, values, Decimal(scale), places) for name, values in series.items()),
        unit=unit,
        scale=Decimal(scale),
        places=places,
    )


CHARTS: dict[str, Chart] = {
    "column-months": chart(ChartKind.COLUMN, MONTHS, {"来电量": CALLS_2020}),
    "column-districts": chart(ChartKind.COLUMN, DISTRICTS, {"来电量": BY_DISTRICT}),
    "column-units": chart(ChartKind.COLUMN, UNITS, {"承办量": BY_UNIT}),
    "column-long-names": chart(ChartKind.COLUMN, TOPICS, {"反映量": BY_TOPIC}),
    "bar-topics": chart(ChartKind.BAR, TOPICS, {"反映量": BY_TOPIC}),
    "bar-districts-rates": chart(
        ChartKind.BAR, DISTRICTS, {"解决率": SOLVED, "满意率": SATISFIED}, unit="%", scale=1, places=1
    ),
    "line-months": chart(ChartKind.LINE, MONTHS, {"来电量": CALLS_2020}),
    "line-two-years": chart(ChartKind.LINE, MONTHS, {"2019年": CALLS_2019, "2020年": CALLS_2020}),
    "stacked-months": chart(ChartKind.STACKED, MONTHS, {"电话": CALLS_2019, "网络": CALLS_2020}),
    "stacked-districts": chart(ChartKind.STACKED, DISTRICTS, {"电话": BY_DISTRICT, "网络": BY_DISTRICT[::-1]}),
    "pie-call-types": chart(ChartKind.PIE, CALL_TYPES, {"来电量": BY_TYPE}, unit="件", scale=1, places=0),
    "pie-topics": chart(ChartKind.PIE, TOPICS, {"反映量": BY_TOPIC}, unit="件", scale=1, places=0),
}


# --- rendering and reading back --------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """What pdfplumber reads from a page holding one drawing at (MARGIN, MARGIN)."""

    width: float
    height: float
    chars: list[dict[str, Any]]
    words: list[dict[str, Any]]

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    def texts(self) -> list[str]:
        return [w["text"] for w in self.words]

    def numbers(self, places: int) -> list[dict[str, Any]]:
        """Words that are numbers printed with `places` decimals (data labels, not axis ticks)."""
        pattern = re.compile(rf"-?\d+\.\d{{{places}}}" if places else r"-?\d+")
        return [w for w in self.words if pattern.fullmatch(w["text"])]


def pdf_bytes(drawings: Sequence[Any], width: float, height: float, per_row: int = 1) -> bytes:
    rows = math.ceil(len(drawings) / per_row)
    page_w = MARGIN + per_row * (width + MARGIN)
    page_h = MARGIN + rows * (height + MARGIN)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(page_w, page_h), pageCompression=0)
    for k, d in enumerate(drawings):
        x = MARGIN + (k % per_row) * (width + MARGIN)
        y = page_h - (k // per_row + 1) * (height + MARGIN)
        renderPDF.draw(d, canvas, x, y)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def render(c: Chart, width: float = WIDTH, aspect: float = 0.55) -> Page:
    d = drawing(c, width, font=FONT, aspect=aspect)
    assert (d.width, d.height) == (width, pytest.approx(width * aspect))
    with pdfplumber.open(io.BytesIO(pdf_bytes([d], d.width, d.height))) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(x_tolerance=1.5, char_dir_rotated="btt")
        return Page(d.width, d.height, list(page.chars), words)


def plotted(value: Value, c: Chart) -> Decimal | None:
    """value / scale rounded half-even to `places`, computed here independently of the writer."""
    if value is None:
        return None
    return (Decimal(str(value)) / c.scale).quantize(Decimal(1).scaleb(-c.places), rounding=ROUND_HALF_EVEN)


def expected_labels(c: Chart, values: Sequence[Value]) -> list[str]:
    return [f"{p:.{c.places}f}" for p in (plotted(v, c) for v in values) if p is not None]


def values_of(name: str) -> Sequence[Value]:
    return {
        "column-months": CALLS_2020,
        "column-districts": BY_DISTRICT,
        "column-units": BY_UNIT,
        "column-long-names": BY_TOPIC,
        "bar-topics": BY_TOPIC,
        "line-months": CALLS_2020,
    }[name]


def inside(page: Page, slack: float = 0.01) -> list[str]:
    """Characters lying (partly) outside the drawing's area, as 'char@x0,top'."""
    x0, top = MARGIN, MARGIN
    x1, bottom = MARGIN + page.width, MARGIN + page.height
    return [
        f"{c['text']}@{c['x0']:.1f},{c['top']:.1f}"
        for c in page.chars
        if c["x0"] < x0 - slack or c["x1"] > x1 + slack or c["top"] < top - slack or c["bottom"] > bottom + slack
    ]


def overlaps(page: Page, tolerance: float = 0.3) -> list[str]:
    """Pairs of characters whose boxes overlap; only characters drawn level or at 90° are compared,
    since the box of a character at 45° is larger than its glyph."""

    def square(c: dict[str, Any]) -> bool:
        a, b, cc, d, _, _ = c["matrix"]
        return (abs(b) < 1e-6 and abs(cc) < 1e-6) or (abs(a) < 1e-6 and abs(d) < 1e-6)

    boxes = [
        (c["x0"] + tolerance, c["top"] + tolerance, c["x1"] - tolerance, c["bottom"] - tolerance, c["text"])
        for c in page.chars
        if square(c)
    ]
    found = []
    for i, (ax0, at, ax1, ab, atext) in enumerate(boxes):
        for bx0, bt, bx1, bb, btext in boxes[i + 1 :]:
            if ax0 < bx1 and bx0 < ax1 and at < bb and bt < ab:
                found.append(f"{atext}@{ax0:.1f},{at:.1f} × {btext}@{bx0:.1f},{bt:.1f}")
    return found


def missing_chars(page: Page, labels: Sequence[str]) -> Counter[str]:
    """Characters of `labels` not found on the page (as many times as they are needed)."""
    wanted = Counter("".join(labels).replace("\n", ""))
    return wanted - Counter(page.text)


# --- every kind ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CHARTS))
@pytest.mark.parametrize(("width", "aspect"), [(WIDTH, 0.55), (300.0, 0.6), (WIDTH, 0.75)])
def test_text_is_inside_the_drawing_and_does_not_overlap(name: str, width: float, aspect: float) -> None:
    page = render(CHARTS[name], width, aspect)
    assert page.chars, "no text at all"
    assert inside(page) == []
    assert overlaps(page) == []


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_category_labels_unit_and_legend(name: str) -> None:
    c = CHARTS[name]
    page = render(c)
    assert fontnames(page) == {pdfmetrics.getFont(FONT).face.name.decode()}, "every label in the CJK font"
    shown = c.categories
    if c.kind is ChartKind.PIE:
        shown = tuple(cat for cat, p in zip(c.categories, c.series[0].points, strict=True) if p.value)
    assert missing_chars(page, shown) == Counter()
    if c.kind is not ChartKind.PIE:
        assert c.unit in page.texts()
    names = [s.name for s in c.series]
    if len(c.series) > 1:
        assert set(names) <= set(page.texts())
    elif c.kind is not ChartKind.PIE:
        assert not set(names) & set(page.texts()), "a single series has no legend"


def fontnames(page: Page) -> set[str]:
    return {str(c["fontname"]).split("+")[-1] for c in page.chars}


@pytest.mark.parametrize("name", ["column-months", "column-units", "bar-topics", "line-two-years", "stacked-months"])
def test_labels_that_fit_are_whole_words(name: str) -> None:
    c = CHARTS[name]
    page = render(c)
    assert set(c.categories) <= set(page.texts())


def test_crowded_labels_still_all_there() -> None:
    """16 districts in a column chart and long names: wrapped or rotated, but every character is there."""
    for name in ("column-districts", "stacked-districts", "column-long-names"):
        c = CHARTS[name]
        for width in (WIDTH, 300.0):
            page = render(c, width)
            assert missing_chars(page, c.categories) == Counter(), (name, width)


def test_horizontal_bars_list_the_first_category_at_the_bottom() -> None:
    c = CHARTS["bar-topics"]
    page = render(c)
    tops = {w["text"]: w["top"] for w in page.words}
    heights = [tops[cat] for cat in c.categories]
    assert heights == sorted(heights, reverse=True)


def test_horizontal_bars_of_sixteen_districts_keep_each_name_on_its_row() -> None:
    c = CHARTS["bar-districts-rates"]
    page = render(c)
    tops = {w["text"]: w["top"] for w in page.words}
    assert set(c.categories) <= set(tops)
    heights = [tops[cat] for cat in c.categories]
    assert heights == sorted(heights, reverse=True)


# --- data labels -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["column-months", "column-districts", "column-units", "column-long-names", "line-months"]
)
@pytest.mark.parametrize("width", [WIDTH, 300.0])
def test_data_labels_of_columns_and_lines_are_the_plotted_values(name: str, width: float) -> None:
    c = CHARTS[name]
    page = render(c, width)
    labels = sorted(page.numbers(c.places), key=lambda w: (w["x0"] + w["x1"]) / 2)
    assert [w["text"] for w in labels] == expected_labels(c, values_of(name))


def test_data_labels_of_horizontal_bars_are_the_plotted_values_bottom_up() -> None:
    c = CHARTS["bar-topics"]
    page = render(c)
    labels = sorted(page.numbers(c.places), key=lambda w: -w["top"])
    assert [w["text"] for w in labels] == expected_labels(c, BY_TOPIC)
    assert expected_labels(c, BY_TOPIC)[-1] == "30.0"


def test_data_labels_round_half_even() -> None:
    """1.25 → 1.2, 1.35 → 1.4, 1.2501 → 1.3, 9.9949 → 10.0 (万件)."""
    values = (12500, 13500, 12501, 99949)
    expected = ["1.2", "1.4", "1.3", "10.0"]
    page = render(chart(ChartKind.COLUMN, ("甲", "乙", "丙", "丁"), {"来电量": values}))
    assert [w["text"] for w in sorted(page.numbers(1), key=lambda w: w["x0"])] == expected
    page = render(chart(ChartKind.BAR, ("甲", "乙", "丙", "丁"), {"来电量": values}))
    assert [w["text"] for w in sorted(page.numbers(1), key=lambda w: -w["top"])] == expected


@pytest.mark.parametrize("name", ["line-two-years", "stacked-months", "bar-districts-rates", "stacked-districts"])
def test_several_series_have_a_legend_and_no_data_labels(name: str) -> None:
    c = CHARTS[name]
    page = render(c)
    assert page.numbers(c.places) == []


def test_value_axis_starts_at_zero_with_a_round_step() -> None:
    for name in ("column-months", "line-months", "bar-topics", "stacked-months", "bar-districts-rates"):
        c = CHARTS[name]
        page = render(c)
        ticks = sorted({Decimal(w["text"]) for w in page.words if re.fullmatch(r"\d+", w["text"])})
        assert ticks[0] == 0, name
        steps = {b - a for a, b in itertools.pairwise(ticks)}
        assert len(steps) == 1, (name, ticks)
        step = steps.pop()
        mantissa = step / Decimal(10) ** (len(str(int(step))) - 1)
        assert mantissa in {1, 2, 5}, (name, step)
        columns = [[plotted(p.value, c) or 0 for p in col] for col in zip(*(s.points for s in c.series), strict=True)]
        top = max(sum(col) if c.kind is ChartKind.STACKED else max(col) for col in columns)
        assert ticks[-1] >= top, name


# --- pies ------------------------------------------------------------------------------------


def percentages(page: Page) -> list[Decimal]:
    return [Decimal(w["text"][:-1]) for w in page.words if re.fullmatch(r"\d+\.\d\d%", w["text"])]


@pytest.mark.parametrize("name", ["pie-call-types", "pie-topics"])
def test_pie_labels_are_shares_adding_to_100(name: str) -> None:
    c = CHARTS[name]
    page = render(c)
    shares = percentages(page)
    values = [plotted(p.value, c) for p in c.series[0].points]
    shown = [v for v in values if v]
    assert len(shares) == len(shown)
    total = sum(shown, Decimal(0))
    exact = [Fraction(v) * 100 / Fraction(total) for v in shown]
    expected = [Decimal(round(e * 100)) / 100 for e in exact]  # round() of a Fraction is half-even
    assert sorted(shares) == sorted(expected)
    assert abs(sum(shares) - 100) <= Decimal("0.01") * len(shares)
    assert set(c.categories) <= set(page.texts()), "the legend names every wedge"


def test_pie_of_call_types_prints_the_shares_of_the_text() -> None:
    page = render(CHARTS["pie-call-types"])
    assert sorted(percentages(page)) == sorted(Decimal(s) for s in ("91.32", "5.00", "2.50", "0.80", "0.38"))


def test_pie_shares_that_do_not_add_up_exactly() -> None:
    c = chart(ChartKind.PIE, ("甲", "乙", "丙"), {"量": (1, 1, 1)}, unit="件", scale=1, places=0)
    page = render(c)
    shares = percentages(page)
    assert shares == [Decimal("33.33")] * 3
    assert abs(sum(shares) - 100) <= Decimal("0.01") * 3


# --- missing points --------------------------------------------------------------------------


def with_gap(c: Chart, index: int) -> Chart:
    series = tuple(
        Series(
            s.name,
            tuple(figure(None) if i == index else p for i, p in enumerate(s.points)),
            tuple(None if i == index else v for i, v in enumerate(s.values)),
        )
        for s in c.series
    )
    return Chart(c.id, c.caption, c.kind, c.categories, series, c.unit, c.scale, c.places)


def test_missing_point_has_no_data_label() -> None:
    c = CHARTS["column-months"]
    assert c.series[0].points[4].value is None
    for kind in (ChartKind.COLUMN, ChartKind.LINE, ChartKind.BAR):
        k = Chart(c.id, c.caption, kind, c.categories, c.series, c.unit, c.scale, c.places)
        page = render(k)
        labels = page.numbers(1)
        assert len(labels) == 11, kind
        order = (lambda w: -w["top"]) if kind is ChartKind.BAR else (lambda w: w["x0"])
        assert [w["text"] for w in sorted(labels, key=order)] == expected_labels(c, CALLS_2020), kind
        assert missing_chars(page, c.categories) == Counter()


def test_isolated_point_of_a_line_is_a_marker_with_its_label() -> None:
    values = (None, 52000, None, None, 61000, 64000, None, None, None, None, None, 70000)
    c = chart(ChartKind.LINE, MONTHS, {"来电量": values})
    page = render(c)
    assert [w["text"] for w in sorted(page.numbers(1), key=lambda w: w["x0"])] == ["5.2", "6.1", "6.4", "7.0"]
    two = chart(ChartKind.LINE, MONTHS, {"甲": values, "乙": values[::-1]})
    assert inside(render(two)) == []


def test_missing_wedge_is_left_out_of_pie_and_legend() -> None:
    c = with_gap(CHARTS["pie-call-types"], 1)
    page = render(c)
    shares = percentages(page)
    assert len(shares) == 4
    assert abs(sum(shares) - 100) <= Decimal("0.04")
    assert "咨询" not in page.texts()
    assert {"诉求", "投诉", "建议", "表扬"} <= set(page.texts())


@pytest.mark.parametrize("kind", list(ChartKind))
def test_missing_points_in_every_kind(kind: ChartKind) -> None:
    base = CHARTS["stacked-months"]
    c = Chart(base.id, base.caption, kind, base.categories, base.series, base.unit, base.scale, base.places)
    for gap in (0, 5, 11):
        page = render(with_gap(c, gap))
        assert inside(page) == []
        assert overlaps(page) == []


@pytest.mark.parametrize("kind", list(ChartKind))
def test_all_points_missing_or_zero_do_not_crash(kind: ChartKind) -> None:
    page = render(chart(kind, MONTHS, {"来电量": [None] * 12}))
    assert inside(page) == []
    assert page.numbers(1) == []
    page = render(chart(kind, MONTHS, {"来电量": [0] * 12}))
    assert inside(page) == []
    assert [w["text"] for w in page.numbers(1)] == ([] if kind is ChartKind.PIE else ["0.0"] * 12)
    assert percentages(page) == []
    drawing(chart(kind, (), {"来电量": ()}), WIDTH, font=FONT)
    drawing(chart(kind, MONTHS, {}), WIDTH, font=FONT)


def test_negative_values_extend_the_axis_below_zero() -> None:
    c = chart(ChartKind.COLUMN, MONTHS[:6], {"增长": (5.2, -3.1, 0, 12.4, -8.0, 1.5)}, unit="%", scale=1)
    page = render(c)
    assert inside(page) == []
    assert overlaps(page) == []
    assert sorted(w["text"] for w in page.numbers(1)) == sorted(["5.2", "-3.1", "0.0", "12.4", "-8.0", "1.5"])


def test_series_of_the_wrong_length_is_refused() -> None:
    c = chart(ChartKind.COLUMN, MONTHS, {"来电量": CALLS_2020[:11]})
    with pytest.raises(ValueError, match="11 points for 12 categories"):
        drawing(c, WIDTH, font=FONT)


def test_palette_is_distinguishable_in_greyscale() -> None:
    def grey(color: Any) -> float:
        return float(0.299 * color.red + 0.587 * color.green + 0.114 * color.blue)

    greys = [grey(c) for c in PALETTE[:5]]
    assert min(abs(a - b) for i, a in enumerate(greys) for b in greys[i + 1 :]) >= 0.1


def test_all_kinds_on_one_page() -> None:
    """The page a person looks at (see the module docstring): it renders and keeps every label."""
    drawings = [drawing(c, WIDTH, font=FONT) for c in CHARTS.values()]
    data = pdf_bytes(drawings, WIDTH, WIDTH * 0.55, per_row=2)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1
        text = "".join(c["text"] for c in pdf.pages[0].chars)
    assert Counter("".join(TOPICS)) - Counter(text) == Counter()


if __name__ == "__main__":  # pragma: no cover
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH)))
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "charts.pdf")
    target.write_bytes(pdf_bytes([drawing(c, WIDTH, font=FONT) for c in CHARTS.values()], WIDTH, WIDTH * 0.55, 2))
    print(target)
