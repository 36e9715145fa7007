"""The intake page's commands: the buttons under the form and the page's keyboard shortcuts.

Built here so the page's construction stays about its parts; what each command does is wired in
``IntakePage._connect_signals`` (all of the page's wiring in one place).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from setacare_desktop.ui.intake.problems_view import SAVE_TEXT


class PageActions:
    """The buttons (保存, then the next steps 相談受付票を印刷…, つなぎ先を探す and 新しい受付, then
    下書き… and 破棄) and shortcuts
    (Ctrl+S, Ctrl+N, Esc, Ctrl+D to the duplicate candidates), all children of ``page``."""

    def __init__(self, page: QWidget) -> None:
        self.save_button = QPushButton(SAVE_TEXT, page)
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.save_button.setDefault(False)
        self.new_button = QPushButton("新しい受付（Ctrl+N）", page)
        self.drafts_button = QPushButton("下書き…", page)
        self.discard_button = QPushButton("破棄（Esc）", page)
        self.referrals_button = QPushButton("つなぎ先を探す", page)
        self.referrals_button.setToolTip("この相談のつなぎ先を探し、つなぎを記録します")
        self.print_button = QPushButton("相談受付票を印刷…", page)
        self.print_button.setToolTip("保存した内容で相談受付票（A4）をプレビューし、印刷・保存します")
        self.print_button.setEnabled(False)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.save_shortcut = QShortcut(QKeySequence("Ctrl+S"), page, context=context)
        self.new_shortcut = QShortcut(QKeySequence("Ctrl+N"), page, context=context)
        self.discard_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), page, context=context)
        self.duplicates_shortcut = QShortcut(QKeySequence("Ctrl+D"), page, context=context)

    def buttons(self) -> list[QPushButton]:
        """In the order they stand (and Tab visits them)."""
        return [self.save_button, self.print_button, self.referrals_button, self.new_button,
                self.drafts_button, self.discard_button]

    def row(self, status_label: QLabel) -> QHBoxLayout:
        """The page's bottom row: the status text, then the buttons."""
        row = QHBoxLayout()
        row.addWidget(status_label, 1)
        for button in self.buttons():
            row.addWidget(button)
        return row
