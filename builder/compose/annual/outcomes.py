"""五、办理情况: what its template is given: the city's resolution and satisfaction rates against last
year's, who leads each rate among unit types and districts (ties said as ties), and the rate charts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from builder.compose import visuals as v
from builder.compose.slots import Figs
from builder.compose.words import change_word, tie_word, tied_first
from builder.document import ChartKind
from builder.figures.derived import ranking
from builder.model import numbers
from builder.model.figures import Figures, Rates
from builder.model.values import State

View = dict[str, Any]
SCOPES = ("单位类型", "区", "问题类别")


def outcomes(f: Figures, figs: Figs) -> View:
    city = f.rates.get(("全市", "全市"))
    by = {scope: {n: r for (s, n), r in f.rates.items() if s == scope} for scope in SCOPES}
    cats = by["问题类别"]
    shares = {c: d for c in cats if (d := figs.ledger.get(f"类型.诉求.{c}.占比")) is not None}
    top20 = ranking(shares)[:20]
    above = [c for c in top20 if (cats[c].satisfaction.number or 0) > (cats[c].resolution.number or 0)]
    return {
        "解决率": _rate(figs, city, "resolution", "全市.解决率"),
        "满意率": _rate(figs, city, "satisfaction", "全市.满意率"),
        "上年解决率": _previous(figs, city, "previous_resolution", "全市.上年解决率"),
        "上年满意率": _previous(figs, city, "previous_satisfaction", "全市.上年满意率"),
        "解决率变化": change_word(city.resolution, city.previous_resolution) if city else "",
        "满意率变化": change_word(city.satisfaction, city.previous_satisfaction) if city else "",
        "满意率高于解决率": city is not None and (city.satisfaction.number or 0) > (city.resolution.number or 0),
        "前二十类数": len(top20),
        "前二十类数中文": numbers.chinese_numeral(len(top20)) if top20 else "",
        "满意率均高": len(above) == len(top20) and bool(top20),
        "满意率高的类数": len(above),
        "单位领先": leaders(by["单位类型"], "相对较高", runners=1) or figs.unknown("办理率.单位类型", "办理率"),
        "区领先": leaders(by["区"], "最高", runners=2) or figs.unknown("办理率.区", "办理率"),
        "图": _visuals(figs, by),
    }


def _rate(figs: Figs, city: Rates | None, which: str, key: str) -> Any:
    return figs.pct(getattr(city, which)) if city else figs.unknown(key, "办理率")


def _previous(figs: Figs, city: Rates | None, which: str, key: str) -> Any:
    """Last year's rate; "" where the workbook says it does not apply (the template then says only this year's)."""
    if city is not None and getattr(city, which).state is State.NA:
        return ""
    return _rate(figs, city, which, key)


def leaders(rates: Mapping[str, Rates], top_word: str, runners: int) -> str:
    """Who leads each rate, in words: “区分中心的解决率和满意率相对较高，其次是街乡镇” when one leads
    both (and one is second in both), “甲的解决率最高，乙的满意率最高” when not; "" with no rows."""
    resolution = {n: r.resolution for n, r in rates.items()}
    satisfaction = {n: r.satisfaction for n, r in rates.items()}
    by_res, by_sat = ranking(resolution), ranking(satisfaction)
    if not by_res:
        return ""
    first_res, first_sat = tied_first(by_res, resolution), tied_first(by_sat, satisfaction)
    if first_res != first_sat:
        word = "最高" if top_word == "最高" else "较高"
        return f"{'、'.join(first_res)}的解决率{tie_word(first_res, word)}，{'、'.join(first_sat)}的满意率{tie_word(first_sat, word)}"
    said = f"{'、'.join(first_res)}的解决率和满意率{tie_word(first_res, top_word)}"
    rest_res = [n for n in by_res if n not in first_res]
    rest_sat = [n for n in by_sat if n not in first_sat]
    next_in_both = _common_runners(rest_res[:runners], rest_sat[:runners])
    return said + (f"，其次是{'、'.join(next_in_both)}" if next_in_both else "")


def _common_runners(by_res: list[str], by_sat: list[str]) -> list[str]:
    """The names next in both rates: the longest common head of the two rankings."""
    out: list[str] = []
    for a, b in zip(by_res, by_sat, strict=False):
        if a != b:
            break
        out.append(a)
    return out


def _visuals(figs: Figs, by: Mapping[str, Mapping[str, Rates]]) -> View:
    def rates_chart(chart_id: str, caption: str, scope: str, kind: ChartKind) -> str:
        order = _by_both(by[scope])
        series = {
            "解决率": {n: by[scope][n].resolution for n in order},
            "满意率": {n: by[scope][n].satisfaction for n in order},
        }
        return figs.block(v.chart(chart_id, caption, kind, series, unit="%", places=2))

    rows = [
        [scope, name, v.pct_cell(r.resolution), v.pct_cell(r.satisfaction)]
        for scope in ("单位类型", "区")
        for name, r in by[scope].items()
    ]
    return {
        "单位图": rates_chart("图.办理率.单位类型", "各类承办单位解决率和满意率", "单位类型", ChartKind.COLUMN),
        "区图": rates_chart("图.办理率.区", "各区解决率和满意率", "区", ChartKind.BAR),
        "类别图": rates_chart("图.办理率.问题类别", "群众诉求解决事项排名", "问题类别", ChartKind.BAR),
        "表": figs.block(
            v.table(
                "表.办理率",
                "各类承办单位和各区诉求办理情况",
                ["范围", "名称", "解决率（%）", "满意率（%）"],
                rows,
                [0.2, 0.3, 0.25, 0.25],
            )
        )
        if rows
        else "",
    }


def _by_both(rates: Mapping[str, Rates]) -> list[str]:
    """The chart's order: by the two rates together, highest first (a display order, not a claim)."""

    def score(name: str) -> Any:
        return -((rates[name].resolution.number or 0) + (rates[name].satisfaction.number or 0))

    return sorted(rates, key=score)
