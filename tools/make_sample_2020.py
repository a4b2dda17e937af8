"""Take the figures the 2020 Beijing 接诉即办 report prints, produce inputs/2020/figures.xlsx.

    python tools/make_sample_2020.py

tools/sample_2020.toml holds every figure of the seed report (tests/data/seed_2020.txt) as the
string it prints ("1022.3万", "91.32%", "上升53.01%", "8400余", "约5000") and illustrative
designs for what the seed only describes; sample_2020_seed reads it.  Small searches
(sample_2020_counts) find exact counts: each count, rounded half-even the way the report rounds
(builder.model.numbers), prints what the seed prints, together with every share and growth rate
printed beside it.  This module chooses the counts sheet by sheet and writes the workbook; then
sample_2020_checks recomputes every printed figure and statement from the chosen counts and lists
those that do not reproduce: they are the seed's own inconsistencies, which no choice of counts
can remove.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from itertools import product
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script, only tools/ would be on the path
    sys.path.insert(0, str(ROOT))

from sample_2020_checks import published, report, verify  # noqa: E402
from sample_2020_counts import (  # noqa: E402
    apportion,
    by_aim,
    candidates,
    choose,
    fill_sum,
    jitter,
    part_for,
    parts_for,
    per_10k,
    previous_amount,
    previous_for,
    ranked,
    ratio_of,
    share_ok,
    share_pool,
    shows,
    wan,
    weighted_rate,
    whole_for,
)
from sample_2020_seed import (  # noqa: E402
    CALL_TYPES,
    CATEGORY_DESIGN,
    DATA,
    DISTRICT_TOTALS,
    DISTRICTS,
    HOT_DESIGN,
    HOTS,
    INDICATORS,
    NA,
    PAIR_SHARES,
    PER_10K,
    POPULATION,
    RATES,
    TOTAL_GROWTH,
    TOTALS,
    TYPE_MONTHS,
    UNIT_RATES,
    UNITS,
    UNKNOWN,
    YEAR,
    ZONES,
    Figures,
    Hot,
    HotFigures,
)

from builder.model.figures import MONTHS  # noqa: E402
from builder.workbook.blank import workbook_bytes  # noqa: E402
from builder.workbook.schema import FIRST_DATA_ROW, sheet  # noqa: E402

OUT = ROOT / "inputs" / "2020" / "figures.xlsx"

# ── The counts, sheet by sheet ───────────────────────────────────────────────────────────────


def solve_units(f: Figures) -> None:
    """承办单位: shares of their sum, which is 派单处理; 街乡镇 is also Σ 直派街乡镇 of the zones."""
    zone_pools = [candidates(z["direct"]) for z in ZONES.values()]
    low, high = sum(map(min, zone_pools)), sum(map(max, zone_pools))
    for total in by_aim(candidates(TOTALS["派单处理"]), "派单处理"):
        pools = {u: share_pool(candidates(count), total, pct) for u, (count, pct) in UNITS.items()}
        pools["街乡镇"] = [n for n in pools["街乡镇"] if low <= n <= high]
        aimed = [by_aim(pool, u) for u, pool in pools.items()]
        if all(aimed) and (found := fill_sum(aimed, total)):
            f.units = dict(zip(UNITS, found, strict=True))
            f.totals["派单处理"] = total
            return
    raise ValueError("承办单位无解")


def pair_ok(a: int, b: int, name_a: str, name_b: str) -> bool:
    return share_ok(a, a + b, PAIR_SHARES[name_a]) and share_ok(b, a + b, PAIR_SHARES[name_b])


def solve_totals(f: Figures) -> None:
    """直接解答 beside 派单处理, 电话/网络 of the same sum (both pairs are 1006.7万), 企业专席 and
    its two parts each printing right with their shares, and the rows printed with a growth."""
    p, net = f.totals["派单处理"], set(candidates(TOTALS["网络反映"]))
    pool = [d for d in candidates(TOTALS["直接解答"]) if pair_ok(d, p, "直接解答", "派单处理")]
    for d in by_aim(pool, "直接解答"):
        phones = [t for t in share_pool(candidates(TOTALS["电话反映"]), d + p, PAIR_SHARES["电话反映"])
                  if d + p - t in net and pair_ok(t, d + p - t, "电话反映", "网络反映")]
        if phones:
            phone = by_aim(phones, "电话反映")[0]
            f.totals |= {"直接解答": d, "电话反映": phone, "网络反映": d + p - phone}
            break
    else:
        raise ValueError("电话反映、网络反映无解")
    f.totals |= desk_parts()
    for name, grown in TOTAL_GROWTH.items():
        f.totals[name] = choose(TOTALS[name], name)
        f.previous[name] = previous_for(f.totals[name], grown)


def desk_parts() -> dict[str, int]:
    desk, second = set(candidates(TOTALS["企业专席受理"])), set(candidates(TOTALS["企业专席派单"]))
    for a in by_aim(candidates(TOTALS["企业专席直接解答"]), "企业专席"):
        center = int(a / ratio_of(PAIR_SHARES["企业专席直接解答"]))
        for total in range(center - 20, center + 21):
            if total in desk and total - a in second and pair_ok(a, total - a, "企业专席直接解答", "企业专席派单"):
                return {"企业专席直接解答": a, "企业专席派单": total - a, "企业专席受理": total}
    raise ValueError("企业专席无解")


def solve_zones(f: Figures) -> None:
    """Zone 直派 adding up to 街乡镇; zone 区级部门 so each zone's sum and share print right."""
    direct = fill_sum([by_aim(candidates(z["direct"]), name) for name, z in ZONES.items()], f.units["街乡镇"])
    if direct is None:
        raise ValueError("直派街乡镇无解")
    f.zone_direct = dict(zip(ZONES, direct, strict=True))
    own_pools = [by_aim([q for q in candidates(z["own"]) if shows(d + q, 2) == z["total"]], name + "区级")
                 for (name, z), d in zip(ZONES.items(), direct, strict=True)]
    for owns in product(*own_pools):
        sums = [d + q for d, q in zip(direct, owns, strict=True)]
        if all(share_ok(s, sum(sums), z["share"]) for s, z in zip(sums, ZONES.values(), strict=True)):
            f.zone_own = dict(zip(ZONES, owns, strict=True))
            return
    raise ValueError("功能区无解")


