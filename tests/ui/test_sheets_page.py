"""連携シート like a user: the print preview of a referral's sheet (page by page, zoom, on white,
not audited), the consent gate's refusal and the anonymised preview with its 匿名用の概要 (what
identifies the person listed beside it, printing refused until fixed), saving as a PDF and
printing (both audited, and only once written or accepted by the printer), the day's sheets saved
or printed in one go and cancelled part-way, and a returned sheet's number typed (as a scanner
does, ending with Enter) opening the referral's reply form."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.domain.consent import ConsentEntry, Giver, Method, Purpose
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.referral import ReferralMethod
from setacare_desktop.services import Database, StaffProfile, audit
from setacare_desktop.services import directory as directory_service
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services import referrals as referral_service
from setacare_desktop.services import sheets as sheet_service
from setacare_desktop.store.models import Referral
from setacare_desktop.ui.main_window import AREA_REFERRALS, AREA_SHEETS, MainWindow
from setacare_desktop.ui.sheets import SheetsPage

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
TypeText = Callable[[QWidget, str], None]  # tests/ui/conftest.py
DESTINATION = "世田谷区障害者就労支援センター"
NAME = "山田 太郎"
#: The 匿名用の概要 of the anonymised referrals made here (nothing in it identifies anyone).
SUMMARY = "50歳代の男性の就労相談。訪問での状況確認をお願いしたい。"


@pytest.fixture
def clerk(db: Database, staff_factory: MakeStaff) -> StaffProfile:
    return staff_factory(db, "ikejiri1", role="相談員", org_kind="あんしんすこやかセンター")


def _referral(db: Database, actor: StaffProfile, *, purpose: Purpose | None = Purpose.SHEET,
              details: str = "自宅で相談を受けた。", anonymised: bool = False,
              summary: str = SUMMARY) -> int:
    """A referral made today; consent for ``purpose`` (None: anonymised referral, with
    ``summary`` as its 匿名用の概要)."""
    data = IntakeInput(
        received_at=f"{local_now():%Y-%m-%d} 10:00", channel="来所", district="池尻",
        consulter_kind="本人", main_complaint="障害があり仕事を探したい", details=details,
        target_groups=["障害者"], elements=["就労"],
        person=PersonInput(name=NAME, reading="やまだ たろう", phone="03-0000-1234"))
    case_id = intake_service.record_intake(db, actor, data).consultation_id
    service_id = next(d.service_id for d in directory_service.search_destinations(db, DESTINATION)
                      if d.name == DESTINATION)
    if purpose is not None:
        referral_service.record_destination_consent(
            db, actor, case_id, service_id, purpose=purpose,
            entry=ConsentEntry(True, Giver.SELF, "", Method.ORAL, local_now().date()))
    method = ReferralMethod.PHONE if purpose is Purpose.SHARE else ReferralMethod.POST
    anonymised = anonymised or purpose is None
    return referral_service.create_referral(db, actor, case_id, referral_service.NewReferral(
        service_id, method, "訪問をお願いします", anonymised=anonymised,
        anonymised_summary=summary if anonymised else ""))


@pytest.fixture
def open_page(qtbot: QtBot, db: Database, clerk: StaffProfile) -> Callable[[], SheetsPage]:
    def open_() -> SheetsPage:
        page = SheetsPage(db, clerk)
        qtbot.addWidget(page)
        page.resize(1200, 800)
        with qtbot.waitExposed(page):
            page.show()
        page.activate()
        return page

    return open_


def _click(qtbot: QtBot, widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_preview_shows_the_pages_on_white_with_paging_and_zoom_and_is_not_a_print(
        qtbot: QtBot, db: Database, clerk: StaffProfile,
        open_page: Callable[[], SheetsPage]) -> None:
    referral_id = _referral(db, clerk, details="相談の経過を詳しく記録した。" * 160)
    page = open_page()
    assert not page.preview_button.isEnabled()  # nothing chosen yet
    assert page.select_referral(referral_id)
    _click(qtbot, page.preview_button)
    preview = page.preview
    assert preview.page_count() == 3  # two pages of sheet, then its 返信票
    assert preview.page_label.text() == "1 / 3 ページ"
    assert "IKEJIRI-" in page.sheet_label.text() and "原本" in page.sheet_label.text()
    image = preview.image()
    assert not image.hasAlphaChannel()
    assert image.pixelColor(3, 3) == QColor(Qt.GlobalColor.white)
    assert any(image.pixelColor(x, image.height() // 3) != QColor(Qt.GlobalColor.white)
               for x in range(image.width()))  # ink on the page
    assert not preview.previous_button.isEnabled()
    _click(qtbot, preview.next_button)
    _click(qtbot, preview.next_button)
    assert preview.page_label.text() == "3 / 3 ページ" and not preview.next_button.isEnabled()
    _click(qtbot, preview.previous_button)
    _click(qtbot, preview.previous_button)
    assert preview.current_page() == 0
    width = image.width()
    # The page opens as wide as the view (fit to width), then zooms from there.
    viewport = preview.scroll.viewport().width()
    assert viewport - 40 <= width <= viewport
    fitted = preview.zoom()
    _click(qtbot, preview.zoom_in_button)
    assert preview.image().width() > width
    assert preview.zoom_label.text() == f"{round(fitted * 1.25 * 100)}%"
    _click(qtbot, preview.zoom_out_button)
    _click(qtbot, preview.zoom_out_button)
    assert preview.image().width() < width
    # A preview is not a print: no number issued, nothing audited as a print.
    assert sheet_service.sheet_prints(db, clerk, referral_id) == []
    assert "sheet_print" not in [e.action for e in audit.recent(db, 20)]


def test_gate_refusal_shows_the_reason_and_offers_the_anonymised_preview(
        qtbot: QtBot, db: Database, clerk: StaffProfile,
        open_page: Callable[[], SheetsPage]) -> None:
    referral_id = _referral(db, clerk, purpose=Purpose.SHARE)  # no consent to send a sheet
    page = open_page()
    page.select_referral(referral_id)
    _click(qtbot, page.preview_button)
    assert page.message_label.isVisible()
    reason = page.message_label.text()
    assert DESTINATION in reason and "同意が記録されていません" in reason and "匿名" in reason
    assert page.preview.page_count() == 0
    _click(qtbot, page.anonymised_button)
    assert page.preview.page_count() >= 1 and page.preview.page_label.text().startswith("1 / ")
    assert "匿名版" in page.sheet_label.text()
    assert not page.message_label.isVisible() and not page.anonymised_button.isVisible()


def test_the_anonymised_sheet_needs_a_summary_that_identifies_nobody(
        qtbot: QtBot, db: Database, clerk: StaffProfile, tmp_path: Path, type_text: TypeText,
        open_page: Callable[[], SheetsPage]) -> None:
    referral_id = _referral(db, clerk, purpose=Purpose.SHARE,  # no consent to send a sheet
                            details="母（84歳）が自宅で転倒したと長女から相談。")
    page = open_page()
    page.select_referral(referral_id)
    assert not page.summary.isVisible()  # the identifying form needs none
    _click(qtbot, page.preview_button)
    _click(qtbot, page.anonymised_button)
    assert page.summary.isVisible() and page.summary.text() == ""  # prefilled empty
    page.choose_save_path = lambda name: str(tmp_path / name)
    _click(qtbot, page.save_button)
    assert "匿名用の概要を直してください" in page.message_label.text()
    assert "入力してください" in page.message_label.text()

    type_text(page.summary.edit, "山田さんの母（84歳）が転倒。連絡先03-0000-1234")
    qtbot.waitUntil(lambda: len(page.summary.finding_texts()) == 3)
    findings = page.summary.finding_texts()
    assert findings[0].startswith("・「山田」は対象者の氏名の一部です")
    assert findings[1].startswith("・「84歳」は正確な年齢です。「80歳代」のように")
    assert findings[2].startswith("・「03-0000-1234」は電話番号のようです")
    _click(qtbot, page.save_button)
    assert "「84歳」は正確な年齢です" in page.message_label.text()
    assert sheet_service.sheet_prints(db, clerk, referral_id) == []
    assert list(tmp_path.glob("*.pdf")) == []

    page.summary.edit.clear()
    type_text(page.summary.edit, "50歳代の男性。同居の母（80歳代）が転倒し介護が必要。")
    qtbot.waitUntil(lambda: page.summary.finding_texts() == ["個人を特定できる記載は見つかりません。"])
    _click(qtbot, page.save_button)
    [saved] = tmp_path.glob("*.pdf")
    text = _text(saved.read_bytes()).replace("\n", "")
    assert "50歳代の男性。同居の母（80歳代）が転倒し介護が必要。" in text
    for secret in ("84歳", "長女から相談", "障害があり仕事を探したい", "山田", "03-0000-1234"):
        assert secret not in text, secret
    assert "FAXで送付するため" not in text and "本人の同意（連携シートの送付）が記録されていないため" in text


@pytest.mark.qt_log_ignore("QPainter::begin")  # the printer that cannot start, as Qt says
def test_a_sheet_that_could_not_be_saved_or_printed_is_not_recorded(
        qtbot: QtBot, db: Database, clerk: StaffProfile, tmp_path: Path,
        open_page: Callable[[], SheetsPage]) -> None:
    referral_id = _referral(db, clerk)
    page = open_page()
    page.select_referral(referral_id)
    page.choose_save_path = lambda name: str(tmp_path / "gone" / name)
    _click(qtbot, page.save_button)
    assert "フォルダー" in page.message_label.text() and "ありません" in page.message_label.text()

    page.choose_printer = _print_to(tmp_path / "gone" / "printed.pdf", [])  # cannot start
    _click(qtbot, page.print_button)
    assert "印刷を開始できませんでした" in page.message_label.text()
    assert "印刷として記録していません" in page.message_label.text()
    assert sheet_service.sheet_prints(db, clerk, referral_id) == []
    actions = [e.action for e in audit.recent(db, 10)]
    assert actions.count("sheet_print_failed") == 2 and "sheet_print" not in actions
    page.choose_save_path = lambda name: str(tmp_path / name)
    _click(qtbot, page.save_button)
    [printed] = sheet_service.sheet_prints(db, clerk, referral_id)
    assert not printed.reissue  # the first sheet that exists is the 原本


def test_saving_as_pdf_writes_the_issued_sheet_and_audits_it(
        qtbot: QtBot, db: Database, clerk: StaffProfile, tmp_path: Path,
        open_page: Callable[[], SheetsPage]) -> None:
    referral_id = _referral(db, clerk)
    page = open_page()
    page.select_referral(referral_id)
    _click(qtbot, page.preview_button)
    suggested: list[str] = []
    page.choose_save_path = lambda name: suggested.append(name) or str(tmp_path / name)
    with qtbot.waitSignal(page.status_message) as message:
        _click(qtbot, page.save_button)
    [printed] = sheet_service.sheet_prints(db, clerk, referral_id)
    assert suggested == [f"{printed.sheet_number}.pdf"]
    saved = tmp_path / suggested[0]
    text = _text(saved.read_bytes())
    assert printed.sheet_number in text and NAME in text and DESTINATION in text
    assert "保存しました" in message.args[0]
    row = next(e for e in audit.recent(db, 10) if e.action == "sheet_print")
    assert row.entity_id == printed.sheet_number
    # Cancelling the chooser saves and audits nothing.
    page.choose_save_path = lambda name: ""
    _click(qtbot, page.save_button)
    assert len(sheet_service.sheet_prints(db, clerk, referral_id)) == 1


def test_printing_paints_every_page_on_the_printer(
        qtbot: QtBot, db: Database, clerk: StaffProfile, tmp_path: Path,
        open_page: Callable[[], SheetsPage]) -> None:
    referral_id = _referral(db, clerk, details="相談の経過を詳しく記録した。" * 160)
    page = open_page()
    page.select_referral(referral_id)
    out = tmp_path / "printed.pdf"

    def to_file(printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return True

    page.choose_printer = to_file
    _click(qtbot, page.print_button)
    assert len(PdfReader(out).pages) == 3 == page.preview.page_count()
    [printed] = sheet_service.sheet_prints(db, clerk, referral_id)
    assert not printed.reissue


def test_batch_of_todays_sheets_cancelled_after_one_leaves_one_file(
        qtbot: QtBot, db: Database, clerk: StaffProfile, tmp_path: Path,
        open_page: Callable[[], SheetsPage]) -> None:
    for _ in range(3):
        _referral(db, clerk, purpose=None)  # anonymised: no consent needed
    page = open_page()
    assert len(page.today_referrals()) == 3
    folder = tmp_path / "sheets"
    folder.mkdir()
    page.choose_folder = lambda: str(folder)
    during: list[tuple[bool, bool]] = []

    def first_done(done: int) -> None:
        # While the batch runs: the bar shows, the buttons wait; then the user cancels.
        during.append((page.batch_progress.isVisible(), page.batch_button.isEnabled()))
        if done == 1:
            qtbot.mouseClick(page.batch_cancel_button, Qt.MouseButton.LeftButton)

    page.batch_progressed.connect(first_done)
    with qtbot.waitSignal(page.batch_finished, timeout=20_000) as finished:
        _click(qtbot, page.batch_button)
    assert finished.args == [1]
    assert during == [(True, False)]
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 1 and files[0].endswith(".pdf")
    assert "中止しました（残り 2件" in page.batch_label.text()
    assert not page.batch_progress.isVisible() and page.batch_button.isEnabled()


def test_batch_saves_every_sheet_of_today(
        qtbot: QtBot, db: Database, clerk: StaffProfile, tmp_path: Path,
        open_page: Callable[[], SheetsPage], threaded_operations: None) -> None:
    _referral(db, clerk)
    _referral(db, clerk, purpose=None)
    _referral(db, clerk, purpose=Purpose.SHARE)  # identifying, no consent to the sheet
    page = open_page()
    page.choose_folder = lambda: str(tmp_path)
    with qtbot.waitSignal(page.batch_finished, timeout=20_000) as finished:
        _click(qtbot, page.batch_button)
    assert finished.args == [2]
    assert len(list(tmp_path.glob("*.pdf"))) == 2 and not list(tmp_path.glob("*.part"))
    assert "同意なし" in page.batch_label.text()


def _print_to(out: Path, dialogs: list[str]) -> Callable[[QPrinter], bool]:
    def to_file(printer: QPrinter) -> bool:
        dialogs.append(printer.docName())
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return True

    return to_file


def _preview_pages(db: Database, actor: StaffProfile, referral_id: int, *,
                   anonymised: bool = True) -> int:
    """The pages of the referral's sheet (a preview: neither issued nor audited)."""
    sheet = sheet_service.preview_liaison_sheet(db, actor, referral_id, anonymised=anonymised)
    return len(PdfReader(io.BytesIO(sheet.pdf)).pages)


