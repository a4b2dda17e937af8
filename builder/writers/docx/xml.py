"""Raw WordprocessingML and DrawingML that python-docx cannot write, one helper per construct.

Everything here works on lxml elements; the rest of the writer works on python-docx objects and
calls these helpers for East Asian fonts, the document grid, snapping, character indents,
outline levels, fields (TOC, PAGEREF, PAGE, SEQ), bookmarks, table header rows, settings, the
font table, the inline drawing of a chart, and content controls (a figure run tagged with its
occurrence key). What only reprinting needs (reading controls, tracked changes, a chart's cached
values) is in `builder.reprint.docx_xml`. The only access to python-docx private element
attributes (`_p`, `_r`, `_tr`, `_tbl`, `_sectPr`) is in the `*_element` functions below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import OxmlElement
from docx.section import Section
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree  # type: ignore[import-untyped]

from builder.writers import ooxml

Element = Any  # an lxml element (lxml ships no type stubs)

CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _sequence(names: str) -> tuple[str, ...]:
    return tuple(names.split())


# Child order of w:pPr and w:rPr (ECMA-376 Part 1, CT_PPrBase and CT_RPr), for inserting in place.
PPR_ORDER = _sequence(
    "w:pStyle w:keepNext w:keepLines w:pageBreakBefore w:framePr w:widowControl w:numPr "
    "w:suppressLineNumbers w:pBdr w:shd w:tabs w:suppressAutoHyphens w:kinsoku w:wordWrap w:overflowPunct "
    "w:topLinePunct w:autoSpaceDE w:autoSpaceDN w:bidi w:adjustRightInd w:snapToGrid w:spacing w:ind "
    "w:contextualSpacing w:mirrorIndents w:suppressOverlap w:jc w:textDirection w:textAlignment "
    "w:textboxTightWrap w:outlineLvl w:divId w:cnfStyle w:rPr w:sectPr w:pPrChange"
)
RPR_ORDER = _sequence(
    "w:rStyle w:rFonts w:b w:bCs w:i w:iCs w:caps w:smallCaps w:strike w:dstrike w:outline w:shadow "
    "w:emboss w:imprint w:noProof w:snapToGrid w:vanish w:webHidden w:color w:spacing w:w w:kern "
    "w:position w:sz w:szCs w:highlight w:u w:effect w:bdr w:shd w:fitText w:vertAlign w:rtl w:cs w:em "
    "w:lang w:eastAsianLayout w:specVanish w:oMath"
)
SECTPR_ORDER = _sequence(
    "w:headerReference w:footerReference w:footnotePr w:endnotePr w:type w:pgSz w:pgMar w:paperSrc "
    "w:pgBorders w:lnNumType w:pgNumType w:cols w:formProt w:vAlign w:noEndnote w:titlePg w:textDirection "
    "w:bidi w:rtlGutter w:docGrid w:printerSettings w:sectPrChange"
)


# -- python-docx objects to their elements --------------------------------------------------


def paragraph_element(paragraph: Paragraph) -> Element:
    return paragraph._p


def run_element(run: Run) -> Element:
    return run._r


def row_element(row: _Row) -> Element:
    return row._tr


def table_element(table: Table) -> Element:
    return table._tbl


def section_element(section: Section) -> Element:
    return section._sectPr


# -- generic ---------------------------------------------------------------------------------


def el(tag: str, attrs: dict[str, str] | None = None, *children: Element) -> Element:
    """A new element `tag` (“w:p”) with prefixed attributes (“w:val”) and children."""
    element = OxmlElement(tag, {(qn(k) if ":" in k else k): v for k, v in (attrs or {}).items()})
    for child in children:
        element.append(child)
    return element


def put(parent: Element, child: Element, order: Sequence[str]) -> Element:
    """Replace `parent`'s child of the same tag by `child`, placed where the schema `order` wants it."""
    tag = _prefixed(child.tag)
    for old in parent.findall(child.tag):
        parent.remove(old)
    later = {qn(t) for t in order[order.index(tag) + 1 :]}
    for i, existing in enumerate(parent):
        if existing.tag in later:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def _prefixed(clark: str) -> str:
    uri, local = clark[1:].split("}")
    prefix = next(p for p, u in nsmap.items() if u == uri)
    return f"{prefix}:{local}"


