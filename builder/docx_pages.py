"""The DOCX contents' page numbers, put in after the PDF is typed, so that the DOCX can be written meanwhile.

The DOCX writer takes each contents entry's page number from the PDF (`toc_pages`). Written before
the PDF exists, the DOCX gets `placeholders`: a number per block that no report prints. `fill`
then puts the PDF's page in place of each (or removes the run where the PDF has none, as the
writer does for an unknown page) and packs the file again with the writer's fixed dates and
order, giving the bytes the writer would have given with the pages. Anything unexpected (a
placeholder missing, repeated, written differently, or outside the main document part) raises
`Unfilled`: the caller then writes the DOCX again with the pages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from io import BytesIO
from zipfile import ZipFile

from builder.document import Document

MARK = b"7294836150"  # the placeholders' leading digits
BASE = int(MARK) * 1_000_000  # placeholder of block i: BASE + i (at most a million blocks)
MAIN = "word/document.xml"
_RUN = rb'<w:r><w:t xml:space="preserve">%s</w:t></w:r>'
_PLACEHOLDER = re.compile(_RUN % (MARK + rb"([0-9]{6})"))


class Unfilled(Exception):
    """The placeholders are not where `fill` expects them."""


def placeholders(document: Document) -> dict[int, int]:
    """A stand-in page number for every block of the document."""
    if len(document.blocks) > 1_000_000:
        raise Unfilled("too many blocks for placeholders")
    return {index: BASE + index for index in range(len(document.blocks))}


def fill(blob: bytes, pages: Mapping[int, int]) -> bytes:
    """The DOCX `blob`, written with `placeholders`, with the pages put in their place."""
    from builder.writers.docx import package  # the DOCX writer's packing: fixed dates, fixed order

    def main(data: bytes) -> bytes:
        found = [int(m[1]) for m in _PLACEHOLDER.finditer(data)]
        if len(set(found)) != len(found) or data.count(MARK) != len(found):
            raise Unfilled(MAIN)
        return _PLACEHOLDER.sub(lambda m: _page_run(pages.get(int(m[1]))), data)

    def other(data: bytes) -> bytes:
        if MARK in data:
            raise Unfilled("a placeholder outside the main document part")
        return data

    with ZipFile(BytesIO(blob)) as source:
        names = source.namelist()
    if MAIN not in names:
        raise Unfilled(MAIN)
    return package.repack(blob, {name: main if name == MAIN else other for name in names})


def _page_run(page: int | None) -> bytes:
    """The contents entry's cached page number as the DOCX writer writes it: none when unknown."""
    return b"" if page is None else _RUN % str(page).encode()


__all__ = ["Unfilled", "fill", "placeholders"]
