"""The main window: menus, the navigation between work areas, and the status bar.

受付 holds the intake form (``ui.intake.IntakePage``); a consultation chosen in 本日の相談,
検索 or the form's own duplicate panel opens there, and each save refreshes 本日の相談.
つなぎ先 (``ui.referrals.ReferralsPage``) suggests destinations for the consultation open in 受付
(its 「つなぎ先を探す」 button) and tracks the district's open referrals.
連携シート (``ui.sheets.SheetsPage``) previews, saves and prints the liaison sheets; a returned
sheet's number entered there opens the referral's reply form in つなぎ先.
確認・統計 (``ui.review.ReviewArea``) is the supervisor's: the day's review with sign-off, and the
statistics; a consultation opened from the review opens in 受付.
操作記録 (``ui.audit.AuditPage``) lists the audit trail for supervisors and administrators; the
trail's hash chain is checked in the background after login (``ui.audit.check_at_start``).
The navigation (and Ctrl+1…) lists only the areas the role may use (``AREA_ROLES``). The window
opens maximised the first time, then as it was left (``ui.window_layout``).
Closing the window, ログアウト and ユーザーの切り替え ask first while the form holds unsaved
input (its draft stays in the database either way).
The idle lock (``ui.idle_lock``) hides the work behind a lock screen after the administrator's idle
time or on 画面をロック (Ctrl+L); another staff member logging in there replaces the window
(``switched_at_lock``).
"""

from __future__ import annotations

from collections.abc import Callable

import PySide6
from PySide6.QtCore import Qt, Signal, qVersion
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from setacare_desktop import __version__
from setacare_desktop.domain.roles import CASE_ROLES, Role, place_label
from setacare_desktop.services import Database, ServiceError, StaffProfile, sheets
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services.review import DatabaseReviewSource
from setacare_desktop.ui import backup_reminder
from setacare_desktop.ui.admin_page import AdminPage
from setacare_desktop.ui.audit import AuditPage, check_at_start
from setacare_desktop.ui.followups.areas import area_pages, connect_areas
from setacare_desktop.ui.idle_lock import IdleLock
from setacare_desktop.ui.intake import IntakePage
from setacare_desktop.ui.navigation import (  # names the tests and pages import from here too
    AREA_ADMIN,
    AREA_AUDIT,
    AREA_FOLLOWUPS,
    AREA_INTAKE,
    AREA_PERSON,
    AREA_REFERRALS,
    AREA_REVIEW,
    AREA_SHEETS,
    AREA_TODAY,
    visible_areas,
)
from setacare_desktop.ui.page import NoticePage, Page
from setacare_desktop.ui.referrals import ReferralsPage
from setacare_desktop.ui.review.area import ReviewArea
from setacare_desktop.ui.review.package_dialogs import ExportPackageDialog, ImportPackageDialog
from setacare_desktop.ui.review.page import ReviewPage
from setacare_desktop.ui.sheets import SheetsPage
from setacare_desktop.ui.stats.page import StatsPage
from setacare_desktop.ui.today_page import TodayPage
from setacare_desktop.ui.window_layout import WindowLayout

WINDOW_TITLE = "SetaCare Desktop"
#: Room for the database's address in the status bar, in characters of average width (a longer
#: one is cut in the middle, whole in its tooltip), so that a long path never widens the window.
DATABASE_CHARS = 60

NO_REVIEW = ("確認は、監督者が一日の相談を確認し、日次確認を記録する画面です。"
             "このアカウント（{role}）では確認できません。")
NO_STATS = ("統計は、監督者と管理者が相談件数を集計する画面です。"
            "このアカウント（{role}）では表示できません。")

UNSAVED_QUESTION = "保存していない入力があります。破棄しますか？"
UNSAVED_DETAIL = "入力中の内容は下書きとして残ります。次に受付を開いたときに復元できます。"
DISCARD_AND_CLOSE = "保存しないで閉じる"
CANCEL = "キャンセル"


