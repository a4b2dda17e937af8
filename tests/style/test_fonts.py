"""Font resolution and registration on this machine (Debian: the Fandol faces `tools/setup.sh` converts,
AR PL Sungti/Kaiti, WenQuanYi Micro Hei, Hanazono)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from builder.style import Fonts, Style, fonts, load_style

GBSN = Path("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf")
GKAI = Path("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf")
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

pytestmark = pytest.mark.skipif(not (GBSN.exists() and WQY.exists()), reason="Debian CJK fonts not installed")


def fandol(name: str) -> Path | None:
    """The converted Fandol face of that PostScript name fontconfig knows, if set-up installed it."""
    return next((f.path for f in fonts.system_faces() if name in f.families and f.path.suffix == ".ttf"), None)


needs_fandol = pytest.mark.skipif(fandol("FandolFang-Regular") is None, reason="tools/setup.sh has not installed Fandol")


def with_candidates(style: Style, **roles: tuple[str, ...]) -> Style:
    """The style with the choices of some roles replaced: these candidates, no fallbacks."""
    changed = {
        role: dataclasses.replace(getattr(style.fonts, role), candidates=c, fallbacks=()) for role, c in roles.items()
    }
    return dataclasses.replace(style, fonts=dataclasses.replace(style.fonts, **changed))


def all_roles(candidates: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The same candidates for every role."""
    return {f.name: candidates for f in dataclasses.fields(Fonts)}


@needs_fandol
def test_resolution_on_this_machine() -> None:
    resolved = fonts.resolve(load_style())
    assert list(resolved) == list(load_style().fonts.roles())
    expected = {
        "title": "FandolSong-Bold",
        "body": "FandolFang-Regular",
        "table": "FandolFang-Regular",
        "heading1": "FandolHei-Regular",
        "heading2": "FandolKai-Regular",
        "heading3": "FandolFang-Regular",
        "heading4": "FandolFang-Regular",
        "page_number": "FandolSong-Regular",
    }
    for role, name in expected.items():
        font = resolved[role]
        assert (font.family, font.path, font.preferred) == (name, fandol(name), True), role
    body = resolved["body"]
    assert body.name == "cjk-FandolFang-Regular"
    assert body.chain[0] == (GBSN, 0)  # the role's stand-in, then the wide faces
    assert [path.name for path, _ in body.chain[1:]] == ["HanaMinA.ttf", "HanaMinB.ttf"]
    lines = fonts.describe(resolved)
    assert len(lines) == len(resolved)
    assert not any("替代" in line for line in lines)
    assert fonts.fallback_warnings(resolved) == []


def test_fallback_reported_without_fandol() -> None:
    """Where no 仿宋 is installed, the 宋 stand-in is used and said to be one."""
    style = load_style()
    body = dataclasses.replace(style.fonts.body, candidates=("FangSong", "No Such FangSong"))
    resolved = fonts.resolve(dataclasses.replace(style, fonts=dataclasses.replace(style.fonts, body=body)))
    assert (resolved["body"].path, resolved["body"].preferred) == (GBSN, False)
    line = next(line for line in fonts.describe(resolved) if line.startswith("body"))
    assert "（替代：首选的FangSong不可用）" in line


def test_preferred_when_first_candidate_found() -> None:
    style = with_candidates(load_style(), body=("AR PL SungtiL GB",))
    resolved = fonts.resolve(style)
    assert resolved["body"].preferred
    assert not any(w.startswith("字体 body") for w in fonts.fallback_warnings(resolved))


def test_path_candidate_and_ttc_face() -> None:
    style = with_candidates(load_style(), body=(str(WQY),), table=("WenQuanYi Micro Hei Mono",))
    resolved = fonts.resolve(style)
    assert (resolved["body"].path, resolved["body"].subfont, resolved["body"].preferred) == (WQY, 0, True)
    assert resolved["body"].family == "WenQuanYi Micro Hei"
    assert (resolved["table"].subfont, resolved["table"].name) == (1, "cjk-wqy-microhei-1")


