"""Writing a command's outputs as one set, all or none, and saying in one line why it could not be.

A set's files all go into one folder. They are written whole into a hidden staging folder inside
it (the same file system, so moving a file in is one rename), then swapped in while this process
holds the folder's lock and keeps the terminating signals pending: each earlier file is moved
aside into the staging folder and its new one moved in. Should a move fail, the moves done so far
are undone in reverse, so the folder holds the whole earlier set again; only after the last move
is the earlier set deleted. A signal that arrives meanwhile takes effect once the folder holds one
whole set: while the files are still being staged, the staging is dropped first (the earlier set
stays); once the swap has begun, it is finished.

Only SIGKILL (or a crash of the machine) can stop a swap half-way. For that, the staging folder
names the set (`manifest`) before the first move and says it is in (`done`) after the last; the
next command to write into the folder reads them under the lock, while no one else can be
writing, and puts the earlier files back, unless the new set was complete, before anything else.

The lock is `flock` on a `.builder.lock` file in the folder, taken only to write, which is the
last step of a build and lasts a fraction of a second. Another build waits for it (up to
`LOCK_WAIT` seconds, then refuses in one line): two builds of one folder then both succeed, and
the folder holds the whole set of whichever wrote last, never a mix. The lock file is removed by
its holder, while holding it; whoever gets the lock checks that the file it locked is still the
one at that name, and otherwise starts again, so two never hold the lock at once.

Holding signals off is per thread: the `builder` command runs one thread.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from builder.model.errors import UserError, reason

LOCK_NAME = ".builder.lock"
STAGING_PREFIX = ".builder-staging-"
LOCK_WAIT = 60.0  # seconds; a build holds the lock only while it writes
HELD = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT})

_NEW, _OLD, _MANIFEST, _DONE = "new", "old", "manifest", "done"


class OutputError(UserError):
    """An output that could not be written: one line naming the file the user asked for."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: 无法写出（{reason}）")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type[OutputError], tuple[Path, str]]:
        return (type(self), (self.path, self.reason))


class Exists(OutputError):
    """A file the caller asked not to replace is there already."""


class _Unrestored(OutputError):
    """A swap that failed and could not be undone: its staging folder is kept for the next writer."""


class _Interrupted(Exception):
    """A held signal arrived before the swap began: the staging is dropped, then the signal acts."""


def write_all(files: Mapping[Path, bytes], *, overwrite: bool = True) -> None:
    """Write every file, or none, into their one folder (see the module's notes).

    `overwrite=False` refuses (`Exists`) when any of them is there already. A folder in the way of
    a file is refused before anything is written."""
    if not files:
        return
    paths = list(files)
    folder = paths[0].parent
    if any(p.parent != folder for p in paths) or len({p.name for p in paths}) != len(paths):
        raise ValueError("write_all: one folder, distinct names")  # every caller's set is one folder's
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        _write_locked(folder, files, overwrite)
    except _Interrupted:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # the pending signal acts here
        raise KeyboardInterrupt from None  # it was handled without stopping us: nothing was written
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def remove_all(paths: Sequence[Path]) -> None:
    """Remove the files of one folder that are there, under the folder's lock, the terminating
    signals held until all are gone (a builder's earlier outputs that no longer have a source)."""
    if not paths:
        return
    folder = paths[0].parent
    if any(p.parent != folder for p in paths):
        raise ValueError("remove_all: one folder")
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        with _locked(folder, paths[0], LOCK_WAIT):
            _settle(folder, paths[0])
            for path in paths:
                try:
                    if path.is_file() or path.is_symlink():
                        path.unlink()
                except OSError as exc:
                    raise OutputError(path, reason(exc)) from exc
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def settle(folder: Path) -> None:
    """Put back the earlier files a writer killed in mid-swap left aside in `folder`, under the lock."""
    with _locked(folder, folder, LOCK_WAIT):
        _settle(folder, folder)


def _write_locked(folder: Path, files: Mapping[Path, bytes], overwrite: bool) -> None:
    first = next(iter(files))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(first, reason(exc)) from exc
    with _locked(folder, first, LOCK_WAIT):
        _settle(folder, first)
        for path in files:
            _refuse_in_the_way(path, overwrite)
        try:
            stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
        except OSError as exc:
            raise OutputError(first, reason(exc)) from exc
        keep = False
        try:
            _stage(stage, files)
            if _signalled():
                raise _Interrupted
            _swap(stage, list(files))
        except _Unrestored:
            keep = True
            raise
        finally:
            if not keep:
                shutil.rmtree(stage, ignore_errors=True)


def _refuse_in_the_way(path: Path, overwrite: bool) -> None:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(path, reason(exc)) from exc
    if stat.S_ISDIR(mode):  # moving it aside would put a user's folder where it gets deleted
        raise OutputError(path, reason(IsADirectoryError(errno.EISDIR, "")))
    if not overwrite:
        raise Exists(path, "已有同名的文件")


