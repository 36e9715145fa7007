"""つなぎ先 like a user: a destination picked from the suggestions with the keyboard, a referral
recorded through the consent gate (consent present; missing and recorded on the spot in a dialog
where nothing is preselected; a recorded refusal named and replaced only by a confirmed change of
mind; anonymised, with its 匿名用の概要 checked), the destination's reply recorded, overdue
referrals marked, and the table model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.domain.consent import ConsentEntry, Giver, Method, Purpose
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.referral import REQUEST_ITEMS, ReferralMethod, ReferralStatus
from setacare_desktop.services import Database, StaffProfile
from setacare_desktop.services import directory as directory_service
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services import referrals as referral_service
from setacare_desktop.services import sheets as sheet_service
from setacare_desktop.store.models import Referral
from setacare_desktop.ui.referrals import ReferralsPage, ReferralTableModel
from setacare_desktop.ui.referrals.page import UNCONFIRMED_BADGE
from setacare_desktop.ui.referrals.table_model import (
    COL_DESTINATION,
    COL_OVERDUE,
    COL_STATUS,
    OVERDUE_COLOR,
    OVERDUE_MARK,
    OVERDUE_ROLE,
)

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
TypeText = Callable[[QWidget, str], None]  # tests/ui/conftest.py
WORK_SUPPORT = "世田谷区障害者就労支援センター"


@pytest.fixture
def clerk(db: Database, staff_factory: MakeStaff) -> StaffProfile:
    return staff_factory(db, "ikejiri1", role="相談員")


def _case(db: Database, actor: StaffProfile, *, name: str = "山田 太郎") -> int:
    data = IntakeInput(
        received_at=f"{local_now():%Y-%m-%d} 10:00", channel="来所", district="池尻",
        consulter_kind="本人", main_complaint="障害があり仕事を探したい",
        target_groups=["障害者"], elements=["就労"],
        person=PersonInput(name=name, reading="やまだ たろう"))
    return intake_service.record_intake(db, actor, data).consultation_id


def _service_id(db: Database, name: str = WORK_SUPPORT) -> int:
    return next(d.service_id for d in directory_service.search_destinations(db, name)
                if d.name == name)


@pytest.fixture
def open_page(qtbot: QtBot, db: Database, clerk: StaffProfile) -> Callable[[], ReferralsPage]:
    def open_() -> ReferralsPage:
        page = ReferralsPage(db, clerk)
        qtbot.addWidget(page)
        page.resize(1100, 700)
        with qtbot.waitExposed(page):
            page.show()
        page.activate()
        return page

    return open_


def test_suggestions_show_reason_badge_and_details(
        db: Database, clerk: StaffProfile, open_page: Callable[[], ReferralsPage]) -> None:
    case_id = _case(db, clerk)
    page = open_page()
    assert not page.form.isEnabled()  # no consultation yet
    assert page.show_consultation(case_id)
    assert "池尻地区" in page.consultation_label.text()
    first = page.destination_at(0)
    assert first is not None and first.name == WORK_SUPPORT
    text = page.list.item(0).text()
    assert "障害者 × 就労 → 世田谷区障害者就労支援センター" in text
    assert UNCONFIRMED_BADGE in text  # shipped contacts are not confirmed
    detail = page.detail.toPlainText()
    assert "要確認" in detail and first.description[:10] in detail
    assert "対象" in detail and "受付時間" in detail and "連絡先" in detail


def test_a_suggestion_picked_with_the_keyboard_is_recorded_with_consent(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText,
        open_page: Callable[[], ReferralsPage]) -> None:
    case_id = _case(db, clerk)
    page = open_page()
    page.show_consultation(case_id)
    second = page.destination_at(1)
    assert second is not None
    referral_service.record_destination_consent(
        db, clerk, case_id, second.service_id, purpose=Purpose.SHARE,
        entry=ConsentEntry(True, Giver.SELF, "", Method.ORAL, local_now().date()))
    page.search_edit.setFocus()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    assert page.list.currentRow() == 1
    assert second.name in page.detail.toPlainText()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert page.form.destination == second
    assert page.form.request_edit.hasFocus()

    page.form.set_method(ReferralMethod.PHONE)
    type_text(page.form.request_edit, "就労の相談をお願いします")
    for item in ("面談", "電話連絡"):  # the 依頼事項 ticked, recorded with the referral
        box = page.form.item_boxes[_item_code(item)]
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Space)
    with qtbot.waitSignal(page.form.recorded):
        qtbot.mouseClick(page.form.record_button, Qt.MouseButton.LeftButton)
    rows = referral_service.referrals_of(db, clerk, case_id)
    assert [(r.service_id, r.basis, r.method, r.request) for r in rows] == [
        (second.service_id, "consent", ReferralMethod.PHONE, "就労の相談をお願いします")]
    with db.read() as session:
        assert session.get(Referral, rows[0].referral_id).request_items == ["meeting", "phone"]
    assert page.form.request_edit.toPlainText() == ""
    assert not any(box.isChecked() for box in page.form.item_boxes.values())
    assert not page.form.consent_box.isVisible()
    # …and it is in the district's open list.
    assert page.open_panel.model.rowCount() == 1


def _item_code(label: str) -> str:
    return next(t.code for t in REQUEST_ITEMS if t.label == label)


def test_list_navigation_and_free_search_as_the_user_types(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText,
        open_page: Callable[[], ReferralsPage]) -> None:
    case_id = _case(db, clerk)
    page = open_page()
    page.show_consultation(case_id)
    page.list.setFocus()
    qtbot.keyClick(page.list, Qt.Key.Key_Down)
    qtbot.keyClick(page.list, Qt.Key.Key_Return)
    assert page.form.destination == page.destination_at(1)

    type_text(page.search_edit, "ﾋｷｺﾓﾘ")  # half-width katakana finds ひきこもり
    assert page.list.count() >= 1
    assert "リンク" in page.list.item(0).text()
    assert page.list_label.text().startswith("検索結果")
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    chosen = page.form.destination
    assert chosen is not None and "リンク" in chosen.name
    page.search_edit.clear()  # back to the suggestions
    first = page.destination_at(0)
    assert first is not None and first.name == WORK_SUPPORT


def test_without_consent_the_reason_is_shown_and_consent_recorded_on_the_spot(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText,
        open_page: Callable[[], ReferralsPage]) -> None:
    case_id = _case(db, clerk)
    page = open_page()
    page.show_consultation(case_id)
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)  # the first suggestion
    form = page.form
    type_text(form.request_edit, "面談をお願いします")
    form.record_button.click()

    assert form.consent_box.isVisible()
    reason = form.consent_reason_label.text()
    assert "同意が記録されていません" in reason and "匿名" in reason
    assert "連携シートの送付" in reason  # 連携シート手渡し needs that purpose
    assert referral_service.referrals_of(db, clerk, case_id) == []
    assert form.request_edit.toPlainText() == "面談をお願いします"  # nothing typed is lost

    # 「同意を記録してつなぐ」 opens a dialog in which nothing is chosen yet.
    form.consent_button.click()
    dialog = form.consent_dialog
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "同意を記録"
    radios = (dialog.self_radio, dialog.proxy_radio, dialog.oral_radio, dialog.written_radio)
    assert not any(r.isChecked() for r in radios) and dialog.date_edit.text() == ""
    assert not dialog.confirm_check.isVisible()  # no refusal to replace
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    problems = dialog.problems.text()
    for expected in ("同意者: 本人か代理人かを選んでください", "同意の方法: 口頭か書面かを選んでください",
                     "同意日: 入力してください"):
        assert expected in problems, problems
    assert dialog.isVisible() and referral_service.referrals_of(db, clerk, case_id) == []

    # A proxy without the relation: the service's message, nothing recorded.
    qtbot.mouseClick(dialog.proxy_radio, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.written_radio, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.today_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "代理人の続柄を入力してください" in dialog.problems.text()
    assert referral_service.referrals_of(db, clerk, case_id) == []

    _activate(qtbot, dialog)
    type_text(dialog.relation_edit, "長女")
    with qtbot.waitSignal(form.recorded):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and form.consent_dialog is None
    rows = referral_service.referrals_of(db, clerk, case_id)
    assert [(r.destination, r.basis, r.anonymised) for r in rows] == [
        (WORK_SUPPORT, "consent", False)]
    assert not form.consent_box.isVisible()
    [consent] = intake_service.consents_of(db, clerk, _person_of(db, clerk, case_id))
    assert (consent.record.giver, consent.record.giver_relation, consent.record.method) == (
        Giver.PROXY, "長女", Method.WRITTEN)


def _activate(qtbot: QtBot, window: QWidget) -> None:
    """Bring the dialog to the front, as the user's click on it does (typing goes there)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def _person_of(db: Database, actor: StaffProfile, case_id: int) -> int:
    person_id = intake_service.load_intake(db, actor, case_id).data.person_id
    assert person_id is not None
    return person_id


