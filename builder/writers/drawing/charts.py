"""Take a tree `Chart`, produce a ReportLab `Drawing` for the PDF writer and the page.

ReportLab's chart widgets draw the bars, lines, wedges, axes and grid. Every piece of text
(category labels, data labels, the unit, the legend, pie percentages) is placed here, from
measured string widths, because the layout must hold for Chinese labels of up to a dozen
characters, sixteen categories and a drawing only as tall as `width * aspect`:

- column, stacked and line charts keep category labels on one line when they fit, wrap them
  onto two lines when that is enough, and otherwise rotate them (45°, or 90° when crowded);
- horizontal bar charts get a left margin as wide as the longest label (wrapped onto two lines
  past 40 % of the width) and, when rows are thinner than a line, a smaller label size;
- the value axis starts at 0 (or below, for negative values) with a 1-2-5 step and is titled
  with the unit; single-series charts carry data labels; pies label each wedge with its share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, PolyLine
from reportlab.lib.colors import white

from builder.document import Chart, ChartKind
from builder.model.numbers import percent
from builder.writers.drawing.chart_parts import (
    GAP_FACTOR,
    SPACE_FACTOR,
    Entry,
    Font,
    Scale,
    chart_label,
    chart_legend_height,
    chart_marker,
    chart_scales,
    chart_under,
    chart_wrap,
    draw_legend,
    draw_under,
    legend_rows,
    value_range,
)
from builder.writers.drawing.chart_style import (
    AXIS,
    DASHES,
    GRID,
    INK,
    LINE_PALETTE,
    MARKER_SIZE,
    MAX_LABEL_SHARE,
    MIN_SIZE,
    PAD,
    PALETTE,
    Number,
)

__all__ = ["PALETTE", "drawing", "label_text", "pie_shares", "plotted_values"]

ELLIPSIS = "…"
LEGEND_SHARE = 0.6  # the widest a legend entry may be, as a share of the drawing's width
UNDER_SHARE = 0.4  # the longest a label under columns may be (it may stand upright), as a share of the height

# --- values ------------------------------------------------------------------------------------


def plotted_values(chart: Chart) -> list[list[Number]]:
    """Per series, per category: the value plotted (the tree's); None when missing."""
    rows: list[list[Number]] = []
    for series in chart.series:
        if len(series.points) != len(chart.categories):
            raise ValueError(
                f"chart {chart.id}: series {series.name} has {len(series.points)} points "
                f"for {len(chart.categories)} categories"
            )
        rows.append(list(series.values))
    return rows


def label_text(value: Decimal, places: int) -> str:
    """A plotted value as its data label prints it."""
    return format(value, f".{max(places, 0)}f")


def pie_shares(values: Sequence[Number]) -> list[str | None]:
    """Each wedge's label: its share of the plotted total (“91.32%”); None where no wedge is drawn
    (a missing, zero or negative value)."""
    total = sum((v for v in values if v is not None and v > 0), Decimal(0))
    return [f"{percent(v, total, 2):.2f}%" if v is not None and v > 0 else None for v in values]


def _floats(row: Sequence[Number]) -> list[float | None]:
    return [None if v is None else float(v) for v in row]


# --- charts ------------------------------------------------------------------------------------


def drawing(chart: Chart, width: float, *, font: str, font_size: float = 10.5, aspect: float = 0.55) -> Any:
    """`chart` as a ReportLab Drawing of width × width·aspect, all text in `font` at `font_size`."""
    d = Drawing(width, width * aspect)
    text = Font(font, font_size)
    chart = _shortened(chart, text, width, width * aspect)
    rows = plotted_values(chart)
    if chart.kind is ChartKind.PIE:
        _pie(d, chart, rows[0] if rows else [], text)
    elif chart.kind is ChartKind.BAR:
        _bars(d, chart, rows, text)
    else:
        _columns(d, chart, rows, text)
    return d


def _shortened(chart: Chart, font: Font, width: float, height: float) -> Chart:
    """The chart with names too long for its drawing cut short with “…”, so that bars, lines and
    wedges keep their room: a bar label to two lines of its column, a label under columns to a
    share of the height, a legend entry to most of the width. The tree keeps the whole names."""
    if chart.kind is ChartKind.BAR:
        most = 2 * MAX_LABEL_SHARE * width - PAD
    elif chart.kind is ChartKind.PIE:
        most = LEGEND_SHARE * width
    else:  # wrapped onto two lines where columns leave room, else on one, perhaps upright
        lines = 2 if width / max(len(chart.categories), 1) >= 2 * font.line else 1
        most = lines * UNDER_SHARE * height
    categories = tuple(_ellipsis(name, font, most) for name in chart.categories)
    series = tuple(replace(s, name=_ellipsis(s.name, font, LEGEND_SHARE * width)) for s in chart.series)
    return replace(chart, categories=categories, series=series)


def _ellipsis(name: str, font: Font, most: float) -> str:
    """`name` if it is at most `most` points wide, else as much of it as fits before “…”."""
    if font.width(name) <= most:
        return name
    lo, hi = 1, len(name)  # the longest head that fits with “…”: widths grow with length
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if font.width(name[:mid] + ELLIPSIS) <= most else (lo, mid - 1)
    return name[:lo] + ELLIPSIS


def _series_entries(chart: Chart) -> list[Entry]:
    if len(chart.series) <= 1:
        return []
    if chart.kind is ChartKind.LINE:
        return [Entry(s.name, LINE_PALETTE[i % len(LINE_PALETTE)], i) for i, s in enumerate(chart.series)]
    return [Entry(s.name, PALETTE[i % len(PALETTE)]) for i, s in enumerate(chart.series)]


def _value_labels(chart: Chart, rows: Sequence[Sequence[Number]]) -> list[str | None]:
    """Data labels of a single-series chart, one per category (None: no label)."""
    if len(rows) != 1:
        return [None] * len(chart.categories)
    return [None if v is None else label_text(v, chart.places) for v in rows[0]]


def _place(widget: Any, plot: tuple[float, float, float, float], scale: Any, font: Font, n: int) -> None:
    """A bar or line chart's plot area and its two axes, the category axis at zero when values go below it."""
    widget.x, widget.y, widget.width, widget.height = plot
    _style_value_axis(widget.valueAxis, scale, font)
    _style_category_axis(widget.categoryAxis, n)
    if scale.lo < 0:
        widget.categoryAxis.joinAxisMode = "value"  # draw the category axis at zero
        widget.categoryAxis.joinAxisPos = 0


def _style_value_axis(axis: Any, scale: Scale, font: Font) -> None:
    axis.valueMin = float(scale.lo)
    axis.valueMax = float(scale.hi)
    axis.valueStep = float(scale.step)
    axis.valueSteps = [float(t) for t in scale.ticks()]
    axis.labelTextFormat = scale.text
    axis.labels.fontName = font.name
    axis.labels.fontSize = font.size
    axis.labels.fillColor = INK
    axis.visibleAxis = False
    axis.visibleTicks = False
    axis.visibleGrid = True
    axis.gridStrokeColor = GRID
    axis.gridStrokeWidth = 0.5


def _style_category_axis(axis: Any, n: int) -> None:
    axis.categoryNames = [""] * n
    axis.visibleLabels = False
    axis.visibleTicks = False
    axis.strokeColor = AXIS
    axis.strokeWidth = 0.75


def _columns(d: Any, chart: Chart, rows: list[list[Number]], font: Font) -> None:
    """COLUMN, STACKED and LINE: categories along the bottom, values up the left."""
    width, height = d.width, d.height
    n = len(chart.categories)
    line = chart.kind is ChartKind.LINE
    scales = chart_scales(*value_range(chart.kind, rows), chart.places)
    tick_width = max(font.width(sc.text(float(t))) for sc in scales.values() for t in sc.ticks())
    unit_width = font.width(chart.unit) if chart.unit else 0.0
    legend = legend_rows(_series_entries(chart), font, width - 2 * PAD)
    legend_height = chart_legend_height(legend, font)
    gap = font.size * GAP_FACTOR

    # Left margin: tick labels, the unit centred over the axis, the lean of rotated labels.
    left = PAD + max(tick_width + gap, unit_width / 2)
    right = PAD + font.size * 0.5
    for _ in range(6):
        slot = (width - left - right) / max(n, 1)
        under = chart_under(chart.categories, font, slot)
        need = max((PAD + reach - (i + 0.5) * slot for i, reach in enumerate(under.left)), default=0.0)
        if need <= left + 1e-6:
            break
        left = need
    else:
        slot = (width - left - right) / max(n, 1)
        under = chart_under(chart.categories, font, slot)

    labels = _value_labels(chart, rows)
    label_width = max((font.width(t) for t in labels if t), default=0.0)
    nudge = MARKER_SIZE / 2 + 2 if line else 2.0
    upright = label_width > slot - font.size * SPACE_FACTOR
    above = (label_width if upright else font.line) + nudge if any(labels) else 0.0
    top = PAD + (font.line if chart.unit else 0.0) + max(above, font.line / 2)
    bottom = PAD + legend_height + under.height
    plot = (left, bottom, width - left - right, max(height - top - bottom, 1.0))
    x, y, _, h = plot
    scale = scales[max(2, min(6, int(h // (font.line * 1.5))))]  # tick labels a line and a half apart

    widget: Any
    if line:
        widget = HorizontalLineChart()
        segments, owners = _segments(rows)
        widget.data = segments or [[None] * n]
        widget.joinedLines = 0  # joined row by row: ReportLab cannot stroke a line of one point
        for i, owner in enumerate(owners):
            if sum(v is not None for v in segments[i]) > 1:
                widget.lines[i].lineStyle = "joinedLine"
            color = LINE_PALETTE[owner % len(LINE_PALETTE)]
            widget.lines[i].strokeColor = color
            widget.lines[i].strokeWidth = 1.5
            dash = DASHES[owner % len(DASHES)]
            if dash:
                widget.lines[i].strokeDashArray = list(dash)
            widget.lines[i].symbol = chart_marker(owner, 0, 0, color)
    else:
        widget = VerticalBarChart()
        widget.data = [_floats(r) for r in rows] or [[None] * n]
        _style_bars(widget, len(rows), stacked=chart.kind is ChartKind.STACKED)
        if chart.kind is ChartKind.STACKED:
            widget.categoryAxis.style = "stacked"
    _place(widget, plot, scale, font, n)
    widget.valueAxis.labels.boxAnchor = "e"
    widget.valueAxis.labels.dx = -gap
    d.add(widget)

    centres = [x + (i + 0.5) * slot for i in range(n)]
    draw_under(d, under, font, centres, y)
    if chart.unit:
        unit_x = max(PAD + unit_width / 2, x)
        d.add(chart_label(chart.unit, unit_x, height - PAD, font, "n"))
    values: Sequence[Number] = rows[0] if len(rows) == 1 else [None] * n
    extent = label_width if upright else font.line
    for i, (cx, value, text) in enumerate(zip(centres, values, labels, strict=True)):
        if text is None or value is None:
            continue
        at = scale.at(float(value), y, h)
        # Below the point: a bar below zero, or a line's dip (both neighbours higher) when there is room.
        dip = line and _dip(values, i) and at - nudge - extent >= y
        if (value < 0 and not line) or dip:
            d.add(chart_label(text, cx, at - nudge, font, "e" if upright else "n", 90.0 if upright else 0.0))
        else:
            d.add(chart_label(text, cx, at + nudge, font, "w" if upright else "s", 90.0 if upright else 0.0))
    draw_legend(d, legend, font, width)


def _dip(values: Sequence[Number], i: int) -> bool:
    """Whether point i is lower than both neighbours (missing or absent neighbours don't count)."""
    here = values[i]
    neighbours = [values[j] for j in (i - 1, i + 1) if 0 <= j < len(values) and values[j] is not None]
    return here is not None and len(neighbours) == 2 and all(n is not None and n > here for n in neighbours)


def _segments(rows: Sequence[Sequence[Number]]) -> tuple[list[list[float | None]], list[int]]:
    """Each series cut at its missing points into runs, each run a row of its own, so a line has
    a gap where a value is missing instead of joining its neighbours."""
    segments: list[list[float | None]] = []
    owners: list[int] = []
    for s, row in enumerate(rows):
        run: list[float | None] = [None] * len(row)
        filled = False
        for i, v in enumerate(row):
            if v is None:
                if filled:
                    segments.append(run)
                    owners.append(s)
                run, filled = [None] * len(row), False
            else:
                run[i], filled = float(v), True
        if filled:
            segments.append(run)
            owners.append(s)
    return segments, owners


def _style_bars(widget: Any, series: int, *, stacked: bool) -> None:
    widget.barWidth = 10
    widget.barSpacing = 1 if series > 1 and not stacked else 0
    widget.groupSpacing = 6 if series <= 1 or stacked else 5
    widget.bars.strokeColor = None
    for i in range(max(series, 1)):
        widget.bars[i].fillColor = PALETTE[i % len(PALETTE)]
        widget.bars[i].strokeColor = None


def _bars(d: Any, chart: Chart, rows: list[list[Number]], font: Font) -> None:
    """BAR: categories up the left (the first at the bottom), values along the bottom."""
    width, height = d.width, d.height
    n = len(chart.categories)
    scales = chart_scales(*value_range(chart.kind, rows), chart.places)
    tick_width = max(font.width(sc.text(float(t))) for sc in scales.values() for t in sc.ticks())
    last_tick = max(font.width(sc.text(float(sc.hi))) for sc in scales.values())
    legend = legend_rows(_series_entries(chart), font, width - 2 * PAD)
    legend_height = chart_legend_height(legend, font)
    gap = font.size * GAP_FACTOR

    # Rows thinner than a line of text get smaller labels.
    top = PAD + font.size * 0.3
    bottom = PAD + legend_height + gap + font.line
    row = (height - top - bottom) / max(n, 1)
    small = font.sized(max(MIN_SIZE, min(font.size, row / 1.1)))
    texts = list(chart.categories)
    if max((small.width(t) for t in texts), default=0.0) > width * MAX_LABEL_SHARE:
        if row >= small.line * 2:
            texts = [chart_wrap(t, 2, small) for t in texts]
        widest = max(small.width(t) for t in texts)
        if widest > width * MAX_LABEL_SHARE:
            small = small.sized(max(MIN_SIZE, small.size * width * MAX_LABEL_SHARE / widest))
    left = PAD + max((small.width(t) for t in texts), default=0.0) + gap

    labels = _value_labels(chart, rows)
    label_width = max((small.width(t) for t in labels if t), default=0.0)
    unit_width = font.width(chart.unit) + font.size * 0.6 if chart.unit else 0.0
    right = PAD + max(label_width + gap if label_width else 0.0, last_tick / 2 + unit_width)
    x, y, w, h = plot = (left, bottom, width - left - right, max(height - top - bottom, 1.0))
    scale = scales[max(2, min(6, int(w // (tick_width + font.size * 1.5))))]

    widget = HorizontalBarChart()
    widget.data = [_floats(r) for r in rows] or [[None] * n]
    _style_bars(widget, len(rows), stacked=False)
    _place(widget, plot, scale, font, n)
    widget.valueAxis.labels.boxAnchor = "n"
    widget.valueAxis.labels.dy = -gap
    d.add(widget)

    slot = h / max(n, 1)
    for i, t in enumerate(texts):
        d.add(chart_label(t, x - gap, y + (i + 0.5) * slot, small, "e"))
    if chart.unit:
        d.add(chart_label(chart.unit, x + w + last_tick / 2 + font.size * 0.6, y - gap, font, "nw"))
    for i, (value, text) in enumerate(zip(rows[0] if rows else [], labels, strict=False)):
        if text is None or value is None:
            continue
        end = scale.at(float(value), x, w)
        cy = y + (i + 0.5) * slot
        if value < 0:
            d.add(chart_label(text, end - gap, cy, small, "e"))
        else:
            d.add(chart_label(text, end + gap, cy, small, "w"))
    draw_legend(d, legend, font, width)


def _pie(d: Any, chart: Chart, values: Sequence[Number], font: Font) -> None:
    """PIE of the first series: wedges clockwise from 12 o'clock, each labelled outside with its
    share of the plotted total; the legend names the wedges."""
    width, height = d.width, d.height
    shown = [(i, v) for i, v in enumerate(values) if v is not None and v > 0]
    total = sum((v for _, v in shown), Decimal(0))
    texts = [t for t in pie_shares(values) if t is not None]
    entries = [Entry(chart.categories[i], PALETTE[i % len(PALETTE)]) for i, _ in shown]
    legend = legend_rows(entries, font, width - 2 * PAD)
    legend_height = chart_legend_height(legend, font)
    draw_legend(d, legend, font, width)
    if not shown:
        return

    label_width = max(font.width(t) for t in texts)
    bottom = PAD + legend_height
    area_h = height - PAD - bottom
    lead = font.size * 1.2  # leader line: radial part and horizontal part
    radius = max(4.0, min(area_h / 2 - font.line * 0.75, (width - 2 * PAD) / 2 - label_width - lead - font.size * 0.5))
    cx, cy = width / 2, bottom + area_h / 2

    pie = Pie()
    pie.x, pie.y = cx - radius, cy - radius
    pie.width = pie.height = 2 * radius
    pie.data = [float(v) for _, v in shown]
    pie.startAngle = 90
    pie.direction = "clockwise"
    pie.labels = None
    pie.slices.strokeColor = white
    pie.slices.strokeWidth = 0.75
    for k, (i, _) in enumerate(shown):
        pie.slices[k].fillColor = PALETTE[i % len(PALETTE)]
    d.add(pie)

    # Mid-angle of each wedge, then labels stacked per side without overlapping.
    mids: list[float] = []
    start = 90.0
    for _, v in shown:
        sweep = 360.0 * float(v / total)
        mids.append(start - sweep / 2)
        start -= sweep
    low, high = bottom + font.line / 2, height - PAD - font.line / 2
    for side in (1, -1):
        members = [k for k, a in enumerate(mids) if (math.cos(math.radians(a)) >= 0) == (side == 1)]
        wanted = {k: cy + (radius + lead / 2) * math.sin(math.radians(mids[k])) for k in members}
        placed = _spread(sorted(members, key=lambda k: -wanted[k]), wanted, font.line, low, high)
        for k in members:
            a = math.radians(mids[k])
            edge = (cx + radius * math.cos(a), cy + radius * math.sin(a))
            elbow = (cx + (radius + lead / 2) * math.cos(a), cy + (radius + lead / 2) * math.sin(a))
            ly = placed[k]
            end_x = cx + side * (radius + lead)
            if side * (elbow[0] - end_x) > 0:
                end_x = elbow[0]
            d.add(
                PolyLine(
                    [edge[0], edge[1], elbow[0], elbow[1], end_x, ly],
                    strokeColor=AXIS,
                    strokeWidth=0.5,
                )
            )
            text_x = end_x + side * font.size * 0.25
            d.add(chart_label(texts[k], text_x, ly, font, "w" if side == 1 else "e"))


def _spread(order: Sequence[int], wanted: dict[int, float], step: float, low: float, high: float) -> dict[int, float]:
    """Y positions for labels listed top to bottom: as near as possible to `wanted`, at least
    `step` apart, within [low, high]."""
    placed: dict[int, float] = {}
    previous = high + step
    for k in order:  # downwards: no higher than wanted, a step below the previous
        placed[k] = min(wanted[k], previous - step, high)
        previous = placed[k]
    following = low - step
    for k in reversed(order):  # upwards: push up what fell below the floor
        placed[k] = max(placed[k], following + step, low)
        following = placed[k]
    return placed
