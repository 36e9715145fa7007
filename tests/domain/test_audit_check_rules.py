"""The checks of 操作記録の確認: which audit rows get a flag, and why (in Japanese)."""

from __future__ import annotations

from datetime import datetime, timedelta

from setacare_desktop.domain.audit_checks import (
    BULK_VIEW_LIMIT,
    BULK_VIEW_WINDOW,
    EMERGENCY_VIEW_DETAIL,
    AuditFact,
    Flag,
    action_label,
    bulk_views,
    flags_of,
    off_hours,
    parse_action,
    record_label,
)

TUESDAY = datetime(2026, 11, 24, 10, 0)


def view(n: int, at: datetime = TUESDAY, login: str = "clerk", record: int | None = None,
         **kw: object) -> AuditFact:
    return AuditFact(n, at, login, str(kw.pop("action", "consultation_view")),
                     "consultation", str(record if record is not None else n), **kw)  # type: ignore[arg-type]


def test_a_view_under_an_emergency_exception_is_flagged() -> None:
    flagged = flags_of([view(1, detail=f"{EMERGENCY_VIEW_DETAIL} exception 7"),
                        view(2, detail="basis=consent")])
    assert flagged == {1: (Flag.EMERGENCY_VIEW,)}
    assert Flag.EMERGENCY_VIEW.reason == "緊急時の例外による閲覧"


def test_working_hours_are_eight_to_twenty_on_weekdays() -> None:
    assert not off_hours(TUESDAY.replace(hour=8, minute=0))
    assert not off_hours(TUESDAY.replace(hour=19, minute=59))
    assert off_hours(TUESDAY.replace(hour=7, minute=59))
    assert off_hours(TUESDAY.replace(hour=20, minute=0))
    assert off_hours(datetime(2026, 11, 28, 10, 0))  # a Saturday
    assert off_hours(datetime(2026, 11, 29, 10, 0))  # a Sunday


def test_reading_personal_data_outside_working_hours_is_flagged_not_a_logout() -> None:
    night = TUESDAY.replace(hour=22)
    flagged = flags_of([view(1, at=night), view(2, at=night, action="consultation_list"),
                        AuditFact(3, night, "clerk", "logout", "staff", "4"),
                        view(4)])
    assert flagged == {1: (Flag.OFF_HOURS,), 2: (Flag.OFF_HOURS,)}
    assert "勤務時間外" in Flag.OFF_HOURS.reason


def test_many_records_in_a_short_time_flag_the_whole_burst() -> None:
    burst = [view(n, at=TUESDAY + timedelta(seconds=10 * n)) for n in range(BULK_VIEW_LIMIT + 1)]
    assert bulk_views(burst) == {f.id for f in burst}
    assert flags_of(burst)[0] == (Flag.BULK_VIEW,)
    # the same record opened again and again is one record
    again = [view(n, at=TUESDAY + timedelta(seconds=n), record=1) for n in range(100)]
    assert bulk_views(again) == set()
    # just as many, spread over more than the window: no burst
    step = BULK_VIEW_WINDOW / BULK_VIEW_LIMIT + timedelta(seconds=1)
    slow = [view(n, at=TUESDAY + step * n) for n in range(BULK_VIEW_LIMIT + 1)]
    assert bulk_views(slow) == set()
    # two staff members sharing the load: neither is over the limit
    shared = [view(n, at=TUESDAY + timedelta(seconds=n), login=f"clerk{n % 2}")
              for n in range(BULK_VIEW_LIMIT + 1)]
    assert bulk_views(shared) == set()


def test_a_sheet_printed_but_never_sent_and_a_refusal_are_flagged() -> None:
    printed = AuditFact(1, TUESDAY, "clerk", "sheet_print", "liaison_sheet",
                        "IKEJIRI-2026-00001", sheet_sent=False)
    sent = AuditFact(2, TUESDAY, "clerk", "sheet_print", "liaison_sheet",
                     "IKEJIRI-2026-00002", sheet_sent=True)
    refused = AuditFact(3, TUESDAY, "clerk", "permission_denied", "district", "kitami",
                        detail="case_show")
    restored = AuditFact(4, TUESDAY, "(system)", "audit_protection_restored")
    assert flags_of([printed, sent, refused, restored]) == {
        1: (Flag.UNSENT_SHEET,), 3: (Flag.REFUSED,), 4: (Flag.PROTECTION,)}
    assert Flag.UNSENT_SHEET.reason == "印刷した連携シートの送付の記録がない"
    assert Flag.UNSENT_SHEET.label == "送付の記録がない連携シート"


def test_labels_and_actions_in_japanese() -> None:
    assert action_label("consultation_view") == "相談の閲覧"
    assert action_label("something_new") == "something_new"
    assert parse_action("相談の閲覧") == parse_action("consultation_view") == "consultation_view"
    assert parse_action("なにか") is None
    assert record_label("consultation", "12") == "相談 No.12"
    assert record_label("liaison_sheet", "IKEJIRI-2026-00001") == "連携シート IKEJIRI-2026-00001"
    assert record_label(None, None) == ""
