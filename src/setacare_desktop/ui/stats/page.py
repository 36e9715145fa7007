"""統計: a supervisor (their district or area) or an administrator (the ward) counts the
consultations of a day, a month, a fiscal year or any range, and exports the report.

The page shows counts only (``services.stats``): first the ward's yearly layout (区の様式), then
one table at a time, chosen in 「集計項目」, with its bar chart beside it. Keyboard first: the
period controls come first in the tab order, Enter in them runs 集計, and every control has a
mnemonic. The path chooser and the PDF preview are attributes, replaceable in tests.

A CSV, Excel or PDF file replaces an existing one only after the user confirmed it (the save
dialog's own question, or :func:`ui.overwrite.confirm_overwrite` where the page added the
extension), and is audited (``stats_export``) only once written (``services.stats.export_file``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain import roles
from setacare_desktop.domain.jpdate import fiscal_year, local_now, to_wareki
from setacare_desktop.domain.reference import DISTRICTS_BY_CODE
from setacare_desktop.domain.roles import Role
from setacare_desktop.domain.stats import Dimension, Period, StatsReport, StatsTable
from setacare_desktop.services import Database, StaffProfile, stats_compare
from setacare_desktop.services import stats as stats_service
from setacare_desktop.services.files import FileError
from setacare_desktop.ui.dates import date_edit, qdate
from setacare_desktop.ui.operations import Operation, Progress
from setacare_desktop.ui.overwrite import confirm_overwrite, save_target
from setacare_desktop.ui.page import Page, heading
from setacare_desktop.ui.stats.compare import Comparison

# The period kinds, in the order of the 「期間」 combo.
PERIOD_DAY = 0
PERIOD_MONTH = 1
PERIOD_FISCAL_YEAR = 2
PERIOD_RANGE = 3
PERIOD_KINDS = ("日", "月", "年度", "期間指定")

ALL_DISTRICTS = "すべて"
CSV_FILTER = "CSV ファイル (*.csv)"
XLSX_FILTER = "Excel ブック (*.xlsx)"
ERROR_STYLE = "color: #b00020;"
BAR_COLOR = "#3b6ea8"
MIN_YEAR = 2000
MAX_YEAR = 2100
NOT_COMPUTED = "期間を選んで「集計」を押してください。"
NO_LINES = "（該当なし）"

#: The role of a cell that gives its raw value (the count as an int, the line's indent).
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1

AnyIndex = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def fiscal_year_wareki(year: int) -> str:
    """「令和8年度」 for 2026 (a fiscal year takes the era of its May: FY2019 is 令和元年度)."""
    return to_wareki(date(year, 5, 1)).partition("年")[0] + "年度"


def period_file_part(period: Period) -> str:
    """The period in a file name: 「2026年度」, 「2026年11月」, 「2026年11月24日」 or a range."""
    start, end = period.start, period.end
    if period == Period.fiscal_year(start.year):
        return f"{start.year}年度"
    if start.day == 1 and period == Period.month(start.year, start.month):
        return f"{start.year}年{start.month}月"
    if start == end:
        return f"{start.year}年{start.month}月{start.day}日"
    return f"{start:%Y%m%d}-{end:%Y%m%d}"


def suggested_name(report: StatsReport, extension: str) -> str:
    """「相談件数_池尻地区_2026年度.csv」 (the scope without its 「（28地区）」)."""
    scope = re.sub(r"（[^）]*）", "", report.scope_label).strip()
    parts = ["相談件数", *([scope] if scope else []), period_file_part(report.period)]
    name = "_".join(parts)
    name = re.sub(r'[\\/:*?"<>|]', "・", name)  # never a path separator in a suggested name
    return f"{name}.{extension}"


def count_text(count: int) -> str:
    return f"{count:,}"


class StatsTableModel(QAbstractTableModel):
    """One table of the report: 区分 | 件数, うち lines indented, a bold 合計 row when the lines
    add up to one."""

    def __init__(self, first_header: str = "区分", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = (first_header, "件数")
        #: (label, count, indent, is_total)
        self._rows: list[tuple[str, int, int, bool]] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_table(self, table: StatsTable | None) -> None:
        self.beginResetModel()
        self._rows = []
        if table is not None:
            self._rows = [(line.label, line.count, line.indent, False) for line in table.lines]
            if table.total is not None:
                self._rows.append(("合計", table.total, 0, True))
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else 2

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < 2):
            return self._headers[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        label, count, indent, is_total = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return "　" * indent + label if column == 0 else count_text(count)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and is_total:
            return self._bold
        if role == COUNT_ROLE:
            return count if column == 1 else indent
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{label} {count_text(count)}件" if column == 1 else label
        return None


def _table_view(model: QAbstractTableModel, name: str, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)  # Tab leaves the table
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
    header.resizeSection(1, view.fontMetrics().horizontalAdvance("0") * 10 + 24)
    return view


def _nice_step(maximum: int) -> int:
    """A tick interval of 1, 2 or 5 × 10ⁿ giving about five ticks up to ``maximum``."""
    rough = max(1.0, maximum / 5)
    magnitude = 1
    while magnitude * 10 <= rough:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= rough:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


class FiscalYearSpinBox(QSpinBox):
    """A fiscal year shown with its 和暦: 「2026年度（令和8年度）」."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(MIN_YEAR, MAX_YEAR)
        self.setKeyboardTracking(False)
        self.valueChanged.connect(self._show_era)
        self._show_era(self.value())

    def _show_era(self, year: int) -> None:
        self.setSuffix(f"年度（{fiscal_year_wareki(year)}）")


