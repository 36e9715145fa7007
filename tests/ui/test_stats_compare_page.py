"""統計 → 比較: a supervisor sets this fiscal year beside the last (or beside two chosen dates) and
gets the PDF with both periods and the difference; the period dialog; cancelling does nothing."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot
from tests.ui.conftest import RecordCase

from setacare_desktop.domain.jpdate import fiscal_year, local_now
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.stats import Period
from setacare_desktop.services import Database, audit
from setacare_desktop.ui.stats.compare import PREVIOUS, ComparePeriodDialog
from setacare_desktop.ui.stats.page import StatsPage

MakeStaff = Callable[..., StaffProfile]


def _page(qtbot: QtBot, db: Database, actor: StaffProfile) -> StatsPage:
    page = StatsPage(db, actor)
    qtbot.addWidget(page)
    page.show()
    return page


def test_this_fiscal_year_beside_the_last(qtbot: QtBot, db: Database,
                                          staff_factory: MakeStaff,
                                          record_case: RecordCase) -> None:
    clerk = staff_factory(db, "clerk")
    record_case(db, clerk, "母の物忘れが心配", name="山田 花子")
    record_case(db, clerk, "家賃が払えない", targets=["生活困窮者"])
    page = _page(qtbot, db, staff_factory(db, "boss", role="監督者"))
    asked: list[Period] = []
    shown: list[tuple[str, bytes, str]] = []

    def choose(_parent: object, later: Period) -> str:
        asked.append(later)
        return PREVIOUS

    page.comparison.choose = choose
    page.comparison.show_pdf = lambda title, pdf, name, _c: shown.append((title, pdf, name))
    assert page.compare_button.isEnabled()  # no need to count first
    qtbot.mouseClick(page.compare_button, Qt.MouseButton.LeftButton)
    year = fiscal_year(local_now().date())
    assert asked == [Period.fiscal_year(year)]
    assert len(shown) == 1
    title, pdf, name = shown[0]
    assert "統計の比較" in title
    assert name.endswith(".pdf") and "年度" in name
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "期間の比較" in text and "0 件 → 2 件" in text and "+2" in text
    assert "山田 花子" not in text
    assert [e.action for e in audit.recent(db, 5)].count("stats") == 2


def test_cancelled_choice_counts_nothing(qtbot: QtBot, db: Database,
                                         staff_factory: MakeStaff) -> None:
    page = _page(qtbot, db, staff_factory(db, "boss", role="監督者"))
    shown: list[object] = []
    page.comparison.choose = lambda _p, _l: None
    page.comparison.show_pdf = lambda *args: shown.append(args)
    qtbot.mouseClick(page.compare_button, Qt.MouseButton.LeftButton)
    assert shown == [] and [e.action for e in audit.recent(db, 5)].count("stats") == 0


def test_the_dialog_offers_a_year_earlier_or_two_dates(qtbot: QtBot) -> None:
    dialog = ComparePeriodDialog(Period.fiscal_year(2026))
    qtbot.addWidget(dialog)
    assert dialog.previous_radio.isChecked() and "令和7年度" in dialog.previous_radio.text()
    assert dialog.choice() == PREVIOUS
    dialog.from_edit.setDate(QDate(2016, 4, 1))
    dialog.to_edit.setDate(QDate(2017, 3, 31))
    assert dialog.range_radio.isChecked()  # touching the dates chooses them
    assert dialog.choice() == Period(date(2016, 4, 1), date(2017, 3, 31))
    dialog.to_edit.setDate(QDate(2015, 1, 1))
    dialog._accept()
    assert "終了日が開始日より前" in dialog.message.text() and dialog.result() == 0
