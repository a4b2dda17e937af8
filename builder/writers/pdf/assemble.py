"""Take the document tree and a style, produce Platypus flowables and the page furniture.

ReportLab paginates; this module adds what it lacks: Chinese line breaking (through
`paragraph.Justified`), GB/T 9704 page numbers, bookmarks, the contents page and the draft mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Table as RLTable

from builder.document import (
    Chart,
    Document,
    Figure,
    FigureState,
    Heading,
    Inline,
    PageBreak,
    Paragraph,
    Table,
    Title,
    Toc,
)
from builder.style import Style
from builder.style.fonts import ResolvedFont, identity
from builder.writers.drawing.kept import kept_drawing
from builder.writers.layout import chart_aspect
from builder.writers.pdf.floats import TALL, End, Float, Placer
from builder.writers.pdf.linebreak import Piece
from builder.writers.pdf.paragraph import Justified

WATERMARK = "草稿"
CELL_LEADING = 1.3  # a table line, in ems


@dataclass
class Layout:
    """What the assembly needs to know of the style, in points, with registered font names."""

    style: Style
    fonts: Mapping[str, ResolvedFont]
    final: bool

    def font(self, role: str) -> str:
        return self.fonts[role].name

    def size(self, role: str) -> float:
        return float(self.style.fonts.roles()[role].size)

    @property
    def width(self) -> float:
        return float(self.style.page.text_width) * float(mm)

    @property
    def leading(self) -> float:
        return float(self.style.grid.line_pitch)


def pieces(runs: tuple[Inline, ...], font: str, size: float) -> list[Piece]:
    """Tree runs as line-breaker pieces: a figure is never split, a missing one is marked."""
    out = []
    for run in runs:
        if isinstance(run, Figure):
            tag = "missing" if run.state is FigureState.MISSING else None
            out.append(Piece(run.text, font, size, tag, True))
        elif run.text:
            out.append(Piece(run.text, font, size, None, False))
    return out


def text_pieces(text: str, font: str, size: float) -> list[Piece]:
    return [Piece(text, font, size, None, False)]


def _para(
    lay: Layout, items: list[Piece], *, indent: bool = True, align: str = "justify", bold: bool = False
) -> Justified:
    pitch = lay.width / lay.style.grid.chars  # the grid's character cell, 15.79 pt on GB/T 9704 (docs/standards.md §Page and text block)
    first = lay.style.first_line_indent_chars * pitch if indent else 0.0
    return Justified(items, first_indent=first, leading=lay.leading, align=align, final=lay.final, bold=bold)


def title(lay: Layout, block: Title) -> list[Flowable]:
    out: list[Flowable] = [
        Spacer(1, lay.leading),
        _para(lay, text_pieces(block.text, lay.font("title"), lay.size("title")), indent=False, align="center"),
    ]
    if block.subtitle:
        sub = text_pieces(block.subtitle, lay.font("subtitle"), lay.size("subtitle"))
        out.append(_para(lay, sub, indent=False, align="center"))
    out.append(Spacer(1, lay.leading))
    return out


def heading(lay: Layout, index: int, block: Heading, before_text: bool = False) -> list[Flowable]:
    """The heading, kept with what follows: with the first line of a paragraph, or whole with anything else."""
    role = f"heading{block.level}"
    text = block.number + block.text
    bold = lay.style.fonts.roles()[role].bold
    body = _para(lay, text_pieces(text, lay.font(role), lay.size(role)), indent=True, align="left", bold=bold)
    body.keepWithNext = not before_text
    if before_text:
        body.needs = (len(body.layout(lay.width)) + 1) * lay.leading
    body.heading = (index, block.level, text)  # read back once drawn: its page, its bookmark
    return [body]


def paragraph(lay: Layout, block: Paragraph, index: int = 0) -> Flowable:
    body = _para(lay, pieces(block.runs, lay.font("body"), lay.size("body")))
    body.origin = (index, 0)
    return body


def caption(lay: Layout, text: str) -> Justified:
    cap = _para(lay, text_pieces(text, lay.font("caption"), lay.size("caption")), indent=False, align="center")
    return cap


def table(lay: Layout, block: Table, level: int = 0, index: int = 0) -> Float:
    font, size = lay.font("table"), lay.size("table")
    header_rows = len(block.header)
    rows = [
        [_cell(c.runs, font, size, centre=r < header_rows, right=c.numeric) for c in row]
        for r, row in enumerate((*block.header, *block.rows))
    ]
    widths = [lay.width * w for w in block.widths]
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font, size),
        ("LEADING", (0, 0), (-1, -1), size * CELL_LEADING),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#E8EEF4")),
    ]
    for r, row in enumerate(block.rows, start=header_rows):
        for c, cell in enumerate(row):
            if cell.numeric:
                commands.append(("ALIGN", (c, r), (c, r), "RIGHT"))
            if any(isinstance(x, Figure) and x.state is FigureState.MISSING for x in cell.runs) and not lay.final:
                commands.append(("BACKGROUND", (c, r), (c, r), colors.yellow))
    grid = RowsTable(rows, colWidths=widths, repeatRows=header_rows, hAlign="CENTER")
    grid.origin, grid.rows_of = (index, 0), list(range(len(rows)))
    grid.setStyle(TableStyle(commands))
    head = caption(lay, f"表{block.number} {block.caption}")
    head.keepWithNext = True
    out: list[Flowable] = [Spacer(1, lay.leading / 4), head, grid]
    if block.note:
        out.append(_para(lay, text_pieces(block.note, font, size), indent=False, align="left"))
    out.append(Spacer(1, lay.leading / 2))
    least = head.wrap(lay.width, TALL)[1] + sum(grid._rowHeights[: header_rows + 2]) if _measured(grid, lay.width) else 0.0
    placed = Float(lambda _scale: out, level, shrinks=False, block=index, splits=least)
    placed.repeat = sum(grid._rowHeights[:header_rows])
    return placed


def _measured(grid: RLTable, width: float) -> bool:
    """Whether the table's row heights are known (measured for `width`) and it has two rows past its header."""
    grid.wrap(width, TALL)
    return bool(len(grid._rowHeights) >= grid.repeatRows + 2)


