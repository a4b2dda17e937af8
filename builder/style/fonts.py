"""Take a `Style`'s font roles, find a TrueType file for each on this machine, register it with ReportLab.

Each role walks its `candidates`: a path (starting with “/”) is a font file; anything else is a family
name, looked up first in the font files of `extra_dirs` (an edition's or user's `fonts/` folder), then
in `fc-list`. Only TrueType outlines can be embedded by ReportLab, so CFF fonts (`.otf` of Noto CJK
or Source Han) are skipped. A role with no usable candidate takes the body's font, then any font
another role resolved to, then any Chinese font fontconfig knows, and says so (`preferred=False`);
with no Chinese font at all the build stops with `FontError`.

Parsing a CJK font takes about 0.1 s: `register` does it once per file per process, and with `cache=True`
(as a build does) once per file until the file changes (`builder.style.fontcache`).
"""

from __future__ import annotations

import hashlib
import mmap
import shutil
import struct
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.model.errors import UserError
from builder.style import Style, fontcache

if TYPE_CHECKING:  # imported on first use (`_reportlab`): ~35 ms that finding fonts and `builder check` do not need
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

_REPORTLAB_NAMES = ("pdfmetrics", "TTFError", "TTFont")
_Data = bytes | mmap.mmap  # a font file's contents, read or mapped

FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")
INSTALL_HINT = "请以 root 运行 apt-get install fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-wqy-microhei"
BODY = "body"


class FontError(UserError):
    """No Chinese font can be embedded; the message is one line and names the packages to install."""


@dataclass(frozen=True)
class ResolvedFont:
    """The font file a style role resolved to, and the ReportLab name it is registered under."""

    role: str
    name: str
    path: Path
    subfont: int
    family: str
    preferred: bool  # False when the role fell back past its first candidate
    wanted: str = ""  # the role's first candidate, named when `preferred` is False


@dataclass(frozen=True)
class Face:
    """One face of a font file: its family names and whether ReportLab can embed it."""

    path: Path
    index: int
    families: tuple[str, ...]
    truetype: bool  # TrueType outlines (a `glyf` table), not CFF
    cjk: bool


# ---------------------------------------------------------------- reading font files


def _tables(data: _Data, offset: int) -> dict[bytes, tuple[int, int]]:
    """The table directory of the sfnt at `offset`: tag -> (offset, length)."""
    (count,) = struct.unpack_from(">H", data, offset + 4)
    out: dict[bytes, tuple[int, int]] = {}
    for i in range(count):
        tag, _, start, length = struct.unpack_from(">4sIII", data, offset + 12 + 16 * i)
        out[tag] = (start, length)
    return out


def _decode_name(platform: int, raw: bytes) -> str | None:
    """A name record's text, for the Unicode and Windows platforms (and Mac Roman)."""
    if platform in (0, 3):
        return raw.decode("utf-16-be", errors="replace")
    if platform == 1:
        return raw.decode("mac_roman", errors="replace")
    return None


def _family_names(data: _Data, table: tuple[int, int]) -> tuple[str, ...]:
    """The family names (IDs 1 and 16) of a `name` table, in every language, without duplicates."""
    start, _ = table
    _, count, strings = struct.unpack_from(">HHH", data, start)
    names: list[str] = []
    for i in range(count):
        platform, _, _, name_id, length, off = struct.unpack_from(">HHHHHH", data, start + 6 + 12 * i)
        if name_id not in (1, 16):
            continue
        text = _decode_name(platform, data[start + strings + off : start + strings + off + length])
        if text and text.strip() and text not in names:
            names.append(text.strip())
    return tuple(names)


def _is_cjk(data: _Data, tables: Mapping[bytes, tuple[int, int]]) -> bool:
    """Whether the OS/2 table claims CJK ideographs (Unicode range bit 59) or the GB2312 code page."""
    if b"OS/2" not in tables:
        return False
    start, length = tables[b"OS/2"]
    ranges = struct.unpack_from(">IIII", data, start + 42)
    ideographs = bool(ranges[1] & (1 << (59 - 32)))
    gb2312 = length >= 82 and bool(struct.unpack_from(">I", data, start + 78)[0] & (1 << 18))
    return ideographs or gb2312


def _face(path: Path, data: _Data, index: int, offset: int) -> Face:
    """The face at `offset` of the file's bytes."""
    tables = _tables(data, offset)
    families = _family_names(data, tables[b"name"]) if b"name" in tables else ()
    return Face(path, index, families or (path.stem,), b"glyf" in tables, _is_cjk(data, tables))