def _stage(stage: Path, files: Mapping[Path, bytes]) -> None:
    new = stage / _NEW
    try:
        new.mkdir()
    except OSError as exc:
        raise OutputError(next(iter(files)), reason(exc)) from exc
    for path, data in files.items():
        if _signalled():
            raise _Interrupted
        try:
            (new / path.name).write_bytes(data)
        except OSError as exc:
            raise OutputError(path, reason(exc)) from exc


def _swap(stage: Path, paths: list[Path]) -> None:
    """Move the staged set in, or leave the earlier one as it was and say why (`OutputError`)."""
    new, old = stage / _NEW, stage / _OLD
    done: list[tuple[Path, Path]] = []  # each rename made, to undo in reverse
    path = paths[0]
    try:
        _record(stage, [p.name for p in paths])
        old.mkdir()
        for path in paths:
            if _present(path):
                os.replace(path, old / path.name)
                done.append((path, old / path.name))
            os.replace(new / path.name, path)
            done.append((new / path.name, path))
        os.replace(stage / _MANIFEST, stage / _DONE)
    except OSError as exc:
        failed = OutputError(path, reason(exc))
        try:
            for source, target in reversed(done):
                os.replace(target, source)
        except OSError:  # the staging folder keeps what the next writer needs to put them back
            raise _Unrestored(path, f"{reason(exc)}；原有文件暂存在 {stage.name}，下次写出时放回") from exc
        raise failed from exc


def _present(path: Path) -> bool:
    """Whether `path` names something to move aside; a folder there now is refused (see `_refuse_in_the_way`)."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    return True


def _record(stage: Path, names: list[str]) -> None:
    """The set's names, in place whole before the first move (a killed writer's successor reads them)."""
    part = stage / (_MANIFEST + ".part")
    part.write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    os.replace(part, stage / _MANIFEST)


def _settle(folder: Path, named: Path) -> None:
    """Every staging folder a killed writer left: its earlier files put back unless its set was in, then removed."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(STAGING_PREFIX) and e.is_dir(follow_symlinks=False)]
    except OSError as exc:
        raise OutputError(named, reason(exc)) from exc
    for entry in entries:
        stage = Path(entry.path)
        try:
            if not (stage / _DONE).exists() and (stage / _MANIFEST).exists():
                _put_back(folder, stage)
        except OSError as exc:
            raise OutputError(named, reason(exc)) from exc
        shutil.rmtree(stage, ignore_errors=True)


def _put_back(folder: Path, stage: Path) -> None:
    """Undo a swap stopped half-way: each name's earlier file back, or its new one removed if it had none."""
    try:
        names = json.loads((stage / _MANIFEST).read_text(encoding="utf-8"))
    except ValueError:  # not one of ours: nothing to trust in it
        return
    if not isinstance(names, list):
        return
    for name in names:
        if not isinstance(name, str) or not _plain(name):
            continue
        earlier, staged, target = stage / _OLD / name, stage / _NEW / name, folder / name
        if os.path.lexists(earlier):
            os.replace(earlier, target)
        elif not os.path.lexists(staged) and os.path.lexists(target) and not target.is_dir():
            target.unlink()  # it was moved in, and there was no earlier file to put back


def _plain(name: str) -> bool:
    return name not in ("", ".", "..") and "/" not in name and "\0" not in name and os.sep not in name


@contextlib.contextmanager
def _locked(folder: Path, named: Path, wait: float) -> Iterator[None]:
    """`folder`'s lock, waited for up to `wait` seconds; errors name `named`."""
    lock = folder / LOCK_NAME
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise OutputError(named, reason(exc)) from exc
        try:
            _acquire(fd, deadline, named, wait)
            if _still_named(fd, lock):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # its holder removed it as we waited: lock the one at that name now
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)  # while held, so no one can hold the file removed and another at once
        os.close(fd)


def _acquire(fd: int, deadline: float, named: Path, wait: float) -> None:
    import fcntl

    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as exc:
            raise OutputError(named, reason(exc)) from exc
        if _signalled():
            raise _Interrupted
        if time.monotonic() >= deadline:
            raise OutputError(named, f"另一个 builder 正在写入这个文件夹，等了 {wait:g} 秒仍未写完")
        time.sleep(0.02)


def _still_named(fd: int, lock: Path) -> bool:
    try:
        named = os.stat(lock, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (named.st_dev, named.st_ino)


def _signalled() -> bool:
    """Whether a held signal is pending that will act when let through (an ignored one will not)."""
    return any(signal.getsignal(s) != signal.SIG_IGN for s in signal.sigpending() & HELD)
