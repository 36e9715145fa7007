"""やること: the follow-ups of the staff member (自分の分) or their organisation (所属機関の分).

Read when the page is shown (audited by ``services.followups``); double-clicking a row opens its
consultation in 受付, or the person's page for a 継続支援 without contact. ``count_changed``
carries the number for the navigation's badge.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from setacare_desktop.domain.followups import Followup, FollowupKind, Scope
from setacare_desktop.domain.jpdate import local_now, wareki_short
from setacare_desktop.services import Database, ServiceError, StaffProfile, followups
from setacare_desktop.ui.page import Page, heading
from setacare_desktop.ui.person.tables import fill, read_only_table

HEADERS = ("種類", "期日", "遅れ", "対象者", "相談No.", "内容", "担当")


def reminder_text(count: int) -> str:
    """The status bar's reminder at login."""
    return (f"やることが{count}件あります（次回予定・返信期限・差戻し・連絡のない継続支援）。"
            "左の「やること」で確認できます。")


class FollowupsPage(Page):
    open_consultation = Signal(int)
    open_person = Signal(int)
    count_changed = Signal(int)

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db, self._actor = db, actor
        self.items: list[Followup] = []
        self.title_label = heading("やること", self)
        self.scope_combo = QComboBox(self)
        for scope in Scope:
            self.scope_combo.addItem(scope.label, scope)
        self.scope_combo.setAccessibleName("表示する範囲")
        self.refresh_button = QPushButton("最新の情報に更新(&R)", self)
        self.summary_label = QLabel("", self)
        self.table = read_only_table(HEADERS, self, "やること")
        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addStretch(1)
        top.addWidget(QLabel("範囲", self))
        top.addWidget(self.scope_combo)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        hint = QLabel("行をダブルクリックすると、その相談（連絡のない継続支援は相談者ページ）を"
                      "開きます。", self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.scope_combo.currentIndexChanged.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.cellDoubleClicked.connect(self._chosen)

    def activate(self) -> None:
        self.refresh()

    def scope(self) -> Scope:
        return Scope(self.scope_combo.currentData())

    def refresh(self) -> None:
        today = local_now().date()
        try:
            self.items = followups.followups(self._db, self._actor, self.scope(), today=today)
        except ServiceError as error:
            self.summary_label.setText(error.message)
            return
        self._fill(today)
        if self.scope() is Scope.MINE:
            self.count_changed.emit(len(self.items))

    def _fill(self, today: date) -> None:
        rows = [(f.kind.label, wareki_short(f.due) if f.due else "",
                 f"{f.days_late(today)}日" if f.days_late(today) > 0 else "今日",
                 f.person, str(f.consultation_id or ""), f.what, f.holder) for f in self.items]
        fill(self.table, rows, stretch=5, masked=[f.masked for f in self.items],
             tooltips=["本人の情報共有の同意がないため、イニシャルと年代のみ表示しています"
                       if f.masked else "" for f in self.items])
        counts = {kind: sum(f.kind is kind for f in self.items) for kind in FollowupKind}
        self.summary_label.setText(
            f"{self.scope().label}: {len(self.items)}件（"
            + "、".join(f"{kind.label} {n}" for kind, n in counts.items()) + "）")

    def _chosen(self, row: int, _column: int) -> None:
        if not 0 <= row < len(self.items):
            return
        item = self.items[row]
        if item.consultation_id is not None:
            self.open_consultation.emit(item.consultation_id)
        elif item.person_id is not None and not item.masked:
            self.open_person.emit(item.person_id)


def count_for_badge(db: Database, actor: StaffProfile) -> int:
    """The staff member's own count (not audited: a number only); 0 when it cannot be read."""
    try:
        return followups.followup_count(db, actor)
    except ServiceError:
        return 0
