"""Take a tree `Table`, produce a Word table; with the inline runs and captions tables share.

Cells sit where `builder.writers.layout.grid_cells` puts them. Widths are fractions of the text width.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Mm
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from builder.document import FigureState, Inline, Table, Text
from builder.style import Style
from builder.writers.docx import anchors, styles, xml
from builder.writers.layout import GridCell, grid_cells

NewParagraph = Callable[[str], Paragraph]


@dataclass
class Tags:
    """The occurrence keys of one block's figures in reading order, the document's id counter, and
    the document's list of the keys given a control: each printed figure goes into a content control
    tagged with its key, inside a bookmark named after it."""

    keys: Iterator[str]
    new_id: Callable[[], int]
    written: list[str]


def write_inlines(paragraph: Paragraph, runs: tuple[Inline, ...], final: bool, tags: Tags) -> None:
    """One Word run per Text and per Figure; each figure run in a content control tagged with its
    occurrence key, in a bookmark named after the key; a missing figure highlighted yellow in a draft."""
    for inline in runs:
        if isinstance(inline, Text):
            if inline.text:
                paragraph.add_run(inline.text)
            continue
        key = next(tags.keys)
        text = inline.text
        if not text:
            continue
        run = paragraph.add_run(text)
        if inline.state is FigureState.MISSING and not final:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        control = xml.content_control(xml.run_element(run), key, key, tags.new_id())
        anchors.bookmark_around(control, anchors.bookmark_name(key), tags.new_id())
        tags.written.append(key)


def write_caption(paragraph: Paragraph, label: str, number: int, text: str) -> None:
    """`表1 text`: the label, a SEQ field numbering this kind of caption, a space, the text."""
    paragraph.add_run(label)
    xml.append_field(paragraph, f"SEQ {label} \\* ARABIC", str(number))
    paragraph.add_run(f" {text}")


def column_widths(table: Table, n_cols: int, text_width_mm: float) -> list[float]:
    """Column widths in mm: the fractions of the text width (scaled down if they add up to more)."""
    fractions = list(table.widths) if table.widths else [1 / n_cols] * n_cols
    total = sum(fractions)
    scale = 1 / total if total > 1 else 1.0
    return [f * scale * text_width_mm for f in fractions]


def write_table(
    doc: DocxDocument, table: Table, style: Style, new_paragraph: NewParagraph, final: bool, tags: Tags
) -> None:
    """Caption above (centred, 表N), the table (header rows repeated on each page), the note below;
    `tags` gives the cells' figures their keys, row by row."""
    caption = new_paragraph(styles.CAPTION)
    caption.paragraph_format.keep_with_next = True
    write_caption(caption, "表", table.number, table.caption)
    placed, n_rows, n_cols = grid_cells(table)
    if not placed:
        return
    grid = doc.add_table(rows=n_rows, cols=n_cols)
    grid.style = doc.styles[style.table_style]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = column_widths(table, n_cols, style.page.text_width)
    _set_widths(grid, widths)
    cells = [list(row.cells) for row in grid.rows]  # python-docx rebuilds its cell list on every grid.cell()
    for p in placed:
        _fill(grid, cells, p, widths, final, tags)
    for r in range(len(table.header)):
        xml.repeat_header(grid.rows[r])
        xml.cant_split(grid.rows[r])
    if table.note:
        new_paragraph(styles.TABLE_NOTE).add_run(table.note)


def _set_widths(grid: DocxTable, widths: list[float]) -> None:
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Mm(width)
    xml.table_width(grid, round(sum(widths) / 25.4 * 1440))


def _fill(grid: DocxTable, cells: list[list[Any]], p: GridCell, widths: list[float], final: bool, tags: Tags) -> None:
    cell = cells[p.row][p.col]
    if p.cell.rowspan > 1 or p.cell.colspan > 1:
        cell = grid.cell(p.row, p.col).merge(grid.cell(p.row + p.cell.rowspan - 1, p.col + p.cell.colspan - 1))
    cell.width = Mm(sum(widths[p.col : p.col + p.cell.colspan]))
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    styles.set_style(paragraph, styles.TABLE_TEXT)
    if p.header:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif p.cell.numeric:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    write_inlines(paragraph, p.cell.runs, final, tags)
