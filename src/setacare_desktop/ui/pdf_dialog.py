"""A print preview of one finished PDF (the day list, the statistics report): look, then save or
print exactly what is shown.

The path and printer choosers are attributes, replaceable in tests (as on the 連携シート page).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

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

from setacare_desktop.services.files import write_atomically
from setacare_desktop.ui.sheets.preview import PdfPreview

PDF_FILTER = "PDF ファイル (*.pdf)"


def _choose_save_path(parent: QWidget, suggested: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(parent, "PDFとして保存", suggested, PDF_FILTER)
    return path


def _choose_printer(parent: QWidget, printer: QPrinter) -> bool:
    return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted


class PdfDialog(QDialog):
    """Shows ``pdf``; 「PDFとして保存」 writes it, 「印刷」 prints it on the chosen printer."""

    def __init__(self, title: str, pdf: bytes, suggested_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._pdf = pdf
        self._suggested = suggested_name
        self.choose_save_path: Callable[[str], str] = lambda name: _choose_save_path(self, name)
        self.choose_printer: Callable[[QPrinter], bool] = lambda p: _choose_printer(self, p)

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
        self.resize(760, 900)

    def save(self) -> bool:
        chosen = self.choose_save_path(self._suggested)
        if not chosen:
            return False
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            write_atomically(path, self._pdf)
        except OSError as error:
            self.message_label.setText(f"保存できませんでした: {error.strerror or error}")
            return False
        self.message_label.setText(f"保存しました: {path}")
        return True

    def print_pdf(self) -> bool:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if not self.choose_printer(printer):
            return False
        if not self.preview.print_to(printer):
            self.message_label.setText("印刷できませんでした。プリンターを確認してください。")
            return False
        self.message_label.setText("印刷しました。")
        return True
