"""The review list's rows (``services.review.ReviewRow``): flagged rows are marked, and the
flags are also spelled out in their own column (never colour alone). A row the supervisor sees
masked (``domain.visibility``) is grey, says 「同意なし（非表示）」 for its 主訴 and why in its
tooltip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt

from setacare_desktop.domain.jpdate import wareki_short
from setacare_desktop.domain.reference import DISTRICTS_BY_CODE
from setacare_desktop.domain.review import ReviewState
from setacare_desktop.services.review import ReturnedRow, ReviewRow
from setacare_desktop.ui.row_model import (
    MASKED_TOOLTIP,
    AnyIndex,
    RowTableModel,
    access_tooltip,
    one_line,
)

(
    COL_ID,
    COL_TIME,
    COL_DISTRICT,
    COL_ORGANISATION,
    COL_PERSON,
    COL_COMPLAINT,
    COL_STATE,
    COL_FLAGS,
) = range(8)

#: Columns kept narrow (full-width characters) so that 主訴 has the room.
NARROW_COLUMNS: dict[int, int] = {COL_ORGANISATION: 8, COL_PERSON: 10, COL_FLAGS: 10}

#: The consultation id of a row (int).
ID_ROLE = Qt.ItemDataRole.UserRole + 20


REVIEW_HEADERS: dict[int, str] = {
    COL_ID: "No.",
    COL_TIME: "受付時刻",
    COL_DISTRICT: "地区",
    COL_ORGANISATION: "受付機関",
    COL_PERSON: "対象者",
    COL_COMPLAINT: "主訴",
    COL_STATE: "確認",
    COL_FLAGS: "要注意",
}
_TEXTS: dict[int, Callable[[ReviewRow], str]] = {
    COL_ID: lambda r: str(r.consultation_id),
    COL_TIME: lambda r: f"{r.received_at:%H:%M}",
    COL_DISTRICT: lambda r: r.district_name,
    COL_ORGANISATION: lambda r: r.organisation_name,
    COL_PERSON: lambda r: r.person_name,
    COL_COMPLAINT: lambda r: (MASKED_TOOLTIP if r.masked and r.main_complaint
                              else one_line(r.main_complaint) or "（未記入）"),
    COL_STATE: lambda r: r.state.label,
    COL_FLAGS: lambda r: "・".join(f.label for f in r.flags),
}


class ReviewTableModel(RowTableModel):
    HEADERS = REVIEW_HEADERS
    TEXTS = _TEXTS

    def is_marked(self, row: ReviewRow) -> bool:
        return bool(row.flags)

    def is_muted(self, row: ReviewRow) -> bool:
        return row.masked

    def row_data(self, row: ReviewRow, column: int, role: int) -> Any:
        if role == ID_ROLE:
            return row.consultation_id
        if role == Qt.ItemDataRole.ToolTipRole and column in (COL_PERSON, COL_COMPLAINT):
            return access_tooltip(row.access, row.access_reason)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_FLAGS and row.flags:
            return "\n".join(f"{f.label}: {f.explanation}" for f in row.flags)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_STATE and row.comment:
            return f"{row.reviewed_by}: {row.comment}"
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_ORGANISATION:
            return row.organisation_name  # may be cut short in the list
        return None

    def row_index(self, consultation_id: int) -> int | None:
        for number in range(self.rowCount()):
            if self.row_at(number).consultation_id == consultation_id:
                return number
        return None


class ReviewFilterProxyModel(QSortFilterProxyModel):
    """「要注意のみ」 and 「未確認のみ」 (not yet settled: 未確認 or 修正あり)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.flagged_only = False
        self.unsettled_only = False

    def set_filters(self, *, flagged_only: bool, unsettled_only: bool) -> None:
        self.beginFilterChange()
        self.flagged_only = flagged_only
        self.unsettled_only = unsettled_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, ReviewTableModel)
        row: ReviewRow = model.row_at(source_row)
        if self.flagged_only and not row.flags:
            return False
        return not (self.unsettled_only and row.state in (ReviewState.CONFIRMED,
                                                          ReviewState.RETURNED))


# --- consultations returned to the district (本日の相談) ------------------------------------------

RET_DAY, RET_ID, RET_DISTRICT, RET_COMPLAINT, RET_COMMENT, RET_BY = range(6)
RETURNED_HEADERS: dict[int, str] = {
    RET_DAY: "受付日",
    RET_ID: "No.",
    RET_DISTRICT: "地区",
    RET_COMPLAINT: "主訴",
    RET_COMMENT: "差戻しの理由",
    RET_BY: "差戻した監督者",
}
_RETURNED_TEXTS: dict[int, Callable[[ReturnedRow], str]] = {
    RET_DAY: lambda r: wareki_short(r.received_on),
    RET_ID: lambda r: str(r.consultation_id),
    RET_DISTRICT: lambda r: DISTRICTS_BY_CODE[r.district_code].name,
    RET_COMPLAINT: lambda r: one_line(r.main_complaint) or "（未記入）",
    RET_COMMENT: lambda r: one_line(r.comment),
    RET_BY: lambda r: r.reviewed_by,
}


class ReturnedTableModel(RowTableModel):
    """Consultations a supervisor returned (差戻し), until the clerk amends them."""

    HEADERS = RETURNED_HEADERS
    TEXTS = _RETURNED_TEXTS

    def row_data(self, row: ReturnedRow, column: int, role: int) -> Any:
        if role == ID_ROLE:
            return row.consultation_id
        if role == Qt.ItemDataRole.ToolTipRole and column == RET_COMMENT:
            return row.comment
        return None
