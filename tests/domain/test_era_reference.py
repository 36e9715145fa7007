"""The Japanese eras against a maintained era library (japanera), not against our own table."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from japanera import EraDate  # type: ignore[import-untyped]

from setacare_desktop.domain.jpdate import MAX_YEAR, MIN_YEAR, DateParseError, parse_date, to_wareki


def _reference(day: date) -> tuple[str, int]:
    era_date = EraDate.from_date(day)
    return era_date.strftime("%-K"), int(era_date.strftime("%-Y"))


#: The first days of 大正 … 令和: every day within a week of one is checked.
_BOUNDARIES = (date(1912, 7, 30), date(1926, 12, 25), date(1989, 1, 8), date(2019, 5, 1))


def test_days_from_1900_to_2100_have_the_reference_era_and_year() -> None:
    """Every 11th day of the range (all weekdays and month days come round) and every day near
    an era's start; the library is slow, so not all 73,000 days."""
    first, last = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
    days = {first + timedelta(days=n) for n in range(0, (last - first).days + 1, 11)}
    days |= {b + timedelta(days=n) for b in _BOUNDARIES for n in range(-7, 8)}
    days |= {first, last}
    mismatches = []
    for day in sorted(days):
        era, year = _reference(day)
        expected = f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
        if to_wareki(day) != expected or parse_date(expected) != day:
            mismatches.append((day, to_wareki(day), expected))
    assert mismatches == []


@pytest.mark.parametrize(("era", "first"), [
    ("大正", date(1912, 7, 30)), ("昭和", date(1926, 12, 25)), ("平成", date(1989, 1, 8)),
    ("令和", date(2019, 5, 1)),
])
def test_the_first_day_of_each_era_is_the_reference_one(era: str, first: date) -> None:
    assert _reference(first) == (era, 1) and _reference(first - timedelta(days=1))[0] != era
    assert parse_date(f"{era}元年{first.month}月{first.day}日") == first
    with pytest.raises(DateParseError, match="その元号の期間外"):
        previous = first - timedelta(days=1)
        parse_date(f"{era}元年{previous.month}月{previous.day}日")


@pytest.mark.parametrize(("typed", "expected"), [
    ("明治45年7月29日", date(1912, 7, 29)),
    ("M45.7.29", date(1912, 7, 29)),
    ("明治三十三年一月一日", date(1900, 1, 1)),
    ("令和八年十一月二十四日", date(2026, 11, 24)),
    ("昭和二十年三月三日", date(1945, 3, 3)),
    ("平成元年一月八日", date(1989, 1, 8)),
    ("二〇二六年十一月二十四日", date(2026, 11, 24)),
])
def test_meiji_kanji_numerals_and_gannen_are_read(typed: str, expected: date) -> None:
    assert parse_date(typed) == expected


@pytest.mark.parametrize("typed", ["明治45年7月30日", "明治32年12月31日", "令和十十年一月一日"])
def test_dates_outside_an_era_or_the_range_are_refused(typed: str) -> None:
    with pytest.raises(DateParseError):
        parse_date(typed)