def district_total(district: str) -> int:
    design = DATA["district_design"]
    if district in DISTRICT_TOTALS:
        return choose(DISTRICT_TOTALS[district], district)
    if district in PER_10K:
        target = Decimal(PER_10K[district])
        center = int(float(target) * POPULATION[district])
        return by_aim([n for n in range(center - 200, center + 200) if per_10k(n, district) == target], district)[0]
    if district in design["per_10k"]:
        return wan(design["per_10k"][district] * POPULATION[district] / 10000, district, 0.002)
    return wan(design["totals"][district], district, 0.01)


def solve_districts(f: Figures) -> None:
    """Each zone's districts: designed totals, the residual district taking what the zone has
    left; 直派 split at about the zone's fraction."""
    design = DATA["district_design"]
    for zone, spec in ZONES.items():
        residual, zone_total = design["residual"][zone], f.zone_direct[zone] + f.zone_own[zone]
        totals = {d: district_total(d) for d in spec["districts"] if d != residual}
        totals[residual] = zone_total - sum(totals.values())
        fraction = f.zone_direct[zone] / zone_total
        direct = {d: round(t * fraction * jitter(d + "直派", design["split_jitter"]))
                  for d, t in totals.items() if d != residual}
        direct[residual] = f.zone_direct[zone] - sum(direct.values())
        for d in spec["districts"]:
            f.district_direct[d], f.district_own[d] = direct[d], totals[d] - direct[d]


def solve_types(f: Figures) -> None:
    """类型月度 (the year from the month printed with its share) and 类型各区."""
    for kind, pins in TYPE_MONTHS.items():
        pinned = {m: choose(text, f"{kind}{m}月") for m, (text, _) in pins.items()}
        month, pct = next((m, p) for m, (_, p) in pins.items() if p)
        design = DATA["type_month_design"][kind]
        weights = {str(m): design[m - 1] * jitter(f"{kind}{m}", 0.015) for m in MONTHS if m not in pins}
        rest = apportion(whole_for(pinned[month], pct or "") - sum(pinned.values()), weights)
        f.type_months[kind] = {m: pinned[m] if m in pins else rest[str(m)] for m in MONTHS}
        weights = DATA["district_call_weights"] | (DATA["praise_weights"] if kind == "表扬" else {})
        # Only the districts not named are varied, so the named three keep their order.
        named = CALL_TYPES[kind]["districts"]
        weights = {d: w if d in named else w * jitter(kind + d, 0.06) for d, w in weights.items()}
        f.type_districts[kind] = apportion(f.type_total(kind), weights)


