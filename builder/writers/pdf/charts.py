"""Take a tree `Chart`, produce a ReportLab `Drawing` for the PDF writer.

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
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.charts.textlabels import Label
from reportlab.graphics.shapes import Drawing, Group, Line, PolyLine, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import Color, HexColor, white
from reportlab.pdfbase.pdfmetrics import stringWidth

from builder.document import Chart, ChartKind
from builder.model.numbers import percent

__all__ = ["PALETTE", "drawing", "plotted_values"]

# Blues and greys with one orange accent, ordered so that neighbours (series, adjacent wedges)
# differ in lightness: greyscale luminance .32 .59 .83 .16 .45 .74 .85 .25.
PALETTE: tuple[Color, ...] = (
    HexColor("#2F5597"),
    HexColor("#ED7D31"),
    HexColor("#BDD7EE"),
    HexColor("#1A2B4C"),
    HexColor("#737373"),
    HexColor("#9DC3E6"),
    HexColor("#D9D9D9"),
    HexColor("#404040"),
)
# Lines are thin: the pale colours go last.
LINE_PALETTE: tuple[Color, ...] = (
    PALETTE[0],
    PALETTE[1],
    PALETTE[3],
    PALETTE[4],
    PALETTE[5],
    PALETTE[7],
)
MARKERS = ("FilledCircle", "FilledSquare", "FilledDiamond", "FilledTriangle", "Circle", "Square")
DASHES: tuple[tuple[float, ...] | None, ...] = (None, (4, 2), (1, 2), (6, 2, 1, 2))
INK = HexColor("#262626")
AXIS = HexColor("#808080")
GRID = HexColor("#D9D9D9")

LEADING = 1.2  # line height / font size
PAD = 2.0  # blank border inside the drawing
MIN_SIZE = 5.0  # smallest label size when rows are too thin for the requested one
MAX_LABEL_SHARE = 0.4  # widest share of the width a bar chart's category labels may take
MARKER_SIZE = 5.0

Number = Decimal | None


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


def _number_text(value: Decimal, places: int) -> str:
    return format(value, f".{max(places, 0)}f")


def _floats(row: Sequence[Number]) -> list[float | None]:
    return [None if v is None else float(v) for v in row]


# --- text --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Font:
    name: str
    size: float

    @property
    def line(self) -> float:
        return self.size * LEADING

    def width(self, text: str) -> float:
        return max((stringWidth(line, self.name, self.size) for line in text.split("\n")), default=0.0)

    def height(self, text: str) -> float:
        return self.line * (text.count("\n") + 1)

    def sized(self, size: float) -> _Font:
        return _Font(self.name, size)


def _label(
    text: str, x: float, y: float, font: _Font, anchor: str, angle: float = 0.0, color: Color = INK
) -> Any:  # a reportlab shape
    """`text` (lines split at newlines, each centred) with its box's `anchor` point (n, s, e, w, nw,
    ne, sw, se, c) at (x, y), as ReportLab's `Label` places it; upright text as plain strings."""
    if angle:
        return _rotated_label(text, x, y, font, anchor, angle, color)
    lines = text.split("\n")
    width = max(stringWidth(line, font.name, font.size) for line in lines)
    height = font.line * len(lines)
    top = y if anchor[0] == "n" else y + height if anchor[0] == "s" else y + height / 2
    centre = x - width / 2 if anchor[-1] == "e" else x + width / 2 if anchor[-1] == "w" else x
    # Label's plain strings, without the widget: a chart has dozens of labels, and the widget's
    # own sizing and drawing took a fifth of a chart's time
    group = Group()
    for i, line in enumerate(lines):
        baseline = top - font.line / LEADING - i * font.line
        group.add(String(centre, baseline, line, fontName=font.name, fontSize=font.size, fillColor=color, textAnchor="middle"))
    return group


def _rotated_label(text: str, x: float, y: float, font: _Font, anchor: str, angle: float, color: Color) -> Any:
    label = Label()
    label.setOrigin(x, y)
    label.boxAnchor = anchor
    label.angle = angle
    label.fontName = font.name
    label.fontSize = font.size
    label.leading = font.line
    label.fillColor = color
    label.textAnchor = "middle"
    label.setText(text)
    return label


