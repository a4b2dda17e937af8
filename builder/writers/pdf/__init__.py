"""The PDF writer: take a `Document` and a `Style`, produce a typeset PDF (GB/T 9704) with embedded fonts.

Modules: `assemble` (flowables and page furniture), `paragraph` and `linebreak` (Chinese line
breaking and justification); the charts are `builder.writers.drawing`'s, shared with the page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import partial
from io import BytesIO
from pathlib import Path

from builder.document import Document, Figure, Table
from builder.document.walk import placed_figures
from builder.style import Style
from builder.style.fonts import register
from builder.writers.pdf import (
    plan,
    settings,  # noqa: F401  (before ReportLab's graphics are imported)
    unicode_map,  # noqa: F401  (text beyond the BMP extracts as itself)
)
from builder.writers.pdf.assemble import Layout, ReportCanvas, ReportTemplate, flowables


@dataclass(frozen=True)
class Rendered:
    data: bytes
    heading_pages: dict[int, int]  # block index of a heading -> the page it starts on
    figure_pages: dict[str, int]  # occurrence key of a printed figure -> the page it is printed on


def render(document: Document, style: Style, *, font_dirs: tuple[Path, ...] = ()) -> Rendered:
    """Typeset in one pass: the contents page's numbers are forms filled in when the file is saved."""
    lay = Layout(style, register(style, font_dirs), document.meta.final)
    out = BytesIO()
    doc = ReportTemplate(out, lay, document)
    maker = partial(ReportCanvas, pages=doc.seen, font=lay.font("body"), size=lay.size("body"))
    story = flowables(lay, document)
    plan.apply(story, doc.width, doc.height)
    doc.build(story, canvasmaker=maker)
    return Rendered(out.getvalue(), dict(doc.seen), figure_pages(document, doc.drawn))


def figure_pages(document: Document, drawn: list[tuple[int, int, int]]) -> dict[str, int]:
    """Each figure's page: that of the part of its paragraph holding its first character, of its
    table row (where first drawn: header rows repeat), or of its chart."""
    by_block: dict[int, list[tuple[int, int]]] = {}
    for block, offset, on in drawn:
        by_block.setdefault(block, []).append((offset, on))
    rows = {index: _figure_rows(block) for index, block in enumerate(document.blocks) if isinstance(block, Table)}
    seen: Counter[int] = Counter()
    out: dict[str, int] = {}
    for placed in placed_figures(document):
        nth = seen[placed.block]
        seen[placed.block] += 1
        parts = by_block.get(placed.block)
        if not parts:
            continue
        if placed.block in rows:
            row = rows[placed.block][nth]
            page: int | None = next((p for r, p in parts if r == row), None)
        else:
            at = len(placed.before)
            page = max((p for p in parts if p[0] <= at), default=parts[0])[1]
        if page is not None:
            out[placed.key] = page
    return out


def _figure_rows(table: Table) -> list[int]:
    """The row (header rows first, from 0) of each figure of the table, in reading order."""
    return [r for r, row in enumerate((*table.header, *table.rows)) for c in row for run in c.runs if isinstance(run, Figure)]


def write(document: Document, style: Style) -> bytes:
    return render(document, style).data


__all__ = ["Rendered", "render", "write"]
