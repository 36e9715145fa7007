"""操作記録: supervisors (their scope) and administrators check who read, printed, exported or
changed which record, and when (``services.audit.list_events``).

At the top, the state of the hash chain (checked in steps when the page is first shown, and again
on 「再検証」). Below, the period and the filters (職員, 対象者ID, 操作), 「表示」, and the table:
flagged rows are coloured and say why in 注意. 「注意のみ」 hides the others; 「CSV…」 saves what
is listed. Every listing is audited by the service. The path chooser is an attribute, replaceable
in tests.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.audit_chain import ChainReport
from setacare_desktop.domain.audit_checks import ACTION_LABELS
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.services import Database, ServiceError, StaffProfile, audit
from setacare_desktop.ui.audit.chain_check import ChainChecker, broken_text
from setacare_desktop.ui.audit.model import COL_FLAGS, AuditTableModel
from setacare_desktop.ui.columns import fit_to_rows, row_list_view
from setacare_desktop.ui.dates import date_edit
from setacare_desktop.ui.operations import Operation, Progress
from setacare_desktop.ui.page import Page, heading

ALL_ACTIONS = "すべての操作"
CSV_FILTER = "CSV ファイル (*.csv)"
ERROR_STYLE = "color: #b00020;"
GOOD_STYLE = "color: #1b5e20;"
BROKEN_STYLE = "color: #ffffff; background: #b00020; padding: 4px; font-weight: bold;"


class _FlaggedOnly(QSortFilterProxyModel):
    """Only the flagged rows, when asked."""

    def __init__(self, model: AuditTableModel) -> None:
        super().__init__(model)
        self.setSourceModel(model)
        self._model = model
        self.only_flagged = False

    def set_only_flagged(self, on: bool) -> None:
        self.beginFilterChange()
        self.only_flagged = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: object) -> bool:
        return not self.only_flagged or bool(self._model.row_at(source_row).flags)


class AuditPage(Page):
    """The audit trail of a period, in the staff member's scope, with the chain's state."""

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.listing: audit.AuditListing | None = None
        self._shown_once = False
        #: Asks where to save (suggested file name) → path, "" to cancel. Tests may replace it.
        self.choose_save_path: Callable[[str], str] = self._choose_save_path

        # --- the chain ---
        self.chain_label = QLabel("操作記録の検証: まだ確認していません", self)
        self.chain_label.setWordWrap(True)
        self.chain_label.setAccessibleName("操作記録の検証の結果")
        self.recheck_button = QPushButton("再検証(&V)", self)
        self.checker = ChainChecker(db, self)
        chain_row = QHBoxLayout()
        chain_row.addWidget(self.chain_label, 1)
        chain_row.addWidget(self.recheck_button)

        # --- the period and filters ---
        today = local_now().date()
        self.controls = QWidget(self)
        self.from_edit = date_edit(self.controls, "期間の開始日", today)
        self.to_edit = date_edit(self.controls, "期間の終了日", today)
        from_label = QLabel("期間(&T)", self.controls)
        from_label.setBuddy(self.from_edit)
        self.staff_edit = QLineEdit(self.controls)
        self.staff_edit.setPlaceholderText("ログインID")
        self.staff_edit.setAccessibleName("職員のログインID")
        staff_label = QLabel("職員(&L)", self.controls)
        staff_label.setBuddy(self.staff_edit)
        self.person_edit = QLineEdit(self.controls)
        self.person_edit.setPlaceholderText("番号")
        self.person_edit.setAccessibleName("対象者ID")
        self.person_edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 12)
        person_label = QLabel("対象者ID(&P)", self.controls)
        person_label.setBuddy(self.person_edit)
        self.action_combo = QComboBox(self.controls)
        self.action_combo.setAccessibleName("操作")
        self.action_combo.addItem(ALL_ACTIONS, None)
        for code, label in sorted(ACTION_LABELS.items(), key=lambda item: item[1]):
            self.action_combo.addItem(label, code)
        action_label = QLabel("操作(&O)", self.controls)
        action_label.setBuddy(self.action_combo)
        self.show_button = QPushButton("表示(&S)", self.controls)
        controls = QHBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        for widget in (from_label, self.from_edit, QLabel("〜", self.controls), self.to_edit,
                       staff_label, self.staff_edit, person_label, self.person_edit,
                       action_label, self.action_combo, self.show_button):
            controls.addWidget(widget)
        controls.addStretch(1)

        # --- the result ---
        self.summary_label = QLabel("期間を選んで「表示」を押してください。", self)
        self.summary_label.setWordWrap(True)
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        self.flagged_check = QCheckBox("注意のみ(&F)", self)
        self.csv_button = QPushButton("CSV(&C)…", self)
        self.csv_button.setEnabled(False)
        result_row = QHBoxLayout()
        result_row.addWidget(self.summary_label, 1)
        result_row.addWidget(self.flagged_check)
        result_row.addWidget(self.csv_button)
        self.model = AuditTableModel(self)
        self.proxy = _FlaggedOnly(self.model)
        self.table = row_list_view(self.proxy, self)
        self.table.setAlternatingRowColors(False)  # the flag colour must stand out
        self.table.setAccessibleName("操作記録の一覧")

        layout = QVBoxLayout(self)
        layout.addWidget(heading("操作記録", self))
        layout.addLayout(chain_row)
        layout.addWidget(self.controls)
        layout.addWidget(self.message_label)
        layout.addLayout(result_row)
        layout.addWidget(self.table, 1)
        for first, second in itertools.pairwise(
                (self.from_edit, self.to_edit, self.staff_edit, self.person_edit,
                 self.action_combo, self.show_button, self.flagged_check, self.csv_button,
                 self.table, self.recheck_button)):
            QWidget.setTabOrder(first, second)

        self.show_button.clicked.connect(self.load)
        for edit in (self.staff_edit, self.person_edit):
            edit.returnPressed.connect(self.load)
        self.flagged_check.toggled.connect(self.proxy.set_only_flagged)
        self.csv_button.clicked.connect(self.export_csv)
        self.recheck_button.clicked.connect(self.check_chain)
        self.checker.progressed.connect(lambda count: self._show_chain(
            f"操作記録の検証: 確認しています…（{count:,} 件）", ""))
        self.checker.finished.connect(self._chain_checked)
        self.checker.failed.connect(lambda message: self._show_chain(
            f"操作記録を検証できませんでした: {message}", ERROR_STYLE))

    # --- the chain ------------------------------------------------------------------------

    def activate(self) -> None:
        if not self._shown_once:
            self._shown_once = True
            self.check_chain()
            self.load()
        self.from_edit.setFocus()

    def check_chain(self) -> bool:
        self._show_chain("操作記録の検証: 確認しています…", "")
        return self.checker.start()

    def _show_chain(self, text: str, style: str) -> None:
        self.chain_label.setText(text)
        self.chain_label.setStyleSheet(style)

    def _chain_checked(self, report: ChainReport) -> None:
        stamp = f"{local_now():%H:%M} 時点"
        if report.broken is None:
            self._show_chain(f"操作記録の検証: {broken_text(report)}（{stamp}）", GOOD_STYLE)
        else:
            self._show_chain(f"操作記録の検証: {broken_text(report)}（{stamp}）。"
                             "管理者に連絡してください。", BROKEN_STYLE)

    # --- the listing ----------------------------------------------------------------------

    def _message(self, text: str) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))

    def query(self) -> audit.AuditQuery:
        """The period and filters as typed; ValueError (naming the field) if one is wrong."""
        start, end = self.from_edit.date(), self.to_edit.date()
        person_text = self.person_edit.text().strip()
        person_id = None
        if person_text:
            if not person_text.isdigit() or len(person_text) > 9:
                raise ValueError("対象者ID: 数字で入力してください")
            person_id = int(person_text)
        return audit.AuditQuery(
            date(start.year(), start.month(), start.day()),
            date(end.year(), end.month(), end.day()),
            staff=self.staff_edit.text().strip() or None, person_id=person_id,
            action=self.action_combo.currentData())

    def load(self) -> bool:
        """List the period (on the worker); False if a filter is wrong or a listing runs."""
        self._message("")
        try:
            query = self.query()
            audit.check_query(query)
        except ValueError as error:
            self._message(str(error))
            return False
        except ServiceError as error:
            self._message(error.message)
            return False
        db, actor = self.db, self.actor
        return Operation(self, lambda _progress: audit.list_events(db, actor, query),
                         guard=[self.show_button, self.csv_button], label="操作記録を読んでいます…",
                         title="操作記録").success(self.show_listing).failure(
            lambda error: self._message(error.message)).run()

    def show_listing(self, listing: audit.AuditListing) -> None:
        self.listing = listing
        query = listing.query
        period = (f"{query.start:%Y-%m-%d}" if query.start == query.end
                  else f"{query.start:%Y-%m-%d}〜{query.end:%Y-%m-%d}")
        self.summary_label.setText(
            f"{listing.scope_label} ／ {period} ／ {len(listing.rows):,} 件（うち注意 "
            f"{listing.flagged:,} 件）")
        self.model.set_rows(listing.rows)
        fit_to_rows(self.table, self.model, stretch=COL_FLAGS, limit_chars=20)
        self.csv_button.setEnabled(bool(listing.rows))

    def row_index(self, record_id: int) -> int | None:
        """The view's row of the audit row numbered ``record_id`` (None if not shown)."""
        for number in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(number, 0))
            if self.model.row_at(source.row()).id == record_id:
                return number
        return None

    # --- CSV ------------------------------------------------------------------------------

    def _choose_save_path(self, suggested: str) -> str:
        path, _filter = QFileDialog.getSaveFileName(self, "操作記録を保存", suggested, CSV_FILTER)
        return path

    def export_csv(self) -> Path | None:
        listing = self.listing
        if listing is None or not listing.rows:
            return None
        query = listing.query
        chosen = self.choose_save_path(
            f"操作記録_{query.start:%Y%m%d}-{query.end:%Y%m%d}.csv")
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() != ".csv":
            path = path.with_name(f"{path.name}.csv")
        db, actor = self.db, self.actor

        def save(_progress: Progress) -> None:
            audit.save_csv(db, actor, listing, path)

        started = Operation(self, save, guard=[self.csv_button], label="CSV を書き出しています…",
                            title="操作記録").success(
            lambda _none: self.summary_label.setText(
                f"{self.summary_label.text()} → CSV を保存しました: {path}")).failure(
            lambda error: self._message(error.message)).run()
        return path if started else None

