"""本日の相談: the consultations of a day in the staff member's scope, read-only."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QLocale, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain import roles
from setacare_desktop.domain.jpdate import local_now, to_wareki
from setacare_desktop.domain.reference import AREAS_BY_CODE, DISTRICTS_BY_CODE
from setacare_desktop.services import Database, PermissionDeniedError, StaffProfile, consultations
from setacare_desktop.ui.page import Page, heading
from setacare_desktop.ui.table_models import (
    COL_COMPLAINT,
    COL_TIME,
    COL_URGENT,
    ConsultationTableModel,
)

#: Stepping through days with the arrow keys reloads once the user pauses, not on every step
#: (each load is an audited read).
RELOAD_DELAY_MS = 300
JAPANESE = QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)


def scope_text(actor: StaffProfile) -> str:
    """What the list covers, e.g. 「表示範囲: 池尻地区」 or 「表示範囲: 世田谷地域の7地区」."""
    if actor.district_code is not None:
        return f"表示範囲: {DISTRICTS_BY_CODE[actor.district_code].name}地区"
    count = len(roles.readable_districts(actor))
    return f"表示範囲: {AREAS_BY_CODE[actor.area_code].name}地域の{count}地区"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class TodayPage(Page):
    """A date picker and the table of that day's consultations.

    An actor without a case role (an administrator) is refused by the service; the page then shows
    the service's message instead of the table.
    """

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._loaded = False

        self.date_edit = QDateEdit(_qdate(local_now().date()), self)
        self.date_edit.setLocale(JAPANESE)
        self.date_edit.setDisplayFormat("yyyy年M月d日（ddd）")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setAccessibleName("日付")
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

        self.model = ConsultationTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_COMPLAINT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_URGENT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_TIME, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName("相談の一覧")

        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body = QStackedWidget(self)
        self.body.addWidget(self.table)
        self.body.addWidget(self.message_label)

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
        layout = QVBoxLayout(self)
        layout.addWidget(heading("本日の相談", self))
        layout.addLayout(controls)
        layout.addWidget(self.scope_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.body, 1)
        self._show_wareki()
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.date_edit.dateChanged.connect(self._date_changed)
        self._reload_timer.timeout.connect(self.reload)
        self.previous_button.clicked.connect(lambda: self.set_day(self.day() - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.set_day(self.day() + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.set_day(local_now().date()))
        self.refresh_button.clicked.connect(self.reload)

    def day(self) -> date:
        return self.date_edit.date().toPython()  # type: ignore[no-any-return]

    def set_day(self, day: date) -> None:
        self.date_edit.setDate(_qdate(day))

    def activate(self) -> None:
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._reload_timer.stop()
        self._loaded = True
        day = self.day()
        try:
            rows = consultations.list_day(self._db, self._actor, day)
        except PermissionDeniedError as error:
            self.model.set_rows([])
            self.summary_label.clear()
            self.message_label.setText(error.message)
            self.body.setCurrentWidget(self.message_label)
            return
        self.model.set_rows(rows)
        self.body.setCurrentWidget(self.table)
        if not rows:
            self.summary_label.setText("この日の相談はありません。")
        else:
            urgent = self.model.urgent_count()
            extra = f"（うち緊急 {urgent}件）" if urgent else ""
            self.summary_label.setText(f"{len(rows)}件{extra}")

    def _date_changed(self, _date: QDate) -> None:
        self._show_wareki()
        self._reload_timer.start()

    def _show_wareki(self) -> None:
        self.wareki_label.setText(to_wareki(self.day()))
