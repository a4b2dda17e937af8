"""Take two editions (folders or workbooks), produce what changed between them: cells, figures, sentences.

Three lists, in this order:
1. 改动的单元格: input cells whose value changed, and rows added or removed. Cells are matched
   by sheet, row key and column, never by position, so reordered rows are not changes.
2. 受影响的数字: printed figures whose text changed, by occurrence key. A figure read straight
   from a cell is matched by that cell's row key and column rather than its address, so a row
   that moved keeps its figures.
3. 改动的语句: sentences of paragraphs, headings, tables and chart captions that differ. Blocks
   are aligned on their heading context with difflib; a block found elsewhere is paired there
   (a section that moved), and what is left over is listed as added or removed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest

from builder.document import Block, Chart, Document, Heading, Paragraph, Table, Title
from builder.document.walk import Placed, placed_figures, places
from builder.model.figures import Figures
from builder.model.values import Row, State, Value
from builder.model.values import SheetRows as InputTable
from builder.reprint.align import align, moved
from builder.workbook.schema import SHEETS_BY_NAME

NO_CHANGE = "没有改动"
EMPTY = "（空）"
ABSENT = "（无）"
ARROW = " → "
SENTENCE = re.compile(r"[^。；;]+[。；;]?")

RowId = tuple[str, tuple[str, ...]]  # sheet, row key


# -- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellChange:
    """An input cell whose value changed; `old_where` differs from `where` when its row moved."""

    sheet: str
    key: tuple[str, ...]
    column: str
    old_where: str
    where: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return "·".join([*(k for k in self.key if k), self.column])


@dataclass(frozen=True)
class RowChange:
    """A row in one edition's sheet and not in the other's."""

    sheet: str
    key: tuple[str, ...]
    where: str
    added: bool
    values: str


@dataclass(frozen=True)
class FigureChange:
    """A printed figure whose text changed; an empty `old_key` or `key` means added or removed."""

    key: str
    old_key: str
    part: str
    heading: str
    where: str
    old: str
    new: str
    sources: tuple[str, ...]  # the cells of the new printing (of the old one when removed)
    old_sources: tuple[str, ...]


@dataclass(frozen=True)
class SentenceChange:
    """The sentences of one block that differ: those only in the old block and those only in the new."""

    part: str
    heading: str
    where: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class BlockChange:
    """A paragraph, heading, table or chart found in only one of the editions."""

    added: bool
    part: str
    heading: str
    where: str
    text: str


@dataclass(frozen=True)
class BriefChange:
    """A district brief the changed cells reach: how many of its figures and sentences changed;
    `kind` says when the brief is new or gone instead."""

    district: str
    figures: int
    sentences: int
    kind: str = ""  # "新增" or "删去"


@dataclass(frozen=True)
class DiffReport:
    cells: tuple[CellChange, ...]
    rows: tuple[RowChange, ...]
    figures: tuple[FigureChange, ...]
    sentences: tuple[SentenceChange, ...]
    blocks: tuple[BlockChange, ...]
    briefs: tuple[BriefChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.cells or self.rows or self.figures or self.sentences or self.blocks or self.briefs)


@dataclass(frozen=True)
class Side:
    """One edition as the diff needs it."""

    figures: Figures
    document: Document


def diff_sides(old: Side, new: Side) -> DiffReport:
    """What changed from one edition to the other: cells, rows, printed figures, sentences and blocks."""
    cells, rows = input_changes(old.figures, new.figures)
    blocks, sentences = text_changes(old.document, new.document)
    return DiffReport(
        cells=tuple(cells),
        rows=tuple(rows),
        figures=tuple(figure_changes(old, new)),
        sentences=tuple(sentences),
        blocks=tuple(blocks),
    )


def brief_changes(
    old: Side, new: Side, old_briefs: Mapping[str, Document], new_briefs: Mapping[str, Document]
) -> Iterator[BriefChange]:
    """The district briefs that print something else, by district, in the new edition's order
    (then the ones it no longer has): each brief compared as a report of its own."""
    for district, document in new_briefs.items():
        was = old_briefs.get(district)
        if was is None:
            yield BriefChange(district, 0, 0, "新增")
            continue
        figures = list(figure_changes(Side(old.figures, was), Side(new.figures, document)))
        blocks, sentences = text_changes(was, document)
        if figures or blocks or sentences:
            yield BriefChange(district, len(figures), len(sentences) + len(blocks))
    for district in old_briefs:
        if district not in new_briefs:
            yield BriefChange(district, 0, 0, "删去")


# -- 1. input cells -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputCell:
    where: str
    shown: str


def shown(value: Value) -> str:
    """A cell's value as the report lists it: the number as read, 空 when missing, — when not applicable."""
    if value.state is State.MISSING:
        return EMPTY
    if value.state is State.NA:
        return "—"
    number = value.value
    return f"{number:f}" if isinstance(number, Decimal) else str(number)


