"""Item delegates: how a cell is drawn when plain text is not enough."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFontMetricsF,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from setacare_desktop.ui.table_models import HIGHLIGHT_ROLE

#: How matched words look: bold on a soft yellow (not by colour alone; bold survives
#: monochrome printing and colour-blindness).
MATCH_BACKGROUND = "#ffe27a"
MATCH_STYLE = f"b {{ background-color: {MATCH_BACKGROUND}; color: #000000; }}"
ELLIPSIS = "…"


class HighlightDelegate(QStyledItemDelegate):
    """Draws ``HIGHLIGHT_ROLE`` rich text (matched words in ``<b>``) on one line, elided to
    the cell; other cells are drawn as usual. Background, selection and focus come from the
    style, so the row looks like its neighbours."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        rich = index.data(HIGHLIGHT_ROLE)
        if not rich:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""  # the style draws background, selection and focus; we draw the text
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is None:
            super().paint(painter, option, index)
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)

        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(opt.font)
        document.setDefaultStyleSheet(MATCH_STYLE)
        document.setHtml(f"<span style='white-space:pre'>{rich}</span>")
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        # initStyleOption put the model's ForegroundRole (red for urgent rows) into Text.
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))

        elide_document(document, float(text_rect.width()))
        painter.save()
        top = text_rect.top() + max(0.0, (text_rect.height() - document.size().height()) / 2)
        painter.translate(text_rect.left(), top)
        painter.setClipRect(QRectF(0, 0, text_rect.width(), text_rect.height()))
        document.documentLayout().draw(painter, context)
        painter.restore()


def elide_document(document: QTextDocument, width: float) -> None:
    """Cut a one-line document that is wider than ``width`` at a character and end it with
    「…」, as plain cells are elided (the highlighting of what remains is kept)."""
    if document.idealWidth() <= width:
        return
    layout = document.documentLayout()
    middle = document.size().height() / 2
    ellipsis_width = QFontMetricsF(document.defaultFont()).horizontalAdvance(ELLIPSIS)
    position = layout.hitTest(QPointF(max(0.0, width - ellipsis_width), middle),
                              Qt.HitTestAccuracy.FuzzyHit)
    cursor = QTextCursor(document)
    while position > 0:
        cursor.setPosition(position)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        cursor.insertText(ELLIPSIS, QTextCharFormat())
        if document.idealWidth() <= width:
            return
        position -= 1
