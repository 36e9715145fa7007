"""The rows of 操作記録: one audit row per line, flagged rows coloured and explained in 注意 (the
row's technical detail is the tooltip of 操作; the CSV has it as a column)."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from setacare_desktop.domain.jpdate import wareki_short
from setacare_desktop.services.audit import AuditRow
from setacare_desktop.ui.row_model import DISPLAY, MARK_COLOR, AnyIndex, RowTableModel, one_line

#: The background of a flagged row (with its reason in 注意: never colour alone).
FLAG_BACKGROUND = "#fde2e1"

COL_AT, COL_STAFF, COL_ORG, COL_ACTION, COL_RECORD, COL_PERSON, COL_FLAGS = range(7)

AUDIT_HEADERS: dict[int, str] = {
    COL_AT: "日時",
    COL_STAFF: "職員",
    COL_ORG: "所属",
    COL_ACTION: "操作",
    COL_RECORD: "対象",
    COL_PERSON: "対象者ID",
    COL_FLAGS: "注意",
}


def _staff(row: AuditRow) -> str:
    return f"{row.staff_name}（{row.login}）" if row.staff_name else row.login


_TEXTS = {
    COL_AT: lambda r: f"{wareki_short(r.at.date())} {r.at:%H:%M:%S}",
    COL_STAFF: _staff,
    COL_ORG: lambda r: r.organisation,
    COL_ACTION: lambda r: r.action_label,
    COL_RECORD: lambda r: r.record,
    COL_PERSON: lambda r: "" if r.person_id is None else str(r.person_id),
    COL_FLAGS: lambda r: r.flag_text,
}


class AuditTableModel(RowTableModel):
    HEADERS: ClassVar[dict[int, str]] = AUDIT_HEADERS
    TEXTS: ClassVar = _TEXTS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._flag_background = QBrush(QColor(FLAG_BACKGROUND))
        self._flag_foreground = QBrush(QColor(MARK_COLOR))

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if (role == Qt.ItemDataRole.ForegroundRole and index.isValid()
                and index.column() == COL_FLAGS and 0 <= index.row() < self.rowCount()
                and self.row_at(index.row()).flags):
            return self._flag_foreground
        return super().data(index, role)

    def row_data(self, row: AuditRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and row.flags:
            return self._flag_background
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_FLAGS and row.flags:
            return "\n".join(flag.reason for flag in row.flags)
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_ACTION and row.detail:
            return f"{row.action}: {one_line(row.detail)}"  # the row's detail (no personal data)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == COL_FLAGS and row.flags:
            return f"注意: {row.flag_text}"
        return None
