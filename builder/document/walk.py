"""Where each printed figure sits in the document tree: part, heading, paragraph, table cell or chart point.

The occurrence key (`总量.电话反映.占比@1`) is stable across builds of editions with the same
structure: the figure's own id and which printing of it this is, in reading order. The proof
list, `builder diff`, the redline and `builder refresh` all speak of figures by it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from builder.document import Block, Chart, Document, Figure, Heading, Paragraph, Table


@dataclass(frozen=True)
class Placed:
    figure: Figure
    key: str  # `<figure id>@<n>`: the n-th printing of that figure, counting from 1
    block: int  # index of the block in the document
    part: str  # the level-1 heading it falls under ("" before the first)
    heading: str  # the nearest heading above it, number included
    where: str  # 第3段 / 表2第4行第2列 / 图5“受理量”“1月”


def placed_figures(document: Document) -> list[Placed]:
    """Every figure run of the document, in reading order, with its place."""
    seen: Counter[str] = Counter()
    out: list[Placed] = []
    part = heading = ""
    paragraph_no = 0
    for index, block in enumerate(document.blocks):
        if isinstance(block, Heading):
            heading = block.number + block.text
            if block.level == 1:
                part, paragraph_no = heading, 0
            continue
        if isinstance(block, Paragraph):
            paragraph_no += 1
        for figure, where in _figures_of(block, paragraph_no):
            seen[figure.id] += 1
            out.append(Placed(figure, f"{figure.id}@{seen[figure.id]}", index, part, heading, where))
    return out


def _figures_of(block: Block, paragraph_no: int) -> Iterator[tuple[Figure, str]]:
    if isinstance(block, Paragraph):
        for run in block.runs:
            if isinstance(run, Figure):
                yield run, f"第{paragraph_no}段"
    elif isinstance(block, Table):
        for r, row in enumerate((*block.header, *block.rows), start=1):
            for c, cell in enumerate(row, start=1):
                for run in cell.runs:
                    if isinstance(run, Figure):
                        yield run, f"表{block.number}第{r}行第{c}列"
    elif isinstance(block, Chart):
        for series in block.series:
            for category, point in zip(block.categories, series.points, strict=True):
                yield point, f"图{block.number}“{series.name}”“{category}”"


def keys_by_position(document: Document) -> dict[tuple[int, int], str]:
    """(block index, n-th figure within the block, from 0) -> occurrence key, for writers that tag figures."""
    out: dict[tuple[int, int], str] = {}
    counts: Counter[int] = Counter()
    for placed in placed_figures(document):
        out[(placed.block, counts[placed.block])] = placed.key
        counts[placed.block] += 1
    return out
