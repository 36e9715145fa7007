"""Who sees a person: the one visibility rule every list, search, screen, sheet and export asks.

The rule (written out for a privacy officer in ``docs/privacy.md``):

- Staff of the organisation that took a consultation see it whole.
- Staff of any other organisation — another partner of the district, the area branch
  (総合支所), supervisors included — see the person's identifying details and the free text only
  while the person's 情報共有 consent to *their* organisation stands (given, in force, not
  withdrawn or refused later), or under a recorded emergency exception (then the view is flagged
  and audited as such).
- Otherwise they see a masked record: number, date, district, organisation, classifications,
  urgency flags, the person's initials and age band; nothing else.

An anonymous consultation (nobody named) taken elsewhere is masked too: its free text may still
name the consulter or others, and there is no one whose consent could open it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from setacare_desktop.domain.consent import (
    Basis,
    ConsentRecord,
    EmergencyException,
    Purpose,
    may_share_identifying,
    org_recipient,
)

#: What a masked record shows in place of a name or a text.
MASKED_TEXT = "（非表示）"

#: Shown where the person's details are withheld, with the reason after it.
MASKED_NOTICE = "本人の情報共有の同意がないため、個人を特定できる情報は表示していません。"


class Access(StrEnum):
    WHOLE = "whole"  # the taking organisation
    CONSENT = "consent"  # another organisation, 情報共有 consent to it in force
    EMERGENCY = "emergency"  # another organisation, under a recorded emergency exception
    MASKED = "masked"  # another organisation, no basis: initials and age band only

    @property
    def identifying(self) -> bool:
        return self is not Access.MASKED


@dataclass(frozen=True, slots=True)
class Visibility:
    access: Access
    reason: str  # Japanese: why the viewer sees what they see

    @property
    def identifying(self) -> bool:
        return self.access.identifying

    @property
    def emergency(self) -> bool:
        return self.access is Access.EMERGENCY


WHOLE = Visibility(Access.WHOLE, "受け付けた機関の職員です。")


def visibility(
    viewer_organisation_id: int,
    *,
    taking_organisation_id: int,
    anonymous: bool,
    consents: Iterable[ConsentRecord],
    exceptions: Iterable[EmergencyException],
    on: date,
) -> Visibility:
    """What a staff member of ``viewer_organisation_id`` may see of one consultation on ``on``."""
    if viewer_organisation_id == taking_organisation_id:
        return WHOLE
    decision = may_share_identifying(
        anonymous=anonymous, consents=consents, exceptions=exceptions,
        recipient=org_recipient(viewer_organisation_id), purpose=Purpose.SHARE, on=on)
    if decision.allowed and decision.basis is Basis.CONSENT:
        return Visibility(Access.CONSENT, "本人の情報共有の同意があります。")
    if decision.allowed:
        return Visibility(Access.EMERGENCY,
                          "緊急時の例外（生命、身体又は財産の保護）として表示しています。")
    if anonymous:
        return Visibility(Access.MASKED, "他機関が受け付けた匿名の相談のため、内容は表示していません。")
    return Visibility(Access.MASKED, MASKED_NOTICE + decision.reason)


def age_band(birth_date: date | None, on: date) -> str:
    """「80歳代」: the age in decades, never the exact age; "" without a birth date."""
    if birth_date is None:
        return ""
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if age < 0:
        return ""
    if age < 10:
        return "10歳未満"
    if age >= 100:
        return "100歳以上"
    return f"{age // 10 * 10}歳代"


#: Hepburn initial of each kana (the first letter of its romanisation).
_KANA_INITIAL: dict[str, str] = {}
for _letter, _kana in (
    ("A", "あア"), ("I", "いイ"), ("U", "うウゔヴ"), ("E", "えエ"), ("O", "おオ"),
    ("K", "かきくけこカキクケコ"), ("G", "がぎぐげごガギグゲゴ"),
    ("S", "さしすせそサシスセソ"), ("Z", "ざずぜぞザズゼゾ"), ("J", "じぢジヂ"),
    ("T", "たつてとタツテト"), ("C", "ちチ"), ("D", "だでどダデド"),
    ("N", "なにぬねのんナニヌネノン"), ("H", "はひへほハヒヘホ"), ("F", "ふフ"),
    ("B", "ばびぶべぼバビブベボ"), ("P", "ぱぴぷぺぽパピプペポ"),
    ("M", "まみむめもマミムメモ"), ("Y", "やゆよヤユヨ"), ("R", "らりるれろラリルレロ"),
    ("W", "わをワヲ"),
):
    for _k in _kana:
        _KANA_INITIAL[_k] = _letter


def initials(reading: str) -> str:
    """「F.H.」 from 「ふくだ ひろこ」: the first letter of each part of the reading."""
    letters = [_KANA_INITIAL.get(part[0], "") for part in reading.split() if part]
    letters = [letter for letter in letters if letter]
    return "".join(f"{letter}." for letter in letters) if letters else "（イニシャル不明）"


def masked_person_label(reading: str, birth_date: date | None, on: date) -> str:
    """What a masked record shows for the person: initials and age band, 「F.H.（80歳代）」."""
    band = age_band(birth_date, on)
    return initials(reading) + (f"（{band}）" if band else "")
