"""Take a `Style`, produce what the page's CSS takes from it: a font stack per role, each role's
weight, and the printed page (paper and margins, GB/T 9704).

A page cannot embed the PDF's fonts without fetching or carrying megabytes of them, so it names
fonts instead: the role's Word names (仿宋_GB2312, 仿宋; 黑体; 楷体), its family candidates
(FangSong, SimHei, KaiTi, then the macOS and open ones the PDF writer looks for: Fandol, then
its stand-ins), then open
families a Linux reader may have, then the generic family. Font file paths are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.style import Font, Style

SANS_ROLES = frozenset({"heading1", "caption"})  # 黑体: the sans-serif roles of GB/T 9704
OPEN_SERIF = ("Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN")
OPEN_SANS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei")


@dataclass(frozen=True)
class PrintPage:
    """The paper and margins in millimetres, for `@page`."""

    width: float
    height: float
    top: float
    right: float
    bottom: float
    left: float


def font_stack(role: str, font: Font) -> str:
    """The CSS `font-family` value of a role: its named fonts in order, open fallbacks, a generic family."""
    sans = role in SANS_ROLES
    names = [font.docx, font.docx_alt, *(_family(c) for c in font.choices if not c.startswith("/"))]
    names += OPEN_SANS if sans else OPEN_SERIF
    unique = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    quoted = [_quoted(n) for n in unique]
    return ", ".join([*quoted, "sans-serif" if sans else "serif"])


def _family(name: str) -> str:
    """A family name for CSS: the style may name a face by its PostScript name (FandolFang-Regular),
    which a browser does not match as a family."""
    head, _, tail = name.rpartition("-")
    return head if head and tail in ("Regular", "Bold") else name


def _quoted(name: str) -> str:
    """A family name as a CSS string. Names come from the style file: anything but letters, digits,
    spaces and CJK is escaped as a CSS hex escape, so none can end the string or the `<style>`."""
    return '"' + "".join(ch if ch.isalnum() or ch in " _-" else f"\\{ord(ch):x} " for ch in name) + '"'


def font_stacks(style: Style) -> dict[str, str]:
    """Every role's font stack, by role name (body, title, heading1 …)."""
    return {role: font_stack(role, font) for role, font in style.fonts.roles().items()}


def font_weights(style: Style) -> dict[str, str]:
    """Every role's CSS weight: bold where the style makes it bold, else normal."""
    return {role: "bold" if font.bold else "normal" for role, font in style.fonts.roles().items()}


def print_page(style: Style) -> PrintPage:
    page = style.page
    return PrintPage(page.width, page.height, page.top, page.right, page.bottom, page.left)
