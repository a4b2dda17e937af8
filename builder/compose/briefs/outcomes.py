"""The brief's outcomes: the district's 解决率 and 满意率 against the city's, their ranks among the
districts, and the chart of the two against the city's."""

from __future__ import annotations

from typing import Any

from builder.compose import visuals as v
from builder.compose.briefs.places import gap, place
from builder.compose.slots import Figs
from builder.document import ChartKind
from builder.model.figures import Figures, Rates
from builder.model.values import Value

View = dict[str, Any]
RATES = (("解决率", "resolution"), ("满意率", "satisfaction"))


def outcomes(f: Figures, figs: Figs, district: str) -> View:
    ours, city = f.rates.get(("区", district)), f.rates.get(("全市", "全市"))
    return {
        "率": [_rate(f, figs, district, word, attribute, ours, city) for word, attribute in RATES],
        "图": figs.block(_chart(district, ours, city)),
    }


def _rate(
    f: Figures, figs: Figs, district: str, word: str, attribute: str, ours: Rates | None, city: Rates | None
) -> View:
    return {
        "名称": word,
        "本区": figs.pct(getattr(ours, attribute)) if ours else figs.unknown(f"办理率.{district}.{word}", "办理率"),
        "全市": figs.pct(getattr(city, attribute)) if city else figs.unknown(f"办理率.全市.{word}", "办理率"),
        "排名": place(figs, f.districts, district, word, "办理率"),
        **gap(figs, f"各区.{district}.{word}.较全市"),
    }


def _chart(district: str, ours: Rates | None, city: Rates | None) -> Any:
    """The district's two rates beside the city's; a side the workbook lacks is left out."""
    series: dict[str, dict[str, Value]] = {}
    for name, rates in ((district, ours), ("全市", city)):
        if rates is not None:
            series[name] = {word: getattr(rates, attribute) for word, attribute in RATES}
    if not series:
        return ""
    return v.chart("图.简报.办理率", f"{district}解决率、满意率与全市对比", ChartKind.COLUMN, series, unit="%", places=2)
