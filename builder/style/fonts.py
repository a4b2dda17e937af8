"""Take a `Style`'s font roles, find a TrueType file for each on this machine, register it with ReportLab.

Each role walks its `candidates`, then its `fallbacks`: a path (starting with “/”) is a font file;
anything else is a family, full or PostScript name, looked up first in the font files of `extra_dirs`
(an edition's or user's `fonts/` folder), then in `fc-list`. Only TrueType outlines can be embedded by
ReportLab, so CFF fonts (`.otf` of Noto CJK or Source Han) are skipped, and so is a face whose
character map lacks the role's characters (`REQUIRED`: a file named FangSong with no Chinese glyphs),
with a warning naming the file. A role that gets a fallback, or no usable font at all, says so
(`preferred=False`); the latter takes the body's font, then any font another role resolved to, then
any Chinese font fontconfig knows; with no Chinese font at all the build stops with `FontError`.

Behind the face a role resolved to, its `chain` lists the faces that draw what that face lacks: the
role's later usable choices, then the style's wide-coverage faces (`Style.wide`), see `fallback`.

Parsing a CJK font takes about 0.1 s: `register` does it once per file per process, and with `cache=True`
(as a build does) once per file until the file changes (`builder.style.fontcache`).
"""

from __future__ import annotations

import hashlib
import mmap
import shutil
import struct
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.model.errors import UserError
from builder.style import Style, cmap, fontcache

if TYPE_CHECKING:  # imported on first use (`_reportlab`): ~35 ms that finding fonts and `builder check` do not need
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

_REPORTLAB_NAMES = ("pdfmetrics", "TTFError", "TTFont")
_Data = bytes | mmap.mmap  # a font file's contents, read or mapped

FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")
INSTALL_HINT = "请以 root 运行 apt-get install fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-wqy-microhei"
BODY = "body"
# What every role draws: the most common Chinese characters, punctuation and digits. A face that
# lacks any of them is not a Chinese font for the role, whatever its name says.
REQUIRED = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
    "，。、；：（）“”0123456789%"
)


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
    preferred: bool  # False when the role fell back past its candidates
    wanted: str = ""  # the role's first candidate, named when `preferred` is False
    chain: tuple[tuple[Path, int], ...] = ()  # the faces that draw what this one lacks, in order
    skipped: tuple[tuple[Path, int], ...] = ()  # faces a choice named that lack the role's characters


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
    """The family names (IDs 1 and 16), then the full and PostScript names (4, 6) of a `name` table, in
    every language, without duplicates: `FandolSong-Bold` names the bold face of family FandolSong."""
    start, _ = table
    _, count, strings = struct.unpack_from(">HHH", data, start)
    found: dict[int, list[str]] = {1: [], 16: [], 4: [], 6: []}
    for i in range(count):
        platform, _, _, name_id, length, off = struct.unpack_from(">HHHHHH", data, start + 6 + 12 * i)
        if name_id not in found:
            continue
        text = _decode_name(platform, data[start + strings + off : start + strings + off + length])
        if text and text.strip():
            found[name_id].append(text.strip())
    return tuple(dict.fromkeys(name for ids in ((1, 16), (4, 6)) for i in ids for name in found[i]))


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
    names = [parts[0], *parts[4:6]]  # families, then full and PostScript names
    families = tuple(dict.fromkeys(n.strip() for field in names for n in field.split(",") if n.strip()))
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
            [exe, "--format", "%{family}\t%{file}\t%{index}\t%{lang}\t%{fullname}\t%{postscriptname}\n"],
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


Bad = frozenset[tuple[Path, int]]


def _embeddable(face: Face, bad: Bad) -> bool:
    """Whether ReportLab can embed the face: a TrueType file that exists and did not fail to load."""
    if (face.path, face.index) in bad:
        return False
    faces = read_faces(face.path)
    return any(f.index == face.index and f.truetype for f in faces)


def _by_family(family: str, faces: Iterable[Face], bad: Bad) -> Face | None:
    """The first embeddable face one of whose names is exactly `family`."""
    return next((f for f in faces if family in f.families and _embeddable(f, bad)), None)


def _by_path(candidate: str, bad: Bad) -> Face | None:
    """The first embeddable face of the font file at `candidate`."""
    return next((f for f in read_faces(Path(candidate)) if (f.path, f.index) not in bad and f.truetype), None)


def _find(candidate: str, extra: Sequence[Face], bad: Bad) -> Face | None:
    """The face one candidate names, or None."""
    if candidate.startswith("/"):
        return _by_path(candidate, bad)
    return _by_family(candidate, extra, bad) or _by_family(candidate, system_faces(), bad)


