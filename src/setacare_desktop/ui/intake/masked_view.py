"""A consultation the staff member may not see, opened: its masked record, read-only.

Not the intake form: nothing identifying was read, so there is nothing to fill in or amend. The
dialog says why (the visibility rule's reason, docs/privacy.md) and shows only what the rule
allows: number, date, district, organisation, classifications, urgency, initials and age band.
It does not block: the form behind it keeps whatever was being typed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.jpdate import to_wareki
from setacare_desktop.services.intake import MaskedCase
from setacare_desktop.ui.page import heading
from setacare_desktop.ui.row_model import MARK_COLOR, MUTED_COLOR

#: The dialog's title: what is withheld (the notice below says why: no consent, or anonymous).
MASKED_TITLE = "個人を特定できる情報は表示していません"
NOTICE_STYLE = (f"border: 1px solid {MUTED_COLOR}; background: #f2f2f2; color: #333333;"
                " padding: 8px;")


class MaskedCaseDialog(QDialog):
    """The masked record of one consultation; 閉じる (or Esc) closes it."""

    def __init__(self, case: MaskedCase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.case = case
        self.setWindowTitle(f"相談No. {case.consultation_id}（{MASKED_TITLE}）")
        self.title_label = heading(f"相談No. {case.consultation_id}　{MASKED_TITLE}", self)
        self.notice_label = QLabel(case.notice + "\n受け付けた機関の職員に確認してください。", self)
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet(NOTICE_STYLE)
        self.notice_label.setAccessibleName("非表示の理由")
        form = QFormLayout()
        self.value_labels: dict[str, QLabel] = {}
        for name, value in self.fields():
            label = QLabel(value or "（なし）", self)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(name)
            if name == "緊急" and case.urgent:
                label.setStyleSheet(f"color: {MARK_COLOR}; font-weight: bold;")
            self.value_labels[name] = label
            form.addRow(name, label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText("閉じる")
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.notice_label)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def fields(self) -> list[tuple[str, str]]:
        case = self.case
        urgency = "★ 緊急" + (f"（{'、'.join(case.urgency_labels)}）" if case.urgency_labels
                             else "") if case.urgent else "、".join(case.urgency_labels)
        return [
            ("受付日時", f"{to_wareki(case.received_at.date())} {case.received_at:%H:%M}"),
            ("地区", f"{case.district_name}地区"),
            ("受付機関", case.organisation_name),
            ("受付方法", case.channel_label),
            ("相談者", case.consulter_label),
            ("対象者", case.person_label),
            ("対象", "、".join(case.target_labels)),
            ("相談内容の分類", "、".join(case.element_labels)),
            ("対応", case.response_label),
            ("緊急", urgency),
            ("主訴・相談内容", "（非表示）"),
        ]

    def texts(self) -> list[str]:
        """Every text the dialog shows (for tests: nothing identifying may be among them)."""
        return [self.windowTitle(), self.title_label.text(), self.notice_label.text(),
                *(label.text() for label in self.value_labels.values())]
