"""The one walk over the document tree: every block with the part and heading above it, and every
printed figure with its place.

The occurrence key (`总量.电话反映.占比@1`) is stable across builds of editions with the same
structure: the figure's own id and which printing of it this is, in reading order. The proof
list, `builder diff`, the redline, `builder refresh` and the DOCX's content controls all speak of
figures by it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from builder.document import Block, Chart, Document, Figure, Heading, Inline, Paragraph, Table


@dataclass(frozen=True)
class Place:
    """A block and where it sits; a heading is its own nearest heading (and part, at level 1)."""

    index: int  # of the block in the document
    block: Block
    part: str  # the level-1 heading it falls under, number included ("" before the first)
    part_text: str  # the same without its number
    heading: str  # the nearest heading above it, number included
    heading_text: str  # the same without its number
    paragraph: int  # paragraphs counted from 1 within the part, this one included


@dataclass(frozen=True)
class Placed:
    figure: Figure
    key: str  # `<figure id>@<n>`: the n-th printing of that figure, counting from 1
    block: int  # index of the block in the document
    part: str  # the level-1 heading it falls under ("" before the first)
    heading: str  # the nearest heading above it, number included
    where: str  # 第3段 / 表2第4行第2列 / 图5“受理量”“1月”
    before: str  # the text of its paragraph or table cell before it ("" for a chart point)

    @property
    def in_text(self) -> bool:
        """Printed in a paragraph or a table cell, not plotted in a chart."""
        return not self.where.startswith("图")


def places(document: Document) -> Iterator[Place]:
    """Every block of the document in reading order, with its part, heading and paragraph number."""
    part = part_text = heading = heading_text = ""
    paragraph = 0
    for index, block in enumerate(document.blocks):
        if isinstance(block, Heading):
            heading, heading_text = block.number + block.text, block.text
            if block.level == 1:
                part, part_text, paragraph = heading, block.text, 0
        elif isinstance(block, Paragraph):
            paragraph += 1
        yield Place(index, block, part, part_text, heading, heading_text, paragraph)


def placed_figures(document: Document) -> list[Placed]:
    """Every figure run of the document, in reading order, with its place."""
    seen: Counter[str] = Counter()
    out: list[Placed] = []
    for place in places(document):
        for figure, where, before in _figures_of(place):
            seen[figure.id] += 1
            key = f"{figure.id}@{seen[figure.id]}"
            out.append(Placed(figure, key, place.index, place.part, place.heading, where, before))
    return out


def block_figures(block: Block) -> list[Figure]:
    """The figure runs of one block, in reading order (a chart's points series by series)."""
    if isinstance(block, Paragraph):
        return [r for r in block.runs if isinstance(r, Figure)]
    if isinstance(block, Table):
        return [r for row in (*block.header, *block.rows) for c in row for r in c.runs if isinstance(r, Figure)]
    if isinstance(block, Chart):
        return [p for s in block.series for p in s.points]
    return []


def figures(document: Document) -> list[Figure]:
    """Every figure run of the document, in reading order."""
    return [figure for block in document.blocks for figure in block_figures(block)]


def keys_by_position(document: Document) -> dict[tuple[int, int], str]:
    """(block index, n-th figure within the block, from 0) -> occurrence key, for writers that tag figures."""
    out: dict[tuple[int, int], str] = {}
    counts: Counter[int] = Counter()
    for placed in placed_figures(document):
        out[(placed.block, counts[placed.block])] = placed.key
        counts[placed.block] += 1
    return out


def _figures_of(place: Place) -> Iterator[tuple[Figure, str, str]]:
    block = place.block
    if isinstance(block, Paragraph):
        yield from _in_runs(block.runs, f"第{place.paragraph}段")
    elif isinstance(block, Table):
        for r, row in enumerate((*block.header, *block.rows), start=1):
            for c, cell in enumerate(row, start=1):
                yield from _in_runs(cell.runs, f"表{block.number}第{r}行第{c}列")
    elif isinstance(block, Chart):
        for series in block.series:
            for category, point in zip(block.categories, series.points, strict=True):
                yield point, f"图{block.number}“{series.name}”“{category}”", ""


def _in_runs(runs: tuple[Inline, ...], where: str) -> Iterator[tuple[Figure, str, str]]:
    before = ""
    for run in runs:
        if isinstance(run, Figure):
            yield run, where, before
        before += run.text
