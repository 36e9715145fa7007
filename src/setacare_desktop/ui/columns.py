"""Column widths of the lists: from the data, not from whichever rows happen to be visible.

``QHeaderView.ResizeToContents`` measures only the rows in the viewport, so columns jump as the
list is filtered or scrolled (and a lazily fetched list changes under the reader). Instead the
widths are set once per load from every row's text (or from a sample text for lists fetched a
page at a time) and stay put; the user can still drag them. One column stretches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

#: Room for the cell's margins and focus frame, on top of the text.
CELL_PADDING = 16


def fit_columns(table: QTableView, texts: Mapping[int, Iterable[str]], *, stretch: int,
                limit_chars: int = 24, limits: Mapping[int, int] | None = None) -> None:
    """Set each column in ``texts`` as wide as its widest text (bold, as urgent rows are drawn)
    or its header, at most ``limit_chars`` full-width characters (``limits``: fewer for some
    columns; a longer text is cut with 「…」, whole in its tooltip); ``stretch`` takes the
    rest."""
    header = table.horizontalHeader()
    font = table.font()
    font.setBold(True)
    metrics = QFontMetrics(font)
    char = metrics.horizontalAdvance("あ")
    widths: dict[int, int] = {}
    for column, column_texts in texts.items():
        if column == stretch:
            continue
        limit = char * (limits or {}).get(column, limit_chars)
        widths[column] = min(limit, max(_widest(metrics, column_texts, limit) + CELL_PADDING,
                                        header.sectionSizeHint(column)))
    for column, width in widths.items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def _widest(metrics: QFontMetrics, texts: Iterable[str], limit: int) -> int:
    """The widest of ``texts`` (each distinct text measured once; none past ``limit``): a day
    of an area is over a thousand rows of mostly repeated dates, places and labels, measured on
    the window's thread."""
    widest = 0
    for text in set(texts):
        if text:
            widest = max(widest, metrics.horizontalAdvance(text))
            if widest >= limit:
                break
    return widest


def fit_to_rows(table: QTableView, model: QAbstractItemModel, *, stretch: int,
                limit_chars: int = 24, limits: Mapping[int, int] | None = None) -> None:
    """``fit_columns`` from the display text of every row of ``model`` (the source model, so
    that a filter in between does not change the widths)."""
    texts = getattr(model, "column_texts", None)  # a RowTableModel answers in plain Python
    if texts is None:
        rows = range(model.rowCount())

        def texts(column: int) -> list[str]:
            return [model.data(model.index(row, column)) or "" for row in rows]

    fit_columns(table, {column: texts(column) for column in range(model.columnCount())},
                stretch=stretch, limit_chars=limit_chars, limits=limits)


def row_list_view(model: QAbstractItemModel, parent: QWidget) -> QTableView:
    """A read-only list of whole rows: one row selected at a time, one line per row."""
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    return table
