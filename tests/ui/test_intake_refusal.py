"""A refusal at the intake stands: 「すべて同意」 passes it by, a ticked 同意 over it is refused by
name, and the change of mind is recorded apart (from the refusal chosen in the records), with the
refusal kept in the history."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from test_intake_form import existing_intake, open_page  # noqa: F401 - a fixture

from setacare_desktop.domain.consent import Purpose
from setacare_desktop.domain.intake import ConsentInput
from setacare_desktop.services import Database, StaffProfile, ValidationError
from setacare_desktop.services import intake as svc
from setacare_desktop.ui.intake import IntakePage

pytestmark = pytest.mark.gui

TypeText = Callable[[QWidget, str], None]


def _refused_case(db: Database, clerk: StaffProfile) -> tuple[int, str]:
    jidokan = next(r.key for r in svc.consent_recipients(db, "ikejiri") if "児童館" in r.name)
    saved = svc.record_intake(db, clerk, existing_intake(
        consents=[ConsentInput(jidokan, Purpose.SHARE.value, given=False)]))
    return saved.consultation_id, jidokan


def test_a_tick_of_consent_over_a_refusal_is_refused_by_name(
        db: Database, staff_factory: Callable[..., StaffProfile]) -> None:
    clerk = staff_factory(db, "clerk")
    case_id, jidokan = _refused_case(db, clerk)
    loaded = svc.load_intake(db, clerk, case_id).data
    amended = existing_intake(person_id=loaded.person_id,
                              consents=[ConsentInput(jidokan, Purpose.SHARE.value)])
    with pytest.raises(ValidationError) as caught:
        svc.amend_intake(db, clerk, case_id, amended, expected_version=1)
    [problem] = caught.value.problems
    assert problem.field == "consents"
    assert "児童館（情報共有）: 本人が令和8年11月20日に不同意としています（記録: clerk 職員）" in problem.message
    assert "「意思の変更を記録…」" in problem.message


def test_the_change_of_mind_is_recorded_apart_and_the_refusal_stays(
        qtbot: QtBot, db: Database, staff_factory: Callable[..., StaffProfile],
        open_page: Callable[[StaffProfile], IntakePage], type_text: TypeText) -> None:  # noqa: F811
    clerk = staff_factory(db, "clerk")
    case_id, jidokan = _refused_case(db, clerk)
    page = open_page(clerk)
    assert page.open_case(case_id)
    panel = page.consent_panel
    assert panel.standing_refusal(jidokan, Purpose.SHARE) is not None

    panel.all_button.click()  # the one click passes the refusal by
    assert panel.box(jidokan, Purpose.SHARE).decision() is None
    assert panel.box(jidokan, Purpose.SHEET).decision() is True
    assert panel.refusal_note.isVisible() and "不同意の記録がある関係先は変えていません" in (
        panel.refusal_note.text())

    tree = panel.existing_tree
    assert tree.topLevelItem(0).text(2) == "不同意"
    assert not panel.change_button.isEnabled()
    tree.setCurrentItem(tree.topLevelItem(0))
    assert panel.change_button.isEnabled()
    panel.change_button.click()
    dialog = page.link.change_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "本人の意思の変更を記録"
    assert "この不同意は記録に残ります" in dialog.intro_label.text()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    for expected in ("同意者: 本人か代理人かを選んでください", "同意の方法: 口頭か書面かを選んでください",
                     "同意日: 入力してください", "本人の意思の確認", "変更の経緯"):
        assert expected in dialog.problems.text(), dialog.problems.text()

    qtbot.mouseClick(dialog.self_radio, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.written_radio, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.today_button, Qt.MouseButton.LeftButton)
    dialog.confirm_check.setFocus()
    qtbot.keyClick(dialog.confirm_check, Qt.Key.Key_Space)
    type_text(dialog.note_edit, "児童館の支援内容の説明を聞き、共有してよいと本人が話した")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    records = [row.record for row in panel.existing()]
    assert [(r.given, r.supersedes_id is not None) for r in records] == [(False, False),
                                                                          (True, True)]
    assert tree.topLevelItemCount() == 2 and panel.standing_refusal(jidokan, Purpose.SHARE) is None
    assert svc.sharing_decision(db, clerk, case_id, jidokan, Purpose.SHARE).allowed
