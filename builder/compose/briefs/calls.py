"""The brief's calls: the district's calls (its five call types summed), its share of the city's and
its rank, each call type's share against the city's, and the chart of the two."""

from __future__ import annotations

from typing import Any

from builder.compose import visuals as v
from builder.compose.briefs.places import compared, place
from builder.compose.slots import Figs
from builder.document import ChartKind
from builder.model.figures import CALL_TYPES, Figures

View = dict[str, Any]


def calls(f: Figures, figs: Figs, district: str) -> View:
    row = f.by_district.get(district, {})
    types = [_call_type(figs, district, ct, row) for ct in CALL_TYPES]
    return {
        "来电量": figs.count(figs.d(f"各区.{district}.来电量")),
        "占比": figs.pct_of(f"各区.{district}.来电占比"),
        "排名": place(figs, f.districts, district, "来电量", "类型各区"),
        "类型": types,
        "高于全市": "、".join(t["名称"] for t in types if t["比较"] == "高于"),
        "低于全市": "、".join(t["名称"] for t in types if t["比较"] == "低于"),
        "图": figs.block(_chart(figs, district, row)),
    }


def _call_type(figs: Figs, district: str, ct: str, row: Any) -> View:
    ours, city = figs.ledger.get(f"各区.{district}.类型.{ct}.占比"), figs.ledger.get(f"各区.类型.{ct}.占比")
    return {
        "名称": ct,
        "数量": figs.count(row[ct]) if ct in row else figs.unknown(f"类型各区.{district}.{ct}", "类型各区"),
        "占比": figs.pct_of(f"各区.{district}.类型.{ct}.占比"),
        "全市占比": figs.pct_of(f"各区.类型.{ct}.占比"),
        "比较": compared(ours, city),
    }


def _chart(figs: Figs, district: str, row: Any) -> Any:
    """The five call types' shares of the district's calls beside the city's (a district without a
    《类型各区》 row has only the city's)."""
    series = {}
    if row:
        series[district] = {ct: figs.d(f"各区.{district}.类型.{ct}.占比") for ct in CALL_TYPES if ct in row}
    series["全市"] = {ct: figs.d(f"各区.类型.{ct}.占比") for ct in CALL_TYPES}
    if row and len(series[district]) < len(CALL_TYPES):
        del series[district]  # a row with a call type left out is read as missing, not plotted half
    return v.chart("图.简报.来电类型", f"{district}五类来电构成与全市对比", ChartKind.COLUMN, series, unit="%", places=2)
