"""Every window and dialog fits the office PC: a 1366×768 screen less the taskbar (1366×728).

The screen is the office one (``window_layout.available_area`` answers 1366×728 whatever the test
machine has). Each window is built with demo data, shown, and must fit with its frame; every
visible button must lie inside it (保存, 印刷 and 閉じる were once below the screen's edge).
Every QDialog subclass under ``setacare_desktop.ui`` is found by walking the package: a new
dialog without a way to build it here fails :func:`test_every_dialog_class_is_measured`.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

import setacare_desktop.ui as ui_package
from setacare_desktop.domain.consent import Purpose
from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.domain.referral import ReferralMethod
from setacare_desktop.domain.stats import Period
from setacare_desktop.services import Database, StaffProfile, auth, demo
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services import referrals as referral_service
from setacare_desktop.services import sheets as sheet_service
from setacare_desktop.services import stats as stats_service
from setacare_desktop.services.package.contents import open_package
from setacare_desktop.services.package.exporting import export_package
from setacare_desktop.services.package.source import PackageReviewSource
from setacare_desktop.services.referrals import NewReferral
from setacare_desktop.store.models import Consultation, DirService
from setacare_desktop.ui import application, window_layout
from setacare_desktop.ui.add_staff_dialog import AddStaffDialog
from setacare_desktop.ui.directory.import_dialog import DirectoryImportDialog
from setacare_desktop.ui.directory.place_editor import PlaceEditorDialog
from setacare_desktop.ui.first_admin_dialog import FirstAdminDialog
from setacare_desktop.ui.intake.drafts_dialog import DraftsDialog
from setacare_desktop.ui.intake.emergency_dialog import EmergencyDialog
from setacare_desktop.ui.intake.masked_view import MaskedCaseDialog
from setacare_desktop.ui.intake.withdraw_dialog import WithdrawDialog
from setacare_desktop.ui.login_dialog import LoginDialog
from setacare_desktop.ui.main_window import AREA_SHEETS, MainWindow
from setacare_desktop.ui.page import Page
from setacare_desktop.ui.pdf_dialog import PdfDialog
from setacare_desktop.ui.referrals.consent_dialog import ConsentDialog
from setacare_desktop.ui.referrals.edit_dialog import DirectoryEditDialog
from setacare_desktop.ui.review.offline import OfflineWindow, PackagePassphraseDialog
from setacare_desktop.ui.review.package_dialogs import ExportPackageDialog, ImportPackageDialog
from setacare_desktop.ui.sheets.printout import PrintoutDialog
from setacare_desktop.ui.stats.compare import ComparePeriodDialog

pytestmark = pytest.mark.gui

OFFICE = QRect(0, 0, 1366, 728)
DEMO_PASSWORD = "demo-pass-2026"
PASSPHRASE = "ikejiri-review-2026"
LOGINS = {
    "受付": "demo-ikejiri-anshin-counter",
    "相談員": "demo-ikejiri-anshin-consultant",
    "監督者": "demo-ikejiri-supervisor",
    "管理者": "demo-admin",
}


@pytest.fixture
def office_screen(monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> Iterator[QRect]:
    """The office screen, and the program's Japanese font (text is measured as it is drawn)."""
    monkeypatch.setattr(window_layout, "available_area", lambda _widget=None: QRect(OFFICE))
    font = qapp.font()
    assert application.install_japanese_font() is not None
    yield OFFICE
    qapp.setFont(font)


@dataclass
class World:
    db: Database
    staff: dict[str, StaffProfile]
    case_id: int  # the counter clerk's own case, with a consent
    person_id: int


