"""What each part's template is given: figures as slots, names, rankings, and the charts and tables.

One function a part. Every choice of words that depends on the data (最高/最低, the trend, the
order of a ranking, how many subsections) is made here from the figures, never typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from builder.compose import visuals as v
from builder.compose.slots import Figs
from builder.document import MISSING_TEXT, ChartKind
from builder.figures.derived import Derived, ranking
from builder.figures.months import extremes
from builder.model import numbers
from builder.model.figures import CALL_TYPES, MONTHS, Figures, Topic
from builder.model.values import Value

View = dict[str, Any]
TOP = 10


def names(items: list[str], limit: int = TOP) -> str:
    return "、".join(items[:limit])


def trend(months: Mapping[int, Value]) -> str:
    """The shape of a year's monthly counts, in the report's words."""
    known = {m: x.number for m, x in months.items() if x.number is not None}
    if len(known) < 3:
        return "波动趋势"
    peak = max(known, key=lambda m: known[m] or 0)
    low = min(known, key=lambda m: known[m] or 0)
    if peak >= 10 and low <= 3:
        return "上升趋势"
    if peak <= 3 and low >= 10:
        return "下降趋势"
    if 3 < peak < 10 and low in (min(known), max(known)):
        return "先升后降趋势"
    return "波动趋势"


def level(figs: Figs, key: str) -> Any:
    """“14万件” for “稳定在每月14万件左右”: the level the year's months settle at, or None when they do not."""
    settled = figs.ledger.get(key)
    return figs.count(settled, mode="level") if settled is not None else None


# -- 二、来电类型 -------------------------------------------------------------------------------


def totals(f: Figures, figs: Figs) -> View:
    t, d = f.totals, figs.d
    parts: View = {k: figs.count(p.current) for k, p in t.items()}
    parts.update({f"{k}增幅": figs.growth(figs.ledger.get(f"总量.{k}.增幅")) for k in t})
    parts.update({f"{k}占比": figs.pct(d(f"总量.{k}.占比")) for k in ("电话反映", "网络反映", "直接解答", "派单处理")})
    parts.update({f"{k}占比": figs.pct(d(f"总量.{k}.占比")) for k in ("企业专席直接解答", "企业专席派单")})
    increases = {
        topic.name: inc for topic in f.topics if (inc := figs.ledger.get(f"热点.{topic.name}.增量")) is not None
    }
    grown = [n for n in ranking(increases) if (increases[n].number or 0) > 0][:3]
    parts["增长来源"] = [{"名称": n, "增量": figs.count(increases[n])} for n in grown]
    parts["图"] = [
        figs.block(
            v.counts_chart(
                "图.来电渠道",
                "来电渠道构成",
                ChartKind.PIE,
                "受理量",
                {k: t[k].current for k in ("电话反映", "网络反映")},
            )
        ),
        figs.block(
            v.counts_chart(
                "图.处理方式",
                "受理后处理方式构成",
                ChartKind.PIE,
                "受理量",
                {k: t[k].current for k in ("直接解答", "派单处理")},
            )
        ),
        figs.block(
            v.counts_chart(
                "图.来电类型", "五类来电构成", ChartKind.PIE, "来电量", {ct: d(f"类型.{ct}.合计") for ct in CALL_TYPES}
            )
        ),
    ]
    rows = [
        [
            name,
            v.wan_cell(pair.current),
            v.wan_cell(pair.previous) if pair.previous.ok else "—",
            v.growth_cell(figs.ledger.get(f"总量.{name}.增幅")),
        ]
        for name, pair in t.items()
    ]
    parts["表"] = figs.block(
        v.table(
            "表.总量",
            f"{f.year}年受理情况",
            ["项目", "本年（万件）", "上年（万件）", "增幅（%）"],
            rows,
            [0.34, 0.22, 0.22, 0.22],
        )
    )
    return parts


