"""Templates rendered with bounded work, from files read as an edition's files must be.

Jinja's sandbox keeps a user's template from reaching Python, not from running forever or filling
memory: two nested `range(100000)` loops, `'x' * 10**9`, a string doubled forty times. So a
report's templates (its title, part templates and the prose they include) render here:

- against a deadline for all of them (`SECONDS`), kept by a timer signal in the main thread (a
  loop in a template calls nothing the sandbox sees) and checked by the sandbox's own hooks;
- with the operations that make large values in one step checked before they run (`*`, `**`,
  `%`, `+`, padding and widths in calls and filters, `range` up to `MAX_RANGE`), each result and
  the rendered text held to `MAX_TEXT` characters;
- under a ceiling on the process's address space (`HEADROOM` above what it uses), for whatever
  the checks miss, where the system allows one;
- with deep nesting and recursion refused, not crashed on.

An edition's template and prose files are read through `builder.workbook.edition.read_text` (a
regular file inside the edition folder, at most 1 MiB) and refused when they hold a private-use
or non-character (a control character is dropped from the rendered text instead, see
`builder.compose.slots`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, TemplateNotFound, TemplateSyntaxError
from jinja2.loaders import split_template_path
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from builder.model.errors import InputError, Unreadable
from builder.model.text import describe, first_unfit
from builder.workbook.edition import read_text

SECONDS = 10.0  # all the templates of one report; the sample's take 0.05 s
MAX_TEXT = 200_000  # characters a template may render, or any one value it makes: twenty times the sample report
MAX_RANGE = 10_000  # items of one range(): a report's lists have tens
MAX_DIGITS = 10_000  # a whole number a template computes: multiplying larger ones is slow and cannot be stopped
GRACE = 1.0  # seconds the sandbox's hooks wait past the deadline for the timer, which knows where the template is
HEADROOM = 1024 * 1024 * 1024  # bytes of address space rendering may add: ample for 1 MiB templates


class Exceeded(Exception):
    """A template went beyond a bound; the message says which, in the user's words."""


class TimeUp(BaseException):
    """The deadline passed: raised by the timer wherever the template was, and a BaseException so
    that no `except Exception` on the way (Jinja's, a cache's) can swallow it."""


class BoundedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox with bounds on what one operation can make and on time (`Bounds`)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = float("inf")
        self.seconds = SECONDS
        self.globals["range"] = bounded_range
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise Exceeded(f"运行超过时限（全部模板合计{self.seconds:g}秒）")

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        self.check_time()
        if operator == "*":
            _check_repeat(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_widths(left, _PRINTF, right if isinstance(right, tuple) else (right,))
        elif operator == "+" and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            _check_size(len(left) + len(right))
        return _checked(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # Jinja's own signature
        __self.check_time()
        method = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped by the sandbox
        owner, name = getattr(method, "__self__", None), getattr(method, "__name__", "")
        if isinstance(owner, str) and name in ("format", "format_map"):
            _check_widths(owner, _FORMAT, args)
        elif isinstance(owner, str) and name in _SIZED_METHODS:
            _check_sizes(args, kwargs)
        return _checked(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check_time()
        return super().getattr(obj, attribute)

    def compile(
        self,
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        """Compiled as Jinja does; nesting too deep for its parser or Python's compiler is the
        template's error, said as a syntax error of the file."""
        try:
            return super().compile(source, name, filename, raw, defer_init)  # type: ignore[call-overload]  # its overloads name `raw`'s literal
        except (
            TimeUp,
            MemoryError,
            Exceeded,
        ) as exc:  # no frame of the template's own yet to say where it was (Jinja folds constants, filters among them, as it compiles)
            if not hasattr(exc, "compiling"):
                exc.compiling = filename or "<template>"  # type: ignore[union-attr]
            raise
        except RecursionError as exc:
            raise TemplateSyntaxError("括号、标签或表达式嵌套过深", 1, name, filename) from exc
        except SyntaxError as exc:  # Python's compiler refuses what Jinja's parser let through
            raise TemplateSyntaxError(f"表达式过于复杂（{exc.msg}）", 1, name, filename) from exc


def bounded_range(*args: int) -> range:
    """`range()` in a template: at most `MAX_RANGE` items."""
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise Exceeded(f"range() 产生 {len(rng)} 项，超过上限 {MAX_RANGE}")
    return rng


def _check_size(size: int) -> None:
    if size > MAX_TEXT:
        raise Exceeded(f"产生的文字或列表过长（{size} 项，上限 {MAX_TEXT}）")


def _checked(value: Any) -> Any:
    if isinstance(value, str | list | tuple | bytes):
        _check_size(len(value))
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _MAX_BITS:
        raise Exceeded(f"产生的数超过 {MAX_DIGITS} 位")
    return value


_MAX_BITS = int(MAX_DIGITS * 3.33)


def _check_repeat(left: Any, right: Any) -> None:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple | bytes) and isinstance(times, int):
            _check_size(len(seq) * max(times, 0))
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > _MAX_BITS:
        raise Exceeded(f"产生的数超过 {MAX_DIGITS} 位")


def _check_power(base: Any, exponent: Any) -> None:
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and abs(base) > 1
        and base.bit_length() * exponent > _MAX_BITS
    ):
        raise Exceeded(f"乘方的结果超过 {MAX_DIGITS} 位")


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")
_FORMAT = re.compile(r"\{[^{}]*?:[^{}]*?(\d+|\{)(?:\.(\d+|\{))?[^{}]*\}?")
_SIZED_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})  # str methods that pad to a size
_SIZED_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate", "slice", "batch"})


