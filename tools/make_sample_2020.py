"""Take the figures the 2020 Beijing 接诉即办 report prints, produce inputs/2020/figures.xlsx.

    python tools/make_sample_2020.py

tools/sample_2020.toml holds every figure of the seed report (tests/data/seed_2020.txt) as the
string it prints ("1022.3万", "91.32%", "上升53.01%", "8400余", "约5000") and illustrative
designs for what the seed only describes.  Small searches find exact counts: each count, rounded
half-even the way the report rounds (builder.model.numbers), prints what the seed prints, together
with every share and growth rate printed beside it.  After writing the workbook, every printed
figure and statement is recomputed from the chosen counts, and those that do not reproduce are
listed: they are the seed's own inconsistencies, which no choice of counts can remove.
"""

from __future__ import annotations

import random
import sys
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from functools import cache
from itertools import pairwise, product
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script, only tools/ would be on the path
    sys.path.insert(0, str(ROOT))

from builder.model.figures import MONTHS  # noqa: E402
from builder.model.numbers import format_count, format_growth, percent, percent_range, wan_range  # noqa: E402
from builder.workbook.blank import workbook_bytes  # noqa: E402
from builder.workbook.schema import FIRST_DATA_ROW, sheet  # noqa: E402

OUT = ROOT / "inputs" / "2020" / "figures.xlsx"
NA, UNKNOWN = "—", "**"  # no counterpart to compare with; a figure the seed leaves out
Pins = dict[int, tuple[str, str | None]]  # month -> (count as printed, its share as printed)


def month_pins(rows: Iterable[Sequence[Any]]) -> Pins:
    """The data file's [[month, count, share if printed], …] as {month: (count, share or None)}."""
    return {int(r[0]): (str(r[1]), str(r[2]) if len(r) > 2 else None) for r in rows}


@dataclass(frozen=True)
class Hot:
    """One hot topic as printed; the data file's [[hots]] describes the fields."""

    name: str
    count: str
    growth: str
    subtopics: list[str]
    first_share: str
    direct: list[str]
    unit: list[str]
    district: list[str]
    months: dict[str, Pins]
    peaks: dict[str, list[int]]
    month_rows: list[str]


with Path(__file__).with_name("sample_2020.toml").open("rb") as _file:
    DATA: dict[str, Any] = tomllib.load(_file)
YEAR: int = DATA["year"]
TOTALS: dict[str, str] = DATA["totals"]
TOTAL_GROWTH: dict[str, str] = DATA["total_growth"]
PAIRS: list[dict[str, str]] = DATA["pair_shares"]
PAIR_SHARES = {k: v for pair in PAIRS for k, v in pair.items()}
CALL_TYPES: dict[str, dict[str, Any]] = DATA["call_types"]
TYPE_MONTHS = {kind: month_pins(spec["months"]) for kind, spec in CALL_TYPES.items()}
UNITS: dict[str, list[str]] = DATA["units"]
ZONES: dict[str, dict[str, Any]] = DATA["zones"]
DISTRICTS: list[str] = [d for zone in ZONES.values() for d in zone["districts"]]
DISTRICT_TOTALS: dict[str, str] = DATA["districts"]["totals"]
PER_10K: dict[str, str] = DATA["districts"]["per_10k"]
HOTS = [Hot(**h | {"months": {s: month_pins(r) for s, r in h["months"].items()}}) for h in DATA["hots"]]
RATES: dict[str, list[str]] = DATA["rates"]
INDICATORS: dict[str, list[str]] = DATA["indicators"]
POPULATION: dict[str, float] = DATA["population"]
CATEGORY_DESIGN: dict[str, list[float | str]] = DATA["category_design"]
HOT_DESIGN: dict[str, dict[str, Any]] = DATA["hot_design"]
UNIT_RATES: dict[str, list[float]] = DATA["unit_rates"]

# ── Counts that print as printed ─────────────────────────────────────────────────────────────


