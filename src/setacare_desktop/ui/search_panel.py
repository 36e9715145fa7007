"""検索: consultations of any date in the staff member's scope, found as the user types.

The search runs once the user pauses (``SEARCH_DELAY_MS``), or at once on Enter; each search is
an audited read, its pages read on the worker thread (``ui.operations``). Hits come newest
first, a page at a time as the list is scrolled, with the matched words in bold. Only what the
staff member may see is ever found (``services.search``): a masked consultation is not a hit.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.services import Database, ServiceError, StaffProfile
from setacare_desktop.services import search as search_service
from setacare_desktop.services.search import SearchHit
from setacare_desktop.ui.columns import fit_columns, row_list_view
from setacare_desktop.ui.delegates import HighlightDelegate
from setacare_desktop.ui.operations import Operation
from setacare_desktop.ui.search_model import Page
from setacare_desktop.ui.table_models import (
    ID_ROLE,
    SEARCH_COL_COMPLAINT,
    SEARCH_COL_DISTRICT,
    SEARCH_COL_EXCERPT,
    SEARCH_COL_PERSON,
    SEARCH_COL_READING,
    SEARCH_COL_RECEIVED,
    SEARCH_COL_URGENT,
    URGENT_MARK,
    SearchResultTableModel,
)

#: Wait for the user to pause typing before searching (each search is an audited read).
SEARCH_DELAY_MS = 300

PLACEHOLDER = "氏名・ふりがな・電話番号・主訴・相談内容の言葉（すべての日付）"
HINT = ("言葉を入力すると、すべての日付の相談から探します（新しい順）。"
        "他機関が受け付けた相談は、本人の情報共有の同意があるものだけが見つかります。")


class SearchPanel(QWidget):
    """A search box and the table of what it found."""

    #: The user chose a consultation (double-click or Enter on a row).
    open_consultation = Signal(int)

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor

        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText(PLACEHOLDER)
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("検索する言葉")
        search_label = QLabel("検索(&S)", self)
        search_label.setBuddy(self.search_edit)
        self.status_label = QLabel(HINT, self)
        self.status_label.setWordWrap(True)

        self.model = SearchResultTableModel(self._fetch, self, reader=self._read_page)
        self.table = row_list_view(self.model, self)
        self.table.setItemDelegate(HighlightDelegate(self.table))
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        # Pages arrive as the list scrolls: widths from typical texts, not from the rows.
        fit_columns(self.table, {
            SEARCH_COL_URGENT: [URGENT_MARK], SEARCH_COL_RECEIVED: ["2026/11/25 16:19"],
            SEARCH_COL_DISTRICT: ["二子玉川"], SEARCH_COL_PERSON: ["あいうえ かきくけ"],
            SEARCH_COL_READING: ["あいうえお かきくけこ"], SEARCH_COL_COMPLAINT: ["あ" * 18],
        }, stretch=SEARCH_COL_EXCERPT)
        self.table.setAccessibleName("検索結果")

        self._searching = ""  # the query whose first page is being read
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)

        row = QHBoxLayout()
        row.addWidget(search_label)
        row.addWidget(self.search_edit, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.table, 1)

        self.search_edit.textChanged.connect(self._text_changed)
        self.search_edit.returnPressed.connect(self.run_search)
        self._timer.timeout.connect(self.run_search)
        self.table.activated.connect(self._activated)
        self.model.page_read.connect(self._show_count)
        self.model.failed.connect(self.status_label.setText)

    def _fetch(self, query: str, before_id: int | None) -> tuple[list[str], list[SearchHit]]:
        return search_service.search(self._db, self._actor, query, before_id=before_id)

    def _read_page(self, read: Callable[[], Page], done: Callable[[Page], None],
                   failed: Callable[[ServiceError], None]) -> None:
        """The model's pages after the first, read on the worker thread like the first."""
        Operation(self, lambda _progress: read()).success(done).failure(failed).run()

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _text_changed(self, _text: str) -> None:
        self._timer.start()

    def pending(self) -> bool:
        """Whether a search is waiting for the user to pause."""
        return self._timer.isActive()

    def run_search(self) -> None:
        """Search now for what is in the box (the first page)."""
        self._timer.stop()
        query = self.search_edit.text()
        if query.strip() == self.model.query.strip() and query.strip():
            return  # Enter after the timer already searched: nothing new
        if not query.strip():
            self.model.clear()
            self._show_count()
            return
        # The first page is read on the worker; pages further down come as the list scrolls.
        self._searching = query
        self.status_label.setText("検索しています…")
        Operation(self, lambda _progress: self._fetch(query, None)).success(
            lambda found: self._found(query, *found)).failure(self._failed).run()

    def _found(self, query: str, words: list[str], hits: list[SearchHit]) -> None:
        if query != self._searching:
            return  # the user typed on: a newer search follows
        self.model.show_first_page(query, words, hits)
        self.table.scrollToTop()
        self._show_count()

    def _failed(self, error: ServiceError) -> None:
        self.model.clear()
        self.status_label.setText(error.message)

    def refresh(self) -> None:
        """Search again (after a consultation was saved or amended), if a search is shown."""
        if not self.model.query:
            return
        self.model.clear()
        self.run_search()

    def _show_count(self) -> None:
        if not self.model.query.strip():
            self.status_label.setText(HINT)
            return
        if not self.model.words:
            self.status_label.setText("検索できる言葉がありません（記号だけでは探せません）。")
            return
        count = self.model.rowCount()
        if count == 0:
            self.status_label.setText(f"「{self.model.query.strip()}」に一致する相談はありません。")
        elif self.model.has_more():
            self.status_label.setText(
                f"{count}件以上（新しい順。下へスクロールすると続きを読み込みます）")
        else:
            self.status_label.setText(f"{count}件（新しい順）")

    def _activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        consultation_id = index.data(ID_ROLE)
        if consultation_id is not None:
            self.open_consultation.emit(int(consultation_id))
