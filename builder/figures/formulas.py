"""Take the derived figures, produce each one's formula written out in workbook cells.

A derived figure's formula names the sub-totals it uses (`=〔总量.渠道合计〕`); the proof list shows
it in cells alone (`=总量!B4/(总量!B4+总量!B5)`), so a proofreader can recompute it in a spreadsheet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from builder.figures.derived import Ledger

_TERM = re.compile(r"〔([^〔〕]+)〕")
_SINGLE_TERM = re.compile(r"[^\s()+\-*/,]+")
MAX_EXPANSION = 20  # nesting depth of derived figures; the ledger's is 3 at most


def expanded_formulas(ledger: Ledger) -> dict[str, str]:
    """Every derived figure's formula with the sub-totals it names written out in cells."""
    raw = {key: d.formula for key, d in ledger.items.items()}
    return {key: expand(formula, raw) for key, formula in raw.items()}


def expand(formula: str, formulas: Mapping[str, str], depth: int = 0) -> str:
    """`formula` with each `〔key〕` replaced by that figure's formula (bracketed unless one term)."""
    if depth > MAX_EXPANSION or "〔" not in formula:
        return formula

    def inner(key: str) -> str | None:
        found = formulas.get(key)
        return None if found is None else expand(found, formulas, depth + 1).removeprefix("=")

    def bracketed(m: re.Match[str]) -> str:
        body = inner(m.group(1))
        return m.group(0) if body is None else f"({body})"

    def bare(m: re.Match[str]) -> str:
        body = inner(m.group(1))
        if body is None:
            return m.group(0)
        return body if _SINGLE_TERM.fullmatch(body) else f"({body})"

    formula = re.sub(r"\(〔([^〔〕]+)〕\)", bracketed, formula)
    return _TERM.sub(bare, formula)