# Runs that must not be split across lines: Latin words and numbers; closing punctuation stays
# with the character before it, opening punctuation with the one after.
_TOKEN = re.compile(r"[A-Za-z0-9.%+\-]+|.", re.DOTALL)
_CLOSING = set("，。、；：？！）》」』”’%")
_OPENING = set("（《「『“‘")


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    pending = ""
    for tok in _TOKEN.findall(text):
        if tok in _OPENING:
            pending += tok
        elif tok in _CLOSING and tokens and not pending:
            tokens[-1] += tok
        else:
            tokens.append(pending + tok)
            pending = ""
    if pending:
        tokens.append(pending)
    return tokens


def _wrap(text: str, lines: int, font: _Font) -> str:
    """`text` broken into at most `lines` lines with the narrowest widest line."""
    tokens = _tokens(text)
    if lines <= 1 or len(tokens) <= 1:
        return text
    best = text
    best_width = font.width(text)
    for cut in range(1, len(tokens)):
        head = "".join(tokens[:cut])
        tail = _wrap("".join(tokens[cut:]), lines - 1, font)
        candidate = head + "\n" + tail
        width = font.width(candidate)
        if width <= best_width + 1e-9:  # ties: the longer head, “东城／区” not “东／城区”
            best, best_width = candidate, width
    return best


# --- value axis --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    lo: Decimal
    hi: Decimal
    step: Decimal

    @property
    def places(self) -> int:
        exponent = self.step.normalize().as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    def ticks(self) -> list[Decimal]:
        count = int((self.hi - self.lo) / self.step)
        return [self.lo + self.step * i for i in range(count + 1)]

    def text(self, value: float) -> str:
        return f"{value:.{self.places}f}"

    def at(self, value: float, start: float, length: float) -> float:
        lo, hi = float(self.lo), float(self.hi)
        return start + (value - lo) / (hi - lo) * length


def _scale(low: Decimal, high: Decimal, intervals: int = 6, places: int = 0) -> _Scale:
    """An axis from 0 (or a multiple of the step below it) to a multiple of a 1-2-5 step above,
    the step no finer than the data (10^-places); 0 to 5 when there is nothing to plot."""
    lo, hi = min(low, Decimal(0)), max(high, Decimal(0))
    if hi == lo:
        hi = lo + 5
    span = hi - lo
    exponent = max(math.floor(math.log10(float(span / intervals))), -places)
    for e in (exponent, exponent + 1, exponent + 2):
        unit = Decimal(10) ** e
        for m in (1, 2, 5):
            step = unit * m
            bottom = (lo / step).to_integral_value(ROUND_FLOOR) * step
            top = (hi / step).to_integral_value(ROUND_CEILING) * step
            if (top - bottom) / step <= intervals:
                return _Scale(bottom, top, step)
    raise AssertionError("unreachable: a step of 10^(e+2) always fits")


def _scales(low: Decimal, high: Decimal, places: int) -> dict[int, _Scale]:
    """Scales of at most 2 … 6 intervals, for the room the plot turns out to have."""
    return {k: _scale(low, high, k, places) for k in range(2, 7)}


def _value_range(kind: ChartKind, rows: Sequence[Sequence[Number]]) -> tuple[Decimal, Decimal]:
    if kind is ChartKind.STACKED and rows:
        columns = list(zip(*rows, strict=True))
        high = max(
            (sum((v for v in col if v is not None and v > 0), Decimal(0)) for col in columns), default=Decimal(0)
        )
        low = min((sum((v for v in col if v is not None and v < 0), Decimal(0)) for col in columns), default=Decimal(0))
        return low, high
    values = [v for row in rows for v in row if v is not None]
    return min(values, default=Decimal(0)), max(values, default=Decimal(0))


# --- legend ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    name: str
    color: Color
    line: int | None = None  # series index of a line chart: drawn as a line with its marker


def _legend_rows(entries: Sequence[_Entry], font: _Font, width: float) -> list[list[_Entry]]:
    rows: list[list[_Entry]] = []
    used = 0.0
    for entry in entries:
        need = _entry_width(entry, font)
        if rows and used + font.size + need <= width:
            rows[-1].append(entry)
            used += font.size + need
        else:
            rows.append([entry])
            used = need
    return rows


