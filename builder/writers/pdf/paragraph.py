"""A Platypus flowable that sets a paragraph of pieces with Chinese line breaking (`linebreak`).

Each line takes one `leading` slot; its glyphs' ideographic em box is centred in the slot, so 22
lines at 28.95 pt fill the 225 mm text block like Word's exact line spacing. Clusters are drawn
whole, left to right, at their justified x, so extracted text reads back in order without spaces.
Pieces tagged "missing" get a highlight behind them unless the build is final.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from builder.writers.pdf.linebreak import DEFAULT_TRACKING, Align, Cluster, Line, Measure, Piece, break_lines, justify

MISSING_TAG = "missing"
HIGHLIGHT = colors.Color(1, 0.92, 0.23)  # a draft marker: soft yellow
EM_DESCENT = 0.12  # the ideographic em box reaches this far below the baseline, in ems
EMBOLDEN = 1 / 30  # the outline stroked around bold glyphs, in ems
MIN_LINES = 1  # GB/T 9704 text fills every line of the grid: no widow or orphan control
ALIGNS: tuple[Align, ...] = ("justify", "left", "center", "right")


def _align(value: str) -> Align:
    """The alignment named by `value`; ValueError for an unknown one."""
    for align in ALIGNS:
        if value == align:
            return align
    raise ValueError(f"alignment {value!r}: expected one of {', '.join(ALIGNS)}")


def slice_pieces(pieces: Sequence[Piece], start: int, end: int) -> list[Piece]:
    """The pieces cut to the characters `start`–`end` of their joined text."""
    out: list[Piece] = []
    at = 0
    for piece in pieces:
        lo, hi = max(start - at, 0), min(end - at, len(piece.text))
        if lo < hi:
            out.append(replace(piece, text=piece.text[lo:hi]))
        at += len(piece.text)
    return out


def baseline(slot_bottom: float, leading: float, size: float) -> float:
    """The baseline that centres a `size` em box in a line slot of `leading`."""
    return slot_bottom + (leading - size) / 2 + EM_DESCENT * size


def _marked_spans(line: Line, xs: Sequence[float]) -> list[tuple[float, float, float]]:
    """(x0, x1, size) of each run of consecutive clusters tagged missing, gaps between them included."""
    spans: list[tuple[float, float, float]] = []
    previous = False
    for cluster, x in zip(line.clusters, xs, strict=True):
        marked = cluster.tag == MISSING_TAG
        if marked and previous:
            x0, _, size = spans[-1]
            spans[-1] = (x0, x + cluster.width, max(size, cluster.size))
        elif marked:
            spans.append((x, x + cluster.width, cluster.size))
        previous = marked
    return spans


class Justified(Flowable):  # type: ignore[misc]
    """A paragraph broken into lines by Chinese rules and justified; splits between lines."""

    def __init__(
        self,
        pieces: Sequence[Piece],
        *,
        first_indent: float = 0.0,
        leading: float = 28.95,
        align: str = "justify",
        highlight_color: colors.Color | None = HIGHLIGHT,
        final: bool = False,
        tracking: float = DEFAULT_TRACKING,
        measure: Measure = stringWidth,
        continues: bool = False,
        bold: bool = False,
    ) -> None:
        super().__init__()
        self.pieces = [p for p in pieces if p.text]
        self.first_indent = first_indent
        self.leading = leading
        self.align = _align(align)
        self.highlight_color = None if final else highlight_color
        self.final = final
        self.tracking = tracking
        self.measure = measure
        self.continues = continues  # the paragraph goes on in the next part: the last line is justified too
        self.bold = bold
        self._lines: dict[float, list[Line]] = {}
        self.origin: tuple[int, int] | None = None  # (block index, offset of its first character) for page records
        self.lines: list[Line] = []
        self.width = 0.0
        self.height = 0.0

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)

    def layout(self, width: float) -> list[Line]:
        """The lines for a frame `width`, computed once per width."""
        if width not in self._lines:
            lines = break_lines(self.pieces, width, self.measure, self.first_indent, self.tracking)
            if self.continues and lines:
                lines[-1] = replace(lines[-1], last=False)
            self._lines[width] = lines
        return self._lines[width]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Break for this width; the height is one leading per line."""
        self.lines = self.layout(availWidth)
        self.width, self.height = availWidth, len(self.lines) * self.leading
        return self.width, self.height

    def _fitting(self, count: int, availHeight: float) -> int:
        """How many lines to leave here: all that fit, but never one alone at either side of the split."""
        fit = min(int((availHeight + 1e-6) // self.leading), count - MIN_LINES)
        return fit if fit >= MIN_LINES else 0  # too few: the paragraph moves on whole

    def _part(self, pieces: list[Piece], lines: list[Line], width: float, first: bool, continues: bool) -> Justified:
        """One side of a split, with its lines already known for `width`."""
        part = Justified(
            pieces,
            first_indent=self.first_indent if first else 0.0,
            leading=self.leading,
            align=self.align,
            highlight_color=self.highlight_color,
            final=self.final,
            tracking=self.tracking,
            measure=self.measure,
            continues=continues,
            bold=self.bold,
        )
        part._lines[width] = lines
        return part

    def _moved(self, part: Justified, by: int) -> Justified:
        """`part`, knowing where its text starts in the block."""
        if self.origin is not None:
            part.origin = (self.origin[0], self.origin[1] + by)
        return part

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """Two paragraphs split between lines, or [] when too few lines fit (Platypus moves it on)."""
        lines = self.layout(availWidth)
        n = self._fitting(len(lines), availHeight)
        if n < 1:
            return []
        cut = sum(len(line.text) for line in lines[:n])
        head = [replace(line, last=False) for line in lines[:n]]
        first = self._part(slice_pieces(self.pieces, 0, cut), head, availWidth, True, True)
        rest = self._part(slice_pieces(self.pieces, cut, len(self.text)), lines[n:], availWidth, False, self.continues)
        return [self._moved(first, 0), self._moved(rest, cut)]

    def draw(self) -> None:
        """Each line in its slot: highlights first, then every cluster at its justified x."""
        canvas: Any = self.canv
        for i, line in enumerate(self.lines):
            slot_bottom = self.height - (i + 1) * self.leading
            xs = justify(line, self.align)
            self._highlight(canvas, line, xs, slot_bottom)
            self._draw_line(canvas, line, xs, slot_bottom)

    def _highlight(self, canvas: Any, line: Line, xs: Sequence[float], slot_bottom: float) -> None:
        """Rectangles behind runs tagged missing, one em high around the glyphs."""
        if self.highlight_color is None:
            return
        for x0, x1, size in _marked_spans(line, xs):
            canvas.saveState()
            canvas.setFillColor(self.highlight_color)
            bottom = baseline(slot_bottom, self.leading, size) - EM_DESCENT * size
            canvas.rect(x0, bottom - 1, x1 - x0, size + 2, stroke=0, fill=1)
            canvas.restoreState()

    def _draw_line(self, canvas: Any, line: Line, xs: Sequence[float], slot_bottom: float) -> None:
        """The clusters of one line; a cluster of several glyphs gets its tracking as character spacing."""
        # one text object for the line: a text object per glyph made drawing the slowest part of a build
        text = canvas.beginText()
        if self.bold:
            canvas.saveState()
            self._embolden(canvas, text, max(c.size for c in line.clusters))
        last_x = last_y = 0.0
        font: tuple[str, float] | None = None
        space = 0.0
        for cluster, x in zip(line.clusters, xs, strict=True):
            if font != (cluster.font, cluster.size):
                font = (cluster.font, cluster.size)
                text.setFont(cluster.font, cluster.size)
            wanted = self._char_space(cluster)
            if wanted != space:
                space = wanted
                text.setCharSpace(space)
            y = baseline(slot_bottom, self.leading, cluster.size)
            text.moveCursor(x - last_x, -(y - last_y)) if (last_x, last_y) != (0.0, 0.0) else text.setTextOrigin(x, y)
            last_x, last_y = x, y
            text.textOut(cluster.text)
        canvas.drawText(text)
        if self.bold:
            canvas.restoreState()

    @staticmethod
    def _embolden(canvas: Any, text: Any, size: float) -> None:
        """Bold drawn as fill and stroke: CJK fonts rarely come with a bold face, and Word and WPS
        draw a bold 仿宋 the same way."""
        canvas.setStrokeColor(canvas._fillColorObj)
        canvas.setLineWidth(size * EMBOLDEN)
        text.setTextRenderMode(2)

    def _char_space(self, cluster: Cluster) -> float:
        """The spacing that makes a multi-glyph cluster exactly as wide as the line breaker measured it."""
        if len(cluster.text) < 2:
            return 0.0
        natural = self.measure(cluster.text, cluster.font, cluster.size)
        return (cluster.width - natural) / len(cluster.text)
