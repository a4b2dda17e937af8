"""The shape of a year's monthly counts: its peak and lowest month, and the level it settles at."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from builder.model.figures import MONTHS
from builder.model.values import Value


def extremes(months: Mapping[int, Value]) -> tuple[int, int]:
    """(peak month, lowest month); the first such month when tied."""
    known = {m: x.number or Decimal(0) for m, x in months.items()}
    return max(known, key=lambda m: (known[m], -m)), min(known, key=lambda m: (known[m], m))


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
