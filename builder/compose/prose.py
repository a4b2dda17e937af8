"""Prose templates: Jinja2 text rendered in a sandbox, and the names an edition's prose uses."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes

from builder.compose.sandbox import BoundedEnvironment, source_text
from builder.model.findings import Finding, FindingKind

# Names every edition prose file may use besides the indicators; a report kind's composer adds its own.
CONTEXT_NAMES = frozenset({"年度", "上年度", "下年度", "地区"})


def environment() -> BoundedEnvironment:
    """The sandbox prose renders in: prose may come from users, so it cannot reach Python."""
    return BoundedEnvironment(autoescape=False, keep_trailing_newline=True, undefined=StrictUndefined)


def prose_names(source: str, provided: Collection[str] = CONTEXT_NAMES) -> list[tuple[str, int]]:
    """The names the prose refers to that it would have to find among the indicators, with their line
    numbers: not its own loop and `set` variables, not Jinja's globals (`range`…), not `provided`
    (what the composer gives every template); ValueError on bad syntax."""
    env = environment()
    try:
        tree = env.parse(source)
        free = meta.find_undeclared_variables(tree) - set(provided) - set(env.globals)
        return [(n.name, n.lineno) for n in tree.find_all(nodes.Name) if n.ctx == "load" and n.name in free]
    except TemplateSyntaxError as exc:
        raise ValueError(f"第{exc.lineno}行模板语法错误：{exc.message}") from exc
    except RecursionError:  # Jinja's parser and its walks nest a call per bracket
        raise ValueError("模板语法错误：括号、标签或表达式嵌套过深") from None


def prose_findings(indicators: Collection[str], prose_dir: Path, provided: Collection[str] = CONTEXT_NAMES) -> list[Finding]:
    """Each name an edition's prose uses that is not an indicator of the 指标 sheet, and each prose file
    that cannot be parsed; `Unreadable` for a file the edition may not hold (`source_text`)."""
    out: list[Finding] = []
    for path in sorted(prose_dir.glob("*.j2")):
        where = f"{path.parent.name}/{path.name}"
        try:
            names = prose_names(source_text(path, prose_dir.parent), provided)
        except ValueError as exc:
            out.append(Finding(where, str(exc), FindingKind.OTHER))
            continue
        out += [
            Finding(f"{where}:{line}", f"正文引用了《指标》表中没有的“{name}”", FindingKind.OTHER)
            for name, line in names
            if name not in indicators
        ]
    return out
