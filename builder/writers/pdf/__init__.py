"""The PDF writer: take a `Document` and a `Style`, produce a typeset PDF (GB/T 9704) with embedded fonts.

Modules: `assemble` (flowables and page furniture), `paragraph` and `linebreak` (Chinese line
breaking and justification); the charts are `builder.writers.drawing`'s, shared with the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from io import BytesIO
from pathlib import Path

from builder.document import Document
from builder.style import Style
from builder.style.fonts import register
from builder.writers.pdf import settings  # noqa: F401  (before ReportLab's graphics are imported)
from builder.writers.pdf.assemble import Layout, ReportCanvas, ReportTemplate, flowables


@dataclass(frozen=True)
class Rendered:
    data: bytes
    heading_pages: dict[int, int]  # block index of a heading -> the page it starts on


def render(document: Document, style: Style, *, font_dirs: tuple[Path, ...] = ()) -> Rendered:
    """Typeset in one pass: the contents page's numbers are forms filled in when the file is saved."""
    lay = Layout(style, register(style, font_dirs), document.meta.final)
    out = BytesIO()
    doc = ReportTemplate(out, lay, document)
    maker = partial(ReportCanvas, pages=doc.seen, font=lay.font("body"), size=lay.size("body"))
    doc.build(flowables(lay, document), canvasmaker=maker)
    return Rendered(out.getvalue(), dict(doc.seen))


def write(document: Document, style: Style) -> bytes:
    return render(document, style).data


__all__ = ["Rendered", "render", "write"]
