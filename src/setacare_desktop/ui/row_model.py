"""The one base of the window's read-only table models over plain service rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeAlias

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from setacare_desktop.domain.visibility import Access

AnyIndex: TypeAlias = QModelIndex | QPersistentModelIndex

NO_PARENT = QModelIndex()
DISPLAY = Qt.ItemDataRole.DisplayRole
#: Bold and this red mark a row that needs attention (urgent, overdue): never colour alone,
#: each model also says so in a column.
MARK_COLOR = "#b00020"
#: Grey marks a row shown masked (no consent to share: initials and age band only); each model
#: also says so in the row's texts and tooltips.
MUTED_COLOR = "#6b6b6b"
#: The tooltip of a masked row's cells (the visibility rule's reason follows).
MASKED_TOOLTIP = "同意なし（非表示）"


#: Roles every consultation list answers (本日の相談, 検索): the whole service row, its id, urgent.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
URGENT_ROLE = Qt.ItemDataRole.UserRole + 3
URGENT_MARK = "★ 緊急"
#: The name shown for a consultation without a person (as ``services.consultations`` says it).
ANONYMOUS = "（匿名）"
#: The tooltip of a row shown under an emergency exception.
EMERGENCY_TOOLTIP = "緊急時の例外により表示しています（表示は記録されます）"


def access_tooltip(access: Access, reason: str) -> str | None:
    """The tooltip of a masked row (「同意なし（非表示）」 and why) or of one shown under an
    emergency exception; None for a row seen whole or under consent."""
    if access is Access.MASKED:
        return f"{MASKED_TOOLTIP}: {reason}" if reason else MASKED_TOOLTIP
    if access is Access.EMERGENCY:
        return EMERGENCY_TOOLTIP
    return None


def one_line(text: str) -> str:
    """Free text on one table line (line breaks and runs of spaces folded)."""
    return " ".join(text.split())


class RowTableModel(QAbstractTableModel):
    """Rows returned by a service, shown read-only.

    Subclasses give ``HEADERS`` and ``TEXTS`` (display text per column), may mark rows
    (``is_marked``: drawn bold and red), mute them (``is_muted``: grey italic, for a masked
    row; a marked row stays red) and answer their own roles in ``row_data``.
    """

    HEADERS: ClassVar[dict[int, str]] = {}
    TEXTS: ClassVar[dict[int, Callable[[Any], str]]] = {}

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._mark_font = QFont()
        self._mark_font.setBold(True)
        self._mark_brush = QBrush(QColor(MARK_COLOR))
        self._muted_font = QFont()
        self._muted_font.setItalic(True)
        self._muted_brush = QBrush(QColor(MUTED_COLOR))

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def column_texts(self, column: int) -> list[str]:
        """The display text of ``column`` in every row, straight from ``TEXTS`` (measuring
        column widths this way skips a Qt call per cell)."""
        text = self.TEXTS.get(column)
        return [] if text is None else [text(row) or "" for row in self._rows]

    def is_marked(self, row: Any) -> bool:
        return False

    def is_muted(self, row: Any) -> bool:
        return False

    def row_data(self, row: Any, column: int, role: int) -> Any:
        """Roles other than display, font and foreground (tooltips, custom roles …)."""
        return None

    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = DISPLAY) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == DISPLAY:
            return self.HEADERS.get(section)
        return None

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == DISPLAY:
            text = self.TEXTS.get(index.column())
            return None if text is None else text(row)
        if role == Qt.ItemDataRole.FontRole:
            if self.is_marked(row):
                return self._mark_font
            return self._muted_font if self.is_muted(row) else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if self.is_marked(row):
                return self._mark_brush
            return self._muted_brush if self.is_muted(row) else None
        return self.row_data(row, index.column(), role)
