"""Writing outputs whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; move it into place only if the block succeeds."""
    tmp = _temporary(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_all(files: Mapping[Path, bytes]) -> None:
    """Write every file, or none: all are staged beside their targets first, then moved into place,
    so a full disk or a refused folder half-way leaves every earlier output as it was."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            tmp = _temporary(path)
            staged.append((tmp, path))
            tmp.write_bytes(data)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)


def _temporary(path: Path) -> Path:
    """An empty private-named file beside `path`, with ordinary permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)  # mkstemp makes it private; outputs are ordinary files
    return Path(name)
