"""The DOCX writer: take a `Document` and a `Style`, produce the bytes of a Word file (GB/T 9704 layout).

Modules: `assemble` (the document, blocks in order), `styles` (Word styles), `tables`, `charts`
(native charts through python-pptx), `xml` (raw XML python-docx cannot write) and `package`
(fixed dates and entry order, so the same input gives the same bytes).
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

from builder.document import Document
from builder.style import Style
from builder.writers.docx import assemble, package


def write(document: Document, style: Style, *, toc_pages: Mapping[int, int] | None = None) -> bytes:
    """The DOCX of `document`.

    `toc_pages` maps the block index of a level 1–2 heading to its page number, for the TOC's
    cached result; None leaves the page numbers empty (Word fills them when fields are updated).
    """
    when = package.document_date()
    doc = assemble.build(document, style, toc_pages or {}, when)
    out = BytesIO()
    doc.save(out)
    return package.repack(out.getvalue())


__all__ = ["write"]
