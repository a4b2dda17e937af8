"""四、反映热点: what its template is given: the hot topics in the data's order, and for each its
growth, sub-topics, months, handling units and districts, with their charts and the topics table."""

from __future__ import annotations

from typing import Any

from builder.compose import visuals as v
from builder.compose.slots import TOP, Figs
from builder.compose.words import how_many, level, tied_first, together, year_words
from builder.document import ChartKind
from builder.figures.derived import ranking
from builder.figures.months import extremes, known
from builder.model.figures import MONTHS, Figures, Topic

View = dict[str, Any]


def hot_topics(f: Figures, figs: Figs) -> View:
    shown = f.topics[:TOP]
    return {
        "前几类": how_many(len(f.topics)),
        "前十": figs.names([t.name for t in f.topics], "热点.前十", "热点"),
        "类别": [_topic(t, figs) for t in f.topics],
        "图": figs.block(
            v.counts_chart(
                "图.热点",
                f"{year_words(f.year)['年度']}年群众反映{how_many(len(shown))}问题",
                ChartKind.BAR,
                "反映量",
                {t.name: t.current for t in reversed(shown)},
            )
        ),
        "表": figs.block(
            v.table(
                "表.热点",
                "反映热点问题情况",
                ["问题类别", "本年（万件）", "上年（万件）", "增幅（%）", "直接答复占比（%）"],
                [
                    [
                        t.name,
                        v.wan_cell(t.current),
                        v.previous_cell(t.previous),
                        v.growth_cell(figs.ledger.get(f"热点.{t.name}.增幅")),
                        v.pct_cell(figs.d(f"热点.{t.name}.直接答复占比")),
                    ]
                    for t in f.topics
                ],
                [0.28, 0.18, 0.18, 0.18, 0.18],
            )
        )
        if f.topics
        else "",
    }


def _topic(t: Topic, figs: Figs) -> View:
    p = f"热点.{t.name}"
    sub_rank = ranking(t.subtopics)
    units, districts = ranking(t.by_unit), ranking(t.by_district)
    top_unit, top_district = tied_first(units, t.by_unit), tied_first(districts, t.by_district)
    return {
        "名称": t.name,
        "本年": figs.count(t.current),
        "增幅": figs.growth(figs.ledger.get(f"{p}.增幅")),
        "子类": figs.names(list(t.subtopics), f"{p}.子类", "热点子类", limit=5),
        "首子类": figs.first(sub_rank, f"{p}.首子类", "热点子类"),
        "首子类占比": figs.pct_of(f"{p}.子类.{sub_rank[0]}.占比") if sub_rank else figs.unknown(f"{p}.首子类占比", "热点子类"),
        "月度": [_monthly(t, sub, figs) for sub, months in t.monthly.items() if extremes(months)],
        "月度缺": figs.unknown(f"{p}.月度", "热点月度"),
        "直接答复": figs.count(t.direct),
        "直接答复占比": figs.pct_of(f"{p}.直接答复占比"),
        "首单位": together(top_unit) if units else figs.unknown(f"{p}.首单位", "热点承办单位"),
        "首单位量": figs.count(t.by_unit[units[0]]) if units else figs.unknown(f"{p}.首单位量", "热点承办单位"),
        "首单位占比": figs.pct_of(f"{p}.承办.{units[0]}.占比") if units else figs.unknown(f"{p}.首单位占比", "热点承办单位"),
        "首区": together(top_district) if districts else figs.unknown(f"{p}.首区", "热点各区"),
        "首区量": figs.count(t.by_district[districts[0]], mode="over") if districts else figs.unknown(f"{p}.首区量", "热点各区"),
        "首区占比": figs.pct_of(f"{p}.各区.{districts[0]}.占比") if districts else figs.unknown(f"{p}.首区占比", "热点各区"),
        "子类图": figs.block(
            v.counts_chart(f"图.{p}.子类", f"{t.name}类问题主要子类", ChartKind.PIE, "反映量", dict(t.subtopics))
        ),
        "月度图": figs.block(
            v.chart(
                f"图.{p}.月度",
                f"{t.name}类问题各月反映量",
                ChartKind.LINE,
                {sub or t.name: {f"{m}月": months[m] for m in MONTHS if m in months} for sub, months in t.monthly.items()},
                unit="万件",
                scale=v.WAN,
                places=1,
            )
        )
        if t.monthly
        else "",
    }


def _monthly(t: Topic, sub: str, figs: Figs) -> View:
    months = t.monthly[sub]
    base = f"热点.{t.name}.子类.{sub}" if sub else f"热点.{t.name}"
    found = extremes(months)
    assert found is not None  # `_topic` passes only months with a count
    peak, low = found
    given = known(months)
    ordered = sorted(given, key=lambda m: -given[m])
    second = ordered[1] if len(ordered) > 1 else None
    return {
        "名称": sub or t.name,
        "峰月": peak,
        "峰值": figs.count(months[peak], mode="about"),
        "峰占比": figs.pct_of(f"{base}.{peak}月.占比"),
        "次月": second,
        "次值": figs.count(months[second], mode="about") if second is not None else "",
        "谷月": low,
        "平稳": level(figs, f"{base}.平稳水平"),
    }
