"""The main window: status bar, navigation, 本日の相談, 管理 and 職員を追加."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop import __version__
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.services import Database, StaffProfile, audit, staff
from setacare_desktop.ui.add_staff_dialog import AddStaffDialog
from setacare_desktop.ui.intake import IntakePage
from setacare_desktop.ui.main_window import (
    AREA_ADMIN,
    AREA_AUDIT,
    AREA_INTAKE,
    AREA_REFERRALS,
    AREA_REVIEW,
    AREA_SHEETS,
    AREA_TODAY,
    MainWindow,
)
from setacare_desktop.ui.page import NoticePage
from setacare_desktop.ui.referrals import ReferralsPage
from setacare_desktop.ui.sheets import SheetsPage
from setacare_desktop.ui.table_models import (
    COL_COMPLAINT,
    COL_DISTRICT,
    COL_TARGETS,
    COL_TIME,
    COL_URGENT,
    URGENT_MARK,
)

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
TypeText = Callable[[QWidget, str], None]  # the ``type_text`` fixture (tests/ui/conftest.py)
AddConsultation = Callable[..., int]  # the ``add_consultation`` fixture


@pytest.fixture
def open_window(qtbot: QtBot, db: Database) -> Callable[[StaffProfile], MainWindow]:
    def open_(profile: StaffProfile) -> MainWindow:
        window = MainWindow(db, profile)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return open_


@pytest.fixture
def admin(db: Database, staff_factory: MakeStaff) -> StaffProfile:
    return staff_factory(db, "admin", role="管理者", place="世田谷", org_kind="総合支所")


def _click_area(qtbot: QtBot, window: MainWindow, area: str) -> None:
    item = window.navigation.item(window.areas.index(area))
    rect = window.navigation.visualItemRect(item)
    qtbot.mouseClick(window.navigation.viewport(), Qt.MouseButton.LeftButton,
                     pos=rect.center())
    assert window.current_area() == area


def test_title_menus_and_status_bar(db: Database, staff_factory: MakeStaff,
                                    open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(staff_factory(db, "ikejiri1", role="相談員"))
    assert window.windowTitle() == "SetaCare Desktop"
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["ファイル(&F)", "表示(&V)", "ヘルプ(&H)"]
    view_actions = window.menuBar().actions()[1].menu().actions()
    assert [(a.text(), a.shortcut().toString()) for a in view_actions] == [
        ("受付", "Ctrl+1"), ("本日の相談", "Ctrl+2"), ("つなぎ先", "Ctrl+3"),
        ("連携シート", "Ctrl+4"), ("相談者", "Ctrl+5"), ("やること", "Ctrl+6")]
    file_actions = [a.text() for a in window.menuBar().actions()[0].menu().actions()
                    if not a.isSeparator()]
    assert file_actions == ["画面をロック(&K)", "ログアウト(&L)", "ユーザーの切り替え(&U)…",
                            "終了(&X)"]
    assert window.lock_action.shortcut().toString() == "Ctrl+L"
    assert window.user_label.text() == "ikejiri1 職員（相談員）"
    assert window.organisation_label.text() == "池尻まちづくりセンター"
    assert window.place_label.text() == "池尻地区"
    # A long address is cut in the middle (the whole of it in the tooltip).
    assert window.database_label.toolTip() == db.url
    shown = window.database_label.text()
    assert shown.startswith("データベース: sqlite:") and shown.endswith("setacare.db")
    assert db.url.startswith("sqlite:///")
    assert all(label.isVisible() for label in (
        window.user_label, window.organisation_label, window.place_label,
        window.database_label))


def test_area_staff_shows_the_area(db: Database, staff_factory: MakeStaff,
                                   open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(staff_factory(db, "sv", role="監督者", place="北沢",
                                       org_kind="総合支所"))
    assert window.place_label.text() == "北沢地域"
    assert window.organisation_label.text() == "北沢総合支所"
    assert window.today_page.scope_label.text() == "表示範囲: 北沢地域の6地区"


def test_each_role_sees_only_the_areas_it_may_use(
        db: Database, staff_factory: MakeStaff, admin: StaffProfile,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    def listed(window: MainWindow) -> list[str]:
        return [window.navigation.item(i).text() for i in range(window.navigation.count())]

    supervisor = open_window(staff_factory(db, "sv", role="監督者"))
    assert listed(supervisor) == ["受付", "本日の相談", "つなぎ先", "連携シート", "確認・統計",
                                  "操作記録", "相談者", "やること"]
    assert [a.shortcut().toString() for a in supervisor.area_actions.values()] == [
        f"Ctrl+{n}" for n in range(1, 9)]
    administrator = open_window(admin)
    assert listed(administrator) == ["確認・統計", "管理", "操作記録"]
    assert administrator.area_actions["操作記録"].shortcut().toString() == "Ctrl+3"
    # Nothing in the window tells a role about areas it does not have.
    for window in (supervisor, administrator):
        assert not any(isinstance(window.stack.widget(i), NoticePage)
                       for i in range(window.stack.count()))


def test_every_area_opens_its_page(qtbot: QtBot, db: Database, staff_factory: MakeStaff,
                                   open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(staff_factory(db, "ikejiri1"))
    assert [window.navigation.item(i).text() for i in range(window.navigation.count())] == [
        "受付", "本日の相談", "つなぎ先", "連携シート", "相談者", "やること"]
    window.show_area(AREA_AUDIT)  # not this clerk's: nothing happens
    window.show_area(AREA_REVIEW)
    assert window.current_area() == AREA_TODAY
    assert window.review_page is None
    _click_area(qtbot, window, AREA_SHEETS)
    assert window.stack.currentWidget() is window.sheets_page
    assert isinstance(window.sheets_page, SheetsPage)
    _click_area(qtbot, window, AREA_REFERRALS)
    assert window.stack.currentWidget() is window.referrals_page
    assert isinstance(window.referrals_page, ReferralsPage)
    _click_area(qtbot, window, AREA_INTAKE)
    assert window.stack.currentWidget() is window.intake_page
    assert isinstance(window.intake_page, IntakePage)


def test_today_lists_the_consultations_in_scope(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, add_consultation: AddConsultation,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    clerk = staff_factory(db, "ikejiri1")
    add_consultation(db, clerk.staff_id, at=time(9, 30), complaint="母の物忘れが心配")
    add_consultation(db, clerk.staff_id, at=time(11, 0), urgent=True,
                     complaint="食事がとれていない", targets=("elderly", "disability"))
    other = staff_factory(db, "daizawa1", place="代沢")
    add_consultation(db, other.staff_id, district="daizawa", complaint="他地区の相談")

    window = open_window(clerk)
    _click_area(qtbot, window, AREA_INTAKE)
    _click_area(qtbot, window, AREA_TODAY)
    page = window.today_page
    model = page.model
    assert page.body.currentWidget() is page.table
    assert model.rowCount() == 2
    assert [model.data(model.index(r, COL_COMPLAINT)) for r in range(2)] == [
        "母の物忘れが心配", "食事がとれていない"]
    assert model.data(model.index(0, COL_TIME)) == "09:30"
    assert model.data(model.index(0, COL_DISTRICT)) == "池尻"
    assert model.data(model.index(1, COL_URGENT)) == URGENT_MARK
    assert model.data(model.index(1, COL_TARGETS)) == "複合（高齢者、障害者）"
    assert page.summary_label.text() == "2件（うち緊急 1件）"
    assert page.scope_label.text() == "表示範囲: 池尻地区"
    assert audit.recent(db, 1)[0].action == "consultation_list"


def test_choosing_another_day(qtbot: QtBot, db: Database, staff_factory: MakeStaff,
                              add_consultation: AddConsultation,
                              open_window: Callable[[StaffProfile], MainWindow]) -> None:
    clerk = staff_factory(db, "ikejiri1")
    yesterday = local_now().date() - timedelta(days=1)
    add_consultation(db, clerk.staff_id, day=yesterday, complaint="昨日の相談")
    window = open_window(clerk)
    page = window.today_page
    assert page.model.rowCount() == 0
    assert page.summary_label.text() == "この日の相談はありません。"

    qtbot.mouseClick(page.previous_button, Qt.MouseButton.LeftButton)
    assert page.day() == yesterday
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.data(page.model.index(0, COL_COMPLAINT)) == "昨日の相談"
    assert page.wareki_label.text().startswith("令和")

    qtbot.mouseClick(page.today_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)


def test_administrator_has_no_case_areas(
        qtbot: QtBot, db: Database, admin: StaffProfile, add_consultation: AddConsultation,
        staff_factory: MakeStaff, open_window: Callable[[StaffProfile], MainWindow]) -> None:
    clerk = staff_factory(db, "ikejiri1")
    add_consultation(db, clerk.staff_id)
    window = open_window(admin)
    assert window.current_area() == AREA_ADMIN  # no case role: starts on 管理
    assert window.intake_page is None and window.referrals_page is None
    window.show_area(AREA_INTAKE)
    assert window.current_area() == AREA_ADMIN
    assert not window.offer_drafts()
    assert not window.open_consultation(1)
    _click_area(qtbot, window, AREA_AUDIT)
    assert window.current_area() == AREA_AUDIT


def test_non_managers_do_not_get_the_admin_page(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(staff_factory(db, "ikejiri1"))
    assert AREA_ADMIN not in window.areas
    assert "管理" not in [a.text() for a in window.menuBar().actions()[1].menu().actions()]
    window.show_area(AREA_ADMIN)
    assert window.current_area() == AREA_TODAY


def _fill_new_staff(qtbot: QtBot, type_text: TypeText, dialog: AddStaffDialog, *,
                    login: str = "daizawa2", name: str = "代沢 一郎",
                    password: str = "soudan-pass-1", confirm: str = "soudan-pass-1") -> None:
    type_text(dialog.login_edit, login)
    type_text(dialog.name_edit, name)
    qtbot.keyClick(dialog.role_combo, Qt.Key.Key_Down)  # 受付 → 相談員
    qtbot.keyClick(dialog.kind_combo, Qt.Key.Key_Down)  # → あんしんすこやかセンター
    dialog.place_combo.setFocus()
    for _ in range(dialog.place_combo.findText("代沢地区") - dialog.place_combo.currentIndex()):
        qtbot.keyClick(dialog.place_combo, Qt.Key.Key_Down)
    type_text(dialog.password_edit, password)
    type_text(dialog.confirm_edit, confirm)


def test_add_staff_creates_an_account(qtbot: QtBot, db: Database, admin: StaffProfile,
                                      type_text: TypeText,
                                      open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(admin)
    page = window.admin_page
    assert page.model.rowCount() == 1
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    dialog = page.add_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.place_combo.currentText() == "池尻地区"  # first district of 世田谷
    _fill_new_staff(qtbot, type_text, dialog)
    assert dialog.place_combo.currentText() == "代沢地区"
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)

    rows = {r.login: r for r in staff.list_staff(db, admin)}
    assert rows["daizawa2"].name == "代沢 一郎"
    assert rows["daizawa2"].role_label == "相談員"
    assert rows["daizawa2"].organisation_name == "代沢あんしんすこやかセンター"
    assert page.model.rowCount() == 2
    assert "daizawa2" in window.statusBar().currentMessage()
    created = audit.recent(db, 5)
    assert any(e.action == "staff_create" and e.login == "admin" for e in created)


def test_add_staff_problems_keep_what_was_typed(
        qtbot: QtBot, db: Database, admin: StaffProfile, type_text: TypeText,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(admin)
    dialog = window.admin_page.open_add_dialog()
    _fill_new_staff(qtbot, type_text, dialog, name="", password="short", confirm="short")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "氏名: 入力してください" in dialog.problems.text()
    assert "パスワード: 8文字以上にしてください" in dialog.problems.text()
    assert dialog.login_edit.text() == "daizawa2"
    assert dialog.role_combo.currentText() == "相談員"
    assert dialog.place_combo.currentText() == "代沢地区"
    assert dialog.focusWidget() is dialog.name_edit

    dialog.confirm_edit.clear()
    type_text(dialog.confirm_edit, "other")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "パスワード（確認）: パスワードと一致しません" in dialog.problems.text()
    assert len(staff.list_staff(db, admin)) == 1


def test_add_staff_place_follows_the_kind(qtbot: QtBot, db: Database, admin: StaffProfile,
                                          open_window: Callable[[StaffProfile], MainWindow]
                                          ) -> None:
    window = open_window(admin)
    dialog = window.admin_page.open_add_dialog()
    dialog.place_combo.setCurrentIndex(dialog.place_combo.findText("上馬地区"))
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findText("総合支所"))
    assert dialog.place_label.text() == "地域(&A)"
    assert dialog.place_combo.currentText() == "世田谷総合支所"
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findText("児童館"))
    assert dialog.place_combo.currentText() == "上馬地区"  # the earlier choice is kept
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findText("管理者"))
    assert dialog.manage_check.isChecked() and not dialog.manage_check.isEnabled()
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findText("受付"))
    assert not dialog.manage_check.isChecked() and dialog.manage_check.isEnabled()


def test_menu_actions_ask_the_session_to_end(qtbot: QtBot, db: Database,
                                             staff_factory: MakeStaff,
                                             open_window: Callable[[StaffProfile], MainWindow]
                                             ) -> None:
    window = open_window(staff_factory(db, "ikejiri1"))
    with qtbot.waitSignal(window.logout_requested):
        window.logout_action.trigger()
    with qtbot.waitSignal(window.switch_user_requested):
        window.switch_user_action.trigger()
    with qtbot.waitSignal(window.closed):
        window.quit_action.trigger()
    assert not window.isVisible()


def test_about_box_names_the_version_and_database(
        db: Database, staff_factory: MakeStaff, answer_message_box: Callable[..., list[str]],
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(staff_factory(db, "ikejiri1"))
    seen = answer_message_box()
    window.about_action.trigger()
    assert seen and f"SetaCare Desktop {__version__}" in seen[0] and db.url in seen[0]