def solve_categories(f: Figures) -> None:
    """类型分类: design cells, top shares, rows adding to 热点, the rest in 其他."""
    m: dict[str, dict[str, int | None]] = {
        c: {k: None if isinstance(v, str) else wan(v, f"{c}{k}", 0.004) for k, v in zip(CALL_TYPES, row, strict=True)}
        for c, row in CATEGORY_DESIGN.items()}

    def fill_row(category: str, kind: str) -> None:
        m[category][kind] = f.hots[category].count - sum(v or 0 for k, v in m[category].items() if k != kind)

    def nudge(key: str, most: int) -> int:
        return random.Random(f"{YEAR}:{key}:nudge").randint(-most, most)

    for kind, spec in CALL_TYPES.items():
        category, pct = spec["top"]
        m[category][kind] = part_for(f.type_total(kind), pct)
    # In this order, each "row" or "rel" cell follows the cells it is set from.
    fill_row("市场管理", "咨询")
    for category, offset in DATA["rel_offsets"].items():
        m[category]["咨询"] = (m["市场管理"]["咨询"] or 0) + wan(offset) + nudge(category, 150)
    fill_row("公共服务", "诉求")
    fill_row("教育", "诉求")
    high, low = m["公共服务"]["诉求"] or 0, m["教育"]["诉求"] or 0
    spread = DATA["category_order"]["spread"]
    for i, category in enumerate(spread, start=1):
        m[category]["诉求"] = high - (high - low) * i // (len(spread) + 1) + nudge(category, 250)
    for category, kind in DATA["category_order"]["late_rows"]:
        fill_row(category, kind)
    for kind in CALL_TYPES:
        m["其他"][kind] = f.type_total(kind) - sum(m[c][kind] or 0 for c in m if c != "其他")
    f.categories = {c: {k: int(v or 0) for k, v in row.items()} for c, row in m.items()}


def solve_hots(f: Figures) -> None:
    for h in HOTS:
        count, direct, lead = hot_counts(h)
        subtopics = hot_subtopics(h, count)
        f.hots[h.name] = HotFigures(count, previous_for(count, h.growth), direct, hot_units(h, count - direct, lead),
                                    hot_districts(f, h, count - direct), subtopics, hot_months(h, count, subtopics))


def hot_counts(h: Hot) -> tuple[int, int, int]:
    """本年, 直接答复 and the leading unit's count, printing right together."""
    for count in by_aim(candidates(h.count), h.name):
        for direct in by_aim(share_pool(candidates(h.direct[0]), count, h.direct[1]), h.name + "直接"):
            if leads := share_pool(candidates(h.unit[1]), count - direct, h.unit[2]):
                return count, direct, by_aim(leads, h.name + h.unit[0])[0]
    raise ValueError(f"热点{h.name}无解")


def hot_units(h: Hot, dispatched: int, lead: int) -> dict[str, int]:
    design: dict[str, float | str] = HOT_DESIGN[h.name]["units"]
    units = {h.unit[0]: lead} | {u: wan(v, h.name + u, 0.02) for u, v in design.items() if not isinstance(v, str)}
    units[next(u for u, v in design.items() if v == "row")] = dispatched - sum(units.values())
    return {u: units[u] for u in UNITS}


def hot_districts(f: Figures, h: Hot, dispatched: int) -> dict[str, int]:
    """The leader's printed count and share fix the total; the zones take their designs, and
    each zone's districts share it by their size (or evenly, for the flat topics)."""
    leader, printed, pct = h.district
    lead = choose(printed, h.name + leader)
    total = whole_for(lead, pct)
    if total > dispatched:
        raise ValueError(f"热点{h.name}各区合计大于承办合计")
    plain, eco = HOT_DESIGN[h.name]["zones"]
    zone_totals = {"平原新城": wan(plain, h.name + "平原", 0.01), "生态涵养区": wan(eco, h.name + "生态", 0.01)}
    zone_totals["中心城区及副中心"] = total - sum(zone_totals.values())
    flat, out = DATA["flat_topics"], dict[str, int]()
    for zone, spec in ZONES.items():
        fixed = {leader: lead} if leader in spec["districts"] else {}
        weights = {d: (flat["central"].get(d, 1.0) if h.name in flat["topics"] else f.district_sum(d))
                   * jitter(h.name + d, 0.05) for d in spec["districts"] if d not in fixed}
        out |= fixed | apportion(zone_totals[zone] - sum(fixed.values()), weights)
    return {d: out[d] for d in DISTRICTS}


