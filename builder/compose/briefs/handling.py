"""The brief's handling: the district's 承办量 (直派街乡镇 + 区级部门), per 10 000 residents and the
ranks of both, and its streets among the city's top streets (nothing said when it has none)."""

from __future__ import annotations

from typing import Any

from builder.compose import printing
from builder.compose.briefs.places import place
from builder.compose.slots import TOP, Figs, Slot
from builder.compose.words import how_many
from builder.figures.derived import ranking
from builder.model.figures import Figures

View = dict[str, Any]


def handling(f: Figures, figs: Figs, district: str) -> View:
    d = f.districts[district]
    return {
        "承办量": figs.count(figs.d(f"各区.{district}.承办量")),
        "直派街乡镇": figs.count(d.streets),
        "区级部门": figs.count(d.units),
        "排名": place(figs, f.districts, district, "承办量", "各区"),
        "万人承办量": figs.per_capita(figs.d(f"各区.{district}.万人承办量")),
        "全市万人承办量": figs.per_capita(figs.d("各区.万人承办量")),
        "万人排名": place(figs, f.districts, district, "万人承办量", "各区"),
        "街乡镇": _streets(f, figs, district),
    }


def _streets(f: Figures, figs: Figs, district: str) -> View | None:
    """The district's streets among the city's top streets, or None when it has none there."""
    streets = {f"{s.district}{s.name}": s for s in f.streets}  # as the annual report names them
    top = ranking({key: s.count for key, s in streets.items()})[:TOP]
    ours = [streets[key] for key in top if streets[key].district == district]
    if not ours:
        return None
    return {
        "前几位": how_many(len(top), "位"),
        "个数": len(ours),
        "名单": [
            {
                "名称": s.name,
                "承办量": figs.count(s.count, mode="exact"),
                "排名": _street_place(f, figs, district, s.name),
            }
            for s in ours
        ],
    }


def _street_place(f: Figures, figs: Figs, district: str, name: str) -> Slot:
    """The street's place among the city's listed streets: 第N位, or 并列第N位."""
    own = figs.d(f"街乡镇.{district}.{name}.排名")
    if own.value is None:
        return Slot(figs.marks, printing.rank(own))
    tied = sum(1 for s in f.streets if figs.d(f"街乡镇.{s.district}.{s.name}.排名").value == own.value)
    return Slot(figs.marks, printing.rank(own), before="并列第" if tied > 1 else "第", after="位")
