"""The offline day package in the window: export from the menu's dialog, open it with the
passphrase and the supervisor's own password, review with no database, import it back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from tests.ui.conftest import RecordCase

from setacare_desktop.domain.jpdate import local_now, to_wareki, utc_to_local
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import Database, audit
from setacare_desktop.services.package import (
    PackageReviewSource,
    clock,
    export_package,
    open_package,
)
from setacare_desktop.store.models import CaseReview, DaySignoff
from setacare_desktop.ui.login_dialog import LoginDialog
from setacare_desktop.ui.main_window import MainWindow
from setacare_desktop.ui.review.offline import OfflineWindow, PackagePassphraseDialog
from setacare_desktop.ui.review.package_dialogs import ExportPackageDialog, ImportPackageDialog
from setacare_desktop.ui.review.table_model import COL_STATE

MakeStaff = Callable[..., StaffProfile]
PASSPHRASE = "kuri-no-ki-2026"
PASSWORD = "test-pass-123"  # tests/conftest.py


def _export(qtbot: QtBot, db: Database, supervisor: StaffProfile, target: Path) -> None:
    window = MainWindow(db, supervisor)
    qtbot.addWidget(window)
    assert window.export_package_action in window.menuBar().actions()[0].menu().actions()
    dialog = ExportPackageDialog(db, supervisor, window)
    qtbot.addWidget(dialog)
    assert dialog.scope_combo.currentText() == "池尻地区"
    assert dialog.expires_spin.value() == 3  # days, the default
    # A passphrase zxcvbn scores as guessable is refused, naming the field, before anything.
    dialog.choose_save_path = lambda _suggested: pytest.fail("asked where to save")
    qtbot.keyClicks(dialog.passphrase_edit, "aaaaaaaaaa")
    qtbot.keyClicks(dialog.repeat_edit, "aaaaaaaaaa")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text().startswith("パスフレーズ: 推測されやすいパスフレーズです。")
    assert "繰り返し" in dialog.error_label.text() and "単語を4つ以上" in dialog.error_label.text()
    dialog.passphrase_edit.clear()
    dialog.repeat_edit.clear()
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    qtbot.keyClicks(dialog.repeat_edit, PASSPHRASE)
    # The supervisor's own password: their offline login. Missing, then wrong: refused.
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text().startswith("あなたのパスワード: ")
    qtbot.keyClicks(dialog.password_edit, "not-my-password")
    dialog.choose_save_path = lambda _suggested: str(target)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "正しくありません" in dialog.error_label.text())
    assert not target.exists() and "package_export" not in [e.action for e in audit.recent(db, 5)]
    qtbot.keyClicks(dialog.password_edit, PASSWORD)
    # Cancelling the file chooser exports nothing, so nothing is audited as exported.
    dialog.choose_save_path = lambda _suggested: ""
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "package_export" not in [e.action for e in audit.recent(db, 5)]
    dialog.repeat_edit.clear()
    dialog.choose_save_path = lambda _suggested: str(target)
    qtbot.keyClicks(dialog.repeat_edit, "something-else-1")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "一致しません" in dialog.error_label.text() and not target.exists()
    assert dialog.passphrase_edit.text() == PASSPHRASE  # what was typed first stays
    qtbot.keyClicks(dialog.repeat_edit, PASSPHRASE)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert target.exists()
    assert "相談 2件" in dialog.result_label.text()
    assert "有効期限: 令和" in dialog.result_label.text()
    assert audit.recent(db, 1)[0].action == "package_export"
    assert dialog.passphrase_edit.text() == dialog.repeat_edit.text() == ""
    assert dialog.password_edit.text() == ""


def test_review_offline_then_import_back(qtbot: QtBot, db: Database, staff_factory: MakeStaff,
                                          record_case: RecordCase, tmp_path: Path) -> None:
    clerk = staff_factory(db, "clerk")
    first = record_case(db, clerk, "母の物忘れが心配", name="山田 花子", response="助言")
    record_case(db, clerk, "家賃が払えない", targets=["生活困窮者"], response="情報提供")
    supervisor = staff_factory(db, "boss", role="監督者")
    path = tmp_path / "ikejiri.setacare-pkg"
    _export(qtbot, db, supervisor, path)
    assert "山田".encode() not in path.read_bytes()

    # On the other machine: the wrong passphrase is refused, the right one opens the package.
    ask = PackagePassphraseDialog(path)
    qtbot.addWidget(ask)
    qtbot.keyClicks(ask.passphrase_edit, "wrong-passphrase")
    qtbot.mouseClick(ask.open_button, Qt.MouseButton.LeftButton)
    assert "パスフレーズが違う" in ask.error_label.text() and ask.package is None
    qtbot.keyClicks(ask.passphrase_edit, PASSPHRASE)
    qtbot.mouseClick(ask.open_button, Qt.MouseButton.LeftButton)
    assert ask.result() == QDialog.DialogCode.Accepted and ask.package is not None

    login = LoginDialog(None, authenticate=ask.package.login, context="日次パッケージ")
    qtbot.addWidget(login)
    qtbot.keyClicks(login.login_edit, "boss")
    qtbot.keyClicks(login.password_edit, "not-the-password")
    qtbot.mouseClick(login.login_button, Qt.MouseButton.LeftButton)
    assert "正しくありません" in login.error_label.text()
    qtbot.keyClicks(login.password_edit, PASSWORD)
    qtbot.mouseClick(login.login_button, Qt.MouseButton.LeftButton)
    assert login.profile is not None and login.profile.staff_id == supervisor.staff_id

    window = OfflineWindow(PackageReviewSource(ask.package, login.profile, path, PASSPHRASE),
                           path)
    qtbot.addWidget(window)
    window.show()
    assert "有効期限: 令和" in window.banner.text()
    # 操作記録: the day's audit rows of 池尻 came with the package (the clerk's two records).
    assert window.tabs.tabText(1) == "操作記録(&A)"
    window.tabs.setCurrentIndex(1)
    audit_rows = window.audit_page.model
    actions = [audit_rows.data(audit_rows.index(r, 3)) for r in range(audit_rows.rowCount())]
    assert actions.count("相談の記録") == 2 and "日次パッケージの書き出し" not in actions
    who = {audit_rows.data(audit_rows.index(r, 1)) for r in range(audit_rows.rowCount())}
    assert "clerk 職員（clerk）" in who
    window.tabs.setCurrentIndex(0)
    page = window.review_page
    assert page.source.offline and not page.open_button.isVisible()
    assert not page.print_button.isVisible()
    assert page.model.rowCount() == 2
    assert page.current_row() is not None and page.current_row().consultation_id == first
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    assert [page.model.data(page.model.index(r, COL_STATE)) for r in range(2)] == ["確認済"] * 2
    page.confirm = lambda _title, _text: True
    qtbot.mouseClick(page.signoff_button, Qt.MouseButton.LeftButton)
    assert "日次確認済" in page.signoff_label.text()
    # Saved in the file at once: nothing is in the database yet.
    assert len(open_package(path.read_bytes(), PASSPHRASE).decisions) == 3
    with db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CaseReview)) == 0

    # Back at the office: import, twice.
    dialog = ImportPackageDialog(db, supervisor)
    qtbot.addWidget(dialog)
    dialog.choose_open_path = lambda: str(path)
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert dialog.path_edit.text() == str(path)
    qtbot.keyClicks(dialog.passphrase_edit, PASSPHRASE)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    report = dialog.report_view.toPlainText()
    assert "取り込んだ判断: 3件" in report and "取り込まなかった判断: 0件" in report
    with db.read() as session:
        sources = session.scalars(sa.select(CaseReview.source)).all()
        signed = session.scalars(sa.select(DaySignoff)).one()
    assert sources == ["package", "package"]
    assert signed.signed_by == supervisor.staff_id
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    again = dialog.report_view.toPlainText()
    assert "取り込んだ判断: 0件" in again and "取り込み済みだった判断: 3件" in again


def test_package_open_names_a_missing_file(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from setacare_desktop.app import main

    missing = tmp_path / "nowhere.setacare-pkg"
    assert main(["package", "open", str(missing)]) == 2
    assert f"日次パッケージのファイルが見つかりません: {missing}" in capsys.readouterr().err


def test_an_expired_package_does_not_open_and_says_until_when(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, record_case: RecordCase,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clerk = staff_factory(db, "clerk")
    record_case(db, clerk, "母の物忘れが心配", name="山田 花子", response="助言")
    supervisor = staff_factory(db, "boss", role="監督者")
    path = tmp_path / "ikejiri.setacare-pkg"
    result = export_package(db, supervisor, local_now().date(), local_now().date(), "池尻",
                            PASSPHRASE, password=PASSWORD, expires_in_days=1, wrap_n=2**12)
    path.write_bytes(result.data)
    monkeypatch.setattr(clock, "utc_now", lambda: result.expires_at + timedelta(seconds=1))
    ask = PackagePassphraseDialog(path)
    qtbot.addWidget(ask)
    qtbot.keyClicks(ask.passphrase_edit, PASSPHRASE)
    qtbot.mouseClick(ask.open_button, Qt.MouseButton.LeftButton)
    local = utc_to_local(result.expires_at)
    assert ask.package is None and ask.result() != QDialog.DialogCode.Accepted
    assert ask.error_label.text().startswith(
        f"この日次パッケージは有効期限（{to_wareki(local.date())} {local:%H:%M}）を過ぎている")
