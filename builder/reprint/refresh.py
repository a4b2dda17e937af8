"""Take a DOCX we built that editors have changed, put a new edition's figures into it, keep their prose.

Every printed figure sits in a content control tagged with its occurrence key (`总量!B3@1`), inside a
bookmark named after the key (`builder.writers.docx.anchors`): a control is found by its tag, or by
its bookmark when the tag is gone (LibreOffice drops tags when it saves), or, when an editor removed
the control but kept its text, the bookmark's text is the figure's. Its text becomes the new
figure's, in the run's own formatting. Nothing else of the editors' text is touched.

A DOCX built from another report (its stored title, or its core title, is not the new edition's) is
refused. What cannot be done safely is reported, one line each (`编号: 说明`): a figure the editors
deleted (the DOCX was built with it, the new edition still prints it), a figure the new edition
added since the DOCX was built (it has no place in the DOCX), a control whose key the new edition no
longer has, and a growth word (上升/下降/增长/减少) written just before a growth figure that the new
figure contradicts. Charts (matched by order and caption) get the new embedded workbook and cached
values.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
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
from builder.writers.docx import anchors, chart_xml
from builder.writers.docx.xml import Element

DOCUMENT = "word/document.xml"
SETTINGS = "word/settings.xml"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
RT_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
DC = "http://purl.org/dc/elements/1.1/"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
KEY = re.compile(r".+@\d+")
GROWTH_WORD = re.compile(r"(上升|下降|增长|减少)\s*$")
CAPTION = re.compile(r"^\s*图\s*\d*\s*")
RT_PACKAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


class NotOurs(ValueError):
    """The file is not a DOCX, or not a report this tool built (no figure controls)."""


class OtherReport(NotOurs):
    """The DOCX was built from another report than the new edition's."""


@dataclass(frozen=True)
class Printed:
    """A figure of the new edition printed in a paragraph or a table cell, with the text just before it."""

    placed: Placed
    text: str  # as printed: 【待补】 for a missing figure
    before: str  # the paragraph's (cell's) text before the figure


@dataclass(frozen=True)
class Found:
    """A figure in the edited DOCX: its content control, or the bookmark whose text is the figure's."""

    key: str
    control: Element | None
    bookmark: Element | None  # its w:bookmarkStart, when the control is gone

    @property
    def node(self) -> Element:
        """Where the figure starts in its paragraph."""
        return self.control if self.control is not None else self.bookmark

    def runs(self) -> list[Element]:
        return [] if self.bookmark is None else docx_xml.bookmarked_runs(self.bookmark)

    @property
    def text(self) -> str:
        if self.control is not None:
            return docx_xml.visible_text(self.control)
        return "".join(docx_xml.visible_text(r) for r in self.runs())


# -- the API ---------------------------------------------------------------------------------


def refresh(edited_docx: bytes, new: Document, style: Style) -> tuple[bytes, list[str]]:
    """`edited_docx` with `new`'s figures in its controls and charts; and the report lines."""
    parts = read_package(edited_docx)
    properties = anchors.read_properties(package_part(parts, RT_CUSTOM))
    root = etree.fromstring(parts[DOCUMENT], PARSER)
    printed = printed_figures(new)
    built = anchors.stored_keys(properties)
    found = find_figures(root, [*printed, *(built or [])])
    stored_title = anchors.stored_edition(properties)
    if not found and built is None and stored_title is None:
        raise NotOurs("不是本工具生成的报告：找不到数字的内容控件")
    check_report(stored_title or core_title(parts), new)
    report = refresh_figures(found, printed, new.meta.final)
    report += missing_figures(found, printed, built)
    rewrites = {DOCUMENT: ooxml.serialise(root)}
    rewrites.update(refresh_charts(parts, root, new, style, report))
    rewrites.update(_settings_with_zoom_percent(parts))
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


def _settings_with_zoom_percent(parts: dict[str, bytes]) -> dict[str, bytes]:
    """A DOCX written before the writer gave `w:zoom` its required `w:percent` gets it now, so the
    refreshed file is as valid as a new one (Word recomputes the zoom on opening)."""
    if SETTINGS not in parts:
        return {}
    root = etree.fromstring(parts[SETTINGS], PARSER)
    zoom = root.find(qn("w:zoom"))
    if zoom is None or zoom.get(qn("w:percent")) is not None:
        return {}
    zoom.set(qn("w:percent"), "100")
    return {SETTINGS: ooxml.serialise(root)}


def _constant(data: bytes) -> Callable[[bytes], bytes]:
    return lambda _: data


def package_part(parts: dict[str, bytes], relationship: str) -> bytes | None:
    """The part the package relates to by `relationship` (core or custom properties), if any."""
    target = next((t for kind, t in _package_relationships(parts) if kind == relationship), None)
    return None if target is None else parts.get(target)


def _package_relationships(parts: dict[str, bytes]) -> list[tuple[str, str]]:
    try:
        rels = etree.fromstring(parts.get("_rels/.rels", b""), PARSER)
    except etree.XMLSyntaxError:
        return []
    return [
        (str(r.get("Type")), str(r.get("Target")).lstrip("/"))
        for r in rels.iter(f"{{{PACKAGE_RELS}}}Relationship")
        if r.get("TargetMode") != "External"
    ]


