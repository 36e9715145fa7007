"""本人同意: consent as records, and the one rule every screen, sheet and export asks.

A consent record says: for this recipient and this purpose, the person (or a representative) gave
or refused consent, how and when, recorded by which staff member; it can later be withdrawn (the
record stays, with the withdrawal date and reason). An emergency exception (life or body at risk and
consent cannot be obtained) is a separate record approved by a supervisor.

Recipients are identified by a string key: ``org:<organisation id>`` for the district partners,
``dest:<service id>`` for referral destinations (the referral issue adds those).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

#: Read out to the person at the counter before the consent boxes are ticked: who will see what,
#: for what, and that refusing changes nothing about the help (docs/privacy.md).
COUNTER_CONSENT_WORDING = (
    "ご相談の内容と、お名前・生年月日・住所・電話番号は、この窓口で記録します。"
    "あなたが同意した機関（この地区のまちづくりセンター、あんしんすこやかセンター、社会福祉協議会、"
    "児童館、総合支所のうち、チェックしたところ）の担当者だけが、あなたを支援するために必要な範囲で"
    "見ることができます。同意しなくても、相談はこれまでどおりお受けします。"
    "同意はいつでも取り消すことができます。"
)

#: The お薬手帳 contact card's own sentence (seed 002). It belongs to that card, handed out by the
#: あんしんすこやかセンター and pharmacies, and is never read out at the counter.
CARE_CARD_CONSENT_WORDING = (
    "このカードの利用方法について説明を受けました。必要な場合は、ここに記載されている情報を、"
    "医療・介護等関係者間で共有することに同意します。"
)

#: The grounds on which identifying details may go without consent, in the law's words
#: (個人情報の保護に関する法律 第27条第1項第2号; the same ground in 第69条第2項 for the ward).
EMERGENCY_GROUNDS = "人の生命、身体又は財産の保護のために必要がある場合であって、本人の同意を得ることが困難であるとき"


class Purpose(StrEnum):
    SHARE = "share"  # 情報共有
    SHEET = "sheet"  # 連携シートの送付

    @property
    def label(self) -> str:
        return {Purpose.SHARE: "情報共有", Purpose.SHEET: "連携シートの送付"}[self]


class Giver(StrEnum):
    SELF = "self"  # 本人
    PROXY = "proxy"  # 代理人

    @property
    def label(self) -> str:
        return {Giver.SELF: "本人", Giver.PROXY: "代理人"}[self]


class Method(StrEnum):
    ORAL = "oral"  # 口頭
    WRITTEN = "written"  # 書面

    @property
    def label(self) -> str:
        return {Method.ORAL: "口頭", Method.WRITTEN: "書面"}[self]


def org_recipient(organisation_id: int) -> str:
    return f"org:{organisation_id}"


def destination_recipient(service_id: int) -> str:
    return f"dest:{service_id}"


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    recipient: str
    purpose: Purpose
    given: bool
    giver: Giver
    giver_relation: str  # e.g. 長女 when a representative consents; "" for 本人
    method: Method
    given_on: date
    recorded_by: int  # staff id
    recorded_at: datetime | None = None
    withdrawn_on: date | None = None
    withdrawal_reason: str = ""

    def in_force_on(self, day: date) -> bool:
        return self.given_on <= day and (self.withdrawn_on is None or day < self.withdrawn_on)


@dataclass(frozen=True, slots=True)
class EmergencyException:
    """Sharing without consent: life, body or property at risk and consent cannot be obtained."""

    reason: str
    approved_by: int  # a supervisor's staff id
    approved_at: datetime
    recipient: str | None = None  # None: any recipient needed to protect the person


class Basis(StrEnum):
    CONSENT = "consent"
    EMERGENCY = "emergency"


@dataclass(frozen=True, slots=True)
class SharingDecision:
    allowed: bool
    basis: Basis | None
    reason: str  # Japanese: why (not)
    consent: ConsentRecord | None = None
    exception: EmergencyException | None = None


def may_share_identifying(
    *,
    anonymous: bool,
    consents: Iterable[ConsentRecord],
    exceptions: Iterable[EmergencyException],
    recipient: str,
    purpose: Purpose,
    on: date,
) -> SharingDecision:
    """May this case's identifying details go to ``recipient`` for ``purpose`` on ``on``?

    - an anonymous consultation never shares identifying details (there are none to share);
    - the latest record for the recipient and purpose decides: given and in force → yes;
      refused or withdrawn → no;
    - failing that, a recorded emergency exception (for this recipient or for any) → yes;
    - otherwise no: consent has not been recorded.
    """
    if anonymous:
        return SharingDecision(False, None, "匿名の相談のため、個人を特定できる情報は共有できません。")
    relevant = [c for c in consents if c.recipient == recipient and c.purpose is purpose
                and c.given_on <= on]
    latest = max(relevant, key=lambda c: (c.given_on, c.recorded_at or datetime.min),
                 default=None)
    if latest is not None and latest.given and latest.in_force_on(on):
        return SharingDecision(True, Basis.CONSENT,
                               f"{latest.giver.label}の同意（{latest.method.label}）があります。",
                               consent=latest)
    emergency = next((e for e in exceptions if e.recipient in (None, recipient)), None)
    if emergency is not None:
        return SharingDecision(True, Basis.EMERGENCY,
                               "緊急時の例外（生命、身体又は財産の保護）として承認されています。",
                               exception=emergency)
    if latest is not None and latest.given:
        reason = f"同意は{latest.withdrawn_on}に撤回されています。"
    elif latest is not None:
        reason = "本人が同意していません。"
    else:
        reason = "同意が記録されていません。"
    return SharingDecision(False, None, f"{purpose.label}: {reason}", consent=latest)
