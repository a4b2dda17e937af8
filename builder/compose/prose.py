"""Prose templates: Jinja2 text rendered in a sandbox, and the names an edition's prose uses."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from builder.model.findings import Finding, FindingKind

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


def prose_findings(indicators: Collection[str], prose_dir: Path) -> list[Finding]:
    """Each name an edition's prose uses that is not an indicator of the 指标 sheet, and each prose file that cannot be parsed."""
    out: list[Finding] = []
    for path in sorted(prose_dir.glob("*.j2")):
        where = f"{path.parent.name}/{path.name}"
        try:
            names = prose_names(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            out.append(Finding(where, str(exc), FindingKind.OTHER))
            continue
        out += [
            Finding(f"{where}:{line}", f"正文引用了《指标》表中没有的“{name}”", FindingKind.OTHER)
            for name, line in names
            if name not in indicators
        ]
    return out