def core_title(parts: dict[str, bytes]) -> str:
    """dc:title of the core properties ("" when there is none)."""
    blob = package_part(parts, RT_CORE)
    if not blob:
        return ""
    try:
        root = etree.fromstring(blob, PARSER)
    except etree.XMLSyntaxError:
        return ""
    return next((t.text or "" for t in root.iter(f"{{{DC}}}title")), "").strip()


def check_report(title: str, new: Document) -> None:
    """`OtherReport` when the DOCX was built for a report other than `new`'s: `title` is the one stored
    at build (the core title for a DOCX built before it was stored); a DOCX naming none is let through."""
    if title and title != new.meta.title:
        raise OtherReport(f"编辑稿是按《{title}》生成的，与新版《{new.meta.title}》不是同一份报告，未更新")


# -- figures in controls ---------------------------------------------------------------------


def printed_figures(document: Document) -> dict[str, Printed]:
    """The new edition's figures printed in text (not chart points), by occurrence key."""
    return {p.key: Printed(p, p.figure.text, p.before) for p in placed_figures(document) if p.in_text and p.figure.text}


def find_figures(root: Element, keys: Iterable[str]) -> list[Found]:
    """The figures of the edited document in reading order: controls by their tag, and by the bookmark
    named after one of `keys` around them; a bookmark without a control when it still holds text."""
    names = {anchors.bookmark_name(key): key for key in keys}
    found: list[Found] = []
    for node in root.iter(qn("w:sdt"), qn("w:bookmarkStart")):
        if node.tag == qn("w:sdt"):
            tag = docx_xml.control_tag(node)
            if KEY.fullmatch(tag):
                found.append(Found(tag, node, None))
            continue
        key = names.get(str(node.get(qn("w:name"))))
        if key is None:
            continue
        control = docx_xml.bookmarked_control(node)
        if control is None:
            if docx_xml.bookmarked_runs(node):
                found.append(Found(key, None, node))
        elif not KEY.fullmatch(docx_xml.control_tag(control)):  # a tagged control is found by its tag
            found.append(Found(key, control, None))
    return found


def refresh_figures(found: list[Found], printed: dict[str, Printed], final: bool) -> list[str]:
    """Put each figure's new text in; report keys the new edition lacks and contradicted growth words."""
    report: list[str] = []
    for figure_found in found:
        key = figure_found.key
        figure = printed.get(key)
        if figure is None:
            report.append(f"{key}: 新版数据中已没有这个数字，编辑稿中的“{figure_found.text}”未改动")
            continue
        word = growth_word_before(figure_found.node)
        new_word = _growth_word(figure.before)
        if word and new_word and word != new_word:
            report.append(
                f"{key}: 编辑稿在数字前写“{word}”，新版数据应为“{new_word}”，请核对改正（数字已更新为 {figure.text}）"
            )
        _set_figure(figure_found, figure, final)
    return report


def _set_figure(found: Found, figure: Printed, final: bool) -> None:
    """The figure's text becomes the new one's; the yellow mark of a missing figure follows its state."""
    was_missing = found.text == MISSING_TEXT
    if found.control is not None:
        run = docx_xml.set_control_text(found.control, figure.text)
    else:
        run = docx_xml.set_runs_text(found.runs(), figure.text)
    missing = figure.placed.figure.state is FigureState.MISSING
    if missing and not final:
        docx_xml.set_highlight(run, "yellow")
    elif was_missing and docx_xml.highlight_of(run) == "yellow":
        docx_xml.set_highlight(run, None)


def growth_word_before(node: Element) -> str:
    """The growth word ending the paragraph's text just before `node` (a control or a bookmark; "" if none)."""
    paragraph = next((a for a in node.iterancestors(qn("w:p"))), None)
    if paragraph is None:
        return ""
    before: list[str] = []
    for each in paragraph.iter(qn("w:t"), qn("w:sdt"), qn("w:bookmarkStart")):
        if each is node:
            break
        if each.tag == qn("w:t"):
            before.append(each.text or "")
    return _growth_word("".join(before))


def _growth_word(text: str) -> str:
    found = GROWTH_WORD.search(text)
    return found.group(1) if found else ""


def missing_figures(found: list[Found], printed: dict[str, Printed], built: list[str] | None) -> list[str]:
    """A line for each figure of the new edition not in the edited document: deleted by the editors when
    the DOCX was built with it (or when it does not say what it was built with), else added since."""
    present = {f.key for f in found}
    built_with = None if built is None else set(built)
    report = []
    for key, figure in printed.items():
        if key in present:
            continue
        place = " ".join(x for x in (figure.placed.heading, figure.placed.where) if x)
        if built_with is None or key in built_with:
            report.append(f"{key}: 编辑稿中已删去这个数字的控件，未能更新（新数字 {figure.text}，原位置 {place}）")
        else:
            report.append(
                f"{key}: 新版新增的数字，编辑稿生成时还没有，未能自动加入（新数字 {figure.text}，位置 {place}）"
            )
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
    data = chart_xml.chart_data(chart)
    fresh = chart_xml.chart_space(chart, data, style.fonts.chart)
    edited = etree.fromstring(parts[part], PARSER)
    out = {part: ooxml.serialise(docx_xml.refresh_chart_values(edited, fresh))}
    workbook = _embedded(parts, part)
    if workbook is not None and workbook in parts:
        out[workbook] = data.xlsx_blob
    return out


__all__ = ["NotOurs", "OtherReport", "refresh"]
