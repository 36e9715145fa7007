"""The search results of 検索 (``services.search.search``), fetched a page at a time, with the
matched words highlighted. A search returns only what the staff member may see whole (a masked
consultation is never a hit); a hit seen under an emergency exception says so in its tooltip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from PySide6.QtCore import QAbstractTableModel, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from setacare_desktop.domain.jpdate import to_wareki, wareki_short
from setacare_desktop.services import ServiceError
from setacare_desktop.services.search import PAGE_SIZE as SEARCH_PAGE_SIZE
from setacare_desktop.services.search import SearchHit
from setacare_desktop.ui.highlight import highlight_html
from setacare_desktop.ui.row_model import (
    ANONYMOUS,
    DISPLAY,
    ID_ROLE,
    MARK_COLOR,
    NO_PARENT,
    ROW_ROLE,
    URGENT_MARK,
    URGENT_ROLE,
    AnyIndex,
    access_tooltip,
    one_line,
)

(
    SEARCH_COL_URGENT,
    SEARCH_COL_RECEIVED,
    SEARCH_COL_DISTRICT,
    SEARCH_COL_PERSON,
    SEARCH_COL_READING,
    SEARCH_COL_COMPLAINT,
    SEARCH_COL_EXCERPT,
) = range(7)

SEARCH_HEADERS: dict[int, str] = {
    SEARCH_COL_URGENT: "緊急",
    SEARCH_COL_RECEIVED: "受付日時",
    SEARCH_COL_DISTRICT: "地区",
    SEARCH_COL_PERSON: "氏名",
    SEARCH_COL_READING: "ふりがな",
    SEARCH_COL_COMPLAINT: "主訴",
    SEARCH_COL_EXCERPT: "相談内容（抜粋）",
}

#: Rich text (HTML) of the cell with ``<b>…</b>`` around the matched words; None for columns
#: that are not searched (the delegate then draws the plain text).
HIGHLIGHT_ROLE = Qt.ItemDataRole.UserRole + 10

#: Columns whose text the search matches, and so are highlighted.
HIGHLIGHTED_COLUMNS = frozenset(
    {SEARCH_COL_PERSON, SEARCH_COL_READING, SEARCH_COL_COMPLAINT, SEARCH_COL_EXCERPT})

#: ``fetch(query, before_id)`` → (folded words, one page of hits newest first); e.g.
#: ``lambda q, before: search.search(db, actor, q, before_id=before)``.
SearchFetch: TypeAlias = Callable[[str, "int | None"], tuple[list[str], list[SearchHit]]]


_SEARCH_TEXT: dict[int, Callable[[SearchHit], str]] = {
    SEARCH_COL_URGENT: lambda h: URGENT_MARK if h.urgent else "",
    SEARCH_COL_RECEIVED: lambda h: f"{wareki_short(h.received_at.date())} {h.received_at:%H:%M}",
    SEARCH_COL_DISTRICT: lambda h: h.district_name,
    SEARCH_COL_PERSON: lambda h: h.person_name or ANONYMOUS,
    SEARCH_COL_READING: lambda h: h.person_reading,
    SEARCH_COL_COMPLAINT: lambda h: one_line(h.main_complaint),
    SEARCH_COL_EXCERPT: lambda h: one_line(h.details_excerpt),
}


class SearchResultTableModel(QAbstractTableModel):
    """The consultations a search found, newest first, fetched a page at a time.

    ``set_query`` reads the first page; a view asks for the next one (``canFetchMore`` /
    ``fetchMore``) when the user scrolls to the end, passing the last id shown as
    ``before_id``, so the ten-thousandth row costs what the first did. A page that cannot be
    read (e.g. the database went away) stops the fetching and is reported by ``failed``.
    """

    #: A further page could not be read (the message to show).
    failed = Signal(str)

    def __init__(self, fetch: SearchFetch, parent: QObject | None = None, *,
                 page_size: int = SEARCH_PAGE_SIZE) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._page_size = page_size
        self._query = ""
        self._words: list[str] = []
        self._hits: list[SearchHit] = []
        self._more = False
        self._fetching = False
        self._urgent_font = QFont()
        self._urgent_font.setBold(True)
        self._urgent_brush = QBrush(QColor(MARK_COLOR))

    @property
    def query(self) -> str:
        return self._query

    @property
    def words(self) -> list[str]:
        """The folded words of the query (what is highlighted)."""
        return list(self._words)

    def has_more(self) -> bool:
        """Whether a further page may exist (the last page read was full)."""
        return self._more

    def hit_at(self, row: int) -> SearchHit:
        return self._hits[row]

    def set_query(self, query: str) -> None:
        """Search afresh: the first page of ``query``. Errors of the fetch propagate (the model
        is then empty)."""
        try:
            words, hits = self._fetch(query, None) if query.strip() else ([], [])
        except Exception:
            self._reset("", [], [], more=False)
            raise
        self._reset(query, words, hits, more=len(hits) >= self._page_size)

    def show_first_page(self, query: str, words: list[str], hits: list[SearchHit]) -> None:
        """Show a first page fetched elsewhere (on the worker thread) for ``query``."""
        self._reset(query, words, hits, more=len(hits) >= self._page_size)

    def clear(self) -> None:
        self._reset("", [], [], more=False)

    def _reset(self, query: str, words: list[str], hits: list[SearchHit], *, more: bool) -> None:
        # No nested change while the reset is announced (a view asks again after it).
        self._fetching = True
        try:
            self.beginResetModel()
            self._query, self._words, self._hits = query, list(words), list(hits)
            self._more = more
            self.endResetModel()
        finally:
            self._fetching = False

    def canFetchMore(self, parent: AnyIndex = NO_PARENT) -> bool:
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: AnyIndex = NO_PARENT) -> None:
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        try:
            before = self._hits[-1].consultation_id if self._hits else None
            try:
                _words, hits = self._fetch(self._query, before)
            except ServiceError as error:
                self._more = False
                self.failed.emit(error.message)
                return
            self._more = len(hits) >= self._page_size
            if hits:
                first = len(self._hits)
                self.beginInsertRows(NO_PARENT, first, first + len(hits) - 1)
                self._hits.extend(hits)
                self.endInsertRows()
        finally:
            self._fetching = False

    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(SEARCH_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = DISPLAY) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == DISPLAY:
            return SEARCH_HEADERS.get(section)
        return None

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        column = index.column()
        if role == DISPLAY:
            text = _SEARCH_TEXT.get(column)
            return None if text is None else text(hit)
        if role == HIGHLIGHT_ROLE:
            if column not in HIGHLIGHTED_COLUMNS:
                return None
            return highlight_html(_SEARCH_TEXT[column](hit), self._words)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == SEARCH_COL_RECEIVED:
                return to_wareki(hit.received_at.date())
            if column == SEARCH_COL_COMPLAINT:
                return hit.main_complaint
            if column == SEARCH_COL_EXCERPT:
                return hit.details_excerpt or None
            if column == SEARCH_COL_URGENT and hit.urgent:
                return "緊急の相談"
            if column == SEARCH_COL_PERSON:
                return access_tooltip(hit.access, "")
            return None
        if role == Qt.ItemDataRole.FontRole:
            return self._urgent_font if hit.urgent else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._urgent_brush if hit.urgent else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == SEARCH_COL_URGENT:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == ROW_ROLE:
            return hit
        if role == ID_ROLE:
            return hit.consultation_id
        if role == URGENT_ROLE:
            return hit.urgent
        return None
