"""ReportLab's ToUnicode maps, corrected for characters beyond the Basic Multilingual Plane.

ReportLab writes each subset's ToUnicode entry as four hex digits, so 𠮷 (U+20BB7, CJK Extension B)
is written `<20BB7>` and a reader takes it for U+20BB: the PDF draws the character but its text
copies and searches as another. The PDF reference wants UTF-16BE there, a surrogate pair for such
a character; `apply` makes ReportLab write that (entries within the BMP are unchanged).
"""

from __future__ import annotations

from reportlab.pdfbase import ttfonts


def _utf16(code: int) -> str:
    """The UTF-16BE hex of a code point: four digits, or eight for a surrogate pair."""
    return code.to_bytes(4, "big").hex().upper()[4:] if code <= 0xFFFF else chr(code).encode("utf-16-be").hex().upper()


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's `makeToUnicodeCMap`, writing each character as UTF-16BE."""
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{_utf16(v)}>" for i, v in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


def apply() -> None:
    ttfonts.makeToUnicodeCMap = to_unicode_cmap


apply()
