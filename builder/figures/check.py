"""Take the figures and their derived figures, produce findings: `sheet!cell: what is wrong`.

A finding means no exact values could give what the workbook states: comparisons allow for
the rounding of what they compare (a share printed to 2 decimals, a count typed in 万).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

from builder.figures.derived import Derived, Ledger, Op
from builder.model import numbers
from builder.model.figures import CALL_TYPES, Figures, Pair, Stated
from builder.model.findings import Finding, FindingKind
from builder.model.values import SheetRows, State, Value
from builder.workbook.schema import SHEETS

Quantity = Value | Derived


def check(f: Figures, led: Ledger) -> list[Finding]:
    """Every finding of the edition, in the order of the workbook's sheets."""
    out = [*_missing(f), *_order(f), *_sums(f, led), *_districts(f)]
    out += [*_stated(f, led), *_stated_shares(f, led), *_rates(f), *_shares_over_whole(led)]
    return out


def _missing(f: Figures) -> Iterator[Finding]:
    info = f.tables["基本信息"]
    for row in info.rows:
        if not row.texts.get("内容"):
            yield Finding(f"基本信息!{info.ref('内容', row.number)}", f"尚缺“{row.key[0]}”", FindingKind.MISSING)
    for sheet in SHEETS:
        table = f.tables[sheet.name]
        for row in table.rows:
            label = "、".join(k for k in row.key if k)
            for header, value in row.values.items():
                if value.state is State.MISSING:
                    yield Finding(value.where, f"尚缺数字：“{label}”的“{header}”", FindingKind.MISSING)


def _order(f: Figures) -> Iterator[Finding]:
    for sheet in SHEETS:
        if sheet.ranked_by is None:
            continue
        table = f.tables[sheet.name]
        yield from _descending(table, sheet.ranked_by)


def _descending(table: SheetRows, header: str) -> Iterator[Finding]:
    prev = None
    for row in table.rows:
        value = row[header]
        if not value.ok or value.value is None:
            continue
        if prev is not None and prev[1] < value.value:
            msg = (
                f"应按“{header}”从多到少排列：“{'、'.join(row.key)}”（{value.value}）多于上一行“{prev[0]}”（{prev[1]}）"
            )
            yield Finding(value.where, msg, FindingKind.ORDER)
        prev = ("、".join(row.key), value.value)


def _sums(f: Figures, led: Ledger) -> Iterator[Finding]:
    t = f.totals
    for year in ("本年", "上年"):
        for total, parts in (
            ("受理总量", ("电话反映", "网络反映")),
            ("受理总量", ("直接解答", "派单处理")),
            ("企业专席受理", ("企业专席直接解答", "企业专席派单")),
        ):
            values = [_year_of(t[p], year) for p in parts]
            yield from _equal(_year_of(t[total], year), values, f"{year}{'+'.join(parts)}", f"{year}{total}")
    for ct in CALL_TYPES:
        yield from _equal(led[f"类型.{ct}.月合计"], [led[f"类型.{ct}.合计"]], f"{ct}按问题类别合计", f"{ct}各月合计")
        yield from _at_most(led[f"类型.{ct}.各区合计"], led[f"类型.{ct}.合计"], f"{ct}各区合计", f"{ct}合计")
    yield from _equal(t["办理诉求"].current, [led["类型.诉求.合计"]], "五类来电中诉求合计", "办理诉求")
    yield from _equal(t["受理总量"].current, [led["类型.合计"]], "五类来电合计", "受理总量")
    yield from _equal(f.units["区分中心"], [led["各区.区级部门合计"]], "《各区》区级部门合计", "区分中心承办量")
    yield from _equal(f.units["街乡镇"], [led["各区.直派街乡镇合计"]], "《各区》直派街乡镇合计", "街乡镇承办量")
    for name, unit in (("街乡镇", "街乡镇"), ("市级部门", "市级部门"), ("国有企业", "国有企业")):
        yield from _at_most(led[f"{name}.合计"], f.units[unit], f"《{name}》所列合计", f"{unit}承办量")
    for zone in f.zones:
        yield from _at_most(
            led[f"功能区.{zone}.分类合计"], led[f"功能区.{zone}.承办量"], f"{zone}所列类别合计", f"{zone}承办量"
        )
    yield from _topic_sums(f, led)


