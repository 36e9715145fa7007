"""The window replaces an existing file only after the user confirmed it, never writes through a
link, and audits a statistics export or print only once it happened."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import Database, audit
from setacare_desktop.ui.pdf_dialog import PdfDialog
from setacare_desktop.ui.stats.page import StatsPage

MakeStaff = Callable[..., StaffProfile]
AnswerMessageBox = Callable[..., list[str]]  # the ``answer_message_box`` fixture
PDF = b"%PDF-1.4\n%%EOF\n"
YES, CANCEL = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel


def _dialog(qtbot: QtBot) -> PdfDialog:
    dialog = PdfDialog("相談受付一覧", PDF, "day.pdf")
    qtbot.addWidget(dialog)
    return dialog


def test_a_name_the_page_completed_is_confirmed_before_it_is_replaced(
        qtbot: QtBot, tmp_path: Path, answer_message_box: AnswerMessageBox) -> None:
    existing = tmp_path / "day.pdf"
    existing.write_bytes(b"yesterday's list")
    dialog = _dialog(qtbot)
    dialog.choose_save_path = lambda _name: str(tmp_path / "day")  # typed without ".pdf"

    seen = answer_message_box(CANCEL)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert seen == ["day.pdf は既にあります。\n置き換えますか？"]
    assert existing.read_bytes() == b"yesterday's list"
    assert "保存しました" not in dialog.message_label.text()

    seen = answer_message_box(YES)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1
    assert existing.read_bytes() == PDF
    assert dialog.message_label.text() == f"保存しました: {existing}"
    if os.name == "posix":
        assert existing.stat().st_mode & 0o777 == 0o600


def test_a_name_the_save_dialog_returned_is_not_asked_about_twice(
        qtbot: QtBot, tmp_path: Path, answer_message_box: AnswerMessageBox) -> None:
    """QFileDialog asked already (its confirmation is never switched off)."""
    existing = tmp_path / "day.pdf"
    existing.write_bytes(b"old")
    dialog = _dialog(qtbot)
    dialog.choose_save_path = lambda _name: str(existing)
    seen = answer_message_box(CANCEL, attempts=20)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.wait(300)  # the poll has given up: no question was asked
    assert seen == [] and existing.read_bytes() == PDF


def test_a_link_chosen_as_the_file_is_refused_with_its_name(qtbot: QtBot, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"untouched")
    link = tmp_path / "shared.pdf"
    link.symlink_to(victim)
    dialog = _dialog(qtbot)
    dialog.choose_save_path = lambda _name: str(link)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.message_label.text().startswith(f"保存できませんでした: {link} はリンク")
    assert victim.read_bytes() == b"untouched" and link.is_symlink()


def test_no_save_dialog_switches_its_overwrite_question_off() -> None:
    ui = Path(__file__).resolve().parents[2] / "src" / "setacare_desktop" / "ui"
    offenders = [str(p.relative_to(ui)) for p in ui.rglob("*.py")
                 if re.search(r"\.DontConfirmOverwrite\b", p.read_text(encoding="utf-8"))]
    assert offenders == []


# --- statistics: confirmed, written, then audited -----------------------------------------------


def _stats_page(qtbot: QtBot, db: Database, boss: StaffProfile) -> StatsPage:
    page = StatsPage(db, boss)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    assert page.report is not None
    return page


def _actions(db: Database) -> list[tuple[str, str]]:
    return [(e.action, e.login) for e in reversed(audit.recent(db, 50))]


def test_a_statistics_csv_replaces_a_file_only_when_confirmed_and_is_audited_once_written(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, tmp_path: Path,
        answer_message_box: AnswerMessageBox) -> None:
    boss = staff_factory(db, "boss", role="監督者")
    page = _stats_page(qtbot, db, boss)
    page.choose_save_path = lambda _name, _filter: str(tmp_path / "toukei")
    qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    written = tmp_path / "toukei.csv"
    assert written.read_bytes().decode("utf-8-sig").startswith("福祉の相談窓口 相談件数")
    assert _actions(db)[-1] == ("stats_export", "boss")

    written.write_bytes(b"edited by hand")
    seen = answer_message_box(CANCEL)
    qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    assert seen == ["toukei.csv は既にあります。\n置き換えますか？"]
    assert written.read_bytes() == b"edited by hand"
    assert [a for a, _login in _actions(db)].count("stats_export") == 1  # nothing recorded

    seen = answer_message_box(YES)
    qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 1 and written.read_bytes() != b"edited by hand"
    assert [a for a, _login in _actions(db)].count("stats_export") == 2


def test_a_statistics_pdf_saved_and_printed_from_the_preview_is_audited(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, tmp_path: Path) -> None:
    boss = staff_factory(db, "boss", role="監督者")
    page = _stats_page(qtbot, db, boss)
    saved, printed = tmp_path / "toukei.pdf", tmp_path / "printed.pdf"
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"untouched")
    (tmp_path / "link.pdf").symlink_to(victim)
    labels: list[str] = []

    def to_file(printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return True

    def drive() -> None:  # inside the preview's exec(), as a user would use it
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PdfDialog):
            QTimer.singleShot(10, drive)
            return
        dialog.choose_save_path = lambda _name: str(tmp_path / "link.pdf")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        labels.append(dialog.message_label.text())
        dialog.choose_save_path = lambda _name: str(saved)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        dialog.choose_printer = to_file
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
        labels.append(dialog.message_label.text())
        dialog.accept()

    QTimer.singleShot(0, drive)
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(labels) == 2)
    assert "リンク" in labels[0] and labels[1] == "印刷しました。"
    assert victim.read_bytes() == b"untouched"
    assert saved.read_bytes().startswith(b"%PDF") and printed.read_bytes().startswith(b"%PDF")
    done = [a for a, login in _actions(db) if login == "boss" and a.startswith("stats")]
    assert done == ["stats", "stats_export_failed", "stats_export", "stats_print"]
