"""Number rules: parsing what analysts type, GB/T 8170 rounding, Chinese number formatting (docs/standards.md §Numbers)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction

__all__ = [
    "NumberError",
    "chinese_numeral",
    "format_count",
    "format_date_zh",
    "format_growth",
    "format_integer",
    "format_percent",
    "growth",
    "growth_word",
    "heading_number",
    "parse_number",
    "parse_percent_flag",
    "percent",
    "percent_range",
    "ratio",
    "round_half_even",
    "rounds_to",
    "shares_add_up",
    "wan_range",
]

_RATIO_DIGITS = 40
_WAN = Decimal(10000)
_YI = Decimal(100000000)
_HALF = Decimal("0.5")

_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "．": ".",
        "－": "-",
        "＋": "+",
        "％": "%",
        "，": ",",
    }
)
# \s covers U+3000 and NBSP; zero-width space and BOM are not whitespace but ride along from
# copy-paste out of Excel and web pages.
_STRAY_SPACE = re.compile(r"[\s\u200b\ufeff]+")
# Digits spelled out as [0-9] because \d would also admit Arabic-Indic and other Unicode digits.
# Grouped integers must be grouped correctly: "12,34" is more likely a typo or a decimal comma
# than a thousands separator, so it is refused rather than read as 1234.
_NUMBER = re.compile(
    r"(?P<sign>[+-])?"
    r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
    r"(?P<frac>\.[0-9]+)?"
    r"(?:(?P<pct>%)|(?P<mult>[万亿])?(?P<unit>[件人次条个])?)"
)
_DIGITS_ZH = "〇一二三四五六七八九"


class NumberError(ValueError):
    """Raised when a cell's text is not a number the report understands."""


def parse_percent_flag(text: str) -> tuple[Decimal, bool]:
    """Parse an analyst-typed number and tell whether it carried a percent sign."""
    cleaned = _STRAY_SPACE.sub("", text.translate(_FULL_WIDTH))
    if not cleaned:
        raise NumberError("不是数字：空白")
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise NumberError(f"不是数字：“{text.strip()}”")
    literal = (match["sign"] or "") + match["int"].replace(",", "") + (match["frac"] or "")
    value = Decimal(literal)
    multiplier = {"万": _WAN, "亿": _YI}.get(match["mult"] or "")
    if multiplier is not None:
        value = _exact().multiply(value, multiplier)
    return value, match["pct"] is not None


def parse_number(text: str) -> Decimal:
    """Parse an analyst-typed number (percent sign, 万/亿 and unit words allowed)."""
    return parse_percent_flag(text)[0]


def _exact() -> Context:
    """Fresh context whose additions, products and quantizations never round."""
    # Only for operations with finite exact results; a division here would exhaust memory.
    return Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _from_scaled(n: int, places: int) -> Decimal:
    """Decimal equal to n × 10^-places with exactly that exponent."""
    return Decimal(f"{n}E{-places}")


def _round_fraction(value: Fraction, places: int) -> Decimal:
    """Round an exact rational half-even to places, in one step."""
    scaled = value * Fraction(10) ** places
    quotient, remainder = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * remainder
    if twice > scaled.denominator or (twice == scaled.denominator and quotient % 2 == 1):
        quotient += 1
    return _from_scaled(quotient, places)


def _unsigned_zero(value: Decimal) -> Decimal:
    """Drop the sign of a negative zero so it never prints as '-0.00'."""
    return abs(value) if value.is_zero() else value


def _plain(value: Decimal) -> str:
    """Positional notation of value, never scientific."""
    return format(_unsigned_zero(value), "f")


def round_half_even(value: Decimal, places: int) -> Decimal:
    """Round value to places decimals by 四舍六入五成双 in a single step (GB/T 8170; docs/standards.md §Rounding)."""
    exponent = Decimal(1).scaleb(-places)
    return value.quantize(exponent, rounding=ROUND_HALF_EVEN, context=_exact())


def ratio(part: int | Decimal, whole: int | Decimal) -> Decimal:
    """Quotient part / whole to 40 significant digits."""
    if whole == 0:
        raise ZeroDivisionError("分母为零，无法计算比例")
    return Context(prec=_RATIO_DIGITS).divide(Decimal(part), Decimal(whole))


def percent(part: int | Decimal, whole: int | Decimal, places: int = 2) -> Decimal:
    """part / whole × 100 rounded half-even once, from the exact quotient."""
    if whole == 0:
        raise ZeroDivisionError("分母为零，无法计算百分比")
    # Rounding the exact rational avoids the double rounding a 40-digit quotient could cause.
    return _round_fraction(Fraction(part) * 100 / Fraction(whole), places)


