"""Qt item models of the window. Named ``...TableModel`` so they never clash with database models.

Each model holds plain rows returned by a service, has named column constants and custom roles,
and is tested without a window (``QAbstractItemModelTester``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from setacare_desktop.domain.jpdate import to_wareki
from setacare_desktop.domain.reference import MIXED_LABEL, TARGET_GROUPS, is_mixed
from setacare_desktop.domain.visibility import Access
from setacare_desktop.services import ServiceError, consultations
from setacare_desktop.services.consultations import ConsultationRow
from setacare_desktop.services.search import PAGE_SIZE as SEARCH_PAGE_SIZE
from setacare_desktop.services.search import SearchHit
from setacare_desktop.services.staff import StaffRow
from setacare_desktop.ui.highlight import highlight_html
from setacare_desktop.ui.row_model import MARK_COLOR, MASKED_TOOLTIP, RowTableModel, one_line

AnyIndex: TypeAlias = QModelIndex | QPersistentModelIndex

_NO_PARENT = QModelIndex()
_DISPLAY = Qt.ItemDataRole.DisplayRole

URGENT_COLOR = MARK_COLOR
URGENT_MARK = "★ 緊急"
#: The name shown for a consultation without a person (as ``services.consultations`` says it).
ANONYMOUS = consultations.ANONYMOUS

# --- the day's consultations ----------------------------------------------------------------

(
    COL_URGENT,
    COL_TIME,
    COL_PERSON,
    COL_DISTRICT,
    COL_ORGANISATION,
    COL_CHANNEL,
    COL_CONSULTER,
    COL_TARGETS,
    COL_COMPLAINT,
    COL_RESPONSE,
) = range(10)

CONSULTATION_HEADERS: dict[int, str] = {
    COL_URGENT: "緊急",
    COL_TIME: "受付時刻",
    COL_PERSON: "氏名",
    COL_DISTRICT: "地区",
    COL_ORGANISATION: "受付機関",
    COL_CHANNEL: "受付方法",
    COL_CONSULTER: "相談者",
    COL_TARGETS: "対象",
    COL_COMPLAINT: "主訴",
    COL_RESPONSE: "対応",
}

#: The whole :class:`ConsultationRow` of a row (any column).
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
#: The consultation's id (int).
ID_ROLE = Qt.ItemDataRole.UserRole + 2
#: Whether the consultation is urgent (bool).
URGENT_ROLE = Qt.ItemDataRole.UserRole + 3
#: The receiving organisation's kind code, e.g. "anshin" (``domain.reference.OrgKind``).
ORG_KIND_ROLE = Qt.ItemDataRole.UserRole + 4
#: The target group codes (tuple of str, in the ward's order).
TARGET_CODES_ROLE = Qt.ItemDataRole.UserRole + 5
#: The 対応 code ("" when not recorded).
RESPONSE_CODE_ROLE = Qt.ItemDataRole.UserRole + 6
#: A value to sort the column by (what the filter proxy sorts on).
SORT_ROLE = Qt.ItemDataRole.UserRole + 7


_TARGET_ORDER = {term.label: order for order, term in enumerate(TARGET_GROUPS)}


def targets_text(labels: Sequence[str]) -> str:
    """「高齢者」, or 「複合（高齢者、障害者）」 for two or more target groups, in the ward's order."""
    labels = sorted(labels, key=lambda label: _TARGET_ORDER.get(label, len(_TARGET_ORDER)))
    if len(labels) >= 2:
        return f"{MIXED_LABEL}（{'、'.join(labels)}）"
    return "".join(labels)


_CONSULTATION_TEXT: dict[int, Callable[[ConsultationRow], str]] = {
    COL_URGENT: lambda r: URGENT_MARK if r.urgent else "",
    COL_TIME: lambda r: f"{r.received_at:%H:%M}",
    COL_PERSON: lambda r: r.person_name,
    COL_DISTRICT: lambda r: r.district_name,
    COL_ORGANISATION: lambda r: r.organisation_name,
    COL_CHANNEL: lambda r: r.channel_label,
    COL_CONSULTER: lambda r: r.consulter_label,
    COL_TARGETS: lambda r: targets_text(r.target_labels),
    COL_COMPLAINT: lambda r: masked_complaint(r) if r.masked else one_line(r.main_complaint),
    COL_RESPONSE: lambda r: r.response_label,
}

#: The tooltip of a row shown under an emergency exception.
EMERGENCY_TOOLTIP = "緊急時の例外により表示しています（表示は記録されます）"


def masked_complaint(row: ConsultationRow) -> str:
    """What the 主訴 column says of a masked row: why nothing is shown."""
    return "他機関の匿名の相談（非表示）" if row.person_name == ANONYMOUS else MASKED_TOOLTIP