def row_cells(table: InputTable, row: Row) -> dict[str, InputCell]:
    """A row's cells by column, in the sheet's column order: numbers and text alike."""
    out: dict[str, InputCell] = {}
    for col in SHEETS_BY_NAME[table.name].columns:
        header = col.header
        if header in row.values:
            value = row.values[header]
            out[header] = InputCell(value.where, shown(value))
        elif header in row.texts and header in table.columns:
            out[header] = InputCell(f"{table.name}!{table.ref(header, row.number)}", row.texts[header] or EMPTY)
    return out


def all_rows(figures: Figures) -> Iterator[tuple[str, InputTable, Row]]:
    """Every input row with its sheet's name and table, sheet by sheet in workbook order."""
    for name, table in figures.tables.items():
        for row in table.rows:
            yield name, table, row


def input_rows(figures: Figures) -> dict[RowId, tuple[InputTable, Row]]:
    return {(name, row.key): (table, row) for name, table, row in all_rows(figures)}


def input_changes(old: Figures, new: Figures) -> tuple[list[CellChange], list[RowChange]]:
    """Changed cells and added or removed rows, in the new workbook's order (removed rows last)."""
    before, after = input_rows(old), input_rows(new)
    cells: list[CellChange] = []
    rows: list[RowChange] = []
    for row_id, (table, row) in after.items():
        if row_id not in before:
            rows.append(_row_change(table, row, added=True))
            continue
        cells += cell_changes(row_id, row_cells(*before[row_id]), row_cells(table, row))
    rows += [_row_change(table, row, added=False) for row_id, (table, row) in before.items() if row_id not in after]
    return cells, rows


def cell_changes(row_id: RowId, old: dict[str, InputCell], new: dict[str, InputCell]) -> list[CellChange]:
    """The cells of one row whose value differs; a column only one sheet has counts as empty in the other."""
    out: list[CellChange] = []
    for column in dict.fromkeys([*new, *old]):
        was, now = old.get(column, InputCell("", EMPTY)), new.get(column, InputCell("", EMPTY))
        if was.shown != now.shown:
            out.append(CellChange(row_id[0], row_id[1], column, was.where, now.where, was.shown, now.shown))
    return out


def _row_change(table: InputTable, row: Row, *, added: bool) -> RowChange:
    key_col = table.key[0]
    where = f"{table.name}!{table.ref(key_col, row.number)}"
    values = "，".join(f"{column} {cell.shown}" for column, cell in row_cells(table, row).items())
    return RowChange(table.name, row.key, where, added, values)


# -- 2. printed figures ---------------------------------------------------------------------------


def cell_names(figures: Figures) -> dict[str, str]:
    """`sheet!B4` -> `sheet!row key·column`: a cell's name that survives its row moving."""
    out: dict[str, str] = {}
    for name, _, row in all_rows(figures):
        label = "·".join(k for k in row.key if k)
        for header, value in row.values.items():
            out[value.where] = f"{name}!{label}·{header}"
    return out


