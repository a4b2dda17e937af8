"""Take a `Document` and a `Style`, produce the page's HTML: each block as a view, the contents
list, the head, written by the Jinja template `page.html.j2` (autoescaped).

Headings are h1–h4 by their depth in the outline (a `1.` straight under `一、` is an h2, so no
rank is skipped), styled by their level in the tree; each has an id from its place in the outline
(`s3`, `s3-1`, `s3-1-2`), the same from build to build of the same structure. Tables are `t1`, `t2`
… and charts `f1`, `f2` … by their captions' numbers (表N, 图N). The contents list links every
heading, nested as the outline; it stands where the tree has its `Toc`, or after the title.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import count
from pathlib import Path
from typing import Any

import jinja2

from builder.document import Block, Chart, Document, Heading, PageBreak, Paragraph, Table, Title, Toc
from builder.document.walk import figures, keys_by_position
from builder.style import Style
from builder.writers.html import css
from builder.writers.html.charts import Canvas, chart_view
from builder.writers.html.inlines import runs_html
from builder.writers.html.tables import table_view

TEMPLATES = Path(__file__).resolve().parent
DRAFT = "草稿"


@dataclass(frozen=True)
class HeadingView:
    rank: int  # h1–h4: its depth in the outline
    level: int  # its level in the tree, which sets its look
    id: str
    text: str
    kind: str = "heading"


@dataclass
class Entry:
    """A heading in the contents list, with the headings under it."""

    heading: HeadingView
    children: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class View:
    """A block as the template writes it: `kind` names the macro; `data` is what it needs."""

    kind: str
    data: Any


@dataclass
class _Outline:
    """Heading numbers as the page goes: the open headings' levels and their counters."""

    open: list[tuple[int, int]] = field(default_factory=list)  # (tree level, counter) from the top
    counts: dict[tuple[int, ...], int] = field(default_factory=dict)
    top: list[Entry] = field(default_factory=list)
    stack: list[Entry] = field(default_factory=list)

    def add(self, heading: Heading) -> HeadingView:
        while self.open and self.open[-1][0] >= heading.level:
            self.open.pop()
            self.stack.pop()
        path = tuple(n for _, n in self.open)
        number = self.counts.get(path, 0) + 1
        self.counts[path] = number
        self.open.append((heading.level, number))
        ids = "-".join(str(n) for _, n in self.open)
        view = HeadingView(min(len(self.open), 4), heading.level, f"s{ids}", heading.number + heading.text)
        entry = Entry(view)
        (self.stack[-1].children if self.stack else self.top).append(entry)
        self.stack.append(entry)
        return view


def page_html(document: Document, style: Style, canvas: Canvas) -> str:
    """The page of `document` as HTML text."""
    final = document.meta.final
    keys = keys_by_position(document)
    outline = _Outline()
    views: list[View] = []
    toc_at: int | None = None
    for index, block in enumerate(document.blocks):
        block_keys = (keys[(index, n)] for n in count())
        view = _view(block, index, outline, canvas, block_keys, keys, final)
        if isinstance(block, Toc) and toc_at is None:
            toc_at = len(views)
        if view is not None:
            views.append(view)
    if toc_at is None:  # no Toc in the tree: the contents follow the title
        toc_at = next((i + 1 for i, v in enumerate(views) if v.kind == "title"), 0)
        views.insert(toc_at, View("toc", "目录"))
    missing = sum(1 for f in figures(document) if f.missing)
    meta = document.meta
    return template().render(
        meta=meta,
        page_title=f"{meta.title}（{meta.version_line}）" if meta.version_line else meta.title,
        draft=not final,
        draft_word=DRAFT,
        missing=missing,
        views=views,
        toc=outline.top,
        fonts=css.font_stacks(style),
        weights=css.font_weights(style),
        paper=css.print_page(style),
        chart_width=round(canvas.width, 2),
    )


def _view(
    block: Block,
    index: int,
    outline: _Outline,
    canvas: Canvas,
    block_keys: Iterator[str],
    keys: dict[tuple[int, int], str],
    final: bool,
) -> View | None:
    match block:
        case Title():
            return View("title", block)
        case Heading():
            return View("heading", outline.add(block))
        case Paragraph():
            return View("paragraph", runs_html(block.runs, block_keys, final))
        case Table():
            return View("table", table_view(block, f"t{block.number or index}", block_keys, final))
        case Chart():
            return View("chart", chart_view(block, f"f{block.number or index}", canvas, lambda n: keys[(index, n)], final))
        case Toc():
            return View("toc", block.title or "目录")
        case PageBreak():
            return None
        case _:
            raise TypeError(f"block {index}: no HTML handler for {type(block).__name__}")


@cache
def template() -> jinja2.Template:
    """The page's template, compiled once per process."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template("page.html.j2")