def _check_widths(fmt: str, pattern: re.Pattern[str], args: Sequence[Any]) -> None:
    """A width or precision in a format string pads as much as it says (`%999999999s`); one taken
    from the arguments (`%*s`, `{:{}}`) holds the arguments' numbers to the bound."""
    for found in pattern.finditer(fmt):
        for number in found.groups():
            if number in ("*", "{"):
                _check_sizes(args, {})
            elif number and (len(number) > 7 or int(number) > MAX_TEXT):
                raise Exceeded(f"格式中的宽度 {number[:12]} 超过上限 {MAX_TEXT}")


def _check_sizes(args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    """The numbers given to what pads, wraps or slices to a size: each is a size it may allocate."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEXT:
            raise Exceeded(f"参数 {str(value)[:12]} 超过上限 {MAX_TEXT}")


def _bounded_filter(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
    """A filter held to the bounds: its result, and for the filters that pad or format to a size,
    its numbers. What Jinja passes before the filtered value (a context, an environment) is skipped."""
    skip = 1 if getattr(f, "jinja_pass_arg", None) is not None else 0  # pass_context and its kin

    @functools.wraps(f)  # keeps Jinja's mark of what the filter is passed
    def bounded(*args: Any, **kwargs: Any) -> Any:
        value, rest = (args[skip], args[skip + 1 :]) if len(args) > skip else (None, ())
        if name == "format" and isinstance(value, str):
            _check_widths(value, _PRINTF, rest)
        elif name in _SIZED_FILTERS:
            _check_sizes(rest, kwargs)
        return _checked(f(*args, **kwargs))

    return bounded


# ---------------------------------------------------------------- time and memory


def collect(chunks: Iterable[str]) -> str:
    """The rendered text, refused as soon as it passes `MAX_TEXT` characters."""
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_TEXT:
            raise Exceeded(f"输出的文字超过 {MAX_TEXT} 字")
        out.append(chunk)
    return "".join(out)


class Bounds:
    """The deadline and memory ceiling of one report's templates, kept while each renders."""

    def __init__(self, env: BoundedEnvironment, seconds: float | None = None) -> None:
        self.env = env
        self.seconds = SECONDS if seconds is None else seconds
        self.deadline = time.monotonic() + self.seconds

    @contextlib.contextmanager
    def rendering(self) -> Iterator[None]:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeUp
        try:
            with _memory_ceiling(HEADROOM), _alarm(left) as ringing:  # the timer stopped before the ceiling is lifted
                # the hooks stand in for a timer where there is none, and else leave it the first word
                self.env.deadline = self.deadline + (GRACE if ringing else 0)
                self.env.seconds = self.seconds
                yield
        finally:
            self.env.deadline = float("inf")


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[bool]:
    """`TimeUp` raised in the main thread after `seconds`, and every half second after (should
    something swallow it); an earlier timer (a test runner's) is put back with the time it had left."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield False  # the sandbox's hooks still check the deadline
        return
    armed = [True]

    def ring(_signum: int, _frame: Any) -> None:
        if armed[0]:
            raise TimeUp

    def dropped(unraisable: Any) -> None:
        # raised while a finalizer ran (a `__del__` the collector called): Python drops it, and
        # the timer rings again half a second later; said nowhere, as nothing went wrong
        if not isinstance(unraisable.exc_value, TimeUp):
            hook(unraisable)

    started = time.monotonic()
    hook, sys.unraisablehook = sys.unraisablehook, dropped
    previous = signal.signal(signal.SIGALRM, ring)
    earlier, _interval = signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield True
    finally:
        try:
            armed[0] = False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            sys.unraisablehook = hook
            if earlier:
                signal.setitimer(signal.ITIMER_REAL, max(earlier - (time.monotonic() - started), 0.001))


@contextlib.contextmanager
def _memory_ceiling(headroom: int) -> Iterator[None]:
    """The process's address space held to what it uses now plus `headroom`, so that an allocation
    beyond fails with MemoryError; the limit it had is put back after. Linux only (elsewhere the
    limit is not kept, or the size in use cannot be read), and the main thread only (the limit is
    the whole process's)."""
    used = _address_space()
    if used is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = used + headroom if hard == resource.RLIM_INFINITY else min(used + headroom, hard)
    if soft != resource.RLIM_INFINITY and soft <= ceiling:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space() -> int | None:
    """Bytes of address space the process maps now; None where that cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[0])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


# ---------------------------------------------------------------- reading templates


class EditionLoader(BaseLoader):
    """Templates by name from folders in order: an edition's (read as `read_text` allows, within
    the edition folder `root`) and the builder's own (root None)."""

    def __init__(self, folders: Sequence[tuple[Path, Path | None]]) -> None:
        self.folders = list(folders)

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses “..”
        for folder, root in self.folders:
            path = Path(os.path.normpath(os.path.join(folder, *pieces)))
            try:
                found = os.path.lexists(path)
            except ValueError:  # a NUL in the name
                raise TemplateNotFound(template) from None
            if not found:
                continue
            if root is None:
                if not path.is_file():
                    continue
                text = path.read_text(encoding="utf-8")
            else:
                text = source_text(path, root)
            return text, str(path), lambda: True
        raise TemplateNotFound(template)


def source_text(path: Path, root: Path) -> str:
    """An edition's template or prose file, refused when it holds a private-use character, a
    non-character or a lone surrogate: no font draws them, and no other character can be guessed."""
    text = read_text(path, root)
    found = first_unfit(text, controls=False)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        message = f"第{column}个字符是{describe(found.group())}：请删去或改为常用字符"
        raise Unreadable([InputError(f"{path}:{line}", message)])
    return text
