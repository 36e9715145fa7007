from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from setacare_desktop.domain.jpdate import fiscal_year, to_wareki, utc_to_local
from setacare_desktop.domain.lockout import (
    LOCK_DURATION,
    MAX_FAILED_ATTEMPTS,
    LockState,
    after_failure,
)
from setacare_desktop.domain.passwords import password_problems

NOW = datetime(2026, 11, 25, 3, 0)


def test_fifth_failure_locks_then_lock_expires() -> None:
    state = LockState(0, None)
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        state = after_failure(state, NOW)
        assert not state.is_locked(NOW)
    state = after_failure(state, NOW)
    assert state.is_locked(NOW)
    assert state.is_locked(NOW + LOCK_DURATION - timedelta(seconds=1))
    assert not state.is_locked(NOW + LOCK_DURATION)


def test_failure_after_expired_lock_starts_counting_again() -> None:
    expired = LockState(0, NOW - timedelta(minutes=1))
    assert after_failure(expired, NOW) == LockState(1, None)


def test_wareki() -> None:
    assert to_wareki(date(2026, 11, 25)) == "令和8年11月25日"
    assert to_wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert to_wareki(date(2019, 4, 30)) == "平成31年4月30日"
    assert to_wareki(date(1989, 1, 7)) == "昭和64年1月7日"
    assert to_wareki(date(1926, 12, 24)) == "大正15年12月24日"


@given(st.dates(min_value=date(1912, 7, 30), max_value=date(2100, 12, 31)))
def test_wareki_always_names_an_era(day: date) -> None:
    text = to_wareki(day)
    assert text[:2] in {"令和", "平成", "昭和", "大正"}
    assert text.endswith(f"{day.month}月{day.day}日")


def test_fiscal_year_runs_april_to_march() -> None:
    assert fiscal_year(date(2026, 3, 31)) == 2025
    assert fiscal_year(date(2026, 4, 1)) == 2026


def test_utc_to_local_is_japan_time() -> None:
    assert utc_to_local(datetime(2026, 11, 25, 15, 30)) == datetime(2026, 11, 26, 0, 30)


def test_password_rules() -> None:
    assert password_problems("short", "x") == ["パスワード: 8文字以上にしてください"]
    assert password_problems("Kitazawa", "kitazawa") == [
        "パスワード: ログインIDと同じものは使えません"
    ]
    assert password_problems("long enough", "someone") == []
