"""The person page's 世帯 tab: the household links, and linking or unlinking another person.

The other person is named by their 対象者ID (shown in 受付's duplicate panel and on their own
page); the service refuses a person the clerk may not see. A linked person the clerk may not
see is listed by initials and age band only."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.continuity import (
    RELATIONS,
    SITUATION_LABELS,
    HouseholdInput,
    living_label,
)
from setacare_desktop.services import Database, ServiceError, StaffProfile, households
from setacare_desktop.services.households import HouseholdLinkRow
from setacare_desktop.ui.person.tables import fill, read_only_table, row_id


class HouseholdBox(QWidget):
    changed = Signal()

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db, self._actor = db, actor
        self._person_id: int | None = None
        self.table = read_only_table(("続柄", "相手", "同居", "状況"), self, "世帯")
        self.other_edit = QLineEdit(self)
        self.other_edit.setPlaceholderText("相手の対象者ID")
        self.other_edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 14)
        self.relation_combo = QComboBox(self)
        self.relation_combo.setEditable(True)
        self.relation_combo.addItems(list(RELATIONS))
        self.relation_combo.setToolTip("相手がこの人の何にあたるか（母、子、配偶者 など）")
        self.together_check = QCheckBox("同居", self)
        self.situation_checks = {label: QCheckBox(label, self)
                                 for label in SITUATION_LABELS.values()}
        self.link_button = QPushButton("紐付ける", self)
        self.unlink_button = QPushButton("紐付けを解除", self)
        self.message_label = QLabel("", self)
        self.message_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("相手", self))
        row.addWidget(self.other_edit)
        row.addWidget(self.relation_combo)
        row.addWidget(self.together_check)
        for check in self.situation_checks.values():
            row.addWidget(check)
        row.addStretch(1)
        row.addWidget(self.link_button)
        row.addWidget(self.unlink_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.message_label)
        self.link_button.clicked.connect(self.link)
        self.unlink_button.clicked.connect(self.unlink)

    def set_person(self, person_id: int | None, links: Sequence[HouseholdLinkRow]) -> None:
        self._person_id = person_id
        fill(self.table, [
            (h.relation, h.other_label + ("" if h.other_visible else "（同意なし）"),
             living_label(h.living_together), "・".join(s.label for s in h.situations))
            for h in links], stretch=3, ids=[h.link_id for h in links],
            masked=[not h.other_visible for h in links])
        self.unlink_button.setEnabled(bool(links))

    def link(self) -> None:
        if self._person_id is None:
            return
        digits = self.other_edit.text().strip()
        if not digits.isdigit():
            self.message_label.setText("相手: 対象者IDを数字で入力してください")
            return
        typed = HouseholdInput(
            self.relation_combo.currentText(), self.together_check.isChecked(),
            tuple(label for label, check in self.situation_checks.items() if check.isChecked()))
        try:
            households.link_household(self._db, self._actor, self._person_id, int(digits), typed)
        except ServiceError as error:
            self.message_label.setText(error.message)
            return
        self.message_label.setText("世帯を紐付けました")
        self.other_edit.clear()
        self.changed.emit()

    def unlink(self) -> None:
        link_id = row_id(self.table)
        if link_id is None:
            self.message_label.setText("解除する紐付けを一覧で選んでください")
            return
        try:
            households.end_household_link(self._db, self._actor, link_id)
        except ServiceError as error:
            self.message_label.setText(error.message)
            return
        self.message_label.setText("紐付けを解除しました")
        self.changed.emit()
