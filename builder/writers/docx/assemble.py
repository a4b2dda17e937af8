"""Take a `Document` and a `Style`, produce a python-docx document: page, styles, blocks in order, footers.

One handler per block kind; a `Context` carries what handlers share (the document, the style,
counters, the TOC's bookmarks and page numbers, the figures' occurrence keys, a pending page break).
A `hook` sees the body elements each block produced, for writers built on this one (the redline).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from itertools import count

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph

from builder import caches
from builder.document import Block, Chart, Document, Heading, PageBreak, Paragraph, Table, Title, Toc
from builder.document.walk import keys_by_position
from builder.style import Style
from builder.writers.docx import anchors, charts, styles, tables, xml

TOC_INSTRUCTION = 'TOC \\o "1-2" \\h \\u'
TOC_LEVELS = 2

# Called after each block with its index, the block and the body elements (w:p, w:tbl) it produced.
BlockHook = Callable[[int, Block, list[xml.Element]], None]


@dataclass
class Context:
    doc: DocxDocument
    document: Document
    style: Style
    toc_pages: Mapping[int, int]
    when: datetime
    bookmarks: dict[int, str] = field(default_factory=dict)  # block index of a heading in the TOC → name
    page_break: bool = False  # the next paragraph starts a new page
    next_id: int = 1  # for bookmarks, drawings and content controls
    charts: int = 0
    keys: dict[tuple[int, int], str] = field(default_factory=dict)  # (block, n-th figure) → occurrence key
    written: list[str] = field(default_factory=list)  # the keys given a content control, in reading order

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def tags(self, index: int) -> tables.Tags:
        """The keys of block `index`'s figures, in order, for its content controls."""
        keys: Iterator[str] = (self.keys[(index, n)] for n in count())
        return tables.Tags(keys, self.new_id, self.written)

    def paragraph(self, style_name: str) -> DocxParagraph:
        """A new paragraph at the end of the body, starting a page if a PageBreak came before it."""
        paragraph = self.doc.add_paragraph()
        styles.set_style(paragraph, style_name)
        if self.page_break:
            paragraph.paragraph_format.page_break_before = True
            self.page_break = False
        return paragraph


_STYLED: dict[tuple[Style, str], bytes] = {}  # python-docx's template with the report's styles, saved


def styled(style: Style, language: str) -> DocxDocument:
    """python-docx's default template with the styles of `style`, loaded from its saved bytes:
    styled once, kept between builds (`builder.caches.kept`, by the style, the language and
    python-docx's version) and per process (styling took a quarter of a district brief's DOCX)."""
    key = (style, language)
    if key not in _STYLED:
        kept_as = repr((style, language, docx.__version__))
        _STYLED[key] = caches.kept("docx-styles", kept_as, lambda: _styled_bytes(style, language))
    return docx.Document(BytesIO(_STYLED[key]))


def _styled_bytes(style: Style, language: str) -> bytes:
    doc = docx.Document()
    styles.apply(doc, style, language)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def docx_document(
    document: Document,
    style: Style,
    toc_pages: Mapping[int, int],
    when: datetime,
    hook: BlockHook | None = None,
) -> DocxDocument:
    """The whole python-docx document of `document`; `hook`, if given, sees each block's elements."""
    doc = styled(style, document.meta.language)
    ctx = Context(doc, document, style, toc_pages, when, keys=keys_by_position(document))
    ctx.bookmarks = {
        i: f"_Toc{i:08d}" for i, b in enumerate(document.blocks) if isinstance(b, Heading) and b.level <= TOC_LEVELS
    }
    body = doc.element.body
    for index, block in enumerate(document.blocks):
        if hook is None:
            write_block(ctx, index, block)
            continue
        before = len(_content(body))
        write_block(ctx, index, block)
        hook(index, block, _content(body)[before:])
    _end_with_paragraph(doc)
    page_setup(doc.sections[0], style)
    footers(doc, style)
    zoom(doc)
    metadata(doc, document, when)
    anchors.add_properties(doc, document.meta.title, ctx.written)
    return doc


def write_block(ctx: Context, index: int, block: Block) -> None:
    match block:
        case Title():
            write_title(ctx, block)
        case Heading():
            write_heading(ctx, index, block)
        case Paragraph():
            tables.write_inlines(ctx.paragraph(styles.NORMAL), block.runs, ctx.document.meta.final, ctx.tags(index))
        case Table():
            tables.write_table(ctx.doc, block, ctx.style, ctx.paragraph, ctx.document.meta.final, ctx.tags(index))
        case Chart():
            write_chart(ctx, block)
        case Toc():
            write_toc(ctx, block)
        case PageBreak():
            if ctx.page_break:  # two breaks in a row: an empty page between them
                ctx.paragraph(styles.NORMAL)
            ctx.page_break = True
        case _:
            raise TypeError(f"block {index}: no DOCX handler for {type(block).__name__}")


def write_title(ctx: Context, title: Title) -> None:
    last = ctx.paragraph(styles.TITLE)
    last.add_run(title.text)
    if title.subtitle:
        last = ctx.paragraph(styles.SUBTITLE)
        last.add_run(title.subtitle)
    last.paragraph_format.space_after = Pt(ctx.style.grid.line_pitch)


