"""操作記録 in the window, driven as a supervisor does: open it from the navigation, read the chain's
state, filter by a staff member, see the flagged row coloured and explained, show only flagged
rows, save the CSV; and the warning after login when the trail was tampered with."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.services import Database, PermissionDeniedError, StaffProfile, audit
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.ui.audit import AuditPage
from setacare_desktop.ui.audit.chain_check import BROKEN_TEXT
from setacare_desktop.ui.audit.model import COL_FLAGS, COL_STAFF, FLAG_BACKGROUND
from setacare_desktop.ui.main_window import AREA_AUDIT, MainWindow

TypeText = Callable[[QWidget, str], None]  # the ``type_text`` fixture (tests/ui/conftest.py)

MakeStaff = Callable[..., StaffProfile]


@pytest.fixture
def boss(db: Database, staff_factory: MakeStaff) -> StaffProfile:
    clerk = staff_factory(db, "clerk", org_kind="あんしんすこやかセンター")
    other = staff_factory(db, "other", place="太子堂")
    saved = intake_svc.record_intake(db, clerk, IntakeInput(
        received_at="R8.11.24 10:30", channel="来所", consulter_kind="本人",
        main_complaint="物忘れが心配", target_groups=["高齢者"],
        person=PersonInput(name="山田 花子")))
    intake_svc.load_intake(db, clerk, saved.consultation_id)
    with pytest.raises(PermissionDeniedError):  # taishido's clerk tries an ikejiri case
        intake_svc.load_intake(db, other, saved.consultation_id)
    return staff_factory(db, "boss", role="監督者")


def _open(qtbot: QtBot, db: Database, profile: StaffProfile) -> MainWindow:
    window = MainWindow(db, profile)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _open_audit(qtbot: QtBot, window: MainWindow) -> AuditPage:
    item = window.navigation.item(window.areas.index(AREA_AUDIT))
    qtbot.mouseClick(window.navigation.viewport(), Qt.MouseButton.LeftButton,
                     pos=window.navigation.visualItemRect(item).center())
    page = window.stack.currentWidget()
    assert isinstance(page, AuditPage)
    return page


def _tamper(db: Database) -> None:
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        connection.exec_driver_sql("DELETE FROM audit_event WHERE id = 3")


def test_a_supervisor_filters_the_trail_and_sees_the_flagged_row(
        qtbot: QtBot, db: Database, boss: StaffProfile, type_text: TypeText,
        tmp_path: Path) -> None:
    window = _open(qtbot, db, boss)
    page = _open_audit(qtbot, window)
    assert "改ざんは見つかりませんでした" in page.chain_label.text()
    assert page.model.rowCount() > 0  # today's trail, listed when first shown

    type_text(page.staff_edit, "other")
    qtbot.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.proxy.rowCount() == 1
    assert page.summary_label.text().startswith("池尻地区 ／ ")
    assert "1 件（うち注意 1 件）" in page.summary_label.text()
    flags = page.proxy.index(0, COL_FLAGS)
    assert flags.data() == "権限外の操作（拒否）"
    assert flags.data(Qt.ItemDataRole.ToolTipRole) == "権限のない操作（拒否された）"
    assert page.proxy.index(0, COL_STAFF).data() == "other 職員（other）"
    background = page.proxy.index(0, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert isinstance(background, QBrush) and background.color().name() == FLAG_BACKGROUND

    page.staff_edit.clear()
    qtbot.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.proxy.rowCount() > 1
    qtbot.mouseClick(page.flagged_check, Qt.MouseButton.LeftButton)
    shown = [page.proxy.index(row, COL_FLAGS).data() for row in range(page.proxy.rowCount())]
    assert shown and all(shown)  # only flagged rows, each saying why
    assert "権限外の操作（拒否）" in shown

    target = tmp_path / "kiroku.csv"
    page.choose_save_path = lambda _suggested: str(target)
    qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows[0][0] == "記録No." and any(r[9] == "権限のない操作（拒否された）" for r in rows)
    actions = [e.action for e in audit.recent(db, 3)]
    assert actions[0] == "audit_export" and "audit_list" in actions

    _tamper(db)
    qtbot.mouseClick(page.recheck_button, Qt.MouseButton.LeftButton)
    assert "改ざんの疑い（削除）" in page.chain_label.text()
    assert "No.2 と No.4 の間" in page.chain_label.text()


def test_a_bad_person_id_is_named(qtbot: QtBot, db: Database, boss: StaffProfile,
                                  type_text: TypeText) -> None:
    page = _open_audit(qtbot, _open(qtbot, db, boss))
    type_text(page.person_edit, "abc")
    qtbot.mouseClick(page.show_button, Qt.MouseButton.LeftButton)
    assert page.message_label.isVisible()
    assert page.message_label.text() == "対象者ID: 数字で入力してください"


def test_the_window_warns_after_login_when_the_trail_was_tampered_with(
        qtbot: QtBot, db: Database, boss: StaffProfile, staff_factory: MakeStaff) -> None:
    clerk = staff_factory(db, "clerk2")
    _tamper(db)
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM audit_event WHERE id = 3")
                                  ).scalar() == 0
    window = _open(qtbot, db, clerk)  # any staff member is told
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert [b.text() for b in boxes] == [BROKEN_TEXT]
    assert "No.2 と No.4 の間の記録が削除されています" in boxes[0].informativeText()
    assert "改ざんの疑い（削除）" in window.statusBar().currentMessage()
    boxes[0].accept()
