"""確認: the supervisor goes through the day's consultations, marks each 確認済 or 差戻し and
signs the district's day off (日次確認).

The page works over a ``services.review.ReviewSource``: the database, or an offline day package
(then the cases cannot be opened for amending, and there is no day list to print). Keyboard
first: the list has the focus, Tab reaches the comment, Ctrl+K records 確認済 and Ctrl+B 差戻し
(the buttons say so), and the cursor then moves on to the next consultation still to review.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.jpdate import local_now, to_wareki, wareki_short
from setacare_desktop.domain.reference import DISTRICTS_BY_CODE
from setacare_desktop.domain.review import Decision, ReviewState
from setacare_desktop.services import ServiceError
from setacare_desktop.services.review import DayReview, ReviewRow, ReviewSource
from setacare_desktop.services.sheets import Deliver
from setacare_desktop.ui.columns import fit_to_rows, row_list_view
from setacare_desktop.ui.dates import date_edit, qdate
from setacare_desktop.ui.page import Page, heading
from setacare_desktop.ui.review.detail import detail_html, signoff_text
from setacare_desktop.ui.review.table_model import (
    COL_COMPLAINT,
    ID_ROLE,
    NARROW_COLUMNS,
    ReviewFilterProxyModel,
    ReviewTableModel,
)

ALL_DISTRICTS = "すべての地区"
CHOOSE_DISTRICT = "日次確認と一覧の印刷は、地区を1つ選んでから行います。"
ERROR_STYLE = "color: #b00020;"


def _ask(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


class ReviewPage(Page):
    """The day's consultations of the reviewer's districts, with decisions and sign-off."""

    #: Open the consultation in 受付 (database mode only).
    open_consultation = Signal(int)
    status_message = Signal(str)

    def __init__(self, source: ReviewSource, parent: QWidget | None = None, *,
                 print_day: Callable[[date, str], bytes] | None = None,
                 record_day: Callable[[date, str, Deliver], bytes] | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self._print_day = print_day  # the preview
        self._record_day = record_day  # the print, recorded once delivered
        self._review: DayReview | None = None
        self._loaded = False
        #: Comments typed but not yet recorded, by consultation: moving along the list keeps
        #: them (nothing typed is lost until a decision records it).
        self._drafts: dict[int, str] = {}
        self._comment_for: int | None = None
        #: Asks before signing off (title, text) → go on? Tests may replace it.
        self.confirm: Callable[[str, str], bool] = lambda t, x: _ask(self, t, x)
        #: Shows a PDF to print (title, pdf, file name). Tests may replace it.
        self.show_pdf: Callable[[str, bytes, str], None] = self._show_pdf

        self.source_label = QLabel(source.title, self)
        self.date_edit = date_edit(self, "確認する日")
        days = source.days()
        if days:
            self.date_edit.setDateRange(qdate(min(days)), qdate(max(days)))
            self.date_edit.setDate(qdate(min(days)))
        else:
            self.date_edit.setDate(qdate(local_now().date()))
        date_label = QLabel("日付(&D)", self)
        date_label.setBuddy(self.date_edit)
        self.wareki_label = QLabel(self)
        self.district_combo = QComboBox(self)
        self.district_combo.setAccessibleName("地区")
        districts = source.districts()
        if len(districts) > 1:
            self.district_combo.addItem(ALL_DISTRICTS, None)
        for code in districts:
            self.district_combo.addItem(f"{DISTRICTS_BY_CODE[code].name}地区", code)
        district_label = QLabel("地区(&C)", self)
        district_label.setBuddy(self.district_combo)
        self.refresh_button = QPushButton("更新(&R)", self)
        self.flagged_check = QCheckBox("要注意のみ(&F)", self)
        self.unsettled_check = QCheckBox("未確認のみ(&U)", self)

        self.summary_label = QLabel(self)
        self.signoff_label = QLabel(self)
        self.signoff_label.setWordWrap(True)
        self.signoff_button = QPushButton("日次確認(&S)…", self)
        self.print_button = QPushButton("相談受付一覧を印刷(&L)…", self)
        self.print_button.setVisible(print_day is not None)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(ERROR_STYLE)

        self.model = ReviewTableModel(self)
        self.proxy = ReviewFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = row_list_view(self.proxy, self)
        self.table.setAccessibleName("確認する相談の一覧")
        self.table.setTabKeyNavigation(False)  # Tab goes on to the comment, not along the row
        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("相談の内容")
        self.comment_edit = QPlainTextEdit(self)
        self.comment_edit.setAccessibleName("コメント")
        self.comment_edit.setPlaceholderText("差戻しの理由（何を直すのか）。確認済にも書けます。")
        self.comment_edit.setTabChangesFocus(True)
        self.comment_edit.setMaximumHeight(self.fontMetrics().height() * 4)
        comment_label = QLabel("コメント(&M)", self)
        comment_label.setBuddy(self.comment_edit)
        self.confirm_button = QPushButton("確認済（Ctrl+K）", self)
        self.return_button = QPushButton("差戻し（Ctrl+B）", self)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.confirm_shortcut = QShortcut(QKeySequence("Ctrl+K"), self, context=context)
        self.return_shortcut = QShortcut(QKeySequence("Ctrl+B"), self, context=context)
        self.open_button = QPushButton("相談を開く(&O)", self)
        self.open_button.setVisible(not source.offline)

        controls = QHBoxLayout()
        for widget in (date_label, self.date_edit, self.wareki_label, district_label,
                       self.district_combo, self.flagged_check, self.unsettled_check):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        signoff_row = QHBoxLayout()
        signoff_row.addWidget(self.signoff_label, 1)
        signoff_row.addWidget(self.print_button)
        signoff_row.addWidget(self.signoff_button)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        right_layout.addWidget(comment_label)
        right_layout.addWidget(self.comment_edit)
        decision_row = QHBoxLayout()
        decision_row.addWidget(self.open_button)
        decision_row.addStretch(1)
        decision_row.addWidget(self.return_button)
        decision_row.addWidget(self.confirm_button)
        right_layout.addLayout(decision_row)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.table)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("確認", self))
        layout.addWidget(self.source_label)
        layout.addLayout(controls)
        layout.addWidget(self.summary_label)
        layout.addLayout(signoff_row)
        layout.addWidget(self.message_label)
        layout.addWidget(splitter, 1)

        chain = (self.date_edit, self.district_combo, self.flagged_check, self.unsettled_check,
                 self.refresh_button, self.table, self.comment_edit, self.return_button,
                 self.confirm_button)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

        self.date_edit.dateChanged.connect(lambda _d: self.reload())
        self.district_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.refresh_button.clicked.connect(self.reload)
        self.flagged_check.toggled.connect(self._filters_changed)
        self.unsettled_check.toggled.connect(self._filters_changed)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.table.activated.connect(self._activated)
        self.confirm_button.clicked.connect(lambda: self.decide(Decision.CONFIRMED))
        self.return_button.clicked.connect(lambda: self.decide(Decision.RETURNED))
        self.confirm_shortcut.activated.connect(lambda: self.decide(Decision.CONFIRMED))
        self.return_shortcut.activated.connect(lambda: self.decide(Decision.RETURNED))
        self.open_button.clicked.connect(self._open_current)
        self.signoff_button.clicked.connect(self.sign_off)
        self.print_button.clicked.connect(self.print_day_list)
        self._show_wareki()
        self._show_current()

    # --- loading --------------------------------------------------------------------------

    def activate(self) -> None:
        if not self._loaded:
            self.reload()
        self.table.setFocus()

    def day(self) -> date:
        return self.date_edit.date().toPython()  # type: ignore[no-any-return]

    def set_day(self, day: date) -> None:
        self.date_edit.setDate(qdate(day))

    def district(self) -> str | None:
        code = self.district_combo.currentData()
        return str(code) if code else None

    def reload(self, keep: int | None = None) -> None:
        """Read the day again; keep the cursor on consultation ``keep`` if given."""
        self._loaded = True
        self._show_wareki()
        self.message_label.clear()
        try:
            self._review = self.source.load(self.day(), self.district())
        except ServiceError as error:
            self._review = None
            self.model.set_rows([])
            self.summary_label.clear()
            self.signoff_label.clear()
            self.message_label.setText(error.message)
            self._show_current()
            return
        self.model.set_rows(self._review.rows)
        fit_to_rows(self.table, self.model, stretch=COL_COMPLAINT, limits=NARROW_COLUMNS)
        self._show_summary()
        if keep is not None:
            self.select(keep)
        elif self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))
        self._show_current()

    def _show_wareki(self) -> None:
        self.wareki_label.setText(to_wareki(self.day()))

    def _filters_changed(self) -> None:
        self.proxy.set_filters(flagged_only=self.flagged_check.isChecked(),
                               unsettled_only=self.unsettled_check.isChecked())
        self._show_current()

    def _show_summary(self) -> None:
        review = self._review
        if review is None:
            return
        rows = review.rows
        if not rows:
            self.summary_label.setText("この日の相談はありません。")
        else:
            counts = {state: sum(1 for r in rows if r.state is state) for state in ReviewState}
            flagged = sum(1 for r in rows if r.flags)
            self.summary_label.setText(
                f"{len(rows)}件 ― " + "、".join(f"{state.label} {counts[state]}件"
                                               for state in ReviewState)
                + f"（要注意 {flagged}件）")
        self.signoff_label.setText("\n".join(
            signoff_text(DISTRICTS_BY_CODE[code].name, review.signoffs.get(code))
            for code in review.districts))
        one = self.district() is not None
        self.signoff_button.setEnabled(one and self.district() not in review.signoffs)
        self.print_button.setEnabled(one)
        tip = "" if one else CHOOSE_DISTRICT
        self.signoff_button.setToolTip(tip)
        self.print_button.setToolTip(tip)

    # --- the current consultation --------------------------------------------------------

    def current_row(self) -> ReviewRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        source = self.proxy.mapToSource(index)
        return self.model.row_at(source.row())  # type: ignore[no-any-return]

    def select(self, consultation_id: int) -> bool:
        number = self.model.row_index(consultation_id)
        if number is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(number, 0))
        if not index.isValid():
            return False
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        return True

    def _show_current(self) -> None:
        if self._comment_for is not None:
            typed = self.comment_edit.toPlainText()
            if typed.strip():
                self._drafts[self._comment_for] = typed
            else:
                self._drafts.pop(self._comment_for, None)
        row = self.current_row()
        self.detail.setHtml(detail_html(row) if row else "")
        for widget in (self.confirm_button, self.return_button, self.comment_edit):
            widget.setEnabled(row is not None)
        self.open_button.setEnabled(row is not None)
        self._comment_for = row.consultation_id if row else None
        # The standing return's comment is shown to return again; a confirmation or a second
        # look after an amendment starts empty (an old 「直してください」 must not be re-saved).
        standing = row.comment if row and row.state is ReviewState.RETURNED else ""
        self.comment_edit.setPlainText(
            self._drafts.get(row.consultation_id, standing) if row else "")

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        if self.source.offline:
            self.comment_edit.setFocus()
            return
        consultation_id = index.data(ID_ROLE)
        if consultation_id is not None:
            self.open_consultation.emit(int(consultation_id))

    def _open_current(self) -> None:
        row = self.current_row()
        if row is not None and not self.source.offline:
            self.open_consultation.emit(row.consultation_id)

    # --- decisions ------------------------------------------------------------------------

    def _next_unsettled_after(self, consultation_id: int) -> int | None:
        rows = list(self._review.rows) if self._review else []
        ids = [r.consultation_id for r in rows]
        start = ids.index(consultation_id) + 1 if consultation_id in ids else 0
        for row in rows[start:] + rows[:start]:
            if not row.state.settled and row.consultation_id != consultation_id:
                return row.consultation_id
        return None

    def decide(self, decision: Decision) -> bool:
        """Record ``decision`` with the comment typed for the current consultation, then move
        on to the next one still to review. False (and the reason shown) if refused."""
        row = self.current_row()
        if row is None:
            return False
        comment = self.comment_edit.toPlainText()
        try:
            self.source.decide(row.consultation_id, decision, comment,
                               seen_version=row.version)
        except ServiceError as error:
            self.message_label.setText(error.message)
            self.comment_edit.setFocus()
            return False
        self._drafts.pop(row.consultation_id, None)
        self._comment_for = None
        following = self._next_unsettled_after(row.consultation_id)
        self.reload(keep=following or row.consultation_id)
        self.status_message.emit(f"No.{row.consultation_id} を{decision.label}にしました")
        self.table.setFocus()
        return True

    def sign_off(self) -> bool:
        district = self.district()
        if district is None or self._review is None:
            self.message_label.setText(CHOOSE_DISTRICT)
            return False
        name = DISTRICTS_BY_CODE[district].name
        problem = self._review.signoff_problem(district)
        if problem:
            self.message_label.setText(problem)
            return False
        count = len(self._review.rows_of(district))
        if not self.confirm("日次確認",
                            f"{name}地区 {to_wareki(self.day())}の相談 {count}件を確認しました。"
                            "日次確認として記録しますか？（取り消せません）"):
            return False
        try:
            self.source.sign_off(self.day(), district)
        except ServiceError as error:
            self.message_label.setText(error.message)
            return False
        current = self.current_row()
        self.reload(keep=current.consultation_id if current else None)
        self.status_message.emit(f"{name}地区の日次確認を記録しました")
        return True

    # --- printing -------------------------------------------------------------------------

    def print_day_list(self) -> bool:
        district = self.district()
        if self._print_day is None or district is None:
            self.message_label.setText(CHOOSE_DISTRICT)
            return False
        try:
            pdf = self._print_day(self.day(), district)
        except ServiceError as error:
            self.message_label.setText(error.message)
            return False
        name = DISTRICTS_BY_CODE[district].name
        self.show_pdf(f"相談受付一覧 {name}地区 {wareki_short(self.day())}", pdf,
                      f"相談受付一覧_{name}_{self.day():%Y%m%d}.pdf")
        return True

    def _show_pdf(self, title: str, pdf: bytes, name: str) -> None:
        from setacare_desktop.ui.sheets.printout import PrintoutDialog

        record, day, district = self._record_day, self.day(), self.district()
        assert record is not None and district is not None
        PrintoutDialog(title, pdf, name, lambda deliver: record(day, district, deliver),
                       self).exec()
