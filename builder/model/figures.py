"""The figures of one edition, typed: counts as given, each a `Value` that knows its cell.

Everything computed from them lives in `builder.figures.derived`; the workbook stage makes them
(`builder.workbook.load`), and every later stage reads them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.model.values import SheetRows, Value

CALL_TYPES = ("咨询", "诉求", "建议", "投诉", "表扬")
MONTHS = tuple(range(1, 13))


@dataclass(frozen=True)
class Pair:
    """A figure this year and last year."""

    current: Value
    previous: Value


@dataclass(frozen=True)
class Indicator:
    name: str
    current: Value
    previous: Value
    unit: str
    note: str


@dataclass(frozen=True)
class District:
    name: str
    zone: str
    population: Value  # 万人
    streets: Value  # 直派街乡镇
    units: Value  # 区级部门


@dataclass(frozen=True)
class Street:
    district: str
    name: str
    count: Value


@dataclass(frozen=True)
class Topic:
    """One hot-topic category: its counts, sub-topics, months and who handled it."""

    name: str
    current: Value
    previous: Value
    direct: Value
    subtopics: Mapping[str, Value]
    monthly: Mapping[str, Mapping[int, Value]]  # "" = the whole category
    by_unit: Mapping[str, Value]
    by_district: Mapping[str, Value]


@dataclass(frozen=True)
class Rates:
    resolution: Value
    satisfaction: Value
    previous_resolution: Value
    previous_satisfaction: Value


@dataclass(frozen=True)
class Stated:
    """A derived figure as a published text stated it, for `check` to compare."""

    key: str
    text: str
    where: str
    source: str


@dataclass(frozen=True)
class Figures:
    source: Path
    year: int | None  # None while the workbook leaves it empty
    region: str
    indicators: Mapping[str, Indicator]
    totals: Mapping[str, Pair]
    by_category: Mapping[str, Mapping[str, Value]]  # category -> call type -> count
    by_month: Mapping[int, Mapping[str, Value]]  # month -> call type -> count
    by_district: Mapping[str, Mapping[str, Value]]  # district -> call type -> count
    districts: Mapping[str, District]
    units: Mapping[str, Value]
    zone_categories: Mapping[str, Mapping[str, Value]]
    streets: tuple[Street, ...]
    departments: Mapping[str, Value]
    enterprises: Mapping[str, Value]
    topics: tuple[Topic, ...]
    rates: Mapping[tuple[str, str], Rates]
    stated: tuple[Stated, ...]
    tables: Mapping[str, SheetRows]  # every sheet as read, for checks and diffs by cell

    @property
    def zones(self) -> tuple[str, ...]:
        """Zone names in the order the districts sheet first names them."""
        return tuple(dict.fromkeys(d.zone for d in self.districts.values()))

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.by_category)

    def values(self) -> Iterator[Value]:
        """Every figure read from the workbook."""
        for table in self.tables.values():
            for row in table.rows:
                yield from row.values.values()
