"""Take a paragraph as pieces of text in fonts, produce lines broken and justified by Chinese rules.

Rules (GB/T 15834-2011 §5.1; docs/standards.md §Line breaking): closing punctuation, `%`, `——` and `……` never start a
line; opening punctuation never ends one; a dash or an ellipsis, a run of ASCII letters and digits,
a number with its unit or sign (`94.3%`, `1022.3万件`, `2020年`) and a `keep` piece are never split.
Ideographs break anywhere else. Lines are filled greedily; when the next line would start with a
forbidden character, that character is squeezed onto the line if it overflows by at most half a
character (行尾标点挤压), else the line backs up to the last allowed break. Justified lines spread
their spare (or missing) space over the gaps between clusters; a paragraph's last line is set at
natural spacing, left-aligned.

Pure functions: widths come from a `measure(text, font, size)` callable, every advance times `tracking`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Measure = Callable[[str, str, float], float]
Align = Literal["justify", "left", "center", "right"]

# 28 full-width characters of 16 pt fill the 156 mm text block exactly: 442.2047 pt / (28 × 16 pt)
DEFAULT_TRACKING = (156 * 72 / 25.4) / (28 * 16)
EPSILON = 1e-6  # points: widths that add up to the line width within rounding fit

NO_START = frozenset("。，、；：？！”’）〕】》〉」』〗］｝…—%％‰℃,.;:?!)]}·・ ")
NO_END = frozenset("“‘（〔【《〈「『〖［｛([{")
PAIRED = frozenset("—…")  # `——` and `……`: one cluster, never split
UNITS = frozenset("万亿千百十件个人次年月日号时分秒元岁家项条类名位户起天倍余多米吨台辆所期批份套成点周度例篇场届％‰℃")
MAX_UNIT_CHARS = 3  # `1022.3万件`, `100万人次`
SIGNS = frozenset("¥￥$±−＋－")
URL_BREAKS = frozenset("/.?&")  # a URL may break after these: its natural points


@dataclass(frozen=True)
class Piece:
    """A run of text in one font; `keep` runs are never broken; `tag` marks it for the writer (e.g. "missing")."""

    text: str
    font: str
    size: float
    tag: object | None = None
    keep: bool = False


@dataclass(frozen=True)
class Cluster:
    """Glyphs drawn as one string; space is spread only between clusters. `width` includes tracking."""

    text: str
    font: str
    size: float
    tag: object | None
    width: float


@dataclass(frozen=True)
class Line:
    """One line: its clusters, where it starts (the first line's indent) and the width it has."""

    clusters: tuple[Cluster, ...]
    indent: float
    width: float
    last: bool
    forced: bool = False  # broken against the rules because nothing else fitted

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.clusters)

    @property
    def natural(self) -> float:
        """The width at natural spacing."""
        return sum(c.width for c in self.clusters)


# ---------------------------------------------------------------- where breaks may fall


def _is_ascii_word(ch: str) -> bool:
    """A character of a run never split: printable ASCII except the space."""
    return "!" <= ch <= "~"


def _bound(a: str, b: str) -> bool:
    """Whether adjacent characters belong to one drawn cluster: ASCII runs, `——`, `……`."""
    return (_is_ascii_word(a) and _is_ascii_word(b)) or (a == b and a in PAIRED)


def _unit_glue(text: str) -> set[int]:
    """Boundaries (index of the right character) between a number and its unit or sign."""
    glued: set[int] = set()
    for k, ch in enumerate(text):
        if ch in SIGNS and k + 1 < len(text) and text[k + 1].isdigit():
            glued.add(k + 1)
        if not (ch.isascii() and ch.isdigit()):
            continue
        j = k + 1
        while j < len(text) and _is_ascii_word(text[j]):
            j += 1  # the rest of the number, e.g. `.3`
        if j > k + 1:
            continue  # the number goes on: its last character carries the unit
        while j < len(text) and j - k <= MAX_UNIT_CHARS and text[j] in UNITS:
            glued.add(j)
            j += 1
    return glued


