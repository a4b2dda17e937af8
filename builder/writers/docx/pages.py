"""The DOCX contents' page numbers, put in after the PDF is typed, so that the DOCX can be written meanwhile.

The DOCX writer takes each contents entry's page number from the PDF (`toc_pages`). Written before
the PDF exists, the DOCX gets `placeholders`: a number per block that no report prints. `fill`
then puts the PDF's page in place of each (or removes the run where the PDF has none, as the
writer does for an unknown page), giving the bytes the writer would have given with the pages.
Anything unexpected (a placeholder missing, repeated, written differently, or outside the main
document part) raises `Unfilled`: the caller then writes the DOCX again with the pages.

Only the main part changes, so `fill` compresses only that part again and splices it into the
package, adjusting the zip directory; it first checks that compressing the part as it was gives
back the bytes in the package (the writer's packing, `ooxml.repack`, compresses every part
the same way), and otherwise packs the whole package again with `ooxml.repack`.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Mapping
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from builder.document import Document

MARK = b"7294836150"  # the placeholders' leading digits
BASE = int(MARK) * 1_000_000  # placeholder of block i: BASE + i (at most a million blocks)
MAIN = "word/document.xml"
LEVEL = 6  # the compression level of `ooxml.repack`; checked against the package, see `_splice`
_RUN = rb'<w:r><w:t xml:space="preserve">%s</w:t></w:r>'
_PLACEHOLDER = re.compile(_RUN % (MARK + rb"([0-9]{6})"))
_LOCAL, _CENTRAL, _END = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_NESTED = b"PK\x03\x04"  # a part that is itself a zip (a chart's workbook): its bytes say nothing


class Unfilled(Exception):
    """The placeholders are not where `fill` expects them."""


class _NotSpliced(Exception):
    """The package is not laid out as `_splice` expects: pack it whole instead."""


def placeholders(document: Document) -> dict[int, int]:
    """A stand-in page number for every block of the document."""
    if len(document.blocks) > 1_000_000:
        raise Unfilled("too many blocks for placeholders")
    return {index: BASE + index for index in range(len(document.blocks))}


def fill(blob: bytes, pages: Mapping[int, int]) -> bytes:
    """The DOCX `blob`, written with `placeholders`, with the pages put in their place."""
    with ZipFile(BytesIO(blob)) as archive:
        infos = archive.infolist()
        main = next((info for info in infos if info.filename == MAIN), None)
        if main is None:
            raise Unfilled(MAIN)
        before = archive.read(main)
        for info in infos:
            data = archive.read(info) if info is not main else b""
            if MARK in data and not data.startswith(_NESTED):
                raise Unfilled(f"a placeholder outside {MAIN}: {info.filename}")
    after = _filled(before, pages)
    try:
        return _splice(blob, main, before, after, [info.filename for info in infos])
    except (_NotSpliced, struct.error, ValueError):
        from builder.writers import ooxml  # the DOCX writer's packing: fixed dates, fixed order

        return ooxml.repack(blob, {MAIN: lambda _: after})


def _filled(data: bytes, pages: Mapping[int, int]) -> bytes:
    found = [int(m[1]) for m in _PLACEHOLDER.finditer(data)]
    if len(set(found)) != len(found) or data.count(MARK) != len(found):
        raise Unfilled(MAIN)
    return _PLACEHOLDER.sub(lambda m: _page_run(pages.get(int(m[1]))), data)


def _page_run(page: int | None) -> bytes:
    """The contents entry's cached page number as the DOCX writer writes it: none when unknown."""
    return b"" if page is None else _RUN % str(page).encode()


def _deflate(data: bytes) -> bytes:
    """`data` compressed as `ZipFile.writestr(..., compresslevel=LEVEL)` compresses a part."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _splice(blob: bytes, main: ZipInfo, before: bytes, after: bytes, names: list[str]) -> bytes:
    """The package with `main`'s contents replaced by `after`, every other byte as it was but offsets."""
    start = main.header_offset
    if blob[start : start + 4] != _LOCAL or main.compress_type != ZIP_DEFLATED or main.flag_bits & 0x08:
        raise _NotSpliced("not a plain deflated part")
    name_size, extra_size = struct.unpack_from("<HH", blob, start + 26)
    data_start = start + 30 + name_size + extra_size
    data_end = data_start + main.compress_size
    if _deflate(before) != blob[data_start:data_end]:
        raise _NotSpliced("the package was not compressed the way this splice compresses")
    packed = _deflate(after)
    crc = zlib.crc32(after)
    if max(len(packed), len(after), len(blob)) >= 0xFFFFFFFF:
        raise _NotSpliced("zip64")
    delta = len(packed) - main.compress_size

    end = len(blob) - 22  # the end record, written without a comment
    if blob[end : end + 4] != _END:
        raise _NotSpliced("a comment after the directory")
    count, directory_size, directory = struct.unpack_from("<HII", blob, end + 10)
    header = bytearray(blob[start:data_start])
    struct.pack_into("<III", header, 14, crc, len(packed), len(after))

    records = bytearray(blob[directory : directory + directory_size])
    at = 0
    for _ in range(count):
        if records[at : at + 4] != _CENTRAL:
            raise _NotSpliced("a damaged directory")
        name_size, extra_size, comment_size = struct.unpack_from("<HHH", records, at + 28)
        (offset,) = struct.unpack_from("<I", records, at + 42)
        if offset == start:
            struct.pack_into("<III", records, at + 16, crc, len(packed), len(after))
        elif offset > start:
            struct.pack_into("<I", records, at + 42, offset + delta)
        at += 46 + name_size + extra_size + comment_size
    if at != directory_size or directory < data_end or directory + directory_size != end:
        raise _NotSpliced("a directory not where this splice expects it")
    tail = bytearray(blob[end:])
    struct.pack_into("<I", tail, 16, directory + delta)
    spliced = b"".join((blob[:start], header, packed, blob[data_end:directory], records, tail))
    with ZipFile(BytesIO(spliced)) as check:  # reads back, CRC checked
        if check.read(MAIN) != after or [info.filename for info in check.infolist()] != names:
            raise _NotSpliced("does not read back")
    return spliced


__all__ = ["Unfilled", "fill", "placeholders"]
