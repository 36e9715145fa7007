"""Referrals (つなぎ) tracked until the destination's reply: methods, statuses and their rules.

A referral goes 作成 → 送付済 → 受理 → 対応中 → 完了; the destination may decline it (対応不可, with a
reason) once it has been sent, and staff may withdraw it (取下げ) at any time before it is closed.
Once sent, steps forward may be skipped (a destination often replies 「対応しました」 straight
away); nothing goes back, and a closed referral stays closed.

A referral is *open* until it is 完了, 対応不可 or 取下げ; an open referral whose reply due date has
passed is *overdue*.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from setacare_desktop.domain.consent import Purpose
from setacare_desktop.domain.reference import Term


class ReferralMethod(StrEnum):
    SHEET_HANDED = "sheet_handed"  # 連携シート手渡し
    POST = "post"  # 郵送
    FAX = "fax"  # FAX
    PHONE = "phone"  # 電話
    EMAIL = "email"  # メール

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]

    @property
    def purpose(self) -> Purpose:
        """The consent purpose an identifying referral by this method needs: a liaison sheet
        handed over, posted or faxed is 連携シートの送付; a call or an e-mail is 情報共有."""
        return Purpose.SHEET if self in _SHEET_METHODS else Purpose.SHARE

    @classmethod
    def parse(cls, text: str) -> ReferralMethod:
        """The code or the Japanese label (「FAX」「連携シート手渡し」)."""
        cleaned = text.strip()
        for method, label in METHOD_LABELS.items():
            if cleaned in (method.value, label):
                return method
        raise ValueError(text)


METHOD_LABELS: dict[ReferralMethod, str] = {
    ReferralMethod.SHEET_HANDED: "連携シート手渡し",
    ReferralMethod.POST: "郵送",
    ReferralMethod.FAX: "FAX",
    ReferralMethod.PHONE: "電話",
    ReferralMethod.EMAIL: "メール",
}
_SHEET_METHODS = frozenset({ReferralMethod.SHEET_HANDED, ReferralMethod.POST, ReferralMethod.FAX})


class ReferralStatus(StrEnum):
    CREATED = "created"  # 作成
    SENT = "sent"  # 送付済
    ACCEPTED = "accepted"  # 受理
    IN_PROGRESS = "in_progress"  # 対応中
    DONE = "done"  # 完了
    DECLINED = "declined"  # 対応不可 (with a reason)
    WITHDRAWN = "withdrawn"  # 取下げ

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def closed(self) -> bool:
        return self in CLOSED_STATUSES

    @classmethod
    def parse(cls, text: str) -> ReferralStatus:
        cleaned = text.strip()
        for status, label in STATUS_LABELS.items():
            if cleaned in (status.value, label):
                return status
        raise ValueError(text)


STATUS_LABELS: dict[ReferralStatus, str] = {
    ReferralStatus.CREATED: "作成",
    ReferralStatus.SENT: "送付済",
    ReferralStatus.ACCEPTED: "受理",
    ReferralStatus.IN_PROGRESS: "対応中",
    ReferralStatus.DONE: "完了",
    ReferralStatus.DECLINED: "対応不可",
    ReferralStatus.WITHDRAWN: "取下げ",
}

CLOSED_STATUSES = frozenset({ReferralStatus.DONE, ReferralStatus.DECLINED,
                             ReferralStatus.WITHDRAWN})

#: The main line, in order; a referral moves forward along it (steps may be skipped).
_CHAIN = (ReferralStatus.CREATED, ReferralStatus.SENT, ReferralStatus.ACCEPTED,
          ReferralStatus.IN_PROGRESS, ReferralStatus.DONE)


def allowed_next(current: ReferralStatus) -> tuple[ReferralStatus, ...]:
    """The statuses a referral in ``current`` may move to, in display order."""
    if current.closed:
        return ()
    if current is ReferralStatus.CREATED:  # nothing can happen at the destination before sending
        return (ReferralStatus.SENT, ReferralStatus.WITHDRAWN)
    forward = _CHAIN[_CHAIN.index(current) + 1:]
    return (*forward, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN)


def transition_problem(current: ReferralStatus, new: ReferralStatus, reason: str) -> str | None:
    """Why ``current`` → ``new`` is not allowed (Japanese), or None when it is."""
    if new not in allowed_next(current):
        if current.closed:
            return f"「{current.label}」のつなぎは変更できません"
        return f"「{current.label}」から「{new.label}」には変更できません"
    if new is ReferralStatus.DECLINED and not reason.strip():
        return "対応不可の理由を入力してください"
    return None


def is_overdue(status: ReferralStatus, reply_due: date | None, today: date) -> bool:
    """Open, with a reply due date that has passed."""
    return not status.closed and reply_due is not None and reply_due < today


#: What a liaison sheet may ask of the destination (its 依頼事項 checkboxes), as recorded with
#: the referral (``Referral.request_items``: the codes) and ticked on the sheet.
REQUEST_ITEMS: tuple[Term, ...] = (
    Term("visit", "訪問"),
    Term("meeting", "面談"),
    Term("phone", "電話連絡"),
    Term("information", "情報提供"),
    Term("coordination", "サービス調整"),
    Term("case_meeting", "ケース会議"),
    Term("other", "その他"),
)
REQUEST_KINDS: tuple[str, ...] = tuple(t.label for t in REQUEST_ITEMS)
_REQUEST_LABELS = {t.code: t.label for t in REQUEST_ITEMS}


def request_item_codes(chosen: Iterable[str]) -> tuple[str, ...]:
    """The codes of the items chosen (codes or labels, as ticked or typed), in display order;
    ValueError names the first that is not an item."""
    wanted = set()
    for item in chosen:
        cleaned = item.strip()
        code = cleaned if cleaned in _REQUEST_LABELS else next(
            (c for c, label in _REQUEST_LABELS.items() if label == cleaned), None)
        if code is None:
            raise ValueError(cleaned)
        wanted.add(code)
    return tuple(t.code for t in REQUEST_ITEMS if t.code in wanted)


def request_items_of(chosen: Iterable[str] | None) -> tuple[list[str] | None, str | None]:
    """The codes to store for the items chosen (None: none were chosen), or the problem."""
    if chosen is None:
        return None, None
    try:
        return list(request_item_codes(chosen)), None
    except ValueError as error:
        return None, f"「{error}」は選べません（{'・'.join(REQUEST_KINDS)}）"


def request_item_labels(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(_REQUEST_LABELS[c] for c in request_item_codes(codes))


def requested_kinds(request: str, items: Iterable[str] | None = None) -> tuple[str, ...]:
    """The 依頼事項 ticked on the sheet: the items recorded with the referral; for a referral
    recorded before they were (``items`` None), the items its request names
    (「訪問と情報提供をお願いします」)."""
    if items is not None:
        return request_item_labels(items)
    return tuple(kind for kind in REQUEST_KINDS if kind in request)
