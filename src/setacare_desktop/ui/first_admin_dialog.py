"""First start: on an empty database, register the administrator who will add everyone else."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.reference import OrgKind
from setacare_desktop.domain.roles import Role
from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError, staff
from setacare_desktop.services.errors import Problem
from setacare_desktop.services.reference import area_names
from setacare_desktop.services.staff import LOGIN_MAX, NewStaff
from setacare_desktop.ui.forms import FormProblems
from setacare_desktop.ui.operations import Operation
from setacare_desktop.ui.page import heading

CONFIRM_FIELD = "パスワード（確認）"
PASSWORD_MISMATCH = Problem(CONFIRM_FIELD, "パスワードと一致しません")

INTRO = (
    "データベースにまだ職員が登録されていません。最初の管理者を登録してください。\n"
    "管理者は職員のアカウントを追加・管理します（相談記録は閲覧できません）。"
)


class FirstAdminDialog(QDialog):
    """Creates the first administrator (``services.staff.create_first_administrator``).

    Problems are listed under the form, each naming its field; nothing typed is cleared.
    After ``accepted``, :attr:`profile` is the new administrator (not logged in yet).
    """

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.profile: StaffProfile | None = None
        self.setWindowTitle("SetaCare Desktop — 最初の管理者の登録")

        self.login_edit = QLineEdit(self)
        self.login_edit.setMaxLength(LOGIN_MAX)
        self.name_edit = QLineEdit(self)
        self.branch_combo = QComboBox(self)
        for code, name in area_names(db):
            self.branch_combo.addItem(f"{name}総合支所", code)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.problems = FormProblems(self)

        form = QFormLayout()
        fields: list[tuple[str, str, QWidget, tuple[str, ...]]] = [
            ("ログインID", "ログインID(&I)", self.login_edit, ()),
            ("氏名", "氏名(&N)", self.name_edit, ()),
            ("所属", "所属(&B)", self.branch_combo, ("地域",)),
            ("パスワード", "パスワード(&P)", self.password_edit, ()),
            (CONFIRM_FIELD, "パスワード（確認）(&C)", self.confirm_edit, ()),
        ]
        for field, text, widget, aliases in fields:
            label = QLabel(text, self)
            label.setBuddy(widget)
            widget.setAccessibleName(field)
            form.addRow(label, widget)
            for name in (field, *aliases):
                self.problems.register(name, label, widget)

        self.buttons = QDialogButtonBox(self)
        self.create_button: QPushButton = self.buttons.addButton(
            "登録", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button: QPushButton = self.buttons.addButton(
            "終了", QDialogButtonBox.ButtonRole.RejectRole)
        self.create_button.setDefault(True)

        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("最初の管理者の登録", self))
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.login_edit.setFocus()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 32)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def new_staff(self) -> NewStaff:
        """What the form holds, as the service takes it."""
        return NewStaff(
            login=self.login_edit.text(),
            name=self.name_edit.text(),
            role=Role.ADMINISTRATOR.value,
            place=str(self.branch_combo.currentData() or ""),
            org_kind=OrgKind.BRANCH.value,
            password=self.password_edit.text(),
            can_manage_accounts=True,
        )

    def accept(self) -> None:
        if self.password_edit.text() != self.confirm_edit.text():
            self.problems.show_problems([PASSWORD_MISMATCH])
            return
        new_staff = self.new_staff()
        Operation(self, lambda _progress: staff.create_first_administrator(self._db, new_staff),
                  guard=[self.create_button], label="管理者を登録しています…",
                  title="SetaCare Desktop — 最初の管理者の登録"
                  ).success(self._created).failure(self._refused).run()

    def _refused(self, error: ServiceError) -> None:
        if isinstance(error, ValidationError):
            self.problems.show_problems(error.problems)
        else:
            self.problems.show_message(error.message)

    def _created(self, profile: StaffProfile) -> None:
        self.problems.clear_problems()
        self.profile = profile
        super().accept()
