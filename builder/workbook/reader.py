"""Take a figures workbook, produce its sheets as tables of values that know their cells.

Cells are read by header name and rows by key, never by position, so a reordered sheet or
a moved column reads the same. Every refusal is one line naming the sheet and cell.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from builder.model.errors import MAX_ERRORS as MAX_ERRORS  # defined there, re-exported where they always were
from builder.model.errors import InputError as InputError
from builder.model.errors import Unreadable as Unreadable
from builder.model.numbers import NumberError, parse_percent_flag
from builder.model.text import describe, drop_controls, first_unfit
from builder.model.values import Row, SheetRows, State, Value, get_column_letter
from builder.workbook.schema import (
    DIRECTORIES,
    FIXED_DOMAINS,
    NOT_APPLICABLE,
    SHEETS,
    SHEETS_BY_NAME,
    Column,
    ColumnKind,
    Sheet,
)

TOO_LARGE = Decimal(10) ** 11  # no report counts 100 billion of anything: a typo, or a hostile cell
MAX_ROWS = 5000  # far beyond any report's sheet; bounds time and memory on hostile files
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 5

# Text cells that name something, checked as row keys are: the region the title prints, the zones of
# the 各区 directory. Every other text cell (a unit, a note, a stated value) is free text.
NAMING_TEXT = frozenset({("基本信息", "内容"), *DIRECTORIES.values()})

_CN_MONTHS = {n: i for i, n in enumerate("一二三四五六七八九十", start=1)} | {"十一": 11, "十二": 12}
_WS = "\u3000\u00a0\t\r\n "


@dataclass
class _Errors:
    items: list[InputError] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.items.append(InputError(where, message))


def clean_text(raw: Any) -> str:
    """A cell as text with stray spaces removed; numbers written without a trailing .0."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return re.sub(r"\s+", " ", str(raw).strip(_WS))


def split_header(raw: Any) -> tuple[str, str]:
    """“常住人口（万人）” -> (“常住人口”, “万人”); spaces inside a header are ignored."""
    text = re.sub(r"[\s\u3000]", "", clean_text(raw))
    m = re.fullmatch(r"(.+?)[（(]([^）)]*)[）)]", text)
    return (m.group(1), m.group(2)) if m else (text, "")