def hot_subtopics(h: Hot, count: int) -> dict[str, int]:
    """The first sub-topic at its printed share, the others at their designed shares."""
    first = h.subtopics[0]
    month_share = next((p for p in h.months.get(first, {}).values() if p[1]), None)
    if month_share is None:
        pool = parts_for(count, h.first_share)
        size = part_for(count, h.first_share, by_aim(pool, first)[0])
    else:  # 房产中介: 24.43% of 住房, and its 11月 3.6万 is 25.98% of its own year
        printed, pct = month_share
        size = next((n for n in ranked(parts_for(count, h.first_share), count)
                     if share_pool(candidates(printed), n, pct or "")), 0)
        if not size:
            raise ValueError(f"{h.name}子类无解")
    shares = zip(h.subtopics[1:], HOT_DESIGN[h.name]["subtopic_shares"], strict=True)
    return {first: size} | {s: wan(count * r / 10000, h.name + s, 0.03) for s, r in shares}


def shape(name: str, key: str, skip: Iterable[int] = ()) -> dict[str, float]:
    return {str(m): w * jitter(f"{key}{m}", 0.04) for m, w in zip(MONTHS, DATA["shapes"][name], strict=True)
            if m not in set(skip)}


def hot_months(h: Hot, count: int, subtopics: Mapping[str, int]) -> dict[str, list[int]]:
    """Each sub-topic by month, and the whole category: its sub-topics plus what they leave."""
    series = {s: subtopic_months(h, s, n) for s, n in subtopics.items()}
    rest = apportion(count - sum(subtopics.values()), shape(HOT_DESIGN[h.name]["shape"], h.name))
    whole = [rest[str(m)] + sum(v[m - 1] for v in series.values()) for m in MONTHS]
    return {"": whole} | {s: series[s] for s in h.month_rows}


def subtopic_months(h: Hot, sub: str, total: int) -> list[int]:
    pins = h.months.get(sub, {})
    pinned = {m: by_aim([v for v in candidates(printed) if pct is None or share_ok(v, total, pct)],
                        f"{h.name}{sub}{m}月")[0] for m, (printed, pct) in pins.items()}
    name = DATA["subtopic_shape"].get(sub, HOT_DESIGN[h.name]["shape"])
    rest = apportion(total - sum(pinned.values()), shape(name, h.name + sub, pins))
    return [pinned.get(m, rest.get(str(m), 0)) for m in MONTHS]


def solve_lists(f: Figures) -> None:
    """功能区分类, 街乡镇, 部门, 企业 and 指标: the designs, and the few counts printed."""
    for zone, spec in ZONES.items():
        values = {c: sum(h.districts[d] for d in spec["districts"]) for c, h in f.hots.items()}
        values |= {c: wan(v, zone + c, 0.01) for c, v in DATA["zone_other_design"][zone].items()}
        f.zone_categories[zone] = {c: values[c] for c in spec["top_ten"]}
    district, street, printed = DATA["streets"]["first"]
    f.streets = [(district, street, int(printed))]
    f.streets += [(d, s, wan(v, d + s, 0.02)) for d, s, v in DATA["street_design"]["after_first"]]
    f.departments = [(name, choose(printed, name)) for name, printed in DATA["leaders"]["city_departments"]]
    f.firms = [(name, choose(printed, name)) for name, printed in DATA["leaders"]["state_firms"]]
    for name, (value, grown, _, _) in INDICATORS.items():
        current = None if value == UNKNOWN else Decimal(value)
        if grown in (UNKNOWN, NA) or current is None:
            f.indicators[name] = (current, None if grown == UNKNOWN else grown)
        else:
            f.indicators[name] = (current, previous_amount(current, grown))


def solve_rates(f: Figures) -> None:
    city = RATES["city"]
    residual = (residual_rate(f, 0), residual_rate(f, 1))
    f.rates = [("全市", "全市", float(city[0]), float(city[1]))]
    f.rates += [("单位类型", u, *UNIT_RATES.get(u, residual)) for u in UNITS]
    f.rates += [("区", d, *DATA["district_rates"][d]) for d in DISTRICTS]
    f.rates += [("问题类别", c, *DATA["category_rates"][c]) for c in CATEGORY_DESIGN if c != "其他"]


def residual_rate(f: Figures, index: int) -> float:
    """区分中心's rate such that the five unit types, weighted by 承办量, give the city's."""
    city = Decimal(RATES["city"][index])
    rates = {u: r[index] for u, r in UNIT_RATES.items()}
    rest = sum(Fraction(str(v)) * f.units[u] for u, v in rates.items())
    exact = (Fraction(city) * sum(f.units.values()) - rest) / f.units["区分中心"]
    for step in sorted(range(-5, 6), key=abs):
        rate = round(float(exact), 2) + step / 100
        if weighted_rate(f.units, rates | {"区分中心": rate}) == city:
            return round(rate, 2)
    raise ValueError("区分中心办理率无解")


