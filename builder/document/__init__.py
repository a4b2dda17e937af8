"""The document tree between composers and writers: data only, no format, no workbook.

Blocks: Title, Heading, Paragraph, Table, Chart, Toc, PageBreak. Inlines: Text and Figure.
A Figure run carries its printed text, its value, its source cells and its state, so every
writer can mark a missing figure and the proof list can trace each one to its cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum


class FigureState(Enum):
    OK = "ok"
    MISSING = "missing"
    ILLUSTRATIVE = "illustrative"


MISSING_TEXT = "【待补】"


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Figure:
    """A printed figure: `id` is stable across builds (a derived key or a cell's sheet!cell)."""

    id: str
    text: str
    value: Decimal | None
    sources: tuple[str, ...]
    formula: str = ""
    state: FigureState = FigureState.OK

    @property
    def missing(self) -> bool:
        """No value: its text is 【待补】, which a draft marks and a final build must not print."""
        return self.state is FigureState.MISSING


Inline = Text | Figure


@dataclass(frozen=True)
class Title:
    text: str
    subtitle: str = ""


@dataclass(frozen=True)
class Heading:
    level: int  # 1–4: 一、 （一） 1. （1）
    number: str  # the printed number with its punctuation, e.g. “一、”
    text: str


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Inline, ...]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Cell:
    runs: tuple[Inline, ...]
    numeric: bool = False
    colspan: int = 1
    rowspan: int = 1

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Table:
    """Structure, not appearance: widths are fractions of the text width."""

    id: str
    caption: str
    widths: tuple[float, ...]
    header: tuple[tuple[Cell, ...], ...]
    rows: tuple[tuple[Cell, ...], ...]
    number: int = 0  # 表N, set by `number_captions`
    note: str = ""  # 注：… below the table


class ChartKind(Enum):
    COLUMN = "column"  # vertical bars
    BAR = "bar"  # horizontal bars, for long category names
    LINE = "line"
    PIE = "pie"
    STACKED = "stacked"  # stacked columns


@dataclass(frozen=True)
class Series:
    """One series of a chart: a figure per category, with its label as printed, and the value plotted
    for it (the figure's value / the chart's scale, rounded as the label prints; None when missing)."""

    name: str
    points: tuple[Figure, ...]  # one per category
    values: tuple[Decimal | None, ...]  # one per point

    def __post_init__(self) -> None:
        if len(self.values) != len(self.points):
            raise ValueError(f"series {self.name}: {len(self.values)} plotted values for {len(self.points)} points")


@dataclass(frozen=True)
class Chart:
    id: str
    caption: str
    kind: ChartKind
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str  # the axis unit, e.g. “万件”, “%”
    scale: Decimal = Decimal(1)  # plotted value = figure value / scale (counts in 万: 10000)
    places: int = 1  # decimals of data labels
    number: int = 0  # 图N, set by `number_captions`


@dataclass(frozen=True)
class Toc:
    title: str = "目录"


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Title | Heading | Paragraph | Table | Chart | Toc | PageBreak


LANGUAGE = "zh-CN"  # a document's language unless its edition names another


@dataclass(frozen=True)
class Meta:
    title: str
    subject: str
    author: str
    language: str = LANGUAGE
    version: str = ""
    date: str = ""
    final: bool = False

    @property
    def version_line(self) -> str:
        """The version and date as metadata and the proof list show them: “修订稿2 2021-02-03”."""
        return " ".join(w for w in (self.version, self.date) if w)


@dataclass(frozen=True)
class Document:
    meta: Meta
    blocks: tuple[Block, ...] = field(default=())


def number_captions(blocks: list[Block]) -> list[Block]:
    """Number tables and charts in reading order: 表1, 表2 …; 图1, 图2 …"""
    from dataclasses import replace

    tables = charts = 0
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Table):
            tables += 1
            block = replace(block, number=tables)
        elif isinstance(block, Chart):
            charts += 1
            block = replace(block, number=charts)
        out.append(block)
    return out


def para(*runs: Inline | str) -> Paragraph:
    """A paragraph from runs and plain strings; adjacent text runs are merged."""
    merged: list[Inline] = []
    for run in runs:
        item = Text(run) if isinstance(run, str) else run
        if isinstance(item, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + item.text)
        elif not (isinstance(item, Text) and not item.text):
            merged.append(item)
    return Paragraph(tuple(merged))
