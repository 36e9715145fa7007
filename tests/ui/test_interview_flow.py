"""The counter's flow follows the interview: an opened case says who recorded it, a problem is
listed once, lists show 和暦 dates, the sheet list says who a sheet is for, the window comes
back as it was left."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from setacare_desktop.domain.consent import Giver
from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput, validate
from setacare_desktop.domain.jpdate import local_now, wareki_short
from setacare_desktop.domain.referral import ReferralMethod
from setacare_desktop.services import Database, StaffProfile, audit
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services import referrals as referral_service
from setacare_desktop.store.models import DirService
from setacare_desktop.ui.dates import date_edit
from setacare_desktop.ui.intake import IntakePage
from setacare_desktop.ui.main_window import AREA_REFERRALS, MainWindow
from setacare_desktop.ui.referrals.table_model import (
    COL_CONSULTATION,
    COL_PERSON,
    COL_REFERRED_ON,
    REFERRAL_HEADERS,
)
from setacare_desktop.ui.sheets import SheetsPage
from setacare_desktop.ui.table_models import COL_COMPLAINT, COL_ORGANISATION
from setacare_desktop.ui.today_page import TodayPage
from setacare_desktop.ui.window_layout import GEOMETRY_KEY

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]
RecordCase = Callable[..., int]


def test_wareki_short_form() -> None:
    assert wareki_short(date(2026, 11, 24)) == "R8.11.24"
    assert wareki_short(date(2019, 5, 1)) == "R1.5.1"
    assert wareki_short(date(2019, 4, 30)) == "H31.4.30"
    assert wareki_short(date(1989, 1, 7)) == "S64.1.7"
    assert wareki_short(date(1912, 7, 30)) == "T1.7.30"
    assert wareki_short(date(1912, 7, 29)) == "M45.7.29"


def test_an_opened_case_shows_who_recorded_it_not_who_reads_it(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, record_case: RecordCase) -> None:
    recorder = staff_factory(db, "ikejiri1")
    reader = staff_factory(db, "ikejiri2", role="相談員")
    case_id = record_case(db, recorder, "物忘れが心配", name="世田谷 花子", reading="せたがや はなこ")
    page = IntakePage(db, reader)
    qtbot.addWidget(page)
    assert page.staff_label.text() == reader.name
    assert page.open_case(case_id)
    assert page.staff_label.text() == recorder.name == "ikejiri1 職員"
    assert page.organisation_label.text() == recorder.organisation_name
    page.new_intake(ask=False)
    assert page.staff_label.text() == reader.name


def test_a_problem_found_for_each_consent_is_listed_once(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff) -> None:
    clerk = staff_factory(db, "ikejiri1")
    page = IntakePage(db, clerk)
    qtbot.addWidget(page)
    recipients = intake_service.consent_recipients(db, "ikejiri")[:4]
    data = IntakeInput(
        received_at="2026-11-24 10:00", channel="電話", consulter_kind="本人", district="ikejiri",
        main_complaint="物忘れ", target_groups=["高齢者"], person=PersonInput(name="世田谷 花子"),
        consents=[ConsentInput(r.key, giver=Giver.PROXY.value) for r in recipients])
    _valid, problems = validate(data, now=datetime(2026, 11, 24, 12, 0))
    assert len(problems) == 4  # the same problem, once per consent
    page.problems.show(problems, focus=False)
    assert page.save_button.text() == "保存（要修正 1件）"
    assert page.summary_label.text().count("代理人の場合は本人との関係") == 1


def test_the_sheet_list_shows_the_person_and_the_consultation(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, record_case: RecordCase) -> None:
    clerk = staff_factory(db, "ikejiri1")
    case_id = record_case(db, clerk, "見守りの相談", name="世田谷 花子", reading="せたがや はなこ")
    service_id = referral_service_id(db)
    referral_service.create_referral(db, clerk, case_id, referral_service.NewReferral(
        service_id, ReferralMethod.POST, "訪問をお願いします", anonymised=True,
        anonymised_summary="80歳代の女性。物忘れの相談。"))
    page = SheetsPage(db, clerk)
    qtbot.addWidget(page)
    page.show()
    page.activate()
    model = page.model
    assert model.rowCount() == 1
    assert REFERRAL_HEADERS[COL_PERSON] == "氏名"
    assert model.index(0, COL_PERSON).data() == "世田谷 花子"
    assert model.index(0, COL_CONSULTATION).data() == str(case_id)
    listed = audit.recent(db, 1)[0]  # the names read are audited (field names only)
    assert (listed.action, listed.fields) == ("referral_list", ["person.name"])
    referred = model.index(0, COL_REFERRED_ON).data()
    assert referred.startswith("R") and "-" not in referred


def referral_service_id(db: Database) -> int:
    with db.read() as session:
        found = session.scalar(select(DirService.id).order_by(DirService.id).limit(1))
    assert found is not None
    return found


def test_the_main_window_opens_maximised_then_as_it_was_left(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff) -> None:
    clerk = staff_factory(db, "ikejiri1")
    assert QSettings().value(GEOMETRY_KEY) is None  # a temporary settings folder per test
    first = MainWindow(db, clerk)
    qtbot.addWidget(first)
    assert first.windowState() & Qt.WindowState.WindowMaximized
    first.setWindowState(Qt.WindowState.WindowNoState)
    first.show()
    # A height the test screen (800×600) holds; the width follows the fonts (Qt keeps a
    # restored window on the screen, so only the height is compared exactly).
    left_height = first.minimumSizeHint().height() + 7
    first.setGeometry(0, 0, first.minimumSizeHint().width(), left_height)
    first.show_area(AREA_REFERRALS)
    splitter = first.pages[AREA_REFERRALS].findChildren(QSplitter)[0]
    splitter.setSizes([250, 700])
    sizes = splitter.sizes()
    first.close()
    assert QSettings().value(GEOMETRY_KEY) is not None
    second = MainWindow(db, clerk)
    qtbot.addWidget(second)
    assert not second.windowState() & Qt.WindowState.WindowMaximized
    assert second.height() == left_height
    second.show()
    second.show_area(AREA_REFERRALS)
    assert second.pages[AREA_REFERRALS].findChildren(QSplitter)[0].sizes() == sizes
    second.leave()


def test_a_date_input_without_a_day_shows_today_not_2000(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    edit = date_edit(parent, "回答期限")
    edit.setEnabled(False)
    assert edit.date().toPython() == local_now().date()
    assert "2000年" not in edit.text()


def test_the_complaint_takes_the_room_and_the_organisation_gives_way(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, record_case: RecordCase) -> None:
    clerk = staff_factory(db, "ikejiri1", role="相談員", org_kind="あんしんすこやかセンター")
    record_case(db, clerk, "一人暮らしの母の物忘れが進み、火の始末が心配。介護保険の申請方法を"
                "知りたい", name="世田谷 花子")
    page = TodayPage(db, clerk)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    qtbot.waitExposed(page)
    page.activate()
    assert page.model.rowCount() == 1
    header = page.table.horizontalHeader()
    char = QFontMetrics(page.table.font()).horizontalAdvance("あ")
    organisation = page.model.index(0, COL_ORGANISATION)
    assert organisation.data() == "池尻あんしんすこやかセンター"
    assert organisation.data(Qt.ItemDataRole.ToolTipRole) == organisation.data()
    assert header.sectionSize(COL_ORGANISATION) <= char * 8
    assert header.sectionResizeMode(COL_COMPLAINT) is QHeaderView.ResizeMode.Stretch
    assert header.sectionSize(COL_COMPLAINT) > 3 * header.sectionSize(COL_ORGANISATION)
