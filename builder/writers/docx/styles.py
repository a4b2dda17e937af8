"""Take python-docx's default template and a `Style`, produce the report's Word styles.

Every style touched here is rebuilt from nothing (the template's theme fonts, colours and spacing
dropped) and names its font for ascii, hAnsi and eastAsia, so Word never falls back to a theme
East Asian font; so does docDefaults.

The section declares the 22 × 28 document grid, but no style snaps to it: exact 28.95 pt line
spacing gives the 22 lines, and body-size text condensed by 0.3 pt gives the 28 characters, in
every reader. (LibreOffice gives a 16 pt glyph two cells of a 15.79 pt character grid, which
would halve the characters a line; Word and WPS squeeze it into one.)
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Any, cast

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.shared import Mm, Pt
from docx.styles.style import BaseStyle, ParagraphStyle

from builder.style import Font, Style
from builder.writers.docx import xml

# Paragraph styles by role; built-in ones by their UI name, custom ones with ASCII ids.
NORMAL = "Normal"
TITLE = "Title"
SUBTITLE = "Subtitle"
CAPTION = "Caption"
FOOTER = "Footer"
TOC_HEADING = "TOC Heading"
TOC = ("toc 1", "toc 2")
TABLE_TEXT = "表格文字"
TABLE_NOTE = "表注"
CHART_FRAME = "图表"
CUSTOM_IDS = {TABLE_TEXT: "TableText", TABLE_NOTE: "TableNote", CHART_FRAME: "ChartFrame"}
TABLE_STYLE_ID = "ReportTable"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def heading(level: int) -> str:
    """The style of a heading of `level` (1–4)."""
    if level not in (1, 2, 3, 4):
        raise ValueError(f"heading level {level}: the report has levels 1 to 4")
    return f"Heading {level}"


@dataclass(frozen=True)
class Spec:
    """What one paragraph style sets; all else comes from its base (Normal, or docDefaults)."""

    name: str
    font: Font
    base: str | None = NORMAL
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    indent_chars: int = 0
    line_pt: float | None = None  # exact line spacing; None for single
    measure: bool = False  # condensed so that `grid.chars` characters fill a line
    outline: int | None = None
    keep_next: bool = False
    left_twips: int = 0
    tab_mm: float | None = None  # a right tab with dot leader at this position
    builtin: bool = True


def specs(style: Style) -> list[Spec]:
    f, pitch = style.fonts, style.grid.line_pitch
    indent = style.first_line_indent_chars
    heading_specs = [
        Spec(heading(n), f.heading(n), indent_chars=indent, line_pt=pitch, measure=True, outline=n - 1, keep_next=True)
        for n in (1, 2, 3, 4)
    ]
    toc_left = round(indent * f.body.size * 20)
    return [
        Spec(NORMAL, f.body, base=None, indent_chars=indent, line_pt=pitch, measure=True),
        Spec(TITLE, f.title, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=pitch, keep_next=True),
        Spec(SUBTITLE, f.subtitle, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=pitch, measure=True, keep_next=True),
        *heading_specs,
        Spec(CAPTION, f.caption, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=pitch),
        Spec(TOC_HEADING, f.heading1, align=WD_ALIGN_PARAGRAPH.CENTER, line_pt=pitch, measure=True, keep_next=True),
        Spec(TOC[0], f.body, line_pt=pitch, measure=True, tab_mm=style.page.text_width),
        Spec(TOC[1], f.body, line_pt=pitch, measure=True, left_twips=toc_left, tab_mm=style.page.text_width),
        Spec(FOOTER, f.page_number, line_pt=f.page_number.size),
        Spec(TABLE_TEXT, f.table, align=WD_ALIGN_PARAGRAPH.LEFT, builtin=False),
        Spec(TABLE_NOTE, f.table, align=WD_ALIGN_PARAGRAPH.LEFT, builtin=False),
        Spec(CHART_FRAME, f.chart, align=WD_ALIGN_PARAGRAPH.CENTER, keep_next=True, builtin=False),
    ]


def apply(doc: DocxDocument, style: Style, language: str) -> None:
    """Define the report's styles in `doc` (python-docx's default template) from `style`."""
    root = doc.styles.element
    xml.strip_theme_fonts(root)
    _doc_defaults(root, style, language)
    for spec in specs(style):
        _paragraph_style(doc, spec, style)
    _table_style(doc, style)
    _drop_styles_with_effects(doc)
    _font_table(doc, style)
    xml.theme_font_language(doc.settings.element, language)


def _doc_defaults(root: xml.Element, style: Style, language: str) -> None:
    rpr = xml.doc_defaults_rpr(root)
    for child in list(rpr):
        rpr.remove(child)
    xml.set_fonts(rpr, style.fonts.body.docx)
    xml.set_size(rpr, style.fonts.body.size)
    xml.set_language(rpr, language)
    ppr = xml.doc_defaults_ppr(root)
    ppr.append(xml.el("w:spacing", {"w:before": "0", "w:after": "0", "w:line": "240", "w:lineRule": "auto"}))


def _get_or_add(doc: DocxDocument, name: str, kind: WD_STYLE_TYPE, builtin: bool) -> ParagraphStyle:
    """The paragraph (or table: a subclass) style `name`, added if the template lacks it."""
    styles = doc.styles
    if name in styles:
        return cast(ParagraphStyle, styles[name])
    added = cast(ParagraphStyle, styles.add_style(name, kind, builtin=builtin))
    if name in CUSTOM_IDS:
        added.style_id = CUSTOM_IDS[name]
    elif name in TOC:
        added.style_id = name.upper().replace(" ", "")
    return added


def grid_condensing(style: Style, size_pt: float) -> int:
    """Character spacing, in twentieths of a point, that makes a `size_pt` glyph narrower than one grid cell
    (the text width / `grid.chars`): one twentieth more than the excess, 0.3 pt for 16 pt glyphs."""
    pitch = style.page.text_width * 72 / 25.4 / style.grid.chars
    excess = size_pt - pitch
    return 0 if excess <= 0 else math.ceil(excess * 20) + 1


def _paragraph_style(doc: DocxDocument, spec: Spec, style: Style) -> None:
    found = _get_or_add(doc, spec.name, WD_STYLE_TYPE.PARAGRAPH, spec.builtin)
    element = found.element
    xml.clear_formatting(element)
    found.base_style = None if spec.base is None else doc.styles[spec.base]
    found.hidden = False
    found.unhide_when_used = False
    found.quick_style = True
    _paragraph_format(found, spec)
    _character_format(found, spec.font)
    condensing = grid_condensing(style, spec.font.size) if spec.measure else 0
    if condensing:
        xml.put(xml.rpr(element), xml.el("w:spacing", {"w:val": str(-condensing)}), xml.RPR_ORDER)
    if spec.outline is not None:
        xml.outline_level(element, spec.outline)


def _paragraph_format(found: ParagraphStyle, spec: Spec) -> None:
    fmt = found.paragraph_format
    fmt.alignment = spec.align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0 if spec.line_pt is None else Pt(spec.line_pt)
    fmt.keep_with_next = spec.keep_next
    fmt.widow_control = True
    if spec.tab_mm is not None:
        fmt.tab_stops.add_tab_stop(Mm(spec.tab_mm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    xml.indent(found.element, first_line_chars=spec.indent_chars, size_pt=spec.font.size, left_twips=spec.left_twips)
    xml.snap_to_grid(found.element, False)


def _character_format(found: BaseStyle, font: Font) -> None:
    rpr = xml.rpr(found.element)
    xml.set_fonts(rpr, font.docx)
    xml.set_size(rpr, font.size)
    bold = xml.el("w:b") if font.bold else xml.el("w:b", {"w:val": "0"})
    xml.put(rpr, bold, xml.RPR_ORDER)
    xml.put(rpr, xml.el("w:color", {"w:val": "000000"}), xml.RPR_ORDER)


def _table_style(doc: DocxDocument, style: Style) -> None:
    found = _get_or_add(doc, style.table_style, WD_STYLE_TYPE.TABLE, builtin=False)
    found.style_id = TABLE_STYLE_ID
    # borders come from Table Grid; fonts are set here and in the cells' paragraph style
    xml.clear_formatting(found.element)
    found.base_style = doc.styles["Table Grid"]
    found.hidden = False
    found.quick_style = True
    _character_format(found, style.fonts.table)


def _drop_styles_with_effects(doc: DocxDocument) -> None:
    """The template's Word 2010 stylesWithEffects.xml would carry the old style definitions."""
    for r_id, rel in list(doc.part.rels.items()):
        if rel.reltype == STYLES_WITH_EFFECTS:
            del doc.part.rels[r_id]


def _font_table(doc: DocxDocument, style: Style) -> None:
    """Declare each font (GB2312 charset and the alternative name Word tries when it is missing)."""
    fonts = [(f.docx, f.docx_alt) for f in style.fonts.roles().values()]
    for r_id, rel in list(doc.part.rels.items()):
        if rel.reltype == RT.FONT_TABLE:
            old = rel.target_part
            del doc.part.rels[r_id]
            new = Part(old.partname, old.content_type, xml.font_table_xml(old.blob, fonts), old.package)
            doc.part.relate_to(new, RT.FONT_TABLE)


_STYLE_IDS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def set_style(paragraph: Any, name: str) -> None:
    """Give `paragraph` the style called `name`, looking the id up once per document
    (python-docx searches every style by name on each assignment, which dominated build time)."""
    part = paragraph.part
    ids = _STYLE_IDS.setdefault(part, {})
    if name not in ids:
        ids[name] = part.styles[name].style_id
    paragraph._p.style = ids[name]
