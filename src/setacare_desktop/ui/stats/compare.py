"""統計 → 比較: the chosen period beside another (by default the same period a year earlier: this
fiscal year beside the last), as the ward's own table does, in a PDF to look at, save or print.

:class:`ComparePeriodDialog` asks for the other period (a year earlier, or two dates);
:class:`Comparison` counts both (``services.stats_compare``, on the worker) and shows the PDF. The
chooser and the preview are attributes, replaceable in tests. A saved file is audited as an export
(``stats_export``), a print as ``stats_print``, as for the one-period report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.stats import Period
from setacare_desktop.services import stats as stats_service
from setacare_desktop.services import stats_compare
from setacare_desktop.ui.dates import date_edit, qdate
from setacare_desktop.ui.operations import Operation

if TYPE_CHECKING:
    from setacare_desktop.ui.stats.page import StatsPage

#: What the chooser answers: ``None`` cancelled, ``"previous"`` a year earlier, or a period.
Choice = Period | str | None
PREVIOUS = "previous"


class ComparePeriodDialog(QDialog):
    """Which period to set beside the chosen one."""

    def __init__(self, later: Period, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("期間の比較")
        earlier = stats_compare.previous_year(later)
        self.previous_radio = QRadioButton(
            f"1年前の同じ期間(&Y)：{earlier.label}", self)
        self.range_radio = QRadioButton("期間を指定(&R)", self)
        self.previous_radio.setChecked(True)
        self.from_edit = date_edit(self, "比較する期間の開始日", display="yyyy年M月d日")
        self.to_edit = date_edit(self, "比較する期間の終了日", display="yyyy年M月d日")
        self.from_edit.setDate(qdate(earlier.start))
        self.to_edit.setDate(qdate(earlier.end))
        dates = QHBoxLayout()
        for widget in (self.from_edit, QLabel("〜", self), self.to_edit):
            dates.addWidget(widget)
        self.message = QLabel(self)
        self.message.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("比較する")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("基準の期間", QLabel(later.label, self))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.previous_radio)
        layout.addWidget(self.range_radio)
        layout.addLayout(dates)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(lambda _d: self.range_radio.setChecked(True))

    def choice(self) -> Choice:
        if self.previous_radio.isChecked():
            return PREVIOUS
        start = self.from_edit.date().toPython()
        end = self.to_edit.date().toPython()
        assert isinstance(start, date) and isinstance(end, date)
        return Period(start, end)

    def _accept(self) -> None:
        if self.range_radio.isChecked() and self.from_edit.date() > self.to_edit.date():
            self.message.setText("比較する期間: 終了日が開始日より前です")
            return
        self.accept()


def choose_period(parent: QWidget, later: Period) -> Choice:
    dialog = ComparePeriodDialog(later, parent)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


class Comparison:
    """The page's 比較 button: choose, count both periods, show the PDF."""

    def __init__(self, page: StatsPage) -> None:
        self.page = page
        #: Asks for the other period (page, later period) → choice. Tests may replace it.
        self.choose: Callable[[QWidget, Period], Choice] = choose_period
        #: Shows the PDF (title, pdf, file name, comparison). Tests may replace it.
        self.show_pdf: Callable[[str, bytes, str, stats_compare.StatsComparison], None] = \
            self._show_pdf

    def run(self) -> bool:
        page = self.page
        page._show_message("")
        try:
            later = page.period()
        except ValueError as error:
            page._show_message(str(error), error=True)
            return False
        choice = self.choose(page, later)
        if choice is None:
            return False
        earlier = None if choice == PREVIOUS else choice
        assert earlier is None or isinstance(earlier, Period)
        db, actor, districts = page.db, page.actor, page.district_codes()

        def work(_progress: object) -> tuple[stats_compare.StatsComparison, bytes]:
            comparison = stats_compare.compare(db, actor, later, earlier,
                                               district_codes=districts)
            return comparison, stats_compare.comparison_pdf(comparison)

        def shown(result: tuple[stats_compare.StatsComparison, bytes]) -> None:
            comparison, pdf = result
            names = [p.period.label.split("（", 1)[0] for p in (comparison.earlier,
                                                                 comparison.later)]
            self.show_pdf(f"統計の比較 {comparison.later.scope_label} {'・'.join(names)}", pdf,
                          f"相談件数比較_{'_'.join(names)}.pdf", comparison)

        return Operation(page, work, guard=[page.compare_button], label="2つの期間を集計しています…",
                         title="統計").success(shown).failure(
            lambda error: page._show_message(error.message, error=True)).run()

    def _show_pdf(self, title: str, pdf: bytes, name: str,
                  comparison: stats_compare.StatsComparison) -> None:
        from setacare_desktop.ui.pdf_dialog import PdfDialog

        db, actor = self.page.db, self.page.actor

        def save_file(path: Path, data: bytes, replace: bool) -> None:
            stats_compare.export_comparison(db, actor, comparison, path,
                                            stats_compare.archival_pdf(data), replace=replace)

        def printed(ok: bool) -> None:
            stats_service.record_print(db, actor, comparison.later, ok=ok)

        PdfDialog(title, pdf, name, self.page, save_file=save_file, printed=printed).exec()
