"""A ReportLab font that draws each character with the first face of a chain that has it.

ReportLab gives a TrueType font no fallback: a character its face lacks is drawn as glyph 0, a blank
or a box, and the text loses it. `FallbackFont` stands where the role's font would: text is cut
into runs by the face that has each character (the role's face, then the faces behind it: the role's
later choices, then the wide-coverage faces), and each run is measured and subset by that face's own
`TTFont`, so every writer that draws text through ReportLab (paragraphs, table cells, chart labels,
page furniture) gets the fallback without knowing of it. A face behind the first is parsed only when
a character needs it: the sample never loads the 50 MB of Extension A and B faces.

A character no face has is drawn as `MARK` (a check finding names it before anything is drawn).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Container, Sequence
from typing import Any
from weakref import WeakKeyDictionary

MARK = "〓"  # 〓 (U+3013 GETA MARK): the typesetter's sign of a character without a type
_REMEMBERED = 1 << 16  # widths kept per font, at most
_STRIDE = 1 << 20  # subsets of member i are numbered i * _STRIDE + its own subset number

Loader = Callable[[], Any]  # parses and registers a face when first needed; its TTFont, or None


class _Face:
    """The chain's face as ReportLab's layout code reads it: the first member's metrics, its own name."""

    def __init__(self, first: Any, name: bytes) -> None:
        self._first = first
        self.name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._first, attr)


class FallbackFont:
    """Quacks like ReportLab's `TTFont` for measuring and drawing; the members do the embedding."""

    _dynamicFont = 1
    _multiByte = 1
    shapable = False

    def __init__(self, name: str, first: Any, behind: Sequence[tuple[Container[int], Loader]]) -> None:
        self.fontName = name
        self.face = _Face(first.face, f"chain-{name}".encode())
        self.encoding = first.encoding
        self.substitutionFonts: list[Any] = []
        self._first = first
        self._behind = list(behind)
        self._loaded: dict[int, Any] = {0: first}
        # a report measures the same few thousand strings over and over (a tenth of typing the PDF)
        self._widths: dict[tuple[str, float], float] = {}
        # and draws the same characters over and over: a character keeps its subset code within a
        # document once given one, so a text's runs are the same each time it is drawn in that document
        self._splits: WeakKeyDictionary[Any, dict[str, list[tuple[int, bytes]]]] = WeakKeyDictionary()

    @property
    def first(self) -> Any:
        """The role's own face, the `TTFont` the chain starts with."""
        return self._first

    def _member(self, index: int) -> Any:
        """Member `index` (0: the role's face), parsed on first use; None when it cannot be loaded."""
        if index not in self._loaded:
            self._loaded[index] = self._behind[index - 1][1]()
        return self._loaded[index]

    def _which(self, code: int) -> int:
        """The first member that has the character; -1 for none."""
        if code in self._first.face.charToGlyph:
            return 0
        for i, (characters, _) in enumerate(self._behind, start=1):
            if code in characters and self._member(i) is not None:
                return i
        return -1

    def runs(self, text: str) -> list[tuple[int, str]]:
        """The text cut into (member, run); a character no member has becomes `MARK` in the first."""
        c2g = self._first.face.charToGlyph
        if all(ord(ch) in c2g for ch in text):
            return [(0, text)] if text else []
        out: list[tuple[int, str]] = []
        for ch in text:
            member = self._which(ord(ch))
            if member < 0:
                member, ch = 0, MARK
            if out and out[-1][0] == member:
                out[-1] = (member, out[-1][1] + ch)
            else:
                out.append((member, ch))
        return out

    def stringWidth(self, text: str, size: float, encoding: str = "utf8") -> float:
        if isinstance(text, bytes):
            text = text.decode(encoding)
        key = (text, size)
        width = self._widths.get(key)
        if width is None:
            width = float(sum(self._member(m).stringWidth(run, size) for m, run in self.runs(text)))
            if len(self._widths) >= _REMEMBERED:
                self._widths.clear()
            self._widths[key] = width
        return width

    def splitString(self, text: str, doc: Any, encoding: str = "utf-8") -> list[tuple[int, bytes]]:
        """(subset, bytes) runs as `TTFont.splitString` gives them, a member's subsets numbered apart."""
        if isinstance(text, bytes):
            text = text.decode(encoding)
        known = self._splits.get(doc)
        if known is None:
            known = self._splits[doc] = {}
        out = known.get(text)
        if out is None:
            out = []
            for m, run in self.runs(text):
                out += [(m * _STRIDE + subset, data) for subset, data in self._member(m).splitString(run, doc)]
            if len(known) < _REMEMBERED:
                known[text] = out
        return out

    def getSubsetInternalName(self, subset: int, doc: Any) -> str:
        member, own = divmod(subset, _STRIDE)
        return str(self._member(member).getSubsetInternalName(own, doc))


def chain_name(first: str, behind: Sequence[object]) -> str:
    """A stable name for a role's face with the faces behind it."""
    digest = hashlib.sha1(repr([first, *behind]).encode()).hexdigest()[:8]
    return f"{first}+{digest}"