class RowsTable(RLTable):  # type: ignore[misc]
    """A table that knows which of its block's rows it holds, split or not, so that the page of each
    row's figures is known."""

    origin: tuple[int, int] | None = None
    rows_of: list[int] | None = None

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts: list[Flowable] = super().split(availWidth, availHeight)
        rows = self.rows_of
        if len(parts) != 2 or rows is None:
            return parts
        first, rest = len(parts[0]._cellvalues), len(parts[1]._cellvalues)
        head = self.repeatRows if isinstance(self.repeatRows, int) else len(self.repeatRows)
        if first + rest - head == len(rows):  # split between rows (not inside one)
            parts[0].origin, parts[0].rows_of = self.origin, rows[:first]
            parts[1].origin, parts[1].rows_of = self.origin, rows[:head] + rows[first:]
        return parts


def _cell(runs: tuple[Inline, ...], font: str, size: float, *, centre: bool, right: bool) -> Justified:
    """A table cell broken by the body's rules (docs/standards.md §Line breaking) within its column:
    header cells centred, numbers right, words left; a figure is never split from its unit."""
    align = "center" if centre else "right" if right else "left"
    cell_pieces = pieces(runs, font, size)
    return Justified(cell_pieces, leading=size * CELL_LEADING, align=align, tracking=1.0, highlight_color=None)


def chart(lay: Layout, block: Chart, level: int = 0, index: int = 0) -> Float:
    """The chart with its caption below, as a float that may shrink to stay on its page."""
    aspect = chart_aspect(block, float(lay.style.chart_aspect))

    def make(scale: float) -> list[Flowable]:
        font, size = lay.font("chart"), lay.size("chart")
        files = identity(lay.fonts["chart"])
        drawing = kept_drawing(block, lay.width, font=font, font_size=size, aspect=aspect * scale, font_files=files)
        # the renderer's starting state would name Helvetica, which is never embedded
        drawing.initialFontName, drawing.initialFontSize = font, size
        drawing.origin = (index, 0)
        return [Spacer(1, lay.leading / 4), drawing, caption(lay, f"图{block.number} {block.caption}")]

    return Float(make, level, shrinks=True, block=index)


def contents(lay: Layout, document: Document) -> list[Flowable]:
    """The contents page: headings of levels 1–2 with the page each starts on (known after a first pass)."""
    font, size = lay.font("body"), lay.size("body")
    out: list[Flowable] = [_para(lay, text_pieces("目录", lay.font("heading1"), size), indent=False, align="center")]
    for index, block in enumerate(document.blocks):
        if isinstance(block, Heading) and block.level <= 2:
            out.append(TocLine(index, block.number + block.text, font, size, lay.width, lay.leading, block.level))
    return out


class TocLine(Flowable):  # type: ignore[misc]
    """One contents entry: the heading, dot leaders, and its page number, drawn from a form that
    `ReportCanvas` fills in when the document is saved (one pass: the pages are known only then)."""

    def __init__(self, index: int, text: str, font: str, size: float, width: float, leading: float, level: int):
        super().__init__()
        self.index, self.text, self.font, self.size = index, text, font, size
        self.width, self.height, self.indent = width, leading, (level - 1) * size * 2

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        base = (self.height - self.size) / 2 + self.size * 0.15
        c.setFont(self.font, self.size)
        c.drawString(self.indent, base, self.text)
        right = self.width - stringWidth("000", self.font, self.size)
        start = self.indent + stringWidth(self.text, self.font, self.size) + self.size / 2
        dot = stringWidth("·", self.font, self.size)
        x = start
        while x + dot < right - self.size / 2:
            c.drawString(x, base, "·")
            x += dot * 1.5
        c.saveState()
        c.translate(self.width, base)
        c.doForm(page_form(self.index))
        c.restoreState()


def page_form(index: int) -> str:
    return f"toc-page-{index}"


