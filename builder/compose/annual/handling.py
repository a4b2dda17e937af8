"""三、承办情况: what its template is given: the unit types, the zones, the districts (totals and per
10 000 residents), the top streets, departments and enterprises, with their tables and charts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from builder.compose import visuals as v
from builder.compose.slots import TOP, Figs
from builder.compose.words import by_value, how_many, tied_first, tied_last, together
from builder.document import ChartKind
from builder.figures.derived import Derived, ranking
from builder.model.figures import Figures
from builder.model.values import Value

View = dict[str, Any]


def handling(f: Figures, figs: Figs) -> View:
    d = figs.d
    units = [
        {"名称": u, "承办量": figs.count(val), "占比": figs.pct_of(f"承办单位.{u}.占比")} for u, val in f.units.items()
    ]
    zones = [_zone(f, figs, zone) for zone in f.zones]
    totals = {name: d(f"各区.{name}.承办量") for name in f.districts}
    per_capita = {name: d(f"各区.{name}.万人承办量") for name in f.districts}
    return {
        "单位": units,
        "区数": len(f.districts),
        "功能区": zones,
        "各区": _districts(figs, totals, per_capita) if f.districts else None,
        "各区缺": figs.unknown("各区.承办量", "各区"),
        "街乡镇": _streets(f, figs) if f.streets else None,
        "街乡镇缺": figs.unknown("街乡镇.承办量", "街乡镇"),
        "部门": _leaders(f.departments, figs),
        "部门缺": figs.unknown("市级部门.承办量", "市级部门"),
        "企业": _leaders(f.enterprises, figs),
        "企业缺": figs.unknown("国有企业.承办量", "国有企业"),
        "图": _visuals(f, figs, totals, per_capita),
    }


def _zone(f: Figures, figs: Figs, zone: str) -> View:
    top = ranking(f.zone_categories.get(zone, {}))
    return {
        "名称": zone,
        "承办量": figs.count(figs.d(f"功能区.{zone}.承办量"), places=2),
        "占比": figs.pct_of(f"功能区.{zone}.占比"),
        "直派街乡镇": figs.count(figs.d(f"功能区.{zone}.直派街乡镇"), places=2),
        "区级部门": figs.count(figs.d(f"功能区.{zone}.区级部门"), places=2),
        "前几类": how_many(len(top)),
        "前十": figs.names(top, f"功能区分类.{zone}.前十", "功能区分类"),
    }


def _districts(figs: Figs, totals: Mapping[str, Derived], per_capita: Mapping[str, Derived]) -> View:
    by_total, by_capita = ranking(totals), ranking(per_capita)
    most, least = tied_first(by_total, totals), tied_last(by_total, totals)
    first, last = tied_first(by_capita, per_capita), tied_last(by_capita, per_capita)
    runners = [n for n in by_capita if n not in first and n not in last][:4]
    floor = min((per_capita[n].number or Decimal(0)) for n in runners) if runners else Decimal(0)
    return {
        "最多区": together(most),
        "最多区量": figs.count(totals[most[0]]),
        "最少区": together(least),
        "最少区量": figs.count(totals[least[0]]),
        "有最少": len(by_total) > len(most),
        "万人第一": together(first),
        "万人第一值": figs.per_capita(per_capita[first[0]]),
        "万人其次": "、".join(runners),
        "万人门槛": int(floor // 1000 * 1000),
        "万人最少": together(last),
        "万人最少值": figs.per_capita(per_capita[last[0]]),
        "有万人最少": len(by_capita) > len(first),
    }


def _streets(f: Figures, figs: Figs) -> View:
    streets = {f"{s.district}{s.name}": s.count for s in f.streets}
    ranked = ranking(streets)
    first = tied_first(ranked, streets)
    runners = [n for n in ranked if n not in first][:4]
    top = ranked[:TOP]
    in_top = Counter(s.district for s in f.streets if f"{s.district}{s.name}" in top)
    return {
        "第一": together(first),
        "第一量": figs.count(streets[first[0]], mode="exact"),
        "其次": "、".join(runners),
        "门槛": int(min((streets[n].number or Decimal(0)) for n in runners) // 1000 * 1000) if runners else 0,
        "前几位": how_many(len(top), "位"),
        "分布": "、".join(f"{dn}{n}个" for dn, n in sorted(in_top.items(), key=lambda kv: -kv[1])),
    }


def _leaders(counts: Mapping[str, Value], figs: Figs) -> list[View]:
    return [{"名称": n, "承办量": figs.count(counts[n])} for n in ranking(counts)]


def _visuals(f: Figures, figs: Figs, totals: Mapping[str, Derived], per_capita: Mapping[str, Derived]) -> View:
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
        )
        if zone_rows
        else "",
        "各区图": figs.block(v.counts_chart("图.各区承办量", "各区承办量", ChartKind.BAR, "承办量", by_value(totals))),
        "万人图": figs.block(
            v.chart(
                "图.万人承办量",
                "各区万人承办量",
                ChartKind.BAR,
                {"万人承办量": by_value(per_capita)},
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
        )
        if street_rows
        else "",
    }
