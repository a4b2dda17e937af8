"""Words that follow the data: how many a ranking names, who leads (ties said as ties), the trend.

Every function here takes figures and returns the words the templates print, so no template
types a count, a leader or a shape the data might contradict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from builder.compose.slots import TOP, Figs
from builder.document import MISSING_TEXT
from builder.figures.derived import Derived
from builder.model import numbers
from builder.model.values import Value

Number = Value | Derived


def how_many(count: int, unit: str = "类", limit: int = TOP) -> str:
    """“前十类” when a ranking names ten or more; “前三类” when it names three: the count as it is
    (“主要” when it names none, and the names themselves print 【待补】)."""
    return f"前{numbers.chinese_numeral(min(count, limit))}{unit}" if count else "主要"


def tied_first(ranked: Sequence[str], values: Mapping[str, Number]) -> list[str]:
    """The names that share the first place of `ranked` (by exact value); [] for an empty ranking."""
    if not ranked or values[ranked[0]].number is None:
        return list(ranked[:1])
    top = values[ranked[0]].number
    return [n for n in ranked if values[n].number == top]


def tied_last(ranked: Sequence[str], values: Mapping[str, Number]) -> list[str]:
    """The names that share the last place of `ranked`."""
    return list(reversed(tied_first(list(reversed(ranked)), values)))


def together(names: Sequence[str]) -> str:
    """One name, or several that tie: “东城区、西城区（并列）”."""
    return names[0] if len(names) == 1 else "、".join(names) + "（并列）"


def tie_word(names: Sequence[str], word: str) -> str:
    """`word` (最高, 较高…) for one leader, “并列最高” for several."""
    return ("并列" if len(names) > 1 else "") + word


def level(figs: Figs, key: str) -> Any:
    """“14万件” for “稳定在每月14万件左右”: the level the year's months settle at, or None when they do not."""
    settled = figs.ledger.get(key)
    return figs.count(settled, mode="level") if settled is not None else None


def trend(months: Mapping[int, Value]) -> str:
    """The shape of a year's monthly counts, in the report's words."""
    known = {m: x.number for m, x in months.items() if x.number is not None}
    if len(known) < 3:
        return "波动趋势"
    peak = max(known, key=lambda m: known[m] or 0)
    low = min(known, key=lambda m: known[m] or 0)
    if peak >= 10 and low <= 3:
        return "上升趋势"
    if peak <= 3 and low >= 10:
        return "下降趋势"
    if 3 < peak < 10 and low in (min(known), max(known)):
        return "先升后降趋势"
    return "波动趋势"


def by_value(values: Mapping[str, Number]) -> dict[str, Number]:
    """`values` smallest first (a horizontal bar chart draws its first category at the bottom)."""
    return dict(sorted(values.items(), key=lambda kv: kv[1].number or Decimal(0)))


def year_words(year: int | None) -> dict[str, str]:
    if year is None:
        return dict.fromkeys(("年度", "上年度", "下年度"), MISSING_TEXT)
    return {"年度": str(year), "上年度": str(year - 1), "下年度": str(year + 1)}


def change_word(current: Value, previous: Value) -> str:
    """提升至 / 下降至 / 持平于: how a figure went from last year's value to this year's (变为 when either is missing)."""
    a, b = current.number, previous.number
    if a is None or b is None:
        return "变为"
    return "提升至" if a > b else "下降至" if a < b else "持平于"
