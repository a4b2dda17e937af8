"""The style file and its loader: values of the GB/T 9704 style, and one-line errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.style import STYLES_DIR, Style, load_style, style_path

GOOD = (STYLES_DIR / "gbt9704.toml").read_text(encoding="utf-8")


def test_the_default_style_is_gbt9704() -> None:
    style = load_style()
    assert isinstance(style, Style)
    page = style.page
    assert (page.width, page.height, page.top, page.bottom, page.left, page.right) == (210, 297, 37, 35, 28, 26)
    assert (page.text_width, page.text_height) == (156, 225)
    assert (style.grid.lines, style.grid.chars, style.grid.line_pitch) == (22, 28, 28.95)
    assert style.first_line_indent_chars == 2
    assert style.table_style == "报告表格"


def test_fonts_by_role() -> None:
    fonts = load_style().fonts
    assert fonts.title.docx == "方正小标宋简体" and fonts.title.size == 22
    assert fonts.body.docx in ("仿宋_GB2312", "FangSong") and fonts.body.size == 16
    assert fonts.heading(1).docx == "黑体" and fonts.heading(2).docx == "楷体"
    assert fonts.heading(3).bold and not fonts.heading(4).bold
    assert {fonts.heading(n).size for n in (1, 2, 3, 4)} == {16}
    assert (fonts.table.size, fonts.caption.size, fonts.page_number.size, fonts.chart.size) == (12, 14, 14, 10.5)
    assert fonts.page_number.docx == "宋体"
    paths = {c for font in fonts.roles().values() for c in font.candidates if c.startswith("/")}
    assert paths == {
        "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
        "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    }


def test_footer_distance_puts_the_page_number_7_mm_below_the_text_block() -> None:
    style = load_style()
    half_line_mm = style.fonts.page_number.size * 25.4 / 72 / 2
    assert style.page.bottom - style.footer_distance - half_line_mm == pytest.approx(7)


def test_a_style_loads_by_path_too(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(GOOD.replace('style = "报告表格"', 'style = "我的表格"'), encoding="utf-8")
    assert load_style(path).table_style == "我的表格"
    assert load_style(str(path)).path == path
    assert style_path("gbt9704") == STYLES_DIR / "gbt9704.toml"


def test_style_is_frozen() -> None:
    style = load_style()
    with pytest.raises(AttributeError):
        style.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("top = 37.0", 'top = "37"', "page.top"),
        ("top = 37.0", "top = -1", "page.top"),
        ("lines = 22", "lines = 22.5", "grid.lines"),
        ("size = 22\n", "size = true\n", "fonts.title.size"),
        ('docx = "黑体"', "docx = 3", "fonts.heading1.docx"),
        ("bold = true", 'bold = "yes"', "fonts.heading3.bold"),
        ("[fonts.chart]", "[fonts.charts]", "fonts.charts"),
        ('style = "报告表格"', 'style = "报告表格"\nborder = 1', "table.border"),
        ("aspect = 0.55", "", "chart.aspect"),
        ('candidates = ["SimHei"', 'candidates = [1, "SimHei"', "fonts.heading1.candidates"),
    ],
)
def test_a_bad_style_file_names_the_file_and_the_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    assert old in GOOD
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_style(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message and key in message


def test_a_misspelt_table_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("[grid]", "[grids]"), encoding="utf-8")
    with pytest.raises(ValueError, match="grids：未知的设置项"):
        load_style(path)


def test_unreadable_or_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"nosuch\.toml：无法读取"):
        load_style("nosuch")
    path = tmp_path / "broken.toml"
    path.write_text("[page\nwidth = 1", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.toml：不是有效的 TOML"):
        load_style(path)