def ppr(owner: Element) -> Element:
    """The w:pPr of a paragraph or a style, created if missing."""
    found = owner.find(qn("w:pPr"))
    if found is None:
        found = el("w:pPr")
        style_pos = owner.find(qn("w:rPr"))
        if owner.tag == qn("w:p"):
            owner.insert(0, found)
        elif style_pos is not None:
            style_pos.addprevious(found)
        else:
            owner.append(found)
    return found


def rpr(owner: Element) -> Element:
    """The w:rPr of a run, a style, a paragraph mark's w:pPr or docDefaults' w:rPrDefault."""
    found = owner.find(qn("w:rPr"))
    if found is None:
        found = el("w:rPr")
        if owner.tag == qn("w:r"):
            owner.insert(0, found)
        elif owner.tag == qn("w:pPr"):
            put(owner, found, PPR_ORDER)
        else:
            owner.append(found)
    return found


# -- fonts, grid, paragraph properties -------------------------------------------------------


def set_fonts(rpr_element: Element, name: str) -> None:
    """ascii, hAnsi and eastAsia (and cs) all `name`; theme font attributes removed."""
    fonts = el("w:rFonts", {"w:ascii": name, "w:hAnsi": name, "w:eastAsia": name, "w:cs": name})
    put(rpr_element, fonts, RPR_ORDER)


def set_size(rpr_element: Element, size_pt: float) -> None:
    half_points = str(round(size_pt * 2))
    put(rpr_element, el("w:sz", {"w:val": half_points}), RPR_ORDER)
    put(rpr_element, el("w:szCs", {"w:val": half_points}), RPR_ORDER)


def set_language(rpr_element: Element, east_asian: str) -> None:
    put(rpr_element, el("w:lang", {"w:val": "en-US", "w:eastAsia": east_asian, "w:bidi": "ar-SA"}), RPR_ORDER)


def strip_theme_fonts(root: Element) -> None:
    """Remove asciiTheme/hAnsiTheme/eastAsiaTheme/cstheme from every w:rFonts under `root`."""
    for fonts in root.iter(qn("w:rFonts")):
        for attribute in THEME_FONT_ATTRIBUTES:
            fonts.attrib.pop(qn(attribute), None)


def snap_to_grid(owner: Element, on: bool) -> None:
    """Whether a style's lines and characters snap to the document grid (w:snapToGrid in pPr and rPr)."""
    value = "1" if on else "0"
    put(ppr(owner), el("w:snapToGrid", {"w:val": value}), PPR_ORDER)
    put(rpr(owner), el("w:snapToGrid", {"w:val": value}), RPR_ORDER)


def indent(owner: Element, *, first_line_chars: int, size_pt: float, left_twips: int = 0, right_twips: int = 0) -> None:
    """w:ind of a paragraph or style: a first-line indent in characters (w:firstLineChars, and the same in
    twips for readers that ignore it) and left/right indents in twips."""
    attrs = {
        "w:left": str(left_twips),
        "w:right": str(right_twips),
        "w:firstLineChars": str(first_line_chars * 100),
        "w:firstLine": str(round(first_line_chars * size_pt * 20)),
    }
    put(ppr(owner), el("w:ind", attrs), PPR_ORDER)


def outline_level(owner: Element, level: int) -> None:
    """w:outlineLvl (0 for Heading 1), which the navigation pane and TOC \\o read."""
    put(ppr(owner), el("w:outlineLvl", {"w:val": str(level)}), PPR_ORDER)


def clear_formatting(style_element: Element) -> None:
    """Drop a style's paragraph and run properties and its link to a character style."""
    for tag in ("w:pPr", "w:rPr", "w:link", "w:tblPr", "w:trPr", "w:tcPr"):
        for child in style_element.findall(qn(tag)):
            style_element.remove(child)


def doc_grid(sect_pr: Element, line_pitch_twips: int, char_space: int) -> None:
    """w:docGrid of type linesAndChars: lines `line_pitch_twips` apart, characters widened by `char_space`/4096 pt."""
    grid = el(
        "w:docGrid", {"w:type": "linesAndChars", "w:linePitch": str(line_pitch_twips), "w:charSpace": str(char_space)}
    )
    put(sect_pr, grid, SECTPR_ORDER)


def doc_defaults_rpr(styles_root: Element) -> Element:
    """The w:rPr of w:docDefaults/w:rPrDefault, created if missing."""
    defaults = styles_root.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = el("w:docDefaults")
        styles_root.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = el("w:rPrDefault")
        defaults.insert(0, rpr_default)
    return rpr(rpr_default)