def _swatch_width(entry: _Entry, font: _Font) -> float:
    return font.size * (2.2 if entry.line is not None else 0.8)


def _entry_width(entry: _Entry, font: _Font) -> float:
    return _swatch_width(entry, font) + font.size * 0.35 + font.width(entry.name)


def _legend_height(rows: Sequence[Sequence[_Entry]], font: _Font) -> float:
    return len(rows) * font.line + font.size * 0.5 if rows else 0.0


def _draw_legend(d: Any, rows: Sequence[Sequence[_Entry]], font: _Font, width: float) -> None:
    """Rows of swatch + name, centred, from the bottom of the drawing up."""
    for i, row in enumerate(rows):
        y = PAD + (len(rows) - 1 - i) * font.line + font.line / 2
        total = sum(_entry_width(e, font) for e in row) + font.size * (len(row) - 1)
        x = (width - total) / 2
        for entry in row:
            sw = _swatch_width(entry, font)
            if entry.line is None:
                side = font.size * 0.8
                d.add(Rect(x, y - side / 2, side, side, fillColor=entry.color, strokeColor=None))
            else:
                line = Line(x, y, x + sw, y, strokeColor=entry.color, strokeWidth=1.5)
                dash = DASHES[entry.line % len(DASHES)]
                if dash:
                    line.strokeDashArray = list(dash)
                d.add(line)
                d.add(_marker(entry.line, x + sw / 2, y, entry.color))
            d.add(_label(entry.name, x + sw + font.size * 0.35, y, font, "w"))
            x += _entry_width(entry, font) + font.size


def _marker(series: int, x: float, y: float, color: Color) -> Any:
    marker = makeMarker(MARKERS[series % len(MARKERS)])
    marker.x, marker.y = x, y
    marker.size = MARKER_SIZE
    marker.fillColor = color
    marker.strokeColor = color
    return marker


# --- category labels under a horizontal axis -----------------------------------------------------


@dataclass(frozen=True)
class _Under:
    texts: tuple[str, ...]
    angle: float  # 0: horizontal, one or two lines; else rotated, reading upwards
    height: float  # space below the axis
    left: tuple[float, ...]  # how far each label reaches left of its tick


_GAP_FACTOR = 0.35  # blank between a label and what it labels, in font sizes
_SPACE_FACTOR = 0.3  # least blank between neighbour labels on one line, in font sizes


def _under(categories: Sequence[str], font: _Font, slot: float) -> _Under:
    """Labels of `slot`-wide categories: on one line if they fit, else rotated, or wrapped onto two
    lines when that saves a fifth of the height rotation takes (long names in wide slots)."""
    gap = font.size * _GAP_FACTOR
    room = slot - font.size * _SPACE_FACTOR
    widths = [font.width(c) for c in categories]
    if max(widths, default=0.0) <= room:
        return _Under(tuple(categories), 0.0, gap + font.line, tuple(w / 2 for w in widths))
    angle = 45.0 if slot * math.sin(math.radians(45)) >= font.line else 90.0
    sin, cos = math.sin(math.radians(angle)), math.cos(math.radians(angle))
    height = gap + max(widths) * sin + font.line / 2 * cos
    left = tuple(w * cos + font.line / 2 * sin for w in widths)
    rotated = _Under(tuple(categories), angle, height, left)
    wrapped = tuple(_wrap(c, 2, font) for c in categories)
    widths = [font.width(c) for c in wrapped]
    wrapped_height = gap + max(font.height(c) for c in wrapped)
    if max(widths) <= room and wrapped_height < 0.8 * rotated.height:
        return _Under(wrapped, 0.0, wrapped_height, tuple(w / 2 for w in widths))
    return rotated


def _draw_under(d: Any, under: _Under, font: _Font, centres: Sequence[float], axis_y: float) -> None:
    gap = font.size * _GAP_FACTOR
    for text, x in zip(under.texts, centres, strict=True):
        if under.angle:
            d.add(_label(text, x, axis_y - gap, font, "e", under.angle))
        else:
            d.add(_label(text, x, axis_y - gap, font, "n"))


