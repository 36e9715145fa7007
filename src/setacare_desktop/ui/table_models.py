"""Qt item models of the window. Named ``...TableModel`` so they never clash with database models.

Each model holds plain rows returned by a service, has named column constants and custom roles,
and is tested without a window (``QAbstractItemModelTester``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QObject,
    QSortFilterProxyModel,
    Qt,
)

from setacare_desktop.domain.reference import MIXED_LABEL, TARGET_GROUPS, is_mixed
from setacare_desktop.services.consultations import ConsultationRow
from setacare_desktop.services.staff import StaffRow
from setacare_desktop.ui.row_model import (
    ANONYMOUS,
    ID_ROLE,
    MARK_COLOR,
    MASKED_TOOLTIP,
    ROW_ROLE,
    URGENT_MARK,
    URGENT_ROLE,
    AnyIndex,
    RowTableModel,
    access_tooltip,
    one_line,
)

# The search results' model is ``ui.search_model``; its names stay importable from here.
from setacare_desktop.ui.search_model import (
    HIGHLIGHT_ROLE,
    HIGHLIGHTED_COLUMNS,
    SEARCH_COL_COMPLAINT,
    SEARCH_COL_DISTRICT,
    SEARCH_COL_EXCERPT,
    SEARCH_COL_PERSON,
    SEARCH_COL_READING,
    SEARCH_COL_RECEIVED,
    SEARCH_COL_URGENT,
    SEARCH_HEADERS,
    SearchFetch,
    SearchResultTableModel,
)

__all__ = [
    "ANONYMOUS", "HIGHLIGHTED_COLUMNS", "HIGHLIGHT_ROLE", "ID_ROLE", "ROW_ROLE",
    "SEARCH_COL_COMPLAINT", "SEARCH_COL_DISTRICT", "SEARCH_COL_EXCERPT", "SEARCH_COL_PERSON",
    "SEARCH_COL_READING", "SEARCH_COL_RECEIVED", "SEARCH_COL_URGENT", "SEARCH_HEADERS",
    "URGENT_MARK", "URGENT_ROLE", "ConsultationFilterProxyModel", "ConsultationTableModel",
    "SearchFetch", "SearchResultTableModel", "StaffTableModel", "access_tooltip",
]

URGENT_COLOR = MARK_COLOR

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

# Roles: ROW_ROLE (the whole row), ID_ROLE and URGENT_ROLE (``ui.row_model``), and:
#: The receiving organisation's kind code, e.g. "anshin" (``domain.reference.OrgKind``).
ORG_KIND_ROLE = Qt.ItemDataRole.UserRole + 4
#: The target group codes (tuple of str, in the ward's order).
TARGET_CODES_ROLE = Qt.ItemDataRole.UserRole + 5
#: The 対応 code ("" when not recorded).
RESPONSE_CODE_ROLE = Qt.ItemDataRole.UserRole + 6
#: A value to sort the column by (what the filter proxy sorts on).
SORT_ROLE = Qt.ItemDataRole.UserRole + 7
#: Columns the day's list keeps narrow (full-width characters; the whole text in the tooltip),
#: so that 主訴 has the room.
NARROW_COLUMNS: dict[int, int] = {COL_ORGANISATION: 8, COL_TARGETS: 12, COL_RESPONSE: 8,
                                  COL_PERSON: 10}


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

def masked_complaint(row: ConsultationRow) -> str:
    """What the 主訴 column says of a masked row: why nothing is shown."""
    return "他機関の匿名の相談（非表示）" if row.person_name == ANONYMOUS else MASKED_TOOLTIP




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
            if column in (COL_ORGANISATION, COL_TARGETS):  # may be cut short in the list
                return _CONSULTATION_TEXT[column](row)
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
