"""Where the builder keeps what it may reuse between builds: parsed fonts, compiled templates, and
(`kept`) outputs by what they were made from, such as a chart's drawing.

Everything kept is derived from inputs it is checked against, so deleting it changes nothing but
the time of the next build. The folder is `$BUILDER_CACHE_DIR/<kind>`, else
`$XDG_CACHE_HOME/report-builder/<kind>`, else `~/.cache/report-builder/<kind>`;
`BUILDER_CACHE_DIR=` (empty) turns every cache off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ENV = "BUILDER_CACHE_DIR"


def directory(kind: str) -> Path | None:
    """The folder of one kind of cache entries; None when caching is turned off or there is no home."""
    raw = os.environ.get(ENV)
    if raw is not None:
        return Path(raw) / kind if raw.strip() else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:
            return None
    return Path(base) / "report-builder" / kind


def foreign(st: os.stat_result) -> bool:
    """Whether a cache entry belongs to another user: it is not ours to trust."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and st.st_uid != geteuid()


# ---------------------------------------------------------------- outputs kept by what they were made from

_MAGIC = b"report-builder kept 1\n"
_MOST = 4096  # entries of one kind; beyond it the least recently used half goes
_LARGEST = 64 << 20  # an entry larger than this is not one the builder wrote
_pruned: set[Path] = set()  # the kinds' folders pruned by this process


def kept(kind: str, key: str, make: Callable[[], bytes]) -> bytes:
    """`make()`, or the bytes an earlier `make` gave for the same `kind` and `key`, in any build.

    `key` must name everything the bytes depend on but the builder's own code and Python, which
    every key includes (`code_version`): the inputs in full (a `repr` of the tree's nodes), each
    library's version, each font file's identity. An entry is its bytes and their SHA-256: one
    whose digest does not match, that another user owns, or that is not a plain file is a miss,
    and so is everything when caching is off or the folder cannot be used. Entries are written
    whole and renamed into place, so builds running at once never see half of one."""
    folder = directory(kind)
    if folder is None:
        return make()
    try:
        entry = folder / hashlib.sha256(f"{code_version()}\0{key}".encode()).hexdigest()
    except OSError:  # a module of the builder could not be read: no key can be trusted
        return make()
    found = _read(entry)
    if found is not None:
        return found
    made = make()
    _write(folder, entry, made)
    return made


@functools.cache
def code_version() -> str:
    """The builder's code as this process runs it: each module's path, size and modification time
    (what Python's own compiled-module check trusts), and Python's version."""
    package = Path(__file__).resolve().parent
    parts = [sys.version]
    for path in sorted(package.rglob("*.py")):
        st = path.stat()
        parts.append(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _read(entry: Path) -> bytes | None:
    try:
        fd = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or foreign(st) or st.st_size > _LARGEST:
            return None
        with os.fdopen(fd, "rb", closefd=False) as source:
            data = source.read()
    except OSError:
        return None
    finally:
        os.close(fd)
    head, digest, body = data[: len(_MAGIC)], data[len(_MAGIC) : len(_MAGIC) + 32], data[len(_MAGIC) + 32 :]
    if head != _MAGIC or hashlib.sha256(body).digest() != digest:
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # recently used: kept when the folder is pruned
    return body


def _write(folder: Path, entry: Path, data: bytes) -> None:
    """Keep `data` as `entry`; a cache that cannot be written is no cache."""
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        _prune(folder)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_MAGIC + hashlib.sha256(data).digest() + data)
            os.replace(tmp, entry)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def _prune(folder: Path) -> None:
    """Once a process, a folder of more than `_MOST` entries keeps its most recently used half."""
    if folder in _pruned:
        return
    _pruned.add(folder)
    with os.scandir(folder) as found:
        entries = [(e.stat(follow_symlinks=False).st_mtime_ns, e.path) for e in found if len(e.name) == 64]
    if len(entries) > _MOST:
        for _, path in sorted(entries)[: len(entries) - _MOST // 2]:
            with contextlib.suppress(OSError):
                os.unlink(path)
