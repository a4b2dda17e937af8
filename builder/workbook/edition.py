"""Take an edition folder (or a bare workbook), produce its `Edition`: the workbook's path and the settings of `edition.toml`.

An edition's own files (edition.toml, prose, part templates, fonts) are read only when they are
regular files inside the edition folder and not too large, as `builder.workbook.package` checks
the workbook: a FIFO would block the build, a device never ends, and a link leading out of the
folder would print or embed a file the edition does not hold. `read_text` reads them so.
"""

from __future__ import annotations

import datetime
import os
import stat
import tomllib
from pathlib import Path

from builder.model.edition import DEFAULTS, Edition
from builder.model.errors import InputError, Unreadable, reason
from builder.model.text import describe, first_unfit

MiB = 1024 * 1024
MAX_TEXT_FILE = 1 * MiB  # edition.toml, a prose file or a part template: the sample's largest is 5 KB
MAX_FONT_FILE = 256 * MiB  # a CJK TrueType collection is 10–40 MB; ReportLab reads the chosen one whole
FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")  # the files builder.style.fonts reads from fonts/


def load_edition(path: Path) -> Edition:
    """The edition at `path`: a folder with figures.xlsx (and edition.toml, prose/) or a workbook."""
    if not path.is_dir() or path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
        return Edition(None, path, **DEFAULTS)  # a folder named like a workbook: the reader says what it is
    meta = dict(DEFAULTS)
    toml = path / "edition.toml"
    if os.path.lexists(toml):
        text = read_text(toml, path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise Unreadable([InputError(str(toml), f"无法读取：{exc}")]) from exc
        except RecursionError:  # tomllib nests a call per bracket
            raise Unreadable([InputError(str(toml), "无法读取：方括号或花括号嵌套过深")]) from None
        for key, value in data.items():
            if key not in DEFAULTS:
                raise Unreadable([InputError(str(toml), f"未知的设置“{key[:40]}”（可用：{'、'.join(DEFAULTS)}）")])
            if not isinstance(value, str):
                raise Unreadable([InputError(str(toml), f"“{key}”应为文字，实为 {_shown(value)}")])
            odd = next((ch for ch in value if not ch.isprintable()), None)
            if odd is not None:
                raise Unreadable([InputError(str(toml), f"“{key}”含有{_unseen(odd)}：请只写一行可见的文字")])
            meta[key] = value
    if meta["date"]:
        try:
            datetime.date.fromisoformat(meta["date"])
        except ValueError:
            raise Unreadable([InputError(str(toml), f"“date”应为 2021-01-20 这样的日期，实为“{meta['date'][:40]}”")]) from None
    edition = Edition(path, path / "figures.xlsx", **meta)
    for folder in edition.font_dirs:
        for font in sorted(folder.rglob("*")):
            if font.suffix.lower() in FONT_SUFFIXES:
                guard(font, path, MAX_FONT_FILE)
    return edition


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _unseen(ch: str) -> str:
    """What an unprintable character of a setting is: a line break, a space other than the plain
    one (a setting is one line of visible text), or one of the kinds no report can carry."""
    if ch in "\n\r\u2028\u2029":
        return "换行"
    if ch.isspace():
        return f"空白字符 U+{ord(ch):04X}"
    return describe(ch) if first_unfit(ch) else f"不可见的字符 U+{ord(ch):04X}"


def guard(path: Path, folder: Path, limit: int) -> Path:
    """The real path of `path`, an edition file fit to read: a regular file, inside the edition
    `folder` once links are followed, at most `limit` bytes; else `Unreadable`, one line naming it."""
    try:
        real = Path(os.path.realpath(path))
        inside = real.is_relative_to(os.path.realpath(folder))
        info = os.stat(real) if inside else None
    except (OSError, ValueError) as exc:
        raise _refusal(path, f"无法读取：{reason(exc) if isinstance(exc, OSError) else exc}") from None
    if info is None:
        raise _refusal(path, f"是指向版次文件夹以外（{real}）的链接：请把文件本身放进版次文件夹")
    if stat.S_ISDIR(info.st_mode):
        raise _refusal(path, "这是文件夹，应为文件")
    if not stat.S_ISREG(info.st_mode):  # a FIFO would block the open, a device never ends
        raise _refusal(path, "不是普通文件（可能是设备、管道或套接字）")
    if info.st_size > limit:
        raise _refusal(path, f"文件过大（{info.st_size // 1024} KB，上限 {limit // 1024} KB）")
    return real


def read_text(path: Path, folder: Path, limit: int = MAX_TEXT_FILE) -> str:
    """The UTF-8 text of an edition file (a byte-order mark dropped), read only as `guard` allows and
    never past `limit` bytes, should the file grow or be swapped after the check."""
    real = guard(path, folder, limit)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise _refusal(path, "不是普通文件（可能是设备、管道或套接字）")
            data = handle.read(limit + 1)
    except OSError as exc:
        raise _refusal(path, f"无法读取：{reason(exc)}") from None
    if len(data) > limit:
        raise _refusal(path, f"文件过大（上限 {limit // 1024} KB）")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _refusal(path, f"第{line}行不是 UTF-8 编码的文字：请以 UTF-8 编码另存") from None


def _refusal(path: Path, message: str) -> Unreadable:
    return Unreadable([InputError(str(path), message)])
