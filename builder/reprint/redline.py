"""Take an old and a new document tree, produce the new report as a DOCX with Word tracked changes.

The DOCX writer assembles both reports as usual; a hook records the body elements each block
produced. Blocks are aligned with difflib on a signature (a paragraph's text, a heading, a table's
or chart's id), then by kind within a run of changed blocks. A paired paragraph, heading, caption or
table cell whose text differs gets its runs rebuilt with w:del/w:ins: characters for Chinese, words
for Latin letters and digits, and a figure's old and new text as one deletion and one insertion
inside its content control. Blocks only in the new report are whole insertions, blocks only in the
old one whole deletions (copied from the old report's assembly). Word cannot track a chart, so a
note at the top lists the tables and charts that changed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree  # type: ignore[import-untyped]

from builder.document import Block, Chart, Document, Heading, Paragraph, Table, Title
from builder.reprint import docx_xml
from builder.reprint.align import Step, align, opcodes
from builder.style import Style
from builder.writers import docx as docx_writer
from builder.writers import ooxml
from builder.writers.docx import assemble, styles, xml
from builder.writers.docx.xml import Element

NOTE_PREFIX = "本修订稿中"
# Chinese by the character; Latin letters and digits (with their decimal points and separators) by the word
TOKEN = re.compile(r"[0-9A-Za-z]+(?:[.,][0-9A-Za-z]+)*|.", re.S)


@dataclass(frozen=True)
class Mark:
    """Who made the changes and when (ISO 8601, UTC)."""

    author: str
    date: str

    def rev(self, kind: str, *children: Element) -> Element:
        return docx_xml.revision(kind, self.author, self.date, *children)


def revision_date(date: str) -> str:
    """`2021-01-20` (or a full ISO date-time) as the w:date of a revision: `2021-01-20T00:00:00Z`."""
    try:
        parsed = datetime.fromisoformat(date)
    except ValueError:
        raise ValueError(f"修订日期“{date}”不是 YYYY-MM-DD 格式") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the API ---------------------------------------------------------------------------------


def redline(old: Document, new: Document, style: Style, *, author: str, date: str) -> bytes:
    """The DOCX of `new` with tracked changes (by `author` on `date`) against `old`."""
    mark = Mark(author, revision_date(date))
    when = ooxml.document_date()
    old_elements: dict[int, list[Element]] = {}
    new_elements: dict[int, list[Element]] = {}
    assemble.docx_document(old, style, {}, when, hook=_collect(old_elements))
    doc = assemble.docx_document(new, style, {}, when, hook=_collect(new_elements))
    steps = align_blocks(old.blocks, new.blocks)
    body = doc.element.body
    last: Element | None = None  # the last element of the new report placed so far
    for old_index, new_index in steps:
        if new_index is None:
            assert old_index is not None
            for element in old_elements[old_index]:
                last = _place_after(body, last, deleted_copy(element, mark))
            continue
        elements = new_elements[new_index]
        if old_index is None:
            for element in elements:
                track_whole(element, "w:ins", mark)
        elif old.blocks[old_index] != new.blocks[new_index]:
            diff_elements(old_elements[old_index], elements, mark)
        last = elements[-1] if elements else last
    _add_note(body, note_text(changed_visuals(old.blocks, new.blocks, steps)), doc, style)
    docx_xml.number_revisions(body)
    return docx_writer.save(doc)


def _collect(into: dict[int, list[Element]]) -> assemble.BlockHook:
    def hook(index: int, _block: Block, elements: list[Element]) -> None:
        into[index] = elements

    return hook


def _place_after(body: Element, anchor: Element | None, element: Element | None) -> Element | None:
    """Put `element` after `anchor` (at the start of the body when None); the new anchor."""
    if element is None:
        return anchor
    if anchor is None:
        body.insert(0, element)
    else:
        anchor.addnext(element)
    return element


# -- aligning blocks -------------------------------------------------------------------------


def signature(block: Block) -> tuple[object, ...]:
    """What must match for two blocks to be the same block unchanged (tables and charts: their id)."""
    if isinstance(block, Paragraph):
        return ("段", block.text)
    if isinstance(block, Heading):
        return ("标题", block.level, block.number + block.text)
    if isinstance(block, Title):
        return ("题", block.text, block.subtitle)
    if isinstance(block, Table | Chart):
        return (type(block).__name__, block.id)
    return (type(block).__name__,)


def kind(block: Block) -> tuple[object, ...]:
    """What must match for two changed blocks to be paired: a paragraph with a paragraph, a heading
    with a heading of its level; tables and charts only with their own id."""
    if isinstance(block, Paragraph):
        return ("段",)
    if isinstance(block, Heading):
        return ("标题", block.level)
    if isinstance(block, Table | Chart):
        return signature(block)
    return (type(block).__name__,)


def align_blocks(old: Sequence[Block], new: Sequence[Block]) -> list[Step]:
    """Old and new blocks paired in reading order: unchanged blocks by `signature`, changed ones by `kind`."""
    return align([signature(b) for b in old], [signature(b) for b in new], [kind(b) for b in old], [kind(b) for b in new])


# -- tables and charts that changed ----------------------------------------------------------


def visible(block: Table | Chart) -> tuple[object, ...]:
    """What a reader sees of a table or chart, its number aside."""
    if isinstance(block, Table):
        cells = tuple(cell.text for row in (*block.header, *block.rows) for cell in row)
        return (block.caption, block.note, cells)
    points = tuple((s.name, tuple((p.text, p.value) for p in s.points)) for s in block.series)
    return (block.caption, block.kind, block.categories, block.unit, block.scale, block.places, points)


def label(block: Table | Chart) -> str:
    return f"表{block.number}" if isinstance(block, Table) else f"图{block.number}"


def changed_visuals(old: Sequence[Block], new: Sequence[Block], steps: list[Step]) -> list[str]:
    """表N / 图N of each changed table and chart: new numbers, “（新增）” and “原…（已删去）” marked."""
    labels: list[str] = []
    for i, j in steps:
        before = old[i] if i is not None else None
        after = new[j] if j is not None else None
        if isinstance(after, Table | Chart):
            if before is None:
                labels.append(f"{label(after)}（新增）")
            elif isinstance(before, Table | Chart) and visible(before) != visible(after):
                labels.append(label(after))
        elif isinstance(before, Table | Chart) and after is None:
            labels.append(f"原{label(before)}（已删去）")
    return labels


def note_text(labels: list[str]) -> str:
    if not labels:
        return f"{NOTE_PREFIX}表格和图表无改动。"
    return f"{NOTE_PREFIX}以下表格和图表有改动：{'、'.join(labels)}。"


def _add_note(body: Element, text: str, doc: DocxDocument, style: Style) -> None:
    """The note as the first paragraph of the body, a line above the title; not itself a tracked change."""
    paragraph = doc.add_paragraph(text, style=styles.NORMAL)
    paragraph.paragraph_format.space_after = Pt(style.grid.line_pitch)
    body.insert(0, xml.paragraph_element(paragraph))


# -- paired blocks: their elements, tables, paragraphs ---------------------------------------


def _element_kind(element: Element) -> tuple[str, str]:
    if element.tag == qn("w:tbl"):
        return ("tbl", "")
    style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return ("p", "" if style is None else str(style.get(qn("w:val"))))


def diff_elements(old: list[Element], new: list[Element], mark: Mark) -> None:
    """Track the changes between the elements of a paired block: paragraphs and tables in order."""
    for tag, i1, i2, j1, j2 in opcodes([_element_kind(e) for e in old], [_element_kind(e) for e in new]):
        if tag == "equal":
            for before, after in zip(old[i1:i2], new[j1:j2], strict=True):
                if after.tag == qn("w:tbl"):
                    diff_table(before, after, mark)
                else:
                    diff_paragraph(before, after, mark)
            continue
        _insert_deleted(old[i1:i2], new[j1] if j1 < len(new) else None, new[-1] if new else None, mark)
        for element in new[j1:j2]:
            track_whole(element, "w:ins", mark)


def _insert_deleted(olds: Sequence[Element], before: Element | None, fallback: Element | None, mark: Mark) -> None:
    """Deleted copies of `olds`, in order, before `before` (else after `fallback`)."""
    for element in olds:
        copied = deleted_copy(element, mark)
        if copied is None:
            continue
        if before is not None:
            before.addprevious(copied)
        elif fallback is not None:
            fallback.addnext(copied)
            fallback = copied


def _row_signature(tr: Element) -> tuple[int, str]:
    cells = tr.findall(qn("w:tc"))
    return (len(cells), docx_xml.visible_text(cells[0]) if cells else "")


def diff_table(old: Element, new: Element, mark: Mark) -> None:
    """Rows aligned by their first cell; paired rows compared cell by cell; rows of one side whole."""
    old_rows, new_rows = old.findall(qn("w:tr")), new.findall(qn("w:tr"))
    matcher = opcodes([_row_signature(r) for r in old_rows], [_row_signature(r) for r in new_rows])
    for tag, i1, i2, j1, j2 in matcher:
        olds, news = old_rows[i1:i2], new_rows[j1:j2]
        if tag == "equal" or (tag == "replace" and _same_shape(olds, news)):
            for before, after in zip(olds, news, strict=True):
                diff_row(before, after, mark)
            continue
        _insert_deleted(olds, new_rows[j1] if j1 < len(new_rows) else None, new_rows[-1] if new_rows else None, mark)
        for row in news:
            track_whole(row, "w:ins", mark)


def _same_shape(olds: list[Element], news: list[Element]) -> bool:
    """As many rows, each with as many cells: changed rows to compare cell by cell."""
    return len(olds) == len(news) and all(
        _row_signature(a)[0] == _row_signature(b)[0] for a, b in zip(olds, news, strict=True)
    )


def diff_row(old: Element, new: Element, mark: Mark) -> None:
    for old_cell, new_cell in zip(old.findall(qn("w:tc")), new.findall(qn("w:tc")), strict=False):
        for before, after in zip(old_cell.findall(qn("w:p")), new_cell.findall(qn("w:p")), strict=False):
            diff_paragraph(before, after, mark)


def diff_paragraph(old: Element, new: Element, mark: Mark) -> None:
    """When the texts differ, rebuild `new`'s content with the changes from `old` tracked."""
    if docx_xml.visible_text(old) == docx_xml.visible_text(new):
        return
    before, after = pieces(old), pieces(new)
    out = Output(mark)
    for tag, i1, i2, j1, j2 in opcodes([p.ident for p in before], [p.ident for p in after]):
        if tag == "equal":
            for o, n in zip(before[i1:i2], after[j1:j2], strict=True):
                out.same(o, n)
            continue
        for o in before[i1:i2]:
            out.removed(o)
        for n in after[j1:j2]:
            out.added(n)
    for child in list(new):
        if child.tag != qn("w:pPr"):
            new.remove(child)
    for element in out.finish():
        new.append(element)


