"""Take the figures, produce every computed figure: sums, shares, growth, per-capita counts.

Each derived figure has a stable key (“总量.电话反映.占比”), its exact value, the formula it
was computed by in terms of workbook cells, and the cells themselves. Values are exact
(shares and growth in percent units); rounding happens only when a figure is printed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from builder.figures.months import extremes, plateau
from builder.model import numbers
from builder.model.figures import CALL_TYPES, MONTHS, Figures, Topic
from builder.model.values import State, Value


class Op(Enum):
    SUM = "sum"
    SHARE = "share"  # percent of a whole
    GROWTH = "growth"  # percent change on last year
    PER_CAPITA = "per_capita"  # count per 10 000 residents
    MEAN = "mean"  # the level a run of months settles at
    DIFFERENCE = "difference"  # this year less last year, or one figure less another
    RANK = "rank"  # place among others, largest first; ties share a place (1, 2, 2, 4)


@dataclass(frozen=True)
class Derived:
    key: str
    op: Op
    value: Decimal | None  # None when a source is missing or not applicable
    formula: str
    sources: tuple[Value, ...]
    group: str | None = None  # shares of one whole carry the whole's key

    @property
    def state(self) -> State:
        if self.value is not None:
            return State.OK
        return State.NA if any(s.state is State.NA for s in self.sources) else State.MISSING

    @property
    def number(self) -> Decimal | None:
        """The figure's exact value, as `Value.number` gives a cell's: None when it cannot be computed."""
        return self.value

    @property
    def illustrative(self) -> bool:
        return any(s.illustrative for s in self.sources)


@dataclass
class Ledger:
    """Every derived figure of an edition, by key."""

    items: dict[str, Derived] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Derived:
        return self.items[key]

    def get(self, key: str) -> Derived | None:
        return self.items.get(key)

    def add(self, d: Derived) -> Derived:
        self.items[d.key] = d
        return d

    def total(self, key: str, values: Iterable[Value | Derived]) -> Derived:
        parts = list(values)
        sources = _sources(parts)
        ok = all(p.number is not None for p in parts) and bool(parts)
        value = sum((p.number or Decimal(0) for p in parts), Decimal(0)) if ok else None
        return self.add(Derived(key, Op.SUM, value, "=" + "+".join(_term(p) for p in parts), sources))

    def share(self, key: str, part: Value | Derived, whole: Value | Derived) -> Derived:
        a, b = part.number, whole.number
        value = numbers.ratio(a, b) * 100 if a is not None and b else None
        formula = f"={_term(part)}/({_term(whole)})"
        group = whole.key if isinstance(whole, Derived) else whole.where
        return self.add(Derived(key, Op.SHARE, value, formula, _sources([part, whole]), group))

    def shares(self, prefix: str, parts: Mapping[str, Value | Derived], total_key: str) -> Derived:
        """A whole and each part's share of it, keyed `prefix.<name>.占比`."""
        whole = self.total(total_key, parts.values())
        for name, part in parts.items():
            self.share(f"{prefix}.{name}.占比", part, whole)
        return whole

    def growth(self, key: str, pair_current: Value | Derived, pair_previous: Value) -> Derived | None:
        """Percent change on last year; None (nothing kept) when last year does not apply or was
        zero, for then there is no growth to state, only a missing last year prints 【待补】."""
        if pair_previous.state is State.NA or pair_previous.number == 0:
            return None
        a, b = pair_current.number, pair_previous.number
        value = numbers.growth(a, b) * 100 if a is not None and b else None
        formula = f"=({_term(pair_current)}-{_term(pair_previous)})/{_term(pair_previous)}"
        return self.add(Derived(key, Op.GROWTH, value, formula, _sources([pair_current, pair_previous])))

    def difference(self, key: str, current: Value, previous: Value) -> Derived | None:
        """`current` less `previous`; None (nothing kept) when `previous` does not apply."""
        if previous.state is State.NA:
            return None
        a, b = current.number, previous.number
        value = a - b if a is not None and b is not None else None
        return self.add(
            Derived(key, Op.DIFFERENCE, value, f"={_term(current)}-{_term(previous)}", _sources([current, previous]))
        )

    def mean(self, key: str, values: Iterable[Value]) -> Derived:
        parts = list(values)
        numbers_ = [p.number for p in parts]
        ok = bool(parts) and all(n is not None for n in numbers_)
        value = sum((n for n in numbers_ if n is not None), Decimal(0)) / len(parts) if ok else None
        formula = f"=AVERAGE({','.join(_term(p) for p in parts)})"
        return self.add(Derived(key, Op.MEAN, value, formula, _sources(parts)))

    def level(self, key: str, months: Mapping[int, Value], *, after: int) -> Derived | None:
        """The mean of the months the year settles at after month `after`; None (and nothing kept) when it does not."""
        run = plateau(months, after)
        return self.mean(key, [months[m] for m in run]) if run else None

    def rank(self, key: str, name: str, among: Mapping[str, Value | Derived]) -> Derived:
        """The place of `among[name]` among the figures of `among` that have a value, largest first,
        as Excel's RANK.EQ gives it: one more than how many are larger, so ties share a place
        (1, 2, 2, 4). None when its own figure has no value: a missing figure has no place."""
        own = among[name].number
        known = [x for x in among.values() if x.number is not None]
        value = Decimal(1 + sum(1 for x in known if (x.number or 0) > own)) if own is not None else None
        formula = f"=RANK.EQ({_term(among[name])},({','.join(_term(x) for x in known)}))"
        return self.add(Derived(key, Op.RANK, value, formula, _sources([among[name], *known])))

    def per_capita(self, key: str, count: Value | Derived, population: Value | Derived) -> Derived:
        a, b = count.number, population.number
        value = numbers.ratio(a, b) if a is not None and b else None
        formula = f"={_term(count)}/{_term(population)}"
        return self.add(Derived(key, Op.PER_CAPITA, value, formula, _sources([count, population])))


