"""Font resolution and registration on this machine (Debian: AR PL Sungti/Kaiti, WenQuanYi Micro Hei)."""

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


def with_candidates(style: Style, **roles: tuple[str, ...]) -> Style:
    """The style with the candidates of some roles replaced."""
    changed = {role: dataclasses.replace(getattr(style.fonts, role), candidates=c) for role, c in roles.items()}
    return dataclasses.replace(style, fonts=dataclasses.replace(style.fonts, **changed))


def all_roles(candidates: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The same candidates for every role."""
    return {f.name: candidates for f in dataclasses.fields(Fonts)}


def test_resolution_on_this_machine() -> None:
    resolved = fonts.resolve(load_style())
    assert list(resolved) == list(load_style().fonts.roles())
    body = resolved["body"]
    assert (body.path, body.subfont, body.preferred) == (GBSN, 0, False)  # no FangSong on Debian
    assert body.family == "AR PL SungtiL GB" and body.name == "cjk-gbsn00lp"
    assert (resolved["heading1"].path, resolved["heading1"].subfont) == (WQY, 0)
    assert resolved["heading2"].path == GKAI
    lines = fonts.describe(resolved)
    assert len(lines) == len(resolved)
    assert any(line.startswith("body") and "（替代：首选的FangSong不可用）" in line for line in lines)


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
    assert warnings == ["字体 caption：首选的No Such Font不可用，改用 AR PL SungtiL GB（gbsn00lp.ttf）"]


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
    assert sorted(parsed) == sorted({str(f.path) for f in first.values()})  # 3 files, each parsed once
    assert pdfmetrics.getFont(first["body"].name).fontName == "cjk-gbsn00lp"


def test_same_file_name_in_another_folder_gets_its_own_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_REGISTERED", {})
    fonts.register(with_candidates(load_style(), **all_roles((str(GKAI),))))
    copy = tmp_path / "gkai00mp.ttf"
    shutil.copy(GKAI, copy)
    resolved = fonts.register(with_candidates(load_style(), **all_roles((str(copy),))))
    assert resolved["body"].name.startswith("cjk-gkai00mp-") and resolved["body"].path == copy
    assert pdfmetrics.getFont("cjk-gkai00mp").face.filename == str(GKAI)
