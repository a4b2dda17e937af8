"""Take the document tree and what the check found, produce the proof list as an XLSX workbook.

The rows and columns are `builder.writers.proof_list.rows`'s; this module lays them out: a header row that stays in
view and filters, fills on the rows a proofreader must look at, and a notes sheet. The caller
names the file `<title>-校对清单.xlsx`.

The bytes depend only on the input: the workbook's dates are SOURCE_DATE_EPOCH or 2000-01-01,
and the package is re-packed with fixed entry dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from xlsxwriter import Workbook  # type: ignore[import-untyped]
from xlsxwriter.utility import xl_col_to_name  # type: ignore[import-untyped]

from builder.document import Document
from builder.writers.ooxml import document_date, repack, serialise
from builder.writers.proof_list.rows import (
    COLUMNS,
    FLAGGED,
    HEADERS,
    ILLUSTRATIVE,
    MISSING,
    NOTES_SHEET,
    OK,
    SHEET,
    Checked,
    ProofRow,
    proof_rows,
)

_HEADER = {"bold": True, "bg_color": "#DDEBF7"}
_STATE_COLOURS = {MISSING: "#FFF2CC", FLAGGED: "#FCE4D6"}
CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"


def proof_workbook(document: Document, checked: Checked, pages: Mapping[str, int] | None = None) -> bytes:
    """The proof list as .xlsx bytes; `pages`: the PDF page of each figure, by occurrence key."""
    return ProofList(document, checked).finished(pages)


class ProofList:
    """The proof list made in two steps: the whole workbook with a stand-in page (0) for every
    figure, which can be made while the PDF is typed, then (`finished`) each stand-in replaced by
    the figure's page in the PDF, or dropped where it has none. The bytes are those of a list
    written with its pages: XlsxWriter writes a number cell as `<c r="E2"><v>7</v></c>`, and the
    stand-ins are the only cells of the page column."""

    def __init__(self, document: Document, checked: Checked) -> None:
        rows = proof_rows(document, checked)
        self._rows = {f"{_PAGE_COLUMN}{line + 1}": row.key for line, row in enumerate(rows, start=1)}
        buffer = BytesIO()
        # Written with XlsxWriter, not openpyxl: a third of the time for a list of a thousand rows.
        wb = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        sheet = _write_list(wb, rows)
        for line in range(1, len(rows) + 1):
            sheet.write_number(line, _PAGE_INDEX, 0)
        _write_notes(wb, document, rows)
        meta = document.meta
        wb.set_properties(
            {
                "title": f"{meta.title}校对清单",
                "author": meta.author or "builder",
                "keywords": meta.version_line,
                "created": document_date().replace(tzinfo=None),
            }
        )
        wb.close()
        self._blob = buffer.getvalue()
        self._version = meta.version

    def finished(self, pages: Mapping[str, int] | None = None) -> bytes:
        """The workbook's bytes, each figure with its page from `pages` (by occurrence key)."""
        found = pages or {}

        def paged(match: re.Match[bytes]) -> bytes:
            page = found.get(self._rows[match.group(1).decode()])
            return b"" if page is None else b'<c r="%s"><v>%d</v></c>' % (match.group(1), page)

        def sheet(xml: bytes) -> bytes:
            out, count = _STAND_IN.subn(paged, xml)
            if count != len(self._rows):
                raise ValueError(f"proof list: {count} page cells for {len(self._rows)} figures")
            return out

        rewrite = {"xl/worksheets/sheet1.xml": sheet, "docProps/core.xml": lambda xml: _core(xml, self._version)}
        return repack(self._blob, rewrite)


_PAGE_INDEX = HEADERS.index("页码")
_PAGE_COLUMN = xl_col_to_name(_PAGE_INDEX)
_STAND_IN = re.compile(rb'<c r="(%s\d+)"><v>0</v></c>' % _PAGE_COLUMN.encode())


def _core(xml: bytes, version: str) -> bytes:
    """docProps/core.xml with the edition's version (`cp:version`), which XlsxWriter does not write."""
    if not version:
        return xml
    root = etree.fromstring(xml)
    etree.SubElement(root, f"{{{CORE}}}version").text = version
    return serialise(root)


def _write_list(wb: Any, rows: Sequence[ProofRow]) -> Any:
    """The list sheet, every cell but the pages; returns the sheet."""
    ws = wb.add_worksheet(SHEET)
    ws.write_row(0, 0, HEADERS, wb.add_format(_HEADER | {"text_wrap": True, "valign": "vcenter"}))
    formula_col = HEADERS.index("公式")
    state_col = HEADERS.index("状态")
    as_text = wb.add_format({"quote_prefix": True})  # text that reads like a formula: never evaluated
    fills = {state: wb.add_format({"bg_color": colour}) for state, colour in _STATE_COLOURS.items()}
    for line, row in enumerate(rows, start=1):
        ws.write_row(line, 0, row.cells())
        if row.formula:
            ws.write_string(line, formula_col, row.formula, as_text)
        if row.state in fills:
            ws.write_string(line, state_col, row.state, fills[row.state])
    for index, (_, width, _) in enumerate(COLUMNS):
        ws.set_column(index, index, width)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(COLUMNS) - 1)
    ws.repeat_rows(0)
    return ws


def _write_notes(wb: Any, document: Document, rows: Sequence[ProofRow]) -> None:
    ws = wb.add_worksheet(NOTES_SHEET)
    counts = {s: sum(1 for r in rows if r.state == s) for s in (OK, MISSING, ILLUSTRATIVE, FLAGGED)}
    lines: list[tuple[str, str] | None] = [
        ("校对清单", document.meta.title),
        ("版本", document.meta.version_line),
        ("说明", "报告中每印出一次数字为一行，按阅读顺序排列；可按“状态”等列筛选。"),
        ("合计", f"共{len(rows)}个数字：" + "，".join(f"{s}{n}" for s, n in counts.items())),
        None,
        ("列", "含义"),
        *((name, meaning) for name, _, meaning in COLUMNS),
    ]
    label = wb.add_format({"bold": True})
    text = wb.add_format({"text_wrap": True, "valign": "top"})
    head = wb.add_format(_HEADER)
    for line, pair in enumerate(lines):
        if pair is None:
            continue
        name, meaning = pair
        ws.write_string(line, 0, name, head if name == "列" else label)
        ws.write_string(line, 1, meaning, head if name == "列" else text)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 90)