def test_missing_candidates_fall_back_to_body_with_warning() -> None:
    style = with_candidates(load_style(), caption=("No Such Font", "/nonexistent/font.ttf"))
    resolved = fonts.resolve(style)
    caption = resolved["caption"]
    assert (caption.path, caption.name, caption.preferred) == (resolved["body"].path, resolved["body"].name, False)
    warnings = [w for w in fonts.fallback_warnings(resolved) if w.startswith("字体 caption")]
    body = resolved["body"]
    assert warnings == [f"字体 caption：首选的No Such Font不可用，改用 {body.family}（{body.path.name}）"]


def test_all_missing_falls_back_to_any_cjk_font() -> None:
    resolved = fonts.resolve(with_candidates(load_style(), **all_roles(("No Such Font",))))
    assert all(not f.preferred for f in resolved.values())
    assert len({f.path for f in resolved.values()}) == 1
    assert len(fonts.fallback_warnings(resolved)) == len(resolved)


def test_no_cjk_font_at_all_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "system_faces", lambda: ())
    style = with_candidates(load_style(), **all_roles(("FangSong", "/nonexistent/simfang.ttf")))
    with pytest.raises(fonts.FontError) as info:
        fonts.resolve(style)
    message = str(info.value)
    assert "\n" not in message
    for package in ("fonts-arphic-gbsn00lp", "fonts-arphic-gkai00mp", "fonts-wqy-microhei"):
        assert package in message


def test_cff_font_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    otf = tmp_path / "cff.otf"
    data = bytearray(GKAI.read_bytes())
    start = data.index(b"glyf", 12, 12 + 16 * 40)
    data[start : start + 4] = b"CFF "  # the directory now says CFF outlines
    otf.write_bytes(bytes(data))
    monkeypatch.setattr(fonts, "system_faces", lambda: ())
    style = with_candidates(load_style(), body=(str(otf), str(GBSN)))
    assert fonts.resolve(style)["body"].path == GBSN


def test_family_found_in_extra_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "fonts" / "kai"
    folder.mkdir(parents=True)
    shutil.copy(GKAI, folder / "mykai.ttf")
    monkeypatch.setattr(fonts, "system_faces", lambda: ())  # only the extra dir can provide it
    style = with_candidates(load_style(), **all_roles(("文鼎ＰＬ简中楷",)))
    resolved = fonts.resolve(style, extra_dirs=[tmp_path / "fonts"])
    body = resolved["body"]
    assert (body.path, body.preferred, body.name) == (folder / "mykai.ttf", True, "cjk-mykai")


def test_register_parses_each_file_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []

    def counting(name: str, path: str, **kwargs: Any) -> Any:
        parsed.append(path)
        return TTFont(name, path, **kwargs)

    monkeypatch.setattr(fonts, "TTFont", counting)
    monkeypatch.setattr(fonts, "_REGISTERED", {})
    first = fonts.register(load_style())
    second = fonts.register(load_style())
    assert first == second
    # each role's own file parsed once; the faces behind them only when a character needs one
    assert sorted(parsed) == sorted({str(f.path) for f in first.values()})
    chain = pdfmetrics.getFont(first["body"].name)
    assert chain.fontName == first["body"].name != "cjk-" + first["body"].path.stem
    assert chain.runs("仿宋") == [(0, "仿宋")]


def test_same_file_name_in_another_folder_gets_its_own_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_REGISTERED", {})
    fonts.register(with_candidates(load_style(), **all_roles((str(GKAI),))))
    copy = tmp_path / "gkai00mp.ttf"
    shutil.copy(GKAI, copy)
    resolved = fonts.register(with_candidates(load_style(), **all_roles((str(copy),))))
    assert resolved["body"].name.startswith("cjk-gkai00mp-") and resolved["body"].path == copy
    assert pdfmetrics.getFont("cjk-gkai00mp").face.filename == str(GKAI)