def _term(x: Value | Derived) -> str:
    if isinstance(x, Derived):
        return x.formula.removeprefix("=") if x.op is Op.SUM and len(x.sources) <= 1 else f"〔{x.key}〕"
    return x.where


def _sources(parts: Iterable[Value | Derived]) -> tuple[Value, ...]:
    out: list[Value] = []
    for p in parts:
        out.extend(p.sources if isinstance(p, Derived) else (p,))
    return tuple(dict.fromkeys(out))


def derive(f: Figures) -> Ledger:
    """Every derived figure of the edition."""
    led = Ledger()
    _totals(led, f)
    _call_types(led, f)
    _handling(led, f)
    for topic in f.topics:
        _topic(led, topic)
    _levels(led, f)
    return led


def _levels(led: Ledger, f: Figures) -> None:
    """The level a call type's year settles at after an early peak, and each hot topic's after its peak:
    “稳定在每月14万件左右”."""
    for ct in CALL_TYPES:
        by_month = {m: f.by_month[m][ct] for m in MONTHS if m in f.by_month}
        found = extremes(by_month)
        if found is not None and found[0] < 10:  # a peak late in the year leaves nothing to settle
            led.level(f"类型.{ct}.平稳水平", by_month, after=found[0])
    for topic in f.topics:
        for sub, months in topic.monthly.items():
            if (found := extremes(months)) is not None:
                base = f"热点.{topic.name}.子类.{sub}" if sub else f"热点.{topic.name}"
                led.level(f"{base}.平稳水平", months, after=found[0])


def _totals(led: Ledger, f: Figures) -> None:
    t = f.totals
    for total_key, names in (
        ("总量.渠道合计", ("电话反映", "网络反映")),
        ("总量.处理方式合计", ("直接解答", "派单处理")),
        ("总量.企业专席合计", ("企业专席直接解答", "企业专席派单")),
    ):
        led.shares("总量", {n: t[n].current for n in names}, total_key)
    for name, pair in t.items():
        led.growth(f"总量.{name}.增幅", pair.current, pair.previous)
    for name, ind in f.indicators.items():
        led.growth(f"指标.{name}.增幅", ind.current, ind.previous)


def _call_types(led: Ledger, f: Figures) -> None:
    wholes = []
    for t in CALL_TYPES:
        wholes.append(led.shares(f"类型.{t}", {c: v[t] for c, v in f.by_category.items()}, f"类型.{t}.合计"))
        led.shares(f"类型.{t}", {f"{m}月": f.by_month[m][t] for m in MONTHS if m in f.by_month}, f"类型.{t}.月合计")
        led.total(f"类型.{t}.各区合计", (v[t] for v in f.by_district.values()))
    led.total("类型.合计", wholes)


def _handling(led: Ledger, f: Figures) -> None:
    led.shares("承办单位", dict(f.units), "承办单位.合计")
    district_totals = {name: led.total(f"各区.{name}.承办量", (d.streets, d.units)) for name, d in f.districts.items()}
    for name, d in f.districts.items():
        led.per_capita(f"各区.{name}.万人承办量", district_totals[name], d.population)
    all_districts = led.total("各区.合计", district_totals.values())
    led.total("各区.直派街乡镇合计", (d.streets for d in f.districts.values()))
    led.total("各区.区级部门合计", (d.units for d in f.districts.values()))
    for zone in f.zones:
        members = [d for d in f.districts.values() if d.zone == zone]
        zone_total = led.total(f"功能区.{zone}.承办量", (district_totals[d.name] for d in members))
        led.total(f"功能区.{zone}.直派街乡镇", (d.streets for d in members))
        led.total(f"功能区.{zone}.区级部门", (d.units for d in members))
        led.share(f"功能区.{zone}.占比", zone_total, all_districts)
        led.total(f"功能区.{zone}.分类合计", f.zone_categories.get(zone, {}).values())
    led.total("街乡镇.合计", (s.count for s in f.streets))
    led.total("市级部门.合计", f.departments.values())
    led.total("国有企业.合计", f.enterprises.values())


