"""Prose templates: Jinja2 text, rendered in a sandbox, whose figures become Figure runs.

A template prints a figure with `{{ 受理总量 }}`; the rendered text carries a private-use
marker for it, which `render` turns back into the Figure run, so the wording stays editable
text while every figure keeps its cells.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from builder.document import Figure, Inline, Paragraph, Text, para

# Names every edition prose file may use besides the indicators.
CONTEXT_NAMES = frozenset({"年度", "上年度", "下年度", "地区"})
_MARK = re.compile("\ue000(\\d+)\ue001")


def environment() -> SandboxedEnvironment:
    """The sandbox prose renders in: prose may come from users, so it cannot reach Python."""
    return SandboxedEnvironment(autoescape=False, keep_trailing_newline=True, undefined=StrictUndefined)


def prose_names(source: str) -> list[tuple[str, int]]:
    """Indicator names the prose refers to, with their line numbers; ValueError on bad syntax."""
    try:
        tree = environment().parse(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"第{exc.lineno}行模板语法错误：{exc.message}") from exc
    return [
        (n.name, n.lineno) for n in tree.find_all(nodes.Name) if n.ctx == "load" and n.name not in CONTEXT_NAMES
    ]


class Marks:
    """Figures placed in rendered text, each behind a marker."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []

    def mark(self, fig: Figure) -> str:
        self.figures.append(fig)
        return f"\ue000{len(self.figures) - 1}\ue001"

    def runs(self, text: str) -> list[Inline | str]:
        out: list[Inline | str] = []
        pos = 0
        for m in _MARK.finditer(text):
            out.append(text[pos : m.start()])
            out.append(self.figures[int(m.group(1))])
            pos = m.end()
        out.append(text[pos:])
        return out


class Slot:
    """A figure as a template sees it: printing it places the Figure run."""

    def __init__(self, marks: Marks, fig: Figure, **more: Callable[[], Any]) -> None:
        self._marks = marks
        self._fig = fig
        self._more = more

    def __str__(self) -> str:
        return self._marks.mark(self._fig)

    def __getattr__(self, name: str) -> Any:
        more = self.__dict__.get("_more", {})
        if name in more:
            return more[name]()
        raise AttributeError(name)


def paragraphs(text: str, marks: Marks) -> list[Paragraph]:
    """Rendered text split on blank lines into paragraphs of runs; lines inside one are joined."""
    out = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        joined = "".join(line.strip() for line in chunk.splitlines())
        if joined:
            out.append(para(*marks.runs(joined)))
    return out


def render(source: str, context: Mapping[str, Any], marks: Marks) -> list[Paragraph]:
    """Render a template's text with `context` and return its paragraphs."""
    return paragraphs(environment().from_string(source).render(**context), marks)


def strip_marks(text: str) -> str:
    return _MARK.sub("", text)


__all__ = ["Marks", "Slot", "Text", "environment", "paragraphs", "prose_names", "render"]
