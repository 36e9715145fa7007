"""The visibility rule: who sees a person whole, who sees the masked record."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from setacare_desktop.domain.consent import (
    ConsentRecord,
    EmergencyException,
    Giver,
    Method,
    Purpose,
    org_recipient,
)
from setacare_desktop.domain.visibility import Access, age_band, initials, visibility

TODAY = date(2026, 11, 30)
TAKER, OTHER = 1, 2


def consent(recipient: int, given: bool, on: date, withdrawn: date | None = None,
            purpose: Purpose = Purpose.SHARE) -> ConsentRecord:
    return ConsentRecord(org_recipient(recipient), purpose, given, Giver.SELF, "", Method.ORAL, on,
                         9, datetime(on.year, on.month, on.day, 10), withdrawn)


def see(viewer: int, consents: list[ConsentRecord], exceptions: list[EmergencyException] = (),
        anonymous: bool = False) -> Access:
    return visibility(viewer, taking_organisation_id=TAKER, anonymous=anonymous,
                      consents=consents, exceptions=list(exceptions), on=TODAY).access


def test_the_taking_organisation_sees_whole_even_after_a_refusal() -> None:
    assert see(TAKER, [consent(TAKER, False, TODAY)]) is Access.WHOLE


def test_another_organisation_needs_consent_to_itself() -> None:
    assert see(OTHER, []) is Access.MASKED
    assert see(OTHER, [consent(3, True, TODAY)]) is Access.MASKED  # consent to someone else
    assert see(OTHER, [consent(OTHER, True, TODAY, purpose=Purpose.SHEET)]) is Access.MASKED
    assert see(OTHER, [consent(OTHER, True, TODAY)]) is Access.CONSENT


def test_a_refusal_or_a_withdrawal_masks_again() -> None:
    assert see(OTHER, [consent(OTHER, False, TODAY)]) is Access.MASKED
    assert see(OTHER, [consent(OTHER, True, date(2026, 1, 5), withdrawn=TODAY)]) is Access.MASKED
    later_refusal = [consent(OTHER, True, date(2026, 1, 5)), consent(OTHER, False, TODAY)]
    assert see(OTHER, later_refusal) is Access.MASKED


def test_an_emergency_exception_opens_and_is_flagged() -> None:
    exception = EmergencyException("火の不始末", 7, datetime(2026, 11, 30, 9))
    result = visibility(OTHER, taking_organisation_id=TAKER, anonymous=False, consents=[],
                        exceptions=[exception], on=TODAY)
    assert result.access is Access.EMERGENCY and result.emergency and result.identifying
    assert "生命、身体又は財産の保護" in result.reason


def test_an_anonymous_consultation_of_another_organisation_is_masked() -> None:
    assert see(OTHER, [], anonymous=True) is Access.MASKED
    assert see(TAKER, [], anonymous=True) is Access.WHOLE


@pytest.mark.parametrize(("born", "band"), [
    (date(1942, 12, 1), "80歳代"), (date(1942, 11, 30), "80歳代"), (date(1946, 11, 30), "80歳代"),
    (date(1946, 12, 1), "70歳代"), (date(2020, 1, 1), "10歳未満"), (date(1920, 1, 1), "100歳以上"),
    (None, ""),
])
def test_age_band_never_gives_the_exact_age(born: date | None, band: str) -> None:
    assert age_band(born, TODAY) == band


def test_initials_come_from_the_reading() -> None:
    assert initials("ふくだ ひろこ") == "F.H."
    assert initials("チバ　シンジ") == "C.S."
    assert initials("") == "（イニシャル不明）"
