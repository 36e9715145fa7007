"""The main window with the intake form: opening a consultation from 本日の相談 and 検索, the
list refreshed after a save, drafts offered after login, asking before leaving unsaved input,
and Ctrl+1…6."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import time

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.services import Database, StaffProfile
from setacare_desktop.services import intake as intake_service
from setacare_desktop.ui.application import SessionController
from setacare_desktop.ui.main_window import (
    AREA_ADMIN,
    AREA_INTAKE,
    AREA_REFERRALS,
    AREA_TODAY,
    CANCEL,
    DISCARD_AND_CLOSE,
    UNSAVED_DETAIL,
    UNSAVED_QUESTION,
    MainWindow,
)
from setacare_desktop.ui.table_models import COL_COMPLAINT, SEARCH_COL_COMPLAINT

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
TypeText = Callable[[QWidget, str], None]  # tests/ui/conftest.py
RecordCase = Callable[..., int]
DoubleClick = Callable[[QWidget, QPoint], None]
AnswerMessageBox = Callable[..., list[str]]
PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD


class Asked:
    """Stands in for the window's 「保存していない入力があります」 question."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.actions: list[str] = []

    def __call__(self, action: str) -> bool:
        self.actions.append(action)
        return self.answer


class NoQuestions:
    """Stands in for the intake page's own questions (none expected in these tests)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def confirm(self, _title: str, text: str) -> bool:
        self.asked.append(text)
        return True

    def inform(self, _title: str, text: str) -> None:
        self.asked.append(text)


@pytest.fixture
def clerk(db: Database, staff_factory: MakeStaff) -> StaffProfile:
    return staff_factory(db, "ikejiri1", role="相談員")


@pytest.fixture
def open_window(qtbot: QtBot, db: Database) -> Callable[[StaffProfile], MainWindow]:
    def open_(profile: StaffProfile) -> MainWindow:
        window = MainWindow(db, profile)
        qtbot.addWidget(window)
        if window.intake_page is not None:
            questions = NoQuestions()
            window.intake_page.confirm = questions.confirm
            window.intake_page.inform = questions.inform
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
        return window

    return open_


def _type_into_the_form(qtbot: QtBot, window: MainWindow, type_text: TypeText) -> None:
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_area() == AREA_INTAKE
    page = window.intake_page
    assert page is not None
    type_text(page.complaint_edit, "書きかけの主訴")
    assert window.has_unsaved_changes()


def test_ctrl_number_switches_the_work_area(
        qtbot: QtBot, clerk: StaffProfile, open_window: Callable[[StaffProfile], MainWindow]
        ) -> None:
    window = open_window(clerk)
    assert window.current_area() == AREA_TODAY
    for number, area in reversed(list(enumerate(window.areas, start=1))):
        qtbot.keyClick(window.navigation, getattr(Qt.Key, f"Key_{number}"),
                       Qt.KeyboardModifier.ControlModifier)
        assert window.current_area() == area
        assert window.navigation.currentRow() == number - 1
    assert window.current_area() == AREA_INTAKE


def test_double_click_in_the_day_list_opens_the_case_and_a_save_refreshes_it(
        qtbot: QtBot, db: Database, clerk: StaffProfile, record_case: RecordCase,
        type_text: TypeText, double_click: DoubleClick,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    record_case(db, clerk, "最初の相談", name="池尻 一郎", at=time(9, 0))
    wanted = record_case(db, clerk, "母の物忘れ", name="池尻 花子", at=time(10, 0))
    window = open_window(clerk)
    today = window.today_page
    table = today.table
    assert today.proxy.rowCount() == 2
    rect = table.visualRect(today.proxy.index(1, COL_COMPLAINT))
    double_click(table.viewport(), rect.center())

    intake = window.intake_page
    assert intake is not None
    assert window.current_area() == AREA_INTAKE
    assert intake.case_id == wanted
    assert intake.complaint_edit.text() == "母の物忘れ"
    assert not window.has_unsaved_changes()

    intake.complaint_edit.selectAll()
    type_text(intake.complaint_edit, "母の物忘れと転倒")
    with qtbot.waitSignal(intake.saved) as saved:
        qtbot.keyClick(intake.complaint_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [wanted]
    assert "修正" in window.statusBar().currentMessage()
    model = today.model
    assert [model.data(model.index(r, COL_COMPLAINT)) for r in range(2)] == [
        "最初の相談", "母の物忘れと転倒"]  # refreshed without pressing 更新


def test_opening_a_case_first_does_not_offer_drafts_over_it(
        qtbot: QtBot, db: Database, clerk: StaffProfile, record_case: RecordCase,
        double_click: DoubleClick, open_window: Callable[[StaffProfile], MainWindow]) -> None:
    wanted = record_case(db, clerk, "母の物忘れ", name="池尻 花子")
    window = open_window(clerk)
    # A draft this session has not offered yet (e.g. saved by another instance meanwhile).
    intake_service.save_draft(db, clerk, IntakeInput(main_complaint="別の端末の下書き"))
    today = window.today_page
    double_click(today.table.viewport(),
                 today.table.visualRect(today.proxy.index(0, COL_COMPLAINT)).center())
    intake = window.intake_page
    assert intake is not None
    assert window.current_area() == AREA_INTAKE and intake.case_id == wanted
    assert intake.drafts_dialog is None  # not opened over the case

    # Done with the case: the next time 受付 is shown idle, the draft is offered.
    assert intake.new_intake()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    dialog = intake.drafts_dialog
    assert dialog is not None and dialog.isVisible()
    assert [r.data.main_complaint for r in dialog.rows] == ["別の端末の下書き"]
    dialog.close()


def test_a_recent_consultation_in_the_duplicate_panel_opens_after_asking(
        qtbot: QtBot, db: Database, clerk: StaffProfile, record_case: RecordCase,
        type_text: TypeText, open_window: Callable[[StaffProfile], MainWindow]) -> None:
    wanted = record_case(db, clerk, "母の物忘れ", name="池尻 花子", reading="いけじり はなこ",
                         phone="03-1234-5678")
    window = open_window(clerk)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    intake = window.intake_page
    assert intake is not None
    answers: list[str] = []
    replies = [False, True]
    intake.confirm = lambda _title, text: answers.append(text) or replies.pop(0)
    panel = intake.duplicate_panel
    type_text(intake.name_edit, "池尻花子")
    qtbot.waitUntil(lambda: bool(panel.candidates), timeout=2000)
    assert "電話 **-****-5678" in panel.list.item(0).text()
    panel.recent_list.setFocus()
    qtbot.keyClick(panel.recent_list, Qt.Key.Key_Return)

    # Something is typed: asked first; 「いいえ」 keeps the form as it is.
    assert len(answers) == 1 and f"相談No. {wanted}を開きます" in answers[0]
    assert intake.case_id is None and intake.name_edit.text() == "池尻花子"

    panel.open_button.click()  # 「はい」: the typed input stays as a draft, the case opens
    assert len(answers) == 2
    assert window.current_area() == AREA_INTAKE
    assert intake.case_id == wanted and intake.complaint_edit.text() == "母の物忘れ"
    assert intake.drafts_dialog is None
    assert [d.data.person.name for d in intake_service.list_drafts(db, clerk)] == ["池尻花子"]


def test_a_search_hit_opens_in_the_intake_form(
        qtbot: QtBot, db: Database, clerk: StaffProfile, record_case: RecordCase,
        type_text: TypeText, double_click: DoubleClick,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    wanted = record_case(db, clerk, "成年後見の手続き", name="代田 三郎")
    window = open_window(clerk)
    window.today_page.show_search()
    panel = window.today_page.search_panel
    type_text(panel.search_edit, "後見")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    rect = panel.table.visualRect(panel.model.index(0, SEARCH_COL_COMPLAINT))
    double_click(panel.table.viewport(), rect.center())
    assert window.current_area() == AREA_INTAKE
    assert window.intake_page is not None and window.intake_page.case_id == wanted


def test_find_referrals_from_the_open_consultation(
        qtbot: QtBot, db: Database, clerk: StaffProfile, record_case: RecordCase,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    wanted = record_case(db, clerk, "物忘れが心配", name="池尻 花子")
    window = open_window(clerk)
    intake = window.intake_page
    assert intake is not None
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert not intake.referrals_button.isEnabled()  # a new intake: nothing to refer yet
    assert window.open_consultation(wanted)
    assert intake.referrals_button.isEnabled()
    qtbot.mouseClick(intake.referrals_button, Qt.MouseButton.LeftButton)
    page = window.referrals_page
    assert page is not None
    assert window.current_area() == AREA_REFERRALS
    assert page.consultation_id == wanted
    assert page.list.count() > 0 and page.search_edit.hasFocus()


def test_print_the_intake_record_of_the_open_consultation(
        qtbot: QtBot, db: Database, clerk: StaffProfile, record_case: RecordCase,
        type_text: TypeText, open_window: Callable[[StaffProfile], MainWindow]) -> None:
    wanted = record_case(db, clerk, "物忘れが心配", name="池尻 花子")
    window = open_window(clerk)
    intake = window.intake_page
    assert intake is not None
    shown: list[tuple[str, bytes, str]] = []
    told: list[str] = []
    intake.show_pdf = lambda title, pdf, name: shown.append((title, pdf, name))
    intake.inform = lambda _title, text: told.append(text)
    assert not intake.print_button.isEnabled()  # nothing saved to print yet
    assert window.open_consultation(wanted)
    type_text(intake.complaint_edit, "と転倒")
    qtbot.mouseClick(intake.print_button, Qt.MouseButton.LeftButton)
    assert told == ["修正した内容を保存してから印刷してください。"] and not shown
    intake.complaint_edit.undo()
    intake.complaint_edit.setText("物忘れが心配")
    assert not window.has_unsaved_changes()
    qtbot.mouseClick(intake.print_button, Qt.MouseButton.LeftButton)
    title, pdf, name = shown[0]
    assert title == f"相談受付票 No.{wanted}" and name == f"相談受付票_No{wanted}.pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "池尻 花子" in text and "物忘れが心配" in text


def test_drafts_are_offered_after_login(qtbot: QtBot, db: Database, clerk: StaffProfile
                                        ) -> None:
    intake_service.save_draft(db, clerk, IntakeInput(
        main_complaint="停電で途切れた受付", person=PersonInput(name="池尻 花子")))
    controller = SessionController(db)
    try:
        controller.show_login(clerk.login)
        dialog = controller.login_dialog
        assert dialog is not None
        qtbot.waitActive(dialog)
        qtbot.keyClicks(dialog.password_edit, PASSWORD)
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
        window = controller.main_window
        assert window is not None
        assert window.current_area() == AREA_INTAKE
        intake = window.intake_page
        assert intake is not None
        drafts = intake.drafts_dialog
        assert drafts is not None and drafts.isVisible()  # shown, not blocking
        assert len(drafts.rows) == 1 and "停電で途切れた受付" in drafts.rows[0].summary
        drafts.close()
    finally:
        for widget in (controller.login_dialog, controller.main_window):
            if widget is not None:
                widget.hide()
                widget.deleteLater()


def test_no_drafts_no_offer(clerk: StaffProfile,
                            open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(clerk)
    assert not window.offer_drafts()
    assert window.current_area() == AREA_TODAY


@pytest.fixture
def window_with_input(qtbot: QtBot, clerk: StaffProfile, type_text: TypeText,
                      open_window: Callable[[StaffProfile], MainWindow]) -> Iterator[MainWindow]:
    window = open_window(clerk)
    _type_into_the_form(qtbot, window, type_text)
    yield window


def test_closing_with_unsaved_input_asks_first(
        qtbot: QtBot, db: Database, clerk: StaffProfile, window_with_input: MainWindow) -> None:
    window = window_with_input
    window.confirm_discard = asked = Asked(False)
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))
    window.close()
    assert asked.actions == ["終了"]
    assert window.isVisible() and not closed  # キャンセル: nothing happens

    asked.answer = True
    with qtbot.waitSignal(window.closed):
        window.quit_action.trigger()
    assert not window.isVisible()
    drafts = intake_service.list_drafts(db, clerk)
    assert [d.data.main_complaint for d in drafts] == ["書きかけの主訴"]  # kept as a draft


def test_logout_and_switch_user_with_unsaved_input_ask_first(
        qtbot: QtBot, window_with_input: MainWindow) -> None:
    window = window_with_input
    window.confirm_discard = asked = Asked(False)
    requested: list[str] = []
    window.logout_requested.connect(lambda: requested.append("logout"))
    window.switch_user_requested.connect(lambda: requested.append("switch"))
    window.logout_action.trigger()
    window.switch_user_action.trigger()
    assert asked.actions == ["ログアウト", "ユーザーの切り替え"]
    assert requested == []
    asked.answer = True
    window.switch_user_action.trigger()
    window.logout_action.trigger()
    assert requested == ["switch", "logout"]


def test_nothing_typed_nothing_asked(qtbot: QtBot, clerk: StaffProfile,
                                     open_window: Callable[[StaffProfile], MainWindow]) -> None:
    window = open_window(clerk)
    window.confirm_discard = asked = Asked(False)
    with qtbot.waitSignal(window.logout_requested):
        window.logout_action.trigger()
    assert asked.actions == []


def test_the_question_box_and_its_buttons(
        qtbot: QtBot, window_with_input: MainWindow,
        answer_message_box: AnswerMessageBox) -> None:
    window = window_with_input
    seen = answer_message_box(QMessageBox.StandardButton.Cancel)
    window.close()
    assert seen == [UNSAVED_QUESTION] == ["保存していない入力があります。破棄しますか？"]
    assert window.isVisible()
    assert "下書きとして残ります" in UNSAVED_DETAIL
    assert (DISCARD_AND_CLOSE, CANCEL) == ("保存しないで閉じる", "キャンセル")

    texts: list[list[str]] = []

    def capture() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            texts.append([b.text() for b in box.buttons()] + [box.informativeText()])

    QTimer.singleShot(0, capture)  # runs inside the box's exec(), before it is answered
    seen = answer_message_box(QMessageBox.StandardButton.Discard)
    with qtbot.waitSignal(window.closed):
        window.close()
    assert seen == [UNSAVED_QUESTION]
    assert texts and DISCARD_AND_CLOSE in texts[0] and CANCEL in texts[0]
    assert UNSAVED_DETAIL in texts[0]


def test_administrator_cannot_open_a_case(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff,
        open_window: Callable[[StaffProfile], MainWindow]) -> None:
    admin = staff_factory(db, "admin", role="管理者", place="世田谷", org_kind="総合支所")
    window = open_window(admin)
    assert not window.open_consultation(1)
    assert window.current_area() == AREA_ADMIN
    assert not window.has_unsaved_changes()
