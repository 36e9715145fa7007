"""下書き: intakes saved while being typed and never finished (e.g. after a crash or a power cut),
offered back so the clerk can restore one completely or discard it."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.jpdate import utc_to_local, wareki_short
from setacare_desktop.services.intake import DraftRow

INTRO = ("保存されていない受付の下書きがあります。再開する下書きを選んで「復元」を押してください。"
         "不要な下書きは「破棄」できます。")


def draft_text(row: DraftRow) -> str:
    moment = utc_to_local(row.updated_at)
    kind = f"相談No. {row.consultation_id}の修正" if row.consultation_id else "新しい受付"
    return f"{wareki_short(moment.date())} {moment:%H:%M} 更新（{kind}）\n{row.summary}"


class DraftsDialog(QDialog):
    """The caller's drafts, newest first. ``restore_requested`` / ``discard_requested`` carry the
    chosen ``DraftRow``; the page does the work (and may close the dialog)."""

    restore_requested = Signal(object)  # DraftRow
    discard_requested = Signal(object)  # DraftRow

    def __init__(self, rows: Iterable[DraftRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("受付の下書き")
        self.rows: list[DraftRow] = []
        self.intro = QLabel(INTRO, self)
        self.intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("下書きの一覧")
        self.buttons = QDialogButtonBox(self)
        self.restore_button: QPushButton = self.buttons.addButton(
            "復元", QDialogButtonBox.ButtonRole.AcceptRole)
        self.discard_button: QPushButton = self.buttons.addButton(
            "破棄", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.close_button: QPushButton = self.buttons.addButton(
            "閉じる", QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 32)
        self.set_rows(rows)
        self.restore_button.clicked.connect(self._restore)
        self.discard_button.clicked.connect(self._discard)
        self.close_button.clicked.connect(self.reject)
        self.list.itemActivated.connect(self._restore)
        self.list.setFocus()

    def set_rows(self, rows: Iterable[DraftRow]) -> None:
        self.rows = list(rows)
        self.list.clear()
        for row in self.rows:
            self.list.addItem(QListWidgetItem(draft_text(row)))
        if self.rows:
            self.list.setCurrentRow(0)
        self.restore_button.setEnabled(bool(self.rows))
        self.discard_button.setEnabled(bool(self.rows))

    def current(self) -> DraftRow | None:
        index = self.list.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def _restore(self) -> None:
        row = self.current()
        if row is not None:
            self.restore_requested.emit(row)

    def _discard(self) -> None:
        row = self.current()
        if row is not None:
            self.discard_requested.emit(row)
