"""Take the document tree and the check findings, produce the proof list: one row per printed figure.

A proofreader works down the list with the printed report beside it: where each figure is, what
it prints, its exact value, the cells it comes from, how it was computed and whether anything
about those cells is in doubt. The caller names the file `<title>-校对清单.xlsx`.

The bytes depend only on the input: the workbook's dates are SOURCE_DATE_EPOCH or 2000-01-01,
and the package is re-packed with fixed entry dates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from builder.document import Document, FigureState
from builder.document.walk import Placed, placed_figures

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
    ("页码", 7, "数字在PDF中所在的页（表格为表格起始页）；只生成DOCX时为空。"),
    ("印出", 14, "报告中印出的文字，缺数印作【待补】。"),
    ("数值", 16, "未经舍入的准确数值（件数为件，占比和增幅为百分数）；缺数时为空。"),
    ("来源", 30, "数字所依据的工作簿单元格（工作表!单元格），多个以“、”分隔。"),
    ("公式", 50, "派生数字的计算式，以单元格写出；直接取自单元格的数字为空。"),
    ("状态", 12, "正常 / 缺数（所需单元格为空）/ 示意（来源在《说明》中登记为示意数据）/ 有检查问题（见“问题”列）。"),
    ("编号", 34, "数字的稳定编号“数字编号@第几次印出”，builder diff 等也用它指称这个数字。"),
    ("问题", 60, "来源单元格上的检查问题（builder check 所列），多条以“；”分隔。"),
)
HEADERS = tuple(name for name, _, _ in COLUMNS)



@dataclass(frozen=True)
class ProofRow:
    """One printed figure as the proof list shows it."""

    number: int
    part: str
    heading: str
    where: str
    page: int | None
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
            self.page,
            self.printed,
            self.value,
            self.sources,
            self.formula,
            self.state,
            self.key,
            self.problems,
        )
        return tuple(None if v == "" else v for v in values)


@dataclass(frozen=True)
class Checked:
    """What the proof list needs of the check and the derived figures, as plain text: the proof list's
    writer needs neither the findings' nor the ledger's modules (nor the workbook reader they import)."""

    problems: Mapping[str, tuple[str, ...]]  # by cell (`总量!B3`): the check's lines about it
    formulas: Mapping[str, str]  # by derived figure: its formula written out in cells


def proof_rows(document: Document, checked: Checked, pages: Mapping[str, int] | None = None) -> list[ProofRow]:
    """One row per figure occurrence of the document, in reading order; `pages`: the PDF's page of each, by key."""
    found = pages or {}
    return [_row(n, placed, checked, found.get(placed.key)) for n, placed in enumerate(placed_figures(document), start=1)]


def state_of(placed: Placed, problems: Sequence[str]) -> str:
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


def _row(number: int, placed: Placed, checked: Checked, page: int | None) -> ProofRow:
    fig = placed.figure
    # one finding may sit on two of the sources
    problems = list(dict.fromkeys(line for source in fig.sources for line in checked.problems.get(source, ())))
    formula = checked.formulas.get(fig.id, fig.formula) if fig.formula else ""
    return ProofRow(
        number=number,
        part=placed.part,
        heading=placed.heading,
        where=placed.where,
        page=page,
        printed=fig.text,
        value=number_cell(fig.value),
        sources=SOURCE_JOIN.join(fig.sources),
        formula=formula,
        state=state_of(placed, problems),
        key=placed.key,
        problems="；".join(problems),
    )
