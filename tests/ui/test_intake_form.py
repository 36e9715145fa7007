"""受付: the intake form driven like a clerk drives it — keyboard, Japanese input, Ctrl+S.

Japanese is committed through the input method (``type_text`` in tests/ui/conftest.py); modal
questions are answered by replacing ``IntakePage.confirm`` / ``inform``, so nothing blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.domain.consent import Basis, Purpose
from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.domain.jpdate import age_on, local_now
from setacare_desktop.services import Database, StaffProfile, consultations, persons
from setacare_desktop.services import intake as svc
from setacare_desktop.services.errors import NotFoundError
from setacare_desktop.store.models import AuditEvent, ConsentRecordRow, Person
from setacare_desktop.ui import operations
from setacare_desktop.ui.intake import IntakePage
from setacare_desktop.ui.intake import form as form_module
from setacare_desktop.ui.intake.consent_panel import ANONYMOUS_NOTE

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
TypeText = Callable[[QWidget, str], None]  # the ``type_text`` fixture (tests/ui/conftest.py)
PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD


class Answers:
    """Stands in for the page's modal questions: records them and answers as told."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.questions: list[str] = []
        self.told: list[str] = []

    def confirm(self, _title: str, text: str) -> bool:
        self.questions.append(text)
        return self.answer

    def inform(self, _title: str, text: str) -> None:
        self.told.append(text)


@pytest.fixture
def clerk(db: Database, staff_factory: MakeStaff) -> StaffProfile:
    return staff_factory(db, "clerk")


@pytest.fixture
def open_page(qtbot: QtBot, db: Database) -> Iterator[Callable[[StaffProfile], IntakePage]]:
    def open_(actor: StaffProfile) -> IntakePage:
        page = IntakePage(db, actor)
        answers = Answers()
        page.confirm = answers.confirm
        page.inform = answers.inform
        page.answers = answers  # type: ignore[attr-defined]
        qtbot.addWidget(page)
        page.resize(1200, 900)
        activate(qtbot, page)
        return page

    yield open_


@pytest.fixture
def page(open_page: Callable[[StaffProfile], IntakePage], clerk: StaffProfile) -> IntakePage:
    return open_page(clerk)


def activate(qtbot: QtBot, window: QWidget) -> None:
    """Show ``window`` and make it the active window (keyboard focus and shortcuts need it)."""
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def tab(qtbot: QtBot, expected: QWidget | None = None) -> QWidget:
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    if expected is not None:
        assert focused() is expected, (focused().accessibleName(), expected.accessibleName())
    return focused()


def key(qtbot: QtBot, code: Qt.Key, times: int = 1) -> None:
    for _ in range(times):
        qtbot.keyClick(focused(), code)


def ctrl(qtbot: QtBot, code: Qt.Key) -> None:
    qtbot.keyClick(focused(), code, Qt.KeyboardModifier.ControlModifier)


def existing_intake(**changes: object) -> IntakeInput:
    data = IntakeInput(
        received_at="R8.11.20 10:00", channel="来所", district="池尻", consulter_kind="本人",
        main_complaint="物忘れが心配", target_groups=["高齢者"],
        person=PersonInput(name="齋藤 花子", reading="さいとう はなこ", birth_date="S20.3.3",
                           sex="女性", address_town="池尻二丁目", address_rest="1-2-3",
                           phone="03-1111-2222", household="単身"))
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def count_persons(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(Person)) or 0)


# --- (a) a whole consultation with the keyboard --------------------------------------------


