"""The offline review: a day package opened on a machine with no access to the database.

``setacare package open FILE`` asks for the package's passphrase, then for the supervisor's own
login (checked against the package), and shows the review screen over the package alone: the
cases are read-only, and every decision is written into the package file at once, to be brought
back with ``setacare package import``. A second tab, 「操作記録」, lists the package's audit rows
of the reviewer's districts (who viewed, printed, exported or changed what, when). An expired
package does not open (the passphrase dialog says until when it was valid).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.jpdate import utc_to_local, wareki_short
from setacare_desktop.services import ServiceError
from setacare_desktop.services.package import (
    AuditRow,
    Package,
    PackageReviewSource,
    expiry_text,
    open_package,
)
from setacare_desktop.ui.forms import error_label
from setacare_desktop.ui.login_dialog import LoginDialog
from setacare_desktop.ui.operations import Operation, Progress
from setacare_desktop.ui.page import heading
from setacare_desktop.ui.review.page import ReviewPage
from setacare_desktop.ui.row_model import RowTableModel, one_line

OFFLINE_BANNER = ("オフラインの確認（日次パッケージ）: 相談記録は読み取り専用です。確認済・差戻し・"
                  "日次確認はパッケージのファイルに保存されます。戻ったら「setacare package import」"
                  "またはメニューの「日次パッケージを取り込む」で取り込んでください。")


class PackagePassphraseDialog(QDialog):
    """Asks the package's passphrase; after ``accepted``, :attr:`package` is the opened
    package. A wrong passphrase or a damaged file is said so, and the dialog stays open."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self.package: Package | None = None
        self.passphrase = ""
        self.setWindowTitle("日次パッケージを開く")
        self.passphrase_edit = QLineEdit(self)
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setAccessibleName("パスフレーズ")
        label = QLabel("パスフレーズ(&P)", self)
        label.setBuddy(self.passphrase_edit)
        self.error_label = error_label(self)
        buttons = QDialogButtonBox(self)
        self.open_button = buttons.addButton("開く", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.setDefault(True)
        form = QFormLayout()
        form.addRow(label, self.passphrase_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("日次パッケージ", self))
        file_label = QLabel(f"ファイル: {path}", self)
        file_label.setWordWrap(True)
        layout.addWidget(file_label)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 28)

    def accept(self) -> None:
        passphrase = self.passphrase_edit.text()
        path = self._path

        # scrypt derives the key: on the worker thread, the dialog stays responsive.
        def open_(_progress: Progress) -> Package | str:
            try:
                data = path.read_bytes()
            except OSError as error:
                return f"ファイルを読めません: {error.strerror or error}"
            return open_package(data, passphrase)

        Operation(self, open_, guard=[self.open_button, self.passphrase_edit],
                  label="日次パッケージを開いています…", title="日次パッケージを開く"
                  ).success(lambda outcome: self._opened(outcome, passphrase)).failure(
            lambda error: self._refuse(error.message)).run()

    def _opened(self, outcome: Package | str, passphrase: str) -> None:
        if isinstance(outcome, str):
            self._refuse(outcome)
            return
        self.package = outcome
        self.passphrase = passphrase
        super().accept()

    def _refuse(self, message: str) -> None:
        self.passphrase_edit.clear()
        self.error_label.setText(message)
        self.error_label.show()
        self.passphrase_edit.setFocus()


#: Audit actions the 操作記録 list marks (bold, red, and 「要確認」 in its own column).
_WATCHED = frozenset({"permission_denied", "login_failed", "account_locked", "sheet_refused",
                      "emergency_exception"})


def _watched(row: AuditRow) -> bool:
    return row.action in _WATCHED or row.detail.startswith("emergency")


