"""Writing outputs whole or not at all, and saying in one line why one could not be written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from builder.model.errors import UserError, reason


class OutputError(UserError):
    """An output that could not be written: one line naming the file the user asked for."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: 无法写出（{reason}）")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[OutputError], tuple[Path, str]]:
        return (type(self), (self.path, self.reason))


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; move it into place only if the block succeeds."""
    tmp = _temporary(path)
    try:
        yield tmp
        _move(tmp, path)
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
            try:
                tmp.write_bytes(data)
            except OSError as exc:
                raise OutputError(path, reason(exc)) from exc
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for index, (tmp, path) in enumerate(staged):
        try:
            _move(tmp, path)
        except OutputError:
            for rest, _ in staged[index + 1 :]:
                rest.unlink(missing_ok=True)
            raise


def _move(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(path, reason(exc)) from exc


def _temporary(path: Path) -> Path:
    """An empty private-named file beside `path`, with ordinary permissions."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(path, reason(exc)) from exc
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)  # mkstemp makes it private; outputs are ordinary files
    return Path(name)