def test_keyboard_intake_with_japanese_era_date_and_consent(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        type_text: TypeText) -> None:
    saved: list[int] = []
    page.saved.connect(saved.append)
    assert focused() is page.received_edit
    assert page.received_hint.text().startswith("令和")

    tab(qtbot, page.channel_combo)
    key(qtbot, Qt.Key.Key_Down)  # 来所 → 電話
    tab(qtbot, page.consulter_combo)  # 地区 is fixed for district staff: Tab passes it by
    key(qtbot, Qt.Key.Key_Down, 2)  # → 本人 → 家族・親族
    type_text(tab(qtbot, page.relation_edit), "長女")
    type_text(tab(qtbot, page.consulter_name_edit), "山田 一子")
    type_text(tab(qtbot, page.consulter_contact_edit), "090-1111-2222")
    type_text(tab(qtbot, page.name_edit), "山田 花子")
    type_text(tab(qtbot, page.reading_edit), "ヤマダ ハナコ")
    type_text(tab(qtbot, page.birth_edit), "昭和20年3月3日")
    age = age_on(date(1945, 3, 3), local_now().date())
    assert page.birth_hint.text().startswith(f"昭和20年3月3日（{age}歳）")
    tab(qtbot, page.sex_combo)
    key(qtbot, Qt.Key.Key_Down, 2)  # → 男性 → 女性
    type_text(tab(qtbot, page.town_edit), "池尻二丁目")
    type_text(tab(qtbot, page.rest_edit), "1-2-3")
    type_text(tab(qtbot, page.phone_edit), "０３-１１１１-２２２２")  # full-width digits
    tab(qtbot, page.household_combo)
    key(qtbot, Qt.Key.Key_Down)  # → 単身
    tab(qtbot, page.target_group.box("elderly"))
    key(qtbot, Qt.Key.Key_Space)
    for _ in range(len(page.target_group.boxes) - 1):
        tab(qtbot)
    tab(qtbot, page.element_group.box("medical"))
    key(qtbot, Qt.Key.Key_Space)
    tab(qtbot, page.element_group.box("welfare_service"))
    key(qtbot, Qt.Key.Key_Space)
    for _ in range(len(page.element_group.boxes) - 2):
        tab(qtbot)
    type_text(tab(qtbot, page.complaint_edit), "母の物忘れと介護保険の申請")
    type_text(tab(qtbot, page.details_edit), "長女より。母が一人暮らしで物忘れが増えた。")
    tab(qtbot, page.response_combo)
    key(qtbot, Qt.Key.Key_Down, 3)  # → 情報提供 → 助言 → つなぎ
    type_text(tab(qtbot, page.next_date_edit), "R8.12.1")
    assert page.next_date_hint.text().startswith("令和8年（2026年）12月1日")
    type_text(tab(qtbot, page.next_note_edit), "申請状況を電話で確認")
    for _ in range(len(page.urgency_group.boxes)):
        tab(qtbot)
    tab(qtbot, page.urgency_note_edit)

    recipients = svc.consent_recipients(db, "ikejiri")
    anshin = recipients[1]
    assert anshin.name == "池尻あんしんすこやかセンター"
    wording = page.consent_panel.wording_label.text()
    assert wording.count("同意しなくても、相談はこれまでどおりお受けします") == 1
    assert "このカード" not in wording  # the お薬手帳 card's sentence is not read at the counter
    tab(qtbot, page.consent_panel.box(recipients[0].key, Purpose.SHARE))
    tab(qtbot, page.consent_panel.box(recipients[0].key, Purpose.SHEET))
    consent_box = tab(qtbot, page.consent_panel.box(anshin.key, Purpose.SHARE))
    key(qtbot, Qt.Key.Key_Space)
    assert isinstance(consent_box, QCheckBox) and consent_box.text() == "同意"

    ctrl(qtbot, Qt.Key.Key_S)

    assert len(saved) == 1
    case_id = saved[0]
    assert page.status_label.text() == f"相談を保存しました（No. {case_id}）"
    # The consultation stays open, as saved, with the next steps ready.
    assert page.case_id == case_id and page.name_edit.text() == "山田 花子"
    assert page.print_button.isEnabled() and page.referrals_button.isEnabled()
    assert "新しい受付" in page.mode_label.text()
    assert not page.has_unsaved_changes()
    loaded = svc.load_intake(db, clerk, case_id)
    data = loaded.data
    assert data.channel == "phone" and data.consulter_kind == "family"
    assert data.consulter_relation == "長女" and data.consulter_name == "山田 一子"
    assert data.person.name == "山田 花子" and data.person.reading == "やまだ はなこ"
    assert data.person.birth_date == "1945-03-03" and data.person.sex == "female"
    assert data.person.phone == "03-1111-2222" and data.person.household == "single"
    assert data.target_groups == ["elderly"]
    assert sorted(data.elements) == ["medical", "welfare_service"]
    assert data.main_complaint == "母の物忘れと介護保険の申請"
    assert data.response == "referral" and data.next_date == "2026-12-01"
    today = [row.consultation_id for row in consultations.list_day(
        db, clerk, local_now().date())]
    assert case_id in today
    decision = svc.sharing_decision(db, clerk, case_id, anshin.key, Purpose.SHARE)
    assert decision.allowed and decision.basis is Basis.CONSENT
    assert not svc.sharing_decision(db, clerk, case_id, recipients[0].key,
                                    Purpose.SHARE).allowed
    assert svc.list_drafts(db, clerk) == []


# --- (b) a failed save keeps everything -----------------------------------------------------


def test_every_field_the_validation_names_has_its_place_on_the_form(page: IntakePage) -> None:
    """Problems find their field by key, not by the label text: 相談者の氏名 was once reported
    under a label the form did not use (「相談者氏名」), so its problem showed nowhere."""
    from setacare_desktop.domain.problems import LABELS

    for key in LABELS:
        if key != "person_id":  # no widget: the linked person is chosen, never typed
            assert page.problem_text(key) == ""  # a KeyError would mean no place for it


