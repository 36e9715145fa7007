"""つなぎ先: where to refer a consultation, recording the referral, and the open referrals.

Two tabs. 「つなぎ先を探す」: the destinations suggested for the consultation chosen with
:meth:`ReferralsPage.show_consultation` (ranked, each with its reason and the 要確認 badge while
its contact is not confirmed), or, while the search box holds text, the free search's results
(kana- and width-insensitive, as the user types). Up/Down move through the list from the search
box as well; Enter chooses the destination for the 「つなぎを記録」 form; the detail pane shows
what a clerk needs to refer, and for supervisors and administrators 「この連絡先を編集」 opens
:class:`DirectoryEditDialog`. 「未完了のつなぎ」: the district's open referrals, overdue first.
"""

from __future__ import annotations

import dataclasses
import html

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.services import Database, ServiceError, StaffProfile
from setacare_desktop.services import directory as directory_service
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services.directory import EDITOR_ROLES, Destination
from setacare_desktop.ui.directory.import_dialog import DirectoryImportDialog
from setacare_desktop.ui.page import Page, heading
from setacare_desktop.ui.referrals.edit_dialog import DirectoryEditDialog
from setacare_desktop.ui.referrals.open_list import OpenReferralsPanel
from setacare_desktop.ui.referrals.record_form import NO_CONSULTATION, RecordForm

TAB_FIND = "つなぎ先を探す"
TAB_OPEN = "未完了のつなぎ"
UNCONFIRMED_BADGE = "【要確認】"
DESTINATION_ROLE = Qt.ItemDataRole.UserRole + 1
SUGGESTION_LIMIT = 15
SEARCH_LIMIT = 50
EDIT_TEXT = "この連絡先を編集"


def item_text(destination: Destination) -> str:
    """Two lines: the name (with the 要確認 badge) and why it is listed."""
    badge = f"　{UNCONFIRMED_BADGE}" if not destination.contact_confirmed else ""
    first = f"{destination.name}{badge}"
    if destination.organization_name and destination.organization_name not in destination.name:
        first += f"（{destination.organization_name}）"
    reason = destination.reason
    if destination.locality:
        reason = f"{reason}　[{destination.locality}]" if reason else destination.locality
    return f"{first}\n　{reason}" if reason else first


def detail_html(destination: Destination) -> str:
    """What a clerk needs to refer: description, eligibility, hours, contact (and whether it is
    confirmed)."""
    e = html.escape
    if destination.contact_confirmed:
        badge = "<span>（連絡先 確認済）</span>"
    else:
        badge = ("<span style='color:#b00020; font-weight:bold'>【要確認】連絡先は"
                 "未確認です。監督者の確認前に使うときは必ず確かめてください。</span>")
    contact = "<br>".join(e(p) for p in destination.phones) or "（電話番号の登録なし）"
    rows = [
        ("運営", destination.organization_name),
        ("内容", destination.description),
        ("対象", destination.eligibility),
        ("受付時間", destination.hours or "（登録なし）"),
        ("所在地", destination.address or "（登録なし）"),
        ("担当範囲", destination.service_area),
    ]
    body = "".join(f"<tr><th align='left' valign='top'>{e(k)}</th><td>{e(v)}</td></tr>"
                   for k, v in rows)
    body += f"<tr><th align='left' valign='top'>連絡先</th><td>{contact}</td></tr>"
    parts = [f"<h3>{e(destination.name)}</h3>", f"<p>{badge}</p>"]
    if destination.reason:
        parts.append(f"<p>理由: {e(destination.reason)}</p>")
    if destination.notes:
        parts.append(f"<p>{e('・'.join(destination.notes))}</p>")
    parts.append(f"<table cellspacing='4'>{body}</table>")
    return "".join(parts)


