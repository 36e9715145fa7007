"""管理: the staff accounts, and the idle lock's minutes for every PC, for account managers."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
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
    preferences,
    staff,
)
from setacare_desktop.ui.add_staff_dialog import AddStaffDialog
from setacare_desktop.ui.forms import error_label
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

        controls = QHBoxLayout()
        controls.addWidget(self.add_button)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("管理: 職員アカウント", self))
        layout.addWidget(self.lock_box)
        layout.addLayout(controls)
        layout.addWidget(self.body, 1)

        if not can_manage_accounts(actor):
            self._refuse(MANAGERS_ONLY)
        self._connect_signals()

    def _build_lock_box(self) -> QGroupBox:
        box = QGroupBox("画面ロック（すべてのPCに適用）", self)
        self.lock_minutes_edit = QLineEdit(box)
        self.lock_minutes_edit.setAccessibleName(preferences.IDLE_LOCK_FIELD)
        self.lock_minutes_edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 8)
        self.lock_minutes_edit.setPlaceholderText(str(preferences.IDLE_LOCK_DEFAULT))
        label = QLabel(f"{preferences.IDLE_LOCK_FIELD}(&M)", box)
        label.setBuddy(self.lock_minutes_edit)
        self.lock_save_button = QPushButton("変更", box)
        hint = QLabel(f"操作がないまま {preferences.IDLE_LOCK_MIN}〜{preferences.IDLE_LOCK_MAX} "
                      "分たつと、画面を隠してパスワードを求めます。", box)
        hint.setEnabled(False)  # greyed: an explanation
        self.lock_error_label = error_label(box)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.lock_minutes_edit)
        row.addWidget(self.lock_save_button)
        row.addWidget(hint, 1)
        inner = QVBoxLayout(box)
        inner.addLayout(row)
        inner.addWidget(self.lock_error_label)
        return box

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.open_add_dialog)
        self.refresh_button.clicked.connect(self.reload)
        self.lock_save_button.clicked.connect(self.save_idle_lock)
        self.lock_minutes_edit.returnPressed.connect(self.save_idle_lock)

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
        try:
            minutes = preferences.idle_lock_minutes(self._db)
        except ServiceError as error:
            self._lock_problem(error.message)
            return
        self.lock_minutes_edit.setText(str(minutes))

    def save_idle_lock(self) -> bool:
        """Store the minutes typed for every PC; a bad value is explained under the field."""
        try:
            minutes = preferences.set_idle_lock_minutes(
                self._db, self._actor, self.lock_minutes_edit.text())
        except ServiceError as error:
            self._lock_problem(error.message)
            return False
        self.lock_error_label.hide()
        self.lock_minutes_edit.setText(str(minutes))
        self.idle_lock_changed.emit(minutes)
        self.status_message.emit(f"画面ロックまでの時間を {minutes} 分にしました（すべてのPC）。")
        return True

    def _lock_problem(self, message: str) -> None:
        self.lock_error_label.setText(message)
        self.lock_error_label.show()
        self.lock_minutes_edit.setFocus()

    def _refuse(self, message: str) -> None:
        self.message_label.setText(message)
        self.body.setCurrentWidget(self.message_label)
        self.add_button.setEnabled(False)
        self.refresh_button.setEnabled(False)
        self.lock_box.hide()

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
