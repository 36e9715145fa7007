"""The 匿名用の概要 text box, with what identifies the person listed beside it as it is typed.

The anonymised liaison sheet prints this summary instead of the consultation's own texts. It
starts empty. A short pause in typing asks ``check`` (a service over ``domain.identifying``)
what in it identifies the person; each finding is listed beside the box, naming what was found
and how to write it instead. Printing is refused by the service while any remain.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.services import ServiceError
from setacare_desktop.services.errors import Problem

HINT = ("匿名の連携シートには、相談の記録の代わりにこの概要が載ります。氏名・正確な年齢・日付・"
        "電話番号・住所は書かないでください（年代「80歳代」、続柄「長女」は書けます）。")
NO_FINDINGS = "個人を特定できる記載は見つかりません。"
#: The pause in typing after which the summary is checked.
CHECK_DELAY_MS = 400


class SummaryBox(QWidget):
    """The 匿名用の概要: ``edit`` to type in, ``findings`` beside it."""

    FIELD = "匿名用の概要"
    #: The findings were listed again (how many).
    checked = Signal(int)

    def __init__(self, check: Callable[[str], list[Problem]], parent: QWidget | None = None,
                 *, delay_ms: int = CHECK_DELAY_MS) -> None:
        super().__init__(parent)
        self._check = check
        self.label = QLabel("匿名用の概要(&Y)", self)
        self.edit = QPlainTextEdit(self)
        self.edit.setTabChangesFocus(True)
        self.edit.setAccessibleName(self.FIELD)
        self.edit.setPlaceholderText("例: 80歳代の女性。独居で、最近ひとりで買い物に行けなくなったと家族から相談。"
                                     "介護保険の申請と訪問での状況確認をお願いしたい。")
        self.edit.setFixedHeight(self.fontMetrics().height() * 5)
        self.label.setBuddy(self.edit)
        self.hint = QLabel(HINT, self)
        self.hint.setWordWrap(True)
        self.findings = QListWidget(self)
        self.findings.setAccessibleName("匿名用の概要の問題")
        self.findings.setWordWrap(True)
        self.findings.setFixedHeight(self.edit.height())
        self.findings.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.findings.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 3)
        row.addWidget(self.findings, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addLayout(row)
        layout.addWidget(self.hint)

        self.edit.textChanged.connect(self._timer.start)
        self._timer.timeout.connect(self.refresh)

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str, problems: list[Problem] | None = None) -> None:
        """Show a stored summary (and, if known, its findings) without checking again."""
        self.edit.blockSignals(True)
        self.edit.setPlainText(text)
        self.edit.blockSignals(False)
        self._timer.stop()
        if problems is None:
            self.refresh()
        else:
            self.show_findings(problems)

    def clear(self) -> None:
        self.set_text("", [])

    def refresh(self) -> list[Problem]:
        """Check the summary now and list what identifies the person."""
        self._timer.stop()
        try:
            problems = self._check(self.text())
        except ServiceError as error:
            self.findings.clear()
            self.findings.addItem(error.message)
            return []
        self.show_findings(problems)
        return problems

    def show_findings(self, problems: list[Problem]) -> None:
        self.findings.clear()
        for problem in problems:
            self.findings.addItem(f"・{problem.message}")
        if not problems and self.text().strip():
            self.findings.addItem(NO_FINDINGS)
        self.checked.emit(len(problems))

    def finding_texts(self) -> list[str]:
        return [self.findings.item(i).text() for i in range(self.findings.count())]
