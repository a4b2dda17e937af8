"""Reading and editing the XML of a DOCX the builder wrote: its figures' content controls and the
bookmarks around them, tracked changes (w:ins, w:del) for the redline, and a chart's cached values
for refresh."""

from __future__ import annotations

from docx.oxml.ns import qn
from lxml import etree  # type: ignore[import-untyped]

from builder.writers.docx.xml import CHART_SPACE_ORDER, RPR_ORDER, Element, el, ppr, put, rpr


def control_tag(sdt: Element) -> str:
    """The w:tag value of a content control ("" when it has none)."""
    tag = sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
    return "" if tag is None else str(tag.get(qn("w:val")) or "")


def control_content(sdt: Element) -> Element:
    """The w:sdtContent of a content control, created if missing."""
    content = sdt.find(qn("w:sdtContent"))
    if content is None:
        content = el("w:sdtContent")
        sdt.append(content)
    return content


def visible_text(element: Element) -> str:
    """The text a reader shows for `element`: w:t and tabs, not deleted text nor field instructions."""
    parts: list[str] = []
    for node in element.iter(qn("w:t"), qn("w:tab")):
        if node.tag == qn("w:tab"):
            if node.getparent().tag == qn("w:r"):
                parts.append("\t")
        else:
            parts.append(node.text or "")
    return "".join(parts)


def set_control_text(sdt: Element, text: str) -> Element:
    """Replace the text of a content control by `text` in its first run (kept with its formatting);
    the other runs of the control are removed, and so is a placeholder state Word may have left.
    Returns that run."""
    _drop_placeholder(sdt)
    content = control_content(sdt)
    runs = list(content.iter(qn("w:r")))
    if not runs:
        content.append(el("w:r"))
        runs = list(content.iter(qn("w:r")))
    return set_runs_text(runs, text)


def set_runs_text(runs: list[Element], text: str) -> Element:
    """Put `text` into the first of `runs` that holds text (kept with its formatting), removing the other
    text runs. Returns that run."""
    holding = [r for r in runs if r.find(qn("w:t")) is not None]
    run = holding[0] if holding else runs[0]
    for other in holding[1:]:
        other.getparent().remove(other)
    texts = run.findall(qn("w:t"))
    for extra in texts[1:]:
        run.remove(extra)
    t = texts[0] if texts else el("w:t")
    if not texts:
        run.append(t)
    t.text = text
    t.set(qn("xml:space"), "preserve")
    return run


# -- figures found by their bookmark -----------------------------------------------------------


def bookmark_end(start: Element) -> Element | None:
    """The w:bookmarkEnd closing the bookmark `start` opens, among `start`'s paragraph's descendants."""
    paragraph = next(start.iterancestors(qn("w:p")), None)
    if paragraph is None:
        return None
    ident = start.get(qn("w:id"))
    return next((e for e in paragraph.iter(qn("w:bookmarkEnd")) if e.get(qn("w:id")) == ident), None)


def bookmarked_control(start: Element) -> Element | None:
    """The inline content control a figure's bookmark holds: the one the bookmark starts in (where
    LibreOffice moves the start), else the first one after the start, before the bookmark ends."""
    parent = start.getparent()
    if parent is not None and parent.tag == qn("w:sdtContent"):
        return parent.getparent()
    end = bookmark_end(start)
    for sibling in start.itersiblings():
        if sibling is end:
            return None
        if sibling.tag == qn("w:sdt"):
            return sibling
        if sibling.tag == qn("w:r") and visible_text(sibling):
            return None  # text of the figure's own, not in a control
    return None


def bookmarked_runs(start: Element) -> list[Element]:
    """The runs between a bookmark's start and end, beside them in one paragraph (a figure whose
    control an editor removed, keeping its text); [] when the bookmark holds no text."""
    end = bookmark_end(start)
    if end is None or end.getparent() is not start.getparent():
        return []
    runs: list[Element] = []
    for sibling in start.itersiblings():
        if sibling is end:
            return runs if any(visible_text(r) for r in runs) else []
        if sibling.tag == qn("w:r"):
            runs.append(sibling)
    return []


def _drop_placeholder(sdt: Element) -> None:
    """A control Word shows as empty (w:showingPlcHdr) holds real text again: no placeholder style."""
    properties = sdt.find(qn("w:sdtPr"))
    showing = None if properties is None else properties.find(qn("w:showingPlcHdr"))
    if showing is None:
        return
    properties.remove(showing)
    for style in list(control_content(sdt).iter(qn("w:rStyle"))):
        if style.get(qn("w:val")) == "PlaceholderText":
            style.getparent().remove(style)


def set_highlight(run: Element, color: str | None) -> None:
    """A run's w:highlight: `color` (“yellow”) or none."""
    properties = rpr(run)
    if color is None:
        for old in properties.findall(qn("w:highlight")):
            properties.remove(old)
    else:
        put(properties, el("w:highlight", {"w:val": color}), RPR_ORDER)


