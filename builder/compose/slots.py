"""What a part template sees: figures as slots, blocks as markers, headings as calls.

Printing a slot in a template places a Figure run; printing a block marker on a paragraph of
its own places a chart or table there. The template decides wording and order; the composer
decides what the figures and blocks are.

The markers are private-use characters, which no input may hold (the workbook's names and an
edition's templates are refused with them), so rendered text is admitted here: its control
characters dropped (a tab kept in a paragraph), and refused (`Unprintable`) when it still holds
a private-use or non-character that is not one of this rendering's markers in its place, which
only an expression can make (`{{ '\\ue000' }}`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from builder.compose import printing
from builder.document import MISSING_TEXT, Block, Chart, Figure, FigureState, Heading, Inline, Paragraph, para
from builder.figures.derived import Derived, Ledger
from builder.model.text import describe, drop_controls, first_unfit
from builder.model.values import Value

_FIGURE = re.compile("\ue000(\\d{1,9})\ue001")
_BLOCK = re.compile("\ue002(\\d{1,9})\ue003")
TOP = 10  # a ranking names ten at most: 前十类
MAX_HEADING = 200  # characters of a heading a template places: a heading is a line, not a paragraph


class Unprintable(ValueError):
    """Rendered text holds what no document can carry; the message says what, in the user's words."""


class Marks:
    """Figures and blocks placed in rendered text, each behind a private-use marker."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []
        self.blocks: list[Block] = []

    def figure(self, fig: Figure) -> str:
        self.figures.append(fig)
        return f"\ue000{len(self.figures) - 1}\ue001"

    def block(self, block: Block) -> str:
        self.blocks.append(block)
        return f"\n\n\ue002{len(self.blocks) - 1}\ue003\n\n"

    def runs(self, text: str, keep: str = "\t") -> list[Inline | str]:
        """A paragraph's rendered text as text and Figure runs; a marker this rendering did not
        place stays text, and is refused with it."""
        out: list[Inline | str] = []
        pos = 0
        for m in _FIGURE.finditer(text):
            index = int(m.group(1))
            if index >= len(self.figures):
                continue
            out.append(_admitted(text[pos : m.start()], keep))
            out.append(self.figures[index])
            pos = m.end()
        out.append(_admitted(text[pos:], keep))
        return out

    def plain(self, text: str) -> str:
        """Rendered text with each figure's printed text in place of its marker (a title is plain
        text, one line: no control character is kept)."""
        return "".join(run if isinstance(run, str) else run.text for run in self.runs(text, keep=""))

    def heading(self, level: int, text: object) -> str:
        """The marker of a heading a template places, its text admitted as a title's is."""
        shown = self.plain(str(text))
        if len(shown) > MAX_HEADING:
            raise Unprintable(f"给出的标题过长（{len(shown)}字，上限{MAX_HEADING}字）")
        return self.block(Heading(level, "", shown))

    def blocks_of(self, text: str) -> list[Block]:
        """Rendered text as blocks: paragraphs split on blank lines, block markers in place."""
        out: list[Block] = []
        for chunk in re.split(r"\n\s*\n", text.strip()):
            joined = "".join(line.strip() for line in chunk.splitlines())
            whole = _BLOCK.fullmatch(joined)
            if whole and int(whole.group(1)) < len(self.blocks):
                out.append(self.blocks[int(whole.group(1))])
            elif joined:
                out.append(para(*self.runs(joined)))
        return out


class Slot:
    """A figure as a template sees it: `{{ slot }}` places its Figure run, with optional words."""

    def __init__(self, marks: Marks, fig: Figure, before: str = "", after: str = "") -> None:
        self._marks, self._fig, self._before, self._after = marks, fig, before, after

    def __str__(self) -> str:
        return self._before + self._marks.figure(self._fig) + self._after

    @property
    def 缺(self) -> bool:
        """True when the figure has no value: a template may then choose other words."""
        return self._fig.value is None


class Figs:
    """Makes slots from workbook values and derived figures for one rendering."""

    def __init__(self, marks: Marks, ledger: Ledger) -> None:
        self.marks = marks
        self.ledger = ledger

    def d(self, key: str) -> Derived:
        return self.ledger[key]

    def count(self, src: Value | Derived, **kw: Any) -> Slot:
        return Slot(self.marks, printing.count(src, **kw))

    def pct(self, src: Value | Derived, places: int = 2) -> Slot:
        return Slot(self.marks, printing.percent(src, places=places))

    def growth(self, src: Derived | None, places: int = 2, prefix: str = "") -> Slot | str:
        """“上升53.01%”, “下降…%” or “持平”: the word follows the rounded figure; `prefix` goes before the word."""
        if src is None:
            return ""
        word, fig = printing.growth(src, places=places)
        if word == "持平":
            return "与上年持平" if prefix else "持平"
        return Slot(self.marks, fig, before=prefix + word)

    def per_capita(self, src: Derived) -> Slot:
        return Slot(self.marks, printing.per_capita(src))

    def amount(self, src: Value, unit: str, *, chinese: bool = False) -> Slot:
        """An indicator with its unit; a missing one prints 【待补】 and still its unit."""
        fig = printing.amount(src, unit, chinese=chinese)
        return Slot(self.marks, fig, after=unit if fig.value is None else "")

    def block(self, block: Block) -> str:
        """A chart or table placed on a paragraph of its own; a chart with nothing to plot is left out
        (its figures are missing from the text too, where they print 【待补】)."""
        if isinstance(block, Chart) and all(v is None for s in block.series for v in s.values):
            return ""
        return self.marks.block(block)

    def unknown(self, key: str, *sheets: str) -> Slot:
        """A name the data does not give (a ranking with no rows, a leader of nothing): 【待补】, a
        missing figure like any other, so a draft marks it and a final build refuses it."""
        return Slot(self.marks, Figure(key, MISSING_TEXT, None, sheets, state=FigureState.MISSING))

    def first(self, ranked: Sequence[str], key: str, *sheets: str) -> str | Slot:
        """The first of a ranking, or 【待补】 when it has none."""
        return ranked[0] if ranked else self.unknown(key, *sheets)

    def names(self, ranked: Sequence[str], key: str, *sheets: str, limit: int = TOP) -> str | Slot:
        """Up to `limit` names joined with 、, or 【待补】 when there are none."""
        return "、".join(ranked[:limit]) if ranked else self.unknown(key, *sheets)

    def pct_of(self, key: str, places: int = 2) -> Slot:
        """A derived share or rate by key; 【待补】 when the ledger has no such figure."""
        found = self.ledger.get(key)
        return self.pct(found, places) if found is not None else self.unknown(key)

    def heading(self, level: int) -> Callable[[str], str]:
        """A template call that places a heading of `level`; its number is set when the report is assembled."""
        return lambda text: self.marks.heading(level, text)


def _admitted(text: str, keep: str) -> str:
    """Rendered text without its control characters (but `keep`), or `Unprintable`."""
    text = drop_controls(text, keep)
    found = first_unfit(text, controls=False)
    if found is not None:
        raise Unprintable(f"输出了{describe(found.group())}（由表达式生成，或不是在此处生成的标记）：请删去")
    return text


def plain(paragraph: Paragraph) -> str:
    return paragraph.text
