"""Take an edition's figures, derived figures and prose, produce the document tree of the report.

Each part is a template (`templates/部分/<part>.j2` beside this module, or the edition's own
`templates/`) rendered with what the part modules give it; edition prose files are included by
name. Templates render as `builder.compose.rendering` renders every report kind's.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Undefined
from jinja2.utils import missing as jinja_missing

from builder.compose import rendering
from builder.compose.annual.calls import call_types, totals
from builder.compose.annual.handling import handling
from builder.compose.annual.hot_topics import hot_topics
from builder.compose.annual.outcomes import outcomes
from builder.compose.assembly import number_headings, parts_on_new_pages, subtitle_of
from builder.compose.prose import CONTEXT_NAMES
from builder.compose.sandbox import BoundedEnvironment, Bounds
from builder.compose.slots import Figs, Marks
from builder.compose.words import change_word, year_words
from builder.document import Block, Document, Meta, PageBreak, Title, Toc, number_captions
from builder.figures.derived import Ledger
from builder.model.edition import Edition
from builder.model.errors import InputError, Unreadable
from builder.model.figures import Figures, Indicator

TEMPLATES = Path(__file__).resolve().parent / "templates"  # the built-in part templates
PARTS = ("总述", "工作情况", "来电类型", "承办情况", "反映热点", "办理情况", "年度计划")
# What `context` gives every template besides the indicators, so `check` knows prose may name them.
PROVIDED = CONTEXT_NAMES | {"一级", "二级", "三级", "四级", "总量", "来电类型", "承办", "热点", "办理"}
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
    """The sandbox the report's templates render in, finding the edition's templates and prose first."""
    return rendering.environment(TEMPLATES, edition, undefined)


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
    title = rendering.render(
        TEMPLATES, settings, bounds, lambda: env.from_string(edition.title).generate(**ctx), marks.plain, "“title”"
    )
    if len(title) > MAX_TITLE:
        raise Unreadable([InputError(settings, f"“title”模板给出的标题过长（{len(title)}字，上限{MAX_TITLE}字）")])
    blocks: list[Block] = [Title(title, subtitle_of(edition)), Toc(), PageBreak()]
    for part in PARTS:
        name = f"部分/{part}.j2"
        generated = partial(rendering.generate, env, name, ctx)
        blocks.extend(rendering.render(TEMPLATES, f"templates/{name}", bounds, generated, marks.blocks_of))
    meta = Meta(title=title, subject=edition.subject, author=edition.author, version=edition.version, date=edition.date)
    return Document(meta, tuple(number_captions(number_headings(parts_on_new_pages(blocks)))))