def test_failed_save_shows_problems_at_fields_and_keeps_every_field(
        qtbot: QtBot, page: IntakePage, type_text: TypeText) -> None:
    page.consulter_combo.setFocus()
    key(qtbot, Qt.Key.Key_Down)  # 本人
    type_text(page.name_edit, "山田 花子")
    type_text(page.reading_edit, "やまだ はなこ")
    type_text(page.birth_edit, "R9.1.1")  # next year: in the future
    type_text(page.town_edit, "池尻二丁目")
    type_text(page.details_edit, "長い相談内容。")
    page.target_group.box("elderly").setFocus()
    key(qtbot, Qt.Key.Key_Space)
    typed = page.collect()

    ctrl(qtbot, Qt.Key.Key_S)

    assert page.problem_text("main_complaint") == "主訴: 入力してください"
    assert page.problem_text("person.birth_date") == "生年月日: 未来の日付は入力できません"
    assert page.problem_text("person.name") == ""
    assert page.save_button.text() == "保存（要修正 2件）"
    assert "主訴: 入力してください" in page.summary_label.text()
    assert page.collect() == typed  # nothing typed is lost
    assert page.name_edit.text() == "山田 花子" and page.birth_edit.text() == "R9.1.1"
    assert page.details_edit.toPlainText() == "長い相談内容。"
    assert page.target_group.box("elderly").isChecked()
    assert focused() is page.birth_edit  # the first problem in form order

    # Fixing a field updates the count at once.
    type_text(page.complaint_edit, "物忘れ")
    assert page.save_button.text() == "保存（要修正 1件）"
    assert page.problem_text("main_complaint") == ""
    page.birth_edit.setFocus()
    page.birth_edit.selectAll()
    qtbot.keyClicks(page.birth_edit, "S20.3.3")
    assert page.save_button.text() == "保存"
    assert page.summary_label.isHidden()
    ctrl(qtbot, Qt.Key.Key_S)
    assert page.status_label.text().startswith("相談を保存しました")


# --- (c) the duplicate-person check ---------------------------------------------------------


def test_duplicate_panel_offers_existing_person_for_kanji_variant_and_katakana(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        type_text: TypeText, threaded_operations: None) -> None:
    """The lookup runs on the real worker thread as the user pauses."""
    existing = svc.record_intake(db, clerk, existing_intake())
    panel = page.duplicate_panel
    assert not panel.list.isEnabled()

    type_text(page.name_edit, "斎藤花子")  # 齋 is 斎's 旧字体 (斉藤 is another family name)
    qtbot.waitUntil(lambda: bool(panel.candidates), timeout=2000)
    [candidate] = panel.candidates
    assert candidate.person_id == existing.person_id and candidate.name == "齋藤 花子"
    assert "氏名が一致" in candidate.reasons
    shown = panel.list.item(0).text()
    assert "物忘れが心配" in shown  # the last consultation
    assert "女性" in shown and "電話 **-****-2222" in shown  # sex; the phone's last 4 digits
    assert "1111" not in shown

    # The reading alone, in katakana, finds her too.
    page.name_edit.clear()
    qtbot.waitUntil(lambda: not panel.candidates, timeout=2000)
    type_text(page.reading_edit, "サイトウ")
    qtbot.waitUntil(lambda: bool(panel.candidates), timeout=2000)
    assert [c.person_id for c in panel.candidates] == [existing.person_id]
    assert panel.candidates[0].reasons == ("ふりがなが前方一致",)

    # Tab from 生年月日 reaches the candidates; Enter links.
    page.birth_edit.setFocus()
    tab(qtbot, panel.list)
    key(qtbot, Qt.Key.Key_Return)
    assert page.person_id == existing.person_id
    assert panel.is_linked() and "齋藤 花子" in panel.linked_label.text()
    assert page.name_edit.text() == "齋藤 花子"
    # The record's details fill the fields left empty.
    assert page.phone_edit.text() == "03-1111-2222" and page.rest_edit.text() == "1-2-3"
    assert page.household_combo.code() == "single" and page.sex_combo.code() == "female"

    page.consulter_combo.setCurrentIndex(1)  # 本人
    type_text(page.complaint_edit, "介護保険の申請")
    ctrl(qtbot, Qt.Key.Key_S)
    case_id = int(page.status_label.text().split("No. ")[1].rstrip("）"))
    assert svc.load_intake(db, clerk, case_id).data.person_id == existing.person_id
    assert count_persons(db) == 1
    assert svc.load_intake(db, clerk, case_id).data.person.phone == "03-1111-2222"


def audit_actions(db: Database, action: str) -> list[str | None]:
    with db.read() as session:
        return list(session.scalars(sa.select(AuditEvent.entity_id)
                                    .where(AuditEvent.action == action)))


