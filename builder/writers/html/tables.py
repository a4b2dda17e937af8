"""Take a tree `Table`, produce the view the page template writes as a real `<table>`.

The caption is the table's (表N …); header rows are `<th scope="col">` (`colgroup` across
columns); in the body, the leading columns that never hold a number are the row headers
(`<th scope="row">`, `rowgroup` down rows), and a column that holds numbers is aligned right
throughout, its dashes with it. Column widths are the tree's fractions, as percentages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from builder.document import Table
from builder.writers.html.inlines import Keys, runs_html
from builder.writers.layout import GridCell, grid_cells

MIN_COLUMN_EM = 5.5  # below this a column is too narrow to read: the table scrolls in its box instead


@dataclass(frozen=True)
class CellView:
    tag: str  # th or td
    scope: str  # col, colgroup, row, rowgroup; "" for a data cell
    colspan: int
    rowspan: int
    numeric: bool
    content: Markup


@dataclass(frozen=True)
class TableView:
    id: str  # the element id, also the stem of its caption's id
    caption: str
    widths: tuple[str, ...]  # each column's share of the width, as CSS (“34%”); () for equal shares
    min_width_em: float
    header: tuple[tuple[CellView, ...], ...]
    rows: tuple[tuple[CellView, ...], ...]
    note: str = ""
    kind: str = "table"


_UNIT = re.compile("（[^（）<>]{1,12}）")  # a header's unit, （万件） or （%）: escaped text, no markup inside


def _units_kept(content: Markup) -> Markup:
    """A header's units kept on one line, as the PDF keeps them (the browser would break “（万” / “件）”)."""
    return Markup(_UNIT.sub(lambda m: f'<span class="nowrap">{m.group()}</span>', str(content)))


def table_view(table: Table, element_id: str, keys: Keys, final: bool) -> TableView:
    """The view of `table`; `keys` gives its figures their occurrence keys, row by row."""
    placed, _, n_cols = grid_cells(table)
    numeric_cols = {c for p in placed if not p.header and p.cell.numeric for c in _columns(p)}
    row_header_cols = _leading_text_columns(numeric_cols, n_cols)
    header: list[list[CellView]] = [[] for _ in table.header]
    rows: list[list[CellView]] = [[] for _ in table.rows]
    for p in placed:  # reading order, as the walk numbers the figures
        content = runs_html(p.cell.runs, keys, final)
        if p.header:
            scope = "colgroup" if p.cell.colspan > 1 else "col"
            header[p.row].append(CellView("th", scope, p.cell.colspan, p.cell.rowspan, False, _units_kept(content)))
            continue
        numeric = bool(numeric_cols.intersection(_columns(p)))
        if p.col in row_header_cols:
            scope = "rowgroup" if p.cell.rowspan > 1 else "row"
            cell = CellView("th", scope, p.cell.colspan, p.cell.rowspan, numeric, content)
        else:
            cell = CellView("td", "", p.cell.colspan, p.cell.rowspan, numeric, content)
        rows[p.row - len(table.header)].append(cell)
    caption = f"表{table.number} {table.caption}" if table.number else table.caption
    return TableView(
        element_id,
        caption,
        _widths(table.widths),
        round(MIN_COLUMN_EM * n_cols, 1),
        tuple(tuple(r) for r in header),
        tuple(tuple(r) for r in rows),
        table.note,
    )


def _columns(p: GridCell) -> range:
    return range(p.col, p.col + p.cell.colspan)


def _leading_text_columns(numeric: set[int], n_cols: int) -> set[int]:
    """The first columns, left to right, in which no body cell holds a number (all but the last
    column at most, so a table of text alone keeps a data column)."""
    out: set[int] = set()
    for col in range(max(n_cols - 1, 0)):
        if col in numeric:
            break
        out.add(col)
    return out


def _widths(fractions: tuple[float, ...]) -> tuple[str, ...]:
    total = sum(fractions)
    if not fractions or total <= 0:
        return ()
    return tuple(f"{100 * f / total:.2f}%" for f in fractions)
