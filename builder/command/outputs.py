"""Writing outputs whole or not at all, and saying in one line why one could not be written."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from builder.model.errors import UserError

REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "所在磁盘只读",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EISDIR: "已有同名的文件夹",
    errno.EEXIST: "已有同名的文件，应为文件夹",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ENOENT: "找不到该文件或文件夹",
    errno.EBUSY: "文件正被占用",
    errno.ETXTBSY: "文件正被占用",
    errno.EIO: "读写设备出错",
    errno.EPIPE: "输出的管道已关闭",
}


class OutputError(UserError):
    """An output that could not be written: one line naming the file the user asked for."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: 无法写出（{reason}）")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[OutputError], tuple[Path, str]]:
        return (type(self), (self.path, self.reason))


def reason(exc: OSError) -> str:
    """Why an operation on a file failed, in Chinese; the system's words where there is no translation."""
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    return exc.strerror or type(exc).__name__


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
