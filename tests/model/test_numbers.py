"""Tests for builder.model.numbers: examples from the brief and properties against Fraction references."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.model.numbers import (
    NumberError,
    chinese_numeral,
    format_count,
    format_date_zh,
    format_growth,
    format_integer,
    format_percent,
    growth,
    growth_word,
    heading_number,
    parse_number,
    parse_percent_flag,
    percent,
    percent_range,
    ratio,
    round_half_even,
    rounds_to,
    shares_add_up,
    wan_range,
)

FAST = settings(max_examples=80, deadline=None)
D = Decimal


def ref_round(value: Fraction, places: int) -> Fraction:
    """Reference one-step half-even rounding (Fraction.__round__ rounds ties to even)."""
    return round(value, places)


def dec(coefficient: int, places: int) -> Decimal:
    """Decimal coefficient × 10^-places, built exactly."""
    return Decimal(f"{coefficient}E-{places}")


def to_full_width(text: str, mask: list[bool]) -> str:
    """Turn the digits and punctuation selected by mask into their full-width forms."""
    table = {str(i): chr(0xFF10 + i) for i in range(10)} | {
        ".": "．",
        "-": "－",
        "+": "＋",
        "%": "％",
        ",": "，",
    }
    return "".join(table.get(ch, ch) if mask[i % len(mask)] else ch for i, ch in enumerate(text))


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3184", D("3184")),
        ("  3184 ", D("3184")),
        ("\u30003184\u00a0", D("3184")),
        ("1 234", D("1234")),
        ("1,234", D("1234")),
        ("1，234", D("1234")),
        ("1,234,567.89", D("1234567.89")),
        ("１２３４", D("1234")),
        ("１２．５", D("12.5")),
        ("－３", D("-3")),
        ("+5", D("5")),
        ("-0.25", D("-0.25")),
        ("94.3%", D("94.3")),
        ("９４．３％", D("94.3")),
        ("2.9万", D("29000")),
        ("1,022.3万", D("10223000")),
        ("2.9万件", D("29000")),
        ("3人", D("3")),
        ("1.5亿", D("150000000")),
        ("12次", D("12")),
        ("7条", D("7")),
        ("8个", D("8")),
    ],
)
def test_parse_number_examples(text: str, expected: Decimal) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u3000",
        "abc",
        "1.2.3",
        "12a",
        "12,34",
        "1,2345",
        "1e5",
        "NaN",
        "Infinity",
        "%",
        "万",
        "5%件",
        "5万%",
        "5件万",
        "--5",
        "5-",
        ".5",
        "5.",
        "٣",
        "²",
    ],
)
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text)


def test_number_error_message_and_type() -> None:
    with pytest.raises(NumberError) as caught:
        parse_number("abc")
    assert str(caught.value) == "不是数字：“abc”"
    assert isinstance(caught.value, ValueError)
    with pytest.raises(NumberError, match="空白"):
        parse_number("  ")


def test_parse_percent_flag_examples() -> None:
    assert parse_percent_flag("94.3%") == (D("94.3"), True)
    assert parse_percent_flag("94.3％") == (D("94.3"), True)
    assert parse_percent_flag("94.3") == (D("94.3"), False)
    assert parse_percent_flag("2.9万件") == (D("29000"), False)
    with pytest.raises(NumberError):
        parse_percent_flag("abc%")


def test_parse_wan_is_exact_and_positional() -> None:
    value = parse_number("1,022.3万")
    assert value == D("10223000")
    assert "E" not in str(value)
    assert parse_number("123456789012345678901234567890.123456789万") == D("1234567890123456789012345678901234.56789")


@FAST
@given(
    n=st.integers(min_value=0, max_value=10**15),
    negative=st.booleans(),
    separator=st.sampled_from(["", ",", "，"]),
    fraction=st.one_of(st.none(), st.integers(min_value=0, max_value=999)),
    mask=st.lists(st.booleans(), min_size=1, max_size=8),
    pad_left=st.text(alphabet=" \u3000\u00a0", max_size=3),
    pad_right=st.text(alphabet=" \u3000\u00a0", max_size=3),
)
def test_parse_number_full_width_and_grouping(
    n: int,
    negative: bool,
    separator: str,
    fraction: int | None,
    mask: list[bool],
    pad_left: str,
    pad_right: str,
) -> None:
    digits = f"{n:,}".replace(",", separator)
    text = ("-" if negative else "") + digits
    expected = D(-n if negative else n)
    if fraction is not None:
        text += f".{fraction:03d}"
        expected += (-1 if negative else 1) * dec(fraction, 3)
    typed = pad_left + to_full_width(text, mask) + pad_right
    assert parse_number(typed) == expected
    assert parse_percent_flag(typed + "%") == (expected, True)


LETTERS = "abcdefxyzEeNnIiAＡｚ"


@FAST
@given(
    st.text(alphabet="0123456789.,%+- 万件" + LETTERS, min_size=1, max_size=12).filter(
        lambda s: any(ch in LETTERS for ch in s)
    )
)
def test_parse_number_rejects_strings_with_letters(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text)


@FAST
@given(
    n=st.integers(min_value=0, max_value=10**9),
    letter=st.sampled_from(list(LETTERS)),
    position=st.integers(min_value=0, max_value=20),
)
def test_parse_number_rejects_letter_inserted_in_valid_number(n: int, letter: str, position: int) -> None:
    valid = f"{n:,}.5万"
    at = position % (len(valid) + 1)
    with pytest.raises(NumberError):
        parse_number(valid[:at] + letter + valid[at:])


# ---------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("8.53459", 2, "8.53"),
        ("2.5", 0, "2"),
        ("3.5", 0, "4"),
        ("0.125", 2, "0.12"),
        ("0.135", 2, "0.14"),
        ("0.1251", 2, "0.13"),
        ("-2.5", 0, "-2"),
        ("12.6", 0, "13"),
        ("1.05", 1, "1.0"),
    ],
)
def test_round_half_even_examples(value: str, places: int, expected: str) -> None:
    result = round_half_even(D(value), places)
    assert result == D(expected)
    assert str(result) == expected


def test_round_half_even_is_one_step() -> None:
    # Two stages would go 8.53459 -> 8.535 -> 8.54.
    two_stage = round_half_even(round_half_even(D("8.53459"), 3), 2)
    assert two_stage == D("8.54")
    assert round_half_even(D("8.53459"), 2) == D("8.53")


@FAST
@given(
    coefficient=st.integers(min_value=-(10**30), max_value=10**30),
    scale=st.integers(min_value=0, max_value=12),
    places=st.integers(min_value=0, max_value=8),
)
def test_round_half_even_matches_fraction_reference(coefficient: int, scale: int, places: int) -> None:
    value = dec(coefficient, scale)
    result = round_half_even(value, places)
    assert Fraction(result) == ref_round(Fraction(value), places)
    assert result.as_tuple().exponent == -places


@FAST
@given(
    k=st.integers(min_value=0, max_value=10**6),
    places=st.integers(min_value=0, max_value=4),
    below=st.booleans(),
    offset=st.integers(min_value=1, max_value=49),
)
def test_round_half_even_differs_from_two_stage(k: int, places: int, below: bool, offset: int) -> None:
    # Values a hair off a tie, chosen so that rounding first to places+1 lands on the tie and
    # half-even then goes the other way: odd k just below k.5, even k just above it.
    k = 2 * k + 1 if below else 2 * k
    unit = Fraction(1, 10**places)
    delta = Fraction(offset, 10 ** (places + 3))
    exact = (k + Fraction(1, 2)) * unit + (-delta if below else delta)
    value = D(exact.numerator) / D(exact.denominator)
    assert Fraction(value) == exact
    one_step = ref_round(exact, places)
    two_stage = ref_round(ref_round(exact, places + 1), places)
    assert one_step != two_stage
    result = Fraction(round_half_even(value, places))
    assert result == one_step
    assert result != two_stage


# ---------------------------------------------------------------- ratios and percentages


def test_ratio_examples() -> None:
    assert ratio(1, 4) == D("0.25")
    assert ratio(1, 3) == D("0." + "3" * 40)
    assert ratio(D("2.5"), 2) == D("1.25")
    with pytest.raises(ZeroDivisionError):
        ratio(1, 0)
    with pytest.raises(ZeroDivisionError):
        ratio(0, D(0))


def test_percent_examples() -> None:
    assert percent(1, 8) == D("12.50")
    assert str(percent(1, 8)) == "12.50"
    assert percent(1, 3) == D("33.33")
    assert percent(2, 3, 1) == D("66.7")
    # 1/800 is 0.125%: half-even to 0.12, not 0.13.
    assert percent(1, 800) == D("0.12")
    assert percent(3, 800) == D("0.38")
    assert percent(D("9132"), D("10000")) == D("91.32")
    with pytest.raises(ZeroDivisionError):
        percent(1, 0)


@FAST
@given(
    part=st.integers(min_value=0, max_value=10**12),
    whole=st.integers(min_value=1, max_value=10**12),
    places=st.integers(min_value=0, max_value=4),
)
def test_percent_matches_fraction_reference(part: int, whole: int, places: int) -> None:
    exact = Fraction(part * 100, whole)
    printed = percent(part, whole, places)
    assert Fraction(printed) == ref_round(exact, places)
    assert rounds_to(exact, printed, places)
    lo, hi = percent_range(printed, places)
    assert Fraction(lo) <= exact <= Fraction(hi)
    # The 40-digit ratio agrees for figures of realistic size.
    assert rounds_to(ratio(part, whole) * 100, printed, places)


@FAST
@given(
    part=st.integers(min_value=0, max_value=10**6),
    whole=st.integers(min_value=1, max_value=10**6),
    scale_part=st.integers(min_value=0, max_value=3),
    scale_whole=st.integers(min_value=0, max_value=3),
)
def test_percent_with_decimal_inputs(part: int, whole: int, scale_part: int, scale_whole: int) -> None:
    p, w = dec(part, scale_part), dec(whole, scale_whole)
    assert Fraction(percent(p, w)) == ref_round(Fraction(p) * 100 / Fraction(w), 2)


def test_format_percent_examples() -> None:
    assert format_percent(D("94.3"), None) == "94.3%"
    assert format_percent(D("91.32")) == "91.32%"
    assert format_percent(D("91.325")) == "91.32%"
    assert format_percent(D("91.335")) == "91.34%"
    assert format_percent(D("94.3")) == "94.30%"
    assert format_percent(D("94.35"), 1) == "94.4%"
    assert format_percent(D("1E+2"), None) == "100%"
    assert format_percent(D("1E-7"), None) == "0.0000001%"
    assert format_percent(D("-0.001")) == "0.00%"


@FAST
@given(
    coefficient=st.integers(min_value=-(10**12), max_value=10**12),
    exponent=st.integers(min_value=-12, max_value=6),
    places=st.one_of(st.none(), st.integers(min_value=0, max_value=4)),
)
def test_format_percent_is_positional(coefficient: int, exponent: int, places: int | None) -> None:
    value = D(f"{coefficient}E{exponent}")
    text = format_percent(value, places)
    assert text.endswith("%")
    assert "E" not in text and "e" not in text
    assert parse_percent_flag(text) == (
        value if places is None else round_half_even(value, places),
        True,
    )


# ---------------------------------------------------------------- counts


@pytest.mark.parametrize(
    ("n", "places", "strip", "threshold", "expected"),
    [
        (3184, 1, False, 10000, "3184"),
        (8400, 1, False, 10000, "8400"),
        (9999, 1, False, 10000, "9999"),
        (0, 1, False, 10000, "0"),
        (10000, 1, False, 10000, "1.0万"),
        (10223000, 1, False, 10000, "1022.3万"),
        (1870700, 2, False, 10000, "187.07万"),
        (1540000, 2, False, 10000, "154.00万"),
        (1650000, 1, True, 10000, "165万"),
        (1650000, 2, True, 10000, "165万"),
        (29300, 2, True, 10000, "2.93万"),
        (500000, 1, True, 10000, "50万"),
        (500000, 1, False, 10000, "50.0万"),
        (123456000, 1, False, 10000, "12345.6万"),
        (1234567, 0, False, 10000, "123万"),
        (12345, 0, False, 10000, "1万"),
        (15000, 0, False, 10000, "2万"),
        (25000, 0, False, 10000, "2万"),
        (8400, 1, False, 1000, "0.8万"),
        (12000, 1, False, 100000, "12000"),
    ],
)
def test_format_count_examples(n: int, places: int, strip: bool, threshold: int, expected: str) -> None:
    assert format_count(n, places=places, strip_zeros=strip, threshold=threshold) == expected


def test_format_integer_examples() -> None:
    assert format_integer(3184) == "3184"
    assert format_integer(10223000) == "10223000"
    assert format_integer(0) == "0"


@FAST
@given(
    n=st.one_of(
        st.integers(min_value=0, max_value=9999),
        st.integers(min_value=10000, max_value=10**13),
    ),
    places=st.integers(min_value=0, max_value=3),
    strip=st.booleans(),
)
def test_format_count_round_trips_within_half_unit(n: int, places: int, strip: bool) -> None:
    text = format_count(n, places=places, strip_zeros=strip)
    assert "," not in text and "E" not in text
    value = parse_number(text)
    if n < 10000:
        assert value == n
        assert text == str(n)
        return
    assert text.endswith("万")
    assert abs(value - n) <= D("0.5") * D(10) ** -places * 10000
    printed_wan = value / 10000
    assert rounds_to(D(n) / 10000, printed_wan, places)
    lo, hi = wan_range(printed_wan, places)
    assert lo <= n <= hi
    if strip:
        assert not text[:-1].endswith(".") and not ("." in text and text[:-1].endswith("0"))


# ---------------------------------------------------------------- ranges


def test_range_examples() -> None:
    assert percent_range(D("91.32"), 2) == (D("91.315"), D("91.325"))
    assert wan_range(D("1022.3"), 1) == (D("10222500"), D("10223500"))
    # Last digit 3 is odd, so neither end rounds to it; 2 is even, so both ends do.
    assert not rounds_to(D("1022.25"), D("1022.3"), 1)
    assert not rounds_to(D("1022.35"), D("1022.3"), 1)
    assert rounds_to(D("1022.15"), D("1022.2"), 1)
    assert rounds_to(D("1022.25"), D("1022.2"), 1)
    assert rounds_to(Fraction(9132, 100), D("91.32"), 2)
    assert not rounds_to(Fraction(1, 3), D("0.34"), 2)
    # A hair above a tie, far beyond 28 significant digits: still not a tie.
    assert rounds_to(Fraction(125, 10**5) + Fraction(1, 10**40), D("0.0013"), 4)
    assert rounds_to(Fraction(125, 10**5), D("0.0012"), 4)


@FAST
@given(
    coefficient=st.integers(min_value=-(10**9), max_value=10**9),
    places=st.integers(min_value=0, max_value=4),
    numerator=st.integers(min_value=1, max_value=10**6 - 1),
    eps_digits=st.integers(min_value=1, max_value=40),
)
def test_percent_range_membership(coefficient: int, places: int, numerator: int, eps_digits: int) -> None:
    printed = dec(coefficient, places)
    lo, hi = percent_range(printed, places)
    assert lo < printed < hi
    inside = Fraction(lo) + (Fraction(hi) - Fraction(lo)) * Fraction(numerator, 10**6)
    assert rounds_to(inside, printed, places)
    inside_decimal = lo + (hi - lo) * dec(numerator, 6)
    assert rounds_to(inside_decimal, printed, places)
    ends_included = coefficient % 2 == 0
    assert rounds_to(lo, printed, places) is ends_included
    assert rounds_to(hi, printed, places) is ends_included
    eps = Fraction(1, 10 ** (places + eps_digits))
    assert not rounds_to(Fraction(lo) - eps, printed, places)
    assert not rounds_to(Fraction(hi) + eps, printed, places)


@FAST
@given(
    n=st.integers(min_value=10000, max_value=10**12),
    places=st.integers(min_value=0, max_value=3),
    numerator=st.integers(min_value=1, max_value=999),
)
def test_wan_range_membership(n: int, places: int, numerator: int) -> None:
    printed = parse_number(format_count(n, places=places)) / 10000
    lo, hi = wan_range(printed, places)
    assert lo <= n <= hi
    inside = lo + (hi - lo) * dec(numerator, 3)
    assert rounds_to(inside / 10000, printed, places)
    last_even = int(printed.scaleb(places)) % 2 == 0
    assert rounds_to(lo / 10000, printed, places) is last_even
    assert not rounds_to((lo - 1) / 10000, printed, places)
    assert not rounds_to((hi + 1) / 10000, printed, places)


# ---------------------------------------------------------------- shares


def test_shares_add_up_examples() -> None:
    assert shares_add_up([D("33.33"), D("33.33"), D("33.33")])
    assert shares_add_up([D("50.00"), D("50.00")])
    assert shares_add_up([D("33.34"), D("33.33"), D("33.33")])
    assert not shares_add_up([D("33.34"), D("33.34"), D("33.34")])
    assert not shares_add_up([D("50.00"), D("49.00")])
    assert shares_add_up([D("33"), D("33"), D("33")], places=0)
    assert not shares_add_up([])


@FAST
@given(
    parts=st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=25),
    places=st.integers(min_value=0, max_value=3),
)
def test_percent_shares_always_add_up(parts: list[int], places: int) -> None:
    total = sum(parts)
    shares = [percent(part, total, places) for part in parts]
    assert shares_add_up(shares, places)


# ---------------------------------------------------------------- growth


def test_growth_examples() -> None:
    assert growth(15301, 10000) == D("0.5301")
    assert growth(8750, 10000) == D("-0.125")
    assert growth(D("3"), D("3")) == 0
    assert growth(4, 3) == D("0." + "3" * 40)
    with pytest.raises(ZeroDivisionError):
        growth(5, 0)


def test_growth_word_examples() -> None:
    assert growth_word(D("53.01")) == "上升"
    assert growth_word(D("-12.50")) == "下降"
    assert growth_word(D("0.00")) == "持平"
    assert growth_word(D("-0.00")) == "持平"


def test_format_growth_examples() -> None:
    assert format_growth(15301, 10000) == "环比上升53.01%"
    assert format_growth(8750, 10000) == "环比下降12.50%"
    assert format_growth(10000, 10000) == "与上年持平"
    # -0.001% rounds to zero: the word follows the rounded figure.
    assert format_growth(99999, 100000) == "与上年持平"
    assert format_growth(99999, 100000, places=3) == "环比下降0.001%"
    assert format_growth(110, 100, prefix="同比", places=1) == "同比上升10.0%"
    # 1/800 = 0.125% rounds half-even to 0.12%.
    assert format_growth(801, 800) == "环比上升0.12%"
    with pytest.raises(ZeroDivisionError):
        format_growth(1, 0)


@FAST
@given(
    previous=st.integers(min_value=1, max_value=10**8),
    change=st.one_of(
        st.integers(min_value=-50, max_value=50),
        st.integers(min_value=-(10**8), max_value=10**8),
    ),
    places=st.integers(min_value=0, max_value=3),
)
def test_growth_word_follows_rounded_sign(previous: int, change: int, places: int) -> None:
    current = max(previous + change, 0)
    rounded = ref_round(Fraction(current - previous, previous) * 100, places)
    text = format_growth(current, previous, places=places)
    assert "-" not in text and "－" not in text and "−" not in text
    if rounded == 0:
        assert text == "与上年持平"
        return
    word = growth_word(Decimal(rounded.numerator) / Decimal(rounded.denominator))
    assert word == ("上升" if rounded > 0 else "下降")
    assert text.startswith("环比" + word)
    magnitude, had_percent = parse_percent_flag(text.removeprefix("环比" + word))
    assert had_percent
    assert Fraction(magnitude) == abs(rounded)
    signed = magnitude if word == "上升" else -magnitude
    assert rounds_to(Fraction(current - previous, previous) * 100, signed, places)


# ---------------------------------------------------------------- Chinese numerals and headings


KNOWN_NUMERALS = {
    0: "〇",
    1: "一",
    2: "二",
    3: "三",
    9: "九",
    10: "十",
    11: "十一",
    15: "十五",
    19: "十九",
    20: "二十",
    21: "二十一",
    30: "三十",
    45: "四十五",
    60: "六十",
    99: "九十九",
}


@pytest.mark.parametrize(("n", "expected"), sorted(KNOWN_NUMERALS.items()))
def test_chinese_numeral_known_values(n: int, expected: str) -> None:
    assert chinese_numeral(n) == expected


def test_chinese_numeral_injective_and_bounded() -> None:
    numerals = [chinese_numeral(n) for n in range(100)]
    assert len(set(numerals)) == 100
    assert all(set(text) <= set("〇一二三四五六七八九十") for text in numerals)
    assert all(len(chinese_numeral(n)) <= 3 for n in range(1, 100))
    for bad in (-1, 100, 1000):
        with pytest.raises(ValueError):
            chinese_numeral(bad)


@FAST
@given(st.integers(min_value=1, max_value=99))
def test_chinese_numeral_reads_back(n: int) -> None:
    digits = {ch: i for i, ch in enumerate("〇一二三四五六七八九")}
    text = chinese_numeral(n)
    if "十" in text:
        head, _, tail = text.partition("十")
        value = (digits[head] if head else 1) * 10 + (digits[tail] if tail else 0)
    else:
        value = digits[text]
    assert value == n


def test_heading_number_examples() -> None:
    assert heading_number(1, 1) == "一、"
    assert heading_number(2, 1) == "（一）"
    assert heading_number(3, 1) == "1."
    assert heading_number(4, 1) == "（1）"
    assert heading_number(1, 12) == "十二、"
    assert heading_number(2, 20) == "（二十）"
    assert heading_number(4, 12) == "（12）"
    assert heading_number(2, 3)[0] == "\uff08" and heading_number(2, 3)[-1] == "\uff09"
    for level, n in [(0, 1), (5, 1), (1, 0), (1, 100), (3, 0)]:
        with pytest.raises(ValueError):
            heading_number(level, n)


# ---------------------------------------------------------------- dates


def test_format_date_zh_examples() -> None:
    assert format_date_zh(datetime.date(2021, 1, 15)) == "2021年1月15日"
    assert format_date_zh(datetime.date(2020, 12, 3)) == "2020年12月3日"
