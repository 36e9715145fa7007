"""A print preview of one finished PDF (the day list, the statistics report): look, then save or
print exactly what is shown.

The path and printer choosers are attributes, replaceable in tests (as on the 連携シート page).
An existing file is replaced only when the user said so (``ui.overwrite``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.services import ServiceError
from setacare_desktop.services.files import write_atomically
from setacare_desktop.ui.overwrite import confirm_overwrite, error_text, save_target
from setacare_desktop.ui.sheets.preview import PdfPreview
from setacare_desktop.ui.window_layout import fit_to_screen, fit_to_width

PDF_FILTER = "PDF ファイル (*.pdf)"
#: The dialog's size where the screen allows it (an A4 page at a readable width).
PREFERRED_SIZE = QSize(900, 1000)


#: Writes the bytes to the path; ``replace``: the user agreed to replace an existing file.
SaveFile = Callable[[Path, bytes, bool], None]


def _choose_save_path(parent: QWidget, suggested: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(parent, "PDFとして保存", suggested, PDF_FILTER)
    return path


def _choose_printer(parent: QWidget, printer: QPrinter) -> bool:
    return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted


class PdfDialog(QDialog):
    """Shows ``pdf``; 「PDFとして保存」 writes it, 「印刷」 prints it on the chosen printer.

    ``save_file`` writes the file (default: :func:`write_atomically`; the statistics page passes
    its audited export); ``printed`` is told whether a print job was accepted (to audit it).
    """

    def __init__(self, title: str, pdf: bytes, suggested_name: str,
                 parent: QWidget | None = None, *, save_file: SaveFile | None = None,
                 printed: Callable[[bool], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._pdf = pdf
        self._suggested = suggested_name
        self._save_file: SaveFile = save_file or (
            lambda path, data, replace: write_atomically(path, data, replace=replace))
        self._printed = printed
        self.choose_save_path: Callable[[str], str] = lambda name: _choose_save_path(self, name)
        self.choose_printer: Callable[[QPrinter], bool] = lambda p: _choose_printer(self, p)
        self.confirm_overwrite: Callable[[Path], bool] = lambda path: confirm_overwrite(self, path)

        self.preview = PdfPreview(self)
        self.preview.load(pdf)
        self.save_button = QPushButton("PDFとして保存(&S)", self)
        self.print_button = QPushButton("印刷(&P)", self)
        self.close_button = QPushButton("閉じる", self)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.print_button.clicked.connect(self.print_pdf)
        self.close_button.clicked.connect(self.accept)
        self._fitted = False
        fit_to_screen(self, PREFERRED_SIZE)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # the first time: the page as wide as the dialog shows it
            self._fitted = True
            fit_to_width(self.preview)

    def save(self) -> bool:
        chosen = self.choose_save_path(self._suggested)
        if not chosen:
            return False
        target = save_target(chosen, "pdf", self.confirm_overwrite)
        if target is None:
            return False
        path, replace = target
        try:
            self._save_file(path, self._pdf, replace)
        except (ServiceError, OSError) as error:
            self.message_label.setText(f"保存できませんでした: {error_text(error)}")
            return False
        self.message_label.setText(f"保存しました: {path}")
        return True

    def print_pdf(self) -> bool:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not self.choose_printer(printer):
            return False
        ok = self.preview.print_to(printer)
        if self._printed is not None:
            try:
                self._printed(ok)
            except ServiceError as error:  # the print happened; its audit row could not be kept
                self.message_label.setText(error.message)
                return False
        if not ok:
            self.message_label.setText("印刷できませんでした。プリンターを確認してください。")
            return False
        self.message_label.setText("印刷しました。")
        return True
