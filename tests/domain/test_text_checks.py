"""Text that cannot be stored or shown (control characters, lone surrogates), record ids beyond
the database's INTEGER, and dates outside 1900–2100 are refused by field, in Japanese."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from setacare_desktop.domain.intake import (
    MAX_RECORD_ID,
    ConsentInput,
    IntakeInput,
    PersonInput,
    validate,
)
from setacare_desktop.domain.jpdate import DateParseError, parse_date
from setacare_desktop.domain.text import control_character, is_utf8_text, text_problem

NOW = datetime(2026, 11, 24, 15, 0)


def minimal(**changes: object) -> IntakeInput:
    data = IntakeInput(received_at="R8.11.24 10:30", channel="電話", district="池尻",
                       consulter_kind="本人", main_complaint="介護保険の申請について")
    for key, value in changes.items():
        setattr(data, key, value)
    return data


@pytest.mark.parametrize(("text", "multiline", "problem"), [
    ("山田 花子", False, None),
    ("一行目\n二行目\tタブ", True, None),
    ("一行目\n二行目", False, "制御文字（U+000A）は入力できません"),
    ("山田\x00花子", True, "制御文字（U+0000）は入力できません"),
    ("\x1b[31m赤\x1b[0m", False, "制御文字（U+001B）は入力できません"),
    ("介護\ud800", False, "UTF-8 の文字として読めない部分があります"),
    ("\udcff", True, "UTF-8 の文字として読めない部分があります"),
    ("👨‍👩‍👧", False, None),  # zero-width joiners are format characters, not controls
])
def test_text_problem(text: str, multiline: bool, problem: str | None) -> None:
    assert text_problem(text, multiline=multiline) == problem


def test_helpers_agree() -> None:
    assert is_utf8_text("あ") and not is_utf8_text("\ud800")
    assert control_character("a\x7fb") == "U+007F"


def test_a_nul_in_the_name_is_refused_by_field_without_quoting_the_person() -> None:
    data = minimal(person=PersonInput(name="山田\x00花子", phone="03-0000-2222"))
    valid, problems = validate(data, now=NOW)
    assert valid is None
    assert [str(p) for p in problems] == ["氏名: 制御文字（U+0000）は入力できません"]


def test_every_kind_of_field_is_checked() -> None:
    data = minimal(details="経過\n\t詳細", consulter_name="\x07", target_groups=["高齢者\x00"],
                   consents=[ConsentInput("org:1", giver_relation="\ud800")])
    _, problems = validate(data, now=NOW)
    assert [p.field for p in problems] == ["consulter_name", "target_groups", "consents"]
    assert [p.label for p in problems] == ["相談者氏名", "対象区分", "本人同意（続柄）"]


@pytest.mark.parametrize(("person_id", "ok"), [(1, True), (MAX_RECORD_ID, True),
                                                (MAX_RECORD_ID + 1, False), (0, False),
                                                (10**30, False)])
def test_the_person_id_is_within_the_database_integer(person_id: int, ok: bool) -> None:
    data = minimal(person_id=person_id)
    _, problems = validate(data, now=NOW)
    assert (problems == []) is ok
    if not ok:
        assert [str(p) for p in problems] == ["対象者ID: 1〜2,147,483,647 の整数にしてください"]


@pytest.mark.parametrize("text", ["9999-12-31", "1899-12-31", "R90.1.1", "2101/01/01"])
def test_dates_outside_1900_to_2100_are_refused(text: str) -> None:
    with pytest.raises(DateParseError, match="1900年から2100年までの日付"):
        parse_date(text)


def test_the_edges_of_the_range_are_dates() -> None:
    assert parse_date("1900-01-01") == date(1900, 1, 1)
    assert parse_date("2100-12-31") == date(2100, 12, 31)