# --- charts ------------------------------------------------------------------------------------


def drawing(chart: Chart, width: float, *, font: str, font_size: float = 10.5, aspect: float = 0.55) -> Any:
    """`chart` as a ReportLab Drawing of width × width·aspect, all text in `font` at `font_size`."""
    d = Drawing(width, width * aspect)
    text = _Font(font, font_size)
    rows = plotted_values(chart)
    if chart.kind is ChartKind.PIE:
        _pie(d, chart, rows[0] if rows else [], text)
    elif chart.kind is ChartKind.BAR:
        _bars(d, chart, rows, text)
    else:
        _columns(d, chart, rows, text)
    return d


def _series_entries(chart: Chart) -> list[_Entry]:
    if len(chart.series) <= 1:
        return []
    if chart.kind is ChartKind.LINE:
        return [_Entry(s.name, LINE_PALETTE[i % len(LINE_PALETTE)], i) for i, s in enumerate(chart.series)]
    return [_Entry(s.name, PALETTE[i % len(PALETTE)]) for i, s in enumerate(chart.series)]


def _value_labels(chart: Chart, rows: Sequence[Sequence[Number]]) -> list[str | None]:
    """Data labels of a single-series chart, one per category (None: no label)."""
    if len(rows) != 1:
        return [None] * len(chart.categories)
    return [None if v is None else _number_text(v, chart.places) for v in rows[0]]


def _style_value_axis(axis: Any, scale: _Scale, font: _Font) -> None:
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


def _columns(d: Any, chart: Chart, rows: list[list[Number]], font: _Font) -> None:
    """COLUMN, STACKED and LINE: categories along the bottom, values up the left."""
    width, height = d.width, d.height
    n = len(chart.categories)
    line = chart.kind is ChartKind.LINE
    scales = _scales(*_value_range(chart.kind, rows), chart.places)
    tick_width = max(font.width(sc.text(float(t))) for sc in scales.values() for t in sc.ticks())
    unit_width = font.width(chart.unit) if chart.unit else 0.0
    legend = _legend_rows(_series_entries(chart), font, width - 2 * PAD)
    legend_height = _legend_height(legend, font)
    gap = font.size * _GAP_FACTOR

    # Left margin: tick labels, the unit centred over the axis, the lean of rotated labels.
    left = PAD + max(tick_width + gap, unit_width / 2)
    right = PAD + font.size * 0.5
    for _ in range(6):
        slot = (width - left - right) / max(n, 1)
        under = _under(chart.categories, font, slot)
        need = max((PAD + reach - (i + 0.5) * slot for i, reach in enumerate(under.left)), default=0.0)
        if need <= left + 1e-6:
            break
        left = need
    else:
        slot = (width - left - right) / max(n, 1)
        under = _under(chart.categories, font, slot)

    labels = _value_labels(chart, rows)
    label_width = max((font.width(t) for t in labels if t), default=0.0)
    nudge = MARKER_SIZE / 2 + 2 if line else 2.0
    upright = label_width > slot - font.size * _SPACE_FACTOR
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
            widget.lines[i].symbol = _marker(owner, 0, 0, color)
    else:
        widget = VerticalBarChart()
        widget.data = [_floats(r) for r in rows] or [[None] * n]
        _style_bars(widget, len(rows), stacked=chart.kind is ChartKind.STACKED)
        if chart.kind is ChartKind.STACKED:
            widget.categoryAxis.style = "stacked"
    widget.x, widget.y, widget.width, widget.height = plot
    _style_value_axis(widget.valueAxis, scale, font)
    widget.valueAxis.labels.boxAnchor = "e"
    widget.valueAxis.labels.dx = -gap
    _style_category_axis(widget.categoryAxis, n)
    if scale.lo < 0:
        widget.categoryAxis.joinAxisMode = "value"  # draw the category axis at zero
        widget.categoryAxis.joinAxisPos = 0
    d.add(widget)

    centres = [x + (i + 0.5) * slot for i in range(n)]
    _draw_under(d, under, font, centres, y)
    if chart.unit:
        unit_x = max(PAD + unit_width / 2, x)
        d.add(_label(chart.unit, unit_x, height - PAD, font, "n"))
    values: Sequence[Number] = rows[0] if len(rows) == 1 else [None] * n
    extent = label_width if upright else font.line
    for i, (cx, value, text) in enumerate(zip(centres, values, labels, strict=True)):
        if text is None or value is None:
            continue
        at = scale.at(float(value), y, h)
        # Below the point: a bar below zero, or a line's dip (both neighbours higher) when there is room.
        dip = line and _dip(values, i) and at - nudge - extent >= y
        if (value < 0 and not line) or dip:
            d.add(_label(text, cx, at - nudge, font, "e" if upright else "n", 90.0 if upright else 0.0))
        else:
            d.add(_label(text, cx, at + nudge, font, "w" if upright else "s", 90.0 if upright else 0.0))
    _draw_legend(d, legend, font, width)


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


