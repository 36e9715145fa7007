"""The 相談者 and やること areas driven as a clerk does (offscreen, SQLite), with the privacy
suite's district: the 児童館 clerk never reads a masked person's name on either page, in the
household list or in the duplicate panel; each page read leaves its audit row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from tests.privacy.conftest import (
    CONSENTED,
    DAY,
    REFUSED,
    World,
    assert_hidden,
    build_world,
    widget_texts,
)
from tests.ui.conftest import ime_commit

from setacare_desktop.domain.continuity import HouseholdInput
from setacare_desktop.domain.referral import ReferralStatus
from setacare_desktop.services import Database, StaffProfile, households
from setacare_desktop.store.models import AuditEvent, DirService, Referral
from setacare_desktop.ui import operations
from setacare_desktop.ui.followups.page import FollowupsPage
from setacare_desktop.ui.main_window import MainWindow
from setacare_desktop.ui.navigation import AREA_FOLLOWUPS, AREA_PERSON
from setacare_desktop.ui.person.page import PersonPage

pytestmark = pytest.mark.gui


@pytest.fixture
def world(db: Database, staff_factory: Callable[..., StaffProfile],
          monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(operations, "synchronous", True)
    return build_world(db, staff_factory)


def window_of(qtbot: QtBot, world: World, login: str) -> MainWindow:
    window = MainWindow(world.db, getattr(world, login))
    window.confirm_discard = lambda _title: True
    qtbot.addWidget(window)
    with qtbot.waitActive(window):  # typing goes to the focused widget of the active window
        window.show()
        window.activateWindow()
    return window


def audited(world: World, action: str, login: str) -> list[str | None]:
    with world.db.read() as session:
        return [e.entity_id for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.login == login))]


def overdue_referral(world: World, key: str) -> None:
    with world.db.transaction() as session:
        service_id = session.scalar(select(DirService.id).order_by(DirService.id).limit(1))
        session.add(Referral(
            consultation_id=world.ids[key], service_id=service_id, referred_on=DAY,
            method="phone", request="訪問依頼", staff_id=world.taker.staff_id,
            reply_due=DAY + timedelta(days=3), status=ReferralStatus.SENT.value,
            anonymised=False, basis="consent"))


def test_the_clerk_finds_a_person_opens_the_page_and_opens_support(
        qtbot: QtBot, world: World) -> None:
    window = window_of(qtbot, world, "taker")
    window.show_area(AREA_PERSON)
    page = window.pages[AREA_PERSON]
    assert isinstance(page, PersonPage)
    ime_commit(page.name_edit, "鷹司")
    qtbot.mouseClick(page.find_button, Qt.MouseButton.LeftButton)
    assert page.results.count() == 1 and REFUSED.name in page.results.item(0).text()
    rect = page.results.visualItemRect(page.results.item(0))
    qtbot.mouseClick(page.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.title_label.text() == f"{REFUSED.name}（{REFUSED.reading}）"
    assert page.consultations.item(0, 4).text() == REFUSED.complaint
    assert page.tabs.tabText(2) == "同意（3）"
    assert audited(world, "person_page_view", "taker") == [str(world.persons["refused"])]
    ime_commit(page.reason_edit, "夜間の徘徊を見守る")
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert "継続支援中" in page.continuity_label.text()
    assert "taker 職員" in page.continuity_label.text()
    assert page.close_button.isEnabled()
    # Double-clicking a consultation opens it in 受付.
    opened: list[int] = []
    page.open_consultation.disconnect()
    page.open_consultation.connect(opened.append)
    page.consultations.cellDoubleClicked.emit(0, 0)
    assert opened == [world.ids["refused"]]


def test_another_organisation_reads_no_masked_name_on_the_person_page(
        qtbot: QtBot, world: World) -> None:
    households.link_household(world.db, world.taker, world.persons["consented"] or 0,
                              world.persons["refused"] or 0, HouseholdInput("母", True, ("8050",)))
    window = window_of(qtbot, world, "viewer")
    page = window.pages[AREA_PERSON]
    assert isinstance(page, PersonPage)
    ime_commit(page.name_edit, REFUSED.name)
    qtbot.mouseClick(page.find_button, Qt.MouseButton.LeftButton)
    assert page.results.count() == 0
    page.name_edit.clear()  # the clerk's own typing; nothing of the record may be beside it
    assert not page.show_person(world.persons["refused"] or 0)
    assert "同意がないため表示できません" in page.person_label.text()
    assert_hidden(widget_texts(page), REFUSED)
    assert page.show_person(world.persons["consented"] or 0)
    assert page.households.table.item(0, 1).text() == "T.S.（80歳代）（同意なし）"
    assert_hidden(widget_texts(page), REFUSED)
    # Refused after a page was open: nothing of the previous page stays, not even its counts.
    assert not page.show_person(world.persons["refused"] or 0)
    assert page.households.table.rowCount() == 0 and page.tabs.tabText(0) == "相談"
    assert audited(world, "person_page_view", "viewer") == [str(world.persons["consented"])]
    # The duplicate panel shows the household line, never the other person's name.
    intake = window.intake_page
    assert intake is not None
    intake.new_intake(ask=False)
    ime_commit(intake.name_edit, CONSENTED.name)
    intake.lookup_duplicates()
    text = intake.duplicate_panel.list.item(0).text()
    assert "世帯: 母（同居）・8050" in text
    assert_hidden(widget_texts(intake.duplicate_panel), REFUSED)
    # 「相談者ページ」 opens the candidate's page in 相談者.
    qtbot.mouseClick(intake.duplicate_panel.page_button, Qt.MouseButton.LeftButton)
    assert window.current_area() == AREA_PERSON
    assert page.title_label.text().startswith(CONSENTED.name)


def test_followups_show_a_count_on_the_navigation_and_a_reminder(
        qtbot: QtBot, world: World) -> None:
    overdue_referral(world, "refused")
    window = window_of(qtbot, world, "taker")
    item = window.navigation.item(window.areas.index(AREA_FOLLOWUPS))
    assert item.text() == "やること（1）"
    qtbot.waitUntil(lambda: "やることが1件あります" in window.statusBar().currentMessage())
    window.show_area(AREA_FOLLOWUPS)
    page = window.pages[AREA_FOLLOWUPS]
    assert isinstance(page, FollowupsPage)
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == "返信期限超過"
    assert page.table.item(0, 3).text() == REFUSED.name
    assert audited(world, "followup_list", "taker")
    # The 児童館 clerk has nothing of the あんしんすこやかセンター's to do.
    other = window_of(qtbot, world, "viewer")
    assert other.navigation.item(other.areas.index(AREA_FOLLOWUPS)).text() == "やること"
    other.show_area(AREA_FOLLOWUPS)
    viewer_page = other.pages[AREA_FOLLOWUPS]
    viewer_page.scope_combo.setCurrentIndex(1)
    assert isinstance(viewer_page, FollowupsPage) and viewer_page.table.rowCount() == 0
    assert_hidden(widget_texts(viewer_page), REFUSED)
