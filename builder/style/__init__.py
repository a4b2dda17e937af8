"""Take a style file (TOML in `styles/`), produce a frozen `Style`: page, grid and fonts by role.

The style is format-free like the document tree: lengths in millimetres (`Mm`), sizes in points
(`Pt`); each writer turns them into its own units.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, NewType, NoReturn

from builder.model.errors import UserError, reason

Mm = NewType("Mm", float)
Pt = NewType("Pt", float)

STYLES_DIR = Path(__file__).resolve().parents[2] / "styles"
MM_PER_PT = 25.4 / 72


class StyleError(UserError, ValueError):
    """A style file that cannot be used: one line naming the file and the key."""


@dataclass(frozen=True)
class Page:
    """The paper and its margins; the text block (版心) is what the margins leave."""

    width: Mm
    height: Mm
    top: Mm
    bottom: Mm
    left: Mm
    right: Mm
    page_number_gap: Mm  # from the text block's lower edge down to the page number

    @property
    def text_width(self) -> Mm:
        return Mm(self.width - self.left - self.right)

    @property
    def text_height(self) -> Mm:
        return Mm(self.height - self.top - self.bottom)


@dataclass(frozen=True)
class Grid:
    """The document grid: `lines` lines of `chars` characters fill the text block."""

    lines: int
    chars: int
    line_pitch: Pt


@dataclass(frozen=True)
class Font:
    """A font role: the name a DOCX asks for and the candidates a PDF writer may embed.

    `candidates` are faces of the role's kind (any of them is the role's own font); `fallbacks` are
    stand-ins of another kind (a 宋 for a 仿宋), used and reported only when no candidate is usable."""

    docx: str
    candidates: tuple[str, ...]  # family, full or PostScript names, or font file paths (starting with “/”)
    size: Pt
    bold: bool = False
    docx_alt: str = ""  # the name Word tries when `docx` is missing; "" for none
    fallbacks: tuple[str, ...] = ()

    @property
    def choices(self) -> tuple[str, ...]:
        """The candidates, then the fallbacks, in order of preference."""
        return (*self.candidates, *self.fallbacks)


@dataclass(frozen=True)
class Fonts:
    title: Font
    subtitle: Font
    body: Font
    heading1: Font
    heading2: Font
    heading3: Font
    heading4: Font
    table: Font
    caption: Font
    page_number: Font
    chart: Font

    def heading(self, level: int) -> Font:
        """The font of heading `level` (1–4)."""
        return {1: self.heading1, 2: self.heading2, 3: self.heading3, 4: self.heading4}[level]

    def roles(self) -> dict[str, Font]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Style:
    name: str
    path: Path
    page: Page
    grid: Grid
    fonts: Fonts
    first_line_indent_chars: int
    table_style: str  # the name of the table style in a DOCX
    chart_aspect: float  # chart height as a share of its width
    wide: tuple[str, ...] = ()  # wide-coverage faces: a character no face of its role has is drawn by the first that has it

    @property
    def footer_distance(self) -> Mm:
        """Page edge to the bottom of the footer line, so the page number's dashes sit `page_number_gap`
        below the text block: the dashes are at mid-height of a footer line exactly one font size high."""
        half_line = self.fonts.page_number.size * MM_PER_PT / 2
        return Mm(self.page.bottom - self.page.page_number_gap - half_line)


def _key(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class _Reader:
    """Typed access to the parsed file; every failure is one line naming the file and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> NoReturn:
        raise StyleError(f"样式文件 {self.path}：{key}：{message}")

    def table(self, data: dict[str, Any], key: str, where: str, allowed: set[str]) -> dict[str, Any]:
        full = _key(where, key)
        value = data.get(key)
        if not isinstance(value, dict):
            self.fail(full, "缺少此表" if value is None else "应为表（[…]）")
        unknown = sorted(set(value) - allowed)
        if unknown:
            self.fail(f"{full}.{unknown[0]}", "未知的设置项")
        return value

    def number(self, data: dict[str, Any], key: str, where: str) -> float:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(_key(where, key), "缺少数值" if value is None else f"应为数值，实为 {value!r}")
        if value <= 0:
            self.fail(_key(where, key), f"应为正数，实为 {value!r}")
        return float(value)

    def integer(self, data: dict[str, Any], key: str, where: str) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(_key(where, key), "缺少此项" if value is None else f"应为正整数，实为 {value!r}")
        return value

    def string(self, data: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            self.fail(_key(where, key), "缺少文字" if value is None else f"应为文字，实为 {value!r}")
        return value

    def strings(self, data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(_key(where, key), "应为非空的名称列表")
        return tuple(value)

    def boolean(self, data: dict[str, Any], key: str, where: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.fail(_key(where, key), f"应为 true 或 false，实为 {value!r}")
        return value


_PAGE_KEYS = {"width", "height", "top", "bottom", "left", "right", "page_number_gap"}
_FONT_KEYS = {"docx", "docx_alt", "size", "bold", "candidates", "fallbacks"}
_ROLES = {f.name for f in fields(Fonts)}


def _page(r: _Reader, data: dict[str, Any]) -> Page:
    page = r.table(data, "page", "", _PAGE_KEYS)
    values = {key: Mm(r.number(page, key, "page")) for key in sorted(_PAGE_KEYS)}
    result = Page(**values)
    if result.text_width <= 0 or result.text_height <= 0:
        r.fail("page", "the margins leave no text block")
    return result


def _grid(r: _Reader, data: dict[str, Any]) -> Grid:
    grid = r.table(data, "grid", "", {"lines", "chars", "line_pitch"})
    return Grid(
        lines=r.integer(grid, "lines", "grid"),
        chars=r.integer(grid, "chars", "grid"),
        line_pitch=Pt(r.number(grid, "line_pitch", "grid")),
    )


def _font(r: _Reader, fonts: dict[str, Any], role: str) -> Font:
    where = f"fonts.{role}"
    font = r.table(fonts, role, "fonts", _FONT_KEYS)
    return Font(
        docx=r.string(font, "docx", where),
        candidates=r.strings(font, "candidates", where),
        size=Pt(r.number(font, "size", where)),
        bold=r.boolean(font, "bold", where),
        docx_alt=r.string(font, "docx_alt", where, default=""),
        fallbacks=r.strings(font, "fallbacks", where) if "fallbacks" in font else (),
    )


def _wide(r: _Reader, data: dict[str, Any]) -> tuple[str, ...]:
    """`[fallback] faces`: the wide-coverage faces behind every role (optional)."""
    if "fallback" not in data:
        return ()
    return r.strings(r.table(data, "fallback", "", {"faces"}), "faces", "fallback")


def _fonts(r: _Reader, data: dict[str, Any]) -> Fonts:
    fonts = r.table(data, "fonts", "", _ROLES)
    return Fonts(**{role: _font(r, fonts, role) for role in sorted(_ROLES)})


def parse_style(data: dict[str, Any], path: Path) -> Style:
    """A `Style` from the parsed TOML `data` of the file at `path`."""
    r = _Reader(path)
    unknown = sorted(set(data) - {"name", "page", "grid", "paragraph", "table", "chart", "fonts", "fallback"})
    if unknown:
        r.fail(unknown[0], "未知的设置项")
    aspect = r.number(r.table(data, "chart", "", {"aspect"}), "aspect", "chart")
    return Style(
        name=r.string(data, "name", ""),
        path=path,
        page=_page(r, data),
        grid=_grid(r, data),
        fonts=_fonts(r, data),
        first_line_indent_chars=r.integer(
            r.table(data, "paragraph", "", {"first_line_indent_chars"}), "first_line_indent_chars", "paragraph"
        ),
        table_style=r.string(r.table(data, "table", "", {"style"}), "style", "table"),
        chart_aspect=aspect,
        wide=_wide(r, data),
    )


def style_path(name_or_path: str | Path) -> Path:
    """`styles/<name>.toml` for a bare name; a path (with a folder or a `.toml` suffix) as given."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(".toml"):
        return Path(name_or_path)
    return STYLES_DIR / f"{text}.toml"


def load_style(name_or_path: str | Path = "gbt9704") -> Style:
    """Load a style by name (from the repository's `styles/`) or from a TOML file's path.

    Raises StyleError, a ValueError (one line, naming the file and the key) for a missing or bad file."""
    path = style_path(name_or_path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StyleError(f"样式文件 {path}：无法读取（{reason(exc)}）") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StyleError(f"样式文件 {path}：不是有效的 TOML：{exc}") from None
    return parse_style(data, path)
