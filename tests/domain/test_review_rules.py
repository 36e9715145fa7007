"""The review rules as plain functions: which flags fire, where a consultation stands, when a
decision or a sign-off is refused.

NO_COMPLAINT is covered here only: the intake form refuses an empty 主訴, so no consultation
recorded through the services can raise it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from setacare_desktop.domain.review import (
    COMMENT_MAX,
    FLAG_LABELS,
    CaseFacts,
    Decision,
    Flag,
    ReferralFacts,
    ReviewState,
    decision_problem,
    flags_of,
    signoff_day_problem,
    signoff_problem,
    state_of,
)

T0 = datetime(2026, 11, 24, 3, 0)  # naive UTC, as stored
HOUR = timedelta(hours=1)

#: A consultation nothing is wrong with.
CLEAN = CaseFacts(urgent=False, main_complaint="介護保険の申請について", response_code="advice")

COVERED = ReferralFacts(identifying=True, covered=True, overdue=False)


def test_a_clean_case_has_no_flags() -> None:
    assert flags_of(CLEAN) == ()
    assert flags_of(replace(CLEAN, referrals=(COVERED,))) == ()


@pytest.mark.parametrize(("facts", "flag"), [
    (replace(CLEAN, urgent=True), Flag.URGENT),
    (replace(CLEAN, referrals=(ReferralFacts(True, False, False),)), Flag.NO_CONSENT_COVER),
    (replace(CLEAN, emergency_exceptions=1), Flag.EMERGENCY_EXCEPTION),
    (replace(CLEAN, emergency_exceptions=2), Flag.EMERGENCY_EXCEPTION),
    (replace(CLEAN, main_complaint=""), Flag.NO_COMPLAINT),
    (replace(CLEAN, main_complaint=" \u3000\n"), Flag.NO_COMPLAINT),
    (replace(CLEAN, response_code=None), Flag.NO_RESPONSE),
    (replace(CLEAN, response_code=""), Flag.NO_RESPONSE),
    (replace(CLEAN, referrals=(ReferralFacts(False, True, True),)), Flag.REPLY_OVERDUE),
    (replace(CLEAN, amended_at=T0 + HOUR, first_printed_at=T0), Flag.AMENDED_AFTER_PRINT),
    (replace(CLEAN, amended_at=T0 + HOUR, signed_off_at=T0), Flag.AMENDED_AFTER_SIGNOFF),
])
def test_each_flag_fires_alone(facts: CaseFacts, flag: Flag) -> None:
    assert flags_of(facts) == (flag,)


def test_anonymised_referral_needs_no_consent() -> None:
    anonymised = ReferralFacts(identifying=False, covered=False, overdue=False)
    assert flags_of(replace(CLEAN, referrals=(anonymised,))) == ()
    # one uncovered identifying referral among covered ones is enough
    uncovered = ReferralFacts(identifying=True, covered=False, overdue=False)
    assert flags_of(replace(CLEAN, referrals=(COVERED, anonymised, uncovered))) == (
        Flag.NO_CONSENT_COVER,)


def test_amendments_count_only_after_the_print_and_the_signoff() -> None:
    before = replace(CLEAN, amended_at=T0 - HOUR, first_printed_at=T0, signed_off_at=T0)
    assert flags_of(before) == ()
    same_moment = replace(CLEAN, amended_at=T0, first_printed_at=T0, signed_off_at=T0)
    assert flags_of(same_moment) == ()
    never_amended = replace(CLEAN, first_printed_at=T0, signed_off_at=T0)
    assert flags_of(never_amended) == ()
    between = replace(CLEAN, amended_at=T0 + HOUR, first_printed_at=T0,
                      signed_off_at=T0 + 2 * HOUR)
    assert flags_of(between) == (Flag.AMENDED_AFTER_PRINT,)
    after_both = replace(between, amended_at=T0 + 3 * HOUR)
    assert flags_of(after_both) == (Flag.AMENDED_AFTER_PRINT, Flag.AMENDED_AFTER_SIGNOFF)


def test_flags_come_in_the_order_of_flag() -> None:
    everything = CaseFacts(
        urgent=True, main_complaint="", response_code=None, emergency_exceptions=1,
        referrals=(ReferralFacts(True, False, True),), amended_at=T0 + HOUR,
        first_printed_at=T0, signed_off_at=T0, created_at=T0 + HOUR)
    assert flags_of(everything) == tuple(Flag)


def test_a_consultation_recorded_after_the_sign_off_is_flagged() -> None:
    assert flags_of(replace(CLEAN, signed_off_at=T0, created_at=T0 - HOUR)) == ()
    assert flags_of(replace(CLEAN, created_at=T0 + HOUR)) == ()  # the day is not signed off
    assert flags_of(replace(CLEAN, signed_off_at=T0, created_at=T0 + HOUR)) == (
        Flag.ADDED_AFTER_SIGNOFF,)


def test_only_a_day_that_has_come_can_be_signed_off() -> None:
    today = date(2026, 11, 25)
    assert signoff_day_problem(today, today) is None
    assert signoff_day_problem(date(2026, 11, 24), today) is None
    assert signoff_day_problem(date(2026, 11, 26), today) == (
        "2026年11月26日はまだ来ていないため、日次確認できません。")


def test_every_flag_has_a_japanese_label_and_explanation() -> None:
    assert set(FLAG_LABELS) == set(Flag)
    for flag in Flag:
        assert flag.label and flag.explanation.endswith("。")
    assert Flag.AMENDED_AFTER_PRINT.label == "印刷後に修正"


def test_state_of() -> None:
    assert state_of(None, None, 1) is ReviewState.PENDING
    assert state_of(Decision.CONFIRMED, None, 1) is ReviewState.PENDING
    assert state_of(Decision.CONFIRMED, 2, 2) is ReviewState.CONFIRMED
    assert state_of(Decision.RETURNED, 2, 2) is ReviewState.RETURNED
    assert state_of(Decision.CONFIRMED, 2, 3) is ReviewState.RECHECK
    assert state_of(Decision.RETURNED, 1, 2) is ReviewState.RECHECK
    assert [s for s in ReviewState if s.settled] == [ReviewState.CONFIRMED, ReviewState.RETURNED]
    assert ReviewState.PENDING.label == "未確認"
    assert ReviewState.RECHECK.label == "修正あり（再確認）"


def test_decision_parse_takes_value_or_label() -> None:
    assert Decision.parse(" 確認済 ") is Decision.CONFIRMED
    assert Decision.parse("returned") is Decision.RETURNED
    assert Decision.RETURNED.label == "差戻し"
    with pytest.raises(ValueError):
        Decision.parse("保留")


def test_decision_problem() -> None:
    assert decision_problem(Decision.CONFIRMED, "") is None
    assert decision_problem(Decision.RETURNED, "主訴を具体的に") is None
    for blank in ("", "  \u3000\n"):
        problem = decision_problem(Decision.RETURNED, blank)
        assert problem is not None and "コメント" in problem
    assert decision_problem(Decision.CONFIRMED, "あ" * COMMENT_MAX) is None
    too_long = decision_problem(Decision.CONFIRMED, "あ" * (COMMENT_MAX + 1))
    assert too_long is not None and f"{COMMENT_MAX}文字以内" in too_long
    assert f"{COMMENT_MAX + 1}文字" in too_long
    assert decision_problem(Decision.RETURNED, "あ" * (COMMENT_MAX + 1)) is not None


def test_signoff_problem_counts_what_is_unsettled() -> None:
    assert signoff_problem([]) is None  # a day without consultations can be signed off
    assert signoff_problem([ReviewState.CONFIRMED, ReviewState.RETURNED]) is None
    problem = signoff_problem([ReviewState.PENDING, ReviewState.CONFIRMED, ReviewState.PENDING])
    assert problem is not None and "未確認 2件" in problem and "再確認" not in problem
    problem = signoff_problem(iter([ReviewState.RECHECK, ReviewState.PENDING]))
    assert problem is not None and "未確認 1件、修正後の再確認 1件" in problem
    problem = signoff_problem([ReviewState.RECHECK])
    assert problem is not None and "修正後の再確認 1件" in problem and "未確認" not in problem
