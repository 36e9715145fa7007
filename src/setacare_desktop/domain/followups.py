"""やること (follow-ups): what a staff member or an organisation must act on today.

Four kinds, in the order the list shows them:

- 次回予定: a consultation's next appointment (次回予定) due today or overdue, unless the person
  has been consulted again since it was set;
- 返信期限超過: an open referral whose reply due date has passed;
- 差戻し: a consultation the supervisor returned and nobody has amended since;
- 連絡なし: an open 継続支援 with no consultation for more than the configured number of days.

Plain Python: no Qt, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

#: The preference key and its bounds (days without a consultation before an open 継続支援 shows).
NO_CONTACT_KEY = "followup_no_contact_days"
NO_CONTACT_DEFAULT = 30
NO_CONTACT_MIN = 1
NO_CONTACT_MAX = 365
NO_CONTACT_FIELD = "連絡なしとする日数"


class FollowupKind(StrEnum):
    NEXT_DATE = "next_date"
    REPLY_OVERDUE = "reply_overdue"
    RETURNED = "returned"
    NO_CONTACT = "no_contact"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[FollowupKind, str] = {
    FollowupKind.NEXT_DATE: "次回予定",
    FollowupKind.REPLY_OVERDUE: "返信期限超過",
    FollowupKind.RETURNED: "差戻し",
    FollowupKind.NO_CONTACT: "連絡なし",
}
_ORDER = {kind: number for number, kind in enumerate(FollowupKind)}


class Scope(StrEnum):
    MINE = "mine"  # what this staff member holds or recorded
    ORGANISATION = "organisation"  # everything of their organisation

    @property
    def label(self) -> str:
        return "自分の分" if self is Scope.MINE else "所属機関の分"


@dataclass(frozen=True, slots=True)
class Followup:
    """One thing to do. ``person`` is what the viewer may see of the person (a name, or initials
    and age band when masked); ``what`` says what is due, never a free text of a masked case."""

    kind: FollowupKind
    due: date | None  # the day it became due (next date, reply due, return, last contact)
    person_id: int | None
    person: str
    consultation_id: int | None
    referral_id: int | None
    what: str
    holder: str  # the staff member it belongs to
    masked: bool = False

    def days_late(self, today: date) -> int:
        return (today - self.due).days if self.due is not None else 0


def is_due(next_date: date | None, today: date) -> bool:
    """A 次回予定 is due on its day and stays due until the person is consulted again."""
    return next_date is not None and next_date <= today


def no_contact_since(last_contact: date | None, today: date, days: int) -> bool:
    """An open 継続支援 needs a call when its last consultation is more than ``days`` old."""
    return last_contact is None or (today - last_contact).days > days


def ordered(items: list[Followup], today: date) -> list[Followup]:
    """By kind, then the longest overdue first."""
    return sorted(items, key=lambda f: (_ORDER[f.kind], -f.days_late(today),
                                        f.consultation_id or 0, f.referral_id or 0))
