"""本日の相談: the consultations of a day in the staff member's scope, and 検索 across all days.

The day's list can be narrowed by the receiving organisation's kind, target group and 対応; a
consultation the staff member may not see (``domain.visibility``) is a grey row with the person's
initials and age band and 「同意なし（非表示）」, and opens as its masked record;
double-click or Enter on a row (of any tab) asks to open the consultation
(``open_consultation``). A third tab, 差戻し, lists the consultations a supervisor returned to the
district, of any day, until they are amended; a line above the tabs says how many there are.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain import roles
from setacare_desktop.domain.jpdate import local_now, to_wareki
from setacare_desktop.domain.reference import (
    ORG_KIND_LABELS,
    RESPONSES,
    TARGET_GROUPS,
)
from setacare_desktop.services import (
    Database,
    ServiceError,
    StaffProfile,
    consultations,
    review,
)
from setacare_desktop.ui.columns import fit_to_rows, row_list_view
from setacare_desktop.ui.dates import date_edit, qdate
from setacare_desktop.ui.operations import Operation
from setacare_desktop.ui.page import Page, heading
from setacare_desktop.ui.review.table_model import ID_ROLE as RETURNED_ID_ROLE
from setacare_desktop.ui.review.table_model import (
    RET_COMPLAINT,
    ReturnedTableModel,
)
from setacare_desktop.ui.row_model import MUTED_COLOR
from setacare_desktop.ui.search_panel import SearchPanel
from setacare_desktop.ui.table_models import (
    COL_COMPLAINT,
    COL_TIME,
    ID_ROLE,
    NARROW_COLUMNS,
    RESPONSE_NONE,
    TARGET_MIXED,
    ConsultationFilterProxyModel,
    ConsultationTableModel,
)

#: Stepping through days with the arrow keys reloads once the user pauses, not on every step
#: (each load is an audited read).
RELOAD_DELAY_MS = 300

ANY = "すべて"
#: (label, code) of the filter choices; code None means any.
ORG_KIND_CHOICES: tuple[tuple[str, str | None], ...] = (
    (ANY, None), *((label, kind.value) for kind, label in ORG_KIND_LABELS.items()))
TARGET_CHOICES: tuple[tuple[str, str | None], ...] = (
    (ANY, None), *((t.label, t.code) for t in TARGET_GROUPS), ("複合（2つ以上）", TARGET_MIXED))
RESPONSE_CHOICES: tuple[tuple[str, str | None], ...] = (
    (ANY, None), *((t.label, t.code) for t in RESPONSES), ("未記入", RESPONSE_NONE))

TAB_DAY = "日ごとの一覧"
TAB_SEARCH = "検索"
TAB_RETURNED = "差戻し"
RETURNED_STYLE = "color: #b00020; font-weight: bold;"


def scope_text(actor: StaffProfile) -> str:
    """What the list covers, e.g. 「表示範囲: 池尻地区」 or 「表示範囲: 世田谷地域の7地区」."""
    if actor.district_code is not None:
        return f"表示範囲: {roles.place_label(actor)}"
    return f"表示範囲: {roles.place_label(actor)}の{len(roles.readable_districts(actor))}地区"


def masked_note(count: int) -> str:
    """Under the count: how many rows are masked, and what that means (not by colour alone)."""
    if not count:
        return ""
    return (f"灰色の{count}件は非表示: 他機関が受け付けた相談で、本人の情報共有の同意がない"
            "（匿名の相談は同意を得る相手がいない）ため、対象者はイニシャルと年代だけを表示し、"
            "主訴は表示していません。")


class TodayPage(Page):
    """The day's consultations (with filters) and the search, as two tabs.

    An actor without a case role (an administrator) is refused by the service; the page then shows
    the service's message instead of the table.
    """

    #: The user chose a consultation to read or amend (its id).
    open_consultation = Signal(int)

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._loaded = False

        self.date_edit = date_edit(self, "日付", local_now().date())
        date_label = QLabel("日付(&D)", self)
        date_label.setBuddy(self.date_edit)
        self.previous_button = QPushButton("前日", self)
        self.today_button = QPushButton("今日", self)
        self.next_button = QPushButton("翌日", self)
        self.refresh_button = QPushButton("更新(&R)", self)
        self.wareki_label = QLabel(self)

        self.scope_label = QLabel(scope_text(actor) if actor.role in roles.CASE_ROLES else "",
                                  self)
        self.summary_label = QLabel(self)
        #: How many rows of the day are masked, and what that means (hidden when none).
        self.masked_label = QLabel(self)
        self.masked_label.setWordWrap(True)
        self.masked_label.setStyleSheet(f"color: {MUTED_COLOR};")
        self.masked_label.hide()

        # Filters
        self.org_kind_combo = self._filter_combo(ORG_KIND_CHOICES, "受付機関で絞り込み")
        self.target_combo = self._filter_combo(TARGET_CHOICES, "対象で絞り込み")
        self.response_combo = self._filter_combo(RESPONSE_CHOICES, "対応で絞り込み")
        org_label = QLabel("受付機関(&K)", self)
        org_label.setBuddy(self.org_kind_combo)
        target_label = QLabel("対象(&G)", self)
        target_label.setBuddy(self.target_combo)
        response_label = QLabel("対応(&P)", self)
        response_label.setBuddy(self.response_combo)
        self.clear_filters_button = QPushButton("絞り込みを解除", self)
        self.clear_filters_button.setEnabled(False)

        self.model = ConsultationTableModel(self)
        self.proxy = ConsultationFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = row_list_view(self.proxy, self)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_TIME, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self._fit_columns()
        self.table.setAccessibleName("相談の一覧")

        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body = QStackedWidget(self)
        self.body.addWidget(self.table)
        self.body.addWidget(self.message_label)

        self.search_panel = SearchPanel(db, actor, self)

        self.returned_model = ReturnedTableModel(self)
        self.returned_table = row_list_view(self.returned_model, self)
        self.returned_table.setAccessibleName("差戻しされた相談の一覧")
        self.returned_banner = QLabel(self)
        self.returned_banner.setStyleSheet(RETURNED_STYLE)
        self.returned_banner.hide()

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(RELOAD_DELAY_MS)

        controls = QHBoxLayout()
        controls.addWidget(date_label)
        controls.addWidget(self.date_edit)
        controls.addWidget(self.previous_button)
        controls.addWidget(self.today_button)
        controls.addWidget(self.next_button)
        controls.addWidget(self.wareki_label)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        filters = QHBoxLayout()
        for label, combo in ((org_label, self.org_kind_combo), (target_label, self.target_combo),
                             (response_label, self.response_combo)):
            filters.addWidget(label)
            filters.addWidget(combo)
            filters.addSpacing(8)
        filters.addWidget(self.clear_filters_button)
        filters.addStretch(1)

        self.day_tab = QWidget(self)
        day_layout = QVBoxLayout(self.day_tab)
        day_layout.addLayout(controls)
        day_layout.addLayout(filters)
        day_layout.addWidget(self.summary_label)
        day_layout.addWidget(self.masked_label)
        day_layout.addWidget(self.body, 1)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.day_tab, TAB_DAY)
        self.tabs.addTab(self.search_panel, TAB_SEARCH)
        self.returned_tab = QWidget(self)
        returned_layout = QVBoxLayout(self.returned_tab)
        returned_layout.addWidget(QLabel(
            "監督者が差し戻した相談です。相談を開いて修正・保存すると、この一覧から消えます。",
            self.returned_tab))
        returned_layout.addWidget(self.returned_table, 1)
        self.tabs.addTab(self.returned_tab, TAB_RETURNED)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("本日の相談", self))
        layout.addWidget(self.scope_label)
        layout.addWidget(self.returned_banner)
        layout.addWidget(self.tabs, 1)

        self.find_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        chain = (self.date_edit, self.previous_button, self.today_button, self.next_button,
                 self.refresh_button, self.org_kind_combo, self.target_combo,
                 self.response_combo, self.clear_filters_button, self.table)
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)
        self._show_wareki()
        self._connect_signals()

    def _filter_combo(self, choices: tuple[tuple[str, str | None], ...],
                      accessible_name: str) -> QComboBox:
        combo = QComboBox(self)
        for label, code in choices:
            combo.addItem(label, code)
        combo.setAccessibleName(accessible_name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    def _connect_signals(self) -> None:
        self.date_edit.dateChanged.connect(self._date_changed)
        self._reload_timer.timeout.connect(self._reload_day)
        self.previous_button.clicked.connect(lambda: self.set_day(self.day() - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.set_day(self.day() + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.set_day(local_now().date()))
        self.refresh_button.clicked.connect(self.reload)
        self.org_kind_combo.currentIndexChanged.connect(self._filters_changed)
        self.target_combo.currentIndexChanged.connect(self._filters_changed)
        self.response_combo.currentIndexChanged.connect(self._filters_changed)
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.table.activated.connect(self._activated)
        self.search_panel.open_consultation.connect(self.open_consultation)
        self.returned_table.activated.connect(self._returned_activated)
        self.find_shortcut.activated.connect(self.show_search)

    def day(self) -> date:
        return self.date_edit.date().toPython()  # type: ignore[no-any-return]

    def set_day(self, day: date) -> None:
        self.date_edit.setDate(qdate(day))

    def activate(self) -> None:
        if not self._loaded:
            self.reload()

    def show_search(self) -> None:
        """The 検索 tab, with the cursor in the search box (Ctrl+F)."""
        self.tabs.setCurrentWidget(self.search_panel)
        self.search_panel.focus_search()

    def refresh(self) -> None:
        """Read again what is shown (after a consultation was saved or amended)."""
        if self._loaded:
            self.reload()
        self.search_panel.refresh()

    def reload(self) -> None:
        """Read the returned consultations and the day's list again."""
        self._load_returned()
        self._reload_day()

    def _reload_day(self) -> None:
        """The day's list only: stepping through days does not read the returned list (it
        does not depend on the day) again each time."""
        self._reload_timer.stop()
        self._loaded = True
        day = self.day()
        # An area's day (hundreds of rows over seven districts) is read on the worker.
        Operation(self, lambda _progress: consultations.list_day(self._db, self._actor, day)
                  ).success(lambda rows: self._show_day(day, rows)).failure(
            self._day_refused).run()

    def _show_day(self, day: date, rows: list[consultations.ConsultationRow]) -> None:
        if day != self.day():
            return  # the user stepped on to another day: its list follows
        self.model.set_rows(rows)
        self._fit_columns()
        self.body.setCurrentWidget(self.table)
        self._show_summary()

    def _day_refused(self, error: ServiceError) -> None:
        self.model.set_rows([])
        self.summary_label.clear()
        self.masked_label.hide()
        self.message_label.setText(error.message)
        self.body.setCurrentWidget(self.message_label)

    def _load_returned(self) -> None:
        rows = review.returned_cases(self._db, self._actor)
        self.returned_model.set_rows(rows)
        fit_to_rows(self.returned_table, self.returned_model, stretch=RET_COMPLAINT)
        index = self.tabs.indexOf(self.returned_tab)
        self.tabs.setTabText(index, f"{TAB_RETURNED}（{len(rows)}）" if rows else TAB_RETURNED)
        self.returned_banner.setText(
            f"差戻しされた相談が {len(rows)}件あります。「{TAB_RETURNED}」タブで確認し、"
            "修正してください。")
        self.returned_banner.setVisible(bool(rows))

    def _returned_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        consultation_id = index.data(RETURNED_ID_ROLE)
        if consultation_id is not None:
            self.open_consultation.emit(int(consultation_id))

    def _fit_columns(self) -> None:
        """Widths from all the day's rows, so that filtering does not move the columns."""
        fit_to_rows(self.table, self.model, stretch=COL_COMPLAINT, limits=NARROW_COLUMNS)

    def clear_filters(self) -> None:
        for combo in (self.org_kind_combo, self.target_combo, self.response_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._filters_changed()

    def _filters_changed(self) -> None:
        self.proxy.set_filters(org_kind=self.org_kind_combo.currentData(),
                               target=self.target_combo.currentData(),
                               response=self.response_combo.currentData())
        self.clear_filters_button.setEnabled(self.proxy.is_filtering())
        if self.body.currentWidget() is self.table and self._loaded:
            self._show_summary()

    def _show_summary(self) -> None:
        note = masked_note(self.model.masked_count())
        self.masked_label.setText(note)
        self.masked_label.setVisible(bool(note))
        total = self.model.rowCount()
        if not total:
            self.summary_label.setText("この日の相談はありません。")
            return
        if self.proxy.is_filtering():
            shown = self.proxy.rowCount()
            urgent = self.proxy.urgent_count()
            extra = f"（うち緊急 {urgent}件）" if urgent else ""
            if shown:
                self.summary_label.setText(f"全{total}件のうち {shown}件を表示{extra}")
            else:
                self.summary_label.setText(f"全{total}件のうち、条件に合う相談はありません。")
            return
        urgent = self.model.urgent_count()
        extra = f"（うち緊急 {urgent}件）" if urgent else ""
        self.summary_label.setText(f"{total}件{extra}")

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        consultation_id = index.data(ID_ROLE)
        if consultation_id is not None:
            self.open_consultation.emit(int(consultation_id))

    def _date_changed(self, _date: QDate) -> None:
        self._show_wareki()
        self._reload_timer.start()

    def _show_wareki(self) -> None:
        self.wareki_label.setText(to_wareki(self.day()))
