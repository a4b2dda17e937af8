"""Render a report kind's part templates: its environment, and errors said in the user's words.

A report kind (the annual report, the district brief) keeps its built-in templates in a folder of
its own; an edition's `templates/` and `prose/` folders are searched first, so a file of the same
name takes the place of the built-in one. Every template renders with bounded work
(`builder.compose.sandbox`), and what it renders is admitted as printable text
(`builder.compose.slots`) or refused in one line naming the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined

from builder.compose.sandbox import HEADROOM, BoundedEnvironment, Bounds, EditionLoader, Exceeded, TimeUp, collect
from builder.compose.slots import Unprintable
from builder.compose.template_cache import template_cache
from builder.model.edition import Edition
from builder.model.errors import InputError, Unreadable

T = TypeVar("T")


class TemplateBug(RuntimeError):
    """A built-in template failed: a bug in the builder, not the user's mistake."""


def environment(builtin: Path, edition: Edition, undefined: type[Undefined] = StrictUndefined) -> BoundedEnvironment:
    """The sandbox templates render in, finding the edition's templates and prose before `builtin`'s."""
    folders = [(p, edition.folder) for p in (edition.templates, edition.prose) if p is not None and edition.folder]
    return BoundedEnvironment(
        loader=EditionLoader([*folders, (builtin, None)]),
        bytecode_cache=template_cache(),
        autoescape=False,
        undefined=undefined,
        keep_trailing_newline=True,
    )


def generate(env: BoundedEnvironment, name: str, ctx: dict[str, Any]) -> Iterator[str]:
    return env.get_template(name).generate(**ctx)


def render(
    builtin: Path,
    where: str,
    bounds: Bounds,
    make: Callable[[], Iterable[str]],
    admit: Callable[[str], T],
    what: str = "",
) -> T:
    """A template's text, rendered within `bounds` and admitted as printable text. An error in an
    edition's own template (its title, prose or part templates) is the user's: one line naming
    the file and line; one in a built-in template (under `builtin`) is a bug, but going past a
    bound never is (the edition's prose may have spent the time or the memory)."""
    try:
        with bounds.rendering():
            text = collect(make())
        return admit(text)
    except Unreadable:
        raise
    except (Unprintable, Exceeded, TimeUp, MemoryError, RecursionError) as exc:
        culprit = (
            _culprit(_first(exc), builtin, edition_only=True)
            or _culprit(exc, builtin, edition_only=True)
            or _compiling(exc, builtin)
        )
        subject = f"{what}模板" if what else "模板（或其包含的正文）"  # a part's text comes from both
        if culprit is not None and culprit[0] != "<template>":
            where, subject = f"{culprit[0]}:{culprit[1]}" if culprit[1] else culprit[0], f"{what}模板"
        raise Unreadable([InputError(where, f"{subject}{_beyond(exc, bounds)}")]) from None
    except Exception as exc:  # a syntax error, an undefined name, a division by zero, a bad filter
        culprit = _culprit(exc, builtin)
        detail = str(exc) if isinstance(exc, TemplateError) else f"{type(exc).__name__}: {exc}"
        if culprit is not None and _built_in(culprit[0], builtin):
            raise TemplateBug(f"内置模板 {Path(culprit[0]).relative_to(builtin)} 第{culprit[1]}行出错：{detail}") from exc
        if culprit is not None and culprit[0] != "<template>":
            where = f"{culprit[0]}:{culprit[1]}"
        raise Unreadable([InputError(where, f"{what}模板出错：{detail}")]) from exc


def _compiling(exc: BaseException, builtin: Path) -> tuple[str, int] | None:
    """The edition's template being compiled when the bound was passed (`BoundedEnvironment.compile`)."""
    name = getattr(_first(exc), "compiling", None) or getattr(exc, "compiling", None)
    return (name, 0) if isinstance(name, str) and not _built_in(name, builtin) else None


def _first(exc: BaseException) -> BaseException:
    """The first bound passed of those `exc` was raised while handling, or `exc`: the timer may ring
    again while the first leaves the template, and the first says where the template was."""
    seen = 0
    while isinstance(exc.__context__, TimeUp | Exceeded | MemoryError) and seen < 100:
        exc, seen = exc.__context__, seen + 1
    return exc


def _beyond(exc: BaseException, bounds: Bounds) -> str:
    """What bound a template went past, in the words of the message."""
    if isinstance(exc, TimeUp):
        return f"运行超过时限（全部模板合计{bounds.seconds:g}秒）：请检查循环"
    if isinstance(exc, MemoryError):
        return f"占用内存超过上限（{HEADROOM // (1024 * 1024)} MB）：请检查循环和重复的文字"
    if isinstance(exc, RecursionError):
        return "嵌套或递归过深（宏调用自身，或正文互相包含）"
    if isinstance(exc, Unprintable):
        return f"{exc}"
    return f"超出限制：{exc}"


def _culprit(exc: BaseException, builtin: Path, *, edition_only: bool = False) -> tuple[str, int] | None:
    """The template file and line the error happened in: a syntax error names them; Jinja rewrites a
    rendering error's traceback so that its innermost template frame is the template's own line.
    With `edition_only`, the innermost frame of the edition's own templates, the title or prose."""
    if isinstance(exc, TemplateSyntaxError):
        return (exc.filename or "<template>", exc.lineno)
    found = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if (name.endswith(".j2") or name == "<template>") and not (edition_only and _built_in(name, builtin)):
            found = (name, _template_line(tb))
        tb = tb.tb_next
    return found


def _template_line(tb: TracebackType) -> int:
    """The template's line of a frame: Jinja maps the lines of its compiled code to the template's
    when it rewrites a traceback, but not for what it does not catch (`TimeUp`)."""
    template = tb.tb_frame.f_globals.get("__jinja_template__")
    return template.get_corresponding_lineno(tb.tb_lineno) if template is not None else tb.tb_lineno


def _built_in(name: str, builtin: Path) -> bool:
    return name != "<template>" and Path(name).resolve().is_relative_to(builtin)
