"""Take the workbook's sheets as read, produce the typed figures of one edition (`builder.model.figures`).

Figures hold counts as given; everything computed from them lives in `builder.figures.derived`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from openpyxl.utils.cell import range_boundaries

from builder.model.errors import InputError, Unreadable
from builder.model.figures import CALL_TYPES, MONTHS, District, Figures, Indicator, Pair, Rates, Stated, Street, Topic
from builder.model.values import Row, SheetRows, State, Value
from builder.workbook.reader import read_workbook
from builder.workbook.schema import MONTH_HEADERS, SHEETS_BY_NAME

IDENTIFIER = re.compile(r"[^\W\d]\w*")


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


def _illustrative_ranges(table: SheetRows) -> dict[str, list[Box]]:
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


def _mark(table: SheetRows, boxes: list[Box]) -> SheetRows:
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


def _build(source: Path, tables: Mapping[str, SheetRows]) -> Figures:
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


def _year(table: SheetRows, row: Row) -> int | None:
    text = row.texts.get("内容", "")
    if not text:
        return None
    if not re.fullmatch(r"(19|20)\d\d", text):
        raise Unreadable(
            [InputError(f"基本信息!{table.ref('内容', row.number)}", f"年度应为四位数字，如 2020，实为“{text}”")]
        )
    return int(text)


def _indicators(table: SheetRows) -> dict[str, Indicator]:
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


def _nested(table: SheetRows, header: str) -> dict[str, dict[str, Value]]:
    out: dict[str, dict[str, Value]] = {}
    for row in table.rows:
        out.setdefault(row.key[0], {})[row.key[1]] = row[header]
    return out


def _topics(tables: Mapping[str, SheetRows]) -> tuple[Topic, ...]:
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
