"""Take tools/sample_2020.toml, produce the seed's figures as typed values and the record of the counts chosen.

The data file holds each figure as the string the seed prints ("1022.3万", "91.32%", "上升53.01%")
and the illustrative designs for what the seed only describes.  Figures, filled by the generator
and read by its checks, lives here so that neither of them has to import the other.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

NA, UNKNOWN = "—", "**"  # no counterpart to compare with; a figure the seed leaves out
Pins = dict[int, tuple[str, str | None]]  # month -> (count as printed, its share as printed)


def month_pins(rows: Iterable[Sequence[Any]]) -> Pins:
    """The data file's [[month, count, share if printed], …] as {month: (count, share or None)}."""
    return {int(r[0]): (str(r[1]), str(r[2]) if len(r) > 2 else None) for r in rows}


@dataclass(frozen=True)
class Hot:
    """One hot topic as printed; the data file's [[hots]] describes the fields."""

    name: str
    count: str
    growth: str
    subtopics: list[str]
    first_share: str
    direct: list[str]
    unit: list[str]
    district: list[str]
    months: dict[str, Pins]
    peaks: dict[str, list[int]]
    month_rows: list[str]


with Path(__file__).with_name("sample_2020.toml").open("rb") as _file:
    DATA: dict[str, Any] = tomllib.load(_file)
YEAR: int = DATA["year"]
TOTALS: dict[str, str] = DATA["totals"]
TOTAL_GROWTH: dict[str, str] = DATA["total_growth"]
PAIRS: list[dict[str, str]] = DATA["pair_shares"]
PAIR_SHARES = {k: v for pair in PAIRS for k, v in pair.items()}
CALL_TYPES: dict[str, dict[str, Any]] = DATA["call_types"]
TYPE_MONTHS = {kind: month_pins(spec["months"]) for kind, spec in CALL_TYPES.items()}
UNITS: dict[str, list[str]] = DATA["units"]
ZONES: dict[str, dict[str, Any]] = DATA["zones"]
DISTRICTS: list[str] = [d for zone in ZONES.values() for d in zone["districts"]]
DISTRICT_TOTALS: dict[str, str] = DATA["districts"]["totals"]
PER_10K: dict[str, str] = DATA["districts"]["per_10k"]
HOTS = [Hot(**h | {"months": {s: month_pins(r) for s, r in h["months"].items()}}) for h in DATA["hots"]]
RATES: dict[str, list[str]] = DATA["rates"]
INDICATORS: dict[str, list[str]] = DATA["indicators"]
POPULATION: dict[str, float] = DATA["population"]
CATEGORY_DESIGN: dict[str, list[float | str]] = DATA["category_design"]
HOT_DESIGN: dict[str, dict[str, Any]] = DATA["hot_design"]
UNIT_RATES: dict[str, list[float]] = DATA["unit_rates"]


# ── The counts chosen for them ───────────────────────────────────────────────────────────────


@dataclass
class HotFigures:
    """The counts chosen for one hot topic."""

    count: int
    previous: int
    direct: int
    units: dict[str, int]
    districts: dict[str, int]
    subtopics: dict[str, int]
    months: dict[str, list[int]]  # "" = the whole category


@dataclass
class Figures:
    """Every figure chosen, by sheet; filled step by step, each step using the earlier ones."""

    totals: dict[str, int] = field(default_factory=dict)
    previous: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    zone_direct: dict[str, int] = field(default_factory=dict)
    zone_own: dict[str, int] = field(default_factory=dict)
    district_direct: dict[str, int] = field(default_factory=dict)
    district_own: dict[str, int] = field(default_factory=dict)
    type_months: dict[str, dict[int, int]] = field(default_factory=dict)
    categories: dict[str, dict[str, int]] = field(default_factory=dict)
    type_districts: dict[str, dict[str, int]] = field(default_factory=dict)
    hots: dict[str, HotFigures] = field(default_factory=dict)
    zone_categories: dict[str, dict[str, int]] = field(default_factory=dict)
    streets: list[tuple[str, str, int]] = field(default_factory=list)
    departments: list[tuple[str, int]] = field(default_factory=list)
    firms: list[tuple[str, int]] = field(default_factory=list)
    rates: list[tuple[str, str, float, float]] = field(default_factory=list)
    indicators: dict[str, tuple[Decimal | None, Decimal | str | None]] = field(default_factory=dict)

    def district_sum(self, d: str) -> int:
        return self.district_direct[d] + self.district_own[d]

    def type_total(self, kind: str) -> int:
        return sum(self.type_months[kind].values())

    def category_sum(self, kind: str) -> int:
        return sum(row[kind] for row in self.categories.values())
