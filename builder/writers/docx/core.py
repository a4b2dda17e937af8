"""The report's metadata as the DOCX core properties can hold it.

python-docx refuses a core property over 255 characters (Word's own limit for them), while the
title printed on the title page, the PDF's metadata and the title refresh compares are kept whole.
So the document `assemble` writes has its title, subject, author and version shortened for the
core properties, and the custom property that names the report (`anchors`) is written again with
the whole title.
"""

from __future__ import annotations

from dataclasses import replace

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from builder.document import Document
from builder.model.text import shorten
from builder.writers.docx import anchors

CORE_LIMIT = 255


def fitted(document: Document) -> Document:
    """`document` with metadata the core properties can hold; `document` itself when it fits."""
    meta = document.meta
    short = replace(
        meta,
        title=shorten(meta.title, CORE_LIMIT),
        subject=shorten(meta.subject, CORE_LIMIT),
        author=shorten(meta.author, CORE_LIMIT),
        version=shorten(meta.version, CORE_LIMIT),
    )
    return document if short == meta else replace(document, meta=short)


def whole_title(doc: DocxDocument, title: str) -> None:
    """The custom property naming the report set to the whole `title`, keeping the keys stored with it."""
    rels = doc.part.package.rels
    keys: list[str] = []
    for r_id, rel in list(rels.items()):
        if rel.reltype == RT.CUSTOM_PROPERTIES:
            keys = anchors.stored_keys(anchors.read_properties(rel.target_part.blob)) or []
            del rels[r_id]
    anchors.add_properties(doc, title, keys)