def _year_of(pair: Pair, year: str) -> Value:
    return pair.current if year == "本年" else pair.previous


def _topic_sums(f: Figures, led: Ledger) -> Iterator[Finding]:
    for topic in f.topics:
        p = f"热点.{topic.name}"
        yield from _equal(
            topic.current,
            [topic.direct, led[f"{p}.承办合计"]],
            f"{topic.name}直接答复+各单位承办",
            f"{topic.name}反映量",
        )
        yield from _at_most(led[f"{p}.各区合计"], led[f"{p}.承办合计"], f"{topic.name}各区承办合计", "各单位承办合计")
        yield from _at_most(led[f"{p}.子类合计"], topic.current, f"{topic.name}子类合计", f"{topic.name}反映量")
        row = f.by_category.get(topic.name)
        if row is not None:
            yield from _equal(
                topic.current, list(row.values()), f"《类型分类》“{topic.name}”五类合计", f"{topic.name}反映量"
            )
        for sub in topic.monthly:
            whole = topic.subtopics.get(sub) if sub else topic.current
            base = f"{p}.子类.{sub}" if sub else p
            if whole is not None:
                yield from _equal(
                    whole, [led[f"{base}.月合计"]], f"{sub or topic.name}各月合计", f"{sub or topic.name}全年"
                )


def _tolerance(q: Quantity) -> int:
    return sum(s.tolerance for s in q.sources) if isinstance(q, Derived) else q.tolerance


def _where(q: Quantity) -> str:
    if isinstance(q, Value):
        return q.where
    return q.sources[-1].where if q.sources else q.key


def _wan(n: Decimal) -> str:
    return (
        f"{numbers.format_count(int(n), places=2, strip_zeros=True)}件（{int(n)}件）" if n >= 10000 else f"{int(n)}件"
    )


def _equal(total: Quantity, parts: Sequence[Quantity], parts_label: str, total_label: str) -> Iterator[Finding]:
    values = [p.number for p in parts]
    whole = total.number
    if whole is None or any(v is None for v in values):
        return
    got = sum((v for v in values if v is not None), Decimal(0))
    slack = _tolerance(total) + sum(_tolerance(p) for p in parts)
    if abs(got - whole) > slack:
        msg = f"{parts_label}为{_wan(got)}，与{total_label}{_wan(whole)}不符（差{_wan(abs(got - whole))}）"
        yield Finding(_where(total), msg, FindingKind.SUM)


def _at_most(part: Quantity, total: Quantity, part_label: str, total_label: str) -> Iterator[Finding]:
    a, b = part.number, total.number
    if a is None or b is None:
        return
    if a - b > _tolerance(part) + _tolerance(total):
        yield Finding(_where(part), f"{part_label}{_wan(a)}超过{total_label}{_wan(b)}", FindingKind.SUM)


def _districts(f: Figures) -> Iterator[Finding]:
    table = f.tables["各区"]
    for row in table.rows:
        zone_ref = f"各区!{table.ref('功能区', row.number)}"
        if not row.texts.get("功能区"):
            yield Finding(zone_ref, f"“{row.key[0]}”未填功能区", FindingKind.MISSING)
        pop = row["常住人口"]
        if pop.ok and pop.value == 0:
            yield Finding(pop.where, f"“{row.key[0]}”常住人口为0，无法计算万人承办量", FindingKind.OTHER)


_STATED = re.compile(r"(?P<word>上升|下降|增长|减少|持平)?\s*(?P<num>[0-9.]+)?\s*(?P<unit>%|万)?(?:件|人|次)?")


def _stated(f: Figures, led: Ledger) -> Iterator[Finding]:
    for s in f.stated:
        d = led.get(s.key)
        if d is None:
            yield Finding(s.where, f"没有编号为“{s.key}”的派生数字", FindingKind.STATED)
            continue
        if d.value is None:
            cells = "、".join(v.where for v in d.sources if not v.ok)
            yield Finding(s.where, f"公布值“{s.text}”无法核对：所需数字尚缺（{cells}）", FindingKind.STATED)
            continue
        problem = _compare(s, d)
        if problem:
            yield Finding(s.where, f"“{s.key}”公布为“{s.text}”，{problem}（{d.formula}）", FindingKind.STATED)