def _bars(d: Any, chart: Chart, rows: list[list[Number]], font: _Font) -> None:
    """BAR: categories up the left (the first at the bottom), values along the bottom."""
    width, height = d.width, d.height
    n = len(chart.categories)
    scales = _scales(*_value_range(chart.kind, rows), chart.places)
    tick_width = max(font.width(sc.text(float(t))) for sc in scales.values() for t in sc.ticks())
    last_tick = max(font.width(sc.text(float(sc.hi))) for sc in scales.values())
    legend = _legend_rows(_series_entries(chart), font, width - 2 * PAD)
    legend_height = _legend_height(legend, font)
    gap = font.size * _GAP_FACTOR

    # Rows thinner than a line of text get smaller labels.
    top = PAD + font.size * 0.3
    bottom = PAD + legend_height + gap + font.line
    row = (height - top - bottom) / max(n, 1)
    small = font.sized(max(MIN_SIZE, min(font.size, row / 1.1)))
    texts = list(chart.categories)
    if max((small.width(t) for t in texts), default=0.0) > width * MAX_LABEL_SHARE:
        if row >= small.line * 2:
            texts = [_wrap(t, 2, small) for t in texts]
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
    widget.x, widget.y, widget.width, widget.height = plot
    _style_value_axis(widget.valueAxis, scale, font)
    widget.valueAxis.labels.boxAnchor = "n"
    widget.valueAxis.labels.dy = -gap
    _style_category_axis(widget.categoryAxis, n)
    if scale.lo < 0:
        widget.categoryAxis.joinAxisMode = "value"
        widget.categoryAxis.joinAxisPos = 0
    d.add(widget)

    slot = h / max(n, 1)
    for i, t in enumerate(texts):
        d.add(_label(t, x - gap, y + (i + 0.5) * slot, small, "e"))
    if chart.unit:
        d.add(_label(chart.unit, x + w + last_tick / 2 + font.size * 0.6, y - gap, font, "nw"))
    for i, (value, text) in enumerate(zip(rows[0] if rows else [], labels, strict=False)):
        if text is None or value is None:
            continue
        end = scale.at(float(value), x, w)
        cy = y + (i + 0.5) * slot
        if value < 0:
            d.add(_label(text, end - gap, cy, small, "e"))
        else:
            d.add(_label(text, end + gap, cy, small, "w"))
    _draw_legend(d, legend, font, width)


def _pie(d: Any, chart: Chart, values: Sequence[Number], font: _Font) -> None:
    """PIE of the first series: wedges clockwise from 12 o'clock, each labelled outside with its
    share of the plotted total; the legend names the wedges."""
    width, height = d.width, d.height
    shown = [(i, v) for i, v in enumerate(values) if v is not None and v > 0]
    total = sum((v for _, v in shown), Decimal(0))
    shares = [percent(v, total, 2) for _, v in shown] if total else []
    texts = [f"{p:.2f}%" for p in shares]
    entries = [_Entry(chart.categories[i], PALETTE[i % len(PALETTE)]) for i, _ in shown]
    legend = _legend_rows(entries, font, width - 2 * PAD)
    legend_height = _legend_height(legend, font)
    _draw_legend(d, legend, font, width)
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
            d.add(_label(texts[k], text_x, ly, font, "w" if side == 1 else "e"))


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
