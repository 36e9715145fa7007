"""Qt item models of the window. Named ``...TableModel`` so they never clash with database models.

Each model holds plain rows returned by a service, has named column constants and custom roles,
and is tested without a window (``QAbstractItemModelTester``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from setacare_desktop.domain.reference import MIXED_LABEL, TARGET_GROUPS
from setacare_desktop.services.consultations import ConsultationRow
from setacare_desktop.services.staff import StaffRow

AnyIndex: TypeAlias = QModelIndex | QPersistentModelIndex

_NO_PARENT = QModelIndex()
_DISPLAY = Qt.ItemDataRole.DisplayRole

URGENT_COLOR = "#b00020"
URGENT_MARK = "★ 緊急"

# --- the day's consultations ----------------------------------------------------------------

(
    COL_URGENT,
    COL_TIME,
    COL_DISTRICT,
    COL_ORGANISATION,
    COL_CHANNEL,
    COL_CONSULTER,
    COL_TARGETS,
    COL_COMPLAINT,
    COL_RESPONSE,
) = range(9)

CONSULTATION_HEADERS: dict[int, str] = {
    COL_URGENT: "緊急",
    COL_TIME: "受付時刻",
    COL_DISTRICT: "地区",
    COL_ORGANISATION: "受付機関",
    COL_CHANNEL: "受付方法",
    COL_CONSULTER: "相談者",
    COL_TARGETS: "対象",
    COL_COMPLAINT: "主訴",
    COL_RESPONSE: "対応",
}

#: The whole :class:`ConsultationRow` of a row (any column).
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
#: The consultation's id (int).
ID_ROLE = Qt.ItemDataRole.UserRole + 2
#: Whether the consultation is urgent (bool).
URGENT_ROLE = Qt.ItemDataRole.UserRole + 3


_TARGET_ORDER = {term.label: order for order, term in enumerate(TARGET_GROUPS)}


def targets_text(labels: Sequence[str]) -> str:
    """「高齢者」, or 「複合（高齢者、障害者）」 for two or more target groups, in the ward's order."""
    labels = sorted(labels, key=lambda label: _TARGET_ORDER.get(label, len(_TARGET_ORDER)))
    if len(labels) >= 2:
        return f"{MIXED_LABEL}（{'、'.join(labels)}）"
    return "".join(labels)


_CONSULTATION_TEXT: dict[int, Callable[[ConsultationRow], str]] = {
    COL_URGENT: lambda r: URGENT_MARK if r.urgent else "",
    COL_TIME: lambda r: f"{r.received_at:%H:%M}",
    COL_DISTRICT: lambda r: r.district_name,
    COL_ORGANISATION: lambda r: r.organisation_name,
    COL_CHANNEL: lambda r: r.channel_label,
    COL_CONSULTER: lambda r: r.consulter_label,
    COL_TARGETS: lambda r: targets_text(r.target_labels),
    COL_COMPLAINT: lambda r: " ".join(r.main_complaint.split()),  # one line in the table
    COL_RESPONSE: lambda r: r.response_label,
}


class ConsultationTableModel(QAbstractTableModel):
    """Read-only list of consultations (``services.consultations.list_day``).

    Urgent rows say so in the 緊急 column and are drawn bold and red (not by colour alone).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ConsultationRow] = []
        self._urgent_font = QFont()
        self._urgent_font.setBold(True)
        self._urgent_brush = QBrush(QColor(URGENT_COLOR))

    def set_rows(self, rows: Sequence[ConsultationRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ConsultationRow:
        return self._rows[row]

    def urgent_count(self) -> int:
        return sum(1 for r in self._rows if r.urgent)

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(CONSULTATION_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _DISPLAY) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == _DISPLAY:
            return CONSULTATION_HEADERS.get(section)
        return None

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == _DISPLAY:
            text = _CONSULTATION_TEXT.get(column)
            return None if text is None else text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_COMPLAINT:
                return row.main_complaint
            if column == COL_URGENT and row.urgent:
                return "緊急の相談"
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._urgent_font if row.urgent else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._urgent_brush if row.urgent else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (COL_URGENT, COL_TIME):
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.consultation_id
        if role == URGENT_ROLE:
            return row.urgent
        return None


# --- staff accounts -------------------------------------------------------------------------

(
    STAFF_COL_LOGIN,
    STAFF_COL_NAME,
    STAFF_COL_ROLE,
    STAFF_COL_ORGANISATION,
    STAFF_COL_STATUS,
) = range(5)

STAFF_HEADERS: dict[int, str] = {
    STAFF_COL_LOGIN: "ログインID",
    STAFF_COL_NAME: "氏名",
    STAFF_COL_ROLE: "役割",
    STAFF_COL_ORGANISATION: "所属",
    STAFF_COL_STATUS: "状態",
}

#: The whole :class:`StaffRow` of a row (any column).
STAFF_ROW_ROLE = Qt.ItemDataRole.UserRole + 1


def staff_status(row: StaffRow) -> str:
    if not row.active:
        return "無効"
    if row.locked:
        return "ロック中"
    return "有効"


class StaffTableModel(QAbstractTableModel):
    """Read-only list of staff accounts (``services.staff.list_staff``)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[StaffRow] = []

    def set_rows(self, rows: Sequence[StaffRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> StaffRow:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(STAFF_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _DISPLAY) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == _DISPLAY:
            return STAFF_HEADERS.get(section)
        return None

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == _DISPLAY:
            return {
                STAFF_COL_LOGIN: row.login,
                STAFF_COL_NAME: row.name,
                STAFF_COL_ROLE: row.role_label,
                STAFF_COL_ORGANISATION: row.organisation_name,
                STAFF_COL_STATUS: staff_status(row),
            }.get(index.column())
        if role == STAFF_ROW_ROLE:
            return row
        return None
