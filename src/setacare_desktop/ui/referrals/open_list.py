"""The district's open referrals (overdue first), each one's steps, and recording the next step:
a status change and/or the destination's reply (受理日, 先方の担当者, reply text)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain import roles
from setacare_desktop.domain.jpdate import local_now, wareki_short
from setacare_desktop.domain.reference import DISTRICTS_BY_CODE
from setacare_desktop.domain.referral import ReferralStatus, allowed_next
from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError
from setacare_desktop.services import referrals as referral_service
from setacare_desktop.ui.columns import fit_to_rows, row_list_view
from setacare_desktop.ui.dates import date_edit, qdate
from setacare_desktop.ui.forms import FormProblems
from setacare_desktop.ui.referrals.table_model import COL_REQUEST, ReferralTableModel

KEEP_STATUS = "（状況は変えない）"


def event_text(event: referral_service.EventRow) -> str:
    """「R8.11.24 山田 職員 作成 → 送付済 回答: …」."""
    step = (f"{event.previous_status.label} → {event.status.label}"
            if event.previous_status is not None and event.previous_status is not event.status
            else event.status.label)
    parts = [wareki_short(event.occurred_on), event.staff_name, step]
    if event.reason:
        parts.append(f"理由: {event.reason}")
    if event.reply:
        parts.append(f"回答: {' '.join(event.reply.split())}")
    return "　".join(parts)


def reply_text(contact: str, reply: str) -> str:
    """The reply as stored: the destination's staff member first, when given."""
    contact, reply = contact.strip(), reply.strip()
    if contact:
        return f"先方担当者: {contact}" + (f"\n{reply}" if reply else "")
    return reply