def format_percent(value_percent: Decimal, places: int | None = 2) -> str:
    """Print a value already in percent units with a percent sign."""
    shown = value_percent if places is None else round_half_even(value_percent, places)
    return f"{_plain(shown)}%"


def format_count(n: int, *, places: int = 1, strip_zeros: bool = False, threshold: int = 10000) -> str:
    """Print a count as a plain integer, or in 万 at or above threshold (no unit word)."""
    # By magnitude so a negative difference of counts reads like its positive counterpart.
    if abs(n) < threshold:
        return format_integer(n)
    text = _plain(round_half_even(_from_scaled(n, 4), places))
    if strip_zeros and "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}万"


def format_integer(n: int) -> str:
    """Print an integer as plain digits without grouping."""
    return str(n)


def growth(current: int | Decimal, previous: int | Decimal) -> Decimal:
    """Relative change (current - previous) / previous to 40 significant digits."""
    if previous == 0:
        raise ZeroDivisionError("上期数为零，无法计算增长率")
    context = Context(prec=_RATIO_DIGITS)
    return context.divide(context.subtract(Decimal(current), Decimal(previous)), Decimal(previous))


def growth_word(g_percent_rounded: Decimal) -> str:
    """Word for the direction of a rounded growth percentage."""
    if g_percent_rounded > 0:
        return "上升"
    if g_percent_rounded < 0:
        return "下降"
    return "持平"


def format_growth(
    current: int | Decimal,
    previous: int | Decimal,
    *,
    places: int = 2,
    prefix: str = "环比",
) -> str:
    """Sentence fragment such as '环比上升53.01%', or '与上年持平' when it rounds to zero."""
    if previous == 0:
        raise ZeroDivisionError("上期数为零，无法计算增长率")
    delta = Fraction(current) - Fraction(previous)
    rounded = _round_fraction(delta * 100 / Fraction(previous), places)
    word = growth_word(rounded)
    if word == "持平":
        return "与上年持平"
    return f"{prefix}{word}{format_percent(abs(rounded), places)}"


def chinese_numeral(n: int) -> str:
    """Chinese numeral for 0..99 (0 is '〇', 10 is '十', 21 is '二十一')."""
    if not 0 <= n <= 99:
        raise ValueError(f"只支持0到99的中文数字，收到：{n}")
    if n < 10:
        return _DIGITS_ZH[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _DIGITS_ZH[tens]
    tail = "" if ones == 0 else _DIGITS_ZH[ones]
    return f"{head}十{tail}"


def heading_number(level: int, n: int) -> str:
    """Heading label: 一、 / （一） / 1. / （1） for levels 1 to 4."""
    if n < 1:
        raise ValueError(f"标题序号必须从1开始，收到：{n}")
    if level == 1:
        return f"{chinese_numeral(n)}、"
    if level == 2:
        return f"（{chinese_numeral(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"标题层级只有1到4级，收到：{level}")


def shares_add_up(printed_percents: Sequence[Decimal], places: int = 2) -> bool:
    """Whether printed shares of one whole sum to 100 within their worst-case rounding error."""
    tolerance = len(printed_percents) * _HALF * Decimal(1).scaleb(-places)
    return abs(sum(printed_percents, Decimal(0)) - 100) <= tolerance


def percent_range(printed: Decimal, places: int) -> tuple[Decimal, Decimal]:
    """Closed hull of exact values printing as printed; ends belong only where rounds_to says."""
    half_unit = _HALF * Decimal(1).scaleb(-places)
    context = _exact()
    return context.subtract(printed, half_unit), context.add(printed, half_unit)


def wan_range(printed_wan: Decimal, places: int) -> tuple[Decimal, Decimal]:
    """Closed hull, in 件, of counts printing as printed_wan 万; ends as for percent_range."""
    low, high = percent_range(printed_wan, places)
    context = _exact()
    return context.multiply(low, _WAN), context.multiply(high, _WAN)


def rounds_to(exact: Decimal | Fraction, printed: Decimal, places: int) -> bool:
    """Whether exact rounds half-even at places to printed (the authoritative membership test)."""
    if isinstance(exact, Fraction):
        return _round_fraction(exact, places) == printed
    return round_half_even(exact, places) == printed


def format_date_zh(d: datetime.date) -> str:
    """Date as '2021年1月15日'.

    What Babel's `format_date(d, "y年M月d日", locale="zh_CN")` gives (Western digits, no padding),
    without importing Babel and loading its locale data (~45 ms of every build)."""
    return f"{d.year}年{d.month}月{d.day}日"