def test_linking_fills_the_record_keeps_what_was_typed_and_empty_fields_keep_the_record(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        type_text: TypeText) -> None:
    existing = svc.record_intake(db, clerk, existing_intake())
    panel = page.duplicate_panel
    type_text(page.name_edit, "斎藤 花子")
    type_text(page.phone_edit, "090-9999-0000")  # a new number, told at the counter
    qtbot.waitUntil(lambda: bool(panel.candidates), timeout=2000)
    assert audit_actions(db, "person_view") == []
    panel.link_button.click()

    assert audit_actions(db, "person_view") == [str(existing.person_id)]  # a read, audited
    assert page.name_edit.text() == "齋藤 花子"  # as recorded
    assert page.reading_edit.text() == "さいとう はなこ"
    assert page.birth_edit.text() == "昭和20年3月3日"
    assert page.phone_edit.text() == "090-9999-0000"  # typed: kept
    assert page.town_edit.text() == "池尻二丁目" and page.rest_edit.text() == "1-2-3"
    assert page.sex_combo.code() == "female" and page.household_combo.code() == "single"
    assert focused() is page.sex_combo
    assert page.status_label.text() == "既存の対象者（齋藤 花子）に紐付けました"

    # A field the clerk empties keeps what is on record; a changed one updates it.
    page.rest_edit.clear()
    page.consulter_combo.setCurrentIndex(1)  # 本人
    type_text(page.complaint_edit, "電話番号が変わった")
    ctrl(qtbot, Qt.Key.Key_S)
    assert page.status_label.text().startswith("相談を保存しました")
    person = svc.load_intake(db, clerk, existing.consultation_id).data.person
    assert person.address_rest == "1-2-3" and person.phone == "090-9999-0000"
    assert count_persons(db) == 1


def test_a_person_that_cannot_be_read_is_not_linked(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        monkeypatch: pytest.MonkeyPatch, type_text: TypeText) -> None:
    svc.record_intake(db, clerk, existing_intake())
    panel = page.duplicate_panel
    type_text(page.name_edit, "齋藤花子")
    qtbot.waitUntil(lambda: bool(panel.candidates), timeout=2000)

    def gone(_db: Database, _actor: StaffProfile, person_id: int) -> PersonInput:
        raise NotFoundError(f"対象者（ID {person_id}）が見つかりません。")

    monkeypatch.setattr(persons, "person_details", gone)  # e.g. removed meanwhile
    panel.link_button.click()
    assert page.answers.told == ["対象者（ID 1）が見つかりません。"]  # type: ignore[attr-defined]
    assert page.person_id is None and not panel.is_linked()
    assert page.name_edit.text() == "齋藤花子" and page.phone_edit.text() == ""


def test_a_candidates_recent_consultation_can_be_opened(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        type_text: TypeText) -> None:
    first = svc.record_intake(db, clerk, existing_intake())
    later = svc.record_intake(db, clerk, existing_intake(
        received_at="R8.11.21 14:30", main_complaint="介護保険の申請",
        person_id=first.person_id))
    other = svc.record_intake(db, clerk, existing_intake(
        main_complaint="家計の相談", person=PersonInput(
            name="斎藤 晴子", reading="さいとう はるこ", birth_date="S30.5.5")))
    panel = page.duplicate_panel
    assert panel.recent_list.isHidden() and panel.open_button.isHidden()
    requested: list[int] = []
    page.open_consultation_requested.connect(requested.append)

    type_text(page.name_edit, "齋藤")  # the 旧字体 finds both 齋藤 and 斎藤
    qtbot.waitUntil(lambda: len(panel.candidates) == 2, timeout=2000)
    assert [c.person_id for c in panel.candidates] == [first.person_id, other.person_id]
    assert "最終相談: 令和8年11月21日 14:30 介護保険の申請" in panel.list.item(0).text()
    assert panel.recent_list.isVisible()
    assert [panel.recent_list.item(r).text() for r in range(panel.recent_list.count())] == [
        "令和8年11月21日 14:30 介護保険の申請", "令和8年11月20日 10:00 物忘れが心配"]

    # Keyboard: from 生年月日, Tab passes the candidates and their buttons to the
    # consultations; Down and Enter open the older one.
    page.birth_edit.setFocus()
    tab(qtbot, panel.list)
    tab(qtbot, panel.link_button)
    tab(qtbot, panel.new_button)
    tab(qtbot, panel.recent_list)
    key(qtbot, Qt.Key.Key_Down)
    key(qtbot, Qt.Key.Key_Return)
    assert requested == [first.consultation_id]
    tab(qtbot, panel.open_button)
    tab(qtbot, panel.page_button)  # 相談者ページ (the candidate's whole page)
    tab(qtbot, page.sex_combo)

    # The consultations follow the selected candidate; the button opens the current one.
    panel.list.setCurrentRow(1)
    assert [panel.recent_list.item(r).text() for r in range(panel.recent_list.count())] == [
        "令和8年11月20日 10:00 家計の相談"]
    panel.open_button.click()
    assert requested == [first.consultation_id, other.consultation_id]
    assert page.case_id is None  # the page only asks; the main window opens the case
    assert later.consultation_id not in requested

    # Linked: the candidates and their consultations give way to the linked person.
    panel.list.setCurrentRow(0)
    panel.link_button.click()
    assert panel.is_linked() and panel.recent_list.isHidden()