class ReferralsPage(Page):
    """The つなぎ先 work area. ``status_message`` carries messages for the status bar."""

    status_message = Signal(str)

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._consultation_id: int | None = None
        self._district_code: str | None = None
        self._suggestions: list[Destination] = []

        self.consultation_label = QLabel(NO_CONSULTATION, self)
        self.consultation_label.setWordWrap(True)
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("名称・よみ・キーワードで検索（例: ひきこもり、げんき）")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("つなぎ先の検索")
        search_label = QLabel("検索(&F)", self)
        search_label.setBuddy(self.search_edit)
        self.list_label = QLabel(self)
        self.list = QListWidget(self)
        self.list.setAccessibleName("つなぎ先の候補")
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("つなぎ先の詳細")
        self.detail.setOpenLinks(False)
        self.edit_button = QPushButton(f"{EDIT_TEXT}(&E)", self)
        self.edit_button.setAccessibleName(EDIT_TEXT)
        self.edit_button.setVisible(actor.role in EDITOR_ROLES)
        self.edit_button.setEnabled(False)
        self.edit_dialogs: dict[int, DirectoryEditDialog] = {}
        self.import_button = QPushButton("取り込み・書き出し…", self)  # ui/directory
        self.import_button.setVisible(actor.role in EDITOR_ROLES)
        self.form = RecordForm(db, actor, self)
        self.open_panel = OpenReferralsPanel(db, actor, self)

        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.search_edit, 1)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(search_row)
        left_layout.addWidget(self.list_label)
        left_layout.addWidget(self.list, 1)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.detail, 1)
        edit_row = QHBoxLayout()
        edit_row.addStretch(1)
        edit_row.addWidget(self.import_button)
        edit_row.addWidget(self.edit_button)
        right_layout.addLayout(edit_row)
        right_layout.addWidget(self.form)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self.find_tab = QWidget(self)
        find_layout = QVBoxLayout(self.find_tab)
        find_layout.addWidget(splitter, 1)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.find_tab, TAB_FIND)
        self.tabs.addTab(self.open_panel, TAB_OPEN)

        layout = QVBoxLayout(self)
        layout.addWidget(heading("つなぎ先", self))
        layout.addWidget(self.consultation_label)
        layout.addWidget(self.tabs, 1)

        self.search_edit.installEventFilter(self)
        self.search_edit.textChanged.connect(self._search_changed)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemActivated.connect(self._item_activated)
        self.edit_button.clicked.connect(self.edit_current)
        self.import_button.clicked.connect(self.open_import)
        self.form.recorded.connect(self._recorded)
        self.form.status_message.connect(self.status_message)
        self.open_panel.status_message.connect(self.status_message)
        self._fill_list([])

    # --- the consultation -----------------------------------------------------------------

    def activate(self) -> None:
        self.open_panel.activate()

    @property
    def consultation_id(self) -> int | None:
        return self._consultation_id

    def open_reply(self, referral_id: int, district_code: str) -> bool:
        """Show 「未完了のつなぎ」 with the referral chosen and its reply form ready (e.g. from a
        returned sheet's number); False when it is not among the open referrals."""
        self.tabs.setCurrentWidget(self.open_panel)
        return self.open_panel.open_reply(referral_id, district_code)

    def show_consultation(self, consultation_id: int) -> bool:
        """Suggest destinations for a consultation; False (with the reason shown) when it
        cannot be read."""
        self.tabs.setCurrentWidget(self.find_tab)
        try:
            suggestions = directory_service.suggest_for_consultation(
                self._db, self._actor, consultation_id, limit=SUGGESTION_LIMIT)
            district = intake_service.consultation_district(self._db, self._actor,
                                                            consultation_id)
        except ServiceError as error:
            self.consultation_label.setText(error.message)
            return False
        self._consultation_id = consultation_id
        self._district_code = district
        self._suggestions = suggestions
        self.consultation_label.setText(
            f"相談No. {consultation_id}（{intake_service.district_label(district)}地区）の"
            "つなぎ先")
        self.form.set_consultation(consultation_id)
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self._show_results()
        self.search_edit.setFocus()
        return True

    # --- the list -------------------------------------------------------------------------

    def _search_changed(self, _text: str) -> None:
        self._show_results()

    def _show_results(self) -> None:
        text = self.search_edit.text().strip()
        if not text:
            self._fill_list(self._suggestions)
            return
        found = directory_service.search_destinations(
            self._db, text, district_code=self._district_code, limit=SEARCH_LIMIT)
        self._fill_list(found, searching=True)

    def _fill_list(self, destinations: list[Destination], *, searching: bool = False) -> None:
        self.list.clear()
        for destination in destinations:
            item = QListWidgetItem(item_text(destination))
            item.setData(DESTINATION_ROLE, destination)
            item.setToolTip(destination.reason or destination.name)
            self.list.addItem(item)
        if searching:
            self.list_label.setText(f"検索結果 {len(destinations)}件" if destinations
                                    else "該当するつなぎ先はありません。")
        elif self._consultation_id is None:
            self.list_label.setText("相談を開くと、つなぎ先の候補がここに表示されます。")
        else:
            self.list_label.setText(f"この相談へのおすすめ {len(destinations)}件（よく合う順）"
                                    if destinations else "おすすめできるつなぎ先はありません。")
        if destinations:
            self.list.setCurrentRow(0)
        else:
            self.detail.clear()

    def destination_at(self, row: int) -> Destination | None:
        item = self.list.item(row)
        return None if item is None else item.data(DESTINATION_ROLE)

    def _current_changed(self, current: QListWidgetItem | None,
                         _previous: QListWidgetItem | None) -> None:
        self._update_edit_button()
        if current is None:
            self.detail.clear()
            return
        self.detail.setHtml(detail_html(current.data(DESTINATION_ROLE)))

    # --- editing the directory (supervisors and administrators) ------------------------------

    @property
    def can_edit(self) -> bool:
        return self._actor.role in EDITOR_ROLES

    def _update_edit_button(self) -> None:
        self.edit_button.setEnabled(self.can_edit and self.list.currentItem() is not None)

    def edit_current(self) -> DirectoryEditDialog | None:
        """Open (or raise) the non-blocking edit dialog of the current destination."""
        item = self.list.currentItem()
        if not self.can_edit or item is None:
            return None
        service_id = item.data(DESTINATION_ROLE).service_id
        dialog = self.edit_dialogs.get(service_id)
        if dialog is None:
            try:
                dialog = DirectoryEditDialog(self._db, self._actor, service_id, self)
            except ServiceError as error:
                self.status_message.emit(error.message)
                return None
            dialog.saved.connect(self._directory_edited)
            dialog.finished.connect(lambda _result, sid=service_id: self._edit_closed(sid))
            self.edit_dialogs[service_id] = dialog
        else:
            dialog.raise_()
        dialog.show()
        dialog.activateWindow()
        return dialog

    def open_import(self) -> DirectoryImportDialog:
        dialog = DirectoryImportDialog(self._db, self._actor, self)
        dialog.imported.connect(self._show_results)
        dialog.show()
        return dialog

    def _edit_closed(self, service_id: int) -> None:
        dialog = self.edit_dialogs.pop(service_id, None)
        if dialog is not None:
            dialog.deleteLater()

    def _directory_edited(self, service_id: int) -> None:
        """The edited destination's list text, detail and badge follow the stored state (its
        place in the list and its reason stay as they were)."""
        stored = directory_service.destination(self._db, service_id)

        def updated(old: Destination) -> Destination:
            return dataclasses.replace(stored, reason=old.reason, score=old.score,
                                       urgent=old.urgent, locality=old.locality, notes=old.notes)

        self._suggestions = [updated(s) if s.service_id == service_id else s
                             for s in self._suggestions]
        for row in range(self.list.count()):
            item = self.list.item(row)
            old: Destination = item.data(DESTINATION_ROLE)
            if old.service_id != service_id:
                continue
            new = updated(old)
            item.setData(DESTINATION_ROLE, new)
            item.setText(item_text(new))
            if item is self.list.currentItem():
                self.detail.setHtml(detail_html(new))
        if self.form.destination is not None and self.form.destination.service_id == service_id:
            self.form.set_destination(updated(self.form.destination))
        self.status_message.emit(f"「{stored.name}」の連絡先を保存しました。")

    def choose_current(self) -> Destination | None:
        """The list's current destination goes to the 「つなぎを記録」 form."""
        item = self.list.currentItem()
        if item is None:
            return None
        destination: Destination = item.data(DESTINATION_ROLE)
        self.form.set_destination(destination)
        if self.form.isEnabled():
            self.form.request_edit.setFocus()
        return destination

    def _item_activated(self, _item: QListWidgetItem) -> None:
        self.choose_current()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up/Down in the search box move through the list; Enter chooses."""
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.list.count():
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.list.currentItem():
                self.choose_current()
                return True
        return super().eventFilter(watched, event)

    def _recorded(self, _referral_id: int) -> None:
        self.open_panel.refresh()
