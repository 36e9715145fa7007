"""統計: a supervisor counts the day by the widgets, looks at the tables and the chart, exports
CSV, Excel and PDF; bad periods, the administrator's districts and a clerk's refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCharts import QBarCategoryAxis, QHorizontalBarSeries
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot
from tests.ui.conftest import AddConsultation, RecordCase

from setacare_desktop.domain.jpdate import fiscal_year, local_now
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.stats import Dimension
from setacare_desktop.services import Database
from setacare_desktop.services import stats as stats_service
from setacare_desktop.ui.stats.page import (
    ALL_DISTRICTS,
    PERIOD_DAY,
    PERIOD_FISCAL_YEAR,
    PERIOD_MONTH,
    PERIOD_RANGE,
    StatsPage,
    StatsTableModel,
)

MakeStaff = Callable[..., StaffProfile]

EXPANSION_WARD = "　内、相談拡充(障害者、子育て家庭等の相談)"
EXPANSION_TARGET = "再掲 相談拡充（障害者、子育て家庭等の相談）"


def _open(qtbot: QtBot, db: Database, actor: StaffProfile) -> StatsPage:
    page = StatsPage(db, actor)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    with qtbot.waitActive(page):  # keyboard focus needs the active window
        page.show()
        page.activateWindow()
    page.activate()
    return page


def _rows(model: StatsTableModel) -> dict[str, str]:
    return {model.index(row, 0).data(): model.index(row, 1).data()
            for row in range(model.rowCount())}


def _cases(db: Database, staff_factory: MakeStaff, record_case: RecordCase,
           add_consultation: AddConsultation) -> None:
    clerk = staff_factory(db, "clerk")
    anshin = staff_factory(db, "anshin", org_kind="あんしんすこやかセンター")
    record_case(db, clerk, "母の物忘れが心配", name="山田 花子", response="助言")
    record_case(db, clerk, "家賃が払えない", targets=["生活困窮者"], response="つなぎ")
    record_case(db, anshin, "子どもの発達が気になる", name="佐藤 次郎", targets=["障害者"])
    record_case(db, anshin, "介護と障害の両方", targets=["高齢者", "障害者"],
                response="情報提供")
    add_consultation(db, clerk.staff_id, channel="home_visit", response=None)


def test_supervisor_counts_the_day_and_exports(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, record_case: RecordCase,
        add_consultation: AddConsultation, tmp_path: Path) -> None:
    _cases(db, staff_factory, record_case, add_consultation)
    supervisor = staff_factory(db, "boss", role="監督者")
    page = _open(qtbot, db, supervisor)
    today = local_now().date()

    # The fiscal year by default, with its 和暦; a district supervisor has no district choice.
    assert page.period_combo.currentIndex() == PERIOD_FISCAL_YEAR
    assert page.fiscal_year_spin.value() == fiscal_year(today)
    assert "令和" in page.fiscal_year_spin.text() and "年度" in page.fiscal_year_spin.text()
    assert not page.district_combo.isVisibleTo(page)
    assert page.scope_label.text() == "範囲: 池尻地区"
    assert not page.csv_button.isEnabled() and not page.pdf_button.isEnabled()

    # 日 with the keyboard: the day edit shows today.
    assert page.period_combo.hasFocus()
    qtbot.keyClick(page.period_combo, Qt.Key.Key_Home)
    assert page.period_combo.currentIndex() == PERIOD_DAY
    assert page.day_edit.isVisible() and not page.fiscal_year_spin.isVisible()
    assert page.day_edit.date() == QDate(today.year, today.month, today.day)
    assert f"{today.year}年{today.month}月{today.day}日" in page.period_label.text()
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)

    assert page.message_label.text() == ""
    assert "池尻地区" in page.result_label.text() and "相談件数 5件" in page.result_label.text()
    ward = _rows(page.ward_model)
    assert ward["まちづくりセンター 福祉の相談件数"] == "3"
    assert ward["あんしんすこやかセンター 相談件数"] == "2"
    assert ward[EXPANSION_WARD] == "1"
    assert ward["合計"] == "5"
    assert "相談拡充" in page.ward_note.text()
    count_index = page.ward_model.index(0, 1)
    assert int(count_index.data(Qt.ItemDataRole.TextAlignmentRole)) & int(
        Qt.AlignmentFlag.AlignRight)

    # 対象別, chosen in 集計項目 with the keyboard.
    page.dimension_list.setFocus()
    for _ in range(list(Dimension).index(Dimension.TARGET)):
        qtbot.keyClick(page.dimension_list, Qt.Key.Key_Down)
    assert page.current_dimension() is Dimension.TARGET
    rows = _rows(page.table_model)
    assert rows == {"高齢者": "2", "障害者": "1", "子ども・子育て家庭": "0", "若者": "0",
                    "生活困窮者": "1", "その他": "0", "複合": "1", "未分類": "0",
                    EXPANSION_TARGET: "1", "合計": "5"}
    assert "複合" in page.table_note.text()

    chart = page.chart_view.chart()
    series = chart.series()
    assert len(series) == 1 and isinstance(series[0], QHorizontalBarSeries)
    bars = series[0].barSets()
    assert len(bars) == 1
    values = [int(bars[0].at(i)) for i in range(bars[0].count())]
    table = page.current_table()
    assert table is not None
    # The chart lists the lines from the top: its first category (drawn at the bottom) is
    # the table's last line.
    assert values[::-1] == [line.count for line in table.lines]
    axes = [a for a in chart.axes(Qt.Orientation.Vertical) if isinstance(a, QBarCategoryAxis)]
    assert axes and axes[0].categories()[::-1] == [line.label for line in table.lines]
    assert axes[0].labelsFont().family() == page.font().family()

    # 要素別: the lines do not add up; the chart says so.
    qtbot.keyClick(page.dimension_list, Qt.Key.Key_Down)
    assert page.current_dimension() is Dimension.ELEMENT
    assert "合計" not in _rows(page.table_model)
    assert "一致しません" in chart.title() and "一致しません" in page.table_note.text()

    # CSV: counts only, never the person or the complaint.
    asked: list[tuple[str, str]] = []

    def choose(name: str, file_filter: str) -> str:
        asked.append((name, file_filter))
        return str(tmp_path / Path(name).stem)  # without the extension: the page adds it

    page.choose_save_path = choose
    qtbot.mouseClick(page.csv_button, Qt.MouseButton.LeftButton)
    day_part = f"{today.year}年{today.month}月{today.day}日"
    assert asked[-1][0] == f"相談件数_池尻地区_{day_part}.csv"
    csv_path = tmp_path / f"相談件数_池尻地区_{day_part}.csv"
    text = csv_path.read_bytes().decode("utf-8-sig")
    assert "あんしんすこやかセンター 相談件数,2" in text
    assert "相談拡充" in text and "生活困窮者,1" in text
    for secret in ("山田", "花子", "佐藤", "物忘れ", "家賃", "発達"):
        assert secret not in text
    assert page.message_label.text() == f"CSVを保存しました: {csv_path}"
    assert not list(tmp_path.glob("*.part"))

    # Excel, readable by openpyxl.
    qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
    assert asked[-1][0].endswith(".xlsx")
    book = load_workbook(tmp_path / f"相談件数_池尻地区_{day_part}.xlsx")
    sheet = book.worksheets[0]
    assert sheet.title == "区の様式"
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row}
    assert cells["あんしんすこやかセンター 相談件数"] == 2
    assert cells["まちづくりセンター 福祉の相談件数"] == 3

    # PDF: to the preview.
    shown: list[tuple[str, bytes, str]] = []
    page.show_pdf = lambda title, pdf, name: shown.append((title, pdf, name))
    qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    assert len(shown) == 1
    assert shown[0][1].startswith(b"%PDF")
    assert shown[0][2] == f"相談件数_池尻地区_{day_part}.pdf"

    # Enter in the period controls counts again: yesterday had nothing.
    page.day_edit.setDate(page.day_edit.date().addDays(-1))
    page.day_edit.setFocus()
    qtbot.keyClick(page.day_edit, Qt.Key.Key_Return)
    assert "相談件数 0件" in page.result_label.text()
    assert page.current_dimension() is Dimension.ELEMENT  # the choice is kept


def test_range_with_start_after_end_is_refused_and_kept(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff) -> None:
    supervisor = staff_factory(db, "boss", role="監督者")
    page = _open(qtbot, db, supervisor)
    qtbot.keyClick(page.period_combo, Qt.Key.Key_End)
    assert page.period_combo.currentIndex() == PERIOD_RANGE
    assert page.from_edit.isVisible() and page.to_edit.isVisible()
    start, end = QDate(2026, 6, 30), QDate(2026, 6, 1)
    page.from_edit.setDate(start)
    page.to_edit.setDate(end)
    assert "期間" in page.period_label.text()
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)

    message = page.message_label.text()
    assert message.startswith("期間:") and "開始日" in message and "終了日" in message
    assert page.message_label.isVisible() and "#b00020" in page.message_label.styleSheet()
    assert page.from_edit.date() == start and page.to_edit.date() == end
    assert page.report is None and not page.csv_button.isEnabled()

    # Corrected, it counts (an empty June).
    page.to_edit.setDate(QDate(2026, 7, 31))
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    assert page.message_label.text() == "" and not page.message_label.isVisible()
    assert page.report is not None and page.report.total == 0
    assert page.csv_button.isEnabled()


def test_administrator_chooses_among_every_district(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, record_case: RecordCase) -> None:
    clerk = staff_factory(db, "clerk")
    record_case(db, clerk, "母の物忘れが心配")
    admin = staff_factory(db, "admin", role="管理者", place="世田谷", org_kind="総合支所")
    page = _open(qtbot, db, admin)
    combo = page.district_combo
    assert combo.isVisible()
    assert combo.count() == 29
    assert combo.itemText(0) == ALL_DISTRICTS
    assert combo.itemText(1) == "池尻地区"

    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    assert page.report is not None and page.report.scope_label == "世田谷区全体（28地区）"
    assert page.report.total == 1
    page.select_dimension(Dimension.DISTRICT)
    assert page.table_model.rowCount() == 28 + 1  # every district and 合計

    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == "池尻地区"
    qtbot.keyClick(combo, Qt.Key.Key_Return)  # Enter counts
    assert page.report.scope_label == "池尻地区"
    assert _rows(page.table_model) == {"池尻": "1", "合計": "1"}


def test_area_branch_supervisor_chooses_among_the_area(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff) -> None:
    branch = staff_factory(db, "branch", role="監督者", place="世田谷", org_kind="総合支所")
    page = _open(qtbot, db, branch)
    assert page.district_combo.isVisible()
    assert page.district_combo.count() == 1 + 7
    assert page.district_combo.itemText(0) == ALL_DISTRICTS


def test_counter_clerk_is_refused(qtbot: QtBot, db: Database,
                                  staff_factory: MakeStaff) -> None:
    clerk = staff_factory(db, "clerk")
    page = _open(qtbot, db, clerk)
    qtbot.mouseClick(page.compute_button, Qt.MouseButton.LeftButton)
    assert page.message_label.text() == stats_service.REFUSAL
    assert page.report is None
    assert not page.csv_button.isEnabled() and not page.pdf_button.isEnabled()


def test_month_and_fiscal_year_periods(qtbot: QtBot, db: Database,
                                       staff_factory: MakeStaff) -> None:
    supervisor = staff_factory(db, "boss", role="監督者")
    page = _open(qtbot, db, supervisor)
    page.fiscal_year_spin.setValue(2019)
    assert "令和元年度" in page.fiscal_year_spin.text()
    assert page.period().start.isoformat() == "2019-04-01"
    qtbot.keyClick(page.period_combo, Qt.Key.Key_Up)
    assert page.period_combo.currentIndex() == PERIOD_MONTH
    assert page.month_edit.isVisible()
    page.month_edit.setDate(QDate(2026, 2, 14))
    period = page.period()
    assert (period.start.isoformat(), period.end.isoformat()) == ("2026-02-01", "2026-02-28")
    assert period.end - period.start == timedelta(days=27)
    assert "令和8年2月" in page.period_label.text()
