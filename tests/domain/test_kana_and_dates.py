"""Japanese input as users type it: readings, names, era dates (with property tests)."""

from __future__ import annotations

import contextlib
import unicodedata
from datetime import date

import jaconv
import pytest
from hypothesis import given
from hypothesis import strategies as st

from setacare_desktop.domain.jpdate import DateParseError, age_on, parse_date, to_wareki
from setacare_desktop.domain.kana import (
    digits_only,
    name_key,
    normalise_reading,
    reading_key,
    reading_problem,
)

HIRAGANA = st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3093),
                   min_size=1, max_size=12)


@pytest.mark.parametrize("typed", ["やまだ はなこ", "ヤマダ ハナコ", "ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ　ハナコ"])
def test_reading_is_stored_one_way(typed: str) -> None:
    assert normalise_reading(typed) == "やまだ はなこ"


def test_reading_must_be_kana() -> None:
    assert reading_problem("山田") == "ひらがな・カタカナで入力してください"
    assert reading_problem("ﾔﾏﾀﾞ") is None


@given(HIRAGANA)
def test_reading_key_ignores_script_and_width(text: str) -> None:
    katakana = jaconv.hira2kata(text)
    half = jaconv.z2h(katakana, kana=True)
    assert reading_key(text) == reading_key(katakana) == reading_key(half)
    assert normalise_reading(normalise_reading(text)) == normalise_reading(text)


@pytest.mark.parametrize(("a", "b"), [
    ("斎藤 一郎", "齋藤一郎"), ("斉藤", "齊藤"), ("渡辺", "渡邊"), ("渡辺", "渡邉"),
    ("高橋", "髙橋"), ("山崎", "山﨑"), ("ヤマダ", "やまだ"), ("ＡＢＣ", "abc"),
])
def test_name_key_folds_variants(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_name_key_keeps_different_names_apart() -> None:
    assert name_key("佐藤") != name_key("斎藤")


def test_phone_digits() -> None:
    assert digits_only("０３−１２３４−５６７８") == "0312345678"


@pytest.mark.parametrize("typed", [
    "令和8年11月24日", "R8.11.24", "R8/11/24", "r8-11-24", "2026-11-24", "2026/11/24",
    "2026年11月24日", "20261124", "２０２６－１１－２４", "Ｒ８．１１．２４", " 2026-11-24 ",
])
def test_every_accepted_form(typed: str) -> None:
    assert parse_date(typed) == date(2026, 11, 24)


@pytest.mark.parametrize(("typed", "expected"), [
    ("平成元年1月8日", date(1989, 1, 8)), ("H31.4.30", date(2019, 4, 30)),
    ("令和元年5月1日", date(2019, 5, 1)), ("S64.1.7", date(1989, 1, 7)),
    ("大正15年12月24日", date(1926, 12, 24)), ("T1.7.30", date(1912, 7, 30)),
])
def test_era_boundaries(typed: str, expected: date) -> None:
    assert parse_date(typed) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("", "日付を入力してください"), ("平成31年5月1日", "期間外"), ("S64.1.8", "期間外"),
    ("2026-02-30", "存在しない日付"), ("あした", "形式が正しくありません"), ("R0.1.1", "年が正しくありません"),
])
def test_bad_dates_say_why(typed: str, message: str) -> None:
    with pytest.raises(DateParseError, match=message):
        parse_date(typed)


@given(st.dates(min_value=date(1912, 7, 30), max_value=date(2099, 12, 31)))
def test_wareki_round_trips(day: date) -> None:
    assert parse_date(to_wareki(day)) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(day.strftime("%Y%m%d")) == day
    full_width = unicodedata.normalize("NFKC", day.strftime("%Y/%m/%d")).translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789/"})
    assert parse_date(full_width) == day


@given(st.text(max_size=15))
def test_parser_never_crashes(text: str) -> None:
    with contextlib.suppress(DateParseError):
        parse_date(text)


def test_age() -> None:
    assert age_on(date(1950, 11, 25), date(2026, 11, 24)) == 75
    assert age_on(date(1950, 11, 25), date(2026, 11, 25)) == 76