def solve() -> Figures:
    f = Figures()
    for step in (solve_units, solve_totals, solve_zones, solve_districts, solve_types, solve_hots,
                 solve_categories, solve_lists, solve_rates):
        step(f)
    return f


# ── The workbook ─────────────────────────────────────────────────────────────────────────────

Rows = list[dict[str, Any]]


def sheets(f: Figures) -> dict[str, Rows]:
    zone_of = {d: z for z, spec in ZONES.items() for d in spec["districts"]}
    hots = f.hots.items()
    data: dict[str, Rows] = {
        "基本信息": [{"项目": "年度", "内容": YEAR}, {"项目": "地区", "内容": DATA["region"]}],
        "指标": [{"指标": name, "本年": amount(f.indicators[name][0]), "上年": amount(f.indicators[name][1]),
                  "单位": unit, "说明": f"原文：{source}"} for name, (_, _, unit, source) in INDICATORS.items()],
        "总量": [{"项目": k, "本年": f.totals[k], "上年": f.previous.get(k, NA)} for k in TOTALS],
        "类型分类": [{"问题类别": c, **row} for c, row in f.categories.items()],
        "类型月度": [{"月份": m, **{k: f.type_months[k][m] for k in CALL_TYPES}} for m in MONTHS],
        "类型各区": [{"区": d, **{k: f.type_districts[k][d] for k in CALL_TYPES}} for d in DISTRICTS],
        "各区": [{"区": d, "功能区": zone_of[d], "常住人口": POPULATION[d], "直派街乡镇": f.district_direct[d],
                  "区级部门": f.district_own[d]} for d in DISTRICTS],
        "承办单位": [{"单位类型": u, "承办量": n} for u, n in f.units.items()],
        "功能区分类": [{"功能区": z, "问题类别": c, "承办量": n} for z, row in f.zone_categories.items()
                       for c, n in row.items()],
        "街乡镇": [{"区": d, "街乡镇": s, "承办量": n} for d, s, n in f.streets],
        "市级部门": [{"部门": d, "承办量": n} for d, n in f.departments],
        "国有企业": [{"企业": d, "承办量": n} for d, n in f.firms],
        "热点": [{"问题类别": c, "本年": h.count, "上年": h.previous, "直接答复": h.direct} for c, h in hots],
        "热点子类": [{"问题类别": c, "子类": s, "反映量": n} for c, h in hots for s, n in h.subtopics.items()],
        "热点月度": [{"问题类别": c, "子类": s or None, **{f"{m}月": v for m, v in zip(MONTHS, series, strict=True)}}
                     for c, h in hots for s, series in h.months.items()],
        "热点承办单位": [{"问题类别": c, "单位类型": u, "承办量": n} for c, h in hots for u, n in h.units.items()],
        "热点各区": [{"问题类别": c, "区": d, "承办量": n} for c, h in hots for d, n in h.districts.items()],
        "办理率": [{"范围": scope, "名称": name, "解决率": solved, "满意率": satisfied,
                    "上年解决率": None if scope == "全市" else NA, "上年满意率": None if scope == "全市" else NA}
                   for scope, name, solved, satisfied in f.rates],
        "公布值": [{"指标": c.what, "公布值": c.printed, "出处": c.source} for c in published(f)],
    }
    data["说明"] = [{"单元格": cells(note, len(data[note["sheet"]])), "说明": note["text"]} for note in DATA["notes"]]
    return data


def amount(value: Decimal | str | None) -> int | float | str | None:
    if value is None or isinstance(value, str):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def cells(note: Mapping[str, Any], rows: int) -> str:
    """A note's cell range, from where the schema places the sheet's columns and rows."""
    name, start = note["sheet"], note.get("from_row", 0)
    headers = [c.header for c in sheet(name).columns]
    first, last = (get_column_letter(headers.index(h) + 1) for h in note["columns"])
    return f"{name}!{first}{FIRST_DATA_ROW + start}:{last}{FIRST_DATA_ROW + rows - 1}"


def main() -> int:
    figures = solve()
    OUT.write_bytes(workbook_bytes(sheets(figures)))
    print(f"已写出 {OUT.relative_to(ROOT)}")
    report(verify(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