def stable_placed(side: Side) -> dict[str, Placed]:
    """Placed figures by an occurrence key whose cell addresses are replaced by cell names."""
    names = cell_names(side.figures)
    seen: Counter[str] = Counter()
    out: dict[str, Placed] = {}
    for placed in placed_figures(side.document):
        name = names.get(placed.figure.id, placed.figure.id)
        seen[name] += 1
        out[f"{name}@{seen[name]}"] = placed
    return out


def figure_changes(old: Side, new: Side) -> Iterator[FigureChange]:
    """Figures whose printed text changed, in the new report's order; then the ones it no longer prints."""
    before, after = stable_placed(old), stable_placed(new)
    for key, placed in after.items():
        was = before.get(key)
        if was is None or was.figure.text != placed.figure.text:
            yield _figure_change(was, placed)
    for key, was in before.items():
        if key not in after:
            yield _figure_change(was, None)


def _figure_change(old: Placed | None, new: Placed | None) -> FigureChange:
    place = new or old
    assert place is not None
    return FigureChange(
        key=new.key if new else "",
        old_key=old.key if old else "",
        part=place.part,
        heading=place.heading,
        where=place.where,
        old=old.figure.text if old else ABSENT,
        new=new.figure.text if new else ABSENT,
        sources=place.figure.sources,
        old_sources=old.figure.sources if old else (),
    )


# -- 3. sentences ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """A block with what aligns it (`signature`), where it is, and its text as sentences."""

    signature: tuple[str, ...]
    part: str
    heading: str
    where: str
    sentences: tuple[str, ...]


