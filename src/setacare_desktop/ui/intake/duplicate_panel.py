"""The side panel that lists persons on record who may be the one being typed.

The page asks ``services.persons.possible_duplicates`` (debounced) and hands the candidates here.
The clerk links the consultation to one of them (Enter on the list, or the button) or confirms a
new person, which dismisses the candidates shown. While linked, the panel says so and offers to
undo the link. The list and its buttons are disabled when empty, so Tab passes them by.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.jpdate import age_on, local_now, to_wareki
from setacare_desktop.services.persons import PersonCandidate

IDLE = "氏名・ふりがな・生年月日を入力すると、登録済みの対象者と照合します。"
NONE_FOUND = "同じ人と思われる登録済みの対象者はいません。"
DISMISSED = "新しい対象者として登録します。"


def candidate_text(candidate: PersonCandidate) -> str:
    """Several lines: who, born when, where, why they match, and their last consultations."""
    name = candidate.name or "（氏名なし）"
    lines = [f"{name}（{candidate.reading}）" if candidate.reading else name]
    facts = []
    if candidate.birth_date is not None:
        age = age_on(candidate.birth_date, local_now().date())
        facts.append(f"{to_wareki(candidate.birth_date)}生（{age}歳）")
    facts.append(f"{candidate.district_name}地区")
    if candidate.address_town:
        facts.append(candidate.address_town)
    lines.append("・".join(facts))
    lines.append("一致: " + "、".join(candidate.reasons))
    if candidate.recent:
        for recent in candidate.recent:
            lines.append(f"　{to_wareki(recent.received_at.date())} {recent.main_complaint[:30]}")
    else:
        lines.append("　相談の記録なし")
    return "\n".join(lines)


class DuplicatePanel(QGroupBox):
    """Candidates for the same person, with 「この人に紐付け」 and 「新しい対象者として登録」."""

    link_requested = Signal(object)  # PersonCandidate
    unlink_requested = Signal()
    new_person_confirmed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("同じ人の登録がないか確認（Ctrl+D）", parent)
        self.candidates: list[PersonCandidate] = []
        self.status_label = QLabel(IDLE, self)
        self.status_label.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("登録済みの対象者の候補")
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.link_button = QPushButton("この人に紐付け(&L)", self)
        self.new_button = QPushButton("新しい対象者として登録", self)

        self.linked_label = QLabel(self)
        self.linked_label.setWordWrap(True)
        self.linked_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.unlink_button = QPushButton("紐付けを解除", self)

        buttons = QHBoxLayout()
        buttons.addWidget(self.link_button)
        buttons.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.linked_label)
        layout.addWidget(self.unlink_button)
        layout.addWidget(self.status_label)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addStretch(0)  # keeps the linked person at the top while the list is hidden
        self._connect_signals()
        self.show_candidates([])
        self.show_linked(None)

    def _connect_signals(self) -> None:
        self.list.itemActivated.connect(self._activated)
        self.list.currentRowChanged.connect(self._update_buttons)
        self.link_button.clicked.connect(self._link_clicked)
        self.new_button.clicked.connect(self._new_clicked)
        self.unlink_button.clicked.connect(self.unlink_requested)

    def show_candidates(self, candidates: Iterable[PersonCandidate], *,
                        searched: bool = False) -> None:
        self.candidates = list(candidates)
        self.list.clear()
        for candidate in self.candidates:
            item = QListWidgetItem(candidate_text(candidate))
            item.setToolTip(f"対象者ID {candidate.person_id}")
            self.list.addItem(item)
        if self.candidates:
            self.status_label.setText(
                f"同じ人かもしれない対象者が{len(self.candidates)}人います。"
                "同じ人なら紐付けてください（Enter）。")
            self.list.setCurrentRow(0)
        else:
            self.status_label.setText(NONE_FOUND if searched else IDLE)
        self._update_buttons()

    def dismiss(self) -> None:
        self.show_candidates([])
        self.status_label.setText(DISMISSED)

    def show_linked(self, text: str | None) -> None:
        """``text``: who the consultation is linked to, or None when it is not linked."""
        linked = text is not None
        self.linked_label.setText(f"既存の対象者に紐付け中：\n{text}" if linked else "")
        self.linked_label.setVisible(linked)
        self.unlink_button.setVisible(linked)
        self.status_label.setVisible(not linked)
        self.list.setVisible(not linked)
        self.link_button.setVisible(not linked)
        self.new_button.setVisible(not linked)

    def is_linked(self) -> bool:
        return not self.linked_label.isHidden()

    def focus_candidates(self) -> None:
        """Ctrl+D: go to the candidates (or to the unlink button while linked)."""
        if self.is_linked():
            self.unlink_button.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif self.candidates:
            self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_chain(self) -> list[QWidget]:
        return [self.list, self.link_button, self.new_button, self.unlink_button]

    def _current(self) -> PersonCandidate | None:
        row = self.list.currentRow()
        return self.candidates[row] if 0 <= row < len(self.candidates) else None

    def _update_buttons(self) -> None:
        has = bool(self.candidates)
        self.list.setEnabled(has)
        self.link_button.setEnabled(has and self._current() is not None)
        self.new_button.setEnabled(has)

    def _activated(self, _item: QListWidgetItem) -> None:
        self._link_clicked()

    def _link_clicked(self) -> None:
        candidate = self._current()
        if candidate is not None:
            self.link_requested.emit(candidate)

    def _new_clicked(self) -> None:
        self.new_person_confirmed.emit()