def test_batch_print_cancelled_after_one_keeps_its_pages_and_issues_no_more(
        qtbot: QtBot, db: Database, clerk: StaffProfile, tmp_path: Path,
        open_page: Callable[[], SheetsPage]) -> None:
    ids = [_referral(db, clerk, purpose=None, summary="50歳代の男性の就労相談。" * 100)
           for _ in range(3)]
    page = open_page()
    assert len(page.today_referrals()) == 3
    out = tmp_path / "batch.pdf"
    dialogs: list[str] = []
    page.choose_printer = _print_to(out, dialogs)
    during: list[tuple[bool, bool, bool]] = []

    def first_done(done: int) -> None:
        during.append((page.batch_progress.isVisible(), page.batch_print_button.isEnabled(),
                       page.batch_button.isEnabled()))
        if done == 1:
            qtbot.mouseClick(page.batch_cancel_button, Qt.MouseButton.LeftButton)

    page.batch_progressed.connect(first_done)
    with qtbot.waitSignal(page.batch_finished, timeout=30_000) as finished:
        _click(qtbot, page.batch_print_button)
    assert finished.args == [1] and len(dialogs) == 1
    assert during == [(True, False, False)]
    printed = [r for r in ids if sheet_service.sheet_prints(db, clerk, r)]
    assert len(printed) == 1
    assert [e.action for e in audit.recent(db, 50)].count("sheet_print") == 1
    assert len(PdfReader(out).pages) == _preview_pages(db, clerk, printed[0]) == 3  # with its 返信票
    assert "中止しました（残り 2件は印刷していません" in page.batch_label.text()
    assert not page.batch_progress.isVisible() and page.batch_print_button.isEnabled()


