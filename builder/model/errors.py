"""The mistakes a user must fix, said in one line each and never with a traceback: `UserError`,
the base the `builder` command catches; `InputError` (where: what) and `Unreadable` (all of an
input's) for workbooks and templates. Fonts, styles and outputs have their own (`FontError`,
`StyleError`, `OutputError`).

They live apart from `builder.workbook.reader` (which re-exports them) so that the `builder` command can
name them without importing the workbook reader, which a build's writer processes never need.
"""

from __future__ import annotations

MAX_ERRORS = 20


class UserError(Exception):
    """A mistake the user must fix: the command prints `lines()` and exits 2."""

    def lines(self) -> list[str]:
        text = str(self)
        return [text.splitlines()[0] if text else type(self).__name__]


class InputError(UserError):
    """A user mistake in an input: one line, `where: what`."""

    def __init__(self, where: str, message: str) -> None:
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