@cache
def candidates(printed: str) -> tuple[int, ...]:
    """Every count the printed form stands for: "1022.3万", "8400余", "约5000", "18031"."""
    if printed.startswith("约"):
        n = int(printed[1:])
        return tuple(range(n - n // 40, n + n // 40 + 1))
    if printed.endswith("余"):
        n = int(printed[:-1])
        return tuple(range(n, n + 100))
    if printed.endswith("万"):
        value = Decimal(printed[:-1])
        places = -int(value.as_tuple().exponent)
        low, high = wan_range(value, places)
        return tuple(n for n in range(int(low), int(high) + 1) if shows(n, places) == printed)
    return (int(printed),)


def shows(n: int, places: int = 1) -> str:
    """A count as the seed prints it."""
    return format_count(n, places=places)


def places_of(printed: str) -> int:
    return len(printed.rstrip("%万").removeprefix("上升").removeprefix("下降").partition(".")[2])


def ratio_of(printed: str) -> Fraction:
    return Fraction(Decimal(printed.rstrip("%"))) / 100


def share(part: int | Decimal, whole: int | Decimal, places: int = 2) -> str:
    return f"{percent(part, whole, places)}%"


def share_ok(part: int, whole: int, printed: str) -> bool:
    return whole > 0 and share(part, whole, places_of(printed)) == printed


def share_pool(pool: Iterable[int], whole: int, printed: str) -> list[int]:
    """The parts in pool that are the printed share of whole (cheap bounds first)."""
    low, high = percent_range(Decimal(printed.rstrip("%")), places_of(printed))
    lo, hi = Fraction(low) * whole / 100 - 1, Fraction(high) * whole / 100 + 1
    return [n for n in pool if lo <= n <= hi and share_ok(n, whole, printed)]


def growth(current: int | Decimal, previous: int | Decimal, places: int = 2) -> str:
    return format_growth(current, previous, places=places).removeprefix("环比")


def near(center: Fraction, spread: int, ok: Callable[[int], bool]) -> list[int]:
    return [n for n in range(int(center) - spread, int(center) + spread) if ok(n)]


def ranked(pool: Iterable[int], target: float) -> list[int]:
    return sorted(pool, key=lambda n: (abs(n - target), n))


def by_aim(pool: Sequence[int], key: str) -> list[int]:
    """The pool nearest first to a deterministic, non-central target, so counts do not all sit
    in the middle of their windows."""
    if not pool:
        return []
    aim = pool[len(pool) // 5 + random.Random(f"{YEAR}:{key}").randrange(max(1, 3 * len(pool) // 5))]
    return ranked(pool, aim)


def choose(printed: str, key: str) -> int:
    return by_aim(candidates(printed), key)[0]


def jitter(key: str, spread: float) -> float:
    """A deterministic factor within 1 ± spread, so illustrative figures do not look round."""
    return 1 + random.Random(f"{YEAR}:{key}").uniform(-spread, spread)


def wan(x: float, key: str = "", spread: float = 0.0) -> int:
    """A design value in 万 as a count, varied by up to ±spread."""
    return round(x * 10000 * jitter(key, spread))


def whole_for(part: int, printed: str) -> int:
    """The total closest to part / share of which part is exactly the printed share."""
    center = part / ratio_of(printed)
    pool = near(center, int(center / 2000) + 50, lambda n: share_ok(part, n, printed))
    if not pool:
        raise ValueError(f"{part} 不可能占 {printed}")
    return ranked(pool, float(center))[0]


def parts_for(whole: int, printed: str, spread: int = 200) -> list[int]:
    """The parts of whole that are the printed share, near the exact share."""
    return near(whole * ratio_of(printed), spread, lambda n: share_ok(n, whole, printed))


def part_for(whole: int, printed: str, target: float | None = None) -> int:
    """The part of whole that is the printed share, closest to target (default: exact)."""
    exact = float(whole * ratio_of(printed))
    return ranked(parts_for(whole, printed, int(whole / 10000) + 10), exact if target is None else target)[0]


def previous_for(current: int, printed: str) -> int:
    """The previous-year count closest to current / (1 + g) with the printed growth."""
    center = current / (1 + ratio_of(printed[2:]) * (1 if printed[:2] == "上升" else -1))
    places = places_of(printed)
    pool = near(center, int(center / 5000) + 20, lambda n: growth(current, n, places) == printed)
    return ranked(pool, float(center))[0]


def previous_amount(current: Decimal, printed: str) -> Decimal:
    """The previous-year amount with the fewest decimals whose growth, to two decimals, is the
    printed one (a one-decimal print "630.8%" is taken as 630.80%)."""
    number = Decimal(printed[2:].rstrip("%")).quantize(Decimal("0.01"))
    center = Fraction(current) / (1 + Fraction(number) / 100)
    for places in range(1, 8):
        base = round(center * 10**places)
        pool = [Decimal(base + k).scaleb(-places) for k in range(-3, 4)]
        good = [p for p in pool if growth(current, p) == f"{printed[:2]}{number}%"]
        if good:
            return min(good, key=lambda p: abs(Fraction(p) - center))
    raise ValueError(printed)


def apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split total in proportion to weights by largest remainder (exact sum)."""
    w = {k: Fraction(str(v)) for k, v in weights.items()}
    whole = sum(w.values())
    raw = {k: total * v / whole for k, v in w.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: (-(raw[k] - out[k]), k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def fill_sum(pools: Sequence[Sequence[int]], total: int) -> list[int] | None:
    """One value from each pool (tried in order) adding up to total, or None."""
    if not pools:
        return [] if total == 0 else None
    rest = pools[1:]
    low, high = sum(map(min, rest)), sum(map(max, rest))
    for value in pools[0]:
        if low <= total - value <= high and (tail := fill_sum(rest, total - value)) is not None:
            return [value, *tail]
    return None


# ── The counts, sheet by sheet ───────────────────────────────────────────────────────────────


@dataclass
class HotFigures:
    count: int
    previous: int
    direct: int
    units: dict[str, int]
    districts: dict[str, int]
    subtopics: dict[str, int]
    months: dict[str, list[int]]  # "" = the whole category


@dataclass
class Figures:
    """Every figure chosen, by sheet; filled step by step, each step using the earlier ones."""

    totals: dict[str, int] = field(default_factory=dict)
    previous: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    zone_direct: dict[str, int] = field(default_factory=dict)
    zone_own: dict[str, int] = field(default_factory=dict)
    district_direct: dict[str, int] = field(default_factory=dict)
    district_own: dict[str, int] = field(default_factory=dict)
    type_months: dict[str, dict[int, int]] = field(default_factory=dict)
    categories: dict[str, dict[str, int]] = field(default_factory=dict)
    type_districts: dict[str, dict[str, int]] = field(default_factory=dict)
    hots: dict[str, HotFigures] = field(default_factory=dict)
    zone_categories: dict[str, dict[str, int]] = field(default_factory=dict)
    streets: list[tuple[str, str, int]] = field(default_factory=list)
    departments: list[tuple[str, int]] = field(default_factory=list)
    firms: list[tuple[str, int]] = field(default_factory=list)
    rates: list[tuple[str, str, float, float]] = field(default_factory=list)
    indicators: dict[str, tuple[Decimal | None, Decimal | str | None]] = field(default_factory=dict)

    def district_sum(self, d: str) -> int:
        return self.district_direct[d] + self.district_own[d]

    def type_total(self, kind: str) -> int:
        return sum(self.type_months[kind].values())

    def category_sum(self, kind: str) -> int:
        return sum(row[kind] for row in self.categories.values())


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


def per_10k(total: int, district: str) -> Decimal:
    return percent(total, Decimal(str(POPULATION[district])) * 100, 0)


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


def weighted_rate(units: Mapping[str, int], rates: Mapping[str, float]) -> Decimal:
    weighted = sum((Fraction(str(rates[u])) * n for u, n in units.items()), Fraction(0))
    return percent(weighted.numerator, weighted.denominator * sum(units.values()) * 100)


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


# ── What the seed prints, recomputed from the chosen counts ──────────────────────────────────


@dataclass(frozen=True)
class Check:
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


def main() -> int:
    figures = solve()
    OUT.write_bytes(workbook_bytes(sheets(figures)))
    print(f"已写出 {OUT.relative_to(ROOT)}")
    report(verify(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
