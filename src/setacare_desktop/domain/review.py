"""The supervisor's review of a day's consultations: what needs a look, decisions, sign-off.

A supervisor marks each consultation 確認済 or 差戻し (a return needs a comment saying what to
fix) and then signs the district's day off (日次確認). The rules here are plain functions over
plain facts, so the database and an offline day package apply the same ones:

- ``flags_of``: what makes a consultation need a closer look;
- ``state_of``: where a consultation stands, from the latest decision and its current version
  (a consultation amended after a decision needs reviewing again);
- ``signoff_problem``: a day can be signed off once every consultation has a standing decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

#: The longest comment a decision takes (a few paragraphs, not a report).
COMMENT_MAX = 1000


class Flag(StrEnum):
    URGENT = "urgent"
    NO_CONSENT_COVER = "no_consent_cover"
    EMERGENCY_EXCEPTION = "emergency_exception"
    NO_COMPLAINT = "no_complaint"
    NO_RESPONSE = "no_response"
    REPLY_OVERDUE = "reply_overdue"
    AMENDED_AFTER_PRINT = "amended_after_print"
    AMENDED_AFTER_SIGNOFF = "amended_after_signoff"
    ADDED_AFTER_SIGNOFF = "added_after_signoff"

    @property
    def label(self) -> str:
        return FLAG_LABELS[self][0]

    @property
    def explanation(self) -> str:
        return FLAG_LABELS[self][1]


FLAG_LABELS: dict[Flag, tuple[str, str]] = {
    Flag.URGENT: ("緊急", "緊急性のある相談です（受付で緊急の項目が記録されています）。"),
    Flag.NO_CONSENT_COVER: (
        "同意なし共有", "個人を特定できる情報でつないだのに、本人同意も緊急時の例外もありません"
        "（同意の撤回を含む）。"),
    Flag.EMERGENCY_EXCEPTION: (
        "緊急時の例外", "本人同意によらない緊急時の例外が記録されています。理由と承認者を確認して"
        "ください。"),
    Flag.NO_COMPLAINT: ("主訴なし", "主訴が記入されていません。"),
    Flag.NO_RESPONSE: ("対応未記入", "対応が記入されていません。"),
    Flag.REPLY_OVERDUE: ("返信期限超過", "つなぎ先からの返信が期限を過ぎても届いていません。"),
    Flag.AMENDED_AFTER_PRINT: (
        "印刷後に修正", "連携シートを印刷した後に相談記録が修正されています。送付先の紙と内容が"
        "違う可能性があります。"),
    Flag.AMENDED_AFTER_SIGNOFF: (
        "日次確認後に修正", "日次確認の後に相談記録が修正されています。"),
    Flag.ADDED_AFTER_SIGNOFF: (
        "日次確認後に追加", "日次確認の後に、この日の相談として記録されています。"),
}


class Decision(StrEnum):
    CONFIRMED = "confirmed"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return "確認済" if self is Decision.CONFIRMED else "差戻し"

    @classmethod
    def parse(cls, text: str) -> Decision:
        cleaned = text.strip()
        for decision in cls:
            if cleaned in (decision.value, decision.label):
                return decision
        raise ValueError(text)


class ReviewState(StrEnum):
    PENDING = "pending"  # 未確認: no decision yet
    CONFIRMED = "confirmed"  # 確認済, not amended since
    RETURNED = "returned"  # 差戻し, not amended since: the clerk has something to fix
    RECHECK = "recheck"  # amended after a decision: the supervisor looks again

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def settled(self) -> bool:
        """Does this state let the day be signed off?"""
        return self in (ReviewState.CONFIRMED, ReviewState.RETURNED)


STATE_LABELS: dict[ReviewState, str] = {
    ReviewState.PENDING: "未確認",
    ReviewState.CONFIRMED: "確認済",
    ReviewState.RETURNED: "差戻し",
    ReviewState.RECHECK: "修正あり（再確認）",
}


@dataclass(frozen=True, slots=True)
class ReferralFacts:
    """What the review needs to know of one referral of the consultation."""

    identifying: bool  # identifying details went (not an anonymised referral)
    covered: bool  # consent or an emergency exception covers it (on the day and, if open, now)
    overdue: bool  # open and past its reply due date


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """A consultation as the review sees it. Times are naive UTC, as stored."""

    urgent: bool
    main_complaint: str
    response_code: str | None
    emergency_exceptions: int = 0
    referrals: tuple[ReferralFacts, ...] = ()
    amended_at: datetime | None = None  # the latest amendment
    first_printed_at: datetime | None = None  # the first print of any of its liaison sheets
    signed_off_at: datetime | None = None  # its district's day was signed off then
    created_at: datetime | None = None  # when it was recorded


def flags_of(facts: CaseFacts) -> tuple[Flag, ...]:
    """Every flag that applies, in the order of ``Flag``."""
    found: set[Flag] = set()
    if facts.urgent:
        found.add(Flag.URGENT)
    if any(r.identifying and not r.covered for r in facts.referrals):
        found.add(Flag.NO_CONSENT_COVER)
    if facts.emergency_exceptions:
        found.add(Flag.EMERGENCY_EXCEPTION)
    if not facts.main_complaint.strip():
        found.add(Flag.NO_COMPLAINT)
    if not facts.response_code:
        found.add(Flag.NO_RESPONSE)
    if any(r.overdue for r in facts.referrals):
        found.add(Flag.REPLY_OVERDUE)
    if facts.amended_at is not None:
        if facts.first_printed_at is not None and facts.amended_at > facts.first_printed_at:
            found.add(Flag.AMENDED_AFTER_PRINT)
        if facts.signed_off_at is not None and facts.amended_at > facts.signed_off_at:
            found.add(Flag.AMENDED_AFTER_SIGNOFF)
    if (facts.signed_off_at is not None and facts.created_at is not None
            and facts.created_at > facts.signed_off_at):
        found.add(Flag.ADDED_AFTER_SIGNOFF)
    return tuple(flag for flag in Flag if flag in found)


def state_of(decision: Decision | None, reviewed_version: int | None,
             current_version: int) -> ReviewState:
    """Where a consultation stands: the latest decision, unless it was amended since."""
    if decision is None or reviewed_version is None:
        return ReviewState.PENDING
    if current_version > reviewed_version:
        return ReviewState.RECHECK
    return ReviewState.CONFIRMED if decision is Decision.CONFIRMED else ReviewState.RETURNED


def decision_problem(decision: Decision, comment: str) -> str | None:
    """Why this decision cannot be recorded (Japanese), or None."""
    if decision is Decision.RETURNED and not comment.strip():
        return "差戻しには、何を直すのかをコメントに書いてください。"
    if len(comment) > COMMENT_MAX:
        return f"コメントは{COMMENT_MAX}文字以内にしてください（{len(comment)}文字）。"
    return None


#: The flags that count as a change to a day after it was signed off.
CHANGED_AFTER_SIGNOFF = frozenset({Flag.AMENDED_AFTER_SIGNOFF, Flag.ADDED_AFTER_SIGNOFF})


def signoff_day_problem(day: date, today: date) -> str | None:
    """A day not yet begun cannot be signed off (today can: at the end of the day)."""
    if day > today:
        return f"{day:%Y年%m月%d日}はまだ来ていないため、日次確認できません。"
    return None


def signoff_problem(states: Iterable[ReviewState]) -> str | None:
    """Why the day cannot be signed off yet (Japanese), or None.

    A day with no consultations can be signed off: the supervisor confirms there were none.
    """
    unsettled = [s for s in states if not s.settled]
    if not unsettled:
        return None
    pending = sum(1 for s in unsettled if s is ReviewState.PENDING)
    recheck = len(unsettled) - pending
    parts = []
    if pending:
        parts.append(f"未確認 {pending}件")
    if recheck:
        parts.append(f"修正後の再確認 {recheck}件")
    return (f"まだ確認していない相談があります（{'、'.join(parts)}）。すべての相談を確認済または"
            "差戻しにしてから日次確認してください。")
