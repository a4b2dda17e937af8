"""Take the story's flowables, produce the chart sizes that fill its pages: a quick simulation of the
pagination `floats.Placer` and Platypus make, repaired page by page.

Where a page would be left less than `TARGET` full (it is not the last of its part) because a
float could not stay on it, the charts on that page and the one before are drawn at 85 % from the
start, so that more text reaches the earlier page and the float finds room; a repair is kept only
if every page up to the one it was for is then full enough (docs/standards.md §Pages filled).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.platypus import Flowable
from reportlab.platypus import PageBreak as RLPageBreak

from builder.writers.pdf.floats import EPSILON, MIN_SCALE, TALL, End, Float, heading_level
from builder.writers.pdf.paragraph import Justified

TARGET = 0.8  # every page but a part's last is filled to this share of the text block
MARGIN = 0.02  # planned with this to spare: a page's last glyphs end above the bottom of their line
LOOK_BACK = 2  # pages before a short one whose charts may shrink to fill it
MAX_ROUNDS = 60


@dataclass(frozen=True)
class Item:
    """A flowable as the simulation sees it."""

    kind: str  # "text" (splits between lines), "float", "block" (kept whole), "break", "end"
    height: float  # a line's height for text; the whole height otherwise
    lines: int = 1
    low: float = 0.0  # the least a float may shrink to
    top_gap: float = 0.0  # a float's space above it, left out at the top of a page
    splits: float = 0.0  # a table: the least room it splits in
    repeat: float = 0.0  # a table: the header it repeats after a split
    level: int = 0  # a float's level
    heading: int | None = None  # a heading's level
    needs: float = 0.0  # a heading: itself and a line of what follows
    float_at: int = -1  # the float's index in the story


@dataclass
class Page:
    used: float = 0.0
    floats: list[int] | None = None
    last_of_part: bool = False


def items(story: Sequence[Flowable], width: float) -> list[Item]:
    """The story as items; a heading kept whole with a chart or table after it is one block."""
    out: list[Item] = []
    glued = 0.0
    for at, f in enumerate(story):
        if isinstance(f, Justified) and f.getKeepWithNext():
            glued += f.wrap(width, TALL)[1]
            continue
        if isinstance(f, Float) and not glued:
            natural, low = f.heights(width)
            gap = natural - f.heights(width, at_top=True)[0]
            out.append(
                Item("float", natural, low=low, level=f.level, float_at=at, top_gap=gap, splits=f.splits, repeat=f.repeat)
            )
        elif isinstance(f, Justified) and not glued:
            lines = len(f.layout(width))
            out.append(Item("text", f.leading, lines, heading=heading_level(f), needs=getattr(f, "needs", 0.0)))
        elif isinstance(f, RLPageBreak):
            out.append(Item("break", 0.0))
        elif isinstance(f, End):
            out.append(Item("end", 0.0))
        else:
            height = f.heights(width)[0] if isinstance(f, Float) else f.wrap(width, TALL)[1]
            out.append(Item("block", glued + height))
        glued = 0.0
    return out


def _barrier(item: Item, level: int) -> bool:
    return item.kind in ("float", "break", "end") or (item.heading is not None and item.heading <= level)


def simulate(story: list[Item], page_height: float, capped: frozenset[int]) -> list[Page]:
    """The pages the story fills, `capped` floats drawn at their least height."""
    pages = [Page(floats=[])]
    queue: list[tuple[Item, int]] = [(item, item.lines) for item in story]
    waiting: list[tuple[Item, int]] = []
    waiting_page = 0

    def new_page(explicit: bool = False) -> None:
        pages[-1].last_of_part = explicit
        pages.append(Page(floats=[]))

    while queue:
        page = pages[-1]
        if waiting and len(pages) - 1 != waiting_page:
            queue[0:0], waiting = waiting, []
        elif waiting and _barrier(queue[0][0], waiting[0][0].level):
            queue[0:0], waiting = waiting, []
            new_page()
            continue
        item, lines = queue.pop(0)
        avail = page_height - page.used
        at_top = page.used <= EPSILON
        if item.kind == "end":
            pages[-1].last_of_part = True
        elif item.kind == "break" and not at_top:
            new_page(True)
        elif item.kind == "break" and len(pages) > 1:
            pages[-2].last_of_part = True
        elif item.needs > avail + EPSILON and not at_top:
            queue.insert(0, (item, lines))
            new_page()
        elif item.kind == "float":
            natural = item.low if item.float_at in capped else item.height
            if at_top:
                natural -= item.top_gap
            if natural <= avail + EPSILON or at_top:
                page.used += natural
                assert page.floats is not None
                page.floats.append(item.float_at)
            elif item.low - (item.top_gap if at_top else 0.0) <= avail + EPSILON:
                page.used = page_height
                assert page.floats is not None
                page.floats.append(item.float_at)
            elif queue and not _barrier(queue[0][0], item.level):
                waiting, waiting_page = [(item, lines)], len(pages) - 1
            elif item.splits and item.splits <= avail + EPSILON:  # the table splits: its rest a block
                rest = item.height - item.top_gap - avail + item.repeat
                page.used = page_height
                queue.insert(0, (Item("block", rest), 1))
                new_page()
            else:
                queue.insert(0, (item, lines))
                new_page()
        elif item.kind == "text":
            fit = min(int((avail + EPSILON) // item.height), lines)
            if fit == lines:
                page.used += lines * item.height
            elif fit >= 1:
                page.used += fit * item.height
                queue.insert(0, (item, lines - fit))
                new_page()
            else:
                queue.insert(0, (item, lines))
                new_page()
        elif item.height <= avail + EPSILON or at_top:
            page.used += item.height
        else:
            queue.insert(0, (item, lines))
            new_page()
    return pages


def _short(pages: list[Page], page_height: float) -> list[int]:
    return [n for n, p in enumerate(pages) if not p.last_of_part and p.used < (TARGET + MARGIN) * page_height]


def capped_floats(story: Sequence[Flowable], width: float, page_height: float) -> frozenset[int]:
    """The floats (by story index) to draw at their least height so that pages are filled."""
    plan = items(story, width)
    shrinkable = {i.float_at for i in plan if i.kind == "float" and i.low < i.height - EPSILON}
    capped: frozenset[int] = frozenset()
    given_up: set[int] = set()
    for _ in range(MAX_ROUNDS):
        pages = simulate(plan, page_height, capped)
        bad = [n for n in _short(pages, page_height) if n not in given_up]
        if not bad:
            break
        page = bad[0]
        window = range(max(page - LOOK_BACK, 0), page + 1)
        nearby = [f for n in window for f in pages[n].floats or [] if f in shrinkable and f not in capped]
        for trial in _trials(nearby):
            tried = capped | trial
            short = _short(simulate(plan, page_height, tried), page_height)
            if all(n > page or n in given_up for n in short):
                capped = tried
                break
        else:
            given_up.add(page)
    return capped


def _trials(floats: list[int]) -> list[frozenset[int]]:
    """Sets of floats to shrink, fewest first."""
    return [frozenset(c) for size in range(1, len(floats) + 1) for c in itertools.combinations(floats, size)]


def apply(story: Sequence[Flowable], width: float, page_height: float) -> None:
    """Cap the charts the plan shrinks."""
    for at in capped_floats(story, width, page_height):
        float_ = story[at]
        assert isinstance(float_, Float)
        float_.limit(MIN_SCALE)
