"""Take an edition's figures and derived figures, produce a district brief (区简报): one short report
for each district of the 各区 sheet, its figures set against the city's and the other districts'.

Each part is a template (`templates/简报/<part>.j2` beside this module, or the edition's own
`templates/简报/<part>.j2`), rendered as the annual report's are (`builder.compose.rendering`)
with what the part modules give it; the title is a template too (`简报/标题.j2`).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from builder.compose import rendering
from builder.compose.assembly import number_headings, subtitle_of
from builder.compose.briefs.calls import calls
from builder.compose.briefs.findings import brief_findings
from builder.compose.briefs.handling import handling
from builder.compose.briefs.outcomes import outcomes
from builder.compose.briefs.overview import overview
from builder.compose.briefs.topics import topics
from builder.compose.sandbox import Bounds
from builder.compose.slots import Figs, Marks
from builder.compose.words import year_words
from builder.document import Block, Document, Meta, Title, number_captions
from builder.figures.derived import Ledger, derive_districts
from builder.model.edition import Edition
from builder.model.figures import Figures

__all__ = ["PARTS", "TEMPLATES", "brief_findings", "compose_brief", "districts"]

TEMPLATES = Path(__file__).resolve().parent / "templates"  # the built-in part templates
PARTS = ("总体情况", "来电类型", "承办情况", "反映热点", "办理情况")
TITLE = "简报/标题.j2"


def districts(f: Figures) -> list[str]:
    """The districts of the 各区 sheet, in the workbook's order: one brief each."""
    return list(f.districts)


def context(f: Figures, figs: Figs, district: str) -> dict[str, Any]:
    ctx: dict[str, Any] = dict(year_words(f.year))
    ctx.update({"地区": f.region, "区名": district})
    ctx.update({"一级": figs.heading(1), "二级": figs.heading(2), "三级": figs.heading(3), "四级": figs.heading(4)})
    ctx.update(
        {
            "来电": calls(f, figs, district),
            "承办": handling(f, figs, district),
            "热点": topics(f, figs, district),
            "办理": outcomes(f, figs, district),
            "概况表": figs.block(overview(f, figs.ledger, district)),
        }
    )
    return ctx


def compose_brief(f: Figures, ledger: Ledger, edition: Edition, district: str) -> Document:
    """The brief of `district` as one document tree. The district figures it prints are added to
    `ledger` (`derive_districts`), so a proof list made from the same ledger writes their formulas
    in cells."""
    if district not in f.districts:
        raise ValueError(f"《各区》表中没有“{district}”")
    derive_districts(ledger, f)
    marks = Marks()
    figs = Figs(marks, ledger)
    env = rendering.environment(TEMPLATES, edition)
    bounds = Bounds(env)
    ctx = context(f, figs, district)

    def render(name: str, admit: Any, what: str = "") -> Any:
        generated = partial(rendering.generate, env, name, ctx)
        return rendering.render(TEMPLATES, f"templates/{name}", bounds, generated, admit, what)

    title: str = render(TITLE, marks.plain, "标题")
    blocks: list[Block] = [Title(title, subtitle_of(edition))]
    for part in PARTS:
        blocks.extend(render(f"简报/{part}.j2", marks.blocks_of))
    meta = Meta(title=title, subject=edition.subject, author=edition.author, version=edition.version, date=edition.date)
    return Document(meta, tuple(number_captions(number_headings(blocks))))
