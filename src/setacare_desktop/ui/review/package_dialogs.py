"""The offline day package from the window's menu: 書き出す (export) and 取り込む (import).

Both call ``services.package`` exactly as ``setacare package export|import`` does, on the worker
thread (``ui.operations``: scrypt is slow by design). The file
choosers are attributes so that tests can replace them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.jpdate import local_now, wareki_short
from setacare_desktop.domain.reference import AREAS_BY_CODE, DISTRICTS_BY_CODE
from setacare_desktop.services import (
    AuthenticationError,
    Database,
    ServiceError,
    StaffProfile,
    ValidationError,
)
from setacare_desktop.services import package as package_service
from setacare_desktop.services.files import write_atomically
from setacare_desktop.services.review import reviewable_districts
from setacare_desktop.ui.dates import date_edit
from setacare_desktop.ui.forms import error_label
from setacare_desktop.ui.operations import Operation, Progress
from setacare_desktop.ui.overwrite import confirm_overwrite, save_target

PACKAGE_SUFFIX = ".setacare-pkg"
PACKAGE_FILTER = f"日次パッケージ (*{PACKAGE_SUFFIX})"


def _password_edit(parent: QWidget, name: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    return edit


def _choose_save(parent: QWidget, suggested: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(parent, "日次パッケージの保存先", suggested,
                                                PACKAGE_FILTER)
    return path


def _choose_open(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(parent, "日次パッケージを選ぶ", "", PACKAGE_FILTER)
    return path


def scope_choices(actor: StaffProfile) -> list[tuple[str, str]]:
    """(label, scope text for the service): the area first for an area-branch supervisor, then
    each district reviewed."""
    choices = []
    if actor.district_code is None:
        area = AREAS_BY_CODE[actor.area_code]
        # 「…地域」: 北沢, 砧 and 烏山 also name a district.
        choices.append((f"{area.name}地域（全地区）", f"{area.name}地域"))
    choices.extend((f"{DISTRICTS_BY_CODE[c].name}地区", DISTRICTS_BY_CODE[c].name)
                   for c in reviewable_districts(actor))
    return choices


class ExportPackageDialog(QDialog):
    """Days, scope, expiry, passphrase (twice) and the supervisor's own password (their offline
    login); writes the encrypted package where the user says."""

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.setWindowTitle("日次パッケージを書き出す")
        self.choose_save_path: Callable[[str], str] = lambda name: _choose_save(self, name)
        today = local_now().date()
        self.from_edit = date_edit(self, "開始日", today)
        self.to_edit = date_edit(self, "終了日", today)
        self.scope_combo = QComboBox(self)
        self.scope_combo.setAccessibleName("範囲")
        for label, scope in scope_choices(actor):
            self.scope_combo.addItem(label, scope)
        self.expires_spin = QSpinBox(self)
        self.expires_spin.setAccessibleName("有効期限（日数）")
        self.expires_spin.setRange(package_service.EXPIRES_MIN, package_service.EXPIRES_MAX)
        self.expires_spin.setValue(package_service.EXPIRES_IN_DAYS)
        self.expires_spin.setSuffix(" 日後まで")
        self.passphrase_edit = _password_edit(self, "パスフレーズ")
        self.repeat_edit = _password_edit(self, "パスフレーズ（確認）")
        self.password_edit = _password_edit(self, "あなたのパスワード")
        self.error_label = error_label(self)
        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.export_button = QPushButton("書き出す(&E)…", self)
        self.export_button.setDefault(True)
        self.close_button = QPushButton("閉じる", self)

        form = QFormLayout()
        for text, widget in (("開始日(&F)", self.from_edit), ("終了日(&T)", self.to_edit),
                             ("範囲(&S)", self.scope_combo),
                             ("有効期限(&X)", self.expires_spin),
                             ("パスフレーズ(&P)", self.passphrase_edit),
                             ("パスフレーズ（確認）(&R)", self.repeat_edit),
                             ("あなたのパスワード(&W)", self.password_edit)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
        hint = QLabel("パッケージは暗号化され、このデータベースにだけ取り込めます。有効期限を過ぎると"
                      "開けません。パスフレーズは推測されにくい長い文（単語を4つ以上）にし、別の経路"
                      "で伝え、ファイルと一緒に保管しないでください。オフラインでは、書き出したあなた"
                      "だけが、ここで入力したパスワードでログインできます。", self)
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error_label)
        layout.addWidget(self.result_label)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.accept)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 30)

    def _refuse(self, message: str, focus: QWidget) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        focus.setFocus()

    def export(self) -> bool:
        start = self.from_edit.date().toPython()
        end = self.to_edit.date().toPython()
        passphrase = self.passphrase_edit.text()
        if passphrase != self.repeat_edit.text():
            self.repeat_edit.clear()
            self._refuse("パスフレーズ（確認）: 1回目と一致しません。", self.repeat_edit)
            return False
        problem = package_service.passphrase_problem(passphrase,
                                                     (self._actor.login, self._actor.name))
        if problem:
            self._refuse(f"パスフレーズ: {problem}", self.passphrase_edit)
            return False
        password = self.password_edit.text()
        if not password:
            self._refuse("あなたのパスワード: オフラインでのログインに使います。入力してください。",
                         self.password_edit)
            return False
        expires_in_days = self.expires_spin.value()
        scope = str(self.scope_combo.currentData())
        suggested = f"日次パッケージ_{scope}_{start:%Y%m%d}"
        if end != start:
            suggested += f"-{end:%Y%m%d}"
        # Where first: an export is audited, and must not be recorded for a file never written.
        chosen = self.choose_save_path(suggested + PACKAGE_SUFFIX)
        if not chosen:
            return False
        target = save_target(chosen, PACKAGE_SUFFIX.lstrip("."),
                             lambda existing: confirm_overwrite(self, existing))
        if target is None:
            return False
        path, replace = target

        # scrypt and AES over a day of consultations: on the worker thread, file and all. The
        # file is written inside the export's use case: a failed write is not audited as done.
        def export(_progress: Progress) -> tuple[package_service.ExportResult, str]:
            result = package_service.export_package(
                self._db, self._actor, start, end, scope, passphrase, password=password,
                expires_in_days=expires_in_days,
                deliver=lambda data: write_atomically(path, data, replace=replace))
            return result, ""

        return Operation(self, export, guard=[self.export_button, self.close_button],
                         label="日次パッケージを暗号化して書き出しています…",
                         title="日次パッケージを書き出す"
                         ).success(lambda outcome: self._exported(path, *outcome)
                                   ).failure(self._export_refused).run()

    def _export_refused(self, error: ServiceError) -> None:
        if isinstance(error, ValidationError):
            self._refuse("\n".join(str(p) for p in error.problems), self.passphrase_edit)
        elif isinstance(error, AuthenticationError):
            self.password_edit.clear()
            self._refuse(f"あなたのパスワード: {error.message}", self.password_edit)
        else:
            self._refuse(error.message, self.from_edit)

    def _exported(self, path: Path, result: package_service.ExportResult, problem: str) -> None:
        if problem:
            self._refuse(problem, self.export_button)
            return
        self.error_label.hide()
        self.passphrase_edit.clear()
        self.repeat_edit.clear()
        self.password_edit.clear()
        masked = (f"\n本人の同意がないため個人を特定できる情報を伏せた相談: {result.masked}件"
                  if result.masked else "")
        self.result_label.setText(
            f"書き出しました: {path}\n相談 {result.consultations}件（{len(result.days)}日分）、"
            f"操作記録 {result.audit_rows}件、パッケージ番号 {result.package_id}{masked}\n"
            f"有効期限: {package_service.expiry_text(result.expires_at)}")


class ImportPackageDialog(QDialog):
    """Brings the decisions made offline in a package into the database, and reports what was
    applied, what was there already and what was not applied (and why)."""

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self.setWindowTitle("日次パッケージを取り込む")
        self.choose_open_path: Callable[[], str] = lambda: _choose_open(self)
        self.path_edit = QLineEdit(self)
        self.path_edit.setAccessibleName("ファイル")
        self.browse_button = QPushButton("参照(&B)…", self)
        self.passphrase_edit = _password_edit(self, "パスフレーズ")
        self.error_label = error_label(self)
        self.report_view = QPlainTextEdit(self)
        self.report_view.setReadOnly(True)
        self.report_view.setAccessibleName("取り込みの結果")
        self.import_button = QPushButton("取り込む(&I)", self)
        self.import_button.setDefault(True)
        self.close_button = QPushButton("閉じる", self)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form = QFormLayout()
        file_label = QLabel("ファイル(&F)", self)
        file_label.setBuddy(self.path_edit)
        form.addRow(file_label, path_row)
        pass_label = QLabel("パスフレーズ(&P)", self)
        pass_label.setBuddy(self.passphrase_edit)
        form.addRow(pass_label, self.passphrase_edit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.report_view, 1)
        layout.addLayout(buttons)
        self.browse_button.clicked.connect(self._browse)
        self.import_button.clicked.connect(self.import_file)
        self.close_button.clicked.connect(self.accept)
        self.resize(self.fontMetrics().horizontalAdvance("あ") * 40, 420)

    def _browse(self) -> None:
        chosen = self.choose_open_path()
        if chosen:
            self.path_edit.setText(chosen)
            self.passphrase_edit.setFocus()

    def _refuse(self, message: str, focus: QWidget) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        focus.setFocus()

    def import_file(self) -> bool:
        text = self.path_edit.text().strip()
        if not text:
            self._refuse("ファイル: 取り込む日次パッケージを選んでください。", self.path_edit)
            return False
        path = Path(text)
        passphrase = self.passphrase_edit.text()

        def import_(_progress: Progress) -> package_service.ImportReport | str:
            try:
                data = path.read_bytes()
            except OSError as error:
                return f"ファイル: 読めません（{error.strerror or error}）。"
            return package_service.import_package(self._db, self._actor, data, passphrase)

        return Operation(self, import_, guard=[self.import_button, self.close_button],
                         label="日次パッケージを取り込んでいます…", title="日次パッケージを取り込む"
                         ).success(self._imported).failure(
            lambda error: self._refuse(error.message, self.passphrase_edit)).run()

    def _imported(self, outcome: package_service.ImportReport | str) -> None:
        if isinstance(outcome, str):
            self._refuse(outcome, self.path_edit)
            return
        report = outcome
        self.error_label.hide()
        lines = [f"取り込んだ判断: {report.applied}件",
                 f"取り込み済みだった判断: {report.already}件",
                 f"取り込まなかった判断: {len(report.conflicts)}件"]
        for conflict in report.conflicts:
            case = f"No.{conflict.consultation_id} " if conflict.consultation_id else ""
            lines.append(f"・{conflict.district_name}地区 {wareki_short(conflict.day)} {case}"
                         f"― {conflict.reason}")
        self.report_view.setPlainText("\n".join(lines))