def doc_defaults_ppr(styles_root: Element) -> Element:
    """The w:pPr of w:docDefaults/w:pPrDefault, emptied."""
    defaults = styles_root.find(qn("w:docDefaults"))
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = el("w:pPrDefault")
        defaults.append(ppr_default)
    for child in list(ppr_default):
        ppr_default.remove(child)
    found = el("w:pPr")
    ppr_default.append(found)
    return found


# -- settings and font table ----------------------------------------------------------------


def theme_font_language(settings_root: Element, east_asian: str) -> None:
    """w:themeFontLang's East Asian language, which picks the theme's East Asian font."""
    found = settings_root.find(qn("w:themeFontLang"))
    if found is not None:
        found.set(qn("w:eastAsia"), east_asian)


def font_table_xml(blob: bytes, fonts: Iterable[tuple[str, str]]) -> bytes:
    """fontTable.xml with an entry (GB2312 charset, altName) for each (name, alternative name)."""
    root = etree.fromstring(blob)
    known = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alt in fonts:
        if name in known:
            continue
        known.add(name)
        font = el("w:font", {"w:name": name})
        if alt:
            font.append(el("w:altName", {"w:val": alt}))
        font.append(el("w:charset", {"w:val": "86"}))
        font.append(el("w:family", {"w:val": "auto"}))
        font.append(el("w:pitch", {"w:val": "variable"}))
        root.append(font)
    return ooxml.serialise(root)


# -- fields and bookmarks --------------------------------------------------------------------


def field_runs(instruction: str, result: str) -> list[Element]:
    """The runs of a complex field: begin, instruction, separate, cached `result` (if any), end."""

    def run(child: Element) -> Element:
        return el("w:r", None, child)

    instr = el("w:instrText", {"xml:space": "preserve"})
    instr.text = f" {instruction} "
    runs = [
        run(el("w:fldChar", {"w:fldCharType": "begin"})),
        run(instr),
        run(el("w:fldChar", {"w:fldCharType": "separate"})),
    ]
    if result:
        text = el("w:t", {"xml:space": "preserve"})
        text.text = result
        runs.append(run(text))
    runs.append(run(el("w:fldChar", {"w:fldCharType": "end"})))
    return runs


def append_field(paragraph: Paragraph, instruction: str, result: str) -> None:
    """Append a complex field with its cached result to `paragraph`."""
    p = paragraph_element(paragraph)
    for r in field_runs(instruction, result):
        p.append(r)


def field_begin(paragraph: Paragraph, instruction: str) -> None:
    """Open a field whose result runs follow in this and later paragraphs (a TOC)."""
    p = paragraph_element(paragraph)
    for r in field_runs(instruction, "")[:3]:
        p.append(r)


def field_end(paragraph: Paragraph) -> None:
    paragraph_element(paragraph).append(el("w:r", None, el("w:fldChar", {"w:fldCharType": "end"})))


def bookmark(paragraph: Paragraph, name: str, bookmark_id: int) -> None:
    """A bookmark `name` around the whole content of `paragraph`."""
    p = paragraph_element(paragraph)
    start = el("w:bookmarkStart", {"w:id": str(bookmark_id), "w:name": name})
    p_pr = p.find(qn("w:pPr"))
    if p_pr is None:
        p.insert(0, start)
    else:
        p_pr.addnext(start)
    p.append(el("w:bookmarkEnd", {"w:id": str(bookmark_id)}))


def toc_entry(paragraph: Paragraph, text: str, anchor: str, page: str) -> None:
    """A TOC result line: a hyperlink to `anchor` holding the text, a tab and a PAGEREF field."""
    link = el("w:hyperlink", {"w:anchor": anchor, "w:history": "1"})
    t = el("w:t", {"xml:space": "preserve"})
    t.text = text
    link.append(el("w:r", None, t))
    link.append(el("w:r", None, el("w:tab")))
    for r in field_runs(f"PAGEREF {anchor} \\h", page):
        link.append(r)
    paragraph_element(paragraph).append(link)


# -- tables ----------------------------------------------------------------------------------


def repeat_header(row: _Row) -> None:
    """Mark a table row as a header row, repeated at the top of each page (w:tblHeader)."""
    tr_pr = _tr_pr(row)
    if tr_pr.find(qn("w:tblHeader")) is None:
        tr_pr.append(el("w:tblHeader"))


