"""Take a figure as the seed prints it, produce the counts that print that way.

A count, share or growth rate prints the way the report rounds it (half-even, builder.model.numbers);
the searches here find counts that print as printed, alone or together with a share or growth.
Targets inside each window are deterministic per key, so every run chooses the same counts.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import cache

from sample_2020_seed import POPULATION, YEAR

from builder.model.numbers import format_count, format_growth, percent, percent_range, wan_range

# ── How the seed prints a count ──────────────────────────────────────────────────────────────


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


def growth(current: int | Decimal, previous: int | Decimal, places: int = 2) -> str:
    return format_growth(current, previous, places=places).removeprefix("环比")


def per_10k(total: int, district: str) -> Decimal:
    return percent(total, Decimal(str(POPULATION[district])) * 100, 0)


def weighted_rate(units: Mapping[str, int], rates: Mapping[str, float]) -> Decimal:
    weighted = sum((Fraction(str(rates[u])) * n for u, n in units.items()), Fraction(0))
    return percent(weighted.numerator, weighted.denominator * sum(units.values()) * 100)


# ── Counts that print as printed ─────────────────────────────────────────────────────────────


def share_pool(pool: Iterable[int], whole: int, printed: str) -> list[int]:
    """The parts in pool that are the printed share of whole (cheap bounds first)."""
    low, high = percent_range(Decimal(printed.rstrip("%")), places_of(printed))
    lo, hi = Fraction(low) * whole / 100 - 1, Fraction(high) * whole / 100 + 1
    return [n for n in pool if lo <= n <= hi and share_ok(n, whole, printed)]


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