class MainWindow(QMainWindow):
    """One logged-in staff member's window.

    The window does not end the session itself: it asks (``logout_requested``,
    ``switch_user_requested``, ``closed``) and the application's session controller logs out.
    """

    logout_requested = Signal()
    switch_user_requested = Signal()
    #: The user closed the window (終了 or the window's close button).
    closed = Signal()
    #: Another staff member logged in at the lock screen (their StaffProfile); this one was
    #: logged out there, their unsaved input kept as their draft.
    switched_at_lock = Signal(object)

    def __init__(self, db: Database, profile: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.profile = profile
        self._leaving = False
        self.setWindowTitle(WINDOW_TITLE)

        # Menus
        file_menu = self.menuBar().addMenu("ファイル(&F)")
        self.lock_action = QAction("画面をロック(&K)", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.logout_action = QAction("ログアウト(&L)", self)
        self.switch_user_action = QAction("ユーザーの切り替え(&U)…", self)
        self.quit_action = QAction("終了(&X)", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        #: The offline day package (supervisors only): export for review elsewhere, import back.
        self.export_package_action = QAction("日次パッケージを書き出す(&E)…", self)
        self.import_package_action = QAction("日次パッケージを取り込む(&I)…", self)
        if profile.role is Role.SUPERVISOR:
            file_menu.addAction(self.export_package_action)
            file_menu.addAction(self.import_package_action)
            file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.logout_action)
        file_menu.addAction(self.switch_user_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = self.menuBar().addMenu("表示(&V)")
        #: The areas this staff member may use, in the navigation's order.
        self.areas: tuple[str, ...] = visible_areas(profile)
        #: Ctrl+1 … Ctrl+n: one action per area shown, in the navigation's order.
        self.area_actions: dict[str, QAction] = {}
        for number, area in enumerate(self.areas, start=1):
            action = QAction(area, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, a=area: self.show_area(a))
            view_menu.addAction(action)
            self.area_actions[area] = action
        help_menu = self.menuBar().addMenu("ヘルプ(&H)")
        self.about_action = QAction("バージョン情報(&A)", self)
        help_menu.addAction(self.about_action)

        # Navigation and pages
        self.navigation = QListWidget(self)
        self.navigation.addItems(list(self.areas))
        self.navigation.setAccessibleName("業務の切り替え")
        self.navigation.setSpacing(4)
        self.navigation.setFixedWidth(self.fontMetrics().horizontalAdvance("あ") * 8)
        self.stack = QStackedWidget(self)
        self.today_page = TodayPage(db, profile, self)
        self.admin_page = AdminPage(db, profile, self)
        #: The intake form; None for an account without a case role (an administrator).
        self.intake_page: IntakePage | None = (
            IntakePage(db, profile, self) if profile.role in CASE_ROLES else None)
        #: The referrals page; None for an account without a case role.
        self.referrals_page: ReferralsPage | None = (
            ReferralsPage(db, profile, self) if profile.role in CASE_ROLES else None)
        #: The liaison sheets page; None for an account without a case role.
        self.sheets_page: SheetsPage | None = (
            SheetsPage(db, profile, self) if profile.role in CASE_ROLES else None)
        #: The review; None unless a supervisor.
        self.review_page: ReviewPage | None = None
        if profile.role is Role.SUPERVISOR:
            self.review_page = ReviewPage(
                DatabaseReviewSource(db, profile), self,
                print_day=lambda day, district: sheets.preview_day_list(db, profile, day, district),
                record_day=lambda day, district, deliver: sheets.print_day_list(
                    db, profile, day, district, deliver))
        self.review_area = ReviewArea(
            self.review_page or NoticePage("確認", NO_REVIEW.format(role=profile.role.label), self),
            self._stats_page(db, profile), self)
        #: Asks whether to leave although the intake form holds unsaved input (the action's
        #: title) → leave? Tests may replace it; the default is a message box.
        self.confirm_discard: Callable[[str], bool] = self._ask_discard
        #: 相談者 and やること (ui.followups.areas), for the roles that work on cases.
        self._extra_pages = (area_pages(self, db, profile) if profile.role in CASE_ROLES
                             else {})
        self.pages: dict[str, Page] = {area: self._area_page(area) for area in self.areas}
        for page in self.pages.values():
            self.stack.addWidget(page)
        for unused in (self.today_page, self.admin_page, self.review_area):
            if unused not in self.pages.values():  # an area this role does not have
                unused.hide()
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        # Status bar: who, where, which database — always visible
        self.user_label = QLabel(f"{profile.name}（{profile.role.label}）", self)
        self.organisation_label = QLabel(profile.organisation_name, self)
        self.place_label = QLabel(place_label(profile), self)
        self.database_label = QLabel(f"データベース: {db.url}", self)
        for number, label in enumerate((self.user_label, self.organisation_label,
                                         self.place_label, self.database_label)):
            if number:
                separator = QFrame(self)
                separator.setFrameShape(QFrame.Shape.VLine)
                separator.setFrameShadow(QFrame.Shadow.Sunken)
                self.statusBar().addPermanentWidget(separator)
            label.setContentsMargins(4, 0, 4, 0)
            self.statusBar().addPermanentWidget(label)
        # A long database path is cut in the status bar (whole in the tooltip), never widening
        # the window beyond the screen.
        self.database_label.setToolTip(db.url)
        self.database_label.setText(self.database_label.fontMetrics().elidedText(
            self.database_label.text(), Qt.TextElideMode.ElideMiddle,
            self.fontMetrics().averageCharWidth() * DATABASE_CHARS))

        #: Swaps the central widget for the lock screen when idle or on Ctrl+L.
        self.idle_lock = IdleLock(self, db, profile, keep_draft=self.keep_draft)

        self.layout_memory = WindowLayout(self, self.pages)
        self.layout_memory.restore()
        self._connect_signals()
        if self._extra_pages:
            connect_areas(self, self._extra_pages, db, profile)
        self.show_area(next((area for area in (AREA_TODAY, AREA_ADMIN) if area in self.areas),
                            self.areas[0]))
        #: The audit trail's hash chain, checked in the background after login.
        self.audit_check = check_at_start(self, db)
        #: A bar reminding administrators to back up the SQLite database (hidden otherwise).
        self.backup_reminder = backup_reminder.attach(self, db, profile)

    def _connect_signals(self) -> None:
        self.navigation.currentRowChanged.connect(self._area_selected)
        self.logout_action.triggered.connect(self._logout_triggered)
        self.switch_user_action.triggered.connect(self._switch_user_triggered)
        self.quit_action.triggered.connect(self.close)
        self.lock_action.triggered.connect(self.idle_lock.lock_now)
        self.idle_lock.switched.connect(self.switched_at_lock)
        self.admin_page.idle_lock_changed.connect(
            lambda minutes: self.idle_lock.set_interval(minutes * 60_000))
        self.about_action.triggered.connect(self.show_about)
        self.export_package_action.triggered.connect(self.export_package)
        self.import_package_action.triggered.connect(self.import_package)
        self.admin_page.status_message.connect(self._show_status)
        self.today_page.open_consultation.connect(self.open_consultation)
        if self.intake_page is not None:
            self.intake_page.status_message.connect(self._show_status)
            self.intake_page.saved.connect(self._consultation_saved)
            self.intake_page.open_consultation_requested.connect(self.open_consultation)
            self.intake_page.find_referrals_requested.connect(self.find_referrals)
        if self.referrals_page is not None:
            self.referrals_page.status_message.connect(self._show_status)
        if self.sheets_page is not None:
            self.sheets_page.status_message.connect(self._show_status)
            self.sheets_page.reply_requested.connect(self.open_referral_reply)
        if self.review_page is not None:
            self.review_page.status_message.connect(self._show_status)
            self.review_page.open_consultation.connect(self.open_consultation)

    def export_package(self) -> None:
        ExportPackageDialog(self._db, self.profile, self).exec()

    def import_package(self) -> None:
        ImportPackageDialog(self._db, self.profile, self).exec()
        if self.review_page is not None:
            self.review_page.reload()

    def _area_page(self, area: str) -> Page:
        """The page of an area this staff member may use (``AREA_ROLES``)."""
        pages: dict[str, Callable[[], Page | None]] = {
            AREA_INTAKE: lambda: self.intake_page,
            AREA_TODAY: lambda: self.today_page,
            AREA_REFERRALS: lambda: self.referrals_page,
            AREA_SHEETS: lambda: self.sheets_page,
            AREA_REVIEW: lambda: self.review_area,
            AREA_ADMIN: lambda: self.admin_page,
            AREA_AUDIT: lambda: AuditPage(self._db, self.profile, self),
            AREA_PERSON: lambda: self._extra_pages.get(AREA_PERSON),
            AREA_FOLLOWUPS: lambda: self._extra_pages.get(AREA_FOLLOWUPS),
        }
        page = pages[area]()
        assert page is not None, area  # AREA_ROLES gives the case areas to case roles only
        return page

    def _stats_page(self, db: Database, profile: StaffProfile) -> Page:
        if profile.role not in (Role.SUPERVISOR, Role.ADMINISTRATOR):
            return NoticePage("統計", NO_STATS.format(role=profile.role.label), self)
        return StatsPage(db, profile, self)

    def show_area(self, area: str) -> None:
        """Show ``area`` (ignored when this staff member does not see it)."""
        if area in self.areas:
            self.navigation.setCurrentRow(self.areas.index(area))

    def current_area(self) -> str:
        return self.areas[self.stack.currentIndex()]

    def _area_selected(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        self.pages[self.areas[row]].activate()

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)

    # --- the intake form ------------------------------------------------------------------

    def open_consultation(self, consultation_id: int) -> bool:
        """Show 受付 with the consultation loaded to read or amend; False if it was not opened
        (the user kept the form's input, or the consultation cannot be read)."""
        if self.intake_page is None:
            self._show_status("このアカウントでは相談を開けません")
            return False
        # Load first, then show: the page offers unfinished drafts when first shown idle, and
        # must not open that offer over the case being opened.
        opened = self.intake_page.open_case(consultation_id)
        if not self.intake_page.case.opened_masked:  # a masked record opens over this page
            self.show_area(AREA_INTAKE)
        return opened

    def find_referrals(self, consultation_id: int) -> bool:
        """Show つなぎ先 with the destinations suggested for the consultation."""
        if self.referrals_page is None:
            return False
        shown = self.referrals_page.show_consultation(consultation_id)
        self.show_area(AREA_REFERRALS)
        self.referrals_page.search_edit.setFocus()
        return shown

    def open_referral_reply(self, referral_id: int, district_code: str) -> bool:
        """Show つなぎ先 with the referral's reply form ready (a returned sheet's number)."""
        if self.referrals_page is None:
            return False
        self.show_area(AREA_REFERRALS)
        opened = self.referrals_page.open_reply(referral_id, district_code)
        if not opened:
            self._show_status("このつなぎは完了しているか、未完了の一覧にありません")
        return opened

    def _consultation_saved(self, consultation_id: int) -> None:
        self.today_page.refresh()

    def offer_drafts(self) -> bool:
        """After login: if the staff member has unfinished intakes (e.g. the program was killed),
        go to 受付 and offer them back (the dialog does not block). True when offered."""
        if self.intake_page is None:
            return False
        try:
            drafts = intake_service.list_drafts(self._db, self.profile)
        except ServiceError:
            return False
        if not drafts:
            return False
        self.show_area(AREA_INTAKE)  # the page offers its drafts when first shown
        dialog = self.intake_page.drafts_dialog
        if dialog is None or not dialog.isVisible():
            self.intake_page.offer_drafts()
        return True

    def has_unsaved_changes(self) -> bool:
        return self.intake_page is not None and self.intake_page.has_unsaved_changes()

    def may_leave(self, action: str) -> bool:
        """Before closing, logging out or switching user: True when nothing unsaved is on the
        intake form, or the user chose to leave it (it stays as a draft)."""
        if not self.has_unsaved_changes():
            return True
        if not self.confirm_discard(action):
            return False
        assert self.intake_page is not None
        self.intake_page.save_draft_now()  # whatever the autosave has not caught yet
        return True

    def keep_draft(self) -> bool:
        """Save the intake form's unsaved input as this staff member's draft now (before
        another staff member logs in at the lock screen); False if some of it is not saved."""
        if self.intake_page is None:
            return True
        self.intake_page.save_draft_now()
        return not self.intake_page.drafts.dirty

    def _ask_discard(self, action: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, f"{action} — 保存していない入力",
                          UNSAVED_QUESTION, QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText(UNSAVED_DETAIL)
        discard = box.button(QMessageBox.StandardButton.Discard)
        discard.setText(DISCARD_AND_CLOSE)
        box.button(QMessageBox.StandardButton.Cancel).setText(CANCEL)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is discard

    def _logout_triggered(self) -> None:
        if self.may_leave("ログアウト"):
            self.logout_requested.emit()

    def _switch_user_triggered(self) -> None:
        if self.may_leave("ユーザーの切り替え"):
            self.switch_user_requested.emit()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "バージョン情報",
            f"SetaCare Desktop {__version__}\n"
            "世田谷区 福祉の相談窓口\n\n"
            f"データベース: {self._db.url}\n"
            f"Qt {qVersion()} / PySide6 {PySide6.__version__}\n"
            "日本語フォント: IPAexゴシック（IPAフォントライセンスv1.0）",
        )

    def leave(self) -> None:
        """Close without emitting ``closed`` (the session controller is ending the session)."""
        self._leaving = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._leaving and self.idle_lock.locked:
            self.keep_draft()  # no question over the lock screen: the input stays a draft
        elif not self._leaving and not self.may_leave("終了"):
            event.ignore()
            return
        self.idle_lock.retire()
        self.layout_memory.save()
        super().closeEvent(event)
        if not self._leaving:
            self._leaving = True
            self.closed.emit()
