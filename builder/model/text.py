"""Characters a report cannot carry, found where text comes in.

Four kinds: control characters (XML refuses most of them, a PDF draws them as nothing or a box;
with them the bidirectional embeddings, overrides and isolates, which reorder what follows),
private-use characters (no font has a meaning for them, and the composer marks figures and blocks
in rendered text with U+E000–U+E003), non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last
two of every plane: never text, a sign of a damaged file) and lone surrogates (not text at all).
Each input decides whether it refuses them or drops the control characters (see the README's
workbook section); messages quote text through `one_line`, so whatever an input holds, an error
stays one line.
"""

from __future__ import annotations

import re

_CONTROL = "\x00-\x1f\x7f-\x9f"
_SURROGATE = "\ud800-\udfff"
_PRIVATE = "\ue000-\uf8ff"
_NONCHARACTER = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(16)
)
_LAST_PLANES = "\U000f0000-\U0010ffff"  # private use up to U+10FFFD, then non-characters
# bidirectional embeddings, overrides and isolates: invisible, they reorder what follows them, so a
# name could print other than it reads in its cell (and reorder a message that quotes it)
_BIDI = "\u202a-\u202e\u2066-\u2069"
UNFIT = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATE}{_PRIVATE}{_NONCHARACTER}{_LAST_PLANES}]")
_NOT_TEXT = re.compile(f"[{_SURROGATE}{_PRIVATE}{_NONCHARACTER}{_LAST_PLANES}]")
_CONTROLS = re.compile(f"[{_CONTROL}]")
_BREAKS = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATE}{_PRIVATE}{_NONCHARACTER}{_LAST_PLANES}\u2028\u2029]")


def kind(ch: str) -> str:
    """What the character is, in the words of a message."""
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return "控制字符"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return "双向文字控制符"
    if 0xD800 <= code <= 0xDFFF:
        return "代理项（不是字符）"
    if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        return "非字符"
    if 0xE000 <= code <= 0xF8FF or code >= 0xF0000:
        return "私用区字符"
    return "字符"


def describe(ch: str) -> str:
    """“控制字符 U+0001”: the character named by its kind and code, as it cannot be shown."""
    return f"{kind(ch)} U+{ord(ch):04X}"


def first_unfit(text: str, *, controls: bool = True) -> re.Match[str] | None:
    """The first character of the four kinds in `text`; with `controls=False`, of the three other
    than control characters (for text whose control characters are dropped instead)."""
    return (UNFIT if controls else _NOT_TEXT).search(text)


def drop_controls(text: str, allowed: str = "\t\n") -> str:
    """`text` without its control characters, except those in `allowed`."""
    return _CONTROLS.sub(lambda m: m.group() if m.group() in allowed else "", text)


def one_line(text: str) -> str:
    """`text` safe to print as (part of) a one-line message: each character of the four kinds, and
    each line or paragraph separator, written as its escape (\\n, \\x01, \\ue000)."""
    return _BREAKS.sub(lambda m: ascii(m.group())[1:-1], text)


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
