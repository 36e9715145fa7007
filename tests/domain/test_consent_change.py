"""Recording a consent after the intake: nothing defaulted, and a refusal replaced only by a
confirmed change of mind; the anonymised sheet's stated reason."""

from __future__ import annotations

from datetime import date, datetime

from setacare_desktop.domain.consent import (
    CHANGE_OF_MIND_CONFIRMATION,
    ConsentEntry,
    ConsentRecord,
    EmergencyException,
    Giver,
    Method,
    Purpose,
    anonymised_statement,
    entry_problems,
    latest_record,
    may_share_identifying,
)

DAY = date(2026, 11, 24)
DEST = "dest:7"


def refusal(on: date = date(2026, 11, 1), record_id: int = 5) -> ConsentRecord:
    return ConsentRecord(DEST, Purpose.SHEET, False, Giver.SELF, "", Method.ORAL, on, 1,
                         datetime(on.year, on.month, on.day, 9), record_id=record_id)


def entry(**changes: object) -> ConsentEntry:
    base: dict[str, object] = dict(given=True, giver=Giver.SELF, giver_relation="",
                                   method=Method.WRITTEN, given_on=DAY)
    base.update(changes)
    return ConsentEntry(**base)  # type: ignore[arg-type]


def fields(problems: list) -> list[str]:
    return [p.field for p in problems]


def test_giver_and_method_are_never_assumed() -> None:
    problems = entry_problems(entry(giver=None, method=None, given_on=None), None, DAY)
    assert fields(problems) == ["同意者", "同意の方法", "同意日"]
    assert "本人か代理人か" in problems[0].message and "口頭か書面か" in problems[1].message
    assert fields(entry_problems(entry(giver=Giver.PROXY), None, DAY)) == ["同意者の続柄"]
    assert entry_problems(entry(), None, DAY) == []
    assert fields(entry_problems(entry(given_on=date(2026, 11, 25)), None, DAY)) == ["同意日"]


def test_a_consent_over_a_refusal_needs_the_confirmed_change_of_mind() -> None:
    latest = refusal()
    plain = entry_problems(entry(), latest, DAY)
    assert fields(plain) == ["本人の意思の確認", "変更の経緯"]
    assert "令和8年11月1日に不同意" in plain[0].message
    unticked = entry_problems(entry(supersedes_id=5, change_note="説明を聞いて同意した"),
                              latest, DAY)
    assert fields(unticked) == ["本人の意思の確認"]
    assert CHANGE_OF_MIND_CONFIRMATION in unticked[0].message
    early = entry_problems(entry(supersedes_id=5, change_note="同意した", mind_changed=True,
                                 given_on=date(2026, 10, 31)), latest, DAY)
    assert fields(early) == ["同意日"]
    assert entry_problems(entry(supersedes_id=5, change_note="同意した", mind_changed=True),
                          latest, DAY) == []
    # a second refusal on record meanwhile: the dialog named an older one
    stale = entry_problems(entry(supersedes_id=4, change_note="同意した", mind_changed=True),
                           latest, DAY)
    assert fields(stale) == ["本人の意思の確認"]


def test_recording_another_refusal_needs_no_change_of_mind() -> None:
    assert entry_problems(entry(given=False), refusal(), DAY) == []


def test_naming_a_refusal_that_is_no_longer_the_latest_is_refused() -> None:
    given = ConsentRecord(DEST, Purpose.SHEET, True, Giver.SELF, "", Method.ORAL, DAY, 1,
                          record_id=6)
    problems = entry_problems(entry(supersedes_id=5, change_note="x", mind_changed=True),
                              given, DAY)
    assert fields(problems) == ["本人の意思の確認"]


def test_the_latest_record_is_the_change_of_mind_and_the_refusal_stays() -> None:
    old = refusal()
    changed = ConsentRecord(DEST, Purpose.SHEET, True, Giver.SELF, "", Method.WRITTEN, DAY, 2,
                            datetime(2026, 11, 24, 10), record_id=6, supersedes_id=5,
                            change_note="説明を聞いて同意した")
    assert latest_record([old, changed], DEST, Purpose.SHEET, DAY) is changed
    assert latest_record([old, changed], DEST, Purpose.SHEET, date(2026, 11, 23)) is old


def _decision(records: list[ConsentRecord], exceptions: list[EmergencyException] = ()
              ) -> object:
    return may_share_identifying(anonymous=False, consents=records, exceptions=exceptions,
                                 recipient=DEST, purpose=Purpose.SHEET, on=DAY)


def test_the_anonymised_sheet_states_its_real_reason() -> None:
    refused = anonymised_statement(_decision([refusal()]), anonymous=False, by_fax=False)
    assert "本人が令和8年11月1日に連携シートの送付に同意しないとしているため" in refused
    missing = anonymised_statement(_decision([]), anonymous=False, by_fax=True)
    assert "本人の同意（連携シートの送付）が記録されていないため／FAXで送付するため" in missing
    given = ConsentRecord(DEST, Purpose.SHEET, True, Giver.SELF, "", Method.ORAL, DAY, 1)
    faxed = anonymised_statement(_decision([given]), anonymous=False, by_fax=True)
    assert "理由: FAXで送付するため。" in faxed and "同意" not in faxed.split("。")[1]
    chosen = anonymised_statement(_decision([given]), anonymous=False, by_fax=False)
    assert "本人の同意はありますが" in chosen
    for statement in (faxed, chosen):
        assert "同意がないため" not in statement and "記録されていない" not in statement
    nobody = anonymised_statement(_decision([]), anonymous=True, by_fax=False)
    assert "匿名の相談" in nobody