def test_batch_print_prints_every_sheet_of_today_each_from_a_new_page(
        qtbot: QtBot, db: Database, clerk: StaffProfile, tmp_path: Path,
        open_page: Callable[[], SheetsPage], threaded_operations: None) -> None:
    """On the real worker thread: the sheets are issued, rendered and painted there."""
    ids = [_referral(db, clerk, details="相談の経過を詳しく記録した。" * 160),
           _referral(db, clerk, purpose=None)]
    _referral(db, clerk, purpose=Purpose.SHARE)  # identifying, no consent to the sheet
    page = open_page()
    out = tmp_path / "batch.pdf"
    dialogs: list[str] = []
    page.choose_printer = _print_to(out, dialogs)
    with qtbot.waitSignal(page.batch_finished, timeout=30_000) as finished:
        _click(qtbot, page.batch_print_button)
    assert finished.args == [2] and len(dialogs) == 1
    assert all(len(sheet_service.sheet_prints(db, clerk, r)) == 1 for r in ids)
    assert [e.action for e in audit.recent(db, 50)].count("sheet_print") == 2
    pages = [_preview_pages(db, clerk, ids[0], anonymised=False), _preview_pages(db, clerk, ids[1])]
    assert len(PdfReader(out).pages) == sum(pages) == 5  # each sheet ends with its 返信票
    assert "2件の連携シートを印刷しました" in page.batch_label.text()
    assert "同意なし" in page.batch_label.text()


