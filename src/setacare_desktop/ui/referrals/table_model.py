"""The open referrals of a district (``services.referrals.open_referrals``) as a table. A referral
of a consultation the staff member sees masked is a grey row whose texts say （非表示）."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from setacare_desktop.domain.jpdate import wareki_short
from setacare_desktop.services.referrals import ReferralRow
from setacare_desktop.ui.row_model import MARK_COLOR, MASKED_TOOLTIP, RowTableModel, one_line

OVERDUE_COLOR = MARK_COLOR
OVERDUE_MARK = "⚠ 期限超過"
#: On a referral of a consultation the staff member sees masked (its texts are not shown).
MASKED_REFERRAL_TOOLTIP = (f"{MASKED_TOOLTIP}: 他機関が受け付けた相談で、本人の情報共有の同意が"
                           "ないため、依頼事項と回答は表示していません。")

(
    COL_OVERDUE,
    COL_REPLY_DUE,
    COL_DESTINATION,
    COL_CONSULTATION,
    COL_PERSON,
    COL_REFERRED_ON,
    COL_METHOD,
    COL_STATUS,
    COL_STAFF,
    COL_REQUEST,
    COL_LAST_REPLY,
) = range(11)

REFERRAL_HEADERS: dict[int, str] = {
    COL_OVERDUE: "期限",
    COL_REPLY_DUE: "回答期限",
    COL_DESTINATION: "つなぎ先",
    COL_CONSULTATION: "相談No.",
    COL_PERSON: "氏名",
    COL_REFERRED_ON: "つなぎ日",
    COL_METHOD: "方法",
    COL_STATUS: "状況",
    COL_STAFF: "担当",
    COL_REQUEST: "依頼事項",
    COL_LAST_REPLY: "最新の回答",
}

#: The whole :class:`ReferralRow` of a row (any column).
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
#: The referral's id (int).
ID_ROLE = Qt.ItemDataRole.UserRole + 2
#: Whether the referral is overdue (bool).
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 3


_TEXT: dict[int, Callable[[ReferralRow], str]] = {
    COL_OVERDUE: lambda r: OVERDUE_MARK if r.overdue else "",
    COL_REPLY_DUE: lambda r: wareki_short(r.reply_due) if r.reply_due else "（なし）",
    COL_DESTINATION: lambda r: r.destination + ("（匿名）" if r.anonymised else ""),
    COL_CONSULTATION: lambda r: f"{r.consultation_id}（非表示）" if r.masked else str(r.consultation_id),
    COL_PERSON: lambda r: r.person,
    COL_REFERRED_ON: lambda r: wareki_short(r.referred_on),
    COL_METHOD: lambda r: r.method.label,
    COL_STATUS: lambda r: r.status.label,
    COL_STAFF: lambda r: r.staff_name,
    COL_REQUEST: lambda r: one_line(r.request),
    COL_LAST_REPLY: lambda r: one_line(r.last_reply),
}


class ReferralTableModel(RowTableModel):
    """Read-only list of referrals. Overdue rows say so in the 期限 column and are drawn bold and
    red (not by colour alone)."""

    HEADERS = REFERRAL_HEADERS
    TEXTS = _TEXT

    def row_at(self, row: int) -> ReferralRow:
        return self._rows[row]  # type: ignore[no-any-return]

    def row_of(self, referral_id: int) -> int:
        """The row showing ``referral_id``, or -1."""
        return next((n for n, r in enumerate(self._rows) if r.referral_id == referral_id), -1)

    def overdue_count(self) -> int:
        return sum(1 for r in self._rows if r.overdue)

    def is_marked(self, row: ReferralRow) -> bool:
        return row.overdue

    def is_muted(self, row: ReferralRow) -> bool:
        return row.masked

    def row_data(self, row: ReferralRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.masked and column in (COL_CONSULTATION, COL_REQUEST, COL_LAST_REPLY):
                return MASKED_REFERRAL_TOOLTIP
            if column == COL_REQUEST:
                return row.request
            if column == COL_LAST_REPLY:
                return row.last_reply or None
            if column == COL_OVERDUE and row.overdue:
                return "回答期限を過ぎています"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (COL_OVERDUE, COL_CONSULTATION):
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.referral_id
        if role == OVERDUE_ROLE:
            return row.overdue
        return None