def call_types(f: Figures, figs: Figs) -> list[View]:
    out = []
    for ct in CALL_TYPES:
        by_cat = {c: row[ct] for c, row in f.by_category.items() if c != "其他"}
        months = {m: f.by_month[m][ct] for m in MONTHS}
        top = ranking(by_cat)
        peak, low = extremes(months)
        districts = ranking({name: row[ct] for name, row in f.by_district.items()})
        out.append(
            {
                "名称": ct,
                "前十": names(top),
                "首位": top[0],
                "首位占比": figs.pct(figs.d(f"类型.{ct}.{top[0]}.占比")),
                "趋势": trend(months),
                "峰月": peak,
                "峰值": figs.count(months[peak], mode="about"),
                "峰占比": figs.pct(figs.d(f"类型.{ct}.{peak}月.占比")),
                "谷月": low,
                "谷值": figs.count(months[low], mode="about"),
                "平稳": level(figs, f"类型.{ct}.平稳水平"),
                "峰在前": peak < low,
                "前三区": names(districts, 3),
                "图": figs.block(
                    v.counts_chart(
                        f"图.类型月度.{ct}",
                        f"{f.year}年{ct}类来电各月变化",
                        ChartKind.LINE,
                        ct,
                        {f"{m}月": months[m] for m in MONTHS},
                    )
                ),
            }
        )
    return out


# -- 三、承办情况 -------------------------------------------------------------------------------