def test_a_recorded_refusal_is_named_and_replaced_only_by_a_confirmed_change_of_mind(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText,
        open_page: Callable[[], ReferralsPage]) -> None:
    case_id = _case(db, clerk)
    refusal_id = referral_service.record_destination_consent(
        db, clerk, case_id, _service_id(db), purpose=Purpose.SHEET,
        entry=ConsentEntry(False, Giver.SELF, "", Method.ORAL, local_now().date()))
    page = open_page()
    page.show_consultation(case_id)
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)  # the first suggestion: WORK_SUPPORT
    form = page.form
    type_text(form.request_edit, "面談をお願いします")
    form.record_button.click()
    assert form.consent_box.title() == "本人が不同意としています"
    reason = form.consent_reason_label.text()
    assert "本人が" in reason and "に不同意としています（記録: ikejiri1 職員）" in reason
    assert "同意が記録されていません" not in reason

    assert form.consent_button.text() == "本人の意思の変更を記録してつなぐ…"
    form.consent_button.click()
    dialog = form.consent_dialog
    assert dialog is not None and dialog.windowTitle() == "本人の意思の変更を記録"
    assert "この不同意は記録に残ります" in dialog.intro_label.text()
    assert dialog.confirm_check.isVisible() and not dialog.confirm_check.isChecked()
    qtbot.mouseClick(dialog.self_radio, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.oral_radio, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.today_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    problems = dialog.problems.text()
    assert "本人の意思の確認: 「本人の意思が変わったことを確認した」にチェックしてください" in problems
    assert "変更の経緯: 本人の意思が変わった経緯を入力してください" in problems
    assert referral_service.referrals_of(db, clerk, case_id) == []

    _activate(qtbot, dialog)
    dialog.confirm_check.setFocus()
    qtbot.keyClick(dialog.confirm_check, Qt.Key.Key_Space)  # tick it
    assert dialog.confirm_check.isChecked()
    type_text(dialog.note_edit, "説明を聞いたうえで、支援を受けたいと本人が話した")
    with qtbot.waitSignal(form.recorded):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert [r.basis for r in referral_service.referrals_of(db, clerk, case_id)] == ["consent"]
    records = [row.record for row in intake_service.consents_of(
        db, clerk, _person_of(db, clerk, case_id))]
    assert [(r.given, r.supersedes_id) for r in records] == [(False, None), (True, refusal_id)]
    assert records[1].change_note == "説明を聞いたうえで、支援を受けたいと本人が話した"


def test_an_anonymised_referral_when_consent_cannot_be_had(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText,
        open_page: Callable[[], ReferralsPage]) -> None:
    case_id = _case(db, clerk)
    page = open_page()
    page.show_consultation(case_id)
    page.choose_current()
    type_text(page.form.request_edit, "匿名で制度の案内をお願いします")
    page.form.record_button.click()
    assert page.form.consent_box.isVisible()
    summary = page.form.summary
    assert summary.isVisible() and summary.text() == ""  # prefilled empty
    type_text(summary.edit, "山田さん（84歳）の就労相談")
    qtbot.waitUntil(lambda: len(summary.finding_texts()) == 2)
    assert summary.finding_texts()[0].startswith("・「山田」は対象者の氏名の一部です")
    page.form.anonymised_button.click()
    assert "匿名用の概要: 「84歳」は正確な年齢です" in page.form.problems.text()
    assert referral_service.referrals_of(db, clerk, case_id) == []

    summary.edit.clear()
    type_text(summary.edit, "50歳代の男性の就労相談")
    with qtbot.waitSignal(page.form.recorded):
        page.form.anonymised_button.click()
    rows = referral_service.referrals_of(db, clerk, case_id)
    assert [(r.basis, r.anonymised) for r in rows] == [("anonymised", True)]
    text, problems = sheet_service.anonymised_summary(db, clerk, rows[0].referral_id)
    assert (text, problems) == ("50歳代の男性の就労相談", [])
    assert summary.text() == ""


def test_a_reply_is_recorded_and_listed_and_an_invalid_step_is_explained(
        qtbot: QtBot, db: Database, clerk: StaffProfile, type_text: TypeText,
        open_page: Callable[[], ReferralsPage]) -> None:
    case_id = _case(db, clerk)
    referral_id = referral_service.create_referral(db, clerk, case_id, referral_service.NewReferral(
        _service_id(db), ReferralMethod.PHONE, "就労の相談", anonymised=True))
    referral_service.change_status(db, clerk, referral_id, ReferralStatus.SENT)
    page = open_page()
    page.tabs.setCurrentWidget(page.open_panel)
    panel = page.open_panel
    assert panel.select_referral(referral_id)
    assert [panel.events_list.item(i).text() for i in range(panel.events_list.count())][-1] \
        .count("作成 → 送付済") == 1

    # 対応不可 needs a reason: the service's message, and the typed reply stays.
    panel.set_status(ReferralStatus.DECLINED)
    type_text(panel.reply_edit, "対象外です")
    panel.save_button.click()
    assert "対応不可の理由を入力してください" in panel.problems.text()
    assert panel.reply_edit.toPlainText() == "対象外です"

    panel.reply_edit.clear()
    panel.set_status(ReferralStatus.ACCEPTED)
    type_text(panel.contact_edit, "田中")
    type_text(panel.reply_edit, "受理しました。来週面談します")
    panel.save_button.click()
    [row] = referral_service.referrals_of(db, clerk, case_id)
    assert row.status is ReferralStatus.ACCEPTED
    assert row.last_reply == "先方担当者: 田中\n受理しました。来週面談します"
    events = [panel.events_list.item(i).text() for i in range(panel.events_list.count())]
    assert len(events) == 3 and "送付済 → 受理" in events[-1] and "田中" in events[-1]
    model = panel.model
    assert model.data(model.index(0, COL_STATUS)) == "受理"
    assert "受理" in page.open_panel.selected_label.text()


def test_overdue_referrals_come_first_and_are_marked(
        db: Database, clerk: StaffProfile, open_page: Callable[[], ReferralsPage]) -> None:
    case_id = _case(db, clerk)
    today = local_now().date()
    service_id = _service_id(db)
    timely = referral_service.create_referral(db, clerk, case_id, referral_service.NewReferral(
        service_id, ReferralMethod.FAX, "期限内", referred_on=today,
        reply_due=today + timedelta(days=7), anonymised=True))
    late = referral_service.create_referral(db, clerk, case_id, referral_service.NewReferral(
        service_id, ReferralMethod.FAX, "期限超過", referred_on=today - timedelta(days=20),
        reply_due=today - timedelta(days=5), anonymised=True))
    page = open_page()
    panel = page.open_panel
    model = panel.model
    assert [model.row_at(r).referral_id for r in range(model.rowCount())] == [late, timely]
    assert model.data(model.index(0, COL_OVERDUE)) == OVERDUE_MARK
    assert model.data(model.index(0, COL_OVERDUE), OVERDUE_ROLE) is True
    brush = model.data(model.index(0, COL_DESTINATION), Qt.ItemDataRole.ForegroundRole)
    assert brush.color() == QColor(OVERDUE_COLOR)
    assert model.data(model.index(1, COL_OVERDUE)) == ""
    assert model.data(model.index(1, COL_DESTINATION), Qt.ItemDataRole.ForegroundRole) is None
    assert "期限超過 1件" in panel.summary_label.text()


def test_referral_table_model_passes_the_model_tester(
        qtbot: QtBot, db: Database, clerk: StaffProfile) -> None:
    case_id = _case(db, clerk)
    referral_service.create_referral(db, clerk, case_id, referral_service.NewReferral(
        _service_id(db), ReferralMethod.POST, "書類の送付", anonymised=True))
    model = ReferralTableModel()
    tester = QAbstractItemModelTester(
        model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_rows(referral_service.open_referrals(db, clerk, "ikejiri"))
    model.set_rows([])
    model.set_rows(referral_service.open_referrals(db, clerk, "ikejiri"))
    assert model.rowCount() == 1 and model.columnCount() == len(
        [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())])
    assert model.headerData(COL_DESTINATION, Qt.Orientation.Horizontal) == "つなぎ先"
    del tester
