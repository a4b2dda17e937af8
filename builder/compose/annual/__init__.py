"""Take an edition's figures, derived figures and prose, produce the document tree of the report.

Each part is a template (`builder/templates/<part>.j2`, or the edition's own `templates/`)
rendered with what `builder.compose.annual.parts` gives it; edition prose files are included by name.
Every template renders with bounded work (`builder.compose.sandbox`), and what it renders is
admitted as printable text (`builder.compose.slots`) or refused in one line naming the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined
from jinja2.utils import missing as jinja_missing

from builder.compose.annual.calls import call_types, totals
from builder.compose.annual.handling import handling
from builder.compose.annual.hot_topics import hot_topics
from builder.compose.annual.outcomes import outcomes
from builder.compose.annual.words import change_word, year_words
from builder.compose.prose import CONTEXT_NAMES
from builder.compose.sandbox import HEADROOM, BoundedEnvironment, Bounds, EditionLoader, Exceeded, TimeUp, collect
from builder.compose.slots import Figs, Marks, Unprintable
from builder.compose.template_cache import template_cache
from builder.document import Block, Document, Heading, Meta, PageBreak, Title, Toc, number_captions
from builder.figures.derived import Ledger
from builder.model import numbers
from builder.model.edition import Edition
from builder.model.errors import InputError, Unreadable
from builder.model.figures import Figures, Indicator

TEMPLATES = Path(__file__).resolve().parent / "templates"  # the built-in part templates
PARTS = ("总述", "工作情况", "来电类型", "承办情况", "反映热点", "办理情况", "年度计划")
# What `context` gives every template besides the indicators, so `check` knows prose may name them.
PROVIDED = CONTEXT_NAMES | {"一级", "二级", "三级", "四级", "总量", "来电类型", "承办", "热点", "办理"}
T = TypeVar("T")
MAX_TITLE = 500  # characters: printed whole on the title page, shortened only where a format needs it


class IndicatorView:
    """An indicator as prose sees it: `{{ 名称 }}`, `{{ 名称.上年 }}`, `{{ 名称.增幅 }}`."""

    def __init__(self, ind: Indicator, figs: Figs) -> None:
        self._ind, self._figs = ind, figs

    def __str__(self) -> str:
        return str(self._figs.amount(self._ind.current, self._ind.unit))

    @property
    def 上年(self) -> str:
        return str(self._figs.amount(self._ind.previous, self._ind.unit))

    @property
    def 中文(self) -> str:
        """The value in Chinese numerals with its unit: 连续四年."""
        return str(self._figs.amount(self._ind.current, self._ind.unit, chinese=True))

    @property
    def 变化(self) -> str:
        """提升至 / 下降至 / 持平于 from last year's value to this year's (变为 when either is missing)."""
        return change_word(self._ind.current, self._ind.previous)

    @property
    def 增幅(self) -> Any:
        return self._figs.growth(self._figs.ledger.get(f"指标.{self._ind.name}.增幅"), places=1, prefix="环比")


def environment(edition: Edition, undefined: type[Undefined] = StrictUndefined) -> BoundedEnvironment:
    """The sandbox templates render in, finding the edition's templates and prose first."""
    folders = [(p, edition.folder) for p in (edition.templates, edition.prose) if p is not None and edition.folder]
    env = BoundedEnvironment(
        loader=EditionLoader([*folders, (TEMPLATES, None)]),
        bytecode_cache=template_cache(),
        autoescape=False,
        undefined=undefined,
        keep_trailing_newline=True,
    )
    return env


def missing_indicators(figs: Figs) -> type[Undefined]:
    """What a name no one defines renders as: an indicator the 指标 sheet lacks prints 【待补】 (a
    missing figure, so a draft marks it, check names it and a final build refuses it), with its
    `.上年`, `.增幅` likewise; a missing attribute of a defined name is still an error."""

    class MissingIndicator(StrictUndefined):
        def _top_level(self) -> bool:
            return self._undefined_obj is jinja_missing and self._undefined_name is not None

        def __str__(self) -> str:  # type: ignore[override]  # StrictUndefined's raises
            if self._top_level():
                return str(figs.unknown(f"指标.{self._undefined_name}", "指标"))
            return super().__str__()

        def __getattr__(self, name: str) -> Any:
            if self._top_level() and not name.startswith("__"):
                return self
            return super().__getattr__(name)

        def __bool__(self) -> bool:  # type: ignore[override]  # StrictUndefined's raises
            return False if self._top_level() else super().__bool__()

    return MissingIndicator


def context(f: Figures, figs: Figs) -> dict[str, Any]:
    ctx: dict[str, Any] = {name: IndicatorView(ind, figs) for name, ind in f.indicators.items()}
    ctx.update(year_words(f.year))
    ctx["地区"] = f.region
    ctx.update({"一级": figs.heading(1), "二级": figs.heading(2), "三级": figs.heading(3), "四级": figs.heading(4)})
    ctx.update(
        {
            "总量": totals(f, figs),
            "来电类型": call_types(f, figs),
            "承办": handling(f, figs),
            "热点": hot_topics(f, figs),
            "办理": outcomes(f, figs),
        }
    )
    return ctx


