"""Take a font face (a file and its index in a collection), produce the characters its `cmap` maps to glyphs.

Read with `struct` from the file, without ReportLab or fontTools: finding fonts and `builder check`
ask which faces have which characters, and parsing a whole CJK font for that would cost 0.1 s a face.
Formats 12 (all of Unicode, where Extension B lives) and 4 (the Basic Multilingual Plane) are read,
from the Unicode or Windows platform subtable; a face without either has no characters.
"""

from __future__ import annotations

import mmap
import struct
from array import array
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

_Data = bytes | mmap.mmap

# (platform, encoding) subtables in order of preference: full Unicode first, then the BMP
_FULL = ((3, 10), (0, 4), (0, 6))
_BMP = ((3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


class Coverage:
    """The characters of one face, looked up in its `cmap` subtable as read (a binary search over its
    segments) rather than copied out: a CJK face maps 10 000–100 000 characters, which as a set of ints
    would cost megabytes and tens of milliseconds a face, in every process that asks."""

    def __init__(self, starts: Sequence[int] = (), ends: Sequence[int] = ()) -> None:
        self._starts = array("I", starts)
        self._ends = array("I", ends)  # inclusive, ascending

    def _segment(self, code: int) -> int:
        """The index of the segment holding `code`, or -1."""
        i = bisect_left(self._ends, code)
        return i if i < len(self._ends) and self._starts[i] <= code else -1

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int) and self._segment(code) >= 0

    def __iter__(self) -> Iterator[int]:
        for start, end in zip(self._starts, self._ends, strict=True):
            yield from range(start, end + 1)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Format4(Coverage):
    """Segments whose glyphs come from an array: a code in a segment may still map to glyph 0."""

    def __init__(self, starts: Sequence[int], ends: Sequence[int], deltas: Sequence[int], glyph_at: Sequence[int], table: bytes) -> None:
        super().__init__(starts, ends)
        self._deltas = deltas
        self._glyph_at = glyph_at  # per segment: the offset in `table` of its first glyph, or -1 (glyph = code + delta)
        self._table = table

    def glyph(self, code: int) -> int:
        i = self._segment(code)
        if i < 0:
            return 0
        if self._glyph_at[i] < 0:
            return (code + self._deltas[i]) & 0xFFFF
        at = self._glyph_at[i] + 2 * (code - self._starts[i])
        if at + 2 > len(self._table):
            return 0
        (glyph,) = struct.unpack_from(">H", self._table, at)
        return (glyph + self._deltas[i]) & 0xFFFF if glyph else 0

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int) and self.glyph(code) != 0

    def __iter__(self) -> Iterator[int]:
        return (code for code in super().__iter__() if self.glyph(code))


EMPTY = Coverage()


def _sfnt_offset(data: _Data, index: int) -> int:
    """Where the face `index` starts: 0 for a single font, from the header for a collection."""
    if data[:4] != b"ttcf":
        return 0
    (count,) = struct.unpack_from(">I", data, 8)
    if not 0 <= index < count:
        raise KeyError(index)
    (offset,) = struct.unpack_from(">I", data, 12 + 4 * index)
    return int(offset)


def _cmap_table(data: _Data, sfnt: int) -> int:
    """The offset of the face's `cmap` table; KeyError when it has none."""
    (count,) = struct.unpack_from(">H", data, sfnt + 4)
    for i in range(count):
        tag, _, start, _ = struct.unpack_from(">4sIII", data, sfnt + 12 + 16 * i)
        if tag == b"cmap":
            return int(start)
    raise KeyError("cmap")


def _subtables(data: _Data, cmap: int) -> dict[tuple[int, int], int]:
    """(platform, encoding) -> offset of each subtable."""
    (count,) = struct.unpack_from(">H", data, cmap + 2)
    out: dict[tuple[int, int], int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        out.setdefault((platform, encoding), cmap + offset)
    return out


def _format12(data: _Data, at: int) -> Coverage:
    (groups,) = struct.unpack_from(">I", data, at + 12)
    flat = struct.unpack_from(f">{3 * groups}I", data, at + 16)
    starts, ends, glyphs = flat[0::3], flat[1::3], flat[2::3]
    # a group starting at glyph 0 maps its first code to nothing (fonts do not do this, but may)
    fixed = [start + (0 if glyph else 1) for start, glyph in zip(starts, glyphs, strict=True)]
    return Coverage(fixed, ends)


def _format4(data: _Data, at: int) -> Coverage:
    length, _, segx2 = struct.unpack_from(">HHH", data, at + 2)
    n = segx2 // 2
    table = bytes(data[at : at + length])
    ends = struct.unpack_from(f">{n}H", table, 14)
    starts = struct.unpack_from(f">{n}H", table, 16 + segx2)
    deltas = struct.unpack_from(f">{n}h", table, 16 + 2 * segx2)
    range_at = 16 + 3 * segx2
    offsets = struct.unpack_from(f">{n}H", table, range_at)
    glyph_at = [range_at + 2 * i + off if off else -1 for i, off in enumerate(offsets)]
    return _Format4(starts, ends, deltas, glyph_at, table)


def _characters(data: _Data, index: int) -> Coverage:
    sub = _subtables(data, _cmap_table(data, _sfnt_offset(data, index)))
    for key in _FULL:
        if key in sub and struct.unpack_from(">H", data, sub[key])[0] == 12:
            return _format12(data, sub[key])
    for key in _BMP:
        if key in sub and struct.unpack_from(">H", data, sub[key])[0] == 4:
            return _format4(data, sub[key])
    return EMPTY


@cache
def characters(path: Path, index: int = 0) -> Coverage:
    """The code points face `index` of the font file maps to a glyph; empty when it cannot be read."""
    try:
        with open(path, "rb") as file:
            try:  # mapped: only the cmap's pages are read from disk, not the 5–30 MB of outlines
                data: _Data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            except (ValueError, OSError):
                data = file.read()
            try:
                return _characters(data, index)
            finally:
                if isinstance(data, mmap.mmap):
                    data.close()
    except (OSError, struct.error, KeyError, IndexError):
        return EMPTY