def access_tooltip(access: Access, reason: str) -> str | None:
    """The tooltip of a masked row (「同意なし（非表示）」 and why) or of one shown under an
    emergency exception; None for a row seen whole or under consent."""
    if access is Access.MASKED:
        return f"{MASKED_TOOLTIP}: {reason}" if reason else MASKED_TOOLTIP
    if access is Access.EMERGENCY:
        return EMERGENCY_TOOLTIP
    return None


class ConsultationTableModel(RowTableModel):
    """Read-only list of consultations (``services.consultations.list_day``).

    Urgent rows say so in the 緊急 column and are drawn bold and red (not by colour alone).
    """

    HEADERS = CONSULTATION_HEADERS
    TEXTS = _CONSULTATION_TEXT

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._order: list[Any] = []  # the rows as the service gave them
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def row_at(self, row: int) -> ConsultationRow:
        return self._rows[row]  # type: ignore[no-any-return]

    def set_rows(self, rows: Sequence[Any]) -> None:
        self._order = list(rows)
        self.beginResetModel()
        self._rows = self._sorted()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in plain Python by ``SORT_ROLE`` (stable, from the service's order), keeping
        the selection on its rows. The filter proxy forwards its sort here: a proxy sorting
        an area's day of over a thousand rows asks Qt for each compared cell and held the
        window's thread ~70 ms."""
        self._sort = (column, order)
        # (Emitted without arguments: PySide6 6.11 crashes on an explicit empty parent list.)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        kept = [self._rows[i.row()] for i in old]
        self._rows = self._sorted()
        where = {id(row): n for n, row in enumerate(self._rows)}
        self.changePersistentIndexList(
            old, [self.index(where[id(row)], i.column()) for row, i in zip(kept, old, strict=True)])
        self.layoutChanged.emit()

    def _sorted(self) -> list[Any]:
        if self._sort is None or self._sort[0] < 0:
            return list(self._order)
        column, order = self._sort

        def key(row: ConsultationRow) -> tuple[bool, Any]:
            value = self.row_data(row, column, SORT_ROLE)
            return (value is None, value if value is not None else 0)

        return sorted(self._order, key=key,
                      reverse=order == Qt.SortOrder.DescendingOrder)

    def urgent_count(self) -> int:
        return sum(1 for r in self._rows if r.urgent)

    def masked_count(self) -> int:
        return sum(1 for r in self._rows if r.masked)

    def is_marked(self, row: ConsultationRow) -> bool:
        return row.urgent

    def is_muted(self, row: ConsultationRow) -> bool:
        return row.masked

    def row_data(self, row: ConsultationRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_URGENT and row.urgent:
                return urgent_tooltip(row)
            access = access_tooltip(row.access, row.access_reason)
            if access is not None and column in (COL_PERSON, COL_COMPLAINT):
                return access
            if column == COL_COMPLAINT and not row.masked:
                return row.main_complaint
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in (COL_URGENT, COL_TIME):
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        if role == ROW_ROLE:
            return row
        if role == ID_ROLE:
            return row.consultation_id
        if role == URGENT_ROLE:
            return row.urgent
        if role == ORG_KIND_ROLE:
            return row.org_kind
        if role == TARGET_CODES_ROLE:
            return row.target_codes
        if role == RESPONSE_CODE_ROLE:
            return row.response_code
        if role == SORT_ROLE:
            if column == COL_URGENT:
                return 0 if row.urgent else 1  # ascending: urgent first
            if column == COL_TIME:
                return row.received_at.isoformat()
            text = _CONSULTATION_TEXT.get(column)
            return None if text is None else text(row)
        return None


def urgent_tooltip(row: ConsultationRow) -> str:
    """「緊急の相談: 虐待の疑い、DV」 (the flags, when recorded)."""
    if row.urgency_labels:
        return f"緊急の相談: {'、'.join(row.urgency_labels)}"
    return "緊急の相談"


#: The 対応 filter value that keeps consultations whose 対応 is not recorded.
RESPONSE_NONE = "__none__"
#: The target filter value that keeps 複合 consultations (two or more target groups).
TARGET_MIXED = "__mixed__"


class ConsultationFilterProxyModel(QSortFilterProxyModel):
    """The day's list narrowed by organisation kind, target group and 対応.

    ``None`` means any. ``TARGET_MIXED`` keeps the 複合 consultations; ``RESPONSE_NONE`` keeps
    those whose 対応 is not recorded yet. The filters read the codes through the source model's custom roles, so the
    displayed labels can change without breaking them.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._org_kind: str | None = None
        self._target: str | None = None
        self._response: str | None = None
        self.setSortRole(SORT_ROLE)

    @property
    def org_kind(self) -> str | None:
        return self._org_kind

    @property
    def target(self) -> str | None:
        return self._target

    @property
    def response(self) -> str | None:
        return self._response

    def set_org_kind(self, code: str | None) -> None:
        self._change(lambda: setattr(self, "_org_kind", code or None))

    def set_target(self, code: str | None) -> None:
        self._change(lambda: setattr(self, "_target", code or None))

    def set_response(self, code: str | None) -> None:
        self._change(lambda: setattr(self, "_response", code or None))

    def set_filters(self, *, org_kind: str | None, target: str | None,
                    response: str | None) -> None:
        """All three at once (one re-filtering)."""
        def apply() -> None:
            self._org_kind, self._target = org_kind or None, target or None
            self._response = response or None
        self._change(apply)

    def clear_filters(self) -> None:
        self.set_filters(org_kind=None, target=None, response=None)

    def is_filtering(self) -> bool:
        return any(f is not None for f in (self._org_kind, self._target, self._response))

    def urgent_count(self) -> int:
        """Urgent rows among those shown."""
        return sum(1 for r in range(self.rowCount())
                   if self.data(self.index(r, 0), URGENT_ROLE))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The source model sorts (in plain Python); the proxy keeps its order and filters."""
        source = self.sourceModel()
        if isinstance(source, ConsultationTableModel):
            source.sort(column, order)
        else:
            super().sort(column, order)

    def _change(self, apply: Callable[[], None]) -> None:
        self.beginFilterChange()
        apply()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if self._org_kind is not None and model.data(index, ORG_KIND_ROLE) != self._org_kind:
            return False
        if self._target is not None:
            codes = model.data(index, TARGET_CODES_ROLE) or ()
            if self._target == TARGET_MIXED:
                if not is_mixed(set(codes)):
                    return False
            elif self._target not in codes:
                return False
        if self._response is not None:
            code = model.data(index, RESPONSE_CODE_ROLE) or ""
            wanted = "" if self._response == RESPONSE_NONE else self._response
            if code != wanted:
                return False
        return True


# --- search results -------------------------------------------------------------------------

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
    SEARCH_COL_RECEIVED: lambda h: f"{h.received_at:%Y/%m/%d %H:%M}",
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

    def canFetchMore(self, parent: AnyIndex = _NO_PARENT) -> bool:
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: AnyIndex = _NO_PARENT) -> None:
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
                self.beginInsertRows(_NO_PARENT, first, first + len(hits) - 1)
                self._hits.extend(hits)
                self.endInsertRows()
        finally:
            self._fetching = False

    def rowCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: AnyIndex = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(SEARCH_HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _DISPLAY) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == _DISPLAY:
            return SEARCH_HEADERS.get(section)
        return None

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        column = index.column()
        if role == _DISPLAY:
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


# --- staff accounts -------------------------------------------------------------------------

(
    STAFF_COL_LOGIN,
    STAFF_COL_NAME,
    STAFF_COL_ROLE,
    STAFF_COL_ORGANISATION,
    STAFF_COL_STATUS,
) = range(5)

STAFF_HEADERS: dict[int, str] = {
    STAFF_COL_LOGIN: "ログインID",
    STAFF_COL_NAME: "氏名",
    STAFF_COL_ROLE: "役割",
    STAFF_COL_ORGANISATION: "所属",
    STAFF_COL_STATUS: "状態",
}

#: The whole :class:`StaffRow` of a row (any column).
STAFF_ROW_ROLE = Qt.ItemDataRole.UserRole + 1


def staff_status(row: StaffRow) -> str:
    if not row.active:
        return "無効"
    if row.locked:
        return "ロック中"
    return "有効"


_STAFF_TEXT: dict[int, Callable[[StaffRow], str]] = {
    STAFF_COL_LOGIN: lambda r: r.login,
    STAFF_COL_NAME: lambda r: r.name,
    STAFF_COL_ROLE: lambda r: r.role_label,
    STAFF_COL_ORGANISATION: lambda r: r.organisation_name,
    STAFF_COL_STATUS: staff_status,
}


class StaffTableModel(RowTableModel):
    """Read-only list of staff accounts (``services.staff.list_staff``)."""

    HEADERS = STAFF_HEADERS
    TEXTS = _STAFF_TEXT

    def row_at(self, row: int) -> StaffRow:
        return self._rows[row]  # type: ignore[no-any-return]

    def row_data(self, row: StaffRow, column: int, role: int) -> Any:
        return row if role == STAFF_ROW_ROLE else None