class OpenReferralsPanel(QWidget):
    """Open referrals of one district (the actor's readable districts to choose from)."""

    status_message = Signal(str)

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._loaded = False

        self.district_combo = QComboBox(self)
        for code in roles.readable_districts(actor):
            self.district_combo.addItem(f"{DISTRICTS_BY_CODE[code].name}地区", code)
        own = self.district_combo.findData(actor.district_code)
        if own >= 0:
            self.district_combo.setCurrentIndex(own)
        self.district_combo.setAccessibleName("地区")
        district_label = QLabel("地区(&T)", self)
        district_label.setBuddy(self.district_combo)
        self.refresh_button = QPushButton("更新", self)
        self.summary_label = QLabel(self)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()

        self.model = ReferralTableModel(self)
        self.table = row_list_view(self.model, self)
        self.table.setAccessibleName("未完了のつなぎ")

        # The chosen referral: its steps and the next one.
        self.selected_label = QLabel("つなぎを選ぶと、経過と回答の記録が表示されます。", self)
        self.selected_label.setWordWrap(True)
        self.events_list = QListWidget(self)
        self.events_list.setAccessibleName("経過")
        self.update_box = QGroupBox("状況の変更・先方の回答", self)
        self.status_combo = QComboBox(self.update_box)
        self.status_combo.setAccessibleName("状況")
        # Today, also while no referral is chosen (never Qt's 2000年1月1日).
        self.date_edit = date_edit(self.update_box, "受理日・日付", local_now().date())
        self.contact_edit = QLineEdit(self.update_box)
        self.contact_edit.setAccessibleName("先方の担当者")
        self.reason_edit = QLineEdit(self.update_box)
        self.reason_edit.setAccessibleName("理由")
        self.reason_edit.setPlaceholderText("対応不可・取下げの理由")
        self.reply_edit = QPlainTextEdit(self.update_box)
        self.reply_edit.setTabChangesFocus(True)
        self.reply_edit.setAccessibleName("先方の回答")
        self.reply_edit.setFixedHeight(self.fontMetrics().height() * 4)
        self.save_button = QPushButton("記録(&S)", self.update_box)
        self.problems = FormProblems(self.update_box)
        form = QFormLayout()
        self.status_label = QLabel("状況", self.update_box)
        self.reply_label = QLabel("回答", self.update_box)
        for text, widget in (("状況", self.status_combo), ("受理日・日付", self.date_edit),
                             ("先方の担当者", self.contact_edit), ("理由", self.reason_edit),
                             ("回答", self.reply_edit)):
            label = {"状況": self.status_label, "回答": self.reply_label}.get(
                text) or QLabel(text, self.update_box)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.problems.register("状況", self.status_label, self.status_combo)
        self.problems.register("回答", self.reply_label, self.reply_edit)
        update_buttons = QHBoxLayout()
        update_buttons.addStretch(1)
        update_buttons.addWidget(self.save_button)
        update_layout = QVBoxLayout(self.update_box)
        update_layout.addLayout(form)
        update_layout.addWidget(self.problems)
        update_layout.addLayout(update_buttons)
        self.update_box.setEnabled(False)

        controls = QHBoxLayout()
        controls.addWidget(district_label)
        controls.addWidget(self.district_combo)
        controls.addWidget(self.summary_label, 1)
        controls.addWidget(self.refresh_button)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.selected_label)
        detail_layout.addWidget(QLabel("経過", detail))
        detail_layout.addWidget(self.events_list, 1)
        detail_layout.addWidget(self.update_box)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.message_label)
        layout.addWidget(splitter, 1)

        self.district_combo.currentIndexChanged.connect(self.reload)
        self.refresh_button.clicked.connect(self.reload)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.save_button.clicked.connect(self._save_clicked)

    def activate(self) -> None:
        if not self._loaded:
            self.reload()

    def refresh(self) -> None:
        if self._loaded:
            self.reload()

    def district_code(self) -> str | None:
        data = self.district_combo.currentData()
        return None if data is None else str(data)

    def reload(self) -> None:
        """Read the district's open referrals again, keeping the chosen one chosen."""
        self._loaded = True
        keep = self.selected_referral()
        district = self.district_code()
        if district is None:
            self.model.set_rows([])
            self._show_selected(None)
            return
        try:
            rows = referral_service.open_referrals(self._db, self._actor, district)
        except ServiceError as error:
            self.model.set_rows([])
            self.message_label.setText(error.message)
            self.message_label.show()
            self._show_selected(None)
            return
        self.message_label.hide()
        self.model.set_rows(rows)
        model = self.model
        fit_to_rows(self.table, model, stretch=COL_REQUEST, limit_chars=16)
        overdue = model.overdue_count()
        self.summary_label.setText(
            f"未完了 {len(rows)}件" + (f"（うち期限超過 {overdue}件）" if overdue else "")
            if rows else "未完了のつなぎはありません。")
        row = model.row_of(keep.referral_id) if keep is not None else -1
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._show_selected(None)

    def selected_referral(self) -> referral_service.ReferralRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_referral(self, referral_id: int) -> bool:
        row = self.model.row_of(referral_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def open_reply(self, referral_id: int, district_code: str) -> bool:
        """Show the referral (of ``district_code``) with its reply form ready; False when it is
        not open (already closed, or a district this staff member cannot read)."""
        index = self.district_combo.findData(district_code)
        if index < 0:
            return False
        if index != self.district_combo.currentIndex():
            self.district_combo.setCurrentIndex(index)  # reloads
        else:
            self.reload()
        if not self.select_referral(referral_id):
            return False
        self.reply_edit.setFocus()
        return True

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_selected(self.selected_referral())

    def _show_selected(self, row: referral_service.ReferralRow | None) -> None:
        self.events_list.clear()
        self.status_combo.clear()
        self.problems.clear_problems()
        if row is None:
            self.selected_label.setText("つなぎを選ぶと、経過と回答の記録が表示されます。")
            self.update_box.setEnabled(False)
            return
        due = wareki_short(row.reply_due) if row.reply_due else "なし"
        overdue = "（期限超過）" if row.overdue else ""
        self.selected_label.setText(
            f"相談No. {row.consultation_id} → {row.destination}（{row.method.label}、"
            f"{row.status.label}、回答期限 {due}{overdue}）\n依頼事項: {row.request}\n"
            f"根拠: {row.basis_note}")
        try:
            steps = referral_service.events(self._db, self._actor, row.referral_id)
        except ServiceError as error:
            self.events_list.addItem(error.message)
            steps = []
        self.events_list.addItems([event_text(e) for e in steps])
        self.status_combo.addItem(KEEP_STATUS, "")
        for status in allowed_next(row.status):
            self.status_combo.addItem(status.label, status.value)
        self.date_edit.setDate(qdate(local_now().date()))
        self.update_box.setEnabled(True)

    def set_status(self, status: ReferralStatus | None) -> None:
        self.status_combo.setCurrentIndex(
            self.status_combo.findData("" if status is None else status.value))

    def save_step(self) -> bool:
        """Record the chosen referral's next step; False when refused (the reason is shown and
        what was typed stays)."""
        row = self.selected_referral()
        if row is None:
            return False
        data = self.status_combo.currentData()
        status = ReferralStatus(data) if data else None
        try:
            referral_service.record_reply(
                self._db, self._actor, row.referral_id, status=status,
                reply=reply_text(self.contact_edit.text(), self.reply_edit.toPlainText()),
                reason=self.reason_edit.text(), on=self.date_edit.date().toPython())
        except ValidationError as error:
            self.problems.show_problems(error.problems)
            return False
        except ServiceError as error:
            self.problems.show_message(error.message)
            return False
        for edit in (self.contact_edit, self.reason_edit):
            edit.clear()
        self.reply_edit.clear()
        what = f"「{status.label}」に変更" if status is not None else "回答を記録"
        self.status_message.emit(f"つなぎ（{row.destination}）を{what}しました")
        self.reload()
        return True

    def _save_clicked(self) -> None:
        self.save_step()
