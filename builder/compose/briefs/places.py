"""A district's place among the districts and against the city, in the brief's words.

A place prints as 第3位, or 并列第3位 when another district has the same figure; a missing figure has
no place and prints 【待补】. Above or below the city follows the figures as printed, never typed.
"""

from __future__ import annotations

from collections.abc import Iterable

from builder.compose import printing
from builder.compose.slots import Figs, Slot
from builder.figures.derived import Derived, Ledger
from builder.model import numbers


def standing(ledger: Ledger, districts: Iterable[str], district: str, measure: str) -> tuple[Derived | None, bool]:
    """The district's rank for `measure` (`各区.<区>.<measure>.排名`, None when the ledger has none) and
    whether another district shares it."""
    own = ledger.get(f"各区.{district}.{measure}.排名")
    if own is None or own.value is None:
        return own, False
    others = (ledger.get(f"各区.{n}.{measure}.排名") for n in districts if n != district)
    return own, any(o is not None and o.value == own.value for o in others)


def place(figs: Figs, districts: Iterable[str], district: str, measure: str, *sheets: str) -> Slot:
    """The district's rank for `measure` as the text says it: 第N位 or 并列第N位, or 【待补】."""
    own, tied = standing(figs.ledger, districts, district, measure)
    if own is None:
        return figs.unknown(f"各区.{district}.{measure}.排名", *sheets)
    fig = printing.rank(own)
    if own.value is None:
        return Slot(figs.marks, fig)
    return Slot(figs.marks, fig, before="并列第" if tied else "第", after="位")


def compared(ours: Derived | None, city: Derived | None, places: int = 2) -> str:
    """高于, 低于 or 持平 of two shares as printed (rounded to `places`); "" when either is missing."""
    if ours is None or city is None or ours.value is None or city.value is None:
        return ""
    a, b = numbers.round_half_even(ours.value, places), numbers.round_half_even(city.value, places)
    return "高于" if a > b else "低于" if a < b else "持平"


def gap(figs: Figs, key: str) -> dict[str, object]:
    """How far a district's rate is from the city's: {"高低": 高/低/"" , "差": 3.08个百分点, "持平": bool}."""
    found = figs.ledger.get(key)
    if found is None:
        return {"高低": "", "差": figs.unknown(key, "办理率"), "持平": False}
    word, fig = printing.points(found)
    return {"高低": {"上升": "高", "下降": "低"}.get(word, ""), "差": Slot(figs.marks, fig), "持平": word == "持平"}
