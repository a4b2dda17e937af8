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
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

_Data = bytes | mmap.mmap

# (platform, encoding) subtables in order of preference: full Unicode first, then the BMP
_FULL = ((3, 10), (0, 4), (0, 6))
_BMP = ((3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


class Coverage:
    """A set of code points kept as sorted ranges: a CJK face maps 10 000–100 000 characters, which as a
    set of ints would cost megabytes a face, in every process that asks."""

    def __init__(self, ranges: Iterable[tuple[int, int]] = ()) -> None:
        self._starts = array("I")
        self._ends = array("I")  # inclusive
        for start, end in sorted(ranges):
            if self._ends and start <= self._ends[-1] + 1:
                self._ends[-1] = max(self._ends[-1], end)
            else:
                self._starts.append(start)
                self._ends.append(end)

    @classmethod
    def of(cls, codes: Iterable[int]) -> Coverage:
        return cls((code, code) for code in codes)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        i = bisect_right(self._starts, code) - 1
        return i >= 0 and code <= self._ends[i]

    def __len__(self) -> int:
        return sum(end - start + 1 for start, end in zip(self._starts, self._ends, strict=True))

    def __iter__(self) -> Iterator[int]:
        for start, end in zip(self._starts, self._ends, strict=True):
            yield from range(start, end + 1)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Coverage):
            return self._starts == other._starts and self._ends == other._ends
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


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
    ranges = []
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
        start += 0 if glyph else 1  # a group starting at glyph 0 maps its first code to nothing
        if start <= end:
            ranges.append((start, end))
    return Coverage(ranges)


def _format4(data: _Data, at: int) -> set[int]:
    (segx2,) = struct.unpack_from(">H", data, at + 6)
    n = segx2 // 2
    ends = struct.unpack_from(f">{n}H", data, at + 14)
    starts = struct.unpack_from(f">{n}H", data, at + 16 + segx2)
    deltas = struct.unpack_from(f">{n}h", data, at + 16 + 2 * segx2)
    range_at = at + 16 + 3 * segx2
    offsets = struct.unpack_from(f">{n}H", data, range_at)
    out: set[int] = set()
    for i in range(n):
        start, end = starts[i], ends[i]
        if start == 0xFFFF:
            continue
        if offsets[i] == 0:  # glyph = code + delta: only a code that lands on glyph 0 is missing
            out.update(c for c in range(start, end + 1) if (c + deltas[i]) & 0xFFFF)
            continue
        first = range_at + 2 * i + offsets[i]
        glyphs = struct.unpack_from(f">{end - start + 1}H", data, first)
        out.update(start + k for k, g in enumerate(glyphs) if g)
    return out


def _characters(data: _Data, index: int) -> Coverage:
    sub = _subtables(data, _cmap_table(data, _sfnt_offset(data, index)))
    for key in _FULL:
        if key in sub and struct.unpack_from(">H", data, sub[key])[0] == 12:
            return _format12(data, sub[key])
    for key in _BMP:
        if key in sub and struct.unpack_from(">H", data, sub[key])[0] == 4:
            return Coverage.of(sorted(_format4(data, sub[key])))
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
