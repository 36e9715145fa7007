"""The lists of the person page and of やること: read-only tables filled from service rows.

Each cell may carry an id (``Qt.UserRole``) so a double-click opens what the row is about; a row
the viewer sees masked is drawn grey and italic, as the other lists do."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem, QWidget

from setacare_desktop.ui.columns import fit_columns

MASKED_COLOUR = QColor("#6b6b6b")


def read_only_table(headers: Sequence[str], parent: QWidget, name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    return table


def fill(table: QTableWidget, rows: Sequence[Sequence[str]], *, stretch: int,
         ids: Sequence[int | None] | None = None,
         masked: Sequence[bool] | None = None, tooltips: Sequence[str] | None = None) -> None:
    """Replace the rows; ``ids[i]`` is kept on row i (``row_id``)."""
    table.setRowCount(0)
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if ids is not None and ids[r] is not None:
                item.setData(Qt.ItemDataRole.UserRole, ids[r])
            if masked is not None and masked[r]:
                item.setForeground(QBrush(MASKED_COLOUR))
                font = item.font()
                font.setItalic(True)
                item.setFont(font)
            if tooltips is not None and tooltips[r]:
                item.setToolTip(tooltips[r])
            table.setItem(r, c, item)
    fit_columns(table, {c: [row[c] for row in rows] for c in range(table.columnCount())},
                stretch=stretch)


def row_id(table: QTableWidget, row: int | None = None) -> int | None:
    row = table.currentRow() if row is None else row
    item = table.item(row, 0) if row >= 0 else None
    value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
    return int(value) if value is not None else None
