"""Charts and tables as floats: take the flowables about to be placed, produce them in the order that fills pages.

A chart or table that does not fit what is left of a page goes to the top of the next page, and
the paragraphs after it fill the space, up to the next heading of its own level or above, the
next figure or a page break; a chart shrinks to as little as 85 % of its natural height to stay
where it is. A float waits for one page at most, keeps its caption, and floats keep their order,
so their numbers read in order (docs/standards.md §Pages filled).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Flowable, KeepTogether, Spacer
from reportlab.platypus import PageBreak as RLPageBreak

MIN_SCALE = 0.85  # a chart may shrink to this share of its natural height to stay on its page
TALL = 1e6  # points: room enough to measure any flowable's natural height
EPSILON = 1e-6

Make = Callable[[float], list[Flowable]]  # the float's flowables, its chart drawn at a share of its height


class Float(KeepTogether):  # type: ignore[misc]
    """A chart or table with its caption. Placed by `Placer`; met anywhere else (inside another
    keep-together group), it behaves as one group kept together."""

    def __init__(self, make: Make, level: int, *, shrinks: bool, block: int, splits: float = 0.0) -> None:
        super().__init__(make(1.0))
        self.make, self.level, self.shrinks, self.block = make, level, shrinks, block
        self.splits = splits  # a table: the height of its caption, header and first rows, the least it splits after
        self.repeat = 0.0  # a table: the height of the header rows it repeats on the next page
        self.cap = 1.0  # the largest share of its height the chart is drawn at (set by the page plan)

    def limit(self, cap: float) -> None:
        """Draw the chart at no more than `cap` of its natural height."""
        self.cap = cap
        self._content = self.make(cap)

    def content(self, at_top: bool = False) -> list[Flowable]:
        """Its flowables; at the top of a page without the space that sets it off from the text above."""
        if at_top and self._content and isinstance(self._content[0], Spacer):
            return list(self._content[1:])
        return list(self._content)

    def heights(self, width: float, at_top: bool = False) -> tuple[float, float]:
        """The height at the cap, and the least it may shrink to."""
        full = _height(self.content(at_top), width)
        if not self.shrinks:
            return full, full
        drawn = sum(f.height for f in self._content if isinstance(f, Drawing))
        return full, full - drawn * (self.cap - MIN_SCALE) / self.cap

    def fitted(self, width: float, avail: float, at_top: bool = False) -> list[Flowable] | None:
        """The flowables that fit in `avail` points, shrunk if need be and allowed; None if none fit."""
        natural, low = self.heights(width, at_top)
        if natural <= avail + EPSILON:
            return [KeepTogether(self.content(at_top))]
        if low > avail + EPSILON:
            return None
        # the drawing's height grows linearly with its scale
        scale = self.cap - (natural - avail) / (natural - low) * (self.cap - MIN_SCALE) - EPSILON
        made = self.make(max(MIN_SCALE, scale))
        return [KeepTogether(made[1:] if at_top and isinstance(made[0], Spacer) else made)]

    def whole(self, at_top: bool = False) -> list[Flowable]:
        return [KeepTogether(self.content(at_top))]

    def split_here(self) -> list[Flowable]:
        """A table's flowables free to split between rows (its header repeats on the next page), its
        caption on this page with the header and two rows at least."""
        parts = self.content()
        caption = next(f for f in parts if not isinstance(f, Spacer))
        caption.keepWithNext = False
        caption.needs = self.splits
        return parts


class End(Flowable):  # type: ignore[misc]
    """The end of the story: floats still waiting are placed before it."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        pass


def _height(flowables: list[Flowable], width: float) -> float:
    return float(sum(f.wrap(width, TALL)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables))


def heading_level(flowable: Flowable) -> int | None:
    mark = getattr(flowable, "heading", None)
    return None if mark is None else int(mark[1])


def is_barrier(flowable: Flowable, level: int) -> bool:
    """Whether a float waiting at `level` may not be passed by this flowable."""
    if isinstance(flowable, Float | RLPageBreak | End):
        return True
    found = heading_level(flowable)
    return found is not None and found <= level


class Placer:
    """The floats waiting for the next page, and the reordering that lets paragraphs pass them."""

    def __init__(self) -> None:
        self.waiting: list[Float] = []
        self.page = 0

    def arrange(self, doc: Any, flowables: list[Flowable]) -> None:
        """Reorder the front of `flowables` before the document template places the first."""
        if self.waiting and doc.page != self.page:  # a new page: the floats waiting go first
            flowables[0:0] = self.waiting
            self.waiting = []
        elif self.waiting and is_barrier(flowables[0], self.waiting[0].level):
            flowables[0:0] = [RLPageBreak(), *self.waiting]
            self.waiting = []
            return
        first = flowables[0]
        frame = getattr(doc, "frame", None)
        if frame is None:  # before the first page
            return
        avail = frame._y - frame._y1p
        needs = getattr(first, "needs", 0.0)  # a heading: itself and a line of what follows
        if needs > avail + EPSILON and not frame._atTop:
            flowables.insert(0, RLPageBreak())
            return
        if not isinstance(first, Float):
            return
        parts = first.fitted(frame._getAvailableWidth(), avail, frame._atTop)
        if parts is not None or frame._atTop:
            flowables[0:1] = parts if parts is not None else first.whole(at_top=True)
        elif len(flowables) > 1 and not is_barrier(flowables[1], first.level):
            del flowables[0]
            self.waiting, self.page = [first], doc.page
        elif first.splits and first.splits <= avail + EPSILON:  # a table with no text to fill: it splits
            flowables[0:1] = first.split_here()
        else:  # to the top of the next page, where it is placed without the space above it
            flowables.insert(0, RLPageBreak())