@cache
def _real(path: Path) -> Path:
    """The file a path leads to (a face reached by two paths, e.g. an alternatives link, is one face)."""
    return path.resolve()


@cache
def lacking(path: Path, index: int, text: str = REQUIRED) -> str:
    """The characters of `text` the face's character map lacks, each once, in order."""
    have = cmap.characters(path, index)
    return "".join(dict.fromkeys(ch for ch in text if ord(ch) not in have))


def font_name(path: Path, subfont: int) -> str:
    """The stable ReportLab name of a font face, e.g. “cjk-gbsn00lp” or “cjk-wqy-microhei-1”.

    A file of the same name in another folder, registered before, gets a suffix from its path."""
    name = f"cjk-{path.stem}" + (f"-{subfont}" if subfont else "")
    taken = any(other == name and key != (path, subfont) for key, other in _REGISTERED.items())
    return f"{name}-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}" if taken else name


@dataclass(frozen=True)
class _Choice:
    """A usable face one of a role's choices named, and whether it is one of its candidates."""

    face: Face
    family: str
    candidate: bool


def _choices(
    choices: Sequence[str], n_candidates: int, extra: Sequence[Face], bad: Bad
) -> tuple[list[_Choice], list[tuple[Path, int]]]:
    """Every usable face the choices name, in order, each once; and the files skipped for lacking
    the role's characters."""
    usable: list[_Choice] = []
    skipped: list[tuple[Path, int]] = []
    seen: set[tuple[Path, int]] = set()
    for i, choice in enumerate(choices):
        face = _find(choice, extra, bad)
        if face is None or (_real(face.path), face.index) in seen:
            continue
        seen.add((_real(face.path), face.index))
        if lacking(face.path, face.index):
            skipped.append((face.path, face.index))
            continue
        family = face.families[0] if choice.startswith("/") else choice
        usable.append(_Choice(face, family, i < n_candidates))
    return usable, skipped


def _among(face: tuple[Path, int], faces: Iterable[tuple[Path, int]]) -> bool:
    """Whether the face is one of `faces`, however its path is spelled."""
    return any(_real(face[0]) == _real(path) and face[1] == index for path, index in faces)


def _wide(style: Style, extra: Sequence[Face], bad: Bad) -> list[tuple[Path, int]]:
    """The style's wide-coverage faces found here, each once."""
    out: list[tuple[Path, int]] = []
    for choice in style.wide:
        face = _find(choice, extra, bad)
        if face is not None and not _among((face.path, face.index), out):
            out.append((face.path, face.index))
    return out


def _resolve_role(
    role: str, style: Style, extra: Sequence[Face], bad: Bad, wide: Sequence[tuple[Path, int]]
) -> ResolvedFont | tuple[tuple[Path, int], ...]:
    """The first usable choice of a role with the faces behind it, or the files skipped when none is usable."""
    font = style.fonts.roles()[role]
    usable, skipped = _choices(font.choices, len(font.candidates), extra, bad)
    if not usable:
        return tuple(skipped)
    first = usable[0]
    own = [(c.face.path, c.face.index) for c in usable]
    chain = own[1:] + [w for w in wide if not _among(w, own)]
    name = font_name(first.face.path, first.face.index)
    return ResolvedFont(
        role, name, first.face.path, first.face.index, first.family, first.candidate, font.candidates[0],
        tuple(chain), tuple(skipped),
    )


def _any_cjk(bad: Bad) -> ResolvedFont | None:
    """Any Chinese TrueType face fontconfig knows that has the body's characters, as a stand-in."""
    face = next((f for f in system_faces() if f.cjk and _embeddable(f, bad) and not lacking(f.path, f.index)), None)
    if face is None:
        return None
    return ResolvedFont(BODY, font_name(face.path, face.index), face.path, face.index, face.families[0], False, "")


def _fallback(
    role: str,
    wanted: str,
    found: Mapping[str, ResolvedFont],
    spare: ResolvedFont | None,
    skipped: tuple[tuple[Path, int], ...],
) -> ResolvedFont:
    """The stand-in for a role with no usable choice: the body's font, another role's, or any CJK font."""
    donor = found.get(BODY) or next(iter(found.values()), None) or spare
    if donor is None:
        raise FontError(f"没有可用的中文字体：{INSTALL_HINT}")
    return ResolvedFont(role, donor.name, donor.path, donor.subfont, donor.family, False, wanted, donor.chain, skipped)