def handling(f: Figures, figs: Figs) -> View:
    d = figs.d
    units = [
        {"名称": u, "承办量": figs.count(val), "占比": figs.pct(d(f"承办单位.{u}.占比"))} for u, val in f.units.items()
    ]
    zones = []
    for zone in f.zones:
        cats = f.zone_categories.get(zone, {})
        zones.append(
            {
                "名称": zone,
                "承办量": figs.count(d(f"功能区.{zone}.承办量"), places=2),
                "占比": figs.pct(d(f"功能区.{zone}.占比")),
                "直派街乡镇": figs.count(d(f"功能区.{zone}.直派街乡镇"), places=2),
                "区级部门": figs.count(d(f"功能区.{zone}.区级部门"), places=2),
                "前十": names(ranking(cats)),
            }
        )
    totals = {name: d(f"各区.{name}.承办量") for name in f.districts}
    per_capita = {name: d(f"各区.{name}.万人承办量") for name in f.districts}
    by_total, by_capita = ranking(totals), ranking(per_capita)
    runners = by_capita[1:5]
    floor = min((per_capita[n].number or Decimal(0)) for n in runners) if runners else Decimal(0)
    streets = {f"{s.district}{s.name}": s.count for s in f.streets}
    street_rank = ranking(streets)
    top_streets = street_rank[:TOP]
    street_districts = [s.district for s in f.streets if f"{s.district}{s.name}" in top_streets]
    counts_by_district = {dn: street_districts.count(dn) for dn in dict.fromkeys(street_districts)}
    return {
        "单位": units,
        "区数": len(f.districts),
        "功能区": zones,
        "最多区": by_total[0],
        "最多区量": figs.count(totals[by_total[0]]),
        "最少区": by_total[-1],
        "最少区量": figs.count(totals[by_total[-1]]),
        "万人第一": by_capita[0],
        "万人第一值": figs.per_capita(per_capita[by_capita[0]]),
        "万人其次": names(runners),
        "万人门槛": int(floor // 1000 * 1000),
        "万人最少": by_capita[-1],
        "万人最少值": figs.per_capita(per_capita[by_capita[-1]]),
        "街乡镇第一": street_rank[0] if street_rank else "",
        "街乡镇第一量": figs.count(streets[street_rank[0]], mode="exact") if street_rank else "",
        "街乡镇其次": names(street_rank[1:5]),
        "街乡镇门槛": int(min((streets[n].number or Decimal(0)) for n in street_rank[1:5]) // 1000 * 1000)
        if len(street_rank) > 1
        else 0,
        "前十街乡镇分布": "、".join(
            f"{dn}{n}个" for dn, n in sorted(counts_by_district.items(), key=lambda kv: -kv[1])
        ),
        "部门": _leaders(f.departments, figs),
        "企业": _leaders(f.enterprises, figs),
        "图": _handling_visuals(f, figs, totals, per_capita, zones),
    }


def _leaders(counts: Mapping[str, Value], figs: Figs) -> list[View]:
    return [{"名称": n, "承办量": figs.count(counts[n])} for n in ranking(counts)]


def _handling_visuals(
    f: Figures, figs: Figs, totals: Mapping[str, Derived], per_capita: Mapping[str, Derived], zones: list[View]
) -> View:
    d = figs.d
    unit_rows = [[u, v.wan_cell(val), v.pct_cell(d(f"承办单位.{u}.占比"))] for u, val in f.units.items()]
    zone_rows = [
        [
            z,
            v.wan_cell(d(f"功能区.{z}.承办量"), 2),
            v.pct_cell(d(f"功能区.{z}.占比")),
            v.wan_cell(d(f"功能区.{z}.直派街乡镇"), 2),
            v.wan_cell(d(f"功能区.{z}.区级部门"), 2),
        ]
        for z in f.zones
    ]
    street_rows = [
        [s.district, s.name, v.wan_cell(s.count, 2)]
        for s in sorted(f.streets, key=lambda s: -(s.count.number or Decimal(0)))[:TOP]
    ]
    return {
        "单位图": figs.block(
            v.counts_chart("图.承办单位", "各类承办单位承办量", ChartKind.COLUMN, "承办量", dict(f.units))
        ),
        "单位表": figs.block(
            v.table("表.承办单位", "各类承办单位承办情况", ["承办单位", "承办量（万件）", "占比（%）"], unit_rows)
        ),
        "功能区表": figs.block(
            v.table(
                "表.功能区",
                "各功能区承办情况",
                ["功能区", "承办量（万件）", "占全市各区（%）", "直派街乡镇（万件）", "区级部门（万件）"],
                zone_rows,
                [0.28, 0.18, 0.18, 0.18, 0.18],
            )
        ),
        "各区图": figs.block(
            v.counts_chart(
                "图.各区承办量",
                "各区承办量",
                ChartKind.BAR,
                "承办量",
                dict(sorted(totals.items(), key=lambda kv: kv[1].number or Decimal(0))),
            )
        ),
        "万人图": figs.block(
            v.chart(
                "图.万人承办量",
                "各区万人承办量",
                ChartKind.BAR,
                {"万人承办量": dict(sorted(per_capita.items(), key=lambda kv: kv[1].number or Decimal(0)))},
                unit="件/万人",
                places=0,
            )
        ),
        "街乡镇表": figs.block(
            v.table(
                "表.街乡镇",
                f"承办量前{min(TOP, len(f.streets))}位的街乡镇",
                ["所属区", "街乡镇", "承办量（万件）"],
                street_rows,
                [0.3, 0.4, 0.3],
            )
        ),
    }


# -- 四、反映热点 -------------------------------------------------------------------------------


def hot_topics(f: Figures, figs: Figs) -> View:
    d = figs.d
    return {
        "前十": names([t.name for t in f.topics]),
        "类别": [_topic(t, figs) for t in f.topics],
        "图": figs.block(
            v.counts_chart(
                "图.热点",
                f"{f.year}年群众反映前十类问题",
                ChartKind.BAR,
                "反映量",
                {t.name: t.current for t in reversed(f.topics)},
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
                        v.wan_cell(t.previous),
                        v.growth_cell(d(f"热点.{t.name}.增幅")),
                        v.pct_cell(d(f"热点.{t.name}.直接答复占比")),
                    ]
                    for t in f.topics
                ],
                [0.28, 0.18, 0.18, 0.18, 0.18],
            )
        ),
    }


