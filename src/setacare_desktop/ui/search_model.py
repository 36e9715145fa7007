"""The search results of 検索 (``services.search.search``), fetched a page at a time, with the
matched words highlighted. A search returns only what the staff member may see whole (a masked
consultation is never a hit); a hit seen under an emergency exception says so in its tooltip.

Memory stays flat however far the list is scrolled: the model keeps the hits of the first page
and of the ``KEPT_PAGES`` pages used last, and for every other page only where it starts (its
``before_id``). A page scrolled back to is read again with that ``before_id``, exactly as it was
read the first time; the user sees the same rows in the same places (a short pause, as when
scrolling down). Reading a page again is no new search: it is not audited as one, and the first
page (whose reading is the audited search) is never dropped.

No page is read on the window's thread: the model hands each read to a ``PageReader`` (the
panel's runs it as an ``ui.operations.Operation`` on the worker thread). While a next page is
being read, ``canFetchMore`` is False; while a dropped page is read again, its rows show empty
cells, filled in (``dataChanged``) when it arrives. A page that arrives after the query changed
is dropped. Without a reader (the model's own tests) a page is read at once.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
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

#: One page read: (folded words, hits).
Page: TypeAlias = tuple[list[str], list[SearchHit]]
#: ``reader(read, done, failed)``: run ``read()`` off the window's thread, then call ``done``
#: with the page or ``failed`` with the :class:`ServiceError`, on the window's thread.
PageReader: TypeAlias = Callable[
    [Callable[[], Page], Callable[[Page], None], Callable[[ServiceError], None]], None]


def read_at_once(read: Callable[[], Page], done: Callable[[Page], None],
                 failed: Callable[[ServiceError], None]) -> None:
    """A :data:`PageReader` that reads on the calling thread (for a model without a window)."""
    try:
        page = read()
    except ServiceError as error:
        failed(error)
        return
    done(page)


#: Pages of hits kept besides the first (the ones used last); 20 pages of 100 rows are
#: several screens above and below what is shown.
KEPT_PAGES = 20


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
    ``before_id``, so the ten-thousandth row costs what the first did. Only the first page and
    the ``kept_pages`` used last are held (see the module's docstring). A page that cannot be
    read (e.g. the database went away) stops the fetching and is reported by ``failed``; a page
    that cannot be read again shows empty cells and is reported the same way.
    """

    #: A further page could not be read (the message to show).
    failed = Signal(str)
    #: A further page was read, even an empty one (whether more may follow can have changed).
    page_read = Signal()

    def __init__(self, fetch: SearchFetch, parent: QObject | None = None, *,
                 page_size: int = SEARCH_PAGE_SIZE, kept_pages: int = KEPT_PAGES,
                 reader: PageReader = read_at_once) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._reader = reader
        #: Bumped by every reset: a page read for an earlier query is dropped on arrival.
        self._generation = 0
        #: Dropped pages being read again.
        self._rereading: set[int] = set()
        self._page_size = page_size
        self._kept_pages = max(1, kept_pages)
        self._query = ""
        self._words: list[str] = []
        #: Per page read so far: its first row and the ``before_id`` it was read with.
        self._starts: list[int] = []
        self._cursors: list[int | None] = []
        #: The hits held: page number → hits; the first page always, the others used last.
        self._pages: OrderedDict[int, list[SearchHit]] = OrderedDict()
        self._rows = 0
        #: The ``before_id`` of the next page (the last id read).
        self._next_cursor: int | None = None
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
        hit = self._hit(row)
        if hit is None:
            raise IndexError(row)
        return hit

    def held_pages(self) -> int:
        """How many pages of hits are in memory (at most the first and ``kept_pages``)."""
        return len(self._pages)

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
            self._query, self._words = query, list(words)
            self._starts, self._cursors, self._pages, self._rows = [], [], OrderedDict(), 0
            self._next_cursor = None
            self._generation += 1
            self._rereading = set()
            if hits:
                self._add_page(None, list(hits))
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
        query, before, generation = self._query, self._next_cursor, self._generation

        def done(page: Page) -> None:
            if generation != self._generation:
                return  # the list was reset meanwhile (its own _fetching is its own)
            hits = page[1]
            try:  # still fetching while the rows are announced: no nested fetch
                self._more = len(hits) >= self._page_size
                if hits:
                    first = self._rows
                    self.beginInsertRows(NO_PARENT, first, first + len(hits) - 1)
                    self._add_page(before, list(hits))
                    self.endInsertRows()
            finally:
                self._fetching = False
            self.page_read.emit()

        def failed(error: ServiceError) -> None:
            if generation != self._generation:
                return
            self._fetching = False
            self._more = False
            self.failed.emit(error.message)

        self._reader(lambda: self._fetch(query, before), done, failed)

    def _add_page(self, cursor: int | None, hits: list[SearchHit]) -> None:
        self._starts.append(self._rows)
        self._cursors.append(cursor)
        self._rows += len(hits)
        self._next_cursor = hits[-1].consultation_id
        self._hold(len(self._starts) - 1, hits)

    def _hold(self, page: int, hits: list[SearchHit]) -> None:
        """Keep ``page``'s hits as the one used last; drop the one used longest ago."""
        self._pages[page] = hits
        self._pages.move_to_end(page)
        while len(self._pages) > self._kept_pages + 1:
            oldest = next(p for p in self._pages if p != 0)  # the first page stays
            del self._pages[oldest]

    def _hit(self, row: int) -> SearchHit | None:
        """The hit shown in ``row``; None while its page, dropped, is being read again."""
        if not 0 <= row < self._rows:
            return None
        page = bisect_right(self._starts, row) - 1
        hits = self._pages.get(page)
        if hits is None:
            self._read_again(page)
            hits = self._pages.get(page)  # (there already if the reader ran at once)
            if hits is None:
                return None
        else:
            self._pages.move_to_end(page)
        offset = row - self._starts[page]
        return hits[offset] if offset < len(hits) else None

    def _read_again(self, page: int) -> None:
        """Read ``page`` again with the ``before_id`` it was first read with, and show it when
        it arrives. A page that reads shorter than before (a consultation changed since)
        leaves its last rows empty rather than shifting every later page; a failure is
        reported and leaves the page empty."""
        if page in self._rereading:
            return
        self._rereading.add(page)
        inline = True  # a reader that runs at once: data() returns the page itself
        start = self._starts[page]
        end = self._starts[page + 1] if page + 1 < len(self._starts) else self._rows
        query, cursor, generation = self._query, self._cursors[page], self._generation

        def show(hits: list[SearchHit]) -> None:
            if generation != self._generation:
                return
            self._rereading.discard(page)
            self._hold(page, hits[:end - start])
            if not inline:
                self.dataChanged.emit(self.index(start, 0),
                                      self.index(end - 1, self.columnCount() - 1))

        def failed(error: ServiceError) -> None:
            if generation == self._generation:
                self.failed.emit(error.message)
                show([])

        self._reader(lambda: self._fetch(query, cursor), lambda found: show(found[1]), failed)
        inline = False

    def rowCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(SEARCH_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = DISPLAY) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == DISPLAY:
            return SEARCH_HEADERS.get(section)
        return None

    def data(self, index: AnyIndex, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        hit = self._hit(index.row())
        if hit is None:
            return None
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