class ReportCanvas(Canvas):  # type: ignore[misc]
    """A canvas that, when saved, defines the contents page's number forms from the pages seen."""

    def __init__(self, *args: Any, pages: dict[int, int], font: str, size: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages, self.number_font, self.number_size = pages, font, size

    def save(self) -> None:
        for index, page in sorted(self.pages.items()):
            self.beginForm(page_form(index), lowerx=-200, lowery=-20, upperx=20, uppery=40)
            self.setFont(self.number_font, self.number_size)
            self.drawRightString(0, 0, str(page))
            self.endForm()
        super().save()


def flowables(lay: Layout, document: Document) -> list[Flowable]:
    """The story: pages broken where the tree says, charts and tables as floats under the
    level of the heading above them, and an end mark that places any float still waiting."""
    out: list[Flowable] = []
    level = 0
    for index, block in enumerate(document.blocks):
        if isinstance(block, Title):
            out += title(lay, block)
        elif isinstance(block, Toc):
            out += contents(lay, document)
        elif isinstance(block, Heading):
            level = block.level
            following = document.blocks[index + 1] if index + 1 < len(document.blocks) else None
            out += heading(lay, index, block, isinstance(following, Paragraph))
        elif isinstance(block, Paragraph):
            out.append(paragraph(lay, block, index))
        elif isinstance(block, Table):
            out.append(table(lay, block, level, index))
        elif isinstance(block, Chart):
            out.append(chart(lay, block, level, index))
        elif isinstance(block, PageBreak):
            out.append(RLPageBreak())
    return [*out, End()]


class ReportTemplate(BaseDocTemplate):  # type: ignore[misc]
    """Pages of the GB/T 9704 text block, numbered — N — (docs/standards.md §Page numbers), with bookmarks for every heading."""

    def __init__(self, buffer: BytesIO, lay: Layout, document: Document) -> None:
        page = lay.style.page
        super().__init__(
            buffer,
            pagesize=(float(page.width) * mm, float(page.height) * mm),
            leftMargin=float(page.left) * mm,
            rightMargin=float(page.right) * mm,
            topMargin=float(page.top) * mm,
            bottomMargin=float(page.bottom) * mm,
            title=document.meta.title,
            author=document.meta.author,
            subject=document.meta.subject,
            keywords=document.meta.version_line,
            creator="report builder",
            producer="report builder",
            lang=document.meta.language,
            invariant=True,
            initialFontName=lay.font("body"),  # else every page names Helvetica, which is never embedded
        )
        self.lay = lay
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, 0, 0, 0, 0, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._furniture)])
        self.seen: dict[int, int] = {}
        # (block, page): with the offset of the first character drawn of a paragraph, a table's row
        self.drawn: list[tuple[int, int, int]] = []
        self.outline_level = -1
        self.placer = Placer()

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        """Floats first get their chance to wait for the next page while paragraphs fill this one."""
        self.placer.arrange(self, flowables)
        super().handle_flowable(flowables)

    def afterFlowable(self, flowable: Flowable) -> None:
        origin = getattr(flowable, "origin", None)
        rows = getattr(flowable, "rows_of", None)
        if origin is not None and rows is not None:  # a table or a piece of one: its rows
            self.drawn += [(origin[0], row, self.page) for row in rows]
        elif origin is not None:
            self.drawn.append((origin[0], origin[1], self.page))
        mark = getattr(flowable, "heading", None)
        if mark is None:
            return
        index, level, text = mark
        self.seen[index] = self.page
        key = f"h{index}"
        # a 1. heading right under 一、 sits one outline level down: PDF outlines cannot skip levels
        depth = min(level - 1, self.outline_level + 1)
        self.outline_level = depth
        self.canv.bookmarkPage(key, fit="XYZ", top=self.frame._y + flowable.height if self.frame else None)
        self.canv.addOutlineEntry(text, key, level=depth, closed=depth > 0)

    def _furniture(self, canvas: Any, doc: BaseDocTemplate) -> None:
        lay = self.lay
        if not lay.final:
            _watermark(canvas, lay)
        _page_number(canvas, lay, canvas.getPageNumber())


def _page_number(canvas: Any, lay: Layout, number: int) -> None:
    page = lay.style.page
    font, size = lay.font("page_number"), lay.size("page_number")
    text = f"— {number} —"
    gap = float(page.page_number_gap) * mm
    y = float(page.bottom) * mm - gap - size * 0.8
    canvas.saveState()
    canvas.setFont(font, size)
    if number % 2:
        right = (float(page.width) - float(page.right)) * mm - size
        canvas.drawRightString(right, y, text)
    else:
        canvas.drawString(float(page.left) * mm + size, y, text)
    canvas.restoreState()


def _watermark(canvas: Any, lay: Layout) -> None:
    page = lay.style.page
    canvas.saveState()
    canvas.setFillColor(colors.Color(0.85, 0.85, 0.85))
    canvas.setFont(lay.font("heading1"), 120)
    canvas.translate(float(page.width) * mm / 2, float(page.height) * mm / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, -40, WATERMARK)
    canvas.restoreState()