def write_heading(ctx: Context, index: int, heading: Heading) -> None:
    paragraph = ctx.paragraph(styles.heading(heading.level))
    paragraph.add_run(heading.number + heading.text)
    if index in ctx.bookmarks:
        xml.bookmark(paragraph, ctx.bookmarks[index], ctx.new_id())


def write_toc(ctx: Context, toc: Toc) -> None:
    """The TOC field, its cached result already listing the level 1–2 headings (page numbers when known)."""
    if toc.title:
        ctx.paragraph(styles.TOC_HEADING).add_run(toc.title)
    entries = [(i, b) for i, b in enumerate(ctx.document.blocks) if isinstance(b, Heading) and i in ctx.bookmarks]
    if not entries:
        paragraph = ctx.paragraph(styles.TOC[0])
        xml.field_begin(paragraph, TOC_INSTRUCTION)
        xml.field_end(paragraph)
        return
    for n, (index, heading) in enumerate(entries):
        paragraph = ctx.paragraph(styles.TOC[heading.level - 1])
        if n == 0:
            xml.field_begin(paragraph, TOC_INSTRUCTION)
        page = ctx.toc_pages.get(index)
        xml.toc_entry(paragraph, heading.number + heading.text, ctx.bookmarks[index], "" if page is None else str(page))
        if n == len(entries) - 1:
            xml.field_end(paragraph)


def write_chart(ctx: Context, chart: Chart) -> None:
    """The chart in a paragraph of its own, then its caption below: 图N text."""
    ctx.charts += 1
    frame = ctx.paragraph(styles.CHART_FRAME)
    charts.add_chart(ctx.doc, frame, chart, ctx.style, ctx.charts, ctx.new_id(), ctx.when)
    tables.write_caption(ctx.paragraph(styles.CAPTION), "图", chart.number, chart.caption)


def _content(body: xml.Element) -> list[xml.Element]:
    """The body's block elements, without its closing w:sectPr."""
    return [child for child in body if child.tag != qn("w:sectPr")]


def _end_with_paragraph(doc: DocxDocument) -> None:
    """Word wants a paragraph, not a table, last in the body."""
    last = _content(doc.element.body)
    if not last or last[-1].tag == qn("w:tbl"):
        doc.add_paragraph(style=styles.NORMAL)


def page_setup(section: Section, style: Style) -> None:
    """A4 and the margins of `style`; a document grid of `lines` × `chars` filling the text block."""
    page = style.page
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page.width), Mm(page.height)
    section.top_margin, section.bottom_margin = Mm(page.top), Mm(page.bottom)
    section.left_margin, section.right_margin = Mm(page.left), Mm(page.right)
    section.gutter = Mm(0)
    section.footer_distance = Mm(style.footer_distance)
    section.header_distance = Mm(15)
    xml.doc_grid(xml.section_element(section), *grid_values(style))


def grid_values(style: Style) -> tuple[int, int]:
    """w:linePitch in twips and w:charSpace (4096ths of a point added to the body size) for the grid."""
    line_pitch = round(style.grid.line_pitch * 20)
    text_width_pt = style.page.text_width * 72 / 25.4
    pitch = text_width_pt / style.grid.chars
    # round down: a pitch a hair too wide would leave one character fewer on a line
    char_space = int((pitch - style.fonts.body.size) * 4096 // 1)
    return line_pitch, char_space


def footers(doc: DocxDocument, style: Style) -> None:
    """`— N —` with a PAGE field: odd pages right, even pages left, one character in from the edge."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    one_char = round(style.fonts.page_number.size * 20)
    _page_number(section.footer.paragraphs[0], style, WD_ALIGN_PARAGRAPH.RIGHT, right=one_char)
    _page_number(section.even_page_footer.paragraphs[0], style, WD_ALIGN_PARAGRAPH.LEFT, left=one_char)


def _page_number(
    paragraph: DocxParagraph, style: Style, align: WD_ALIGN_PARAGRAPH, left: int = 0, right: int = 0
) -> None:
    paragraph.style = styles.FOOTER
    paragraph.alignment = align
    size = style.fonts.page_number.size
    xml.indent(xml.paragraph_element(paragraph), first_line_chars=0, size_pt=size, left_twips=left, right_twips=right)
    paragraph.add_run("— ")
    xml.append_field(paragraph, "PAGE", "1")
    paragraph.add_run(" —")


def zoom(doc: DocxDocument) -> None:
    """python-docx's template has `<w:zoom w:val="bestFit"/>`, which the schema refuses without
    `w:percent`; Word recomputes best fit on opening, so the percentage only has to be there."""
    found = doc.settings.element.find(qn("w:zoom"))
    if found is not None and found.get(qn("w:percent")) is None:
        found.set(qn("w:percent"), "100")


def metadata(doc: DocxDocument, document: Document, when: datetime) -> None:
    """Core properties from the tree's Meta; dates fixed (`when`), never the clock; no thumbnail."""
    meta, core = document.meta, doc.core_properties
    core.title = meta.title
    core.subject = meta.subject
    core.author = meta.author
    core.language = meta.language
    core.version = meta.version
    core.comments = ""
    core.keywords = ""
    core.category = ""
    core.last_modified_by = ""
    core.revision = 1
    core.created = when
    core.modified = when
    package_rels = doc.part.package.rels
    for r_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[r_id]