def _resolve(style: Style, extra_dirs: Sequence[Path], bad: Bad) -> dict[str, ResolvedFont]:
    """`resolve`, skipping faces that failed to load."""
    extra = dir_faces(extra_dirs)
    roles = style.fonts.roles()
    wide = _wide(style, extra, bad)
    found: dict[str, ResolvedFont] = {}
    skipped: dict[str, tuple[tuple[Path, int], ...]] = {}
    for role in roles:
        hit = _resolve_role(role, style, extra, bad, wide)
        if isinstance(hit, ResolvedFont):
            found[role] = hit
        else:
            skipped[role] = hit
    spare = _any_cjk(bad) if skipped and not found else None
    if spare is not None:
        spare = replace(spare, chain=tuple(w for w in wide if w != (spare.path, spare.subfont)))
    fallbacks = {role: _fallback(role, roles[role].candidates[0], found, spare, skipped[role]) for role in skipped}
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

    A role with faces behind its own is registered as a `fallback.FallbackFont` under a name of its
    own, the `name` of the font returned; the faces behind are parsed when a character needs one.
    `cache`: take parsed fonts from, and keep them in, the font cache (`builder.style.fontcache`)."""
    while True:
        resolved = resolve(style, extra_dirs)
        if all([_load(font, cache) for font in resolved.values()]):
            return {role: _chained(font, cache) for role, font in resolved.items()}


_CHAINS: dict[str, Any] = {}  # chain name -> its FallbackFont, registered


def _member_loader(path: Path, index: int, cache: bool) -> Callable[[], Any]:
    """Parses and registers a face behind a role's own when first called; its TTFont, or None."""

    def load() -> Any:
        member = ResolvedFont("", font_name(path, index), path, index, path.stem, False)
        if not _load(member, cache):
            return None
        return pdfmetrics.getFont(_REGISTERED[(path, index)])

    return load


def _chained(font: ResolvedFont, cache: bool) -> ResolvedFont:
    """The font as drawn: itself, or a fallback chain of it and the faces behind it."""
    if not font.chain:
        return font
    from builder.style.fallback import FallbackFont, chain_name

    first = _REGISTERED[(font.path, font.subfont)]
    name = chain_name(first, [(str(p), i) for p, i in font.chain])
    own = pdfmetrics.getFont(first)
    if name not in _CHAINS or _CHAINS[name].first is not own:  # new, or ReportLab's registry was emptied
        behind = [(cmap.characters(p, i), _member_loader(p, i, cache)) for p, i in font.chain]
        _CHAINS[name] = FallbackFont(name, own, behind)
        pdfmetrics.registerFont(_CHAINS[name])
    return replace(font, name=name)


def identity(font: ResolvedFont) -> str:
    """The files a font draws with, as a cache key names them: each face's path and index, and the
    file's size, inode and modification time (a font replaced in place is another font)."""
    parts = []
    for path, index in ((font.path, font.subfont), *font.chain):
        st = path.stat()
        parts.append(f"{path}#{index}:{st.st_size}:{st.st_ino}:{st.st_mtime_ns}")
    return ";".join(parts)


# ---------------------------------------------------------------- reporting


def _fallback_note(font: ResolvedFont) -> str:
    """“（替代：首选的…不可用）” for a role that fell back, “（跳过 …）” for faces passed over, else ""."""
    skipped = "、".join(path.name for path, _ in font.skipped)
    note = f"（跳过 {skipped}：缺少本角色的字）" if skipped else ""
    if font.preferred:
        return note
    return note + (f"（替代：首选的{font.wanted}不可用）" if font.wanted else "（替代）")


def describe(resolved: Mapping[str, ResolvedFont]) -> list[str]:
    """One line per role for `builder fonts`: role, family, file, and a note when it fell back or skipped a face."""
    width = max((len(role) for role in resolved), default=0)
    return [
        f"{role.ljust(width)}  {f.family}  {f.path}" + (f" #{f.subfont}" if f.subfont else "") + _fallback_note(f)
        for role, f in resolved.items()
    ]


def skip_warnings(resolved: Mapping[str, ResolvedFont]) -> list[str]:
    """One warning line per font file passed over for lacking the characters of the roles that named it."""
    roles: dict[tuple[Path, int], list[str]] = {}
    for role, font in resolved.items():
        for face in font.skipped:
            roles.setdefault(face, []).append(role)
    lines = []
    for (path, index), names in roles.items():
        lacks = lacking(path, index)
        sample = "".join(ch for ch in lacks if not ch.isascii())[:3] or lacks[:3]
        lines.append(f"字体文件 {path}：缺少 {len(lacks)} 个常用字（如“{sample}”），不用于 {'、'.join(names)}")
    return lines


def fallback_warnings(resolved: Mapping[str, ResolvedFont]) -> list[str]:
    """One warning line per font file skipped, and per role that did not get one of its candidates."""
    return skip_warnings(resolved) + [
        f"字体 {role}：首选的{f.wanted or '字体'}不可用，改用 {f.family}（{f.path.name}）"
        for role, f in resolved.items()
        if not f.preferred
    ]