def compose(f: Figures, ledger: Ledger, edition: Edition) -> Document:
    """The whole report as one document tree."""
    marks = Marks()
    figs = Figs(marks, ledger)
    env = environment(edition, missing_indicators(figs))
    bounds = Bounds(env)
    ctx = context(f, figs)
    settings = str(edition.folder / "edition.toml") if edition.folder else "edition.toml"
    title = _render(settings, bounds, lambda: env.from_string(edition.title).generate(**ctx), marks.plain, "“title”")
    if len(title) > MAX_TITLE:
        raise Unreadable([InputError(settings, f"“title”模板给出的标题过长（{len(title)}字，上限{MAX_TITLE}字）")])
    blocks: list[Block] = [Title(title, subtitle_of(edition)), Toc(), PageBreak()]
    for part in PARTS:
        name = f"部分/{part}.j2"
        blocks.extend(_render(f"templates/{name}", bounds, partial(_generate, env, name, ctx), marks.blocks_of))
    meta = Meta(title=title, subject=edition.subject, author=edition.author, version=edition.version, date=edition.date)
    return Document(meta, tuple(number_captions(number_headings(blocks))))


def _generate(env: BoundedEnvironment, name: str, ctx: dict[str, Any]) -> Iterator[str]:
    return env.get_template(name).generate(**ctx)


def _render(
    where: str, bounds: Bounds, render: Callable[[], Iterable[str]], admit: Callable[[str], T], what: str = ""
) -> T:
    """A template's text, rendered within `bounds` and admitted as printable text. An error in an
    edition's own template (its title, prose or part templates) is the user's: one line naming
    the file and line; one in a built-in template is a bug, but going past a bound never is (the
    edition's prose may have spent the time or the memory)."""
    try:
        with bounds.rendering():
            text = collect(render())
        return admit(text)
    except Unreadable:
        raise
    except (Unprintable, Exceeded, TimeUp, MemoryError, RecursionError) as exc:
        culprit = _culprit(_first(exc), edition_only=True) or _culprit(exc, edition_only=True) or _compiling(exc)
        subject = f"{what}模板" if what else "模板（或其包含的正文）"  # a part's text comes from both
        if culprit is not None and culprit[0] != "<template>":
            where, subject = f"{culprit[0]}:{culprit[1]}" if culprit[1] else culprit[0], f"{what}模板"
        raise Unreadable([InputError(where, f"{subject}{_beyond(exc, bounds)}")]) from None
    except Exception as exc:  # a syntax error, an undefined name, a division by zero, a bad filter
        culprit = _culprit(exc)
        detail = str(exc) if isinstance(exc, TemplateError) else f"{type(exc).__name__}: {exc}"
        if culprit is not None and _built_in(culprit[0]):
            raise TemplateBug(f"内置模板 {Path(culprit[0]).relative_to(TEMPLATES)} 第{culprit[1]}行出错：{detail}") from exc
        if culprit is not None and culprit[0] != "<template>":
            where = f"{culprit[0]}:{culprit[1]}"
        raise Unreadable([InputError(where, f"{what}模板出错：{detail}")]) from exc


def _compiling(exc: BaseException) -> tuple[str, int] | None:
    """The edition's template being compiled when the bound was passed (`BoundedEnvironment.compile`)."""
    name = getattr(_first(exc), "compiling", None) or getattr(exc, "compiling", None)
    return (name, 0) if isinstance(name, str) and not _built_in(name) else None


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


class TemplateBug(RuntimeError):
    """A built-in template failed: a bug in the builder, not the user's mistake."""


def _culprit(exc: BaseException, *, edition_only: bool = False) -> tuple[str, int] | None:
    """The template file and line the error happened in: a syntax error names them; Jinja rewrites a
    rendering error's traceback so that its innermost template frame is the template's own line.
    With `edition_only`, the innermost frame of the edition's own templates, the title or prose."""
    if isinstance(exc, TemplateSyntaxError):
        return (exc.filename or "<template>", exc.lineno)
    found = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if (name.endswith(".j2") or name == "<template>") and not (edition_only and _built_in(name)):
            found = (name, _template_line(tb))
        tb = tb.tb_next
    return found


def _template_line(tb: TracebackType) -> int:
    """The template's line of a frame: Jinja maps the lines of its compiled code to the template's
    when it rewrites a traceback, but not for what it does not catch (`TimeUp`)."""
    template = tb.tb_frame.f_globals.get("__jinja_template__")
    return template.get_corresponding_lineno(tb.tb_lineno) if template is not None else tb.tb_lineno


def _built_in(name: str) -> bool:
    return name != "<template>" and Path(name).resolve().is_relative_to(TEMPLATES)


def subtitle_of(edition: Edition) -> str:
    """The version and date under the title: （修订稿2　2021年1月20日）."""
    words = [edition.version]
    if edition.date:
        words.append(numbers.format_date_zh(edition.issued))
    shown = "　".join(w for w in words if w)
    return f"（{shown}）" if shown else ""


def number_headings(blocks: list[Block]) -> list[Block]:
    """Number headings by level: 一、 （一） 1. （1）; a heading restarts the counts below it."""
    counts = [0, 0, 0, 0]
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading) and not block.number:
            counts[block.level - 1] += 1
            for lower in range(block.level, 4):
                counts[lower] = 0
            block = replace(block, number=numbers.heading_number(block.level, counts[block.level - 1]))
        out.append(block)
    return out
