"""The side panel that lists persons on record who may be the one being typed.

The page asks ``services.persons.possible_duplicates`` (debounced) and hands the candidates here.
Each candidate shows who they are (birth date and age, sex, district and town, the last four
digits of their phone), their household links (「世帯: 母（同居）・8050」, when the window sets
``household_lines``) and their last consultation. The clerk links the consultation to one of
them (Enter on the list, or the button) or confirms a new person, which dismisses the candidates
shown; below, the selected candidate's recent consultations can be opened (Enter, double-click
or 「この相談を開く」), which the page passes on as ``open_consultation_requested``. While linked,
the panel says so and offers to undo the link. The lists and their buttons are disabled when
empty, so Tab passes them by.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

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

from setacare_desktop.domain.intake import SEXES
from setacare_desktop.domain.jpdate import age_on, local_now, to_wareki
from setacare_desktop.services.persons import PersonCandidate, RecentConsultation

IDLE = "氏名・ふりがな・生年月日を入力すると、登録済みの対象者と照合します。"
NONE_FOUND = "同じ人と思われる登録済みの対象者はいません。"
DISMISSED = "新しい対象者として登録します。"
RECENT_TITLE = "選んだ候補の最近の相談（Enterで開く）"

_SEX_LABELS = {term.code: term.label for term in SEXES}
#: Digits of a phone number left readable in the panel (the rest are masked).
PHONE_VISIBLE_DIGITS = 4


def masked_phone(phone: str) -> str:
    """「03-1111-2222」 → 「**-****-2222」: enough to ask 「下4桁は2222ですか」, no more."""
    total = sum(ch.isdigit() for ch in phone)
    seen = 0
    masked = []
    for ch in phone:
        if ch.isdigit():
            seen += 1
            masked.append(ch if seen > total - PHONE_VISIBLE_DIGITS else "*")
        else:
            masked.append(ch)
    return "".join(masked)


def recent_text(recent: RecentConsultation) -> str:
    """「令和8年11月20日 10:00 物忘れが心配」 (the complaint cut at 30 characters)."""
    moment = recent.received_at
    return f"{to_wareki(moment.date())} {moment:%H:%M} {recent.main_complaint[:30]}"


def candidate_text(candidate: PersonCandidate, household: Sequence[str] = ()) -> str:
    """Several lines: who, born when, where, why they match, their household links (relation,
    living together, situation; nothing of the other person) and their last consultation."""
    name = candidate.name or "（氏名なし）"
    lines = [f"{name}（{candidate.reading}）" if candidate.reading else name]
    who = []
    if candidate.birth_date is not None:
        age = age_on(candidate.birth_date, local_now().date())
        who.append(f"{to_wareki(candidate.birth_date)}生（{age}歳）")
    if candidate.sex:
        who.append(_SEX_LABELS.get(candidate.sex, candidate.sex))
    if who:
        lines.append("・".join(who))
    where = [f"{candidate.district_name}地区"]
    if candidate.address_town:
        where.append(candidate.address_town)
    if candidate.phone:
        where.append(f"電話 {masked_phone(candidate.phone)}")
    lines.append("・".join(where))
    lines.append("一致: " + "、".join(candidate.reasons))
    if household:
        lines.append("世帯: " + "、".join(household))
    if candidate.recent:
        lines.append(f"最終相談: {recent_text(candidate.recent[0])}")
    else:
        lines.append("相談の記録なし")
    return "\n".join(lines)


class DuplicatePanel(QGroupBox):
    """Candidates for the same person, with 「この人に紐付け」 and 「新しい対象者として登録」,
    and the selected candidate's recent consultations to open."""

    link_requested = Signal(object)  # PersonCandidate
    unlink_requested = Signal()
    new_person_confirmed = Signal()
    #: The clerk chose one of a candidate's recent consultations (its id) to read or amend.
    open_requested = Signal(int)
    #: The clerk asked for the selected candidate's whole page (their person id: 相談者).
    person_page_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("同じ人の登録がないか確認（Ctrl+D）", parent)
        self.candidates: list[PersonCandidate] = []
        #: Person ids → their household lines (``services.households.panel_lines``), set by the
        #: window; None shows no household line.
        self.household_lines: Callable[[list[int]], dict[int, list[str]]] | None = None
        self.status_label = QLabel(IDLE, self)
        self.status_label.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("登録済みの対象者の候補")
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.link_button = QPushButton("この人に紐付け(&L)", self)
        self.new_button = QPushButton("新しい対象者として登録", self)
        self.page_button = QPushButton("相談者ページ", self)
        self.page_button.setToolTip("選んだ候補のすべての相談・つなぎ・同意・世帯を「相談者」で見る")

        self.recent_label = QLabel(RECENT_TITLE, self)
        self.recent_label.setWordWrap(True)
        self.recent_list = QListWidget(self)
        self.recent_list.setAccessibleName("選んだ候補の最近の相談")
        self.recent_list.setWordWrap(True)
        self.recent_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # A few rows (the service gives the last three): the candidates keep the room.
        self.recent_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 7)
        self.recent_label.setBuddy(self.recent_list)
        self.open_button = QPushButton("この相談を開く(&O)", self)
        self.open_button.setToolTip("選んだ相談を「受付」で開いて読む・修正する")

        self.linked_label = QLabel(self)
        self.linked_label.setWordWrap(True)
        self.linked_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.unlink_button = QPushButton("紐付けを解除", self)

        buttons = QHBoxLayout()
        buttons.addWidget(self.link_button)
        buttons.addWidget(self.new_button)
        open_row = QHBoxLayout()
        open_row.addWidget(self.page_button)
        open_row.addStretch(1)
        open_row.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.linked_label)
        layout.addWidget(self.unlink_button)
        layout.addWidget(self.status_label)
        layout.addWidget(self.list, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.recent_label)
        layout.addWidget(self.recent_list, 1)
        layout.addLayout(open_row)
        layout.addStretch(0)  # keeps the linked person at the top while the lists are hidden
        self._connect_signals()
        self.show_candidates([])
        self.show_linked(None)

    def _connect_signals(self) -> None:
        self.list.itemActivated.connect(self._activated)
        self.list.currentRowChanged.connect(self._candidate_changed)
        self.link_button.clicked.connect(self._link_clicked)
        self.new_button.clicked.connect(self._new_clicked)
        self.unlink_button.clicked.connect(self.unlink_requested)
        self.recent_list.itemActivated.connect(self._recent_activated)
        self.recent_list.currentRowChanged.connect(self._update_buttons)
        self.open_button.clicked.connect(self._open_clicked)
        self.page_button.clicked.connect(self._page_clicked)

    def show_candidates(self, candidates: Iterable[PersonCandidate], *,
                        searched: bool = False) -> None:
        self.candidates = list(candidates)
        self.list.clear()
        lines = (self.household_lines([c.person_id for c in self.candidates])
                 if self.household_lines is not None and self.candidates else {})
        for candidate in self.candidates:
            item = QListWidgetItem(candidate_text(candidate, lines.get(candidate.person_id, ())))
            item.setToolTip(f"対象者ID {candidate.person_id}")
            self.list.addItem(item)
        if self.candidates:
            self.status_label.setText(
                f"同じ人かもしれない対象者が{len(self.candidates)}人います。"
                "同じ人なら紐付けてください（Enter）。")
            self.list.setCurrentRow(0)
        else:
            self.status_label.setText(NONE_FOUND if searched else IDLE)
        self._candidate_changed()

    def dismiss(self) -> None:
        self.show_candidates([])
        self.status_label.setText(DISMISSED)

    def show_linked(self, text: str | None) -> None:
        """``text``: who the consultation is linked to, or None when it is not linked."""
        linked = text is not None
        self.linked_label.setText(f"既存の対象者に紐付け中：\n{text}" if linked else "")
        self.linked_label.setVisible(linked)
        self.unlink_button.setVisible(linked)
        for widget in (self.status_label, self.list, self.link_button, self.new_button):
            widget.setVisible(not linked)
        self._update_buttons()

    def is_linked(self) -> bool:
        return not self.linked_label.isHidden()

    def focus_candidates(self) -> None:
        """Ctrl+D: go to the candidates (or to the unlink button while linked)."""
        if self.is_linked():
            self.unlink_button.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif self.candidates:
            self.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_chain(self) -> list[QWidget]:
        return [self.list, self.link_button, self.new_button, self.recent_list,
                self.open_button, self.page_button, self.unlink_button]

    def current_candidate(self) -> PersonCandidate | None:
        row = self.list.currentRow()
        return self.candidates[row] if 0 <= row < len(self.candidates) else None

    def _candidate_changed(self) -> None:
        """The recent consultations follow the candidate selected."""
        self.recent_list.clear()
        candidate = self.current_candidate()
        for recent in candidate.recent if candidate is not None else ():
            item = QListWidgetItem(recent_text(recent))
            item.setData(Qt.ItemDataRole.UserRole, recent.consultation_id)
            item.setToolTip(f"相談No. {recent.consultation_id}")
            self.recent_list.addItem(item)
        if self.recent_list.count():
            self.recent_list.setCurrentRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = bool(self.candidates)
        self.list.setEnabled(has)
        self.link_button.setEnabled(has and self.current_candidate() is not None)
        self.new_button.setEnabled(has)
        has_recent = self.recent_list.count() > 0
        self.recent_list.setEnabled(has_recent)
        self.open_button.setEnabled(has_recent and self.recent_list.currentItem() is not None)
        self.page_button.setEnabled(has and self.current_candidate() is not None)
        # The recent consultations belong to a candidate: shown only while there are some.
        for widget in (self.recent_label, self.recent_list, self.open_button, self.page_button):
            widget.setVisible(has and not self.is_linked())

    def _activated(self, _item: QListWidgetItem) -> None:
        self._link_clicked()

    def _link_clicked(self) -> None:
        candidate = self.current_candidate()
        if candidate is not None:
            self.link_requested.emit(candidate)

    def _new_clicked(self) -> None:
        self.new_person_confirmed.emit()

    def _page_clicked(self) -> None:
        candidate = self.current_candidate()
        if candidate is not None:
            self.person_page_requested.emit(candidate.person_id)

    def _recent_activated(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def _open_clicked(self) -> None:
        item = self.recent_list.currentItem()
        if item is not None:
            self._recent_activated(item)
