"""修正履歴: the amendments of a loaded consultation, in the side column under the duplicate check.

The texts are built here from ``services.intake.history`` rows, with the field names in the
form's own Japanese labels, so the list reads like the form the clerk amends.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGroupBox, QListWidget, QVBoxLayout, QWidget

from setacare_desktop.domain.jpdate import utc_to_local, wareki_short
from setacare_desktop.domain.problems import LABELS
from setacare_desktop.services.intake import VersionRow

#: Field names of a consultation's history (``services.intake.history``) in Japanese: the
#: form's own labels, except that a change of 対象者 is a change of person, not of an ID.
HISTORY_FIELDS: dict[str, str] = {**LABELS, "person_id": "対象者"}

NOT_AMENDED = "（修正されていません）"


def history_text(row: VersionRow) -> str:
    moment = utc_to_local(row.changed_at)
    fields = "、".join(HISTORY_FIELDS.get(f, f) for f in row.fields)
    return (f"第{row.version}版 → {wareki_short(moment.date())} {moment:%H:%M} "
            f"{row.changed_by}が修正（{fields}）")


class HistoryBox(QGroupBox):
    """The 修正履歴 group and its list (``history_list``); hidden for a new intake."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("修正履歴", parent)
        self.history_list = QListWidget(self)
        self.history_list.setAccessibleName("修正履歴")
        self.history_list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.history_list)

    def show_rows(self, rows: list[VersionRow]) -> None:
        self.history_list.clear()
        self.history_list.addItems([history_text(r) for r in rows] or [NOT_AMENDED])
        self.show()

    def forget(self) -> None:
        """A new intake: no history to show."""
        self.hide()
        self.history_list.clear()
