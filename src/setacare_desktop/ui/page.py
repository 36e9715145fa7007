"""A work area of the main window, and the plain page of an area a staff member cannot use."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * 1.4)
    elif font.pixelSize() > 0:
        font.setPixelSize(round(font.pixelSize() * 1.4))
    font.setBold(True)
    label.setFont(font)
    return label


class Page(QWidget):
    """One page of the main window's stack. ``activate`` runs each time the page is shown, so
    pages read the database only when the user goes to them."""

    def activate(self) -> None:
        """Called when the user navigates to the page. Default: nothing to load."""


class NoticePage(Page):
    """An area this staff member cannot use, saying why (e.g. 受付 for an administrator)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        # Imported here: the login dialog (heading) is painted before Qt's namespace is loaded.
        from PySide6.QtCore import Qt

        super().__init__(parent)
        self.title_label = heading(title, self)
        self.text_label = QLabel(text, self)
        self.text_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.text_label)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
