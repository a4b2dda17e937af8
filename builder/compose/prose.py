"""Prose templates: Jinja2 text rendered in a sandbox, and the names an edition's prose uses."""

from __future__ import annotations

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

# Names every edition prose file may use besides the indicators.
CONTEXT_NAMES = frozenset({"年度", "上年度", "下年度", "地区"})


def environment() -> SandboxedEnvironment:
    """The sandbox prose renders in: prose may come from users, so it cannot reach Python."""
    return SandboxedEnvironment(autoescape=False, keep_trailing_newline=True, undefined=StrictUndefined)


def prose_names(source: str) -> list[tuple[str, int]]:
    """Indicator names the prose refers to, with their line numbers; ValueError on bad syntax."""
    try:
        tree = environment().parse(source)
    except TemplateSyntaxError as exc:
        raise ValueError(f"第{exc.lineno}行模板语法错误：{exc.message}") from exc
    return [(n.name, n.lineno) for n in tree.find_all(nodes.Name) if n.ctx == "load" and n.name not in CONTEXT_NAMES]