def cant_split(row: _Row) -> None:
    """Keep a table row on one page (w:cantSplit)."""
    tr_pr = _tr_pr(row)
    if tr_pr.find(qn("w:cantSplit")) is None:
        tr_pr.insert(0, el("w:cantSplit"))


def _tr_pr(row: _Row) -> Element:
    """A row's w:trPr (after any w:tblPrEx), created if missing."""
    tr = row_element(row)
    tr_pr = tr.find(qn("w:trPr"))
    if tr_pr is None:
        tr_pr = el("w:trPr")
        tbl_pr_ex = tr.find(qn("w:tblPrEx"))
        tr.insert(0 if tbl_pr_ex is None else 1, tr_pr)
    return tr_pr


# -- drawings --------------------------------------------------------------------------------


def inline_chart(run: Run, r_id: str, docpr_id: int, name: str, cx_emu: int, cy_emu: int) -> None:
    """An inline w:drawing in `run` showing the chart part related by `r_id`."""
    chart = OxmlElement("c:chart", {qn("r:id"): r_id}, {"c": nsmap["c"], "r": nsmap["r"]})
    graphic_data = el("a:graphicData", {"uri": CHART_URI}, chart)
    graphic = OxmlElement("a:graphic", nsdecls={"a": nsmap["a"]})
    graphic.append(graphic_data)
    inline = el(
        "wp:inline",
        {"distT": "0", "distB": "0", "distL": "0", "distR": "0"},
        el("wp:extent", {"cx": str(cx_emu), "cy": str(cy_emu)}),
        el("wp:effectExtent", {"l": "0", "t": "0", "r": "0", "b": "0"}),
        el("wp:docPr", {"id": str(docpr_id), "name": name}),
        el("wp:cNvGraphicFramePr"),
        graphic,
    )
    run_element(run).append(el("w:drawing", None, inline))


def east_asian_typefaces(root: Element) -> None:
    """Beside every a:latin in DrawingML text properties, an a:ea with the same typeface."""
    a = nsmap["a"]
    for latin in list(root.iter(f"{{{a}}}latin")):
        parent = latin.getparent()
        for old in parent.findall(f"{{{a}}}ea"):
            parent.remove(old)
        latin.addnext(etree.Element(f"{{{a}}}ea", typeface=latin.get("typeface")))


def table_width(table: Table, twips: int) -> None:
    """The table's preferred width (w:tblW) in twips."""
    tbl_pr = table_element(table).tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = el("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(twips))


CHART_SPACE_ORDER = _sequence(
    "c:date1904 c:lang c:roundedCorners c:style c:clrMapOvr c:pivotSource c:protection c:chart c:spPr "
    "c:txPr c:externalData c:printSettings c:userShapes c:extLst"
)


def chart_frame(space: Element, language: str) -> None:
    """The chart's language, square corners and no border around the chart area."""
    c, a = nsmap["c"], nsmap["a"]
    put(space, etree.Element(f"{{{c}}}lang", val=language), CHART_SPACE_ORDER)
    put(space, etree.Element(f"{{{c}}}roundedCorners", val="0"), CHART_SPACE_ORDER)
    sp_pr = etree.Element(f"{{{c}}}spPr")
    etree.SubElement(sp_pr, f"{{{a}}}noFill")
    etree.SubElement(etree.SubElement(sp_pr, f"{{{a}}}ln"), f"{{{a}}}noFill")
    put(space, sp_pr, CHART_SPACE_ORDER)


# -- content controls ------------------------------------------------------------------------

SDT_PR_ORDER = _sequence(
    "w:rPr w:alias w:tag w:id w:lock w:placeholder w:temporary w:showingPlcHdr w:dataBinding w:label w:tabIndex"
)


def content_control(run: Element, tag: str, alias: str, sdt_id: int) -> Element:
    """Put `run` (already in its paragraph) inside an inline rich-text content control, in its place.

    w:sdtPr children follow CT_SdtPr's sequence: alias, tag, id.
    """
    properties = el(
        "w:sdtPr",
        None,
        el("w:alias", {"w:val": alias}),
        el("w:tag", {"w:val": tag}),
        el("w:id", {"w:val": str(sdt_id)}),
    )
    content = el("w:sdtContent")
    sdt = el("w:sdt", None, properties, content)
    run.addprevious(sdt)
    content.append(run)
    return sdt