def test_unlink_and_confirm_new_person(qtbot: QtBot, db: Database, clerk: StaffProfile,
                                       page: IntakePage, type_text: TypeText) -> None:
    svc.record_intake(db, clerk, existing_intake())
    panel = page.duplicate_panel
    type_text(page.name_edit, "齋藤花子")
    qtbot.waitUntil(lambda: bool(panel.candidates), timeout=2000)
    panel.link_button.click()
    assert page.person_id is not None
    panel.unlink_button.click()
    assert page.person_id is None and not panel.is_linked()
    assert panel.candidates  # offered again
    panel.new_button.setFocus()
    key(qtbot, Qt.Key.Key_Space)
    assert panel.candidates == [] and "新しい対象者" in panel.status_label.text()
    assert focused() is page.sex_combo
    type_text(page.reading_edit, "さいとう")  # typing on does not bring the dismissed back
    page.lookup_duplicates()
    assert panel.candidates == []
    page.consulter_combo.setCurrentIndex(1)
    type_text(page.complaint_edit, "別の人")
    ctrl(qtbot, Qt.Key.Key_S)
    assert count_persons(db) == 2


# --- (d) drafts -------------------------------------------------------------------------------


def test_typing_saves_a_draft_and_a_new_page_restores_it(
        qtbot: QtBot, db: Database, clerk: StaffProfile,
        open_page: Callable[[StaffProfile], IntakePage], type_text: TypeText) -> None:
    first = open_page(clerk)
    first.consulter_combo.setCurrentIndex(2)  # 家族・親族
    type_text(first.relation_edit, "長男")
    type_text(first.name_edit, "高橋 一郎")
    type_text(first.reading_edit, "ﾀｶﾊｼ ｲﾁﾛｳ")
    type_text(first.birth_edit, "S15.1.2")
    type_text(first.complaint_edit, "ひとり暮らしの父の見守り")
    type_text(first.details_edit, "一行目\n二行目")
    first.target_group.box("elderly").setChecked(True)
    first.urgency_group.box("danger").setChecked(True)
    key_ = svc.consent_recipients(db, "ikejiri")[2].key
    first.consent_panel.box(key_, Purpose.SHEET).set_decision(False)  # refused
    typed = first.collect()
    qtbot.waitUntil(lambda: bool(svc.list_drafts(db, clerk)), timeout=3000)
    [draft] = svc.list_drafts(db, clerk)
    assert draft.data == typed and draft.draft_id == first.draft_id
    assert draft.summary.startswith("高橋 一郎")

    # The program dies; the next start offers the draft back.
    first.hide()
    second = open_page(clerk)
    second.activate()
    dialog = second.drafts_dialog
    assert dialog is not None and dialog.isVisible() and len(dialog.rows) == 1
    assert "高橋 一郎" in dialog.list.item(0).text()
    dialog.restore_button.click()
    assert not dialog.isVisible()
    assert second.collect() == typed
    assert second.name_edit.text() == "高橋 一郎" and second.relation_edit.text() == "長男"
    assert second.details_edit.toPlainText() == "一行目\n二行目"
    assert second.urgency_group.box("danger").isChecked() and second.urgent_banner.isVisible()
    assert second.consent_panel.box(key_, Purpose.SHEET).text() == "不同意"
    assert second.has_unsaved_changes() and second.draft_id == draft.draft_id

    activate(qtbot, second)
    second.complaint_edit.setFocus()
    ctrl(qtbot, Qt.Key.Key_S)
    assert second.status_label.text().startswith("相談を保存しました")
    assert svc.list_drafts(db, clerk) == []


def test_drafts_are_written_on_the_worker_and_the_save_removes_them(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        type_text: TypeText, threaded_operations: None) -> None:
    type_text(page.complaint_edit, "裏で下書き")
    qtbot.waitUntil(lambda: page.draft_id is not None, timeout=5000)
    assert page.draft_label.text().startswith("下書き保存")
    [draft] = svc.list_drafts(db, clerk)
    assert draft.draft_id == page.draft_id
    type_text(page.complaint_edit, "を続けて")  # a draft may be in flight as the user saves
    page.consulter_combo.setCurrentIndex(1)
    page.target_group.box("elderly").setChecked(True)
    ctrl(qtbot, Qt.Key.Key_S)
    assert page.status_label.text().startswith("相談を保存しました"), page.status_label.text()
    qtbot.waitUntil(operations.idle)
    assert svc.list_drafts(db, clerk) == []


def test_autosave_timer_saves_drafts_and_keeps_an_idle_form_at_now(
        qtbot: QtBot, db: Database, clerk: StaffProfile, monkeypatch: pytest.MonkeyPatch,
        open_page: Callable[[StaffProfile], IntakePage], type_text: TypeText) -> None:
    monkeypatch.setattr(form_module, "AUTOSAVE_INTERVAL_MS", 50)
    monkeypatch.setattr(form_module, "DRAFT_DELAY_MS", 60_000)  # only the timer may save
    page = open_page(clerk)
    monkeypatch.setattr(form_module, "local_now", lambda: datetime(2026, 11, 24, 7, 5))
    qtbot.waitUntil(lambda: page.received_edit.text() == "令和8年11月24日 07:05", timeout=2000)
    assert not page.has_unsaved_changes()
    assert svc.list_drafts(db, clerk) == []
    type_text(page.complaint_edit, "タイマーで保存")
    qtbot.waitUntil(lambda: bool(svc.list_drafts(db, clerk)), timeout=2000)
    assert svc.list_drafts(db, clerk)[0].data.main_complaint == "タイマーで保存"


