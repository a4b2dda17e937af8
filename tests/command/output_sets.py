"""What the all-or-none tests share: output sets, a folder's contents, and the one check they all make.

The check (`one_set`) is the promise of `builder.command.outputs`: after whatever happened, the
output folder holds exactly the user's own files plus either the whole earlier set, byte for byte,
or the whole new set, and nothing else (no staging folder, lock or temporary file).
"""

from __future__ import annotations

import os
import random
import signal
from collections.abc import Callable, Mapping
from pathlib import Path

SEED = 20240611
TRIES = int(os.environ.get("BUILDER_ADVERSARIAL_TRIES", "0") or 0)  # 0: each test's own CI default
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOPPED = {130, 128 + signal.SIGTERM, 128 + signal.SIGHUP, -signal.SIGTERM, -signal.SIGHUP, -signal.SIGINT}

Files = dict[str, bytes]

# the names of a build's set, in the order it writes them; the redline only with --since
NAMES = ("报告.pdf", "报告.docx", "报告.html", "报告-校对清单.xlsx", "报告-修订.docx", "检查结果.txt")
USER = {"编辑手记.txt": "用户自己放进来的文件，应当原样留下。".encode()}


def tries(default: int) -> int:
    return TRIES or default


def synthetic(rng: random.Random, names: tuple[str, ...], tag: bytes) -> Files:
    """A set of files of realistic sizes whose bytes say which set they belong to."""
    return {name: tag + rng.randbytes(rng.randint(1_000, 200_000)) for name in names}


def earlier_and_new(seed: int = SEED) -> tuple[Files, Files]:
    """The earlier set lacks the redline, so one file of the new set has no earlier file to move aside."""
    rng = random.Random(seed)
    return synthetic(rng, NAMES[:4] + NAMES[5:], b"earlier "), synthetic(rng, NAMES, b"new ")


def contents(folder: Path) -> dict[str, bytes | None]:
    """Every entry of `folder` by name, hidden ones too; a folder (or anything not a file) as None."""
    return {
        entry.name: Path(entry.path).read_bytes() if entry.is_file(follow_symlinks=False) else None
        for entry in os.scandir(folder)
    }


def fill(folder: Path, files: Mapping[str, bytes | None]) -> None:
    """`folder` holding exactly `files` (None: an empty folder of that name)."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in os.scandir(folder):
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            for inner in path.iterdir():
                inner.unlink()
            path.rmdir()
        else:
            path.unlink()
    for name, data in files.items():
        if data is None:
            (folder / name).mkdir()
        else:
            (folder / name).write_bytes(data)


def one_set(folder: Path, earlier: Mapping[str, bytes], new: Mapping[str, bytes], others: Mapping[str, bytes] = USER) -> str:
    """Which whole set `folder` holds, "earlier" or "new", beside `others`; fails on anything else."""
    found = contents(folder)
    if found == {**others, **earlier}:
        return "earlier"
    if found == {**others, **new}:
        return "new"
    raise AssertionError(f"neither whole set: {describe(found, earlier, new, others)}")


def describe(found: Mapping[str, bytes | None], earlier: Mapping[str, bytes], new: Mapping[str, bytes], others: Mapping[str, bytes]) -> str:
    rows = []
    for name in sorted(found.keys() | earlier.keys() | new.keys()):
        data = found.get(name, b"<absent>")
        which = [w for w, s in (("earlier", earlier), ("new", new), ("user", others)) if s.get(name) == data]
        rows.append(f"{name}: {'/'.join(which) or ('folder' if data is None else 'other')}")
    return "; ".join(rows)


def in_child(body: Callable[[], object]) -> int:
    """`body` run in a forked child, as the `builder` command would end: 0 done, 2 refused, 130
    interrupted, 3 anything else; -N when signal N ended it."""
    from builder.command.outputs import OutputError

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 3
        try:
            body()
            code = 0
        except OutputError:
            code = 2
        except KeyboardInterrupt:
            code = 130
        except BaseException:
            code = 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)
