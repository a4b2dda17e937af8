"""Take the schema (and optionally rows of values), produce an input workbook an analyst can fill."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from builder.workbook.schema import FIRST_DATA_ROW, HEADER_ROW, SHEETS, ColumnKind, Sheet

GUIDE = "填表须知"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_NOTE_FONT = Font(italic=True, color="555555")
_FORMATS = {ColumnKind.COUNT: "0", ColumnKind.RATE: "0.00", ColumnKind.POPULATION: "0.0"}

# One sheet's data: rows of {header: value}; fixed-row sheets are matched by their key.
Rows = Sequence[Mapping[str, Any]]


def workbook(data: Mapping[str, Rows] | None = None) -> Workbook:
    """The input workbook: a guide sheet, then every schema sheet with its note and headers."""
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE
    _write_guide(guide)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        _write_sheet(ws, sheet, (data or {}).get(sheet.name, ()))
    return wb


def workbook_bytes(data: Mapping[str, Rows] | None = None) -> bytes:
    """The input workbook as the bytes of an .xlsx file."""
    buffer = BytesIO()
    workbook(data).save(buffer)
    return buffer.getvalue()


def _write_guide(ws: Any) -> None:
    ws.append(["工作表", "内容"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for sheet in SHEETS:
        ws.append([sheet.name, sheet.note + ("（可不填）" if sheet.optional else "")])
    ws.append([])
    ws.append(["通则", "第1行为说明，第2行为表头，第3行起填数据；列按表头名称识别，可调换顺序。"])
    ws.append(["", "件数填整数；也可填“2.9万”或在表头注明“（万件）”后按万件填写。百分比填 94.3 或 94.3%。"])
    ws.append(["", "尚缺的数字留空；不适用的格子填“—”。不要在数字格中使用公式以外的说明文字。"])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 110


def _write_sheet(ws: Any, sheet: Sheet, rows: Rows) -> None:
    width = len(sheet.columns)
    ws.cell(1, 1, sheet.note).font = _NOTE_FONT
    ws.cell(1, 1).alignment = Alignment(wrap_text=True, vertical="top")
    if width > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 36
    for index, col in enumerate(sheet.columns, start=1):
        label = col.header + (f"（{col.unit}）" if col.unit in {"万人", "%"} else "")
        cell = ws.cell(HEADER_ROW, index, label)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.comment = Comment(col.note, "builder")
        ws.column_dimensions[get_column_letter(index)].width = 14 if col.kind is not ColumnKind.TEXT else 30
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    _write_rows(ws, sheet, rows)


def _write_rows(ws: Any, sheet: Sheet, rows: Rows) -> None:
    by_key = {str(r.get(sheet.key[0])): r for r in rows} if sheet.rows else {}
    ordered: list[Mapping[str, Any]] = (
        [by_key.get(name, {sheet.key[0]: name}) for name in sheet.rows] if sheet.rows else list(rows)
    )
    for offset, row in enumerate(ordered):
        number = FIRST_DATA_ROW + offset
        for index, col in enumerate(sheet.columns, start=1):
            value = row.get(col.header)
            if value is None:
                continue
            cell = ws.cell(number, index, value)
            if col.kind in _FORMATS and not isinstance(value, str):
                cell.number_format = _FORMATS[col.kind]
