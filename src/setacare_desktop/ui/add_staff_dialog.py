"""職員を追加: an account manager adds a staff account (``services.staff.add_staff``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
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

from setacare_desktop.domain.reference import DISTRICT_PARTNERS, DISTRICTS_BY_CODE, OrgKind
from setacare_desktop.domain.roles import ROLE_LABELS, Role
from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError, staff
from setacare_desktop.services.reference import area_names, district_names
from setacare_desktop.services.staff import LOGIN_MAX, NewStaff
from setacare_desktop.ui.first_admin_dialog import CONFIRM_FIELD, PASSWORD_MISMATCH
from setacare_desktop.ui.forms import FormProblems
from setacare_desktop.ui.operations import Operation

ORG_KINDS: tuple[OrgKind, ...] = (*DISTRICT_PARTNERS, OrgKind.BRANCH)


class AddStaffDialog(QDialog):
    """The fields of a new account. Problems are listed under the form, each naming its field;
    nothing typed is cleared. After ``accepted``, :attr:`profile` is the new account."""

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.profile: StaffProfile | None = None
        self.setWindowTitle("職員を追加")
        self._districts = district_names(db)
        self._areas = area_names(db)
        # The place chosen in each list, kept while the user switches between district and area.
        first_district = next((code for code, _ in self._districts
                               if DISTRICTS_BY_CODE[code].area_code == actor.area_code), "")
        self._chosen = {"地区": actor.district_code or first_district, "地域": actor.area_code}
        self._manage_choice = False

        self.login_edit = QLineEdit(self)
        self.login_edit.setMaxLength(LOGIN_MAX)
        self.name_edit = QLineEdit(self)
        self.role_combo = QComboBox(self)
        for role, label in ROLE_LABELS.items():
            self.role_combo.addItem(label, role.value)
        self.kind_combo = QComboBox(self)
        for kind in ORG_KINDS:
            self.kind_combo.addItem(kind.label, kind.value)
        self.place_label = QLabel(self)
        self.place_combo = QComboBox(self)
        self.password_edit = QLineEdit(self)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.manage_check = QCheckBox("職員アカウントの管理を許可する", self)
        self.problems = FormProblems(self)

        form = QFormLayout()
        rows: list[tuple[str, str, QWidget]] = [
            ("ログインID", "ログインID(&I)", self.login_edit),
            ("氏名", "氏名(&N)", self.name_edit),
            ("役割", "役割(&R)", self.role_combo),
            ("所属", "所属の種類(&K)", self.kind_combo),
        ]
        for field, text, widget in rows:
            self._add_row(form, field, text, widget)
        self.place_label.setBuddy(self.place_combo)
        form.addRow(self.place_label, self.place_combo)
        self.problems.register("地区", self.place_label, self.place_combo)
        self.problems.register("地域", self.place_label, self.place_combo)
        self._add_row(form, "パスワード", "パスワード(&P)", self.password_edit)
        self._add_row(form, CONFIRM_FIELD, "パスワード（確認）(&C)", self.confirm_edit)
        manage_label = QLabel("管理権限(&M)", self)
        manage_label.setBuddy(self.manage_check)
        form.addRow(manage_label, self.manage_check)

        self.buttons = QDialogButtonBox(self)
        self.add_button: QPushButton = self.buttons.addButton(
            "追加", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button: QPushButton = self.buttons.addButton(
            "キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        self.add_button.setDefault(True)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self._fill_places()
        self._role_changed()
        self.login_edit.setFocus()
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 30)
        self._connect_signals()

    def _add_row(self, form: QFormLayout, field: str, text: str, widget: QWidget) -> None:
        label = QLabel(text, self)
        label.setBuddy(widget)
        widget.setAccessibleName(field)
        form.addRow(label, widget)
        self.problems.register(field, label, widget)

    def _connect_signals(self) -> None:
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.place_combo.currentIndexChanged.connect(self._place_changed)
        self.role_combo.currentIndexChanged.connect(self._role_changed)
        self.manage_check.toggled.connect(self._manage_toggled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    # --- the place list follows the kind of organisation -----------------------------------

    def _place_word(self) -> str:
        return "地域" if self.kind_combo.currentData() == OrgKind.BRANCH.value else "地区"

    def _fill_places(self) -> None:
        word = self._place_word()
        self.place_label.setText(f"{word}(&A)")
        self.place_combo.setAccessibleName(word)
        names = self._areas if word == "地域" else self._districts
        suffix = "総合支所" if word == "地域" else "地区"
        self.place_combo.blockSignals(True)
        self.place_combo.clear()
        for code, name in names:
            self.place_combo.addItem(f"{name}{suffix}", code)
        index = self.place_combo.findData(self._chosen[word])
        self.place_combo.setCurrentIndex(max(index, 0))
        self.place_combo.blockSignals(False)

    def _kind_changed(self, _index: int) -> None:
        self._fill_places()

    def _place_changed(self, _index: int) -> None:
        self._chosen[self._place_word()] = str(self.place_combo.currentData() or "")

    # --- an administrator always manages accounts ------------------------------------------

    def _role_changed(self, _index: int = 0) -> None:
        is_admin = self.role_combo.currentData() == Role.ADMINISTRATOR.value
        self.manage_check.blockSignals(True)
        self.manage_check.setChecked(is_admin or self._manage_choice)
        self.manage_check.blockSignals(False)
        self.manage_check.setEnabled(not is_admin)

    def _manage_toggled(self, checked: bool) -> None:
        self._manage_choice = checked

    # --- submitting ---------------------------------------------------------------------------

    def new_staff(self) -> NewStaff:
        return NewStaff(
            login=self.login_edit.text(),
            name=self.name_edit.text(),
            role=str(self.role_combo.currentData()),
            place=str(self.place_combo.currentData() or ""),
            org_kind=str(self.kind_combo.currentData()),
            password=self.password_edit.text(),
            can_manage_accounts=self.manage_check.isChecked(),
        )

    def accept(self) -> None:
        if self.password_edit.text() != self.confirm_edit.text():
            self.problems.show_problems([PASSWORD_MISMATCH])
            return
        new_staff = self.new_staff()
        # The password is hashed with argon2: on the worker thread.
        Operation(self, lambda _progress: staff.add_staff(self._db, self._actor, new_staff),
                  guard=[self.add_button], label="職員を登録しています…",
                  ).success(self._added).failure(self._refused).run()

    def _refused(self, error: ServiceError) -> None:
        if isinstance(error, ValidationError):
            self.problems.show_problems(error.problems)
        else:
            self.problems.show_message(error.message)

    def _added(self, profile: StaffProfile) -> None:
        self.problems.clear_problems()
        self.profile = profile
        super().accept()