def _topic(led: Ledger, topic: Topic) -> None:
    p = f"热点.{topic.name}"
    led.growth(f"{p}.增幅", topic.current, topic.previous)
    led.difference(f"{p}.增量", topic.current, topic.previous)
    led.share(f"{p}.直接答复占比", topic.direct, topic.current)
    led.shares(f"{p}.承办", dict(topic.by_unit), f"{p}.承办合计")
    led.shares(f"{p}.各区", dict(topic.by_district), f"{p}.各区合计")
    led.total(f"{p}.子类合计", topic.subtopics.values())
    for name, value in topic.subtopics.items():
        led.share(f"{p}.子类.{name}.占比", value, topic.current)
    for sub, months in topic.monthly.items():
        whole = topic.subtopics.get(sub) if sub else topic.current
        base = f"{p}.子类.{sub}" if sub else p
        month_sum = led.total(f"{base}.月合计", months.values())
        for m, v in months.items():
            led.share(f"{base}.{m}月.占比", v, whole if whole is not None else month_sum)


def derive_districts(led: Ledger, f: Figures) -> None:
    """Add what the district briefs print to `led` (made by `derive`): each district's calls and
    their shares, its ranks among the districts of the 各区 sheet, the city's figures it is set
    against, its share of each hot topic of the city, and each listed street's rank. Adding them again changes nothing."""
    if "各区.来电合计" in led.items:
        return
    names = tuple(f.districts)
    city = led.total("各区.来电合计", (led[f"类型.{ct}.各区合计"] for ct in CALL_TYPES))
    for ct in CALL_TYPES:
        led.share(f"各区.类型.{ct}.占比", led[f"类型.{ct}.各区合计"], city)
    calls = {n: led.total(f"各区.{n}.来电量", f.by_district.get(n, {}).values()) for n in names}
    for n in names:
        led.share(f"各区.{n}.来电占比", calls[n], city)
        for ct, value in f.by_district.get(n, {}).items():
            led.share(f"各区.{n}.类型.{ct}.占比", value, calls[n])
    population = led.total("各区.常住人口合计", (d.population for d in f.districts.values()))
    led.per_capita("各区.万人承办量", led["各区.合计"], population)
    _ranks(led, "来电量", calls)
    _ranks(led, "承办量", {n: led[f"各区.{n}.承办量"] for n in names})
    _ranks(led, "万人承办量", {n: led[f"各区.{n}.万人承办量"] for n in names})
    _district_rates(led, f, names)
    for topic in f.topics:  # against the city's count of the topic: one district's cell reaches its brief alone
        for n, count in topic.by_district.items():
            led.share(f"各区.{n}.热点.{topic.name}.占全市", count, topic.current)
    streets = {(s.district, s.name): s.count for s in f.streets}
    by_name = {f"{d}{s}": count for (d, s), count in streets.items()}
    for d, s in streets:
        led.rank(f"街乡镇.{d}.{s}.排名", f"{d}{s}", by_name)


def _ranks(led: Ledger, measure: str, values: Mapping[str, Value | Derived]) -> None:
    for name in values:
        led.rank(f"各区.{name}.{measure}.排名", name, values)


def _district_rates(led: Ledger, f: Figures, names: Iterable[str]) -> None:
    """Each district's 解决率 and 满意率: its rank among the districts with a 办理率 row, and how far it is
    from the city's (in percentage points)."""
    rated = {n: f.rates[("区", n)] for n in names if ("区", n) in f.rates}
    city = f.rates.get(("全市", "全市"))
    for attribute, word in (("resolution", "解决率"), ("satisfaction", "满意率")):
        values: dict[str, Value | Derived] = {n: getattr(r, attribute) for n, r in rated.items()}
        _ranks(led, word, values)
        if city is not None:
            for n, r in rated.items():
                led.difference(f"各区.{n}.{word}.较全市", getattr(r, attribute), getattr(city, attribute))


def ranking(counts: Mapping[str, Value | Derived]) -> list[str]:
    """Names by count, largest first; ties keep the data's order; missing counts last."""
    order = {name: i for i, name in enumerate(counts)}
    return sorted(counts, key=lambda n: (-(counts[n].number or Decimal(-1)), order[n]))