def _owners(pieces: Sequence[Piece]) -> list[int]:
    """For every character of the paragraph, the index of its piece."""
    return [i for i, piece in enumerate(pieces) for _ in piece.text]


def _glue(text: str, owner: Sequence[int], pieces: Sequence[Piece]) -> list[int]:
    """`glue[k]`: how strongly a line is kept from breaking between characters k-1 and k (FREE, SOFT, HARD)."""
    units = _unit_glue(text)
    glue = [FREE] * len(text)
    for k in range(1, len(text)):
        a, b = text[k - 1], text[k]
        same_keep = owner[k - 1] == owner[k] and pieces[owner[k]].keep
        if b in NO_START or a in NO_END:
            glue[k] = HARD
        elif same_keep or k in units:
            glue[k] = SOFT
    return glue


# ---------------------------------------------------------------- clusters


# How strongly a line is kept from breaking before a cluster: the fallbacks, weakest glue first,
# for a chain that cannot fit on a line of its own.
FREE, SOFT, HARD = 0, 1, 2  # a break allowed; a number and its unit, or a keep piece; a punctuation rule


@dataclass(frozen=True)
class _Unit:
    """A cluster and how strongly a line is kept from breaking before it."""

    cluster: Cluster
    glue: int

    @property
    def breakable(self) -> bool:
        return self.glue == FREE


def _clusters(pieces: Sequence[Piece], measure: Measure, tracking: float) -> list[_Unit]:
    """The paragraph cut into clusters: runs of bound characters within one piece."""
    text = "".join(p.text for p in pieces)
    owner = _owners(pieces)
    glue = _glue(text, owner, pieces)
    units: list[_Unit] = []
    start = 0
    for k in range(1, len(text) + 1):
        if k < len(text) and owner[k] == owner[k - 1] and _bound(text[k - 1], text[k]):
            continue
        piece = pieces[owner[start]]
        chunk = text[start:k]
        width = measure(chunk, piece.font, piece.size) * tracking
        units.append(_Unit(Cluster(chunk, piece.font, piece.size, piece.tag, width), glue[start] if start else FREE))
        start = k
    return units


# ---------------------------------------------------------------- the last resort: tokens no rule breaks


def _is_url(text: str) -> bool:
    return "://" in text or text.lower().startswith("www.")


def _url_cuts(text: str) -> list[str]:
    """A URL cut after each `/`, `.`, `?` and `&` (a run of them, `//`, stays together)."""
    out: list[str] = []
    start = 0
    for k, ch in enumerate(text[:-1]):
        if ch in URL_BREAKS and text[k + 1] not in URL_BREAKS:
            out.append(text[start : k + 1])
            start = k + 1
    return [*out, text[start:]]


