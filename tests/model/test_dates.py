"""Dates as the report prints them: the builder writes zh_CN dates itself (importing Babel and its
locale data would cost every build ~45 ms); Babel is the oracle they are checked against."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder.model.numbers import format_date_zh

babel_dates = pytest.importorskip("babel.dates")


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2199, 12, 31)))
def test_dates_are_babels_zh_cn_long_dates(day: datetime.date) -> None:
    assert format_date_zh(day) == babel_dates.format_date(day, format="long", locale="zh_CN")
