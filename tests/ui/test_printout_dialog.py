"""The 相談受付票 and day-list preview: 「PDFとして保存」 and 「印刷」 are recorded as prints only
once the file is written or the printer took the pages; a failure is audited as a failure."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from setacare_desktop.services import Database, StaffProfile, audit
from setacare_desktop.services import sheets as sheet_service
from setacare_desktop.ui.sheets.printout import PrintoutDialog

pytestmark = pytest.mark.gui

RecordCase = Callable[..., int]  # tests/ui/conftest.py


def _dialog(qtbot: QtBot, db: Database, clerk: StaffProfile, case_id: int) -> PrintoutDialog:
    pdf = sheet_service.preview_intake_record(db, clerk, case_id)
    dialog = PrintoutDialog(
        f"相談受付票 No.{case_id}", pdf, f"相談受付票_No{case_id}.pdf",
        lambda deliver: sheet_service.print_intake_record(db, clerk, case_id, deliver))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _actions(db: Database) -> list[str]:
    return [e.action for e in audit.recent(db, 10)]


def test_saving_is_a_print_only_once_the_file_is_written(
        qtbot: QtBot, db: Database, staff_factory: Callable[..., StaffProfile], tmp_path: Path,
        record_case: RecordCase) -> None:
    clerk = staff_factory(db, "clerk")
    case_id = record_case(db, clerk, "物忘れが心配", name="池尻 花子", reading="いけじり はなこ")
    dialog = _dialog(qtbot, db, clerk, case_id)
    assert _actions(db)[0] == "intake_preview" and "intake_print" not in _actions(db)

    dialog.choose_save_path = lambda name: str(tmp_path / "gone" / name)
    assert not dialog.save()
    assert dialog.message_label.text().startswith("保存できませんでした: フォルダー")
    assert _actions(db)[0] == "intake_print_failed" and "intake_print" not in _actions(db)

    dialog.choose_save_path = lambda name: str(tmp_path / "受付票")  # the .pdf is added
    assert dialog.save()
    saved = tmp_path / "受付票.pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(saved.read_bytes())).pages)
    assert "池尻 花子" in text and "相談受付票" in text
    assert _actions(db)[0] == "intake_print"


@pytest.mark.qt_log_ignore("QPainter::begin")  # the printer that cannot start, as Qt says
def test_printing_is_a_print_only_once_the_printer_took_it(
        qtbot: QtBot, db: Database, staff_factory: Callable[..., StaffProfile], tmp_path: Path,
        record_case: RecordCase) -> None:
    clerk = staff_factory(db, "clerk")
    case_id = record_case(db, clerk, "物忘れが心配", name="池尻 花子")
    dialog = _dialog(qtbot, db, clerk, case_id)

    def printer_to(path: Path) -> Callable[[QPrinter], bool]:
        def choose(printer: QPrinter) -> bool:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(path))
            return True
        return choose

    dialog.choose_printer = printer_to(tmp_path / "gone" / "printed.pdf")
    assert not dialog.print_pdf()
    assert "印刷として記録していません" in dialog.message_label.text()
    assert _actions(db)[0] == "intake_print_failed" and "intake_print" not in _actions(db)
    dialog.choose_printer = printer_to(tmp_path / "printed.pdf")
    assert dialog.print_pdf() and dialog.message_label.text() == "印刷しました。"
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == 1
    assert _actions(db)[0] == "intake_print"