class AuditTableModel(RowTableModel):
    """The package's audit rows: when (the ward's time), who, from where, what, on what."""

    HEADERS: ClassVar[dict[int, str]] = {
        0: "日時", 1: "職員", 2: "所属", 3: "操作", 4: "対象", 5: "地区", 6: "項目", 7: "詳細",
        8: "注意"}
    TEXTS: ClassVar[dict[int, Callable[[Any], str]]] = {
        0: lambda r: f"{wareki_short(utc_to_local(r.at).date())} {utc_to_local(r.at):%H:%M:%S}",
        1: lambda r: f"{r.staff_name}（{r.login}）" if r.staff_name else r.login,
        2: lambda r: r.organisation_name,
        3: lambda r: r.action_label,
        4: lambda r: f"{r.entity or ''} {r.entity_id or ''}".strip(),
        5: lambda r: r.place_label,
        6: lambda r: "、".join(r.fields),
        7: lambda r: one_line(r.detail),
        8: lambda r: "要確認" if _watched(r) else "",
    }

    def is_marked(self, row: Any) -> bool:
        return _watched(row)


class AuditPage(QWidget):
    """「操作記録」: the packaged audit rows of the reviewer's districts, read-only."""

    def __init__(self, source: PackageReviewSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = source.audit_rows()
        self.model = AuditTableModel(self)
        self.model.set_rows(rows)
        self.table = QTableView(self)
        self.table.setAccessibleName("操作記録")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        watched = sum(1 for r in rows if _watched(r))
        self.summary = QLabel(
            f"書き出し時の操作記録: {len(rows):,}件（要確認 {watched:,}件）。監査記録には項目名"
            "だけが残り、内容は記録されません。", self)
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("操作記録", self))
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)


class OfflineWindow(QMainWindow):
    """The review page over a package, and its audit rows (操作記録)."""

    def __init__(self, source: PackageReviewSource, path: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"SetaCare Desktop — 日次パッケージ（オフライン） {path.name}")
        self.review_page = ReviewPage(source, self)
        self.audit_page = AuditPage(source, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.review_page, "確認(&R)")
        self.tabs.addTab(self.audit_page, "操作記録(&A)")
        banner = QLabel(f"{OFFLINE_BANNER}有効期限: {expiry_text(source.package.expires_at)}"
                        "（これを過ぎると開くことも取り込むこともできません）。", self)
        banner.setWordWrap(True)
        banner.setStyleSheet("background: #fff4ce; padding: 6px;")
        self.banner = banner
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        menu = self.menuBar().addMenu("ファイル(&F)")
        self.close_action = QAction("閉じる(&X)", self)
        self.close_action.setShortcut(QKeySequence.StandardKey.Quit)
        menu.addAction(self.close_action)
        self.close_action.triggered.connect(self.close)
        self.statusBar().addPermanentWidget(QLabel(f"パッケージ: {path}", self))
        self.review_page.status_message.connect(
            lambda text: self.statusBar().showMessage(text, 10_000))
        self.resize(1100, 700)
        self.review_page.activate()


def open_offline(path: Path) -> OfflineWindow | None:
    """Passphrase, then the supervisor's login, then the window (None if the user gave up)."""
    passphrase_dialog = PackagePassphraseDialog(path)
    if passphrase_dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    package = passphrase_dialog.package
    assert package is not None
    login = LoginDialog(
        None, authenticate=package.login,
        context=(f"日次パッケージ: {package.scope_label} "
                 f"{wareki_short(package.start)}〜{wareki_short(package.end)}（書き出し: "
                 f"{package.exported_by}）"))
    if login.exec() != QDialog.DialogCode.Accepted or login.profile is None:
        return None
    try:
        source = PackageReviewSource(package, login.profile, path, passphrase_dialog.passphrase)
    except ServiceError as error:
        QMessageBox.warning(None, "日次パッケージ", error.message)
        return None
    window = OfflineWindow(source, path)
    window.show()
    return window


def run_package(path: Path) -> int:
    """``setacare package open FILE``: the offline review until the window is closed."""
    from setacare_desktop.ui.application import start_application

    if not path.is_file():
        print(f"エラー: 日次パッケージのファイルが見つかりません: {path}", file=sys.stderr)
        return 2
    app = start_application()
    window = open_offline(path)
    if window is None:
        return 0
    return app.exec()