@cache
def read_faces(path: Path) -> tuple[Face, ...]:
    """Every face of a font file (one, or several in a collection); () when it is not a font."""
    try:
        with open(path, "rb") as file:
            try:  # mapped: only the pages of the tables read here are read from disk, not 5–20 MB
                data: _Data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            except (ValueError, OSError):  # an empty file, or one that cannot be mapped
                data = file.read()
            try:
                return _faces(path, data)
            finally:
                if isinstance(data, mmap.mmap):
                    data.close()
    except (OSError, struct.error, KeyError):
        return ()


def _faces(path: Path, data: _Data) -> tuple[Face, ...]:
    if data[:4] == b"ttcf":
        (count,) = struct.unpack_from(">I", data, 8)
        offsets = struct.unpack_from(f">{count}I", data, 12)
        return tuple(_face(path, data, i, off) for i, off in enumerate(offsets))
    return (_face(path, data, 0, 0),)


def _font_files(folder: Path) -> list[Path]:
    """The font files in a folder and its subfolders, in a stable order."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES and p.is_file())


def dir_faces(extra_dirs: Sequence[Path]) -> list[Face]:
    """The faces of every font file in `extra_dirs`."""
    return [face for folder in extra_dirs for path in _font_files(Path(folder)) for face in read_faces(path)]


# ---------------------------------------------------------------- fontconfig


def _parse_fc_line(line: str) -> Face | None:
    """One line of our `fc-list` format as a face; truetype is checked later, from the file."""
    parts = line.split("\t")
    if len(parts) < 4 or not parts[1]:
        return None
    families = tuple(name.strip() for name in parts[0].split(",") if name.strip())
    index = int(parts[2]) if parts[2].strip().isdigit() else 0
    langs = parts[3].split("|")
    cjk = any(lang.startswith("zh") for lang in langs)
    return Face(Path(parts[1]), index, families, True, cjk)


@cache
def system_faces() -> tuple[Face, ...]:
    """The faces fontconfig lists (read once per process); () without fc-list."""
    exe = shutil.which("fc-list")
    if exe is None:
        return ()
    try:
        out = subprocess.run(
            [exe, "--format", "%{family}\t%{file}\t%{index}\t%{lang}\n"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    faces = (_parse_fc_line(line) for line in out.splitlines())
    return tuple(face for face in faces if face is not None)


# ---------------------------------------------------------------- resolution


def _embeddable(face: Face, bad: frozenset[tuple[Path, int]]) -> bool:
    """Whether ReportLab can embed the face: a TrueType file that exists and did not fail to load."""
    if (face.path, face.index) in bad:
        return False
    faces = read_faces(face.path)
    return any(f.index == face.index and f.truetype for f in faces)


def _by_family(family: str, faces: Iterable[Face], bad: frozenset[tuple[Path, int]]) -> Face | None:
    """The first embeddable face one of whose family names is exactly `family`."""
    return next((f for f in faces if family in f.families and _embeddable(f, bad)), None)


def _by_path(candidate: str, bad: frozenset[tuple[Path, int]]) -> Face | None:
    """The first embeddable face of the font file at `candidate`."""
    return next((f for f in read_faces(Path(candidate)) if (f.path, f.index) not in bad and f.truetype), None)


def _find(candidate: str, extra: Sequence[Face], bad: frozenset[tuple[Path, int]]) -> Face | None:
    """The face one candidate names, or None."""
    if candidate.startswith("/"):
        return _by_path(candidate, bad)
    return _by_family(candidate, extra, bad) or _by_family(candidate, system_faces(), bad)


def font_name(path: Path, subfont: int) -> str:
    """The stable ReportLab name of a font face, e.g. “cjk-gbsn00lp” or “cjk-wqy-microhei-1”.

    A file of the same name in another folder, registered before, gets a suffix from its path."""
    name = f"cjk-{path.stem}" + (f"-{subfont}" if subfont else "")
    taken = any(other == name and key != (path, subfont) for key, other in _REGISTERED.items())
    return f"{name}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}" if taken else name


def _resolved(role: str, face: Face, family: str, preferred: bool, wanted: str) -> ResolvedFont:
    """A `ResolvedFont` for a face."""
    return ResolvedFont(role, font_name(face.path, face.index), face.path, face.index, family, preferred, wanted)


def _resolve_role(
    role: str, candidates: Sequence[str], extra: Sequence[Face], bad: frozenset[tuple[Path, int]]
) -> ResolvedFont | None:
    """The first candidate of a role that can be embedded, or None."""
    for i, candidate in enumerate(candidates):
        face = _find(candidate, extra, bad)
        if face is not None:
            family = face.families[0] if candidate.startswith("/") else candidate
            return _resolved(role, face, family, i == 0, candidates[0])
    return None


def _any_cjk(bad: frozenset[tuple[Path, int]]) -> ResolvedFont | None:
    """Any Chinese TrueType face fontconfig knows, as a stand-in for the body."""
    face = next((f for f in system_faces() if f.cjk and _embeddable(f, bad)), None)
    return None if face is None else _resolved(BODY, face, face.families[0], False, "")


def _fallback(role: str, wanted: str, found: Mapping[str, ResolvedFont], spare: ResolvedFont | None) -> ResolvedFont:
    """The stand-in for a role with no usable candidate: the body's font, another role's, or any CJK font."""
    donor = found.get(BODY) or next(iter(found.values()), None) or spare
    if donor is None:
        raise FontError(f"没有可用的中文字体：{INSTALL_HINT}")
    return ResolvedFont(role, donor.name, donor.path, donor.subfont, donor.family, False, wanted)


def _resolve(style: Style, extra_dirs: Sequence[Path], bad: frozenset[tuple[Path, int]]) -> dict[str, ResolvedFont]:
    """`resolve`, skipping faces that failed to load."""
    extra = dir_faces(extra_dirs)
    roles = style.fonts.roles()
    found: dict[str, ResolvedFont] = {}
    for role, font in roles.items():
        hit = _resolve_role(role, font.candidates, extra, bad)
        if hit is not None:
            found[role] = hit
    missing = [role for role in roles if role not in found]
    spare = _any_cjk(bad) if missing and not found else None
    fallbacks = {role: _fallback(role, roles[role].candidates[0], found, spare) for role in missing}
    return {role: found.get(role) or fallbacks[role] for role in roles}


def resolve(style: Style, extra_dirs: Sequence[Path] = ()) -> dict[str, ResolvedFont]:
    """The font of every role of the style, in the style's role order; FontError without any CJK font."""
    return _resolve(style, extra_dirs, frozenset(_BAD))


