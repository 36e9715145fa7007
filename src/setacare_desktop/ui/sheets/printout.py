"""The print preview of a 相談受付票 or a day list, whose save and print are recorded as prints.

:class:`PrintoutDialog` is the shared :class:`~setacare_desktop.ui.pdf_dialog.PdfDialog` with its
two actions going through the print's use case (``record``: e.g.
``sheets.print_intake_record(db, actor, case_id, deliver)``), which renders the printout again,
delivers it — writes the file, or paints the pages on the chosen printer — and only then audits
it as printed. A file that could not be written or a print the printer refused is audited as a
failure and not as a print.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget

from setacare_desktop.services import ServiceError
from setacare_desktop.services import sheets as sheet_service
from setacare_desktop.ui.pdf_dialog import PdfDialog

#: The print's use case, given how to deliver the PDF; returns the PDF delivered.
Record = Callable[[sheet_service.Deliver], bytes]


class PrintoutDialog(PdfDialog):
    """Shows ``pdf`` (a preview); 「PDFとして保存」 and 「印刷」 print through ``record``."""

    def __init__(self, title: str, pdf: bytes, suggested_name: str, record: Record,
                 parent: QWidget | None = None) -> None:
        # The dialog's own save (name, overwrite question, messages) writes through the print's
        # use case instead of writing the preview's bytes.
        super().__init__(title, pdf, suggested_name, parent, save_file=self._save_recorded)
        self._record = record

    def _save_recorded(self, path: Path, _preview: bytes, replace: bool) -> None:
        """Render, write and record the printout; show what was written."""
        self.preview.load(self._record(sheet_service.to_file(path, replace=replace)))

    def print_pdf(self) -> bool:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not self.choose_printer(printer):
            return False

        def print_pages(pdf: bytes, _name: str) -> None:
            if not self.preview.load(pdf) or not self.preview.print_to(printer):
                raise sheet_service.DeliveryError(
                    "印刷できませんでした。プリンターを確認してください（印刷として記録していません）。")

        try:
            self._record(print_pages)
        except ServiceError as error:
            self.message_label.setText(error.message)
            return False
        self.message_label.setText("印刷しました。")
        return True