# -- a paragraph as pieces -------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A character or word of a text run, a figure's content control, a field, or another element."""

    kind: str  # "text", "control", "field" or "other"
    ident: tuple[str, str]  # what the diff compares: the text; the figure id; the field instruction; the tag
    text: str
    elements: tuple[Element, ...]  # the run the text came from; the control; the field's runs; the element


def pieces(p: Element) -> list[Piece]:
    children = [c for c in p if c.tag != qn("w:pPr")]
    out: list[Piece] = []
    i = 0
    while i < len(children):
        child = children[i]
        if child.tag == qn("w:r") and _field_char(child) == "begin":
            end = _field_end(children, i)
            runs = tuple(children[i : end + 1])
            out.append(Piece("field", ("fld", _instruction(runs)), _result_text(runs), runs))
            i = end + 1
            continue
        if _is_text_run(child):
            text = docx_xml.visible_text(child)
            out.extend(Piece("text", ("t", token), token, (child,)) for token in TOKEN.findall(text))
        elif child.tag == qn("w:sdt"):
            figure = docx_xml.control_tag(child).rpartition("@")[0] or docx_xml.control_tag(child)
            out.append(Piece("control", ("fig", figure), docx_xml.visible_text(child), (child,)))
        else:
            out.append(Piece("other", ("x", etree.QName(child).localname), docx_xml.visible_text(child), (child,)))
        i += 1
    return out