def _compare(s: Stated, d: Derived) -> str | None:
    """None when the exact value rounds to what was stated; otherwise what it should read."""
    m = _STATED.fullmatch(s.text.strip().replace("％", "%"))
    if not m or not m.group("num"):
        return "无法识别，应如“91.32%”“上升53.01%”或“187.07万”"
    assert d.value is not None
    printed = Decimal(m.group("num"))
    places = max(0, -printed.as_tuple().exponent)  # type: ignore[operator]
    exact = d.value
    if m.group("unit") == "万":
        exact = exact / 10000
    word = m.group("word")
    if d.op is Op.GROWTH:
        actual_word = numbers.growth_word(numbers.round_half_even(exact, places))
        if word in {"下降", "减少"} and printed != 0:
            printed = -printed
        if word and {"增长": "上升", "减少": "下降"}.get(word, word) != actual_word:
            return f"按数据应为{actual_word}{_plain(abs(exact), places)}%"
        if not word and exact < 0:
            printed = -printed
    if numbers.rounds_to(exact, printed, places):
        return None
    unit = "%" if d.op in {Op.SHARE, Op.GROWTH} else (m.group("unit") or "")
    return f"按数据应为{_plain(exact, places)}{unit}"


def _plain(value: Decimal, places: int) -> str:
    return f"{numbers.round_half_even(value, places):f}"


def _stated_shares(f: Figures, led: Ledger) -> Iterator[Finding]:
    """Stated shares of one whole, when all are stated, must add up to 100% within rounding."""
    stated = {s.key: s for s in f.stated}
    groups: dict[str, list[Derived]] = {}
    for d in led.items.values():
        if d.op is Op.SHARE and d.group and d.key.endswith(".占比"):
            groups.setdefault(d.group, []).append(d)
    for members in groups.values():
        if len(members) < 2 or not all(m.key in stated for m in members):
            continue
        texts = [stated[m.key].text for m in members]
        shown = [_percent(t) for t in texts]
        if any(v is None for v in shown):
            continue
        places = max(max(0, -v.as_tuple().exponent) for v in shown if v is not None)  # type: ignore[operator]
        if not numbers.shares_add_up([v for v in shown if v is not None], places):
            total = sum(v for v in shown if v is not None)
            msg = f"公布的占比{'+'.join(texts)}合计{total}%，不足或超过100%"
            yield Finding(stated[members[0].key].where, msg, FindingKind.STATED)


def _percent(text: str) -> Decimal | None:
    m = re.fullmatch(r"\s*([0-9.]+)\s*[%％]\s*", text)
    return Decimal(m.group(1)) if m else None


RATE_NAMES = {"resolution": "解决率", "satisfaction": "满意率", "previous_resolution": "上年解决率", "previous_satisfaction": "上年满意率"}


def _rates(f: Figures) -> Iterator[Finding]:
    """A rate of 1% or less reads as a fraction typed into a percent column (0.8583 for 85.83%)."""
    for (_scope, name), rates in f.rates.items():
        for attribute, label in RATE_NAMES.items():
            value: Value = getattr(rates, attribute)
            number = value.number
            if number is not None and 0 < number <= 1:
                yield Finding(
                    value.where,
                    f"“{name}”的{label}为{number}%，像是把小数填进了百分比列（{number}应写作{number * 100}）",
                    FindingKind.OTHER,
                )


def _shares_over_whole(led: Ledger) -> Iterator[Finding]:
    """A share over 100%: the part exceeds its whole, so one of the two cells is wrong."""
    for d in led.items.values():
        if d.op is Op.SHARE and d.value is not None and d.value > 100:
            where = d.sources[0].where if d.sources else d.key
            yield Finding(where, f"“{d.key}”为{numbers.format_percent(d.value, 2)}，超过100%：部分大于整体", FindingKind.SUM)