def test_batch_print_chooser_cancelled_prints_and_issues_nothing(
        qtbot: QtBot, db: Database, clerk: StaffProfile,
        open_page: Callable[[], SheetsPage]) -> None:
    referral_id = _referral(db, clerk)
    page = open_page()
    page.choose_printer = lambda printer: False
    _click(qtbot, page.batch_print_button)
    assert not page.batch_running() and page.batch_print_button.isEnabled()
    assert sheet_service.sheet_prints(db, clerk, referral_id) == []


def test_a_scanned_sheet_number_opens_the_reply_form(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText) -> None:
    referral_id = _referral(db, clerk)
    _referral(db, clerk)  # another open referral
    number = sheet_service.issue_liaison_sheet(db, clerk, referral_id,
                                               lambda _pdf, _name: None).sheet_number
    window = MainWindow(db, clerk)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_area(AREA_SHEETS)
    page = window.sheets_page
    assert page is not None and window.referrals_page is not None
    page.sheet_number_edit.setFocus()
    qtbot.keyClicks(page.sheet_number_edit, "IKEJIRI-2026-99999")
    qtbot.keyClick(page.sheet_number_edit, Qt.Key.Key_Return)
    assert "見つかりません" in page.message_label.text()
    assert window.current_area() == AREA_SHEETS

    page.sheet_number_edit.clear()
    qtbot.keyClicks(page.sheet_number_edit, number.lower())
    qtbot.keyClick(page.sheet_number_edit, Qt.Key.Key_Return)
    assert window.current_area() == AREA_REFERRALS
    panel = window.referrals_page.open_panel
    assert window.referrals_page.tabs.currentWidget() is panel
    selected = panel.selected_referral()
    assert selected is not None and selected.referral_id == referral_id
    assert panel.update_box.isEnabled() and window.focusWidget() is panel.reply_edit
    assert page.sheet_number_edit.text() == ""
    type_text(panel.reply_edit, "受理しました")
    _click(qtbot, panel.save_button)
    [row] = [r for r in referral_service.referrals_of(db, clerk, selected.consultation_id)]
    assert row.last_reply == "受理しました"


