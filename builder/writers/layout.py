"""Layout rules every writer shares, so the DOCX, the PDF and the page agree."""

from __future__ import annotations

from dataclasses import dataclass

from builder.document import Cell, Chart, ChartKind, Table

PIE_SHARE = 0.9  # a pie is a circle and its legend: it needs less height than axes with labels under them


def chart_aspect(chart: Chart, base: float) -> float:
    """Height as a share of the width: horizontal bars get room for every category label, a pie a little less."""
    if chart.kind is ChartKind.PIE:
        return base * PIE_SHARE
    if chart.kind is not ChartKind.BAR:
        return base
    bars = len(chart.categories) * max(1, len(chart.series))
    return max(base, min(1.2, 0.035 * bars + 0.15))


@dataclass(frozen=True)
class GridCell:
    """A cell at its grid position."""

    row: int
    col: int
    cell: Cell
    header: bool


def grid_cells(table: Table) -> tuple[list[GridCell], int, int]:
    """Each cell at its row and column, with the grid's row and column counts. Cells follow HTML's
    rule for spans: a row lists only the cells that start in it, so a position covered by a row span
    from above is skipped."""
    occupied: set[tuple[int, int]] = set()
    placed: list[GridCell] = []
    rows = [(row, True) for row in table.header] + [(row, False) for row in table.rows]
    for r, (row, header) in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            placed.append(GridCell(r, c, cell, header))
            occupied.update((r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
            c += cell.colspan
    n_rows = max((p.row + p.cell.rowspan for p in placed), default=0)
    n_cols = max((p.col + p.cell.colspan for p in placed), default=0)
    if table.widths and len(table.widths) != n_cols:
        raise ValueError(f"table {table.id}: {len(table.widths)} widths for {n_cols} columns")
    return placed, n_rows, n_cols