def sentences(text: str) -> list[str]:
    """A paragraph split after 。 and ；, each sentence with its mark."""
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def block_sentences(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return sentences(block.text)
    if isinstance(block, Heading):
        return [block.number + block.text]
    if isinstance(block, Title):
        return [t for t in (block.text, block.subtitle) if t]
    if isinstance(block, Table):
        lines = [block.caption, *("｜".join(c.text for c in row) for row in (*block.header, *block.rows))]
        return lines + ([f"注：{block.note}"] if block.note else [])
    if isinstance(block, Chart):
        series = "、".join(s.name for s in block.series)
        return [block.caption, f"类别：{'、'.join(block.categories)}", f"系列：{series}"]
    return []


def locate_blocks(document: Document) -> list[Located]:
    """Every block with text, with its heading context; paragraphs numbered within their part as in `placed_figures`."""
    out: list[Located] = []
    ordinal: Counter[tuple[str, str]] = Counter()
    for place in places(document):
        block, text = place.block, tuple(block_sentences(place.block))
        signature: tuple[str, ...]
        if isinstance(block, Heading):
            signature, where = ("标题", str(block.level), place.part_text, block.text), "标题"
        elif not text:
            continue
        elif isinstance(block, Paragraph):
            ordinal[(place.part_text, place.heading_text)] += 1
            signature = ("段", place.part_text, place.heading_text, str(ordinal[(place.part_text, place.heading_text)]))
            where = f"第{place.paragraph}段"
        elif isinstance(block, Table):
            signature, where = ("表", block.id), f"表{block.number}"
        elif isinstance(block, Chart):
            signature, where = ("图", block.id), f"图{block.number}"
        else:
            signature, where = ("题",), "题目"
        out.append(Located(signature, place.part, place.heading, where, text))
    return out


def differing(old: Sequence[str], new: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The sentences only in `old` and only in `new`; when both hold the same ones reordered, those that moved."""
    only_old = _minus(old, new)
    only_new = _minus(new, old)
    if only_old or only_new:
        return only_old, only_new
    moved = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    return tuple(a for a, _ in moved), tuple(b for _, b in moved)


def _minus(a: Iterable[str], b: Iterable[str]) -> tuple[str, ...]:
    left = Counter(b)
    out: list[str] = []
    for s in a:
        if left[s]:
            left[s] -= 1
        else:
            out.append(s)
    return tuple(out)


def text_changes(old: Document, new: Document) -> tuple[list[BlockChange], list[SentenceChange]]:
    before, after = locate_blocks(old), locate_blocks(new)
    old_keys, new_keys = [b.signature for b in before], [b.signature for b in after]
    steps = moved(align(old_keys, new_keys), old_keys, new_keys)
    paired = sorted(((i, j) for i, j in steps if i is not None and j is not None), key=lambda step: step[1])
    pairs = [(before[i], after[j]) for i, j in paired]
    lone_old = sorted(i for i, j in steps if j is None and i is not None)
    lone_new = [j for i, j in steps if i is None and j is not None]
    changed: list[SentenceChange] = []
    for was, now in pairs:
        if was.sentences != now.sentences:
            gone, came = differing(was.sentences, now.sentences)
            changed.append(SentenceChange(now.part, now.heading, now.where, gone, came))
    blocks = [_block_change(after[j], added=True) for j in lone_new]
    blocks += [_block_change(before[i], added=False) for i in lone_old]
    return blocks, changed


def _block_change(block: Located, *, added: bool) -> BlockChange:
    return BlockChange(added, block.part, block.heading, block.where, block.sentences[0] if block.sentences else "")


# -- the printed report ---------------------------------------------------------------------------


def format_report(report: DiffReport) -> list[str]:
    """The report as lines: a single line when nothing changed."""
    if report.empty:
        return [NO_CHANGE]
    lines = [f"一、改动的单元格（{len(report.cells) + len(report.rows)}处）"]
    lines += _indent([*map(format_cell, report.cells), *map(format_row, report.rows)])
    lines.append(f"二、受影响的数字（{len(report.figures)}处）")
    lines += _indent([format_figure(f) for f in report.figures])
    lines.append(f"三、改动的语句（{len(report.sentences) + len(report.blocks)}处）")
    changed = [line for s in report.sentences for line in format_sentences(s)]
    lines += _indent(changed + [format_block(b) for b in report.blocks])
    if report.briefs:
        lines.append(f"四、受影响的区简报（{len(report.briefs)}个）")
        lines += _indent([format_brief(b) for b in report.briefs])
    return lines


def format_brief(b: BriefChange) -> str:
    if b.kind:
        return f"{b.district}：{b.kind}简报"
    return f"{b.district}：{b.figures}处数字、{b.sentences}处语句"


def _indent(lines: Sequence[str]) -> list[str]:
    return [f"  {line}" for line in lines] or ["  （无）"]


def format_cell(c: CellChange) -> str:
    moved = f"（原{c.old_where.partition('!')[2]}）" if c.old_where and c.where and c.old_where != c.where else ""
    return f"{c.where or c.old_where}{moved} {c.label}: {c.old}{ARROW}{c.new}"


def format_row(r: RowChange) -> str:
    label = "·".join(k for k in r.key if k)
    return f"{r.where} {'新增行' if r.added else '删去行'}“{label}”: {r.values}"


def place(part: str, heading: str, where: str) -> str:
    context = [p for p in dict.fromkeys((part, heading)) if p]
    return " › ".join([*context, where])


def format_figure(f: FigureChange) -> str:
    key = f.key or f.old_key
    moved = f"（原{f.old_key}）" if f.key and f.old_key and f.old_key != f.key else ""
    return f"{key}{moved}〔{place(f.part, f.heading, f.where)}〕: {f.old}{ARROW}{f.new}"


def format_sentences(s: SentenceChange) -> list[str]:
    lines = [place(s.part, s.heading, s.where)]
    for gone, came in zip_longest(s.old, s.new):
        if gone is not None:
            lines.append(f"  旧：{gone}")
        if came is not None:
            lines.append(f"  新：{came}")
    return lines


def format_block(b: BlockChange) -> str:
    return f"{'新增' if b.added else '删去'}〔{place(b.part, b.heading, b.where)}〕: {b.text}"
