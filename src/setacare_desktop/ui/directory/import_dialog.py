"""つなぎ先の取り込み: choose an HSDS file (JSON, the Excel workbook, a CSV package's
``datapackage.json``), see every change it makes before anything is written, then confirm.

The file is read and checked off the window's thread (``ui.operations``) with a progress bar
that can be cancelled (bytes read of a JSON file); the preview lists one row per changed field
(新規 / 変更 with before → after / 削除), and 「取り込む」 asks once more and then writes exactly
that list (``hsds.import_hsds(expected=…)``: a file or directory changed meanwhile is refused).
A bad file's problems are listed with their place; nothing is written. 「Excel に書き出す」
writes the workbook to edit. Supervisors and administrators only (the service checks again).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError, hsds
from setacare_desktop.services.hsds import ImportPreview
from setacare_desktop.ui.forms import error_label
from setacare_desktop.ui.operations import Operation, Progress

COLUMNS = ("種別", "対象", "名称", "項目", "変更前", "変更後")
FILE_FILTER = "HSDS（*.json *.xlsx）;;すべてのファイル（*）"


def _reporting(progress: Progress) -> Callable[[int, int], None]:
    """The service's (bytes read, bytes in all) to the progress bar; stops when cancelled."""
    def report(done: int, total: int) -> None:
        progress.check()
        progress.update(done, max(total, 1))
    return report


class DirectoryImportDialog(QDialog):
    """Emits ``imported`` after an import was written."""

    imported = Signal()

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db, self._actor = db, actor
        self.preview: ImportPreview | None = None
        self.path: Path | None = None
        self.setWindowTitle("つなぎ先の取り込み（HSDS・Excel）")
        self.choose_button = QPushButton("ファイルを選んで確認(&O)…", self)
        self.export_button = QPushButton("Excel に書き出す(&X)…", self)
        self.file_label = QLabel("ファイルを選ぶと、書き込む前に変更の一覧を表示します。", self)
        self.file_label.setWordWrap(True)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("変更の件数")
        self.problems = error_label(self)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("変更の一覧")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.import_button = QPushButton("取り込む(&I)", self)
        self.import_button.setEnabled(False)
        self.close_button = QPushButton("閉じる", self)

        top = QHBoxLayout()
        top.addWidget(self.choose_button)
        top.addWidget(self.export_button)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.file_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.resize(self.fontMetrics().horizontalAdvance("あ") * 60,
                    self.fontMetrics().lineSpacing() * 30)
        self.choose_button.clicked.connect(self.choose)
        self.export_button.clicked.connect(self.export)
        self.import_button.clicked.connect(self.confirm_import)
        self.close_button.clicked.connect(self.reject)

    # --- reading and showing the preview --------------------------------------------------

    def choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "取り込むファイル", "", FILE_FILTER)
        if name:
            self.load(Path(name))

    def load(self, path: Path) -> None:
        """Read and check ``path`` off the window's thread; show what it would change."""
        self.path, self.preview = path, None
        self.import_button.setEnabled(False)
        self.table.setRowCount(0)
        self.problems.hide()
        self.file_label.setText(f"ファイル: {path}")
        self.summary.setText("読み込んでいます…")
        Operation(self, lambda progress: hsds.preview_import(
                      self._db, self._actor, path, progress=_reporting(progress)),
                  guard=[self.choose_button, self.import_button],
                  label="ファイルを読み込み、確認しています…", cancellable=True
                  ).success(self.show_preview).failure(self.show_problems).cancelled(
            lambda: self.summary.setText("読み込みを中止しました。何も変更していません。")).run()

    def show_preview(self, preview: ImportPreview) -> None:
        self.preview = preview
        rows: list[tuple[str, ...]] = []
        for entry in preview.entries:
            head = (entry.kind, entry.entity, entry.name)
            rows += [(*head, c.field, c.before, c.after) for c in entry.fields] or [
                (*head, "", "", "")]
        rows += [("注意", "", "", "", "", warning) for warning in preview.warnings]
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        if preview.entries:
            self.summary.setText(f"書き込む前の確認: {preview.summary()}。"
                                 "よければ「取り込む」を押してください。")
        else:
            self.summary.setText("変更はありません（つなぎ先はこのファイルと同じです）。")
        self.import_button.setEnabled(bool(preview.entries))

    def show_problems(self, error: ServiceError) -> None:
        """A bad file: every problem with its place; nothing was written."""
        if isinstance(error, ValidationError):
            lines = [str(p) for p in error.problems]
            shown = lines[:100] + ([f"ほか {len(lines) - 100:,} 件"] if len(lines) > 100 else [])
            text = "\n".join(shown)
        else:
            text = error.message
        self.summary.setText("このファイルは取り込めません。何も変更していません。")
        self.problems.setText(text)
        self.problems.show()

    # --- writing --------------------------------------------------------------------------

    def confirm_import(self) -> None:
        preview, path = self.preview, self.path
        if preview is None or path is None or not preview.entries:
            return
        answer = QMessageBox.question(
            self, "取り込みの確認", f"一覧の変更を書き込みます（{preview.summary()}）。"
            "よろしいですか？", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        Operation(self, lambda progress: hsds.import_hsds(
                      self._db, self._actor, path, expected=preview,
                      progress=_reporting(progress)),
                  guard=[self.choose_button, self.import_button], label="取り込んでいます…",
                  cancellable=True).success(self._done).failure(self.show_problems).cancelled(
            lambda: self.summary.setText("取り込みを中止しました。何も変更していません。")).run()

    def _done(self, report: hsds.ImportReport) -> None:
        self.preview = None
        self.import_button.setEnabled(False)
        self.summary.setText(f"取り込みました: 新規 {report.created:,} 件、更新 "
                             f"{report.updated:,} 件、無効にした {report.removed:,} 件。")
        self.imported.emit()

    def export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Excel に書き出す", "tsunagisaki.xlsx",
                                              "Excel（*.xlsx）")
        if not name:
            return
        target = Path(name)
        Operation(self, lambda _progress: hsds.export_hsds_xlsx(
                      self._db, self._actor, target, replace=target.exists()),
                  guard=[self.export_button], label="書き出しています…"
                  ).success(lambda count: self.summary.setText(
                      f"書き出しました: {count:,} 件のサービス → {target}")).run()
