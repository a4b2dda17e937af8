"""The mistakes a user must fix, said in one line each and never with a traceback: `UserError`,
the base the `builder` command catches; `InputError` (where: what) and `Unreadable` (all of an
input's) for workbooks and templates. Fonts, styles and outputs have their own (`FontError`,
`StyleError`, `OutputError`).

They live apart from `builder.workbook.reader` (which re-exports them) so that the `builder` command can
name them without importing the workbook reader, which a build's writer processes never need.
"""

from __future__ import annotations

import errno

from builder.model.text import one_line

MAX_ERRORS = 20


class UserError(Exception):
    """A mistake the user must fix: the command prints `lines()` and exits 2."""

    def lines(self) -> list[str]:
        text = str(self)
        return [text.splitlines()[0] if text else type(self).__name__]


class InputError(UserError):
    """A user mistake in an input: one line, `where: what`."""

    def __init__(self, where: str, message: str) -> None:
        where, message = one_line(where), one_line(message)  # they may quote what a hostile input holds
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str]]:  # pickled whole, e.g. from a build process
        return (type(self), (self.where, self.message))


class Unreadable(UserError):
    """The workbook cannot be read; carries every error found, one line each."""

    def __init__(self, errors: list[InputError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors

    def __reduce__(self) -> tuple[type[Unreadable], tuple[list[InputError]]]:
        return (type(self), (self.errors,))

    def lines(self) -> list[str]:
        shown = [str(e) for e in self.errors[:MAX_ERRORS]]
        if len(self.errors) > MAX_ERRORS:
            shown.append(f"……另有 {len(self.errors) - MAX_ERRORS} 处错误未列出")
        return shown


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


def reason(exc: OSError) -> str:
    """Why an operation on a file failed, in Chinese; the system's words where there is no translation."""
    if exc.errno in REASONS:
        return REASONS[exc.errno]
    return exc.strerror or type(exc).__name__
