"""Take workbook values and derived figures, produce printed Figure runs (docs/standards.md §Numbers).

Prose figures carry their unit (“1022.3万件”, “91.32%”) so that a writer never splits a number
from its unit; table and chart figures carry the bare number.
"""

from __future__ import annotations

from decimal import Decimal

from builder.document import MISSING_TEXT, Figure, FigureState
from builder.figures.derived import Derived
from builder.model import numbers
from builder.model.values import State, Value

Source = Value | Derived


def _state(src: Source) -> FigureState:
    if src.state is not State.OK:
        return FigureState.MISSING
    return FigureState.ILLUSTRATIVE if src.illustrative else FigureState.OK


def _identity(src: Source) -> tuple[str, Decimal | None, tuple[str, ...], str]:
    if isinstance(src, Derived):
        return src.key, src.value, tuple(v.where for v in src.sources), src.formula
    return src.where, src.number, (src.where,), ""


def figure(src: Source, text: str, figure_id: str | None = None) -> Figure:
    """A Figure run for `src` printed as `text`, or as 【待补】 when it has no value."""
    key, value, sources, formula = _identity(src)
    state = _state(src)
    if value is None:
        text = MISSING_TEXT
    return Figure(figure_id or key, text, value, sources, formula, state)


def count(src: Source, *, unit: str = "件", places: int = 1, strip: bool = False, mode: str = "plain") -> Figure:
    """A count in prose: below 10 000 as an integer, else in 万 (`1022.3万件`).

    Modes for the seed's usage: `exact` (18031件), `about` (约4000件: below 10 000 to the hundred),
    `over` (8400余件: below 10 000 down to the hundred), `level` (14万件, 6000件: for “…左右”).
    """
    _, value, _, _ = _identity(src)
    if value is None:
        return figure(src, "")
    return figure(src, _count_text(value, places, strip, mode) + unit)


def _count_text(value: Decimal, places: int, strip: bool, mode: str) -> str:
    n = int(numbers.round_half_even(value, 0))
    if mode == "exact":
        return numbers.format_integer(n)
    if mode == "level":
        if n >= 10000:
            return numbers.format_count(n, places=0, strip_zeros=True)
        return numbers.format_integer(int(numbers.round_half_even(Decimal(n) / 1000, 0)) * 1000)
    if n < 10000 and mode == "about":
        return "约" + numbers.format_integer(int(numbers.round_half_even(Decimal(n) / 100, 0)) * 100)
    if n < 10000 and mode == "over":
        return numbers.format_integer(n // 100 * 100) + ("余" if n % 100 else "")
    return numbers.format_count(n, places=places, strip_zeros=strip)


def count_cell(src: Source, *, places: int = 1) -> Figure:
    """A count in a table or chart whose header says 万件: the bare number of 万."""
    _, value, _, _ = _identity(src)
    text = "" if value is None else f"{numbers.round_half_even(value / 10000, places):f}"
    return figure(src, text)


def percent(src: Source, *, places: int = 2) -> Figure:
    """A share or a rate: `91.32%`; a rate typed with fewer decimals prints as typed."""
    _, value, _, _ = _identity(src)
    if isinstance(src, Value) and src.places is not None:
        places = min(places, src.places) if src.places else 0
    text = "" if value is None else numbers.format_percent(value, places)
    return figure(src, text)


def growth(src: Derived, *, places: int = 2) -> tuple[str, Figure]:
    """The growth word (上升/下降/持平) and the magnitude: (`上升`, `53.01%`)."""
    if src.value is None:
        return "", figure(src, "")
    rounded = numbers.round_half_even(src.value, places)
    word = numbers.growth_word(rounded)
    return word, figure(src, numbers.format_percent(abs(rounded), places))


def per_capita(src: Derived) -> Figure:
    """万人承办量 as a whole number of cases."""
    _, value, _, _ = _identity(src)
    text = "" if value is None else f"{numbers.round_half_even(value, 0):f}件"
    return figure(src, text)


def amount(src: Value, unit: str = "", *, chinese: bool = False) -> Figure:
    """An indicator as typed, with its unit: `165万件`, `94.3%`, `493人次`; `四年` in Chinese numerals."""
    _, value, _, _ = _identity(src)
    if value is None:
        return figure(src, "")
    shown = f"{value:f}" if src.places else f"{int(value)}"
    if chinese and not src.places and 0 <= value < 100:
        shown = numbers.chinese_numeral(int(value))
    return figure(src, shown + unit)


def rank(src: Derived) -> Figure:
    """A place among others as a whole number: `3` (the words around it say 第…位, 并列第…位)."""
    _, value, _, _ = _identity(src)
    return figure(src, "" if value is None else f"{int(value)}")


def points(src: Derived, *, places: int = 2) -> tuple[str, Figure]:
    """How far one rate is above or below another: (`上升`, `3.08个百分点`), the word following the
    rounded figure as `growth`'s does (上升, 下降 or 持平)."""
    if src.value is None:
        return "", figure(src, "")
    rounded = numbers.round_half_even(src.value, places)
    return numbers.growth_word(rounded), figure(src, f"{abs(rounded):f}个百分点")
