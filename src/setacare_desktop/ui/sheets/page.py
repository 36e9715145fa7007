"""連携シート: the district's open referrals, the print preview of the chosen one's liaison sheet,
saving it as a PDF or printing it, saving the day's sheets in one go, and the reply entry.

The preview shows ``services.sheets.preview_liaison_sheet`` — the same gate and PDF as the print,
but neither a number issued nor a print audited. 「PDFとして保存」 and 「印刷」 issue the sheet
(``issue_liaison_sheet``), which writes the file or prints the pages *before* the sheet is numbered
and audited as printed (再発行 on a reprint): a file that could not be written or a print the
printer refused consumes no number. Where the consent gate refuses, its reason is shown and
「匿名版を表示」 previews the anonymised sheet; saving and printing then follow the form shown.
The anonymised sheet carries the 匿名用の概要 typed in the box under the buttons (empty at
first; what identifies the person is listed beside it, and printing is refused until it is
fixed); it is stored with the referral before each preview, save or print.

「本日のシートを一括保存」 writes the sheets of the referrals made today to a chosen folder, on the
worker thread (``ui.operations``) so that the window stays responsive, the bar counting each
sheet; 「中止」 stops after the sheet being written, and each file appears whole (written beside,
then renamed) or not at all, each sheet recorded only once its file is there.
「本日のシートを一括印刷…」 asks for the printer once and prints the same sheets as one job, each
from a new page, stepped and cancelled the same way: the pages printed so far stay, and the
sheets not reached are not issued. Both skip (and list as 同意なし) what the consent gate refuses.

「シート番号」 takes the number typed or read by a barcode scanner (which ends with Enter) and emits
``reply_requested`` so that the main window opens the referral's reply form.

The path, folder and printer choosers are attributes, replaceable in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QBuffer, QItemSelection, Qt, Signal
from PySide6.QtGui import QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain import roles
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.reference import DISTRICTS_BY_CODE
from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError
from setacare_desktop.services import referrals as referral_service
from setacare_desktop.services import sheets as sheet_service
from setacare_desktop.services.errors import Problem
from setacare_desktop.ui.columns import fit_to_rows, row_list_view
from setacare_desktop.ui.operations import Operation, Progress
from setacare_desktop.ui.page import Page, heading
from setacare_desktop.ui.referrals import ReferralTableModel
from setacare_desktop.ui.referrals.summary_box import SummaryBox
from setacare_desktop.ui.referrals.table_model import COL_REQUEST
from setacare_desktop.ui.sheets.preview import FaxCoverButton, PdfPreview, load_pdf, paint_document
from setacare_desktop.ui.window_layout import fit_to_width

NO_SELECTION = "つなぎを選んでください。"
PDF_FILTER = "PDF (*.pdf)"


def _choose_save_path(parent: QWidget, suggested: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(parent, "PDFとして保存", suggested, PDF_FILTER)
    return path


def _choose_folder(parent: QWidget) -> str:
    return QFileDialog.getExistingDirectory(parent, "連携シートを保存するフォルダー")


def _choose_printer(parent: QWidget, printer: QPrinter) -> bool:
    return QPrintDialog(printer, parent).exec() == QDialog.DialogCode.Accepted


class _StepFailed(sheet_service.DeliveryError):
    """A sheet of the batch not delivered (so not recorded): its message goes to the list of
    those skipped; ``stop`` ends the batch (the printer gave up)."""

    def __init__(self, message: str, *, stop: bool = False) -> None:
        super().__init__(message)
        self.stop = stop


@dataclass
class _Batch:
    """One run of the day's sheets (built and filled on the worker thread)."""

    rows: list[referral_service.ReferralRow]
    verb: str  # 保存 / 印刷
    place: str  # shown after the count: the folder, or ""
    failed: str = ""  # the batch could not start (the printer refused)
    done: int = 0
    cancelled: bool = False
    delivered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class SheetsPage(Page):
    """The 連携シート work area. ``status_message`` carries messages for the status bar."""

    status_message = Signal(str)
    #: The referral (id, district code) whose sheet number was entered: open its reply form.
    reply_requested = Signal(int, str)
    #: One sheet of the batch handled (how many so far).
    batch_progressed = Signal(int)
    #: The batch ended (finished or cancelled): how many sheets were saved or printed.
    batch_finished = Signal(int)

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        #: The referral and form (anonymised?) the preview shows.
        self._shown: tuple[int, bool] | None = None
        self._shown_number = ""
        #: The referral whose 匿名用の概要 the box holds.
        self._summary_of: int | None = None
        self._batch: Operation[_Batch] | None = None
        self._batch_keep: object = None
        #: suggested file name → chosen path ("" when cancelled).
        self.choose_save_path: Callable[[str], str] = lambda name: _choose_save_path(self, name)
        #: → chosen folder ("" when cancelled).
        self.choose_folder: Callable[[], str] = lambda: _choose_folder(self)
        #: Sets up the printer (the system's print dialog) → print?
        self.choose_printer: Callable[[QPrinter], bool] = lambda p: _choose_printer(self, p)

        self.title_label = heading("連携シート", self)
        self.district_combo = QComboBox(self)
        for code in roles.readable_districts(actor):
            self.district_combo.addItem(f"{DISTRICTS_BY_CODE[code].name}地区", code)
        own = self.district_combo.findData(actor.district_code)
        if own >= 0:
            self.district_combo.setCurrentIndex(own)
        self.district_combo.setAccessibleName("地区")
        district_label = QLabel("地区(&T)", self)
        district_label.setBuddy(self.district_combo)
        self.sheet_number_edit = QLineEdit(self)
        self.sheet_number_edit.setAccessibleName("シート番号")
        self.sheet_number_edit.setPlaceholderText("返信の記録: 読み取るか入力して Enter")
        self.sheet_number_edit.setClearButtonEnabled(True)
        self.sheet_number_edit.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 16)
        number_label = QLabel("シート番号(&N)", self)
        number_label.setBuddy(self.sheet_number_edit)

        self.model = ReferralTableModel(self)
        self.table = row_list_view(self.model, self)
        self.table.setAccessibleName("未完了のつなぎ")

        self.preview_button = QPushButton("プレビュー(&P)", self)
        self.anonymised_button = QPushButton("匿名版を表示", self)
        self.anonymised_button.hide()
        self.save_button = QPushButton("PDFとして保存(&S)", self)
        self.print_button = QPushButton("印刷(&R)…", self)
        self.fax_cover_button = FaxCoverButton(db, actor, self._anonymised_for, self)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()
        self.sheet_label = QLabel(NO_SELECTION, self)
        self.sheet_label.setWordWrap(True)  # a long destination must not widen the window
        self.preview = PdfPreview(self)
        self.summary = SummaryBox(self._check_summary, self)
        self.summary.hide()

        self.batch_button = QPushButton("本日のシートを一括保存…", self)
        self.batch_print_button = QPushButton("本日のシートを一括印刷…", self)
        self.batch_progress = QProgressBar(self)
        self.batch_progress.setFormat("%v / %m 件")
        self.batch_progress.hide()
        self.batch_cancel_button = QPushButton("中止", self)
        self.batch_cancel_button.hide()
        self.batch_label = QLabel(self)
        self.batch_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addStretch(1)
        top.addWidget(number_label)
        top.addWidget(self.sheet_number_edit)
        list_box = QWidget(self)
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        district_row = QHBoxLayout()
        district_row.addWidget(district_label)
        district_row.addWidget(self.district_combo)
        district_row.addStretch(1)
        list_layout.addLayout(district_row)
        list_layout.addWidget(self.table, 1)
        batch_row = QHBoxLayout()
        batch_row.addWidget(self.batch_button)
        batch_row.addWidget(self.batch_print_button)
        batch_row.addWidget(self.batch_progress, 1)
        batch_row.addWidget(self.batch_cancel_button)
        list_layout.addLayout(batch_row)
        list_layout.addWidget(self.batch_label)
        preview_box = QWidget(self)
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        actions = QHBoxLayout()
        for button in (self.preview_button, self.anonymised_button, self.save_button,
                       self.print_button, self.fax_cover_button):
            actions.addWidget(button)
        actions.addStretch(1)
        preview_layout.addLayout(actions)
        preview_layout.addWidget(self.message_label)
        preview_layout.addWidget(self.summary)
        preview_layout.addWidget(self.sheet_label)
        preview_layout.addWidget(self.preview, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(list_box)
        splitter.addWidget(preview_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.district_combo.currentIndexChanged.connect(self.reload)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.show_preview())
        self.preview_button.clicked.connect(lambda: self.show_preview())
        self.anonymised_button.clicked.connect(lambda: self.show_preview(anonymised=True))
        self.save_button.clicked.connect(self.save_pdf)
        self.print_button.clicked.connect(self.print_sheet)
        self.fax_cover_button.problem.connect(self._show_message)
        self.batch_button.clicked.connect(self.save_today)
        self.batch_print_button.clicked.connect(self.print_today)
        self.batch_cancel_button.clicked.connect(self.cancel_batch)
        self.sheet_number_edit.returnPressed.connect(self.open_reply_for_number)
        self._update_enabled()

    # --- the list ---------------------------------------------------------------------------

    def activate(self) -> None:
        self.reload()

    def district_code(self) -> str | None:
        data = self.district_combo.currentData()
        return None if data is None else str(data)

    def reload(self) -> None:
        """Read the district's open referrals again, keeping the chosen one chosen."""
        keep = self.selected_referral()
        district = self.district_code()
        rows: list[referral_service.ReferralRow] = []
        if district is not None:
            try:
                rows = referral_service.open_referrals(self._db, self._actor, district)
            except ServiceError as error:
                self._show_message(error.message)
        self.model.set_rows(rows)
        model = self.model
        fit_to_rows(self.table, model, stretch=COL_REQUEST, limit_chars=12)
        row = model.row_of(keep.referral_id) if keep is not None else -1
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._selection_changed(QItemSelection(), QItemSelection())

    def selected_referral(self) -> referral_service.ReferralRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def select_referral(self, referral_id: int) -> bool:
        row = self.model.row_of(referral_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        row = self.selected_referral()
        if self._shown is not None and (row is None or row.referral_id != self._shown[0]):
            self._shown = None
            self._shown_number = ""
            self.preview.clear()
        if self._shown is None:
            self.sheet_label.setText(
                NO_SELECTION if row is None
                else f"相談No. {row.consultation_id} → {row.destination}: 「プレビュー」で表示します。")
        self._hide_message()
        self._show_summary_for(row if row is not None and self._anonymised_for(row) else None)
        self._update_enabled()

    def _update_enabled(self) -> None:
        chosen = self.selected_referral() is not None
        for button in (self.preview_button, self.save_button, self.print_button):
            button.setEnabled(chosen)
        self.fax_cover_button.set_referral(self.selected_referral())

    def _show_message(self, text: str, *, offer_anonymised: bool = False) -> None:
        self.message_label.setText(text)
        self.message_label.show()
        self.anonymised_button.setVisible(offer_anonymised)

    def _hide_message(self) -> None:
        self.message_label.hide()
        self.anonymised_button.hide()

    # --- preview, save, print ---------------------------------------------------------------

    def _anonymised_for(self, row: referral_service.ReferralRow) -> bool:
        """The form shown in the preview; else the referral's own (an anonymised referral gets
        the anonymised sheet)."""
        if self._shown is not None and self._shown[0] == row.referral_id:
            return self._shown[1]
        return row.anonymised

    # --- the 匿名用の概要 -------------------------------------------------------------------

    def _show_summary_for(self, row: referral_service.ReferralRow | None) -> None:
        """Show the summary box with the referral's stored summary (hidden without a row)."""
        self._summary_of = row.referral_id if row is not None else None
        if row is None:
            self.summary.hide()
            return
        try:
            text, problems = sheet_service.anonymised_summary(self._db, self._actor,
                                                              row.referral_id)
        except ServiceError as error:
            self._show_message(error.message)
            self.summary.hide()
            return
        self.summary.set_text(text, problems if text else [])
        self.summary.show()

    def _check_summary(self, text: str) -> list[Problem]:
        row = self.selected_referral()
        if row is None or not text.strip():
            return []
        return sheet_service.check_anonymised_summary(self._db, self._actor,
                                                      row.consultation_id, text)

    def _save_summary(self, row: referral_service.ReferralRow) -> bool:
        """Store the typed summary with the referral (findings listed); False if refused."""
        if self._summary_of != row.referral_id:
            self._show_summary_for(row)
        try:
            problems = sheet_service.save_anonymised_summary(self._db, self._actor,
                                                             row.referral_id, self.summary.text())
        except ServiceError as error:
            self._show_message(error.message)
            return False
        self.summary.show_findings(problems)
        return True

    # --- preview, save, print ---------------------------------------------------------------

    def _sheet(self, row: referral_service.ReferralRow, anonymised: bool, *,
               deliver: sheet_service.Deliver | None) -> sheet_service.IssuedSheet | None:
        """Preview (``deliver`` None) or issue the sheet; None when refused (the reason shown)."""
        if anonymised and not self._save_summary(row):
            return None
        try:
            if deliver is None:
                return sheet_service.preview_liaison_sheet(self._db, self._actor,
                                                           row.referral_id, anonymised=anonymised)
            return sheet_service.issue_liaison_sheet(self._db, self._actor, row.referral_id,
                                                     deliver, anonymised=anonymised)
        except sheet_service.SheetConsentError as error:
            self._show_message(error.message, offer_anonymised=True)
        except ValidationError as error:
            self.summary.show_findings(error.problems)
            self._show_message("匿名の連携シートは印刷できません。匿名用の概要を直してください:\n"
                               + "\n".join(f"・{p.message}" for p in error.problems))
        except ServiceError as error:
            self._show_message(error.message)
        return None

    def _show_sheet(self, row: referral_service.ReferralRow, sheet: sheet_service.IssuedSheet,
                    *, issued: bool) -> bool:
        self._hide_message()
        if not self.preview.load(sheet.pdf):
            self._show_message("連携シートを表示できませんでした（PDF を読めません）。")
            return False
        if not issued:  # a new preview opens as wide as the page has room for
            fit_to_width(self.preview)
        self._shown = (row.referral_id, sheet.anonymised)
        self._shown_number = sheet.sheet_number
        kind = "匿名版" if sheet.anonymised else "原本" if not sheet.reissue else "再発行"
        state = "" if issued else "　※プレビュー（印刷・保存のときに記録されます）"
        self.sheet_label.setText(
            f"シート番号 {sheet.sheet_number}（{kind}）　相談No. {row.consultation_id} → "
            f"{row.destination}{state}")
        return True

    def show_preview(self, *, anonymised: bool | None = None) -> bool:
        """Preview the chosen referral's sheet (not a print: nothing is issued or audited);
        False when refused (the reason is shown)."""
        row = self.selected_referral()
        if row is None:
            return False
        form = row.anonymised if anonymised is None else anonymised
        if form and (self._summary_of != row.referral_id or self.summary.isHidden()):
            self._show_summary_for(row)
        sheet = self._sheet(row, form, deliver=None)
        return sheet is not None and self._show_sheet(row, sheet, issued=False)

    def save_pdf(self) -> str | None:
        """Save the chosen referral's sheet where the user says (issued and audited); the path,
        or None."""
        row = self.selected_referral()
        if row is None:
            return None
        suggested = f"{self._shown_number or f'連携シート-つなぎ{row.referral_id}'}.pdf"
        path = self.choose_save_path(suggested)
        if not path:
            return None
        sheet = self._sheet(row, self._anonymised_for(row),
                            deliver=sheet_service.to_file(Path(path), replace=True))
        if sheet is None:
            return None
        self._show_sheet(row, sheet, issued=True)
        self.status_message.emit(f"連携シート {sheet.sheet_number} を保存しました（{path}）")
        return path

    def print_sheet(self) -> bool:
        """Print the chosen referral's sheet on the printer the user sets up (issued and
        audited)."""
        row = self.selected_referral()
        if row is None:
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFullPage(True)
        printer.setDocName(self._shown_number or "連携シート")
        if not self.choose_printer(printer):
            return False

        def print_pages(pdf: bytes, _name: str) -> None:
            # Inside the issue: the sheet is recorded as printed only if the printer took it.
            if not self.preview.load(pdf):
                raise sheet_service.DeliveryError("連携シートを表示できませんでした（PDF を読めません）。")
            if not self.preview.print_to(printer):
                raise sheet_service.DeliveryError(
                    "印刷を開始できませんでした。プリンターの設定を確かめてください"
                    "（印刷として記録していません）。")

        sheet = self._sheet(row, self._anonymised_for(row), deliver=print_pages)
        if sheet is None or not self._show_sheet(row, sheet, issued=True):
            return False
        self.status_message.emit(f"連携シート {sheet.sheet_number} を印刷しました")
        self.fax_cover_button.offer()  # by FAX: the cover sheet goes first
        return True

    # --- the day's sheets -------------------------------------------------------------------

    def today_referrals(self) -> list[referral_service.ReferralRow]:
        today = local_now().date()
        rows = (self.model.row_at(r) for r in range(self.model.rowCount()))
        return [r for r in rows if r.referred_on == today]

    def save_today(self) -> bool:
        """Start saving the sheets of today's referrals to a chosen folder; False if not
        started."""
        rows = self._batch_rows()
        if not rows:
            return False
        chosen = self.choose_folder()
        if not chosen:
            return False
        folder = Path(chosen)

        def run(progress: Progress) -> _Batch:
            return self._run_batch(_Batch(rows, "保存", f"（{folder}）"),
                                   sheet_service.to_folder(folder), progress)

        self._start_batch(rows, "保存", run)
        return True

    def print_today(self) -> bool:
        """Start printing the sheets of today's referrals, one print job on the printer the
        user sets up (each sheet from a new page); False if not started."""
        rows = self._batch_rows()
        if not rows:
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setFullPage(True)
        printer.setDocName(f"連携シート {local_now():%Y-%m-%d}")
        if not self.choose_printer(printer):
            return False

        def run(progress: Progress) -> _Batch:
            # On the worker: Qt paints on a QPrinter (and QtPdf renders) off the GUI thread;
            # the painter, document and buffer belong to this thread and end with it.
            batch = _Batch(rows, "印刷", "")
            painter = QPainter()
            if not painter.begin(printer):
                batch.failed = "印刷を開始できませんでした。プリンターの設定を確かめてください。"
                return batch
            buffer = QBuffer()
            document = QPdfDocument()
            printed = [0]

            def print_one(pdf: bytes, _name: str) -> None:
                if not load_pdf(document, buffer, pdf):
                    raise _StepFailed("PDF を読めません")
                if not paint_document(document, printer, painter,
                                      new_page_first=printed[0] > 0):
                    raise _StepFailed("プリンターが止まりました", stop=True)
                printed[0] += 1

            try:
                return self._run_batch(batch, print_one, progress)
            finally:
                painter.end()
                document.close()
                buffer.close()

        self._start_batch(rows, "印刷", run, keep=printer)
        return True

    def _batch_rows(self) -> list[referral_service.ReferralRow]:
        if self._batch is not None:
            return []
        rows = self.today_referrals()
        if not rows:
            self.batch_label.setText("本日のつなぎはありません。")
        return rows

    def _start_batch(self, rows: list[referral_service.ReferralRow], verb: str,
                     run: Callable[[Progress], _Batch], keep: object = None) -> None:
        self.batch_progress.setRange(0, len(rows))
        self.batch_progress.setValue(0)
        self.batch_progress.show()
        self.batch_cancel_button.show()
        self.batch_label.setText(f"{len(rows)}件の連携シートを{verb}しています…")
        op = Operation(self, run, guard=[self.batch_button, self.batch_print_button])
        self._batch = op
        self._batch_keep = keep  # the printer lives until the batch ends
        op.progress(self._batch_progressed).success(self._finish_batch).failure(
            lambda error: self._finish_batch(_Batch(rows, verb, "", failed=error.message))
        ).finished(self._batch_ended).run()

    def cancel_batch(self) -> None:
        """Stop after the sheet being written or printed (those done stay; the rest are not
        issued)."""
        if self._batch is not None:
            self._batch.cancel()

    def batch_running(self) -> bool:
        return self._batch is not None

    def _run_batch(self, batch: _Batch, deliver: sheet_service.Deliver,
                   progress: Progress) -> _Batch:
        """On the worker: issue each sheet, delivered inside its issue (recorded only if
        delivered), reporting each step, until done or cancelled."""
        for row in batch.rows:
            if progress.cancelled:
                batch.cancelled = True
                break
            batch.done += 1
            try:
                sheet = sheet_service.issue_liaison_sheet(
                    self._db, self._actor, row.referral_id, deliver, anonymised=row.anonymised)
            except sheet_service.SheetConsentError:
                batch.skipped.append(
                    f"相談No. {row.consultation_id} → {row.destination}（同意なし）")
            except _StepFailed as failed:
                batch.skipped.append(f"相談No. {row.consultation_id}（{failed.message}）")
                if failed.stop:
                    batch.cancelled = True
                    progress.update(batch.done, len(batch.rows))
                    break
            except ServiceError as error:
                batch.skipped.append(f"相談No. {row.consultation_id}（{error.message}）")
            else:
                batch.delivered.append(sheet.sheet_number)
            progress.update(batch.done, len(batch.rows))
        return batch

    def _batch_progressed(self, done: int, _total: int) -> None:
        self.batch_progress.setValue(done)
        self.batch_progressed.emit(done)

    def _batch_ended(self) -> None:
        self._batch = None
        self._batch_keep = None
        self.batch_progress.hide()
        self.batch_cancel_button.hide()

    def _finish_batch(self, batch: _Batch) -> None:
        verb = batch.verb
        if batch.failed:
            text = batch.failed
        else:
            text = f"{len(batch.delivered)}件の連携シートを{verb}しました{batch.place}。"
            if batch.cancelled and batch.done < len(batch.rows):
                text += (f"中止しました（残り {len(batch.rows) - batch.done}件は{verb}して"
                         "いません）。")
            if batch.skipped:
                text += f"{verb}しなかったもの: " + "、".join(batch.skipped)
        self.batch_label.setText(text)
        self.status_message.emit(text)
        self.batch_finished.emit(len(batch.delivered))

    # --- the reply --------------------------------------------------------------------------

    def open_reply_for_number(self) -> bool:
        """Find the referral of the sheet number entered and ask for its reply form."""
        text = self.sheet_number_edit.text().strip()
        if not text:
            return False
        try:
            found = sheet_service.referral_of_sheet(self._db, self._actor, text)
        except ServiceError as error:
            self._show_message(error.message)
            self.sheet_number_edit.selectAll()
            return False
        self.sheet_number_edit.clear()
        self._hide_message()
        self.reply_requested.emit(found.referral_id, found.district_code)
        return True
