"""二、来电类型: what its template is given: the year's totals, and each call type's categories,
months and districts, with their charts and the totals table."""

from __future__ import annotations

from typing import Any

from builder.compose import visuals as v
from builder.compose.slots import Figs
from builder.compose.words import how_many, level, trend, year_words
from builder.document import ChartKind
from builder.figures.derived import ranking
from builder.figures.months import extremes
from builder.model.figures import CALL_TYPES, MONTHS, Figures

View = dict[str, Any]


def totals(f: Figures, figs: Figs) -> View:
    t = f.totals
    view: View = {k: figs.count(p.current) for k, p in t.items()}
    view.update({f"{k}增幅": figs.growth(figs.ledger.get(f"总量.{k}.增幅")) for k in t})
    shares = ("电话反映", "网络反映", "直接解答", "派单处理", "企业专席直接解答", "企业专席派单")
    view.update({f"{k}占比": figs.pct_of(f"总量.{k}.占比") for k in shares})
    increases = {
        topic.name: inc for topic in f.topics if (inc := figs.ledger.get(f"热点.{topic.name}.增量")) is not None
    }
    grown = [n for n in ranking(increases) if (increases[n].number or 0) > 0][:3]
    view["增长来源"] = [{"名称": n, "增量": figs.count(increases[n])} for n in grown]
    view["图"] = [
        figs.block(_pie("图.来电渠道", "来电渠道构成", "受理量", {k: t[k].current for k in ("电话反映", "网络反映")})),
        figs.block(_pie("图.处理方式", "受理后处理方式构成", "受理量", {k: t[k].current for k in ("直接解答", "派单处理")})),
        figs.block(_pie("图.来电类型", "五类来电构成", "来电量", {ct: figs.d(f"类型.{ct}.合计") for ct in CALL_TYPES})),
    ]
    rows = [
        [
            name,
            v.wan_cell(pair.current),
            v.previous_cell(pair.previous),
            v.growth_cell(figs.ledger.get(f"总量.{name}.增幅")),
        ]
        for name, pair in t.items()
    ]
    view["表"] = figs.block(
        v.table(
            "表.总量",
            f"{year_words(f.year)['年度']}年受理情况",
            ["项目", "本年（万件）", "上年（万件）", "增幅（%）"],
            rows,
            [0.34, 0.22, 0.22, 0.22],
        )
    )
    return view


def _pie(chart_id: str, caption: str, name: str, points: Any) -> Any:
    return v.counts_chart(chart_id, caption, ChartKind.PIE, name, points)


def call_types(f: Figures, figs: Figs) -> list[View]:
    return [_call_type(f, figs, ct) for ct in CALL_TYPES]


def _call_type(f: Figures, figs: Figs, ct: str) -> View:
    by_cat = {c: row[ct] for c, row in f.by_category.items() if c != "其他"}
    months = {m: f.by_month[m][ct] for m in MONTHS if m in f.by_month}
    top = ranking(by_cat)
    districts = ranking({name: row[ct] for name, row in f.by_district.items()})
    view: View = {
        "名称": ct,
        "前几类": how_many(len(top)),
        "前十": figs.names(top, f"类型分类.{ct}.前十", "类型分类"),
        "首位": figs.first(top, f"类型分类.{ct}.首位", "类型分类"),
        "首位占比": figs.pct_of(f"类型.{ct}.{top[0]}.占比") if top else figs.unknown(f"类型.{ct}.首位占比", "类型分类"),
        "前三区": figs.names(districts, f"类型各区.{ct}.前三区", "类型各区", limit=3),
        "图": figs.block(
            v.counts_chart(
                f"图.类型月度.{ct}",
                f"{year_words(f.year)['年度']}年{ct}类来电各月变化",
                ChartKind.LINE,
                ct,
                {f"{m}月": months[m] for m in months},
            )
        ),
        "月度": _months(figs, ct, months, found) if (found := extremes(months)) else None,
        "月度缺": figs.unknown(f"类型月度.{ct}", "类型月度"),
    }
    return view


def _months(figs: Figs, ct: str, months: dict[int, Any], found: tuple[int, int]) -> View:
    peak, low = found
    return {
        "趋势": trend(months),
        "峰月": peak,
        "峰值": figs.count(months[peak], mode="about"),
        "峰占比": figs.pct_of(f"类型.{ct}.{peak}月.占比"),
        "谷月": low,
        "谷值": figs.count(months[low], mode="about"),
        "平稳": level(figs, f"类型.{ct}.平稳水平"),
        "峰在前": peak < low,
    }
