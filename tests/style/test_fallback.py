"""Character maps read in place, the per-character fallback chain, ToUnicode beyond the BMP, and the
set-up's conversion of CFF fonts to TrueType outlines."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont as ToolsFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from builder.style import cmap, fonts, load_style
from builder.style.fallback import MARK
from builder.writers.pdf.unicode_map import to_unicode_cmap

ROOT = Path(__file__).resolve().parents[2]
GBSN = Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf")
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
HANA_B = Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")


@pytest.mark.parametrize(("path", "index"), [(GBSN, 0), (WQY, 1), (HANA_B, 0)], ids=["format4", "ttc", "format12"])
def test_character_map_as_fonttools_reads_it(path: Path, index: int) -> None:
    if not path.exists():
        pytest.skip(f"{path} not installed")
    expected = set(ToolsFont(str(path), fontNumber=index, lazy=True).getBestCmap())
    got = cmap.characters(path, index)
    assert set(got) == expected
    probes = [*sorted(expected)[:: max(1, len(expected) // 500)], 0x20BB7, 0x1F970, 0x4E00, 0x41, 0x10FFFF]
    assert [code in got for code in probes] == [code in expected for code in probes]


def test_not_a_font_has_no_characters(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"\x00\x01\x00\x00" + b"\xff" * 40)
    assert len(cmap.characters(junk)) == 0 and 0x4E00 not in cmap.characters(junk)


# ---------------------------------------------------------------- the fallback chain


@pytest.fixture(scope="module")
def body() -> fonts.ResolvedFont:
    resolved = fonts.register(load_style())["body"]
    if not any(path == HANA_B for path, _ in resolved.chain):
        pytest.skip("fonts-hanazono is not installed")
    return resolved


def test_each_character_from_the_first_face_that_has_it(body: fonts.ResolvedFont) -> None:
    chain = pdfmetrics.getFont(body.name)
    runs = chain.runs("道路𠮷" + "🥰" + "拆迁")
    faces = [body.path, *(path for path, _ in body.chain)]
    assert [text for _, text in runs] == ["道路", "𠮷", MARK + "拆迁"]  # no face has 🥰: the mark
    assert runs[0][0] == 0 and runs[2][0] == 0
    has_it = faces[runs[1][0]]
    assert 0x20BB7 in cmap.characters(has_it) and 0x20BB7 not in cmap.characters(body.path)
    first = pdfmetrics.getFont(fonts._REGISTERED[(body.path, body.subfont)])
    widths = chain.stringWidth("道路𠮷", 16)
    assert widths == pytest.approx(first.stringWidth("道路", 16) + 16.0, abs=0.5)  # an ideograph is an em


def test_subsets_of_each_face_named_apart(body: fonts.ResolvedFont) -> None:
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(os.devnull)
    chain = pdfmetrics.getFont(body.name)
    split = chain.splitString("道𠮷路", canvas._doc)
    names = [chain.getSubsetInternalName(subset, canvas._doc) for subset, _ in split]
    assert len(split) == 3 and names[0] == names[2] != names[1]


def test_the_sample_text_never_loads_the_wide_faces() -> None:
    """What the role's own face has never parses the faces behind it (50 MB of Hanazono)."""
    resolved = fonts.register(load_style())["body"]
    chain = pdfmetrics.getFont(resolved.name)
    before = set(chain._loaded)
    chain.stringWidth("北京市“接诉即办”工作2020年度公开报告：受理1022.3万件", 16)
    assert set(chain._loaded) == before


def test_to_unicode_writes_utf16() -> None:
    text = to_unicode_cmap("F1+0", [0, 0x41, 0x4E00, 0x20BB7])
    assert "<01> <0041>" in text and "<02> <4E00>" in text
    assert "<03> <D842DFB7>" in text  # U+20BB7 as its surrogate pair, not <20BB7>


# ---------------------------------------------------------------- the set-up's conversion


TOOL = ROOT / "tools" / "fandol_fonts.py"
SOURCE_DATE = 3_500_000_000  # seconds since 1904, the sfnt epoch: 2014


def _faces() -> tuple[str, ...]:
    """The faces the set-up converts, as the tool names them."""
    spec = importlib.util.spec_from_file_location("fandol_fonts", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.FACES)


def _run(*args: Path | str) -> int:
    """The tool as the set-up runs it."""
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], check=False, capture_output=True).returncode


def _cff_font(path: Path, name: str) -> None:
    """A two-glyph OpenType font with CFF outlines, as Fandol is, named `name`."""
    builder = FontBuilder(1000, isTTF=False)
    glyphs = [".notdef", "uni4E2D", "A"]
    builder.setupGlyphOrder(glyphs)
    builder.setupCharacterMap({0x4E2D: "uni4E2D", 0x41: "A"})
    strings = {}
    for glyph in glyphs:
        pen = T2CharStringPen(600, None)
        pen.moveTo((100, 0))
        pen.lineTo((100, 600))
        pen.curveTo((200, 750), (400, 750), (500, 600))
        pen.lineTo((500, 0))
        pen.closePath()
        strings[glyph] = pen.getCharString()
    builder.setupCFF(name, {"FullName": name}, strings, {})
    builder.setupHorizontalMetrics({g: (600, 100) for g in glyphs})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": name.split("-")[0], "styleName": name.split("-")[1], "psName": name})
    builder.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.font.recalcTimestamp = False
    builder.font["head"].created = builder.font["head"].modified = SOURCE_DATE
    builder.save(str(path))


def test_conversion_to_truetype_once(tmp_path: Path) -> None:
    faces = _faces()
    source, target = tmp_path / "otf", tmp_path / "ttf"
    source.mkdir()
    for face in faces:
        _cff_font(source / f"{face}.otf", face)
    assert _run("--check", target) == 1
    assert _run(source, target) == 0
    assert _run("--check", target) == 0
    for face in faces:
        converted = ToolsFont(str(target / f"{face}.ttf"))
        assert "glyf" in converted and "CFF " not in converted and converted.sfntVersion == "\x00\x01\x00\x00"
        assert converted.getBestCmap() == {0x41: "A", 0x4E2D: "uni4E2D"}
        assert converted["glyf"]["uni4E2D"].numberOfContours == 1
        assert converted["head"].modified == SOURCE_DATE  # the source's date, not the conversion's
        assert {0x41, 0x4E2D} <= TTFont(f"test-{face}", str(target / f"{face}.ttf")).face.charToGlyph.keys()
    again = tmp_path / "again"
    assert _run(source, again) == 0
    for face in faces:  # the same bytes from every conversion: a PDF does not depend on when set-up ran
        assert (again / f"{face}.ttf").read_bytes() == (target / f"{face}.ttf").read_bytes()
    stamps = {p.name: p.stat().st_mtime_ns for p in target.iterdir()}
    (source / f"{faces[0]}.otf").unlink()  # a second run needs no source: it converts nothing
    assert _run(source, target) == 0
    assert {p.name: p.stat().st_mtime_ns for p in target.iterdir()} == stamps
    assert sorted(stamps) == sorted(f"{face}.ttf" for face in faces)  # and leaves no temporary file

