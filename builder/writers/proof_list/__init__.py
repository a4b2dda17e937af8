"""Take the document tree and what the check found, produce the proof list as an XLSX workbook.

The rows and columns are `builder.writers.proof_list.rows`'s; this module lays them out: a header row that stays in
view and filters, fills on the rows a proofreader must look at, and a notes sheet. The caller
names the file `<title>-校对清单.xlsx`.

The bytes depend only on the input: the workbook's dates are SOURCE_DATE_EPOCH or 2000-01-01,
and the package is re-packed with fixed entry dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from xlsxwriter import Workbook  # type: ignore[import-untyped]

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
    rows = proof_rows(document, checked, pages)
    buffer = BytesIO()
    # Written with XlsxWriter, not openpyxl: a third of the time for a list of a thousand rows.
    wb = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    _write_list(wb, rows)
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
    rewrite = {"docProps/core.xml": lambda xml: _core(xml, meta.version)}
    return repack(buffer.getvalue(), rewrite)


def _core(xml: bytes, version: str) -> bytes:
    """docProps/core.xml with the edition's version (`cp:version`), which XlsxWriter does not write."""
    if not version:
        return xml
    root = etree.fromstring(xml)
    etree.SubElement(root, f"{{{CORE}}}version").text = version
    return serialise(root)


def _write_list(wb: Any, rows: Sequence[ProofRow]) -> None:
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