def test_draft_dialog_discards(qtbot: QtBot, db: Database, clerk: StaffProfile,
                               page: IntakePage) -> None:
    svc.save_draft(db, clerk, IntakeInput(main_complaint="古い下書き"))
    dialog = page.offer_drafts()
    assert dialog is not None
    dialog.discard_button.click()
    assert page.answers.questions == ["この下書きを破棄しますか？"]  # type: ignore[attr-defined]
    assert not dialog.isVisible() and svc.list_drafts(db, clerk) == []
    assert page.offer_drafts() is None


def test_escape_asks_then_discards_and_ctrl_n_keeps_a_draft(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        type_text: TypeText) -> None:
    answers: Answers = page.answers  # type: ignore[attr-defined]
    assert not page.has_unsaved_changes()
    type_text(page.complaint_edit, "途中の相談")
    assert page.has_unsaved_changes()

    answers.answer = False
    key(qtbot, Qt.Key.Key_Escape)
    assert len(answers.questions) == 1 and "破棄しますか" in answers.questions[0]
    assert page.complaint_edit.text() == "途中の相談"  # said no: kept

    answers.answer = True
    ctrl(qtbot, Qt.Key.Key_N)
    assert "下書きとして残し" in answers.questions[1]
    assert page.complaint_edit.text() == ""
    [kept] = svc.list_drafts(db, clerk)
    assert kept.data.main_complaint == "途中の相談"

    type_text(page.complaint_edit, "捨てる相談")
    qtbot.waitUntil(lambda: len(svc.list_drafts(db, clerk)) == 2, timeout=3000)
    page.complaint_edit.setFocus()
    key(qtbot, Qt.Key.Key_Escape)
    assert page.complaint_edit.text() == ""
    assert [d.data.main_complaint for d in svc.list_drafts(db, clerk)] == ["途中の相談"]


# --- (e) Tab order --------------------------------------------------------------------------


def test_tab_walks_the_form_in_conversation_order(qtbot: QtBot, page: IntakePage) -> None:
    page.received_edit.setFocus()
    expected = [page.channel_combo, page.consulter_combo, page.relation_edit,
                page.consulter_name_edit, page.consulter_contact_edit, page.name_edit,
                page.reading_edit, page.birth_edit, page.sex_combo, page.town_edit,
                page.rest_edit, page.phone_edit, page.household_combo,
                *page.target_group.boxes, *page.element_group.boxes, page.complaint_edit,
                page.details_edit, page.response_combo, page.next_date_edit,
                page.next_note_edit, *page.urgency_group.boxes, page.urgency_note_edit]
    for widget in expected:
        tab(qtbot, widget)
    # Back with Shift+Tab.
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is page.urgency_group.boxes[-1]


def test_consulter_fields_skip_for_self_and_area_staff_choose_district(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff,
        open_page: Callable[[StaffProfile], IntakePage]) -> None:
    boss = staff_factory(db, "area-boss", role="監督者", place="世田谷", org_kind="総合支所")
    page = open_page(boss)
    assert page.district_combo.isEnabled() and page.district_combo.code() == ""
    assert page.district_combo.count() == 1 + 7  # 世田谷 area: 7 districts
    page.received_edit.setFocus()
    tab(qtbot, page.channel_combo)
    tab(qtbot, page.district_combo)
    key(qtbot, Qt.Key.Key_Down, 2)
    assert page.district_combo.code() == "taishido"
    assert page.consent_panel.recipients[0].name == "太子堂まちづくりセンター"
    tab(qtbot, page.consulter_combo)
    key(qtbot, Qt.Key.Key_Down)  # 本人: the consulter's own fields are not needed
    tab(qtbot, page.name_edit)


# --- (f) urgency --------------------------------------------------------------------------


def test_urgent_flag_shows_the_banner(qtbot: QtBot, page: IntakePage) -> None:
    assert page.urgent_banner.isHidden()
    page.urgency_group.box("abuse").setFocus()
    key(qtbot, Qt.Key.Key_Space)
    assert page.urgent_banner.isVisible() and page.urgent_banner.text() == "緊急：虐待の疑い"
    tab(qtbot, page.urgency_group.box("dv"))
    key(qtbot, Qt.Key.Key_Space)
    assert page.urgent_banner.text() == "緊急：虐待の疑い・DV"
    page.urgency_group.box("abuse").setChecked(False)
    page.urgency_group.box("dv").setChecked(False)
    assert page.urgent_banner.isHidden()


def test_two_target_groups_are_mixed(page: IntakePage) -> None:
    page.target_group.box("elderly").setChecked(True)
    assert page.mixed_label.text() == ""
    page.target_group.box("poverty").setChecked(True)
    assert page.mixed_label.text() == "複合（2区分）"