def _is_text_run(element: Element) -> bool:
    return element.tag == qn("w:r") and all(c.tag in (qn("w:rPr"), qn("w:t"), qn("w:tab")) for c in element)


def _field_char(run: Element) -> str:
    found = run.find(qn("w:fldChar"))
    return "" if found is None else str(found.get(qn("w:fldCharType")))


def _field_end(children: list[Element], start: int) -> int:
    """The index of the run ending the field that begins at `start` (the last child if none does)."""
    depth = 0
    for i in range(start, len(children)):
        char = _field_char(children[i]) if children[i].tag == qn("w:r") else ""
        depth += {"begin": 1, "end": -1}.get(char, 0)
        if depth == 0:
            return i
    return len(children) - 1


def _instruction(runs: tuple[Element, ...]) -> str:
    return "".join(t.text or "" for r in runs for t in r.iter(qn("w:instrText"))).strip()


def _result_text(runs: tuple[Element, ...]) -> str:
    return "".join(docx_xml.visible_text(r) for r in runs)


def _result_span(runs: Sequence[Element]) -> tuple[int, int]:
    """The indexes of a field's separate and end runs (the result runs lie between them)."""
    chars = [_field_char(r) for r in runs]
    separate = chars.index("separate") if "separate" in chars else len(runs) - 1
    return separate, len(runs) - 1


