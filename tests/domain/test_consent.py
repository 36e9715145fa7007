"""The consent rule every screen, sheet and export asks."""

from __future__ import annotations

from datetime import date, datetime

from setacare_desktop.domain.consent import (
    Basis,
    ConsentRecord,
    EmergencyException,
    Giver,
    Method,
    Purpose,
    SharingDecision,
    may_share_identifying,
)

ANSHIN = "org:2"
JIDOKAN = "org:4"
DAY = date(2026, 11, 24)


def consent(recipient: str = ANSHIN, *, given: bool = True, on: date = DAY,
            withdrawn: date | None = None, purpose: Purpose = Purpose.SHARE) -> ConsentRecord:
    return ConsentRecord(recipient, purpose, given, Giver.SELF, "", Method.ORAL, on, 1,
                         withdrawn_on=withdrawn, withdrawal_reason="本人の申し出" if withdrawn else "")


def decide(consents: list[ConsentRecord], *, recipient: str = ANSHIN, on: date = DAY,
           purpose: Purpose = Purpose.SHARE, anonymous: bool = False,
           exceptions: list[EmergencyException] | None = None) -> SharingDecision:
    return may_share_identifying(anonymous=anonymous, consents=consents,
                                 exceptions=exceptions or [], recipient=recipient,
                                 purpose=purpose, on=on)


def test_given_consent_allows_that_recipient_and_purpose_only() -> None:
    records = [consent()]
    assert decide(records).allowed
    assert decide(records).basis is Basis.CONSENT
    assert not decide(records, recipient=JIDOKAN).allowed
    assert not decide(records, purpose=Purpose.SHEET).allowed
    assert "同意が記録されていません" in decide(records, recipient=JIDOKAN).reason


def test_refusal_is_respected_and_named_with_who_recorded_it_and_when() -> None:
    records = [consent(given=False)]
    decision = decide(records)
    assert not decision.allowed
    named = may_share_identifying(anonymous=False, consents=records, exceptions=[],
                                  recipient=ANSHIN, purpose=Purpose.SHARE, on=DAY,
                                  staff_names={1: "受付 花子"})
    assert "本人が令和8年11月24日に不同意としています（記録: 受付 花子）" in named.reason
    assert "同意が記録されていません" not in named.reason


def test_withdrawal_ends_consent_from_its_date_and_keeps_history() -> None:
    record = consent(on=date(2026, 4, 1), withdrawn=date(2026, 10, 1))
    assert decide([record], on=date(2026, 9, 30)).allowed
    later = decide([record], on=date(2026, 10, 1))
    assert not later.allowed
    assert "撤回" in later.reason
    assert later.consent is record


def test_latest_record_wins() -> None:
    refused_then_given = [consent(given=False, on=date(2026, 11, 1)), consent(on=DAY)]
    assert decide(refused_then_given).allowed
    given_then_refused = [consent(on=date(2026, 11, 1)), consent(given=False, on=DAY)]
    assert not decide(given_then_refused).allowed


def test_consent_given_in_the_future_does_not_count_yet() -> None:
    assert not decide([consent(on=date(2026, 12, 1))]).allowed


def test_anonymous_case_never_shares_identifying_details() -> None:
    decision = decide([consent()], anonymous=True)
    assert not decision.allowed
    assert "匿名" in decision.reason


def test_emergency_exception_allows_without_consent_and_says_so() -> None:
    emergency = EmergencyException("意識がなく同意を得られない", 9, datetime(2026, 11, 24, 11, 0))
    decision = decide([], exceptions=[emergency])
    assert decision.allowed and decision.basis is Basis.EMERGENCY
    assert decision.exception is emergency
    scoped = EmergencyException("救急搬送", 9, datetime(2026, 11, 24, 11, 0), recipient=JIDOKAN)
    assert not decide([], exceptions=[scoped]).allowed
    assert decide([], exceptions=[scoped], recipient=JIDOKAN).allowed
