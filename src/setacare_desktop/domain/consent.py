"""本人同意: consent as records, and the one rule every screen, sheet and export asks.

A consent record says: for this recipient and this purpose, the person (or a representative) gave
or refused consent, how and when, recorded by which staff member; it can later be withdrawn (the
record stays, with the withdrawal date and reason). An emergency exception (life or body at risk and
consent cannot be obtained) is a separate record approved by a supervisor.

Recipients are identified by a string key: ``org:<organisation id>`` for the district partners,
``dest:<service id>`` for referral destinations (the referral issue adds those).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from setacare_desktop.domain.jpdate import to_wareki
from setacare_desktop.domain.problems import Problem

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
    record_id: int | None = None  # the stored record's id, where it has one
    supersedes_id: int | None = None  # the refusal this record replaces (a change of mind)
    change_note: str = ""  # how the person's mind changed, as the clerk recorded it

    def in_force_on(self, day: date) -> bool:
        return self.given_on <= day and (self.withdrawn_on is None or day < self.withdrawn_on)

    @property
    def giver_text(self) -> str:
        """「本人」, or 「代理人（長女）」."""
        return self.giver.label + (f"（{self.giver_relation}）" if self.giver_relation else "")

    @property
    def refusal(self) -> bool:
        return not self.given


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


def latest_record(consents: Iterable[ConsentRecord], recipient: str, purpose: Purpose,
                  on: date) -> ConsentRecord | None:
    """The record that decides for ``recipient`` and ``purpose`` on ``on``: the one given (or
    refused) last, the one recorded last on the same day."""
    relevant = [c for c in consents if c.recipient == recipient and c.purpose is purpose
                and c.given_on <= on]
    return max(relevant, key=lambda c: (c.given_on, c.recorded_at or datetime.min,
                                        c.record_id or 0), default=None)


def refusal_reason(record: ConsentRecord, recorded_by: str | None) -> str:
    """A refusal named as such: 「本人が令和8年11月24日に不同意としています（記録: 山田 花子）。」"""
    return (f"{record.giver_text}が{to_wareki(record.given_on)}に不同意としています"
            f"（記録: {recorded_by or f'職員ID {record.recorded_by}'}）。")


def may_share_identifying(
    *,
    anonymous: bool,
    consents: Iterable[ConsentRecord],
    exceptions: Iterable[EmergencyException],
    recipient: str,
    purpose: Purpose,
    on: date,
    staff_names: Mapping[int, str] | None = None,
) -> SharingDecision:
    """May this case's identifying details go to ``recipient`` for ``purpose`` on ``on``?

    - an anonymous consultation never shares identifying details (there are none to share);
    - the latest record for the recipient and purpose decides: given and in force → yes;
      refused or withdrawn → no;
    - failing that, a recorded emergency exception (for this recipient or for any) → yes;
    - otherwise no: consent has not been recorded.

    A refusal is named as one, with who recorded it (``staff_names``: staff id → name) and when.
    """
    if anonymous:
        return SharingDecision(False, None, "匿名の相談のため、個人を特定できる情報は共有できません。")
    latest = latest_record(consents, recipient, purpose, on)
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
        reason = f"同意は{to_wareki(latest.withdrawn_on)}に撤回されています。"
    elif latest is not None:
        reason = refusal_reason(latest, (staff_names or {}).get(latest.recorded_by))
    else:
        reason = "同意が記録されていません。"
    return SharingDecision(False, None, f"{purpose.label}: {reason}", consent=latest)


# --- recording a consent after the intake: no default over a refusal -----------------------------

#: The statement the clerk confirms before a consent replaces a recorded refusal; kept on the
#: record as its ``supersedes_id`` and the note of how the person's mind changed.
CHANGE_OF_MIND_CONFIRMATION = "本人の意思が変わったことを確認した"


@dataclass(frozen=True, slots=True)
class ConsentEntry:
    """A consent (or refusal) as the clerk entered it: nothing is assumed, so a giver or method
    not chosen is ``None`` and is reported, never defaulted."""

    given: bool
    giver: Giver | None
    giver_relation: str
    method: Method | None
    given_on: date | None
    supersedes_id: int | None = None  # the refusal this entry replaces
    change_note: str = ""  # how the person's mind changed
    mind_changed: bool = False  # the clerk ticked CHANGE_OF_MIND_CONFIRMATION


def replaces_refusal(latest: ConsentRecord | None, entry: ConsentEntry) -> bool:
    """Does ``entry`` give consent where the latest record is a refusal?"""
    return entry.given and latest is not None and latest.refusal


def entry_problems(entry: ConsentEntry, latest: ConsentRecord | None, today: date
                   ) -> list[Problem]:
    """What keeps ``entry`` from being recorded after ``latest`` (the record that decides now).

    Giver, method and date must be chosen. A consent that follows a refusal is a change of mind:
    it must name that refusal, carry the clerk's confirmation that the person changed their mind
    and a note of how, and be dated no earlier than the refusal (which stays in the history).
    """
    problems = []
    if entry.giver is None:
        problems.append(Problem("同意者", "本人か代理人かを選んでください"))
    elif entry.giver is Giver.PROXY and not entry.giver_relation.strip():
        problems.append(Problem("同意者の続柄", "代理人の続柄を入力してください（例: 長女）"))
    if entry.method is None:
        problems.append(Problem("同意の方法", "口頭か書面かを選んでください"))
    if entry.given_on is None:
        problems.append(Problem("同意日", "入力してください"))
    elif entry.given_on > today:
        problems.append(Problem("同意日", "今日より後の日付は入力できません"))
    if not replaces_refusal(latest, entry):
        if entry.supersedes_id is not None:
            problems.append(Problem(
                "本人の意思の確認", "置き換える不同意の記録が見当たりません（記録が変わっています）。"
                "画面を開き直して、いまの記録を確かめてください"))
        return problems
    assert latest is not None
    refused_on = to_wareki(latest.given_on)
    if entry.supersedes_id is None or entry.supersedes_id != latest.record_id:
        problems.append(Problem(
            "本人の意思の確認", f"{latest.giver_text}は{refused_on}に不同意としています。"
            "本人の意思が変わったことを確かめ、その不同意を置き換える同意として記録してください"))
    elif not entry.mind_changed:
        problems.append(Problem("本人の意思の確認",
                                f"「{CHANGE_OF_MIND_CONFIRMATION}」にチェックしてください"))
    if not entry.change_note.strip():
        problems.append(Problem("変更の経緯", "本人の意思が変わった経緯を入力してください"
                                              "（例: 説明を聞いたうえで、支援を受けたいと本人が話した）"))
    if entry.given_on is not None and entry.given_on < latest.given_on:
        problems.append(Problem("同意日", f"不同意の記録（{refused_on}）より前の日付は入力できません"))
    return problems


# --- why a liaison sheet is anonymised -----------------------------------------------------------

#: What an anonymised sheet leaves out, in the words the sheet uses.
ANONYMISED_LEAVES_OUT = "個人を特定できる情報（氏名・ふりがな・住所・電話番号・生年月日・相談の記録そのもの）"


def anonymised_reasons(decision: SharingDecision, *, anonymous: bool, by_fax: bool) -> list[str]:
    """The real reasons a sheet goes anonymised, each ending in 「ため」: the consent's state
    (an anonymous consultation, refused, withdrawn, not recorded) and sending by FAX. Empty when
    none applies (consent stands and it is not faxed: the sender chose the anonymised form)."""
    reasons = []
    latest = decision.consent
    if anonymous:
        reasons.append("匿名の相談（対象者の記録なし）のため")
    elif not decision.allowed:
        if latest is not None and latest.refusal:
            reasons.append(f"{latest.giver_text}が{to_wareki(latest.given_on)}に"
                           f"{Purpose.SHEET.label}に同意しないとしているため")
        elif latest is not None and latest.withdrawn_on is not None:
            reasons.append(f"{Purpose.SHEET.label}の同意が{to_wareki(latest.withdrawn_on)}に"
                           "撤回されているため")
        else:
            reasons.append(f"本人の同意（{Purpose.SHEET.label}）が記録されていないため")
    if by_fax:
        reasons.append("FAXで送付するため")
    return reasons


def anonymised_statement(decision: SharingDecision, *, anonymous: bool, by_fax: bool) -> str:
    """The consent block of an anonymised sheet: why it is anonymised, never 「同意がないため」
    where consent stands."""
    reasons = anonymised_reasons(decision, anonymous=anonymous, by_fax=by_fax)
    if not reasons:
        basis = "緊急時の例外の承認" if decision.basis is Basis.EMERGENCY else "本人の同意"
        reasons = [f"{basis}はありますが、送付元の判断で必要最小限の情報としたため"]
    return (f"匿名の連携シートです。理由: {'／'.join(reasons)}。{ANONYMISED_LEAVES_OUT}は"
            "記載していません。相談の内容は、送付元が匿名用に書いた概要です。")
