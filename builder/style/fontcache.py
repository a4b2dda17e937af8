"""A cache of parsed TrueType fonts, so that a build does not parse the same CJK fonts every time.

ReportLab reads a font file into a `TTFont` (its character map, widths and glyph offsets); for a
CJK font that takes 20–100 ms, every build. `store` keeps what the parse found, `load` gives the
same `TTFont` back from it with the font file read again: about a quarter of the time.

An entry is the parsed font's attributes as plain data (dicts, lists, numbers, text, bytes),
pickled; it is read back with an unpickler that refuses every class, so an entry can hold nothing
but data. It is used only for the same font file (path, size, inode, modification and change
times), the same registered name, the same ReportLab and Python versions and the same ReportLab
settings that parsing reads. Anything else, and any entry that cannot be read or does not fit,
is a miss: the font is parsed and its entry written again. `store` writes an entry only after
rebuilding the font from it and finding it equal, attribute by attribute, to the parsed one; an
entry is written whole to a temporary file and renamed, so concurrent builds never read half of one.

Entries live in `$BUILDER_CACHE_DIR/fonts`, else `$XDG_CACHE_HOME/report-builder/fonts`, else
`~/.cache/report-builder/fonts`, one file per font face. `BUILDER_CACHE_DIR=` (empty) turns the
cache off. Nothing here raises: a cache that cannot be read or written is no cache.
"""

from __future__ import annotations

import gc
import hashlib
import io
import mmap
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from builder import caches

FORMAT = 1  # bump when the entry layout changes
PLAIN = (type(None), bool, int, float, str, bytes)
_SETTINGS = ("ttfAsciiReadable", "allowTTFSubsetting", "autoGenerateMissingTTFName", "autoGenerateTTFMissingTTFName")
_SCALE_SAMPLES = (0, 1, -1, 7, 0.5, 250, 500, 1000, 1024, 2048, 4096, 65535, -32768)

Item = tuple[str, str, Any]  # attribute, how it is kept, value


def directory() -> Path | None:
    """The folder of font entries; None when the cache is turned off or there is no home."""
    return caches.directory("fonts")


def load(name: str, path: Path, subfont: int) -> Any | None:
    """The `TTFont` an earlier parse of this face under this name gave; None when there is no usable entry."""
    folder = directory()
    if folder is None:
        return None
    try:
        key = _key(name, path, subfont)
        with open(_entry_file(folder, name, path, subfont), "rb") as source:
            if caches.foreign(os.fstat(source.fileno())):
                return None
            entry = _unpickle(source.read())
        if not (isinstance(entry, tuple) and len(entry) == 3 and entry[0] == key):
            return None
        data = _mapped(path)
        if len(data) != key[8]:
            return None
        return _rebuild(entry, name, data)
    except Exception:  # no entry, a damaged one, an unreadable font: parse instead
        return None


def store(font: Any, name: str, path: Path, subfont: int) -> None:
    """Keep a freshly parsed `TTFont` for `load`, if it rebuilds exactly from its entry."""
    folder = directory()
    if folder is None:
        return
    try:
        key = _key(name, path, subfont)
        entry = _entry(font, key)
        if entry is None:
            return
        blob = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        rebuilt = _rebuild(_unpickle(blob), name, font.face._ttf_data)
        if not _same_font(font, rebuilt):
            return
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(tmp, _entry_file(folder, name, path, subfont))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except Exception:  # a cache that cannot be written is no cache
        return


def _mapped(path: Path) -> Any:
    """The font file's bytes, mapped rather than read: ReportLab slices what it needs (the tables it
    parsed are in the entry, the glyphs a subset takes), so only those pages are ever in memory, not
    the 5–9 MB of each CJK font a build uses. A file that cannot be mapped is read."""
    with open(path, "rb") as file:
        try:
            return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):
            return file.read()


# ---------------------------------------------------------------- entries


class _PlainData(pickle.Unpickler):
    """Reads plain data only: any class or function in the pickle is refused."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"not plain data: {module}.{name}")


def _unpickle(blob: bytes) -> Any:
    """Plain data from a pickle, without the cycle collector running over its ~10⁵ new objects."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _PlainData(io.BytesIO(blob)).load()
    finally:
        if collecting:
            gc.enable()


def _key(name: str, path: Path, subfont: int) -> tuple[object, ...]:
    """Everything a parse depends on; index 8 is the file's size."""
    import reportlab
    from reportlab import rl_config
    from reportlab.pdfbase import ttfonts

    st = path.stat()
    settings = (
        *(getattr(rl_config, name, None) for name in _SETTINGS),
        getattr(ttfonts, "unShapedFontGlob", None),
        getattr(ttfonts, "uharfbuzz", None) is not None,
    )
    return (
        FORMAT,
        tuple(sys.version_info[:2]),
        reportlab.Version,
        name,
        str(path),
        subfont,
        st.st_dev,
        st.st_ino,
        st.st_size,
        st.st_mtime_ns,
        st.st_ctime_ns,
        repr(settings),
    )


