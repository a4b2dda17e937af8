"""Take the document tree and the check findings, produce the proof list: one row per printed figure.

A proofreader works down the list with the printed report beside it: where each figure is, what
it prints, its exact value, the cells it comes from, how it was computed and whether anything
about those cells is in doubt. The caller names the file `<title>-校对清单.xlsx`.

The bytes depend only on the input: the workbook's dates are SOURCE_DATE_EPOCH or 2000-01-01,
and the package is re-packed with fixed entry dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from builder.check import Finding
from builder.derived import Ledger
from builder.document import Document, FigureState
from builder.locate import Placed, placed_figures
from builder.writers.docx.package import core_dates, document_date, repack

SHEET = "校对清单"
NOTES_SHEET = "说明"
SOURCE_JOIN = "、"

OK, MISSING, ILLUSTRATIVE, FLAGGED = "正常", "缺数", "示意", "有检查问题"

# (header, width in characters, meaning for the notes sheet)
COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("序号", 7, "按报告阅读顺序的编号，从1起。"),
    ("部分", 18, "数字所在的一级标题（如“二、来电类型公开”）；标题之前的总述为空。"),
    ("标题", 22, "数字上方最近的标题，含编号。"),
    ("位置", 24, "在该部分中的位置：第N段，表N第R行第C列，或图N的系列和类别。"),
    ("印出", 14, "报告中印出的文字，缺数印作【待补】。"),
    ("数值", 16, "未经舍入的准确数值（件数为件，占比和增幅为百分数）；缺数时为空。"),
    ("来源", 30, "数字所依据的工作簿单元格（工作表!单元格），多个以“、”分隔。"),
    ("公式", 50, "派生数字的计算式，以单元格写出；直接取自单元格的数字为空。"),
    ("状态", 12, "正常 / 缺数（所需单元格为空）/ 示意（来源在《说明》中登记为示意数据）/ 有检查问题（见“问题”列）。"),
    ("编号", 34, "数字的稳定编号“数字编号@第几次印出”，builder diff 等也用它指称这个数字。"),
    ("问题", 60, "来源单元格上的检查问题（builder check 所列），多条以“；”分隔。"),
)
HEADERS = tuple(name for name, _, _ in COLUMNS)

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_FLAG_FILL = PatternFill("solid", fgColor="FCE4D6")
_MISSING_FILL = PatternFill("solid", fgColor="FFF2CC")
_TERM = re.compile(r"〔([^〔〕]+)〕")
_SINGLE_TERM = re.compile(r"[^\s()+\-*/,]+")
MAX_EXPANSION = 20  # nesting depth of derived figures; the ledger's is 3 at most


@dataclass(frozen=True)
class ProofRow:
    """One printed figure as the proof list shows it."""

    number: int
    part: str
    heading: str
    where: str
    printed: str
    value: int | float | None
    sources: str
    formula: str
    state: str
    key: str
    problems: str

    def cells(self) -> tuple[Any, ...]:
        """The row's cells; empty text is left as an empty cell."""
        values = (
            self.number,
            self.part,
            self.heading,
            self.where,
            self.printed,
            self.value,
            self.sources,
            self.formula,
            self.state,
            self.key,
            self.problems,
        )
        return tuple(None if v == "" else v for v in values)


def proof_rows(document: Document, findings: Sequence[Finding], ledger: Ledger | None = None) -> list[ProofRow]:
    """One row per figure occurrence of the document, in reading order."""
    by_cell = findings_by_cell(findings)
    formulas = expanded_formulas(ledger) if ledger is not None else {}
    return [_row(n, placed, by_cell, formulas) for n, placed in enumerate(placed_figures(document), start=1)]


def proof_workbook(document: Document, findings: Sequence[Finding], ledger: Ledger | None = None) -> bytes:
    """The proof list as .xlsx bytes.

    With the edition's `ledger`, a derived formula is written wholly in cells (`=总量!B4/(总量!B4+总量!B5)`);
    without it, a sub-total it uses stays named as `〔总量.渠道合计〕`.
    """
    rows = proof_rows(document, findings, ledger)
    wb = Workbook()
    _write_list(wb.active, rows)
    _write_notes(wb.create_sheet(NOTES_SHEET), document, rows)
    when = document_date().replace(tzinfo=None)
    wb.properties.title = f"{document.meta.title}校对清单"
    wb.properties.version = document.meta.version or None
    wb.properties.keywords = " ".join(w for w in (document.meta.version, document.meta.date) if w) or None
    wb.properties.creator = document.meta.author or "builder"
    wb.properties.created = when
    wb.properties.lastModifiedBy = None
    buffer = BytesIO()
    wb.save(buffer)
    return repack(buffer.getvalue(), {"docProps/core.xml": lambda xml: core_dates(xml, document_date())})


