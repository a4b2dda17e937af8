"""What a chart drawing draws besides its bars, lines and wedges: measured text and labels that wrap,
the value axis's 1-2-5 scale, the legend and the category labels under a horizontal axis."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from reportlab.graphics.charts.textlabels import Label
from reportlab.graphics.shapes import Group, Line, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth

from builder.document import ChartKind
from builder.writers.drawing.chart_style import DASHES, INK, LEADING, MARKER_SIZE, MARKERS, PAD, Number

# --- text --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Font:
    name: str
    size: float

    @property
    def line(self) -> float:
        return self.size * LEADING

    def width(self, text: str) -> float:
        return max((stringWidth(line, self.name, self.size) for line in text.split("\n")), default=0.0)

    def height(self, text: str) -> float:
        return self.line * (text.count("\n") + 1)

    def sized(self, size: float) -> Font:
        return Font(self.name, size)


def chart_label(
    text: str, x: float, y: float, font: Font, anchor: str, angle: float = 0.0, color: Color = INK
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


def _rotated_label(text: str, x: float, y: float, font: Font, anchor: str, angle: float, color: Color) -> Any:
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


def chart_wrap(text: str, lines: int, font: Font) -> str:
    """`text` broken into at most `lines` lines with the narrowest widest line."""
    tokens = _tokens(text)
    if lines <= 1 or len(tokens) <= 1:
        return text
    best = text
    best_width = font.width(text)
    for cut in range(1, len(tokens)):
        head = "".join(tokens[:cut])
        tail = chart_wrap("".join(tokens[cut:]), lines - 1, font)
        candidate = head + "\n" + tail
        width = font.width(candidate)
        if width <= best_width + 1e-9:  # ties: the longer head, “东城／区” not “东／城区”
            best, best_width = candidate, width
    return best


# --- value axis --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
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


def _scale(low: Decimal, high: Decimal, intervals: int = 6, places: int = 0) -> Scale:
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
                return Scale(bottom, top, step)
    raise AssertionError("unreachable: a step of 10^(e+2) always fits")


def chart_scales(low: Decimal, high: Decimal, places: int) -> dict[int, Scale]:
    """Scales of at most 2 … 6 intervals, for the room the plot turns out to have."""
    return {k: _scale(low, high, k, places) for k in range(2, 7)}


def value_range(kind: ChartKind, rows: Sequence[Sequence[Number]]) -> tuple[Decimal, Decimal]:
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
class Entry:
    name: str
    color: Color
    line: int | None = None  # series index of a line chart: drawn as a line with its marker


def legend_rows(entries: Sequence[Entry], font: Font, width: float) -> list[list[Entry]]:
    rows: list[list[Entry]] = []
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


def _swatch_width(entry: Entry, font: Font) -> float:
    return font.size * (2.2 if entry.line is not None else 0.8)


def _entry_width(entry: Entry, font: Font) -> float:
    return _swatch_width(entry, font) + font.size * 0.35 + font.width(entry.name)


def chart_legend_height(rows: Sequence[Sequence[Entry]], font: Font) -> float:
    return len(rows) * font.line + font.size * 0.5 if rows else 0.0


def draw_legend(d: Any, rows: Sequence[Sequence[Entry]], font: Font, width: float) -> None:
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
                d.add(chart_marker(entry.line, x + sw / 2, y, entry.color))
            d.add(chart_label(entry.name, x + sw + font.size * 0.35, y, font, "w"))
            x += _entry_width(entry, font) + font.size


def chart_marker(series: int, x: float, y: float, color: Color) -> Any:
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


GAP_FACTOR = 0.35  # blank between a label and what it labels, in font sizes
SPACE_FACTOR = 0.3  # least blank between neighbour labels on one line, in font sizes


def chart_under(categories: Sequence[str], font: Font, slot: float) -> _Under:
    """Labels of `slot`-wide categories: on one line if they fit, else rotated, or wrapped onto two
    lines when that saves a fifth of the height rotation takes (long names in wide slots)."""
    gap = font.size * GAP_FACTOR
    room = slot - font.size * SPACE_FACTOR
    widths = [font.width(c) for c in categories]
    if max(widths, default=0.0) <= room:
        return _Under(tuple(categories), 0.0, gap + font.line, tuple(w / 2 for w in widths))
    angle = 45.0 if slot * math.sin(math.radians(45)) >= font.line else 90.0
    sin, cos = math.sin(math.radians(angle)), math.cos(math.radians(angle))
    height = gap + max(widths) * sin + font.line / 2 * cos
    left = tuple(w * cos + font.line / 2 * sin for w in widths)
    rotated = _Under(tuple(categories), angle, height, left)
    wrapped = tuple(chart_wrap(c, 2, font) for c in categories)
    widths = [font.width(c) for c in wrapped]
    wrapped_height = gap + max(font.height(c) for c in wrapped)
    if max(widths) <= room and wrapped_height < 0.8 * rotated.height:
        return _Under(wrapped, 0.0, wrapped_height, tuple(w / 2 for w in widths))
    return rotated


def draw_under(d: Any, under: _Under, font: Font, centres: Sequence[float], axis_y: float) -> None:
    gap = font.size * GAP_FACTOR
    for text, x in zip(under.texts, centres, strict=True):
        if under.angle:
            d.add(chart_label(text, x, axis_y - gap, font, "e", under.angle))
        else:
            d.add(chart_label(text, x, axis_y - gap, font, "n"))