def _topic(t: Topic, figs: Figs) -> View:
    d, p = figs.d, f"热点.{t.name}"
    subs = list(t.subtopics)
    sub_rank = ranking(t.subtopics)
    units, districts = ranking(t.by_unit), ranking(t.by_district)
    return {
        "名称": t.name,
        "本年": figs.count(t.current),
        "增幅": figs.growth(figs.ledger.get(f"{p}.增幅")),
        "子类": names(subs, 5),
        "首子类": sub_rank[0] if sub_rank else "",
        "首子类占比": figs.pct(d(f"{p}.子类.{sub_rank[0]}.占比")) if sub_rank else "",
        "月度": [_monthly(t, sub, figs) for sub in t.monthly],
        "直接答复": figs.count(t.direct),
        "直接答复占比": figs.pct(d(f"{p}.直接答复占比")),
        "首单位": units[0] if units else "",
        "首单位量": figs.count(t.by_unit[units[0]]) if units else "",
        "首单位占比": figs.pct(d(f"{p}.承办.{units[0]}.占比")) if units else "",
        "首区": districts[0] if districts else "",
        "首区量": figs.count(t.by_district[districts[0]], mode="over") if districts else "",
        "首区占比": figs.pct(d(f"{p}.各区.{districts[0]}.占比")) if districts else "",
        "子类图": figs.block(
            v.counts_chart(f"图.{p}.子类", f"{t.name}类问题主要子类", ChartKind.PIE, "反映量", dict(t.subtopics))
        ),
        "月度图": figs.block(
            v.chart(
                f"图.{p}.月度",
                f"{t.name}类问题各月反映量",
                ChartKind.LINE,
                {sub or t.name: {f"{m}月": months[m] for m in MONTHS} for sub, months in t.monthly.items()},
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
    peak, low = extremes(months)
    ordered = sorted(months, key=lambda m: -(months[m].number or Decimal(0)))
    second = ordered[1] if len(ordered) > 1 else peak
    return {
        "名称": sub or t.name,
        "峰月": peak,
        "峰值": figs.count(months[peak], mode="about"),
        "峰占比": figs.pct(figs.d(f"{base}.{peak}月.占比")),
        "次月": second,
        "次值": figs.count(months[second], mode="about"),
        "谷月": low,
        "平稳": level(figs, f"{base}.平稳水平"),
    }


# -- 五、办理情况 -------------------------------------------------------------------------------


def outcomes(f: Figures, figs: Figs) -> View:
    rates = f.rates
    city = rates.get(("全市", "全市"))
    by = {scope: {n: r for (s, n), r in rates.items() if s == scope} for scope in ("单位类型", "区", "问题类别")}

    def rank(scope: str) -> list[str]:
        return sorted(
            by[scope],
            key=lambda n: -((by[scope][n].resolution.number or 0) + (by[scope][n].satisfaction.number or 0)),
        )

    cats = by["问题类别"]
    top20 = [
        c
        for c in ranking({c: figs.d(f"类型.诉求.{c}.占比") for c in cats if f"类型.诉求.{c}.占比" in figs.ledger.items})
    ][:20]
    above = [c for c in top20 if (cats[c].satisfaction.number or 0) > (cats[c].resolution.number or 0)]
    view: View = {
        "解决率": figs.pct(city.resolution) if city else "",
        "满意率": figs.pct(city.satisfaction) if city else "",
        "上年解决率": figs.pct(city.previous_resolution) if city else "",
        "上年满意率": figs.pct(city.previous_satisfaction) if city else "",
        "解决率变化": _change(city.resolution, city.previous_resolution) if city else "",
        "满意率变化": _change(city.satisfaction, city.previous_satisfaction) if city else "",
        "满意率高于解决率": city is not None and (city.satisfaction.number or 0) > (city.resolution.number or 0),
        "前二十类数": len(top20),
        "前二十类数中文": numbers.chinese_numeral(len(top20)) if top20 else "",
        "满意率均高": len(above) == len(top20) and bool(top20),
        "满意率高的类数": len(above),
        "单位排名": rank("单位类型"),
        "区排名": rank("区"),
        "图": _rate_visuals(f, figs, by, rank),
    }
    return view


def _change(current: Value, previous: Value) -> str:
    a, b = current.number, previous.number
    if a is None or b is None:
        return "变为"
    return "提升至" if a > b else "下降至" if a < b else "持平于"


def _rate_visuals(f: Figures, figs: Figs, by: Mapping[str, Mapping[str, Any]], rank: Any) -> View:
    def rates_chart(chart_id: str, caption: str, scope: str, kind: ChartKind) -> str:
        order = rank(scope)
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
        ),
    }


def year_words(year: int | None) -> dict[str, str]:
    if year is None:
        return dict.fromkeys(("年度", "上年度", "下年度"), MISSING_TEXT)
    return {"年度": str(year), "上年度": str(year - 1), "下年度": str(year + 1)}
