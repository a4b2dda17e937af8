"""The look every chart drawing shares: its palette, ink, sizes and markers."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.colors import Color, HexColor

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