@pytest.fixture
def world(db: Database) -> World:
    demo.generate(db, cases=120, days=3, seed=5,
                  today=DEMO_DAY)  # the same data whatever the day and hour the test runs
    staff = {role: auth.login(db, login, DEMO_PASSWORD) for role, login in LOGINS.items()}
    clerk = staff["受付"]
    recipient = intake_service.consent_recipients(db, "ikejiri")[1]
    saved = intake_service.record_intake(db, clerk, IntakeInput(
        received_at=f"{date.today():%Y-%m-%d} 10:00", channel="電話", consulter_kind="本人",
        main_complaint="一人暮らしの母の物忘れが心配で、介護保険の申請と見守りについて相談したい",
        target_groups=["高齢者"], consents=[ConsentInput(recipient.key)],
        person=PersonInput(name="世田谷 花子", reading="せたがや はなこ", phone="03-1234-5678")))
    assert saved.person_id is not None
    intake_service.save_draft(db, clerk, IntakeInput(
        received_at=f"{date.today():%Y-%m-%d} 11:00", channel="来所", consulter_kind="家族",
        main_complaint="書きかけの相談（父の通院の付き添いについて）", target_groups=["高齢者"]))
    with db.read() as session:  # the longest destination's name: the widest sheet label
        longest = session.scalar(select(DirService.id).order_by(
            func.length(DirService.name).desc(), DirService.id).limit(1))
    assert longest is not None
    referral_service.create_referral(db, clerk, saved.consultation_id, NewReferral(
        longest, ReferralMethod.POST, "見守りと介護保険の申請の支援をお願いします", anonymised=True,
        anonymised_summary="80歳代の女性。物忘れがあり、介護保険の申請と見守りの相談。"))
    return World(db, staff, saved.consultation_id, saved.person_id)


#: A fixed working day for the demo data (with ``now`` it would be cut at the current hour).
DEMO_DAY = date(2026, 11, 24)


def _masked_case_id(world: World) -> int:
    """A consultation the counter clerk sees masked (another organisation's, no consent)."""
    clerk = world.staff["受付"]
    with world.db.read() as session:
        ids = session.scalars(select(Consultation.id).where(
            Consultation.district_code == "ikejiri",
            Consultation.organisation_id != clerk.organisation_id)).all()
    for consultation_id in ids:
        if not intake_service.case_access(world.db, clerk, consultation_id).identifying:
            return consultation_id
    raise AssertionError("the demo data has no consultation the clerk sees masked")


def _service_id(world: World) -> int:
    with world.db.read() as session:
        service_id = session.scalar(select(DirService.id).order_by(DirService.id).limit(1))
    assert service_id is not None
    return service_id


def _day_list(world: World) -> bytes:
    return sheet_service.preview_day_list(world.db, world.staff["監督者"], date.today(), "ikejiri")


def _stats_pdf(world: World) -> bytes:
    report = stats_service.compute(world.db, world.staff["監督者"], Period.day(date.today()))
    return stats_service.report_pdf(report)


Build = Callable[[World, Path], QDialog]

#: How each dialog is built, with demo data (several builds where a dialog shows different
#: documents). Keyed by class; every QDialog subclass of the package must be here.
DIALOGS: dict[type[QDialog], list[tuple[str, Build]]] = {
    PdfDialog: [
        ("相談受付一覧", lambda w, _t: PdfDialog("相談受付一覧", _day_list(w), "list.pdf")),
        ("統計レポート", lambda w, _t: PdfDialog("統計レポート", _stats_pdf(w), "stats.pdf")),
    ],
    PrintoutDialog: [("相談受付票", lambda w, _t: PrintoutDialog(
        "相談受付票", sheet_service.preview_intake_record(w.db, w.staff["受付"], w.case_id),
        "record.pdf", record=lambda _deliver: b""))],
    LoginDialog: [("ログイン", lambda w, _t: LoginDialog(w.db, ""))],
    FirstAdminDialog: [("最初の管理者", lambda w, _t: FirstAdminDialog(w.db))],
    AddStaffDialog: [("職員を追加", lambda w, _t: AddStaffDialog(w.db, w.staff["管理者"]))],
    ExportPackageDialog: [("日次パッケージの書き出し",
                           lambda w, _t: ExportPackageDialog(w.db, w.staff["監督者"]))],
    ImportPackageDialog: [("日次パッケージの取り込み",
                           lambda w, _t: ImportPackageDialog(w.db, w.staff["監督者"]))],
    PackagePassphraseDialog: [("パスフレーズ", lambda _w, t: PackagePassphraseDialog(
        t / "ikejiri.setacare-package"))],
    DraftsDialog: [("下書き", lambda w, _t: DraftsDialog(
        intake_service.list_drafts(w.db, w.staff["受付"])))],
    MaskedCaseDialog: [("非表示の相談", lambda w, _t: MaskedCaseDialog(
        intake_service.masked_case(w.db, w.staff["受付"], _masked_case_id(w))))],
    EmergencyDialog: [("緊急時の例外", lambda w, _t: EmergencyDialog(
        w.db, w.staff["受付"], w.case_id, intake_service.consent_recipients(w.db, "ikejiri")))],
    WithdrawDialog: [("同意の撤回", lambda w, _t: WithdrawDialog(
        w.db, w.staff["受付"], intake_service.consents_of(w.db, w.staff["受付"], w.person_id)[0]))],
    ConsentDialog: [("同意の確認", lambda _w, _t: ConsentDialog(
        "池尻あんしんすこやかセンター", Purpose.SHARE,
        "本人の同意が記録されていません。つなぐ前に本人（または代理人）の同意を確認してください。",
        refusal_id=None, submit=lambda _choice: None))],
    DirectoryEditDialog: [("つなぎ先の編集", lambda w, _t: DirectoryEditDialog(
        w.db, w.staff["管理者"], _service_id(w)))],
    PlaceEditorDialog: [("機関・場所の編集", lambda w, _t: PlaceEditorDialog(
        w.db, w.staff["管理者"], _service_id(w)))],
    DirectoryImportDialog: [("つなぎ先の取り込み", lambda w, _t: DirectoryImportDialog(
        w.db, w.staff["管理者"]))],
    ComparePeriodDialog: [("期間の比較", lambda _w, _t: ComparePeriodDialog(
        Period.day(date.today())))],
}