# --- consent ------------------------------------------------------------------------------


def test_anonymous_consultation_disables_consent(qtbot: QtBot, page: IntakePage,
                                                 type_text: TypeText) -> None:
    panel = page.consent_panel
    assert panel.is_anonymous() and not panel.grid_widget.isEnabled()
    assert panel.anonymous_label.text() == ANONYMOUS_NOTE
    type_text(page.name_edit, "匿名でない")
    assert not panel.is_anonymous() and panel.grid_widget.isEnabled()
    panel.all_button.click()
    assert len(page.collect().consents) == 2 * len(panel.recipients)
    page.name_edit.clear()
    assert panel.is_anonymous() and page.collect().consents == []


def test_open_case_amends_shows_history_and_withdraws_consent(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        type_text: TypeText) -> None:
    key_ = svc.consent_recipients(db, "ikejiri")[1].key
    saved_case = svc.record_intake(db, clerk, existing_intake(consents=[ConsentInput(key_)]))
    saved: list[int] = []
    page.saved.connect(saved.append)

    assert page.open_case(saved_case.consultation_id)
    assert page.case_id == saved_case.consultation_id
    assert page.name_edit.text() == "齋藤 花子" and page.duplicate_panel.is_linked()
    assert not page.has_unsaved_changes()
    assert not page.district_combo.isEnabled()
    assert "修正されていません" in page.history_list.item(0).text()
    tree = page.consent_panel.existing_tree
    assert tree.topLevelItemCount() == 1 and tree.topLevelItem(0).text(2) == "同意"

    # Withdraw the consent through its dialog.
    tree.setCurrentItem(tree.topLevelItem(0))
    page.consent_panel.withdraw_button.click()
    dialog = page.withdraw_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.withdraw_button.click()  # no reason yet
    assert "撤回の理由: 入力してください" in dialog.problems.text()
    type_text(dialog.reason_edit, "本人の申し出")
    dialog.withdraw_button.click()
    assert not dialog.isVisible()
    assert "撤回" in tree.topLevelItem(0).text(6)
    assert not svc.sharing_decision(db, clerk, saved_case.consultation_id, key_,
                                    Purpose.SHARE).allowed

    # Amend: the previous version is kept and shown next time.
    activate(qtbot, page)
    page.complaint_edit.selectAll()
    type_text(page.complaint_edit, "物忘れと通院の付き添い")
    ctrl(qtbot, Qt.Key.Key_S)
    assert saved == [saved_case.consultation_id]
    assert page.status_label.text() == f"相談を修正しました（No. {saved_case.consultation_id}）"
    # Still open, as amended, with the previous version in its history at once.
    assert page.case_id == saved_case.consultation_id
    assert page.complaint_edit.text() == "物忘れと通院の付き添い"
    assert "第2版" in page.mode_label.text()
    assert "主訴" in page.history_list.item(0).text()
    assert "第1版" in page.history_list.item(0).text()


def test_emergency_exception_needs_a_saved_case_and_a_supervisor(
        qtbot: QtBot, db: Database, clerk: StaffProfile, staff_factory: MakeStaff,
        page: IntakePage, type_text: TypeText) -> None:
    staff_factory(db, "boss", role="監督者")
    answers: Answers = page.answers  # type: ignore[attr-defined]
    page.consent_panel.emergency_button.click()
    assert answers.told and "保存済みの相談" in answers.told[0]
    assert page.emergency_dialog is None

    saved_case = svc.record_intake(db, clerk, existing_intake())
    page.open_case(saved_case.consultation_id)
    page.consent_panel.emergency_button.click()
    dialog = page.emergency_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    type_text(dialog.reason_edit, "意識がなく同意を得られない")
    type_text(dialog.login_edit, "clerk")
    type_text(dialog.password_edit, PASSWORD)
    dialog.record_button.click()
    assert "監督者だけ" in dialog.problems.text() and dialog.password_edit.text() == ""
    dialog.login_edit.clear()
    type_text(dialog.login_edit, "boss")
    type_text(dialog.password_edit, PASSWORD)
    dialog.record_button.click()
    assert not dialog.isVisible()
    assert page.status_label.text() == "緊急時の例外を記録しました（承認: boss）"
    key_ = svc.consent_recipients(db, "ikejiri")[0].key
    decision = svc.sharing_decision(db, clerk, saved_case.consultation_id, key_, Purpose.SHEET)
    assert decision.allowed and decision.basis is Basis.EMERGENCY


