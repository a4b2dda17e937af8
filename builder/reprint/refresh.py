"""Take a DOCX we built that editors have changed, put a new edition's figures into it, keep their prose.

Every printed figure sits in a content control tagged with its occurrence key (`总量!B3@1`): the
control's text becomes the new figure's, in the run's own formatting. Nothing else of the editors'
text is touched. What cannot be done safely is reported, one line each (`编号: 说明`): a key of the
new edition whose control the editors deleted, a control whose key the new edition no longer has,
and a growth word (上升/下降/增长/减少) written just before a growth figure that the new figure
contradicts. Charts (matched by order and caption) get the new embedded workbook and cached values.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from zipfile import BadZipFile, ZipFile

from docx.oxml.ns import nsmap, qn
from lxml import etree  # type: ignore[import-untyped]

from builder.document import MISSING_TEXT, Chart, Document, FigureState
from builder.document.walk import Placed, placed_figures
from builder.reprint import docx_xml
from builder.style import Style
from builder.writers import ooxml
from builder.writers.docx import charts
from builder.writers.docx.xml import Element

DOCUMENT = "word/document.xml"
KEY = re.compile(r".+@\d+")
GROWTH_WORD = re.compile(r"(上升|下降|增长|减少)\s*$")
CAPTION = re.compile(r"^\s*图\s*\d*\s*")
RT_PACKAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


class NotOurs(ValueError):
    """The file is not a DOCX, or not a report this tool built (no figure controls)."""


@dataclass(frozen=True)
class Printed:
    """A figure of the new edition printed in a paragraph or a table cell, with the text just before it."""

    placed: Placed
    text: str  # as printed: 【待补】 for a missing figure
    before: str  # the paragraph's (cell's) text before the figure


# -- the API ---------------------------------------------------------------------------------


def refresh(edited_docx: bytes, new: Document, style: Style) -> tuple[bytes, list[str]]:
    """`edited_docx` with `new`'s figures in its controls and charts; and the report lines."""
    parts = read_package(edited_docx)
    root = etree.fromstring(parts[DOCUMENT], PARSER)
    controls = [sdt for sdt in root.iter(qn("w:sdt")) if KEY.fullmatch(docx_xml.control_tag(sdt))]
    if not controls:
        raise NotOurs("不是本工具生成的报告：找不到数字的内容控件")
    printed = printed_figures(new)
    report = refresh_controls(controls, printed, new.meta.final)
    report += deleted_controls(controls, printed)
    rewrites = {DOCUMENT: ooxml.serialise(root)}
    rewrites.update(refresh_charts(parts, root, new, style, report))
    return ooxml.repack(edited_docx, {name: _constant(data) for name, data in rewrites.items()}), report


