"""The DOCX writer: take a `Document` and a `Style`, produce the bytes of a Word file (GB/T 9704 layout).

Modules: `assemble` (the document, blocks in order), `styles` (Word styles), `tables`, `charts`
(native charts, kept between builds; `chart_xml` makes them through python-pptx), `xml` (raw XML python-docx cannot write), `anchors` (what refresh
finds a built report by), `core` (metadata within the core properties' limits); `builder.writers.ooxml` packs the file
(fixed dates and entry order, so the same input gives the same bytes).

Every printed figure run of a paragraph or table cell sits in an inline content control (w:sdt)
tagged with its occurrence key (`builder.document.walk`), inside a bookmark named after the key, and
the custom document properties name the report and the keys it was built with (`anchors`), so
`builder.reprint.refresh` can find the figures again in a copy editors have changed, even one
LibreOffice saved; chart points live in each chart's embedded workbook instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from docx.document import Document as DocxDocument
from docx.opc.packuri import PackURI
from docx.opc.phys_pkg import PhysPkgWriter
from docx.opc.pkgwriter import PackageWriter

from builder.document import Document
from builder.style import Style
from builder.writers import ooxml
from builder.writers.docx import assemble, core


def write(document: Document, style: Style, *, toc_pages: Mapping[int, int] | None = None) -> bytes:
    """The DOCX of `document`.

    `toc_pages` maps the block index of a level 1–2 heading to its page number, for the TOC's
    cached result; None leaves the page numbers empty (Word fills them when fields are updated).
    """
    fitted = core.fitted(document)  # core properties hold 255 characters; the page and refresh, the whole title
    doc = assemble.docx_document(fitted, style, toc_pages or {}, ooxml.document_date())
    if fitted.meta.title != document.meta.title:
        core.whole_title(doc, document.meta.title)
    return save(doc)


def save(doc: DocxDocument) -> bytes:
    """The bytes of an assembled document, zip entries dated and ordered for identical output.

    python-docx's package writer names each part and its relationships; they are zipped once, by
    `ooxml.packed`, rather than zipped by python-docx and re-packed (a sixth of writing the DOCX)."""
    package = doc.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    entries = _Entries()
    PackageWriter._write_content_types_stream(entries, parts)  # type: ignore[no-untyped-call]
    PackageWriter._write_pkg_rels(entries, package.rels)  # type: ignore[no-untyped-call]
    PackageWriter._write_parts(entries, parts)
    return ooxml.packed(entries.contents)


class _Entries(PhysPkgWriter):
    """Where python-docx's package writer writes the package: each entry's bytes, by name."""

    def __new__(cls) -> _Entries:  # python-docx's factory would make a zip writer
        return object.__new__(cls)

    def __init__(self) -> None:
        self.contents: dict[str, bytes] = {}

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        self.contents[pack_uri.membername] = blob


__all__ = ["save", "write"]