class StatsPage(Page):
    """Counts of consultations in the staff member's scope, by period, with exports."""

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.report: StatsReport | None = None
        #: Asks where to save (suggested file name, file filter) → path, "" to cancel. Tests
        #: may replace it.
        self.choose_save_path: Callable[[str, str], str] = self._choose_save_path
        #: Shows a PDF to print (title, pdf, file name). Tests may replace it.
        self.show_pdf: Callable[[str, bytes, str], None] = self._show_pdf
        #: Asks whether an existing file may be replaced. Tests may replace it.
        self.confirm_overwrite: Callable[[Path], bool] = self._confirm_overwrite
        self._shown_report: StatsReport | None = None

        today = local_now().date()
        # --- the period and the scope ---
        self.controls = QWidget(self)
        self.period_combo = QComboBox(self.controls)
        self.period_combo.addItems(PERIOD_KINDS)
        self.period_combo.setAccessibleName("期間の種類")
        period_label = QLabel("期間(&T)", self.controls)
        period_label.setBuddy(self.period_combo)

        self.period_stack = QStackedWidget(self.controls)
        self.day_edit = date_edit(self.controls, "集計する日")
        self.month_edit = date_edit(self.controls, "集計する月", display="yyyy年M月",
                                    calendar=False)
        self.fiscal_year_spin = FiscalYearSpinBox(self.controls)
        self.fiscal_year_spin.setAccessibleName("集計する年度")
        self.from_edit = date_edit(self.controls, "期間の開始日", display="yyyy年M月d日")
        self.to_edit = date_edit(self.controls, "期間の終了日", display="yyyy年M月d日")
        for edit in (self.day_edit, self.month_edit, self.from_edit, self.to_edit):
            edit.setDateRange(QDate(MIN_YEAR, 1, 1), QDate(MAX_YEAR, 12, 31))
            edit.setDate(qdate(today))
        this_year = fiscal_year(today)
        self.fiscal_year_spin.setValue(this_year)
        self.from_edit.setDate(qdate(date(this_year, 4, 1)))

        day_page = self._labelled("日付(&D)", self.day_edit)
        month_page = self._labelled("月(&M)", self.month_edit)
        year_page = self._labelled("年度(&Y)", self.fiscal_year_spin)
        range_page = QWidget(self.period_stack)
        range_layout = QHBoxLayout(range_page)
        range_layout.setContentsMargins(0, 0, 0, 0)
        from_label = QLabel("開始日(&S)", range_page)
        from_label.setBuddy(self.from_edit)
        to_label = QLabel("〜 終了日(&E)", range_page)
        to_label.setBuddy(self.to_edit)
        for widget in (from_label, self.from_edit, to_label, self.to_edit):
            range_layout.addWidget(widget)
        range_layout.addStretch(1)
        for page in (day_page, month_page, year_page, range_page):
            self.period_stack.addWidget(page)

        self.district_combo = QComboBox(self.controls)
        self.district_combo.setAccessibleName("地区")
        district_label = QLabel("地区(&K)", self.controls)
        district_label.setBuddy(self.district_combo)
        districts = self._districts()
        if len(districts) > 1:
            self.district_combo.addItem(ALL_DISTRICTS, None)
            for code in districts:
                self.district_combo.addItem(f"{DISTRICTS_BY_CODE[code].name}地区", code)
        scope_text = "、".join(f"{DISTRICTS_BY_CODE[c].name}地区" for c in districts)
        self.scope_label = QLabel(f"範囲: {scope_text}" if len(districts) == 1 else "",
                                  self.controls)
        self.district_combo.setVisible(len(districts) > 1)
        district_label.setVisible(len(districts) > 1)
        self.scope_label.setVisible(len(districts) == 1)
        self.compute_button = QPushButton("集計(&A)", self.controls)
        self.compute_button.setToolTip("選んだ期間の相談件数を集計します（Enter）")

        controls = QHBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        for widget in (period_label, self.period_combo, self.period_stack, district_label,
                       self.district_combo, self.scope_label):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.compute_button)

        self.period_label = QLabel(self)
        self.period_label.setAccessibleName("集計する期間")
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.hide()

        # --- the result ---
        self.result_label = QLabel(NOT_COMPUTED, self)
        self.result_label.setWordWrap(True)
        self.csv_button = QPushButton("CSV(&C)…", self)
        self.xlsx_button = QPushButton("Excel(&X)…", self)
        self.pdf_button = QPushButton("PDF・印刷(&P)…", self)
        for button in self._export_buttons():
            button.setEnabled(False)
        # The chosen period beside another (a year earlier by default): ui/stats/compare.py.
        self.compare_button = QPushButton("比較(&V)…", self)
        self.compare_button.setToolTip("選んだ期間を別の期間（既定: 1年前）と並べた PDF を作ります")
        self.comparison = Comparison(self)
        result_row = QHBoxLayout()
        result_row.addWidget(self.result_label, 1)
        for button in (*self._export_buttons(), self.compare_button):
            result_row.addWidget(button)

        self.ward_model = StatsTableModel("相談先", self)
        self.ward_table = _table_view(self.ward_model, "区の様式", self)
        self.ward_table.setMinimumWidth(self.fontMetrics().horizontalAdvance("あ") * 30)
        self.ward_table.setMaximumWidth(self.fontMetrics().horizontalAdvance("あ") * 40)
        rows = 7  # five kinds of organisation, 相談拡充, 合計
        self.ward_table.setFixedHeight(
            self.ward_table.horizontalHeader().sizeHint().height()
            + rows * self.ward_table.verticalHeader().defaultSectionSize()
            + 2 * self.ward_table.frameWidth() + 2)
        ward_label = QLabel("区の様式（相談先別 相談件数）(&W)", self)
        ward_label.setBuddy(self.ward_table)
        self.ward_note = QLabel(self)
        self.ward_note.setWordWrap(True)
        self.ward_note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        ward_row = QHBoxLayout()
        ward_row.addWidget(self.ward_table, 3)
        ward_row.addWidget(self.ward_note, 2)

        self.dimension_list = QListWidget(self)
        self.dimension_list.setAccessibleName("集計項目")
        for dimension in Dimension:
            item = QListWidgetItem(f"{dimension.label}別", self.dimension_list)
            item.setData(Qt.ItemDataRole.UserRole, dimension.value)
        self.dimension_list.setCurrentRow(0)
        self.dimension_list.setMaximumWidth(self.fontMetrics().horizontalAdvance("あ") * 9)
        dimension_label = QLabel("集計項目(&I)", self)
        dimension_label.setBuddy(self.dimension_list)

        self.table_model = StatsTableModel("区分", self)
        self.table = _table_view(self.table_model, "集計表", self)
        self.table_label = QLabel("集計表(&L)", self)
        self.table_label.setBuddy(self.table)
        self.table_note = QLabel(self)
        self.table_note.setWordWrap(True)
        table_pane = QWidget(self)
        table_layout = QVBoxLayout(table_pane)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.table_label)
        table_layout.addWidget(self.table, 1)
        table_layout.addWidget(self.table_note)

        self.chart = QChart()
        self.chart.legend().hide()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.category_axis = QBarCategoryAxis()
        self.value_axis = QValueAxis()
        self.value_axis.setLabelFormat("%d")
        self.value_axis.setTitleText("件数")
        self.value_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        self.value_axis.setTickAnchor(0)
        self.chart.addAxis(self.category_axis, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(self.value_axis, Qt.AlignmentFlag.AlignBottom)
        self._apply_chart_fonts()
        self.chart_view = QChartView(self.chart, self)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chart_view.setAccessibleName("グラフ")
        self.chart_view.setMinimumWidth(320)
        self._bar_height = self.fontMetrics().height() + 10

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(table_pane)
        # A long table (every district of the ward, dozens of つなぎ先) makes a tall chart:
        # it scrolls instead of squeezing its labels.
        self.chart_scroll = QScrollArea(self)
        self.chart_scroll.setWidgetResizable(True)
        self.chart_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.chart_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.chart_scroll.setWidget(self.chart_view)
        self.splitter.addWidget(self.chart_scroll)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([400, 600])
        self.splitter.setChildrenCollapsible(False)

        dimension_pane = QVBoxLayout()
        dimension_pane.addWidget(dimension_label)
        dimension_pane.addWidget(self.dimension_list, 1)
        lower = QHBoxLayout()
        lower.addLayout(dimension_pane)
        lower.addWidget(self.splitter, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("統計", self))
        layout.addWidget(self.controls)
        layout.addWidget(self.period_label)
        layout.addWidget(self.message_label)
        layout.addLayout(result_row)
        layout.addWidget(ward_label)
        layout.addLayout(ward_row)
        layout.addLayout(lower, 1)

        chain = (self.period_combo, self.day_edit, self.month_edit, self.fiscal_year_spin,
                 self.from_edit, self.to_edit, self.district_combo, self.compute_button,
                 self.csv_button, self.xlsx_button, self.pdf_button, self.compare_button,
                 self.ward_table,
                 self.dimension_list, self.table)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        self.period_combo.currentIndexChanged.connect(self._period_kind_changed)
        for edit in (self.day_edit, self.month_edit, self.from_edit, self.to_edit):
            edit.dateChanged.connect(lambda _d: self._show_period())
        self.fiscal_year_spin.valueChanged.connect(lambda _v: self._show_period())
        self.compute_button.clicked.connect(self.compute)
        self.csv_button.clicked.connect(self.export_csv)
        self.xlsx_button.clicked.connect(self.export_xlsx)
        self.pdf_button.clicked.connect(self.print_report)
        self.compare_button.clicked.connect(self.comparison.run)
        self.dimension_list.currentRowChanged.connect(lambda _r: self._show_dimension())

        self.period_combo.setCurrentIndex(PERIOD_FISCAL_YEAR)
        self._period_kind_changed(PERIOD_FISCAL_YEAR)

    # --- building -------------------------------------------------------------------------

    def _labelled(self, text: str, widget: QWidget) -> QWidget:
        page = QWidget(self.period_stack)
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel(text, page)
        label.setBuddy(widget)
        row.addWidget(label)
        row.addWidget(widget)
        row.addStretch(1)
        return page

    def _districts(self) -> list[str]:
        if self.actor.role is Role.ADMINISTRATOR:
            return list(DISTRICTS_BY_CODE)
        return roles.readable_districts(self.actor)

    def _export_buttons(self) -> tuple[QPushButton, ...]:
        return (self.csv_button, self.xlsx_button, self.pdf_button)

    def _apply_chart_fonts(self) -> None:
        """The application font (IPAexGothic) everywhere in the chart: the chart draws its text
        with its own fonts, which would otherwise not show Japanese."""
        font = QFont(QApplication.font())
        title = QFont(font)
        title.setBold(True)
        self.chart.setTitleFont(title)
        for axis in (self.category_axis, self.value_axis):
            axis.setLabelsFont(font)
            axis.setTitleFont(font)

    # --- the period -----------------------------------------------------------------------

    def activate(self) -> None:
        self.period_combo.setFocus()

    def _period_kind_changed(self, index: int) -> None:
        self.period_stack.setCurrentIndex(index)
        self._show_period()

    def period(self) -> Period:
        """The period chosen; ValueError (a Japanese message naming the field) if it is not
        one."""
        kind = self.period_combo.currentIndex()
        if kind == PERIOD_DAY:
            return Period.day(_pydate(self.day_edit.date()))
        if kind == PERIOD_MONTH:
            chosen = self.month_edit.date()
            return Period.month(chosen.year(), chosen.month())
        if kind == PERIOD_FISCAL_YEAR:
            return Period.fiscal_year(self.fiscal_year_spin.value())
        start, end = _pydate(self.from_edit.date()), _pydate(self.to_edit.date())
        if start > end:
            raise ValueError(f"期間: 開始日（{start.year}年{start.month}月{start.day}日）が"
                             f"終了日（{end.year}年{end.month}月{end.day}日）より後です。"
                             "開始日と終了日を確かめてください。")
        return Period(start, end)

    def _show_period(self) -> None:
        try:
            period = self.period()
        except ValueError as error:
            self.period_label.setText(str(error))
            self.period_label.setStyleSheet(ERROR_STYLE)
            return
        self.period_label.setStyleSheet("")
        self.period_label.setText(f"集計する期間: {period.label}")

    def district_codes(self) -> list[str] | None:
        """The district chosen, or None for the whole scope."""
        code = self.district_combo.currentData() if self.district_combo.count() else None
        return [str(code)] if code else None

    # --- computing ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter in the period or district controls runs 集計 (a focused button is clicked)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focus = QApplication.focusWidget()
            if isinstance(focus, QPushButton) and self.isAncestorOf(focus):
                if focus.isEnabled():
                    focus.click()
                event.accept()
                return
            if focus is not None and self.controls.isAncestorOf(focus):
                event.accept()
                self.compute()
                return
        super().keyPressEvent(event)

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "")
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def compute(self) -> bool:
        """Count the chosen period (on the worker; the report is shown when it comes); False
        (and the reason shown) if it cannot be counted or a count is running."""
        self._show_message("")
        try:
            period = self.period()
        except ValueError as error:
            self._show_message(str(error), error=True)
            return False
        districts = self.district_codes()
        # A ward fiscal year counts hundreds of thousands of rows: on the worker thread.
        return Operation(
            self, lambda _progress: stats_service.compute(self.db, self.actor, period,
                                                          district_codes=districts),
            guard=[self.compute_button, *self._export_buttons()], label="集計しています…",
            title="統計",
        ).success(self.show_report).failure(
            lambda error: self._show_message(error.message, error=True)).run()

    def show_report(self, report: StatsReport) -> None:
        self.report = report
        self.result_label.setText(
            f"{report.period.label} ／ {report.scope_label} ／ 相談件数 "
            f"{count_text(report.total)}件（{report.generated_at:%Y-%m-%d %H:%M} 集計）")
        self.ward_model.set_table(report.ward_summary)
        self.ward_note.setText(f"注: {report.ward_summary.note}" if report.ward_summary.note
                               else "")
        for button in self._export_buttons():
            button.setEnabled(True)
        self._show_dimension()

    def current_dimension(self) -> Dimension:
        item = self.dimension_list.currentItem()
        if item is None:
            return Dimension.ORG_KIND
        return Dimension(item.data(Qt.ItemDataRole.UserRole))

    def select_dimension(self, dimension: Dimension) -> None:
        self.dimension_list.setCurrentRow(list(Dimension).index(dimension))

    def current_table(self) -> StatsTable | None:
        if self.report is None:
            return None
        try:
            return self.report.table(self.current_dimension())
        except KeyError:
            return None

    def _show_dimension(self) -> None:
        table = self.current_table()
        self.table_model.set_table(table)
        if table is None:
            self.table_label.setText("集計表(&L)")
            self.table_note.setText("")
        else:
            self.table_label.setText(f"{table.title}(&L)")
            parts = [] if table.lines else [NO_LINES]
            if table.note:
                parts.append(f"注: {table.note}")
            self.table_note.setText(" ".join(parts))
        self._show_chart(table)

    def _show_chart(self, table: StatsTable | None) -> None:
        self.chart.removeAllSeries()
        self.category_axis.clear()
        if table is None:
            self.chart.setTitle("")
            self.value_axis.setRange(0, 1)
            self.value_axis.setTickInterval(1)
            return
        title = table.title
        if table.total is None:
            title += "（各行の和は相談件数と一致しません）"
        self.chart.setTitle(title)
        self.chart_view.setMinimumHeight(len(table.lines) * self._bar_height + 120)
        # A horizontal bar chart draws its first category at the bottom: the lines go in
        # reversed so that the chart reads from the top, as the table does.
        lines = list(reversed(table.lines))
        labels = [line.label for line in lines]
        counts = [line.count for line in lines]
        bars = QBarSet("件数")
        bars.setColor(QColor(BAR_COLOR))
        bars.setLabelFont(QFont(QApplication.font()))
        bars.setLabelColor(QColor("#202020"))
        for count in counts:
            bars.append(count)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        self.chart.addSeries(series)
        if labels:
            self.category_axis.append(labels)
        series.attachAxis(self.category_axis)
        series.attachAxis(self.value_axis)
        step = _nice_step(max(counts, default=0))
        top = max(step, -(-max(counts, default=0) * 11 // 10 // step) * step)
        if top <= max(counts, default=0):
            top += step  # room for the value label at the end of the longest bar
        self.value_axis.setRange(0, top)
        self.value_axis.setTickInterval(step)

    # --- exports --------------------------------------------------------------------------

    def _choose_save_path(self, suggested: str, file_filter: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(self, "統計を保存", suggested, file_filter)
        return path

    def _save(self, extension: str, file_filter: str, make: Callable[[StatsReport], bytes],
              kind: str) -> Path | None:
        report = self.report
        if report is None:
            self._show_message(NOT_COMPUTED, error=True)
            return None
        chosen = self.choose_save_path(suggested_name(report, extension), file_filter)
        if not chosen:
            return None
        target = save_target(chosen, extension, self.confirm_overwrite)
        if target is None:
            return None
        path, replace = target
        db, actor = self.db, self.actor

        def write(_progress: Progress) -> str:
            try:
                stats_service.export_file(db, actor, report, path, make(report), fmt=extension,
                                          replace=replace)
            except FileError as error:
                return f"{kind}を保存できませんでした: {error.message}"
            return ""

        def written(problem: str) -> None:
            if problem:
                self._show_message(problem, error=True)
            else:
                self._show_message(f"{kind}を保存しました: {path}")

        started = Operation(self, write, guard=self._export_buttons(),
                            label=f"{kind}を書き出しています…", title="統計"
                            ).success(written).failure(
            lambda error: self._show_message(error.message, error=True)).run()
        return path if started else None

    def _confirm_overwrite(self, path: Path) -> bool:
        return confirm_overwrite(self, path)

    def export_csv(self) -> Path | None:
        return self._save("csv", CSV_FILTER, stats_service.export_csv, "CSV")

    def export_xlsx(self) -> Path | None:
        return self._save("xlsx", XLSX_FILTER, stats_service.export_xlsx, "Excel ファイル")

    def print_report(self) -> bool:
        report = self.report
        if report is None:
            self._show_message(NOT_COMPUTED, error=True)
            return False
        title = f"統計 {report.scope_label} {report.period.label}"
        name = suggested_name(report, "pdf")
        self._shown_report = report
        return Operation(self, lambda _progress: stats_service.report_pdf(report),
                         guard=self._export_buttons(), label="統計表を作成しています…",
                         title="統計"
                         ).success(lambda pdf: self.show_pdf(title, pdf, name)).failure(
            lambda error: self._show_message(error.message, error=True)).run()

    def _show_pdf(self, title: str, pdf: bytes, name: str) -> None:
        from setacare_desktop.ui.pdf_dialog import PdfDialog

        report = self._shown_report
        assert report is not None
        db, actor = self.db, self.actor

        def save_file(path: Path, data: bytes, replace: bool) -> None:
            # the copy kept in a file is PDF/A-2b (docs/printing.md)
            stats_service.export_file(db, actor, report, path, stats_compare.archival_pdf(data),
                                      fmt="pdf", replace=replace)

        def printed(ok: bool) -> None:
            stats_service.record_print(db, actor, report, ok=ok)

        PdfDialog(title, pdf, name, self, save_file=save_file, printed=printed).exec()