def open_workbook(path: Path, *, formulas: bool = False) -> Any:
    """Open read-only, refusing what is not a workbook with one line."""
    name = path.name
    if not path.exists():
        raise Unreadable([InputError(str(path), "文件不存在")])
    if path.is_dir():
        raise Unreadable([InputError(str(path), "这是文件夹，应为 .xlsx 工作簿")])
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise Unreadable([InputError(name, "这是旧版 .xls 格式：请在 Excel 或 WPS 中另存为 .xlsx 再试")])
    if suffix not in {".xlsx", ".xlsm"}:
        raise Unreadable([InputError(name, f"应为 .xlsx 工作簿，实为“{path.suffix or '无扩展名'}”文件")])
    from builder.workbook.package import (
        inspect_package,  # encrypted, truncated, bombs, entities: refused before parsing
    )

    inspect_package(path)
    if not zipfile.is_zipfile(path):
        raise Unreadable([InputError(name, "不是有效的 .xlsx 文件（文件损坏、被加密或并非 Excel 工作簿）")])
    from openpyxl import load_workbook  # imported when needed: ~0.1 s, and not every command reads a workbook

    try:
        return load_workbook(path, read_only=True, data_only=not formulas, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged packages
        raise Unreadable([InputError(name, f"无法读取工作簿（{type(exc).__name__}）：文件损坏或格式不符")]) from exc


def read_workbook(path: Path) -> dict[str, SheetRows]:
    """Every schema sheet of the workbook as its rows; raises Unreadable with every error found."""
    wb = open_workbook(path)
    errors = _Errors()
    empties: dict[str, set[str]] = {}
    try:
        tables = {s.name: _read_sheet(wb, s, errors, empties) for s in SHEETS}
        parts = {name: getattr(wb[name], "_worksheet_path", None) for name, refs in empties.items() if refs}
    finally:
        wb.close()
    if any(empties.values()):
        _refuse_uncached_formulas(path, empties, errors, parts)
    if not errors.items:
        _check_names(tables, errors)
    if errors.items:
        raise Unreadable(errors.items)
    return tables


def _read_sheet(wb: Any, sheet: Sheet, errors: _Errors, empties: dict[str, set[str]]) -> SheetRows:
    if sheet.name not in wb.sheetnames:
        if not sheet.optional:
            errors.add(sheet.name, f"缺少工作表《{sheet.name}》（可用 builder template 生成空白模板对照）")
        return _rows_of(sheet, 0, {}, (), present=False)
    ws = wb[sheet.name]
    if not hasattr(ws, "iter_rows"):  # a chart sheet bearing the name: it has no cells
        errors.add(sheet.name, f"《{sheet.name}》是图表工作表，应为数据表（应填写数据的普通工作表）")
        return _rows_of(sheet, 0, {}, (), present=False)
    ws.reset_dimensions()  # a stale <dimension> written by some tools would hide rows
    try:
        grid = _rows(ws, sheet, errors)
    except ParseError as exc:  # openpyxl parses a read-only sheet as its rows are read
        errors.add(sheet.name, unparsable(exc))
        return _rows_of(sheet, 0, {}, (), present=False)
    found = _find_header(grid, sheet)
    if found is None:
        first = sheet.key[0]
        errors.add(f"{sheet.name}!A1:A{HEADER_SEARCH_ROWS}", f"找不到表头：前{HEADER_SEARCH_ROWS}行中没有“{first}”列")
        return _rows_of(sheet, 0, {}, (), present=False)
    header_row, columns, units = found
    missing = [c.header for c in sheet.columns if c.header not in columns and not c.optional]
    if missing:
        errors.add(f"{sheet.name}!{header_row}:{header_row}", "表头缺少列：" + "、".join(f"“{m}”" for m in missing))
        return _rows_of(sheet, header_row, columns, (), present=False)
    rows = _data_rows(grid, sheet, header_row, columns, units, errors, empties.setdefault(sheet.name, set()))
    table = _rows_of(sheet, header_row, columns, tuple(rows))
    _check_fixed_rows(table, errors)
    return table


def _rows_of(
    sheet: Sheet, header_row: int, columns: dict[str, int], rows: tuple[Row, ...], *, present: bool = True
) -> SheetRows:
    return SheetRows(sheet.name, sheet.key, header_row, columns, rows, present)


def unparsable(exc: ParseError) -> str:
    """Why a sheet's XML cannot be read: most often a character XML does not allow, which Excel
    never writes but other tools do (a control character such as U+0001, or U+FFFE)."""
    line, column = getattr(exc, "position", (0, 0))
    return (
        f"工作表内容无法解析（XML 第{line}行第{column}列）：其中有 XML 不允许的字符（如控制字符或 U+FFFE）"
        "或文件已损坏，请在 Excel 或 WPS 中删去该字符后另存"
    )


def _rows(ws: Any, sheet: Sheet, errors: _Errors) -> list[tuple[int, list[Any]]]:
    """The sheet's non-empty rows as (row number, cells), bounded in size."""
    out: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
        if number > MAX_ROWS:
            errors.add(f"{sheet.name}!A{number}", f"行数超过上限 {MAX_ROWS}：请删去多余的行")
            break
        if any(getattr(c, "value", None) not in (None, "") for c in cells):
            out.append((number, list(cells)))
    return out


def _find_header(grid: list[tuple[int, list[Any]]], sheet: Sheet) -> tuple[int, dict[str, int], dict[str, str]] | None:
    known = {c.header for c in sheet.columns}
    for number, cells in grid:
        if number > HEADER_SEARCH_ROWS:
            break
        names = [split_header(getattr(c, "value", None)) for c in cells]
        if sheet.key[0] not in {n for n, _ in names}:
            continue
        columns: dict[str, int] = {}
        units: dict[str, str] = {}
        for index, (name, unit) in enumerate(names, start=1):
            if name in known and name not in columns:
                columns[name] = index
                units[name] = unit
        return number, columns, units
    return None


def _data_rows(
    grid: list[tuple[int, list[Any]]],
    sheet: Sheet,
    header_row: int,
    columns: dict[str, int],
    units: dict[str, str],
    errors: _Errors,
    empties: set[str],
) -> Iterator[Row]:
    seen: dict[tuple[str, ...], int] = {}
    for number, cells in grid:
        if number <= header_row:
            continue
        row = _read_row(sheet, number, cells, columns, units, errors, empties)
        if row is None:
            continue
        if row.key in seen:
            where = f"{sheet.name}!{get_column_letter(columns[sheet.key[0]])}{number}"
            errors.add(where, f"与第{seen[row.key]}行重复（{'、'.join(k for k in row.key if k)}）")
            continue
        seen[row.key] = number
        yield row


def _read_row(
    sheet: Sheet,
    number: int,
    cells: list[Any],
    columns: dict[str, int],
    units: dict[str, str],
    errors: _Errors,
    empties: set[str],
) -> Row | None:
    def cell(header: str) -> Any:
        index = columns.get(header)
        if index is None or index > len(cells):
            return None
        return cells[index - 1]

    if all(getattr(cell(c.header), "value", None) in (None, "") for c in sheet.columns):
        return None
    key: list[str] = []
    values: dict[str, Value] = {}
    texts: dict[str, str] = {}
    for col in sheet.columns:
        if col.header not in columns:
            continue
        c = cell(col.header)
        raw = getattr(c, "value", None)
        ref = f"{get_column_letter(columns[col.header])}{number}"
        where = f"{sheet.name}!{ref}"
        if raw is None or raw == "":
            empties.add(ref)  # may be a formula never calculated: checked after the sheet is read
        if col.header in sheet.key:
            name = _read_key(col, raw, where, errors)
            if name is None:
                return None
            key.append(name)
        elif col.kind is ColumnKind.TEXT and (sheet.name, col.header) in NAMING_TEXT:
            texts[col.header] = _name(col, clean_text(raw), where, errors) or ""
        elif col.kind is ColumnKind.TEXT:
            texts[col.header] = _free_text(col, clean_text(raw), where, errors)
        else:
            fmt = str(getattr(c, "number_format", "") or "")
            values[col.header] = _read_value(col, raw, fmt, units.get(col.header, ""), sheet.name, ref, errors)
    return Row(number, tuple(key), values, texts)


def _read_key(col: Column, raw: Any, where: str, errors: _Errors) -> str | None:
    if col.kind is ColumnKind.MONTH:
        month = read_month(raw)
        if month is None:
            errors.add(where, f"月份应为1至12，实为“{clean_text(raw)}”")
        return None if month is None else str(month)
    text = clean_text(raw)
    if text == "" and col.domain != "子类":
        errors.add(where, f"“{col.header}”不能为空")
        return None
    return _name(col, text, where, errors)


def _name(col: Column, text: str, where: str, errors: _Errors) -> str | None:
    """A name as typed, or None when it holds a character no report can carry: refused, not
    cleaned, since a name changed unseen could match another row or print other than the cell
    shows (a control character is invisible in Excel; U+E000–U+E003 would be taken for the
    composer's markers)."""
    found = first_unfit(text)
    if found is None:
        return text
    errors.add(where, f"“{col.header}”第{found.start() + 1}个字符是{describe(found.group())}：名称中不能有，请删去")
    return None


def _free_text(col: Column, text: str, where: str, errors: _Errors) -> str:
    """Free text (a unit, a note, a stated value) with its control characters dropped: invisible in
    Excel and never meant, they are what a paste from elsewhere leaves. A private-use or
    non-character is refused: it shows as a box, and no character can stand in for it."""
    text = drop_controls(text, allowed="")
    found = first_unfit(text)
    if found is None:
        return text
    errors.add(where, f"“{col.header}”第{found.start() + 1}个字符是{describe(found.group())}：请删去或改为常用字符")
    return ""


def read_month(raw: Any) -> int | None:
    """1, 01, “1月”, “一月” -> 1; anything outside 1–12 -> None."""
    text = clean_text(raw).removesuffix("份").removesuffix("月")
    if text in _CN_MONTHS:
        return _CN_MONTHS[text]
    try:
        number = Decimal(text.translate(_FULLWIDTH_DIGITS))
    except InvalidOperation:
        return None
    if number != number.to_integral_value() or not 1 <= number <= 12:
        return None
    return int(number)


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _read_value(col: Column, raw: Any, fmt: str, unit: str, sheet: str, ref: str, errors: _Errors) -> Value:
    where = f"{sheet}!{ref}"
    if raw is None or (isinstance(raw, str) and clean_text(raw) == ""):
        return Value(sheet, ref, None, State.MISSING)
    if isinstance(raw, str) and clean_text(raw) in NOT_APPLICABLE:
        if col.na_ok:
            return Value(sheet, ref, None, State.NA)
        errors.add(where, f"“{col.header}”不能填“{clean_text(raw)}”：应填数字，尚缺则留空")
        return Value(sheet, ref, None, State.MISSING)
    number = _as_decimal(raw, fmt, where, col, errors)
    if number is None:
        return Value(sheet, ref, None, State.MISSING)
    if number < 0:
        errors.add(where, f"“{col.header}”不能为负数，实为 {clean_text(raw)}")
        return Value(sheet, ref, None, State.MISSING)
    if number >= TOO_LARGE:
        errors.add(where, f"“{col.header}”数值过大（不应达到10的11次方），实为 {clean_text(raw)[:30]}")
        return Value(sheet, ref, None, State.MISSING)
    if col.kind is ColumnKind.COUNT:
        return _count(col, raw, number, unit, sheet, ref, errors)
    if col.kind is ColumnKind.RATE and number > 100:
        errors.add(where, f"“{col.header}”应为0至100之间的百分比，实为 {clean_text(raw)}")
        return Value(sheet, ref, None, State.MISSING)
    places = max(0, -number.normalize().as_tuple().exponent)  # type: ignore[operator]
    return Value(sheet, ref, number.normalize() if places else number.quantize(Decimal(1)), places=places)


def _count(col: Column, raw: Any, number: Decimal, unit: str, sheet: str, ref: str, errors: _Errors) -> Value:
    """A whole count; one typed in 万 keeps how far its rounding may be from the exact count."""
    in_wan = isinstance(raw, str) and "万" in raw
    tolerance = 0
    if unit.startswith("万") and not in_wan:
        tolerance = _wan_tolerance(number)
        number *= 10000
    elif in_wan:
        tolerance = _wan_tolerance(number / 10000)
    if number != number.to_integral_value():
        errors.add(f"{sheet}!{ref}", f"“{col.header}”应为整数件数，实为 {clean_text(raw)}")
        return Value(sheet, ref, None, State.MISSING)
    return Value(sheet, ref, int(number), tolerance=tolerance)


def _wan_tolerance(wan: Decimal) -> int:
    places = max(0, -wan.normalize().as_tuple().exponent)  # type: ignore[operator]
    return 5 * 10 ** (3 - places) if places <= 3 else 0


def _as_decimal(raw: Any, fmt: str, where: str, col: Column, errors: _Errors) -> Decimal | None:
    expected = {ColumnKind.COUNT: "件数", ColumnKind.RATE: "百分比", ColumnKind.POPULATION: "人口数"}.get(col.kind, "数字")
    if isinstance(raw, bool):
        errors.add(where, f"“{col.header}”应为{expected}，实为逻辑值 {raw}")
        return None
    if isinstance(raw, int | float):
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        if col.kind is ColumnKind.RATE and scales_percent(fmt):
            number *= 100
        return number
    if isinstance(raw, str):
        if raw.lstrip().startswith("="):
            errors.add(where, "公式没有缓存值：请在 Excel 或 WPS 中打开、重新计算并保存后再试")
            return None
        try:
            number, has_percent = parse_percent_flag(raw)
        except NumberError:
            errors.add(where, f"“{col.header}”应为{expected}，实为文字“{clean_text(raw)[:30]}”")
            return None
        if has_percent and col.kind is not ColumnKind.RATE and col.kind is not ColumnKind.AMOUNT:
            errors.add(where, f"“{col.header}”应为{expected}，不应带百分号，实为“{clean_text(raw)[:30]}”")
            return None
        return number
    errors.add(where, f"“{col.header}”应为{expected}，实为{type(raw).__name__}“{clean_text(raw)[:30]}”")
    return None


def scales_percent(fmt: str) -> bool:
    """True when a number format shows the value times 100 (a bare %, not a quoted or escaped one)."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", fmt)
    return "%" in bare


def _check_fixed_rows(table: SheetRows, errors: _Errors) -> None:
    sheet = SHEETS_BY_NAME[table.name]
    if not sheet.rows:
        return
    names = {row.key[0]: row for row in table.rows}
    for row in table.rows:
        if row.key[0] not in sheet.rows:
            where = f"{sheet.name}!{table.ref(sheet.key[0], row.number)}"
            errors.add(where, f"未知的{sheet.key[0]}“{row.key[0]}”（应为：{'、'.join(sheet.rows)}）")
    for name in sheet.rows:
        if name not in names:
            errors.add(f"{sheet.name}!{table.ref(sheet.key[0], table.header_row)}", f"缺少“{name}”行")


def _check_names(tables: Mapping[str, SheetRows], errors: _Errors) -> None:
    """Names in one sheet must exist in the directory sheet they refer to."""
    directory = {
        domain: {row.key[0] if col == tables[src].key[0] else row.texts.get(col, "") for row in tables[src].rows}
        for domain, (src, col) in DIRECTORIES.items()
    }
    directory.update({d: set(v) for d, v in FIXED_DOMAINS.items()})
    subtopics = {row.key for row in tables["热点子类"].rows}
    for table in tables.values():
        for col in SHEETS_BY_NAME[table.name].columns:
            if col.domain is None or col.header not in table.columns:
                continue
            index = table.key.index(col.header)
            for row in table.rows:
                name = row.key[index]
                where = f"{table.name}!{table.ref(col.header, row.number)}"
                if col.domain == "子类":
                    if name and (row.key[0], name) not in subtopics:
                        errors.add(where, f"子类“{name}”不在《热点子类》表“{row.key[0]}”之下")
                elif name not in directory[col.domain]:
                    errors.add(where, _unknown(col.domain, name, directory[col.domain]))
    _check_rate_names(tables, directory, errors)


def _check_rate_names(tables: Mapping[str, SheetRows], directory: Mapping[str, set[str]], errors: _Errors) -> None:
    allowed = {
        "全市": {"全市"},
        "单位类型": directory["单位类型"],
        "区": directory["区"],
        "问题类别": directory["问题类别"],
    }
    table = tables["办理率"]
    for row in table.rows:
        scope, name = row.key
        if name not in allowed.get(scope, set()):
            where = f"办理率!{table.ref('名称', row.number)}"
            errors.add(where, _unknown(scope, name, allowed.get(scope, set())))


def _unknown(domain: str, name: str, known: Iterable[str]) -> str:
    names = sorted(known)
    listed = "、".join(names[:8]) + ("等" if len(names) > 8 else "")
    return f"未知的{domain}“{name}”（应为：{listed}）"


def _refuse_uncached_formulas(
    path: Path, empties: dict[str, set[str]], errors: _Errors, parts: Mapping[str, str | None] | None = None
) -> None:
    """An empty-looking cell may be a formula never calculated: say so instead of 'missing'."""
    found = _scan_formulas(path, empties, parts or {})
    if found is None:  # something the scan does not model: ask openpyxl, as it would read the cells
        found = _openpyxl_formulas(path, empties)
    if found:  # the root cause goes first; what it caused (a missing month row, say) follows
        message = "公式没有缓存值：请在 Excel 或 WPS 中打开、重新计算并保存后再试"
        rest = [e for e in errors.items if e.where not in found]
        errors.items = [InputError(where, message) for where in found] + rest


def _openpyxl_formulas(path: Path, empties: dict[str, set[str]]) -> list[str]:
    """`sheet!cell` of every empty-looking cell that holds a formula, from a second openpyxl pass."""
    found: list[str] = []
    wb = open_workbook(path, formulas=True)
    try:
        for sheet_name, refs in empties.items():
            if not refs or sheet_name not in wb.sheetnames:
                continue
            ws = wb[sheet_name]
            ws.reset_dimensions()
            with contextlib.suppress(ParseError):  # the first pass has said so
                for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, max_row=MAX_ROWS), 1):
                    for index, c in enumerate(cells, start=1):
                        raw = getattr(c, "value", None)
                        ref = f"{get_column_letter(index)}{number}"
                        if isinstance(raw, str) and raw.startswith("=") and ref in refs:
                            found.append(f"{sheet_name}!{ref}")
    finally:
        wb.close()
    return found


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _FORMULA = f"{_MAIN}row", f"{_MAIN}c", f"{_MAIN}f"
_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


_ANY_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")  # a formula element, whatever its prefix


def _scan_formulas(path: Path, empties: dict[str, set[str]], parts: Mapping[str, str | None]) -> list[str] | None:
    """`_openpyxl_formulas` from the sheets' XML in the zip, ~10 times faster than opening the workbook again.

    `parts` names each sheet's XML part as the first openpyxl pass found it. None when a sheet has
    anything the scan does not model (a shared formula in an empty cell, rows or cells out of order
    or without a reference, XML the safe parser refuses): the caller then asks openpyxl."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError

    found: list[str] = []
    try:
        with zipfile.ZipFile(path) as archive:
            for sheet_name, refs in empties.items():
                if not refs:
                    continue
                part = parts.get(sheet_name)
                if part is None:
                    return None
                raw = archive.read(part)
                if not _ANY_FORMULA.search(raw):  # most sheets hold no formula: no need to parse them
                    continue
                cells = _formula_cells(io.BytesIO(raw), refs)
                if cells is None:
                    return None
                found.extend(f"{sheet_name}!{ref}" for ref in cells)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ParseError, DefusedXmlException):
        return None
    return found


def _formula_cells(source: Any, refs: set[str]) -> list[str] | None:
    """The cells of `refs` that openpyxl would read as a formula (text starting with “=”), in sheet order."""
    from defusedxml.ElementTree import iterparse

    found: list[str] = []
    row = 0
    column = 0
    for event, element in iterparse(source, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == _ROW:
                number = element.get("r")
                if number is None or not number.isdigit() or int(number) <= row:
                    return None  # openpyxl counts or skips such rows: let it decide
                row = int(number)
                if row > MAX_ROWS:
                    break
                column = 0
            continue
        if tag == _CELL:
            ref = element.get("r") or ""
            match = _REF.fullmatch(ref)
            if match is None or int(match[2]) != row or _column_index(match[1]) <= column:
                return None
            column = _column_index(match[1])
            formula = element.find(_FORMULA)
            if formula is not None and ref in refs:
                kind = formula.get("t")
                if kind == "shared":
                    return None  # openpyxl translates these from their first cell
                if kind not in ("array", "dataTable"):  # those two are not text to openpyxl
                    found.append(ref)
        elif tag == _ROW:
            element.clear()
    return found


def _column_index(letters: str) -> int:
    """“A” -> 1, “AA” -> 27."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index