# -- rebuilding a paragraph ------------------------------------------------------------------


@dataclass
class Output:
    """The new content of a paragraph, item by item: (state, element, merge key of a text run)."""

    mark: Mark
    items: list[tuple[str | None, Element, bytes | None]] = field(default_factory=list)

    def same(self, o: Piece, n: Piece) -> None:
        if n.kind == "text":
            self._text(None, n)
        elif o.text == n.text:
            self._keep(n)
        elif n.kind == "control":
            self.items.append((None, self._changed_control(o, n), None))
        elif n.kind == "field":
            self.items.extend((None, e, None) for e in self._changed_field(o, n))
        else:
            self._keep(n)

    def removed(self, o: Piece) -> None:
        if o.kind == "text":
            self._text("w:del", o)
        elif o.kind == "control":
            self.items.extend(("w:del", docx_xml.deleted(r), None) for r in _content_runs(o.elements[0]))
        elif o.kind == "field":
            self.items.extend(("w:del", docx_xml.deleted(r), None) for r in o.elements)
        elif _plain_run(o.elements[0]):
            self.items.append(("w:del", docx_xml.deleted(o.elements[0]), None))
        # bookmarks and drawings of the old report have no place in the new one

    def added(self, n: Piece) -> None:
        if n.kind == "text":
            self._text("w:ins", n)
        elif n.kind == "control":
            _track_control(n.elements[0], "w:ins", self.mark)
            self.items.append((None, n.elements[0], None))
        elif n.kind == "field" or n.elements[0].tag == qn("w:r"):
            self.items.extend(("w:ins", e, None) for e in n.elements)
        else:
            self._keep(n)

    def _keep(self, n: Piece) -> None:
        self.items.extend((None, e, None) for e in n.elements)

    def _text(self, state: str | None, piece: Piece) -> None:
        """A text run of `piece`'s text in its run's formatting, merged into the previous one when alike."""
        source = piece.elements[0].find(qn("w:rPr"))
        key = b"" if source is None else etree.tostring(source)
        if self.items and "\t" not in piece.text:
            last_state, last, last_key = self.items[-1]
            if last_state == state and last_key == key:
                node = last.find(qn("w:delText") if state == "w:del" else qn("w:t"))
                node.text = (node.text or "") + piece.text
                return
        run = docx_xml.text_run(piece.text, source)
        if state == "w:del":
            run = docx_xml.deleted(run)
        self.items.append((state, run, None if "\t" in piece.text else key))

    def _changed_control(self, o: Piece, n: Piece) -> Element:
        """The new control holding its old text deleted and its new text inserted."""
        sdt = n.elements[0]
        content = docx_xml.control_content(sdt)
        new_runs = list(content)
        for child in new_runs:
            content.remove(child)
        old_runs = [docx_xml.deleted(r) for r in _content_runs(o.elements[0])]
        if old_runs:
            content.append(self.mark.rev("w:del", *old_runs))
        content.append(self.mark.rev("w:ins", *new_runs))
        return sdt

    def _changed_field(self, o: Piece, n: Piece) -> list[Element]:
        """The new field with its old result deleted and its new result inserted (instruction untouched)."""
        runs = list(n.elements)
        separate, end = _result_span(runs)
        old_separate, old_end = _result_span(o.elements)
        old_result = [docx_xml.deleted(r) for r in o.elements[old_separate + 1 : old_end]]
        new_result = runs[separate + 1 : end]
        changes = [self.mark.rev("w:del", *old_result)] if old_result else []
        changes += [self.mark.rev("w:ins", *new_result)] if new_result else []
        return [*runs[: separate + 1], *changes, *runs[end:]]

    def finish(self) -> list[Element]:
        """The items in order, consecutive deleted (inserted) runs in one w:del (w:ins)."""
        out: list[Element] = []
        group: Element | None = None
        for state, element, _ in self.items:
            if state is None:
                out.append(element)
                group = None
            elif group is not None and group.tag == qn(state):
                group.append(element)
            else:
                group = self.mark.rev(state, element)
                out.append(group)
        return out