def test_an_amendment_that_changes_nothing_removes_its_draft(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        type_text: TypeText) -> None:
    saved_case = svc.record_intake(db, clerk, existing_intake())
    case_id = saved_case.consultation_id
    assert page.open_case(case_id)
    type_text(page.complaint_edit, "（追記）")
    qtbot.waitUntil(lambda: bool(svc.list_drafts(db, clerk)), timeout=3000)
    [draft] = svc.list_drafts(db, clerk)
    assert draft.consultation_id == case_id
    page.complaint_edit.setFocus()
    for _ in "（追記）":  # thought better of it
        key(qtbot, Qt.Key.Key_Backspace)
    assert not page.has_unsaved_changes()

    ctrl(qtbot, Qt.Key.Key_S)
    assert page.status_label.text() == f"相談No. {case_id}に変更はありません"
    assert page.case_id == case_id and page.draft_id is None
    assert svc.list_drafts(db, clerk) == []
    assert svc.history(db, clerk, case_id) == []  # no new version
    assert svc.load_intake(db, clerk, case_id).version == 1


def test_consent_added_while_amending_an_older_case_is_dated_today(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage) -> None:
    received = local_now().date() - timedelta(days=3)
    saved_case = svc.record_intake(db, clerk, existing_intake(
        received_at=f"{received:%Y-%m-%d} 10:00"))
    key_ = svc.consent_recipients(db, "ikejiri")[1].key
    assert page.open_case(saved_case.consultation_id)
    assert page.consent_panel.existing_tree.topLevelItemCount() == 0
    box = page.consent_panel.box(key_, Purpose.SHARE)
    qtbot.waitUntil(box.isVisible)  # the boxes are rebuilt for the loaded case's district
    box.setFocus()
    key(qtbot, Qt.Key.Key_Space)
    assert box.text() == "同意"
    assert page.collect().consents[0].given_on == ""  # the service dates it
    ctrl(qtbot, Qt.Key.Key_S)
    assert page.status_label.text().startswith("相談を修正しました")

    assert saved_case.person_id is not None
    [row] = svc.consents_of(db, clerk, saved_case.person_id)
    assert row.record.given and row.record.given_on == local_now().date() != received
    assert svc.sharing_decision(db, clerk, saved_case.consultation_id, key_,
                                Purpose.SHARE).allowed


def test_drafts_are_not_offered_over_an_opened_case_or_typed_input(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        type_text: TypeText) -> None:
    svc.save_draft(db, clerk, IntakeInput(main_complaint="前回の下書き"))
    saved_case = svc.record_intake(db, clerk, existing_intake())
    assert page.open_case(saved_case.consultation_id)
    page.activate()  # e.g. 受付 first shown because a case is being opened
    assert page.drafts_dialog is None
    assert page.case_id == saved_case.consultation_id

    ctrl(qtbot, Qt.Key.Key_N)  # done with the case: an empty form
    type_text(page.complaint_edit, "新しい相談")
    page.activate()  # nor over what is being typed
    assert page.drafts_dialog is None

    page.complaint_edit.clear()
    page.activate()  # idle at last: offered, once
    dialog = page.drafts_dialog
    assert dialog is not None and dialog.isVisible()
    assert [r.data.main_complaint for r in dialog.rows] == ["前回の下書き"]
    dialog.close()
    page.activate()
    assert page.drafts_dialog is dialog and not dialog.isVisible()


def test_the_consent_panel_prints_the_persons_consent_form_and_records_it_signed(
        qtbot: QtBot, db: Database, clerk: StaffProfile, page: IntakePage,
        tmp_path: Path) -> None:
    partners = svc.consent_recipients(db, "ikejiri")
    saved_case = svc.record_intake(db, clerk, existing_intake(consents=[
        ConsentInput(partners[1].key, method="written"), ConsentInput(partners[2].key)]))
    panel = page.consent_panel
    assert not panel.consent_form_button.isEnabled()  # no person yet
    assert page.open_case(saved_case.consultation_id)
    assert panel.consent_form_button.isEnabled()
    panel.consent_form_button.click()
    dialog = panel.consent_form_dialog
    assert dialog is not None and dialog.isVisible() and dialog.preview.page_count() == 1
    dialog.choose_save_path = lambda name: str(tmp_path / name)
    dialog.save_button.click()
    [saved] = tmp_path.glob("*.pdf")
    text = "".join(p.extract_text() for p in PdfReader(saved).pages).replace("\n", "")
    assert "齋藤 花子" in text and "同意書" in text and partners[0].name in text and "署名" in text
    assert "consent_form_print" in [e.action for e in recent_audit(db)]
    dialog.close()

    # The oral consent has no form to sign; the written one is recorded as signed today.
    tree = panel.existing_tree
    tree.setCurrentItem(tree.topLevelItem(1))
    assert not panel.form_signed_button.isEnabled()
    tree.setCurrentItem(tree.topLevelItem(0))
    assert panel.form_signed_button.isEnabled()
    panel.form_signed_button.click()
    with db.read() as session:
        row = session.scalars(sa.select(ConsentRecordRow).order_by(ConsentRecordRow.id)).first()
        assert (row.method, row.form_signed, row.form_signed_on) == (
            "written", True, local_now().date())
    assert recent_audit(db)[0].action == "consent_form_signed"


def recent_audit(db: Database) -> list[AuditEvent]:
    with db.read() as session:
        return list(session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())
                                    .limit(5)))