def _entry_file(folder: Path, name: str, path: Path, subfont: int) -> Path:
    digest = hashlib.sha256(repr((str(path), subfont, name)).encode()).hexdigest()[:32]
    return folder / f"{digest}.pickle"


def _plain(value: Any) -> bool:
    """Whether `value` is made only of None, bools, numbers, text and bytes in lists, tuples and dicts."""
    kind = type(value)
    if kind in PLAIN:
        return True
    if kind is list or kind is tuple:
        return all(_plain(v) for v in value)
    if kind is dict:
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return False


def _entry(font: Any, key: tuple[object, ...]) -> tuple[tuple[object, ...], list[Item], list[Item]] | None:
    """The font as plain data, attributes in their order; None if it holds anything else."""
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes

    face_items: list[Item] = []
    for attr, value in vars(font.face).items():
        if attr == "_ttf_data":
            face_items.append((attr, "file", None))
        elif attr == "_pdfScale":
            face_items.append((attr, "scale", None))
        elif type(value) is TTFNameBytes:
            face_items.append((attr, "name", (bytes(value), value.ustr)))
        elif _plain(value):
            face_items.append((attr, "plain", value))
        else:
            return None
    font_items: list[Item] = []
    for attr, value in vars(font).items():
        if attr in ("face", "fontName"):
            font_items.append((attr, attr, None))
        elif attr == "encoding" and type(value) is TTEncoding:
            font_items.append((attr, "encoding", None))
        elif attr == "state" and type(value) is WeakKeyDictionary and not value:
            font_items.append((attr, "state", None))
        elif _plain(value):
            font_items.append((attr, "plain", value))
        else:
            return None
    return key, font_items, face_items


def _scale(units_per_em: int) -> Callable[[float], float]:
    """ReportLab's glyph units to thousandths of an em, as its parser defines it."""
    if units_per_em == 1000:
        return lambda x: x
    factor = 1000 / units_per_em
    return lambda x: x * factor


def _rebuild(entry: tuple[Any, list[Item], list[Item]], name: str, data: bytes) -> Any:
    """The `TTFont` an entry describes, registered as `name`, over the font file's bytes."""
    from reportlab.pdfbase.ttfonts import TTEncoding, TTFNameBytes, TTFont, TTFontFace

    _, font_items, face_items = entry
    face = TTFontFace.__new__(TTFontFace)
    for attr, how, value in face_items:
        if how == "file":
            setattr(face, attr, data)
        elif how == "scale":
            setattr(face, attr, _scale(face.unitsPerEm))
        elif how == "name":
            raw, text = value
            named = bytes.__new__(TTFNameBytes, raw)
            named.ustr = text
            setattr(face, attr, named)
        else:
            setattr(face, attr, value)
    font = TTFont.__new__(TTFont)
    made: dict[str, Callable[[], Any]] = {
        "face": lambda: face,
        "fontName": lambda: name,
        "encoding": TTEncoding,
        "state": WeakKeyDictionary,
    }
    for attr, how, value in font_items:
        font.__dict__[attr] = made[how]() if how in made else value
    return font


def _same_font(parsed: Any, rebuilt: Any) -> bool:
    """Whether the rebuilt font equals the parsed one in every attribute (and type), in the same order."""
    if type(parsed) is not type(rebuilt) or list(vars(parsed)) != list(vars(rebuilt)):
        return False
    for attr, value in vars(parsed).items():
        other = vars(rebuilt)[attr]
        if type(value) is not type(other):
            return False
        if attr == "face":
            if not _same_face(value, other):
                return False
        elif attr == "encoding":
            if vars(value) != vars(other):
                return False
        elif attr == "state":
            if len(value) or len(other):
                return False
        elif value != other:
            return False
    return True


def _same_face(parsed: Any, rebuilt: Any) -> bool:
    if type(parsed) is not type(rebuilt) or list(vars(parsed)) != list(vars(rebuilt)):
        return False
    for attr, value in vars(parsed).items():
        other = vars(rebuilt)[attr]
        if attr == "_pdfScale":
            for x in _SCALE_SAMPLES:
                a, b = value(x), other(x)
                if a != b or type(a) is not type(b):
                    return False
        elif type(value) is not type(other) or value != other or _vars_of(value) != _vars_of(other):
            return False
    return True


def _vars_of(value: Any) -> dict[str, Any]:
    """The instance attributes of a bytes subclass such as TTFNameBytes (its `ustr`); {} for plain data."""
    return dict(getattr(value, "__dict__", {}))


__all__ = ["directory", "load", "store"]