def findings_by_cell(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        out.setdefault(finding.where, []).append(finding)
    return out


def expanded_formulas(ledger: Ledger) -> dict[str, str]:
    """Every derived figure's formula with the sub-totals it names written out in cells."""
    raw = {key: d.formula for key, d in ledger.items.items()}
    return {key: expand(formula, raw) for key, formula in raw.items()}


def expand(formula: str, formulas: Mapping[str, str], depth: int = 0) -> str:
    """`formula` with each `〔key〕` replaced by that figure's formula (bracketed unless one term)."""
    if depth > MAX_EXPANSION or "〔" not in formula:
        return formula

    def inner(key: str) -> str | None:
        found = formulas.get(key)
        return None if found is None else expand(found, formulas, depth + 1).removeprefix("=")

    def bracketed(m: re.Match[str]) -> str:
        body = inner(m.group(1))
        return m.group(0) if body is None else f"({body})"

    def bare(m: re.Match[str]) -> str:
        body = inner(m.group(1))
        if body is None:
            return m.group(0)
        return body if _SINGLE_TERM.fullmatch(body) else f"({body})"

    formula = re.sub(r"\(〔([^〔〕]+)〕\)", bracketed, formula)
    return _TERM.sub(bare, formula)


def state_of(placed: Placed, problems: Sequence[Finding]) -> str:
    """缺数 first (its finding only says so again), then 有检查问题, then 示意, else 正常."""
    state = placed.figure.state
    if state is FigureState.MISSING:
        return MISSING
    if problems:
        return FLAGGED
    return ILLUSTRATIVE if state is FigureState.ILLUSTRATIVE else OK


def number_cell(value: Decimal | None) -> int | float | None:
    """A spreadsheet number for an exact value: whole numbers stay whole."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _row(number: int, placed: Placed, by_cell: Mapping[str, list[Finding]], formulas: Mapping[str, str]) -> ProofRow:
    fig = placed.figure
    problems = [f for source in fig.sources for f in by_cell.get(source, [])]
    problems = list(dict.fromkeys(problems))  # one finding may sit on two of the sources
    formula = formulas.get(fig.id, fig.formula) if fig.formula else ""
    return ProofRow(
        number=number,
        part=placed.part,
        heading=placed.heading,
        where=placed.where,
        printed=fig.text,
        value=number_cell(fig.value),
        sources=SOURCE_JOIN.join(fig.sources),
        formula=formula,
        state=state_of(placed, problems),
        key=placed.key,
        problems="；".join(str(f) for f in problems),
    )


def _write_list(ws: Any, rows: Sequence[ProofRow]) -> None:
    ws.title = SHEET
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    formula_col = HEADERS.index("公式") + 1
    state_col = HEADERS.index("状态") + 1
    for line, row in enumerate(rows, start=2):  # ws.max_row scans every cell: counted here instead
        ws.append(list(row.cells()))
        formula = ws.cell(line, formula_col)
        if row.formula:
            formula.data_type = "s"  # text that reads like a formula: never evaluated
            formula.quotePrefix = True
        fill = {MISSING: _MISSING_FILL, FLAGGED: _FLAG_FILL}.get(row.state)
        if fill is not None:
            ws.cell(line, state_col).fill = fill
    for index, (_, width, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    ws.print_title_rows = "1:1"


def _write_notes(ws: Any, document: Document, rows: Sequence[ProofRow]) -> None:
    ws.append(["校对清单", document.meta.title])
    ws.append(["版本", " ".join(w for w in (document.meta.version, document.meta.date) if w)])
    ws.append(["说明", "报告中每印出一次数字为一行，按阅读顺序排列；可按“状态”等列筛选。"])
    counts = {s: sum(1 for r in rows if r.state == s) for s in (OK, MISSING, ILLUSTRATIVE, FLAGGED)}
    ws.append(["合计", f"共{len(rows)}个数字：" + "，".join(f"{s}{n}" for s, n in counts.items())])
    ws.append([])
    ws.append(["列", "含义"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for name, _, meaning in COLUMNS:
        ws.append([name, meaning])
    for cell in ws["A"]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows():
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 90
