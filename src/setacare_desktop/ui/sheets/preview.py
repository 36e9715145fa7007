"""A PDF shown page by page (QtPdf), and printed with a QPainter on a QPrinter; and the
「FAX送付状」 button beside a sheet's 印刷.

``QPdfDocument.render`` returns a transparent image (only the ink is drawn), so every page is
painted onto a white image before it is shown or printed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPalette, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.referral import ReferralMethod
from setacare_desktop.services import Database, ServiceError, StaffProfile
from setacare_desktop.services import sheets as sheet_service
from setacare_desktop.services.referrals import ReferralRow

if TYPE_CHECKING:
    from setacare_desktop.ui.sheets.printout import PrintoutDialog

SCREEN_DPI = 96
#: Pages are rendered for the printer at its resolution, at most this (a 1200 dpi A4 page would
#: take half a gigabyte).
PRINT_DPI_LIMIT = 300
#: Rows of a rendered page drawn into the printer in one call (see ``draw_in_bands``).
PRINT_BAND_ROWS = 256
ZOOM_STEP = 1.25
ZOOM_MIN = 0.5
ZOOM_MAX = 3.0


def page_image(document: QPdfDocument, page: int, dpi: float) -> QImage:
    """Page ``page`` (from 0) at ``dpi``, on white."""
    points = document.pagePointSize(page)
    size = QSize(max(1, round(points.width() * dpi / 72)), max(1, round(points.height() * dpi / 72)))
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.drawImage(0, 0, document.render(page, size))
    painter.end()
    return image


def load_pdf(document: QPdfDocument, buffer: QBuffer, pdf: bytes) -> bool:
    """Load ``pdf`` into ``document`` through ``buffer`` (which must live as long as the
    document reads it); False if QtPdf cannot read it."""
    document.close()
    buffer.close()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return document.status() is QPdfDocument.Status.Ready


def paint_document(document: QPdfDocument, printer: QPrinter, painter: QPainter, *,
                   new_page_first: bool = False) -> bool:
    """Paint every page with ``painter`` (begun on ``printer``), each scaled to the printable
    area, a new page before each but the first (and before the first too if
    ``new_page_first``); False if the printer refuses a new page."""
    dpi = min(printer.resolution(), PRINT_DPI_LIMIT)
    for page in range(document.pageCount()):
        if (page or new_page_first) and not printer.newPage():
            return False
        image = page_image(document, page, dpi)
        area = painter.viewport()
        size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(area.x() + (area.width() - size.width()) // 2, area.y(),
                       size.width(), size.height())
        draw_in_bands(painter, target, image)
    return True


def draw_in_bands(painter: QPainter, target: QRect, image: QImage) -> None:
    """``painter.drawImage(target, image)`` in horizontal bands of :data:`PRINT_BAND_ROWS`.

    Drawing a whole 300 dpi page into a printer (the PDF engine compresses it) takes ~80 ms in
    one call that holds Python's lock; in bands the window's thread gets its turn between them
    when a batch prints on the worker. The bands meet exactly (the same scale for each)."""
    scale = target.height() / image.height()
    for top in range(0, image.height(), PRINT_BAND_ROWS):
        rows = min(PRINT_BAND_ROWS, image.height() - top)
        painter.drawImage(
            QRectF(target.x(), target.y() + top * scale, target.width(), rows * scale),
            image, QRectF(0, top, image.width(), rows))


def print_document(document: QPdfDocument, printer: QPrinter) -> bool:
    """Print every page, each scaled to the printable area; False if the printer cannot start."""
    painter = QPainter()
    if not painter.begin(printer):
        return False
    if not paint_document(document, printer, painter):
        painter.end()
        return False
    return painter.end()


class PdfPreview(QWidget):
    """The pages of one PDF: 前へ/次へ, 拡大/縮小 and 「n / m ページ」."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buffer = QBuffer(self)
        self.document = QPdfDocument(self)
        self._page = 0
        self._zoom = 1.0

        self.previous_button = QPushButton("◀ 前", self)
        self.next_button = QPushButton("次 ▶", self)
        self.zoom_out_button = QPushButton("縮小", self)
        self.zoom_in_button = QPushButton("拡大", self)
        self.page_label = QLabel(self)
        self.zoom_label = QLabel(self)
        self.image_label = QLabel(self)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setAccessibleName("印刷プレビュー")
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.image_label)
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll.setBackgroundRole(QPalette.ColorRole.Dark)

        controls = QHBoxLayout()
        controls.addWidget(self.previous_button)
        controls.addWidget(self.page_label)
        controls.addWidget(self.next_button)
        controls.addStretch(1)
        controls.addWidget(self.zoom_out_button)
        controls.addWidget(self.zoom_label)
        controls.addWidget(self.zoom_in_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.scroll, 1)

        self.previous_button.clicked.connect(lambda: self.show_page(self._page - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self._page + 1))
        self.zoom_in_button.clicked.connect(lambda: self.set_zoom(self._zoom * ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.set_zoom(self._zoom / ZOOM_STEP))
        self.clear()

    def load(self, pdf: bytes) -> bool:
        """Show ``pdf`` from its first page; False if QtPdf cannot read it."""
        if not load_pdf(self.document, self._buffer, pdf):
            self.clear()
            return False
        self.show_page(0)
        return True

    def clear(self) -> None:
        self.document.close()
        self._page = 0
        self.image_label.clear()
        self._update_controls()

    def page_count(self) -> int:
        return self.document.pageCount()

    def current_page(self) -> int:
        """The page shown, from 0."""
        return self._page

    def zoom(self) -> float:
        return self._zoom

    def image(self) -> QImage:
        """The page shown, as drawn."""
        return self.image_label.pixmap().toImage()

    def show_page(self, page: int) -> None:
        if not 0 <= page < self.page_count():
            return
        self._page = page
        image = page_image(self.document, page, SCREEN_DPI * self._zoom)
        self.image_label.setPixmap(QPixmap.fromImage(image))
        self._update_controls()

    def set_zoom(self, zoom: float) -> None:
        self._zoom = min(ZOOM_MAX, max(ZOOM_MIN, zoom))
        if self.page_count():
            self.show_page(self._page)
        self._update_controls()

    def print_to(self, printer: QPrinter) -> bool:
        return print_document(self.document, printer)

    def _update_controls(self) -> None:
        count = self.page_count()
        self.page_label.setText(f"{self._page + 1} / {count} ページ" if count else "")
        self.zoom_label.setText(f"{round(self._zoom * 100)}%")
        self.previous_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(self._page + 1 < count)
        self.zoom_in_button.setEnabled(count > 0 and self._zoom < ZOOM_MAX)
        self.zoom_out_button.setEnabled(count > 0 and self._zoom > ZOOM_MIN)


class FaxCoverButton(QPushButton):
    """「FAX送付状…」: previews the cover sheet of the chosen referral's sheet in a print dialog
    whose save and print are recorded (``sheets.print_fax_cover``). For a referral sent by FAX
    it is marked as the next step, and :meth:`offer` opens it by itself once the sheet is
    printed. ``anonymised_of`` tells which form of the sheet is shown (the page's choice)."""

    #: Why the cover sheet cannot be shown (the consent gate of its sheet, a refusal).
    problem = Signal(str)

    def __init__(self, db: Database, actor: StaffProfile,
                 anonymised_of: Callable[[ReferralRow], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__("FAX送付状(&F)…", parent)
        self._db = db
        self._actor = actor
        self._anonymised_of = anonymised_of
        self._row: ReferralRow | None = None
        self.dialog: PrintoutDialog | None = None
        self.setEnabled(False)
        self.clicked.connect(lambda: self.open_cover())

    def set_referral(self, row: ReferralRow | None) -> None:
        self._row = row
        self.setEnabled(row is not None)
        by_fax = self.by_fax()
        font = self.font()
        font.setBold(by_fax)
        self.setFont(font)
        self.setToolTip("FAX で送るつなぎです。連携シートの前に送付状を送ります（3枚目が返信票）"
                        if by_fax else "送付先・送付元・枚数・用件だけの送付状（対象者の情報は載せません）")

    def by_fax(self) -> bool:
        return self._row is not None and self._row.method is ReferralMethod.FAX

    def offer(self) -> PrintoutDialog | None:
        """After the sheet of a referral sent by FAX was printed: open its cover sheet."""
        return self.open_cover() if self.by_fax() else None

    def open_cover(self) -> PrintoutDialog | None:
        from setacare_desktop.ui.sheets.printout import PrintoutDialog

        row = self._row
        if row is None:
            return None
        anonymised = self._anonymised_of(row)
        try:
            pdf = sheet_service.preview_fax_cover(self._db, self._actor, row.referral_id,
                                                  anonymised=anonymised)
        except ServiceError as error:
            self.problem.emit(error.message)
            return None
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = PrintoutDialog(
            "FAX送付状", pdf, f"{sheet_service.fax_cover_name(row.referral_id)}.pdf",
            lambda deliver: sheet_service.print_fax_cover(
                self._db, self._actor, row.referral_id, deliver, anonymised=anonymised),
            self.window())
        self.dialog.open()
        return self.dialog