def read_package(blob: bytes) -> dict[str, bytes]:
    """The entries of a DOCX by name; `NotOurs` when it is not a zip with word/document.xml."""
    try:
        with ZipFile(BytesIO(blob)) as z:
            parts = {info.filename: z.read(info) for info in z.infolist()}
    except (BadZipFile, OSError, EOFError, ValueError):
        raise NotOurs("不是 DOCX 文件（无法按 zip 读取）") from None
    if DOCUMENT not in parts:
        raise NotOurs(f"不是 DOCX 文件（缺少 {DOCUMENT}）")
    try:
        etree.fromstring(parts[DOCUMENT], PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotOurs(f"{DOCUMENT} 无法读取：{exc}") from None
    return parts


def _constant(data: bytes) -> Callable[[bytes], bytes]:
    return lambda _: data


# -- figures in controls ---------------------------------------------------------------------


def printed_figures(document: Document) -> dict[str, Printed]:
    """The new edition's figures printed in text (not chart points), by occurrence key."""
    return {p.key: Printed(p, p.figure.text, p.before) for p in placed_figures(document) if p.in_text and p.figure.text}


def refresh_controls(controls: list[Element], printed: dict[str, Printed], final: bool) -> list[str]:
    """Put each control's new text in; report keys the new edition lacks and contradicted growth words."""
    report: list[str] = []
    for sdt in controls:
        key = docx_xml.control_tag(sdt)
        figure = printed.get(key)
        if figure is None:
            report.append(f"{key}: 新版数据中已没有这个数字，编辑稿中的“{docx_xml.visible_text(sdt)}”未改动")
            continue
        word = growth_word_before(sdt)
        new_word = _growth_word(figure.before)
        if word and new_word and word != new_word:
            report.append(
                f"{key}: 编辑稿在数字前写“{word}”，新版数据应为“{new_word}”，请核对改正（数字已更新为 {figure.text}）"
            )
        _set_figure(sdt, figure, final)
    return report


def _set_figure(sdt: Element, figure: Printed, final: bool) -> None:
    """The control's text becomes the figure's; the yellow mark of a missing figure follows its state."""
    was_missing = docx_xml.visible_text(sdt) == MISSING_TEXT
    run = docx_xml.set_control_text(sdt, figure.text)
    missing = figure.placed.figure.state is FigureState.MISSING
    if missing and not final:
        docx_xml.set_highlight(run, "yellow")
    elif was_missing and docx_xml.highlight_of(run) == "yellow":
        docx_xml.set_highlight(run, None)


def growth_word_before(sdt: Element) -> str:
    """The growth word ending the paragraph's text just before the control ("" if none)."""
    paragraph = next((a for a in sdt.iterancestors(qn("w:p"))), None)
    if paragraph is None:
        return ""
    before: list[str] = []
    for node in paragraph.iter(qn("w:t"), qn("w:sdt")):
        if node is sdt:
            break
        if node.tag == qn("w:t"):
            before.append(node.text or "")
    return _growth_word("".join(before))


def _growth_word(text: str) -> str:
    found = GROWTH_WORD.search(text)
    return found.group(1) if found else ""


def deleted_controls(controls: list[Element], printed: dict[str, Printed]) -> list[str]:
    """A line for each figure of the new edition whose control is not in the edited document."""
    present = {docx_xml.control_tag(sdt) for sdt in controls}
    report = []
    for key, figure in printed.items():
        if key not in present:
            place = " ".join(x for x in (figure.placed.heading, figure.placed.where) if x)
            report.append(f"{key}: 编辑稿中已删去这个数字的控件，未能更新（新数字 {figure.text}，原位置 {place}）")
    return report


# -- charts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartRef:
    part: str  # word/charts/chartN.xml
    caption: str  # the caption below it, without 图N


def refresh_charts(
    parts: dict[str, bytes], root: Element, new: Document, style: Style, report: list[str]
) -> dict[str, bytes]:
    """New chart XML (cached values) and embedded workbooks for each chart matched in the new edition."""
    refs = chart_refs(parts, root)
    new_charts = [b for b in new.blocks if isinstance(b, Chart)]
    rewrites: dict[str, bytes] = {}
    used: set[int] = set()
    for n, ref in enumerate(refs, start=1):
        match = match_chart(ref, n - 1, new_charts, used)
        if match is None:
            report.append(f"图{n}: 新版中找不到标题为“{ref.caption}”的图，未更新")
            continue
        used.add(match)
        rewrites.update(_chart_rewrites(parts, ref.part, new_charts[match], style))
    for index, chart in enumerate(new_charts):
        if index not in used:
            report.append(f"图{chart.number}: 编辑稿中没有这张图（{chart.caption}），未加入")
    return rewrites


def match_chart(ref: ChartRef, position: int, new_charts: list[Chart], used: set[int]) -> int | None:
    """The new chart at the same position with the same caption, else the first unused one with it."""
    if position < len(new_charts) and position not in used and new_charts[position].caption == ref.caption:
        return position
    return next((i for i, c in enumerate(new_charts) if i not in used and c.caption == ref.caption), None)


def chart_refs(parts: dict[str, bytes], root: Element) -> list[ChartRef]:
    """The document's charts in reading order: part name and the caption of the paragraph after it."""
    targets = _relationships(parts, DOCUMENT)
    refs = []
    for chart in root.iter(f"{{{nsmap['c']}}}chart"):
        target = targets.get(str(chart.get(qn("r:id"))))
        if target is None:
            continue
        paragraph = next((a for a in chart.iterancestors(qn("w:p"))), None)
        following = paragraph.getnext() if paragraph is not None else None
        caption = docx_xml.visible_text(following) if following is not None and following.tag == qn("w:p") else ""
        refs.append(ChartRef(target, CAPTION.sub("", caption).strip()))
    return refs


def _relationships(parts: dict[str, bytes], part: str) -> dict[str, str]:
    """rId → the target part's name (resolved against `part`'s folder) for internal relationships."""
    folder, _, name = part.rpartition("/")
    rels = parts.get(f"{folder}/_rels/{name}.rels")
    if rels is None:
        return {}
    out: dict[str, str] = {}
    for rel in etree.fromstring(rels, PARSER):
        if rel.get("TargetMode") == "External":
            continue
        target = str(rel.get("Target"))
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"{folder}/{target}")
        out[str(rel.get("Id"))] = resolved
    return out


def _embedded(parts: dict[str, bytes], chart_part: str) -> str | None:
    folder, _, name = chart_part.rpartition("/")
    rels = parts.get(f"{folder}/_rels/{name}.rels")
    if rels is None:
        return None
    for rel in etree.fromstring(rels, PARSER):
        if rel.get("Type") == RT_PACKAGE:
            return _relationships(parts, chart_part).get(str(rel.get("Id")))
    return None


def _chart_rewrites(parts: dict[str, bytes], part: str, chart: Chart, style: Style) -> dict[str, bytes]:
    """The chart part with the new values cached, and its embedded workbook made anew."""
    data = charts.chart_data(chart)
    fresh = charts.chart_space(chart, data, style.fonts.chart)
    edited = etree.fromstring(parts[part], PARSER)
    out = {part: ooxml.serialise(docx_xml.refresh_chart_values(edited, fresh))}
    workbook = _embedded(parts, part)
    if workbook is not None and workbook in parts:
        out[workbook] = data.xlsx_blob
    return out


__all__ = ["NotOurs", "refresh"]