# ---------------------------------------------------------------- registration


def _reportlab() -> None:
    """Import what registration uses from ReportLab into this module, keeping any name already set."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    names = globals()
    for name, value in zip(_REPORTLAB_NAMES, (pdfmetrics, TTFError, TTFont), strict=True):
        names.setdefault(name, value)


def __getattr__(name: str) -> Any:
    """`fonts.TTFont` and the other ReportLab names, importing ReportLab on first access."""
    if name in _REPORTLAB_NAMES:
        _reportlab()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_REGISTERED: dict[tuple[Path, int], str] = {}  # (file, subfont) -> the name ReportLab knows it by
_BAD: set[tuple[Path, int]] = set()  # faces ReportLab could not load


def _load(font: ResolvedFont, cache: bool = False) -> bool:
    """Register one face with ReportLab unless done before in this process; False when it cannot be loaded.

    With `cache`, the face comes from `builder.style.fontcache` when an earlier parse was kept, and a
    fresh parse is kept for the next build."""
    key = (font.path, font.subfont)
    if key in _REGISTERED:
        return True
    _reportlab()
    try:
        loaded = fontcache.load(font.name, font.path, font.subfont) if cache else None
        if loaded is None:
            loaded = TTFont(font.name, str(font.path), subfontIndex=font.subfont)
            if cache:
                fontcache.store(loaded, font.name, font.path, font.subfont)
        pdfmetrics.registerFont(loaded)
    except TTFError:
        _BAD.add(key)
        return False
    _REGISTERED[key] = font.name
    return True


def register(style: Style, extra_dirs: Sequence[Path] = (), *, cache: bool = False) -> dict[str, ResolvedFont]:
    """`resolve`, then register each chosen font with ReportLab (once per file per process).

    `cache`: take parsed fonts from, and keep them in, the font cache (`builder.style.fontcache`)."""
    while True:
        resolved = resolve(style, extra_dirs)
        if all([_load(font, cache) for font in resolved.values()]):
            return resolved


# ---------------------------------------------------------------- reporting


def _fallback_note(font: ResolvedFont) -> str:
    """“（替代：首选的…不可用）” for a role that fell back, else ""."""
    if font.preferred:
        return ""
    return f"（替代：首选的{font.wanted}不可用）" if font.wanted else "（替代）"


def describe(resolved: Mapping[str, ResolvedFont]) -> list[str]:
    """One line per role for `builder fonts`: role, family, file, and a note when it fell back."""
    width = max((len(role) for role in resolved), default=0)
    return [
        f"{role.ljust(width)}  {f.family}  {f.path}" + (f" #{f.subfont}" if f.subfont else "") + _fallback_note(f)
        for role, f in resolved.items()
    ]


def fallback_warnings(resolved: Mapping[str, ResolvedFont]) -> list[str]:
    """One warning line per role that did not get its first candidate."""
    return [
        f"字体 {role}：首选的{f.wanted or '字体'}不可用，改用 {f.family}（{f.path.name}）"
        for role, f in resolved.items()
        if not f.preferred
    ]
