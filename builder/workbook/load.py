"""Take the workbook's tables, produce the typed figures of one edition.

Figures hold counts as given; everything computed from them lives in `builder.figures.derived`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl.utils.cell import range_boundaries

from builder.workbook.reader import InputError, Row, State, Table, Unreadable, Value, read_workbook
from builder.workbook.schema import CALL_TYPES, MONTH_HEADERS, MONTHS, SHEETS_BY_NAME

IDENTIFIER = re.compile(r"[^\W\d]\w*")


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
    tables: Mapping[str, Table]

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


def load(path: Path) -> Figures:
    """Read and type the workbook at `path` (or `path/figures.xlsx` for an edition folder)."""
    workbook = workbook_path(path)
    tables = read_workbook(workbook)
    marks = _illustrative_ranges(tables["说明"])
    tables = {name: _mark(table, marks.get(name, [])) for name, table in tables.items()}
    return _build(workbook, tables)


def workbook_path(path: Path) -> Path:
    """An edition folder's workbook, or the workbook itself."""
    is_edition = path.is_dir() and path.suffix.lower() not in {".xlsx", ".xlsm", ".xls"}
    return path / "figures.xlsx" if is_edition else path


Box = tuple[int, int, int, int]


def _illustrative_ranges(table: Table) -> dict[str, list[Box]]:
    marks: dict[str, list[Box]] = {}
    errors: list[InputError] = []
    for row in table.rows:
        text = row.key[0].replace("！", "!")
        sheet, _, cells = text.rpartition("!")
        where = f"说明!{table.ref('单元格', row.number)}"
        if sheet not in SHEETS_BY_NAME:
            errors.append(InputError(where, f"应为“工作表!单元格区域”，如“类型月度!B3:F14”，实为“{text}”"))
            continue
        try:
            min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
        except (ValueError, TypeError):
            errors.append(InputError(where, f"单元格区域“{cells}”无法识别，应如“B3:F14”"))
            continue
        # a whole column (B:B) or row (3:3) leaves the other ends open
        marks.setdefault(sheet, []).append((min_col or 1, min_row or 1, max_col or 16384, max_row or 1048576))
    if errors:
        raise Unreadable(errors)
    return marks


def _mark(table: Table, boxes: list[Box]) -> Table:
    if not boxes:
        return table
    rows = []
    for row in table.rows:
        values = {
            h: replace(v, illustrative=_inside(table.columns[h], row.number, boxes)) for h, v in row.values.items()
        }
        rows.append(replace(row, values=values))
    return replace(table, rows=tuple(rows))


def _inside(col: int, row: int, boxes: list[Box]) -> bool:
    return any(c0 <= col <= c1 and r0 <= row <= r1 for c0, r0, c1, r1 in boxes)


def _build(source: Path, tables: Mapping[str, Table]) -> Figures:
    info = {row.key[0]: row for row in tables["基本信息"].rows}
    return Figures(
        source=source,
        year=_year(tables["基本信息"], info["年度"]),
        region=info["地区"].texts.get("内容", ""),
        indicators=_indicators(tables["指标"]),
        totals={r.key[0]: Pair(r["本年"], r["上年"]) for r in tables["总量"].rows},
        by_category={r.key[0]: _types(r) for r in tables["类型分类"].rows},
        by_month={int(r.key[0]): _types(r) for r in tables["类型月度"].rows},
        by_district={r.key[0]: _types(r) for r in tables["类型各区"].rows},
        districts={
            r.key[0]: District(r.key[0], r.texts.get("功能区", ""), r["常住人口"], r["直派街乡镇"], r["区级部门"])
            for r in tables["各区"].rows
        },
        units={r.key[0]: r["承办量"] for r in tables["承办单位"].rows},
        zone_categories=_nested(tables["功能区分类"], "承办量"),
        streets=tuple(Street(r.key[0], r.key[1], r["承办量"]) for r in tables["街乡镇"].rows),
        departments={r.key[0]: r["承办量"] for r in tables["市级部门"].rows},
        enterprises={r.key[0]: r["承办量"] for r in tables["国有企业"].rows},
        topics=_topics(tables),
        rates={
            (r.key[0], r.key[1]): Rates(r["解决率"], r["满意率"], r["上年解决率"], r["上年满意率"])
            for r in tables["办理率"].rows
        },
        stated=tuple(
            Stated(
                r.key[0],
                r.texts.get("公布值", ""),
                f"公布值!{tables['公布值'].ref('公布值', r.number)}",
                r.texts.get("出处", ""),
            )
            for r in tables["公布值"].rows
        ),
        tables=tables,
    )


def _year(table: Table, row: Row) -> int | None:
    text = row.texts.get("内容", "")
    if not text:
        return None
    if not re.fullmatch(r"(19|20)\d\d", text):
        raise Unreadable(
            [InputError(f"基本信息!{table.ref('内容', row.number)}", f"年度应为四位数字，如 2020，实为“{text}”")]
        )
    return int(text)


def _indicators(table: Table) -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    errors: list[InputError] = []
    for row in table.rows:
        name = row.key[0]
        if not IDENTIFIER.fullmatch(name):
            where = f"指标!{table.ref('指标', row.number)}"
            errors.append(InputError(where, f"指标名称只能由汉字、字母、数字和下划线组成且不以数字开头，实为“{name}”"))
            continue
        out[name] = Indicator(name, row["本年"], row["上年"], row.texts.get("单位", ""), row.texts.get("说明", ""))
    if errors:
        raise Unreadable(errors)
    return out


def _types(row: Row) -> dict[str, Value]:
    return {t: row[t] for t in CALL_TYPES}


def _nested(table: Table, header: str) -> dict[str, dict[str, Value]]:
    out: dict[str, dict[str, Value]] = {}
    for row in table.rows:
        out.setdefault(row.key[0], {})[row.key[1]] = row[header]
    return out


def _topics(tables: Mapping[str, Table]) -> tuple[Topic, ...]:
    subtopics = _nested(tables["热点子类"], "反映量")
    by_unit = _nested(tables["热点承办单位"], "承办量")
    by_district = _nested(tables["热点各区"], "承办量")
    monthly: dict[str, dict[str, dict[int, Value]]] = {}
    for row in tables["热点月度"].rows:
        months = {m: row[h] for m, h in zip(MONTHS, MONTH_HEADERS, strict=True)}
        monthly.setdefault(row.key[0], {})[row.key[1]] = months
    return tuple(
        Topic(
            name=r.key[0],
            current=r["本年"],
            previous=r["上年"],
            direct=r["直接答复"],
            subtopics=subtopics.get(r.key[0], {}),
            monthly=monthly.get(r.key[0], {}),
            by_unit=by_unit.get(r.key[0], {}),
            by_district=by_district.get(r.key[0], {}),
        )
        for r in tables["热点"].rows
    )


def is_missing(value: Value) -> bool:
    return value.state is State.MISSING