def highlight_of(run: Element) -> str | None:
    found = run.find(f"{qn('w:rPr')}/{qn('w:highlight')}")
    return None if found is None else str(found.get(qn("w:val")))


# -- tracked changes -------------------------------------------------------------------------

CHANGE_TAGS = ("w:ins", "w:del")


def revision(kind: str, author: str, date: str, *children: Element) -> Element:
    """A w:ins or w:del (`kind`) by `author` at `date` holding `children`; its w:id is set by `number_revisions`."""
    if kind not in CHANGE_TAGS:
        raise ValueError(f"{kind}: a revision is w:ins or w:del")
    return el(kind, {"w:id": "0", "w:author": author, "w:date": date}, *children)


def text_run(text: str, rpr_element: Element | None = None) -> Element:
    """A w:r with a copy of `rpr_element` (if any) and `text`."""
    run = el("w:r")
    if rpr_element is not None:
        run.append(etree.fromstring(etree.tostring(rpr_element)))
    t = el("w:t", {"xml:space": "preserve"})
    t.text = text
    run.append(t)
    return run


def deleted(run: Element) -> Element:
    """A copy of `run` as deleted text: w:t → w:delText, w:instrText → w:delInstrText."""
    copy = etree.fromstring(etree.tostring(run))
    for old, new in (("w:t", "w:delText"), ("w:instrText", "w:delInstrText")):
        for node in copy.iter(qn(old)):
            node.tag = qn(new)
            node.set(qn("xml:space"), "preserve")
    return copy


def mark_paragraph(p: Element, kind: str, author: str, date: str) -> None:
    """Mark a paragraph's mark as inserted or deleted (w:pPr/w:rPr/w:ins|w:del, first in the w:rPr)."""
    mark_rpr = rpr(ppr(p))
    for old in mark_rpr.findall(qn(kind)):
        mark_rpr.remove(old)
    mark_rpr.insert(0, revision(kind, author, date))


def mark_row(tr: Element, kind: str, author: str, date: str) -> None:
    """Mark a table row as inserted or deleted (w:trPr/w:ins|w:del, after the other row properties)."""
    tr_pr = tr.find(qn("w:trPr"))
    if tr_pr is None:
        tr_pr = el("w:trPr")
        tbl_pr_ex = tr.find(qn("w:tblPrEx"))
        tr.insert(0 if tbl_pr_ex is None else 1, tr_pr)
    change = tr_pr.find(qn("w:trPrChange"))
    mark = revision(kind, author, date)
    if change is None:
        tr_pr.append(mark)
    else:
        change.addprevious(mark)


def number_revisions(root: Element) -> None:
    """Give every w:ins and w:del under `root` a w:id, in document order, above every id already used."""
    used = [0]
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in (qn("w:ins"), qn("w:del")):
            continue
        for name in (qn("w:id"), "id"):
            value = node.get(name)
            if value is not None and value.lstrip("-").isdigit():
                used.append(int(value))
        if node.tag == qn("w:id") and (node.get(qn("w:val")) or "").lstrip("-").isdigit():
            used.append(int(node.get(qn("w:val"))))
    next_id = max(used) + 1
    for node in root.iter(qn("w:ins"), qn("w:del")):
        node.set(qn("w:id"), str(next_id))
        next_id += 1


# -- refreshing a chart ----------------------------------------------------------------------

SERIES_DATA = ("c:tx", "c:cat", "c:val")


def refresh_chart_values(edited: Element, fresh: Element) -> Element:
    """`edited` (a c:chartSpace editors may have restyled) with each series' name, categories and values
    (their formulas and c:strCache/c:numCache) taken from `fresh`, series matched in order. When the
    plots or series do not match one to one, `fresh` whole, keeping `edited`'s link to its workbook."""
    old_series, new_series = _series(edited), _series(fresh)
    same_shape = [s.getparent().tag for s in old_series] == [s.getparent().tag for s in new_series]
    if not same_shape or not all(_has_data(s) for s in old_series):
        return _replace_space(edited, fresh)
    for old, new in zip(old_series, new_series, strict=True):
        for tag in SERIES_DATA:
            _swap(old, old.find(qn(tag)), new.find(qn(tag)))
    return edited


def _series(space: Element) -> list[Element]:
    return list(space.iter(qn("c:ser")))


def _has_data(series: Element) -> bool:
    return series.find(qn("c:val")) is not None and series.find(qn("c:cat")) is not None


def _swap(series: Element, old: Element | None, new: Element | None) -> None:
    """Put a copy of `new` where `old` is (drop `old` when there is no `new`)."""
    if old is None:
        return
    if new is not None:
        old.addprevious(etree.fromstring(etree.tostring(new)))
    series.remove(old)


def _replace_space(edited: Element, fresh: Element) -> Element:
    space = etree.fromstring(etree.tostring(fresh))
    link = edited.find(qn("c:externalData"))
    if link is not None:
        put(space, etree.fromstring(etree.tostring(link)), CHART_SPACE_ORDER)
    return space
