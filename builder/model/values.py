"""Values as read from the workbook: each knows its cell, its state and how it was typed.

Every stage after the reader speaks of figures through these; they import nothing of the builder.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import cache


class State(Enum):
    OK = "ok"
    MISSING = "missing"  # left empty: the report shows it as 【待补】
    NA = "na"  # marked not applicable with “—”


@dataclass(frozen=True)
class Value:
    """One cell's figure with its provenance; `value` is None unless the state is OK."""

    sheet: str
    ref: str
    value: int | Decimal | None
    state: State = State.OK
    places: int | None = None  # decimals as typed, for rates and amounts printed as given
    tolerance: int = 0  # a count typed rounded in 万 may be this far from the exact count
    illustrative: bool = False

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.ref}"

    @property
    def ok(self) -> bool:
        return self.state is State.OK

    @property
    def number(self) -> Decimal | None:
        """The figure as an exact number; None when the cell is empty or not applicable."""
        return Decimal(self.value) if self.ok and self.value is not None else None


@dataclass(frozen=True)
class Row:
    number: int
    key: tuple[str, ...]
    values: Mapping[str, Value]
    texts: Mapping[str, str]

    def __getitem__(self, header: str) -> Value:
        return self.values[header]


@dataclass(frozen=True)
class SheetRows:
    """One sheet as read: its rows of values, and where its columns were found."""

    name: str
    key: tuple[str, ...]  # the headers whose cells name a row
    header_row: int
    columns: Mapping[str, int]  # header -> 1-based column index
    rows: tuple[Row, ...]
    present: bool = True

    def find(self, *key: str) -> Row | None:
        for row in self.rows:
            if row.key == key:
                return row
        return None

    def ref(self, header: str, row: int) -> str:
        return f"{get_column_letter(self.columns[header])}{row}"


@cache
def get_column_letter(index: int) -> str:
    """1 -> “A”, 27 -> “AA”: the letters of a 1-based column number (as openpyxl spells them)."""
    if not 1 <= index <= 18278:
        raise ValueError(f"Invalid column index {index}")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
