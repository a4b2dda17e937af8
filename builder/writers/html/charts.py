"""Take a tree `Chart`, produce the view the page writes: the chart as inline SVG and its numbers as a table.

The SVG is the PDF's chart: the same `Drawing` (`builder.writers.drawing.charts`), of the same
width, aspect and font size, rendered by `svg`. The table beside it, in a `<details>` a reader
can open, holds what the drawing draws: a row a category, a column a series, each value as the
data label prints it (`label_text`: the plotted value, the chart's decimals), and for a pie each
wedge's share as its label prints it. Each value carries its figure's key and source cells.

Drawing and rendering a chart is most of the page's time, and a reprint changes few charts: each
SVG is kept (`builder.caches.kept`) by the chart node, its ids and the canvas, whose font files
are named by identity, so a chart whose figures did not change is not drawn again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reportlab
from markupsafe import Markup, escape

from builder import caches
from builder.document import Chart, ChartKind, Figure
from builder.writers.drawing.charts import drawing, label_text, pie_shares, plotted_values
from builder.writers.html.inlines import figure_html
from builder.writers.html.svg import svg_markup
from builder.writers.html.tables import CellView, TableView
from builder.writers.layout import chart_aspect

KIND_NAMES = {
    ChartKind.COLUMN: "柱形图",
    ChartKind.BAR: "条形图",
    ChartKind.LINE: "折线图",
    ChartKind.PIE: "饼图",
    ChartKind.STACKED: "堆积柱形图",
}
SHARE = "占比"
CATEGORY = "类别"

KeyAt = Callable[[int], str]  # the occurrence key of the chart's n-th point (series by series)


@dataclass(frozen=True)
class Canvas:
    """What every chart of a page is drawn with: the PDF's width (points), font and size, and base aspect."""

    width: float
    font_name: str  # as registered with ReportLab, which measures the labels in it
    font_size: float
    aspect: float
    font_files: str = ""  # the files behind `font_name` (`builder.style.fonts.identity`): part of a kept SVG's key


@dataclass(frozen=True)
class ChartView:
    id: str
    caption: str  # 图N …
    svg: Markup
    summary: str  # what opens the table: 图N的数据
    table: TableView
    kind: str = "chart"


def chart_view(chart: Chart, element_id: str, canvas: Canvas, key_at: KeyAt, final: bool) -> ChartView:
    """The view of `chart`: its SVG (labelled by its caption and a description) and its table."""
    caption = f"图{chart.number} {chart.caption}" if chart.number else chart.caption
    title = (f"{element_id}-title", caption)
    desc = (f"{element_id}-desc", description(chart))
    key = repr((chart, title, desc, canvas, reportlab.Version))
    svg = caches.kept("chart-svg", key, lambda: _svg(chart, canvas, title, desc).encode("utf-8")).decode("utf-8")
    summary = f"图{chart.number}的数据" if chart.number else "图的数据"
    table = data_table(chart, f"{element_id}-data", caption, key_at, final)
    return ChartView(element_id, caption, Markup(svg), summary, table)


def _svg(chart: Chart, canvas: Canvas, title: tuple[str, str], desc: tuple[str, str]) -> str:
    drawn = drawing(
        chart,
        canvas.width,
        font=canvas.font_name,
        font_size=canvas.font_size,
        aspect=chart_aspect(chart, canvas.aspect),
    )
    return svg_markup(drawn, canvas.font_name, title, desc, "chart-drawing")


def _unit(chart: Chart) -> str:
    return f"（{chart.unit}）" if chart.unit else ""


def _value_texts(chart: Chart) -> list[list[str | None]]:
    """Per series, per category: the value as its data label prints it; None where nothing is drawn."""
    return [[None if v is None else label_text(v, chart.places) for v in row] for row in plotted_values(chart)]


def description(chart: Chart) -> str:
    """What the chart shows, in words, for a reader who cannot see it: its kind, unit and every value."""
    texts = _value_texts(chart)
    shares = pie_shares(chart.series[0].values) if chart.kind is ChartKind.PIE and chart.series else []
    parts = []
    for s, series in enumerate(chart.series):
        points = []
        for c, category in enumerate(chart.categories):
            text = texts[s][c] or series.points[c].text or "无"
            if shares and shares[c]:
                text += f"（{shares[c]}）"
            points.append(f"{category} {text}")
        parts.append(f"{series.name}{_unit(chart)}：{'，'.join(points)}")
    return f"{KIND_NAMES[chart.kind]}。{'；'.join(parts)}。"


def data_table(chart: Chart, element_id: str, caption: str, key_at: KeyAt, final: bool) -> TableView:
    """The chart's numbers: categories down, series across (and the wedges' shares for a pie)."""
    texts = _value_texts(chart)
    pie = chart.kind is ChartKind.PIE
    shares = pie_shares(chart.series[0].values) if pie and chart.series else [None] * len(chart.categories)
    names = [f"{s.name}{_unit(chart)}" for s in chart.series] + ([SHARE] if pie else [])
    header = (_head(CATEGORY), *(_head(n) for n in names))
    rows = []
    n = len(chart.categories)
    for c, category in enumerate(chart.categories):
        row = [CellView("th", "row", 1, 1, False, escape(category))]
        for s, series in enumerate(chart.series):
            row.append(_value_cell(series.points[c], texts[s][c], key_at(s * n + c), final))
        if pie:  # the wedge's label, worked out by the drawing: no figure of the tree, so no key
            row.append(CellView("td", "", 1, 1, True, escape(shares[c] or "")))
        rows.append(tuple(row))
    columns = len(header)
    return TableView(element_id, f"{caption}（数据）", (), round(5.5 * columns, 1), (header,), tuple(rows))


def _head(text: str) -> CellView:
    return CellView("th", "col", 1, 1, False, escape(text))


def _value_cell(point: Figure, text: str | None, key: str, final: bool) -> CellView:
    """A plotted value as its label prints it; a point not drawn shows its figure's text (【待补】)."""
    return CellView("td", "", 1, 1, True, figure_html(point, key, final, text=text))
