"""The PDF writer: take a `Document` and a `Style`, produce a typeset PDF (GB/T 9704) with embedded fonts.

Modules: `assemble` (flowables and page furniture), `paragraph` and `linebreak` (Chinese line
breaking and justification), `charts` (vector charts from the same chart nodes as the DOCX).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from builder.document import Document
from builder.fonts import register
from builder.style import Style
from builder.writers.pdf.assemble import Layout, ReportTemplate, flowables


@dataclass(frozen=True)
class Rendered:
    data: bytes
    heading_pages: dict[int, int]  # block index of a heading -> the page it starts on


def render(document: Document, style: Style, *, font_dirs: tuple[Path, ...] = ()) -> Rendered:
    """Typeset twice when needed: the contents page lists the pages the first pass found."""
    lay = Layout(style, register(style, font_dirs), document.meta.final)
    for _ in range(3):
        out = BytesIO()
        doc = ReportTemplate(out, lay, document)
        doc.build(flowables(lay, document))
        if doc.seen == lay.heading_pages:
            break
        lay.heading_pages = dict(doc.seen)
    return Rendered(out.getvalue(), dict(doc.seen))


def write(document: Document, style: Style) -> bytes:
    return render(document, style).data


__all__ = ["Rendered", "render", "write"]
