"""Take the counts chosen for the seed report, produce the printed figures and statements they do not reproduce.

Every figure and statement the seed prints is recomputed from the chosen counts.  Those that
differ are the seed's own inconsistencies, which no choice of counts can remove; the derived
shares and growth rates are also what the workbook lists in 公布值.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import pairwise

from sample_2020_counts import candidates, growth, per_10k, places_of, share, shows, weighted_rate
from sample_2020_seed import (
    CALL_TYPES,
    DATA,
    DISTRICT_TOTALS,
    DISTRICTS,
    HOTS,
    INDICATORS,
    PAIRS,
    PER_10K,
    RATES,
    TOTAL_GROWTH,
    TOTALS,
    TYPE_MONTHS,
    UNITS,
    ZONES,
    Figures,
    Hot,
    HotFigures,
)

from builder.model.figures import MONTHS


@dataclass(frozen=True)
class Check:
    """One printed figure or statement beside what the chosen counts give for it."""

    what: str
    printed: str
    computed: str
    source: str = ""  # the seed's words, for the derived figures listed in 公布值

    @property
    def ok(self) -> bool:
        return self.printed == self.computed


def published(f: Figures) -> list[Check]:
    """The shares and growth rates the seed prints, recomputed; listed in 公布值."""
    t, out = f.totals, []
    for k, g in TOTAL_GROWTH.items():
        out.append(Check(f"总量.{k}.增幅", g, growth(t[k], f.previous[k], places_of(g)), f"{TOTALS[k]}件,环比{g}"))
    out += [Check(f"总量.{k}.占比", pct, share(t[k], sum(t[p] for p in pair)),
                  f"{k.removeprefix('企业专席')}{TOTALS[k]}件、占比{pct}") for pair in PAIRS for k, pct in pair.items()]
    for name, (_, g, _, source) in INDICATORS.items():
        current, previous = f.indicators[name]
        if isinstance(previous, Decimal) and current is not None:
            out.append(Check(f"指标.{name}.增幅", g, growth(current, previous, places_of(g)), source))
    for kind, spec in CALL_TYPES.items():
        c, pct = spec["top"]
        out.append(Check(f"类型.{kind}.{c}.占比", pct, share(f.categories[c][kind], f.category_sum(kind)),
                         f"其中,{kind}比例最高为{c}类,占{kind}总量的{pct}"))
        out += [Check(f"类型.{kind}.{m}月.占比", p, share(f.type_months[kind][m], f.type_total(kind)),
                      f"{m}月……为{printed}件，全年占比为{p}") for m, (printed, p) in TYPE_MONTHS[kind].items() if p]
    out += [Check(f"承办单位.{u}.占比", pct, share(f.units[u], sum(f.units.values())), f"{u}承办{count}件,占比{pct}")
            for u, (count, pct) in UNITS.items()]
    out += [*published_districts(f), *(c for h in HOTS for c in published_hot(h, f.hots[h.name]))]
    out += [Check(f"热点.{h.name}.子类.{sub}.{m}月.占比", pct, share(x.months[sub][m - 1], x.subtopics[sub]),
                  f"{sub}问题于{m}月反映明显上升,为{printed}件,占全年的{pct}")
            for h, x in zip(HOTS, f.hots.values(), strict=True)
            for sub, pins in h.months.items() for m, (printed, pct) in pins.items() if pct]
    return [replace(c, source=DATA["source_wording"].get(c.what, c.source)) for c in out]


def published_districts(f: Figures) -> list[Check]:
    out = []
    for zone, z in ZONES.items():
        direct, own = (sum(part[d] for d in z["districts"]) for part in (f.district_direct, f.district_own))
        out += [Check(f"功能区.{zone}.承办量", z["total"], shows(direct + own, 2), f"{zone}承办诉求{z['total']}件"),
                Check(f"功能区.{zone}.直派街乡镇", z["direct"], shows(direct, 2), f"其中直派街乡镇{z['direct']}件"),
                Check(f"功能区.{zone}.区级部门", z["own"], shows(own, 2), f"区级部门承办{z['own']}件"),
                Check(f"功能区.{zone}.占比", z["share"], share(direct + own, sum(map(f.district_sum, DISTRICTS))),
                      f"{zone}承办……占全市各区承办量的{z['share']}")]
    out += [Check(f"各区.{d}.承办量", p, shows(f.district_sum(d)), f"{d}，共承办{p}件") for d, p in DISTRICT_TOTALS.items()]
    out += [Check(f"各区.{d}.万人承办量", p, str(per_10k(f.district_sum(d), d)), f"{d}万人承办量……{p}件")
            for d, p in PER_10K.items()]
    return out


def published_hot(h: Hot, x: HotFigures) -> list[Check]:
    (unit, unit_count, unit_pct), (district, district_count, district_pct) = h.unit, h.district
    first = h.subtopics[0]
    return [
        Check(f"热点.{h.name}.增幅", h.growth, growth(x.count, x.previous, places_of(h.growth)),
              f"{h.name}类问题共反映{h.count}件,环比{h.growth}"),
        Check(f"热点.{h.name}.直接答复占比", h.direct[1], share(x.direct, x.count),
              f"{h.name}直接答复{h.direct[0]}件,占比为{h.direct[1]}"),
        Check(f"热点.{h.name}.承办.{unit}.占比", unit_pct, share(x.units[unit], sum(x.units.values())),
              f"承办单位中,{unit}承办数量最多,为{unit_count}件,占各单位承办总量的{unit_pct}"),
        Check(f"热点.{h.name}.各区.{district}.占比", district_pct, share(x.districts[district], sum(x.districts.values())),
              f"{district}承办{h.name}问题最多,为{district_count}件,占各区承办总量的{district_pct}"),
        Check(f"热点.{h.name}.子类.{first}.占比", h.first_share, share(x.subtopics[first], x.count),
              f"其中,{first}占比最大,为{h.first_share}"),
    ]


def verify(f: Figures) -> list[Check]:
    return [*published(f), *check_counts(f), *check_sums(f), *check_types(f), *check_districts(f),
            *check_hots(f), *check_lists(f), *check_rates(f)]


def printed_count(what: str, value: int, printed: str) -> Check:
    return Check(what, printed, printed if value in candidates(printed) else shows(value))


def equal(what: str, left: int, right: int) -> Check:
    return Check(what, str(right), str(left))


def holds(what: str, ok: bool, otherwise: str = "否") -> Check:
    return Check(what, "是", "是" if ok else otherwise)


def order(values: Mapping[str, float], exclude: Collection[str] = ()) -> list[str]:
    return sorted((k for k in values if k not in exclude), key=lambda k: -values[k])


def leads(what: str, names: Sequence[str], values: Mapping[str, float], exclude: Collection[str] = ()) -> Check:
    """Whether values, largest first, begin with the names the seed gives, in its order."""
    return Check(what, "、".join(names), "、".join(order(values, exclude)[: len(names)]))


def check_counts(f: Figures) -> list[Check]:
    out = [printed_count(f"总量.{k}", f.totals[k], p) for k, p in TOTALS.items()]
    out += [printed_count(f"承办单位.{u}", f.units[u], p) for u, (p, _) in UNITS.items()]
    out += [printed_count(f"类型.{kind}.{m}月", f.type_months[kind][m], p)
            for kind, pins in TYPE_MONTHS.items() for m, (p, _) in pins.items()]
    for h in HOTS:
        x = f.hots[h.name]
        out += [printed_count(f"热点.{h.name}.本年", x.count, h.count),
                printed_count(f"热点.{h.name}.直接答复", x.direct, h.direct[0]),
                printed_count(f"热点.{h.name}.承办.{h.unit[0]}", x.units[h.unit[0]], h.unit[1]),
                printed_count(f"热点.{h.name}.各区.{h.district[0]}", x.districts[h.district[0]], h.district[1])]
    return out + [printed_count(f"热点.{h.name}.{sub}.{m}月", f.hots[h.name].months[sub][m - 1], p)
                  for h in HOTS for sub, pins in h.months.items() for m, (p, _) in pins.items()]


def check_sums(f: Figures) -> list[Check]:
    t, everything, own = f.totals, TOTALS["受理总量"], sum(f.district_own.values())
    return [
        Check("电话反映+网络反映 = 受理总量", everything, shows(t["电话反映"] + t["网络反映"])),
        Check("直接解答+派单处理 = 受理总量", everything, shows(t["直接解答"] + t["派单处理"])),
        Check("五类来电各月合计 = 受理总量", everything, shows(sum(map(f.type_total, CALL_TYPES)))),
        Check("诉求类各月合计 = 办理诉求", TOTALS["办理诉求"], shows(f.type_total("诉求"))),
        equal("五类承办单位合计 = 派单处理", sum(f.units.values()), t["派单处理"]),
        equal("企业专席两项 = 企业专席受理", t["企业专席直接解答"] + t["企业专席派单"], t["企业专席受理"]),
        equal("各区直派街乡镇合计 = 街乡镇承办", sum(f.district_direct.values()), f.units["街乡镇"]),
        Check("各区区级部门合计 = 16个区（区分中心）承办", UNITS["区分中心"][0], f"{shows(own)}（{shows(own, 2)}）"),
    ]


def check_types(f: Figures) -> list[Check]:
    out = []
    for kind, spec in CALL_TYPES.items():
        column = {c: row[kind] for c, row in f.categories.items()}
        top, months = spec["top_ten"][0], f.type_months[kind]
        sums = (f.category_sum(kind), f.type_total(kind), sum(f.type_districts[kind].values()))
        out += [leads(f"{kind}前十类（不计其他）", spec["top_ten"], column, ["其他"]),
                holds(f"{kind}：其他少于最高类", column["其他"] < column[top],
                      f"否（其他{shows(column['其他'])}，{top}{shows(column[top])}）"),
                Check(f"{kind}最高月", f"{spec['peak']}月", f"{max(months, key=months.__getitem__)}月")]
        if "low" in spec:
            out.append(Check(f"{kind}最低月", f"{spec['low']}月", f"{min(months, key=months.__getitem__)}月"))
        out += [Check(f"{kind}：类别合计 = 各月合计 = 各区合计", "相等",
                      "相等" if len(set(sums)) == 1 else "不等：" + "、".join(map(shows, sums))),
                leads(f"{kind}集中的区", spec["districts"], f.type_districts[kind])]
    return out


def check_districts(f: Figures) -> list[Check]:
    totals = {d: f.district_sum(d) for d in DISTRICTS}
    rates = {d: per_10k(totals[d], d) for d in DISTRICTS}
    whole_rates = {d: int(r) for d, r in rates.items()}
    (most, least), (top, bottom) = DISTRICT_TOTALS, PER_10K
    following, floor = DATA["districts"]["per_10k_next"], DATA["districts"]["per_10k_floor"]
    leaders = [top, *following]
    return [
        leads("各区承办量最多", [most], totals),
        Check("各区承办量最少", least, order(totals)[-1]),
        leads("万人承办量最多", [top], whole_rates),
        Check("万人承办量最少", bottom, order(whole_rates)[-1]),
        holds(f"其次是{'、'.join(following)}，均在{floor}件以上",
              all(rates[a] > rates[b] for a, b in pairwise(leaders))
              and rates[leaders[-1]] >= floor > max(rates[d] for d in DISTRICTS if d not in leaders),
              "否：" + "、".join(f"{d}{rates[d]}" for d in leaders)),
    ]


def check_hots(f: Figures) -> list[Check]:
    names = [h.name for h in HOTS]
    sums = {c: sum(row.values()) for c, row in f.categories.items()}
    out = [leads("热点顺序（按本年）", names, {c: x.count for c, x in f.hots.items()}),
           leads("群众反映前十类（五类来电合计，不计其他）", names, sums, ["其他"])]
    for h in HOTS:
        x = f.hots[h.name]
        units, subtopics = sum(x.units.values()), list(x.subtopics.values())
        out += [
            Check(f"{h.name}：五类来电合计 = 本年", h.count, shows(sums[h.name])),
            equal(f"{h.name}：直接答复+各单位承办 = 本年", x.direct + units, x.count),
            holds(f"{h.name}：各区合计 ≤ 各单位承办合计", sum(x.districts.values()) <= units),
            leads(f"{h.name}：承办最多的单位", [h.unit[0]], x.units),
            leads(f"{h.name}：承办最多的区", [h.district[0]], x.districts),
            holds(f"{h.name}：子类按所列顺序递减且合计不超过本年",
                  subtopics == sorted(subtopics, reverse=True) and sum(subtopics) <= x.count),
            equal(f"{h.name}：整类各月合计 = 本年", sum(x.months[""]), x.count),
            *(equal(f"{h.name}.{s}：各月合计 = 子类", sum(v), x.subtopics[s]) for s, v in x.months.items() if s)]
        out += [Check(f"{h.name}.{sub or '整类'}：最高月份", "、".join(f"{m}月" for m in peaks),
                      "、".join(f"{m}月" for m in highest(x.months[sub], len(peaks)))) for sub, peaks in h.peaks.items()]
    return out


def highest(series: Sequence[int], n: int) -> list[int]:
    """The n months with the most, in calendar order."""
    return sorted(sorted(MONTHS, key=lambda m: -series[m - 1])[:n])


def check_lists(f: Figures) -> list[Check]:
    out = []
    for zone, z in ZONES.items():
        values, top = f.zone_categories[zone], z["top_ten"]
        rest = [sum(f.hots[c].districts[d] for d in z["districts"]) for c in f.hots if c not in values]
        out += [leads(f"{zone}承办前十类", top, values),
                holds(f"{zone}：其余热点类别少于第十类", all(v < values[top[-1]] for v in rest))]
    streets, counts = DATA["streets"], [n for _, _, n in f.streets]
    by_district = {d: sum(1 for other, _, _ in f.streets if other == d) for d, _, _ in f.streets}
    out += [
        holds("街乡镇按承办量排序", counts == sorted(counts, reverse=True)),
        Check("其次四个街乡镇", "、".join(d + s for d, s in streets["next"]), "、".join(d + s for d, s, _ in f.streets[1:5])),
        holds(f"前五位均在{streets['floor']}件以上", min(counts[:5]) >= streets["floor"]),
        Check("前十位的区分布", districts_text(streets["top10_districts"]), districts_text(by_district)),
    ]
    printed = dict(DATA["leaders"]["city_departments"] + DATA["leaders"]["state_firms"])
    out += [printed_count(f"市级部门.{n}", v, printed[n]) for n, v in f.departments]
    return out + [printed_count(f"国有企业.{n}", v, printed[n]) for n, v in f.firms]


def districts_text(counts: Mapping[str, int]) -> str:
    return "、".join(f"{d}{counts[d]}个" for d in sorted(counts, key=lambda d: (-counts[d], d)))


def check_rates(f: Figures) -> list[Check]:
    by = {(scope, name): (solved, satisfied) for scope, name, solved, satisfied in f.rates}
    out = []
    for i, word in enumerate(("解决率", "满意率")):
        units = {u: by[("单位类型", u)][i] for u in UNITS}
        out += [leads(f"单位类型{word}顺序", RATES["unit_order"], units),
                leads(f"各区{word}顺序", RATES["district_order"], {d: by[("区", d)][i] for d in DISTRICTS}),
                Check(f"五类单位加权{word} = 全市", RATES["city"][i], str(weighted_rate(f.units, units)))]
    return [*out, holds("各类诉求满意率均大于解决率", all(b > a for (s, _), (a, b) in by.items() if s == "问题类别"))]


def report(checks: Sequence[Check]) -> None:
    failed = [c for c in checks if not c.ok]
    print(f"核对 {len(checks)} 项原文数字和表述，{len(failed)} 项无法重现（原文自身不一致）：")
    width = max((len(c.what) for c in failed), default=0)
    for c in failed:
        print(f"  {c.what:<{width}}  原文 {c.printed}  ←→  计算 {c.computed}")