def dialog_classes() -> set[type[QDialog]]:
    """Every QDialog subclass defined under ``setacare_desktop.ui``."""
    found: set[type[QDialog]] = set()
    for module_info in pkgutil.walk_packages(ui_package.__path__, f"{ui_package.__name__}."):
        module = importlib.import_module(module_info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if (issubclass(value, QDialog) and value.__module__ == module.__name__
                    and value.__module__.startswith(ui_package.__name__)):
                found.add(value)
    return found


def _scrolled(widget: QWidget) -> bool:
    """Inside a scroll area (reached by scrolling, not by the window's size)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def assert_fits(qtbot: QtBot, widget: QWidget, what: str) -> None:
    """Shown at its own size, ``widget`` and its frame fit the office screen, and so do all its
    visible buttons."""
    qtbot.addWidget(widget)
    widget.show()
    QApplication.processEvents()
    room = QSize(OFFICE.width() - window_layout.FRAME_ALLOWANCE.width(),
                 OFFICE.height() - window_layout.FRAME_ALLOWANCE.height())
    for size, kind in ((widget.size(), "size"), (widget.minimumSizeHint(), "minimum")):
        assert size.width() <= room.width() and size.height() <= room.height(), (
            f"{what}: {kind} {size.width()}×{size.height()} does not fit "
            f"{room.width()}×{room.height()}")
    inside = widget.rect()
    for button in widget.findChildren(QAbstractButton):
        if button.isVisibleTo(widget) and button.window() is widget and not _scrolled(button):
            place = QRect(button.mapTo(widget, button.rect().topLeft()), button.size())
            assert inside.contains(place), f"{what}: 「{button.text()}」 is outside the window"


def test_every_dialog_class_is_measured() -> None:
    missing = {c.__qualname__ for c in dialog_classes()} - {c.__qualname__ for c in DIALOGS}
    assert not missing, f"dialogs without a build in DIALOGS: {sorted(missing)}"


@pytest.fixture
def built(qtbot: QtBot, world: World, office_screen: QRect, tmp_path: Path
          ) -> Iterator[Callable[[Build], QDialog]]:
    made: list[QDialog] = []

    def build(make: Build) -> QDialog:
        dialog = make(world, tmp_path)
        made.append(dialog)
        return dialog

    yield build
    for dialog in made:
        dialog.hide()


@pytest.mark.parametrize(("kind", "label"), [
    (kind, label) for kind, builds in DIALOGS.items() for label, _build in builds],
    ids=lambda value: value.__name__ if isinstance(value, type) else str(value))
def test_dialog_fits_the_office_screen(qtbot: QtBot, built: Callable[[Build], QDialog],
                                       kind: type[QDialog], label: str) -> None:
    make = dict(DIALOGS[kind])[label]
    dialog = built(make)
    assert type(dialog) is kind
    assert_fits(qtbot, dialog, f"{kind.__name__}（{label}）")


def test_the_print_dialog_shows_its_buttons_and_the_page_fitted_to_the_width(
        qtbot: QtBot, built: Callable[[Build], QDialog]) -> None:
    dialog = built(DIALOGS[PrintoutDialog][0][1])
    assert isinstance(dialog, PrintoutDialog)
    assert_fits(qtbot, dialog, "相談受付票")
    for button in (dialog.save_button, dialog.print_button, dialog.close_button):
        assert button.isVisible()
    # Fit to width: the page fills the view's width, with no sideways scrolling.
    scroll = dialog.preview.scroll
    assert not scroll.horizontalScrollBar().isVisible()
    page_width = dialog.preview.image().width()
    assert scroll.viewport().width() - 40 <= page_width <= scroll.viewport().width()


@pytest.mark.parametrize("role", list(LOGINS))
def test_main_window_fits_for_each_role_and_nothing_widens_it(
        qtbot: QtBot, world: World, office_screen: QRect, role: str) -> None:
    window = MainWindow(world.db, world.staff[role])
    qtbot.addWidget(window)
    window.setWindowState(window.windowState() & ~window.windowState())  # not maximised
    window.resize(OFFICE.width() - window_layout.FRAME_ALLOWANCE.width(),
                  OFFICE.height() - window_layout.FRAME_ALLOWANCE.height())
    window.show()
    width = window.width()
    # A page of an area the role does not have is not drawn over the menus.
    stray = [type(child).__name__ for child in window.findChildren(Page)
             if child.isVisible() and not window.stack.isAncestorOf(child)]
    assert stray == []
    for area in window.areas:
        window.show_area(area)
        assert_fits(qtbot, window, f"{role}のメインウィンドウ（{area}）")
    if AREA_SHEETS in window.areas:  # a liaison sheet's preview once widened the window
        window.show_area(AREA_SHEETS)
        QApplication.processEvents()
        narrowest = window.minimumSizeHint().width()
        page = window.sheets_page
        assert page is not None and page.model.rowCount() > 0
        rows = [page.model.row_at(i) for i in range(page.model.rowCount())]
        own = [i for i, row in enumerate(rows) if row.consultation_id == world.case_id]
        page.table.selectRow(own[0] if own else 0)  # the clerk's own referral when listed
        shown = page.show_preview()
        assert shown or role != "受付"  # the clerk's own sheet (others may be refused)
        assert_fits(qtbot, window, f"{role}のメインウィンドウ（連携シートのプレビュー）")
        assert window.minimumSizeHint().width() <= narrowest
    assert window.width() == width
    window.idle_lock.lock_now()
    assert_fits(qtbot, window, f"{role}のロック画面")
    assert window.width() == width
    window.leave()


def test_qt_standard_buttons_speak_japanese(qtbot: QtBot) -> None:
    application.application()  # the program's set-up, translations included
    box = QMessageBox(QMessageBox.Icon.Question, "確認", "続けますか？",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                      | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    texts = {button.text().replace("&", "").split("(")[0] for button in box.buttons()}
    assert texts == {"はい", "いいえ", "キャンセル"}


def test_the_offline_review_window_fits(qtbot: QtBot, world: World, office_screen: QRect,
                                        tmp_path: Path) -> None:
    supervisor = world.staff["監督者"]
    path = tmp_path / "ikejiri.setacare-pkg"
    today = date.today()
    export_package(world.db, supervisor, today, today, "ikejiri", PASSPHRASE,
                   password=DEMO_PASSWORD, scrypt_n=2**4, wrap_n=2**4,
                   deliver=path.write_bytes)
    package = open_package(path.read_bytes(), PASSPHRASE)
    reviewer = package.login(supervisor.login, DEMO_PASSWORD)
    window = OfflineWindow(PackageReviewSource(package, reviewer, path, PASSPHRASE), path)
    window.resize(OFFICE.width() - window_layout.FRAME_ALLOWANCE.width(),
                  OFFICE.height() - window_layout.FRAME_ALLOWANCE.height())
    assert_fits(qtbot, window, "日次パッケージの確認（オフライン）")