def _chunks(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """`text` cut where a URL may break, each piece still wider than `width` cut to single characters."""
    pieces = _url_cuts(text) if _is_url(text) else [text]
    return [part for piece in pieces for part in (piece if measure(piece) > width + EPSILON else [piece])]


def _measure_with(measure: Measure, cluster: Cluster, tracking: float) -> Callable[[str], float]:
    return lambda text: measure(text, cluster.font, cluster.size) * tracking


def _split_wide(units: Sequence[_Unit], width: float, measure: Measure, tracking: float) -> list[_Unit]:
    """Clusters wider than a line, and URLs, cut so that nothing runs past the line's end: a URL at its
    natural points, any other token anywhere; the punctuation rules still hold between the cuts."""
    out: list[_Unit] = []
    for unit in units:
        c = unit.cluster
        if len(c.text) < 2 or (c.width <= width + EPSILON and not _is_url(c.text)):
            out.append(unit)
            continue
        previous = ""
        for chunk in _chunks(c.text, width, _measure_with(measure, c, tracking)):
            glue = unit.glue if not previous else HARD if chunk[0] in NO_START or previous[-1] in NO_END else FREE
            width_of = measure(chunk, c.font, c.size) * tracking
            out.append(_Unit(Cluster(chunk, c.font, c.size, c.tag, width_of), glue))
            previous = chunk
    return out


# ---------------------------------------------------------------- filling lines


def _fit(units: Sequence[_Unit], start: int, avail: float) -> tuple[int, float]:
    """The end of the longest run of clusters from `start` that fits in `avail`, and its width."""
    end, total = start, 0.0
    while end < len(units) and total + units[end].cluster.width <= avail + EPSILON:
        total += units[end].cluster.width
        end += 1
    return end, total


def _next_break(units: Sequence[_Unit], k: int) -> int:
    """The first index ≥ k before which a line may break (or the end)."""
    while k < len(units) and not units[k].breakable:
        k += 1
    return k


def _squeeze(units: Sequence[_Unit], end: int, total: float, avail: float) -> int | None:
    """The end after squeezing forbidden-start punctuation onto the line (overflow ≤ half a character)."""
    first = units[end].cluster
    if first.text[0] not in NO_START:
        return None
    stop = _next_break(units, end + 1)
    overflow = total + sum(u.cluster.width for u in units[end:stop]) - avail
    return stop if overflow <= first.size / 2 + EPSILON else None


def _last_break(units: Sequence[_Unit], start: int, end: int, level: int = FREE) -> int | None:
    """The last index in (start, end] before which a line may break, breaking glue up to `level`."""
    return next((k for k in range(end, start, -1) if units[k].glue <= level), None)


def _line_end(units: Sequence[_Unit], start: int, avail: float) -> tuple[int, bool]:
    """Where the line from `start` ends, and whether that break is forced against the rules."""
    end, total = _fit(units, start, avail)
    if end == len(units) or (end > start and units[end].breakable):
        return end, False
    if end > start:
        squeezed = _squeeze(units, end, total, avail)
        if squeezed is not None:
            return squeezed, False
        back = _last_break(units, start, end)
        if back is not None:
            return back, False
        soft = _last_break(units, start, end, SOFT)  # a chain longer than the line: split a number first
        return end if soft is None else soft, True
    return start + 1, True  # a character wider than the line: alone


def break_lines(
    pieces: Sequence[Piece],
    width: float,
    measure: Measure,
    first_indent: float = 0.0,
    tracking: float = DEFAULT_TRACKING,
) -> list[Line]:
    """The paragraph's lines for a line width (points); the first line starts `first_indent` in."""
    units = _clusters([p for p in pieces if p.text], measure, tracking)
    units = _split_wide(units, width - max(first_indent, 0.0), measure, tracking)
    lines: list[Line] = []
    start = 0
    while start < len(units):
        indent = first_indent if not lines else 0.0
        end, forced = _line_end(units, start, width - indent)
        clusters = tuple(u.cluster for u in units[start:end])
        lines.append(Line(clusters, indent, width - indent, end == len(units), forced))
        start = end
    return lines


# ---------------------------------------------------------------- placing clusters


def _spread(line: Line, x0: float, gap: float) -> list[float]:
    """The x of each cluster from `x0`, with `gap` added between clusters."""
    xs: list[float] = []
    x = x0
    for cluster in line.clusters:
        xs.append(x)
        x += cluster.width + gap
    return xs


def justify(line: Line, align: Align = "justify") -> list[float]:
    """The x of each cluster of the line, from the left edge of the text (the indent included).

    Justified lines but the last fill their width exactly; a line wider than its width (squeezed
    punctuation) is compressed whatever the alignment; otherwise left, centred or right at natural spacing."""
    spare = line.width - line.natural
    gaps = len(line.clusters) - 1
    if gaps > 0 and (spare < 0 or (align == "justify" and not line.last)):
        return _spread(line, line.indent, spare / gaps)
    shift = {"center": spare / 2, "right": spare}.get(align, 0.0) if spare > 0 else 0.0
    return _spread(line, line.indent + shift, 0.0)
