"""相談者: a person's page — who they are, their 継続支援, and every consultation, referral,
consent, liaison sheet and household link, newest first.

The clerk finds the person with the intake's duplicate check (``services.persons``: a person
they may not see is never offered) or arrives from elsewhere (``show_person``); opening the page
is audited by the service, and a person the clerk may not see is refused with its message.
Double-clicking a consultation opens it in 受付 (``open_consultation``).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.jpdate import to_wareki, utc_to_local, wareki_short
from setacare_desktop.services import Database, ServiceError, StaffProfile, continuity, persons
from setacare_desktop.services.person_page import PersonPage as PageData
from setacare_desktop.services.person_page import person_page
from setacare_desktop.ui.page import Page, heading
from setacare_desktop.ui.person.household_box import HouseholdBox
from setacare_desktop.ui.person.tables import fill, read_only_table, row_id

IDLE = "氏名・ふりがな・生年月日で相談者を探してください（受付の重複確認と同じ照合です）。"
NOBODY = "該当する相談者はいません。"
TAB_TITLES = ("相談", "つなぎ", "同意", "連携シート", "世帯")


def _day(value: object) -> str:
    return wareki_short(value) if isinstance(value, date) else ""


class PersonPage(Page):
    open_consultation = Signal(int)
    status_message = Signal(str)

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db, self._actor = db, actor
        self.data: PageData | None = None
        # Finding the person
        self.name_edit = QLineEdit(self)
        self.reading_edit = QLineEdit(self)
        self.birth_edit = QLineEdit(self)
        self.birth_edit.setPlaceholderText("例: 昭和19年5月16日")
        self.find_button = QPushButton("探す(&F)", self)
        self.results = QListWidget(self)
        self.results.setAccessibleName("相談者の候補")
        self.results.setWordWrap(True)
        self.hint_label = QLabel(IDLE, self)
        self.hint_label.setWordWrap(True)
        finder = QGroupBox("相談者を探す", self)
        form = QFormLayout()
        form.addRow("氏名", self.name_edit)
        form.addRow("ふりがな", self.reading_edit)
        form.addRow("生年月日", self.birth_edit)
        finder_layout = QVBoxLayout(finder)
        finder_layout.addLayout(form)
        finder_layout.addWidget(self.find_button)
        finder_layout.addWidget(self.hint_label)
        finder_layout.addWidget(self.results, 1)
        # The page
        self.title_label = heading("相談者", self)
        self.person_label = QLabel("", self)
        self.person_label.setWordWrap(True)
        self.person_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.continuity_label = QLabel("", self)
        self.continuity_label.setWordWrap(True)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText("開始・終結の理由（必須）")
        self.open_button = QPushButton("継続支援を開始", self)
        self.close_button = QPushButton("終結する", self)
        support = QGroupBox("継続支援", self)
        support_row = QHBoxLayout()
        support_row.addWidget(self.reason_edit, 1)
        support_row.addWidget(self.open_button)
        support_row.addWidget(self.close_button)
        support_layout = QVBoxLayout(support)
        support_layout.addWidget(self.continuity_label)
        support_layout.addLayout(support_row)
        self.consultations = read_only_table(
            ("相談No.", "受付日時", "受付機関", "受付者", "主訴", "次回予定"), self, "相談")
        self.referrals = read_only_table(
            ("ID", "相談No.", "つないだ日", "つなぎ先", "状態", "返信期限", "返信"), self, "つなぎ")
        self.consents = read_only_table(
            ("同意先", "目的", "状態", "同意した人", "方法", "日付", "撤回日"), self, "同意")
        self.sheets = read_only_table(
            ("シート番号", "つなぎID", "相談No.", "つなぎ先", "発行日", "様式", "印刷"), self,
            "連携シート")
        self.households = HouseholdBox(db, actor, self)
        self.tabs = QTabWidget(self)
        for widget, title in zip((self.consultations, self.referrals, self.consents,
                                  self.sheets, self.households), TAB_TITLES, strict=True):
            self.tabs.addTab(widget, title)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title_label)
        right_layout.addWidget(self.person_label)
        right_layout.addWidget(support)
        right_layout.addWidget(self.tabs, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(finder)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 900])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self._connect()
        self._show(None)

    def _connect(self) -> None:
        self.find_button.clicked.connect(self.find)
        for edit in (self.name_edit, self.reading_edit, self.birth_edit):
            edit.returnPressed.connect(self.find)
        self.results.itemActivated.connect(self._result_chosen)
        self.results.itemClicked.connect(self._result_chosen)
        self.consultations.cellDoubleClicked.connect(self._consultation_chosen)
        self.open_button.clicked.connect(lambda: self._support(continuity.open_support))
        self.close_button.clicked.connect(lambda: self._support(continuity.close_support))
        self.households.changed.connect(self.reload)

    # --- finding ---------------------------------------------------------------------------

    def find(self) -> None:
        found = persons.possible_duplicates(
            self._db, self._actor, name=self.name_edit.text(), reading=self.reading_edit.text(),
            birth_date=self.birth_edit.text())
        self.results.clear()
        for candidate in found:
            born = f"・{_day(candidate.birth_date)}生" if candidate.birth_date else ""
            item = QListWidgetItem(f"{candidate.name}（{candidate.reading}）{born}\n"
                                   f"{candidate.district_name}地区・" + "、".join(candidate.reasons))
            item.setData(Qt.ItemDataRole.UserRole, candidate.person_id)
            self.results.addItem(item)
        self.hint_label.setText(f"{len(found)}人見つかりました。選ぶとページを開きます。"
                                if found else NOBODY)

    def _result_chosen(self, item: QListWidgetItem) -> None:
        self.show_person(int(item.data(Qt.ItemDataRole.UserRole)))

    # --- the page ---------------------------------------------------------------------------

    def show_person(self, person_id: int) -> bool:
        """Open a person's page (audited); False with the reason shown when refused."""
        try:
            data = person_page(self._db, self._actor, person_id)
        except ServiceError as error:
            self._show(None)
            self.person_label.setText(error.message)
            return False
        self._show(data)
        return True

    def reload(self) -> None:
        if self.data is not None:
            self.show_person(self.data.person.person_id)

    def _show(self, data: PageData | None) -> None:
        self.data = data
        for widget in (self.reason_edit, self.open_button, self.close_button, self.tabs):
            widget.setEnabled(data is not None)
        self.households.set_person(data.person.person_id if data else None,
                                   data.households if data else ())
        if data is None:
            self.title_label.setText("相談者")
            self.person_label.setText("左で相談者を探して選んでください。")
            self.continuity_label.setText("")
            for table in (self.consultations, self.referrals, self.consents, self.sheets):
                table.setRowCount(0)
            for index, title in enumerate(TAB_TITLES):
                self.tabs.setTabText(index, title)
            return
        p = data.person
        self.title_label.setText(f"{p.name}（{p.reading}）" if p.reading else p.name)
        facts = [f"対象者ID {p.person_id}"]
        if p.birth_date is not None:
            facts.append(f"{to_wareki(p.birth_date)}生（{p.age}歳）")
        facts += [x for x in (p.sex, f"{p.district_name}地区", p.address,
                              f"電話 {p.phone}" if p.phone else "") if x]
        self.person_label.setText("・".join(facts))
        self._show_continuity(data)
        fill(self.consultations, [
            (str(c.consultation_id), f"{wareki_short(c.received_at.date())} {c.received_at:%H:%M}",
             c.organisation, c.staff_name, c.main_complaint, _day(c.next_date))
            for c in data.consultations], stretch=4,
            ids=[c.consultation_id for c in data.consultations],
            masked=[not c.access.identifying for c in data.consultations])
        fill(self.referrals, [
            (str(r.referral_id), str(r.consultation_id), _day(r.referred_on), r.destination,
             r.status.label, _day(r.reply_due) + ("（超過）" if r.overdue else ""), r.last_reply)
            for r in data.referrals], stretch=6)
        fill(self.consents, [
            (c.recipient, c.purpose, c.state + ("（不同意を変更）" if c.replaces_refusal else ""),
             c.giver, c.method, _day(c.given_on), _day(c.withdrawn_on))
            for c in data.consents], stretch=0)
        fill(self.sheets, [
            (s.sheet_number, str(s.referral_id), str(s.consultation_id), s.destination,
             wareki_short(utc_to_local(s.issued_at).date()), "匿名" if s.anonymised else "通常",
             f"{s.prints}回") for s in data.sheets], stretch=3)
        counts = (len(data.consultations), len(data.referrals), len(data.consents),
                  len(data.sheets), len(data.households))
        for index, (title, count) in enumerate(zip(TAB_TITLES, counts, strict=True)):
            self.tabs.setTabText(index, f"{title}（{count}）")

    def _show_continuity(self, data: PageData) -> None:
        c = data.continuity
        if c is None:
            self.continuity_label.setText("継続支援: なし")
            self.close_button.setEnabled(False)
            return
        text = (f"継続支援: {c.status.label}（担当: {c.holder_name}・{c.holder_organisation}、"
                f"開始 {to_wareki(c.opened_on)}"
                + (f"、終結 {to_wareki(c.closed_on)}" if c.closed_on else "") + "）")
        if c.events:
            last = c.events[0]
            text += f"\n直近: {last.action.label}（{last.staff_name}）{last.reason}"
        self.continuity_label.setText(text)
        self.close_button.setEnabled(c.is_open)
        self.open_button.setText("担当を引き継ぐ" if c.is_open else "継続支援を開始")

    def _support(self, action: object) -> None:
        assert self.data is not None and callable(action)
        try:
            action(self._db, self._actor, self.data.person.person_id, self.reason_edit.text())
        except ServiceError as error:
            self.status_message.emit(error.message)
            self.continuity_label.setText(error.message)
            return
        self.reason_edit.clear()
        self.status_message.emit("継続支援を記録しました")
        self.reload()

    def _consultation_chosen(self, row: int, _column: int) -> None:
        consultation_id = row_id(self.consultations, row)
        if consultation_id is not None:
            self.open_consultation.emit(consultation_id)