def _content_runs(sdt: Element) -> list[Element]:
    return [r for r in docx_xml.control_content(sdt).iter(qn("w:r"))]


def _plain_run(element: Element) -> bool:
    return element.tag == qn("w:r") and element.find(f".//{qn('w:drawing')}") is None


def _track_control(sdt: Element, kind: str, mark: Mark) -> None:
    """Wrap everything in a control's content in one w:ins (or w:del, as deleted text)."""
    content = docx_xml.control_content(sdt)
    children = list(content)
    for child in children:
        content.remove(child)
    if kind == "w:del":
        children = [docx_xml.deleted(c) if c.tag == qn("w:r") else c for c in children]
    if children:
        content.append(mark.rev(kind, *children))


# -- whole blocks ----------------------------------------------------------------------------


def track_whole(element: Element, kind: str, mark: Mark) -> None:
    """Mark a whole paragraph, table or table row of the report as inserted (w:ins) or deleted (w:del)."""
    if element.tag == qn("w:p"):
        _track_paragraph(element, kind, mark)
        docx_xml.mark_paragraph(element, kind, mark.author, mark.date)
        return
    rows = [element] if element.tag == qn("w:tr") else element.findall(qn("w:tr"))
    for row in rows:
        docx_xml.mark_row(row, kind, mark.author, mark.date)
        for p in row.iter(qn("w:p")):
            _track_paragraph(p, kind, mark)


def deleted_copy(element: Element, mark: Mark) -> Element | None:
    """A copy of an old report's paragraph, table or row, all its text deleted; None for nothing to show."""
    if element.tag not in (qn("w:p"), qn("w:tbl"), qn("w:tr")):
        return None
    copied = copy.deepcopy(element)
    track_whole(copied, "w:del", mark)
    return copied


def _track_paragraph(p: Element, kind: str, mark: Mark) -> None:
    """Every run of `p` inside a w:ins (w:del); controls and hyperlinks tracked inside (deleted: unwrapped)."""
    items: list[tuple[str | None, Element]] = []
    for child in [c for c in p if c.tag != qn("w:pPr")]:
        p.remove(child)
        items.extend(_tracked_items(child, kind, mark))
    out = Output(mark)
    out.items = [(state, element, None) for state, element in items]
    for element in out.finish():
        p.append(element)


def _tracked_items(child: Element, kind: str, mark: Mark) -> list[tuple[str | None, Element]]:
    deleting = kind == "w:del"
    if child.tag == qn("w:r"):
        if not deleting:
            return [(kind, child)]
        return [(kind, docx_xml.deleted(child))] if _plain_run(child) else []  # an old drawing: its part is not here
    if child.tag in (qn("w:sdt"), qn("w:hyperlink")):
        runs = _content_runs(child) if child.tag == qn("w:sdt") else child.findall(qn("w:r"))
        if deleting:
            return [(kind, docx_xml.deleted(r)) for r in runs if _plain_run(r)]
        if child.tag == qn("w:sdt"):
            _track_control(child, kind, mark)
        else:
            for r in runs:
                r.addprevious(mark.rev(kind))
                r.getprevious().append(r)
        return [(None, child)]
    if deleting and child.tag in (qn("w:bookmarkStart"), qn("w:bookmarkEnd")):
        return []
    return [(None, child)]


__all__ = ["redline"]
