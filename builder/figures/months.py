"""The shape of a year's monthly counts: its peak and lowest month, and the level it settles at."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from builder.model.figures import MONTHS
from builder.model.values import Value


def known(months: Mapping[int, Value]) -> dict[int, Decimal]:
    """The months whose count the workbook gives."""
    return {m: n for m, x in months.items() if (n := x.number) is not None}


def extremes(months: Mapping[int, Value]) -> tuple[int, int] | None:
    """(peak month, lowest month) among the months with a count, the first such month when tied;
    None when no month has one (a missing month is neither a peak nor a low)."""
    given = known(months)
    if not given:
        return None
    return max(given, key=lambda m: (given[m], -m)), min(given, key=lambda m: (given[m], m))


def plateau(months: Mapping[int, Value], after: int) -> list[int]:
    """The months the year ends on after month `after`: the last run of at least three months that
    stay within ±15% of their mean; empty when the year does not settle."""
    tail = [m for m in MONTHS if m > after and m in months]
    if any(months[m].number is None for m in tail):
        return []
    run: list[int] = []
    for m in reversed(tail):
        trial = [*run, m]
        values = [months[x].number or Decimal(0) for x in trial]
        mean = sum(values, Decimal(0)) / len(values)
        if mean == 0 or any(abs(y - mean) > mean * Decimal("0.15") for y in values):
            break
        run = trial
    return sorted(run) if len(run) >= 3 else []
