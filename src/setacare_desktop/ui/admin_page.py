"""管理: the staff accounts, the idle lock's minutes for every PC, the sender block printed on
the organisation's sheets and FAX cover sheets (所在地, 電話, FAX, 担当者) and each printed form's
様式 number and title — for account managers."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.roles import can_manage_accounts
from setacare_desktop.services import (
    Database,
    PermissionDeniedError,
    ServiceError,
    StaffProfile,
    backup,
    followups,
    preferences,
    staff,
)
from setacare_desktop.services import organisation_settings as org_settings
from setacare_desktop.ui.add_staff_dialog import AddStaffDialog
from setacare_desktop.ui.forms import error_label
from setacare_desktop.ui.number_setting import NumberSetting
from setacare_desktop.ui.page import Page, heading
from setacare_desktop.ui.table_models import StaffTableModel

MANAGERS_ONLY = "管理者のみ利用できます"


class AdminPage(Page):
    """The staff list and 職員を追加. Others see that only managers may use the page."""

    #: A short message for the status bar, e.g. after an account was added.
    status_message = Signal(str)
    #: The administrator set the idle lock's minutes (for every PC; this one at once).
    idle_lock_changed = Signal(int)

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._loaded = False
        self._forms: dict[str, org_settings.FormTitle] = {}
        self.add_dialog: AddStaffDialog | None = None

        self.add_button = QPushButton("職員を追加…", self)
        self.refresh_button = QPushButton("更新(&R)", self)
        self.model = StaffTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("職員の一覧")
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.body = QStackedWidget(self)
        self.body.addWidget(self.table)
        self.body.addWidget(self.message_label)
        self.lock_box = self._build_lock_box()
        self.notice_box = self._build_notice_box()
        self.sender_box = self._build_sender_box()
        self.forms_box = self._build_forms_box()

        controls = QHBoxLayout()
        controls.addWidget(self.add_button)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("管理: 職員アカウント", self))
        layout.addWidget(self.lock_box)
        layout.addWidget(self.notice_box)
        boxes = QHBoxLayout()
        boxes.addWidget(self.sender_box, 3)
        boxes.addWidget(self.forms_box, 2)
        layout.addLayout(boxes)
        layout.addLayout(controls)
        layout.addWidget(self.body, 1)

        if not can_manage_accounts(actor):
            self._refuse(MANAGERS_ONLY)
        self._connect_signals()

    def _build_lock_box(self) -> QGroupBox:
        box = QGroupBox("画面ロック（すべてのPCに適用）", self)
        self.idle_lock_setting = NumberSetting(
            f"{preferences.IDLE_LOCK_FIELD}(&M)",
            f"操作がないまま {preferences.IDLE_LOCK_MIN}〜{preferences.IDLE_LOCK_MAX} "
            "分たつと、画面を隠してパスワードを求めます。",
            preferences.IDLE_LOCK_DEFAULT, load=lambda: preferences.idle_lock_minutes(self._db),
            save=lambda text: preferences.set_idle_lock_minutes(self._db, self._actor, text),
            done=lambda minutes: f"画面ロックまでの時間を {minutes} 分にしました（すべてのPC）。",
            parent=box)
        self.idle_lock_setting.stored.connect(self.idle_lock_changed)
        self.idle_lock_setting.saved.connect(self.status_message)
        self.lock_minutes_edit = self.idle_lock_setting.edit
        self.lock_save_button = self.idle_lock_setting.save_button
        self.lock_error_label = self.idle_lock_setting.error_label
        QVBoxLayout(box).addWidget(self.idle_lock_setting)
        return box

    def _build_notice_box(self) -> QGroupBox:
        box = QGroupBox("知らせるまでの日数（すべてのPCに適用）", self)
        self.backup_days = NumberSetting(
            f"{backup.REMINDER_FIELD}(&B)",
            "最後のバックアップからこの日数がたつと、管理者の画面に知らせます（SQLite のみ）。",
            backup.DEFAULT_REMINDER_DAYS, load=lambda: backup.reminder_days(self._db),
            save=lambda text: backup.set_reminder_days(self._db, self._actor, text),
            done=lambda days: f"{backup.REMINDER_FIELD}を {days} 日にしました。", parent=box)
        self.no_contact_days = NumberSetting(
            f"{followups.NO_CONTACT_FIELD}(&D)",
            "継続支援中で、この日数のあいだ相談のない人を「やること」に挙げます。",
            followups.NO_CONTACT_DEFAULT, load=lambda: followups.no_contact_days(self._db),
            save=lambda text: followups.set_no_contact_days(self._db, self._actor, text),
            done=lambda days: f"{followups.NO_CONTACT_FIELD}を {days} 日にしました。",
            parent=box)
        inner = QVBoxLayout(box)
        for setting in (self.backup_days, self.no_contact_days):
            setting.saved.connect(self.status_message)
            inner.addWidget(setting)
        return box

    def _build_sender_box(self) -> QGroupBox:
        box = QGroupBox("送付元の情報（連携シート・FAX送付状に印字）", self)
        form = QFormLayout()
        self.sender_edits: dict[str, QLineEdit] = {}
        for name, label, limit in org_settings.SENDER_FIELDS:
            edit = QLineEdit(box)
            edit.setAccessibleName(label)
            edit.setMaxLength(limit)
            form.addRow(label, edit)
            self.sender_edits[name] = edit
        self.sender_edits["phone"].setPlaceholderText("03-1234-5678")
        self.sender_edits["contact"].setPlaceholderText("空欄なら、つなぎを記録した職員の名前")
        self.sender_name_label = QLabel(box)
        self.sender_save_button = QPushButton("送付元を保存", box)
        self.sender_error_label = error_label(box)
        inner = QVBoxLayout(box)
        inner.addWidget(self.sender_name_label)
        inner.addLayout(form)
        inner.addWidget(self.sender_error_label)
        inner.addWidget(self.sender_save_button)
        return box

    def _build_forms_box(self) -> QGroupBox:
        box = QGroupBox("様式の番号・題名", self)
        self.form_combo = QComboBox(box)
        self.form_combo.setAccessibleName("様式")
        self.form_number_edit = QLineEdit(box)
        self.form_number_edit.setAccessibleName("様式番号")
        self.form_title_edit = QLineEdit(box)
        self.form_title_edit.setAccessibleName("様式の題名")
        self.form_save_button = QPushButton("様式を変更", box)
        self.form_error_label = error_label(box)
        form = QFormLayout()
        form.addRow("様式", self.form_combo)
        form.addRow("番号", self.form_number_edit)
        form.addRow("題名", self.form_title_edit)
        inner = QVBoxLayout(box)
        inner.addLayout(form)
        inner.addWidget(self.form_error_label)
        inner.addWidget(self.form_save_button)
        inner.addStretch(1)
        return box

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.open_add_dialog)
        self.refresh_button.clicked.connect(self.reload)
        self.sender_save_button.clicked.connect(self.save_sender)
        self.form_combo.currentIndexChanged.connect(self._show_form)
        self.form_save_button.clicked.connect(self.save_form)

    def activate(self) -> None:
        if not self._loaded and can_manage_accounts(self._actor):
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        try:
            rows = staff.list_staff(self._db, self._actor)
        except PermissionDeniedError as error:
            self._refuse(error.message)
            return
        self.model.set_rows(rows)
        self.body.setCurrentWidget(self.table)
        if not self.idle_lock_setting.reload():
            return
        self.backup_days.reload()
        self.no_contact_days.reload()
        self._load_print_settings()

    def _load_print_settings(self) -> None:
        try:
            sender = org_settings.sender_settings(self._db, self._actor)
            forms = org_settings.print_forms(self._db)
        except ServiceError as error:
            self._problem(self.sender_error_label, error.message)
            return
        self._show_sender(sender)
        self._forms = {f.code: f for f in forms}
        current = self.form_combo.currentData()
        self.form_combo.blockSignals(True)
        self.form_combo.clear()
        for f in forms:
            self.form_combo.addItem(f.heading, f.code)
        self.form_combo.blockSignals(False)
        self.form_combo.setCurrentIndex(max(0, self.form_combo.findData(current)))
        self._show_form()

    def _show_sender(self, sender: org_settings.Sender) -> None:
        self.sender_name_label.setText(f"機関: {sender.name}")
        for name, edit in self.sender_edits.items():
            edit.setText(getattr(sender, name))

    def _show_form(self) -> None:
        form = self._forms.get(self.form_combo.currentData())
        if form is not None:
            self.form_number_edit.setText(form.number)
            self.form_title_edit.setText(form.title)

    def save_sender(self) -> bool:
        """Store the sender block as typed; a bad value is explained under the fields."""
        try:
            sender = org_settings.set_sender_settings(
                self._db, self._actor,
                **{name: edit.text() for name, edit in self.sender_edits.items()})
        except ServiceError as error:
            self._problem(self.sender_error_label, error.message)
            return False
        self.sender_error_label.hide()
        self._show_sender(sender)
        self.status_message.emit(f"{sender.name} の送付元の情報を保存しました。")
        return True

    def save_form(self) -> bool:
        """Store the chosen form's number and title."""
        code = self.form_combo.currentData()
        try:
            form = org_settings.set_print_form(self._db, self._actor, code,
                                               number=self.form_number_edit.text(),
                                               title=self.form_title_edit.text())
        except ServiceError as error:
            self._problem(self.form_error_label, error.message)
            return False
        self.form_error_label.hide()
        self._forms[code] = form
        self.form_combo.setItemText(self.form_combo.currentIndex(), form.heading)
        self.status_message.emit(f"様式を「{form.heading}」にしました。")
        return True

    @staticmethod
    def _problem(label: QLabel, message: str) -> None:
        label.setText(message)
        label.show()

    def _refuse(self, message: str) -> None:
        self.message_label.setText(message)
        self.body.setCurrentWidget(self.message_label)
        self.add_button.setEnabled(False)
        self.refresh_button.setEnabled(False)
        self.lock_box.hide()
        self.notice_box.hide()
        self.sender_box.hide()
        self.forms_box.hide()

    def open_add_dialog(self) -> AddStaffDialog:
        """Open 職員を追加 (window-modal, without blocking) and return it."""
        dialog = AddStaffDialog(self._db, self._actor, self)
        dialog.accepted.connect(self._staff_added)
        dialog.finished.connect(self._add_dialog_finished)
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def _add_dialog_finished(self, _result: int) -> None:
        if self.add_dialog is not None:
            self.add_dialog.deleteLater()
            self.add_dialog = None

    def _staff_added(self) -> None:
        dialog = self.add_dialog
        self.reload()
        if dialog is not None and dialog.profile is not None:
            self.status_message.emit(
                f"職員「{dialog.profile.name}」（{dialog.profile.login}）を追加しました。")