def test_a_fax_referral_offers_its_cover_sheet_after_printing_and_the_cover_names_nobody(
        qtbot: QtBot, db: Database, clerk: StaffProfile, tmp_path: Path,
        open_page: Callable[[], SheetsPage]) -> None:
    referral_id = _referral(db, clerk, purpose=None)  # anonymised, as a FAX referral goes
    with db.transaction() as session:  # the method as the record form would have saved it
        session.get(Referral, referral_id).method = ReferralMethod.FAX.value
    page = open_page()
    page.select_referral(referral_id)
    assert page.fax_cover_button.isEnabled() and page.fax_cover_button.font().bold()

    def to_file(printer: QPrinter) -> bool:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "printed.pdf"))
        return True

    page.choose_printer = to_file
    _click(qtbot, page.print_button)
    dialog = page.fax_cover_button.dialog  # offered by itself once the sheet is printed
    assert dialog is not None and dialog.isVisible()
    assert dialog.preview.page_count() == 1
    dialog.choose_save_path = lambda name: str(tmp_path / name)
    _click(qtbot, dialog.save_button)
    saved = tmp_path / f"{sheet_service.fax_cover_name(referral_id)}.pdf"
    text = _text(saved.read_bytes())
    assert "3枚（この送付状を含む）" in text and DESTINATION in text
    assert NAME not in text and "やまだ" not in text and "仕事" not in text
    assert "fax_cover_print" in [e.action for e in audit.recent(db, 5)]
    dialog.close()
