"""Intake validation: few required fields, every problem named in Japanese."""

from __future__ import annotations

from datetime import date, datetime

from setacare_desktop.domain.intake import (
    ConsentInput,
    IntakeInput,
    PersonInput,
    parse_datetime,
    validate,
)

NOW = datetime(2026, 11, 24, 15, 0)


def minimal(**changes: object) -> IntakeInput:
    data = IntakeInput(received_at="R8.11.24 10:30", channel="電話", district="池尻",
                       consulter_kind="本人", main_complaint="介護保険の申請について")
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_minimal_intake_is_valid_and_anonymous() -> None:
    valid, problems = validate(minimal(), now=NOW)
    assert problems == []
    assert valid is not None
    assert valid.received_at == datetime(2026, 11, 24, 10, 30)
    assert (valid.channel, valid.district, valid.consulter_kind) == ("phone", "ikejiri", "self")
    assert valid.anonymous and not valid.urgent


def test_empty_form_lists_only_the_required_fields() -> None:
    _, problems = validate(IntakeInput(), now=NOW)
    assert [str(p) for p in problems] == [
        "受付日時: 入力してください", "受付方法: 選択してください", "地区: 選択してください",
        "相談者の区分: 選択してください", "主訴: 入力してください",
    ]


def test_person_fields_are_checked_and_normalised() -> None:
    person = PersonInput(name="山田　花子", reading="ﾔﾏﾀﾞ ﾊﾅｺ", birth_date="昭和20年3月3日",
                         sex="女性", phone="０３－１２３４－５６７８", household="単身")
    valid, problems = validate(minimal(person=person), now=NOW)
    assert problems == [] and valid is not None and valid.person is not None
    assert valid.person.name == "山田 花子"
    assert valid.person.reading == "やまだ はなこ"
    assert valid.person.birth_date == date(1945, 3, 3)
    assert valid.person.phone == "03-1234-5678"
    assert (valid.person.sex, valid.person.household) == ("female", "single")


def test_future_birth_date_and_bad_reading() -> None:
    person = PersonInput(name="山田", reading="山田", birth_date="R9.1.1")
    _, problems = validate(minimal(person=person), now=NOW)
    assert [str(p) for p in problems] == [
        "ふりがな: ひらがな・カタカナで入力してください",
        "生年月日: 未来の日付は入力できません",
    ]


def test_urgency_and_mixed_target_groups() -> None:
    valid, _ = validate(minimal(urgency=["虐待の疑い"], target_groups=["高齢者", "障害者"]),
                        now=NOW)
    assert valid is not None and valid.urgent
    assert valid.target_groups == ("elderly", "disability")


def test_consent_needs_a_name_and_proxy_needs_a_relation() -> None:
    consent = ConsentInput(recipient="org:2")
    _, problems = validate(minimal(consents=[consent]), now=NOW)
    assert [str(p) for p in problems] == [
        "本人同意: 匿名の相談では同意を記録できません（氏名がありません）"]
    named = PersonInput(name="山田 花子")
    proxy = ConsentInput(recipient="org:2", giver="proxy")
    _, problems = validate(minimal(person=named, consents=[proxy]), now=NOW)
    assert [p.field for p in problems] == ["consents"]
    assert [p.label for p in problems] == ["本人同意"]
    ok, problems = validate(minimal(person=named, consents=[consent]), now=NOW)
    assert problems == [] and ok is not None
    assert ok.consents[0].given_on == date(2026, 11, 24)


def test_received_time_formats() -> None:
    assert parse_datetime("2026-11-24T09:05") == datetime(2026, 11, 24, 9, 5)
    assert parse_datetime("令和8年11月24日 １０：３０") == datetime(2026, 11, 24, 10, 30)


def test_round_trip_through_dict() -> None:
    data = minimal(person=PersonInput(name="山田"), consents=[ConsentInput("org:1")])
    assert IntakeInput.from_dict(data.to_dict()) == data


def test_consents_are_bounded_and_not_duplicated() -> None:
    """A JSON of 1,000,000 consents took minutes and wrote 41,000 rows for one recipient; the
    same recipient could be both given and refused in one intake."""
    from setacare_desktop.domain.intake import MAX_CONSENTS, ConsentInput, PersonInput

    person = PersonInput(name="山田 花子")
    many = minimal(person=person,
                   consents=[ConsentInput(f"org:{i}") for i in range(MAX_CONSENTS + 1)])
    _valid, problems = validate(many, now=NOW)
    assert [p.field for p in problems] == ["consents"]
    assert f"{MAX_CONSENTS}件まで" in problems[0].message
    twice = minimal(person=person,
                    consents=[ConsentInput("org:2"), ConsentInput("org:2", given=False)])
    _valid, problems = validate(twice, now=NOW)
    assert [p.message for p in problems] == [
        "同意先「org:2」の同じ目的の同意が重複しています（1つにしてください）"]


def test_a_complaint_of_invisible_characters_is_empty() -> None:
    _, problems = validate(minimal(main_complaint="\u200b\ufeff\u2060 "), now=NOW)
    assert "主訴: 入力してください" in [str(p) for p in problems]


def test_a_consent_dated_in_the_future_is_refused() -> None:
    consent = ConsentInput(recipient="org:1", purpose="share", given=True, giver="self",
                           method="oral", given_on="2099-01-01")
    person = PersonInput(name="山田 花子")
    _, problems = validate(minimal(person=person, consents=[consent]), now=NOW)
    assert [p.message for p in problems] == ["同意日: 未来の日付は入力できません"]
