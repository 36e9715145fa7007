"""Drafts of the intake form: what is typed is kept in the database until it is saved.

A draft is written 1 s after typing stops (debounced), on a 30 s timer as a safety net, and when
the page is hidden; timers write it on the worker thread (``Operation``), one at a time. Before
a save, a new intake, discarding or opening a case, the draft in flight is waited for
(:meth:`DraftKeeper.settle`) so that its id is known and removed in the save's own transaction.
The staff member's unfinished drafts are offered back in ``DraftsDialog`` (after a crash, or
from 「下書き…」).

:class:`DraftKeeper` owns the draft's id, whether the form changed since it was written, its
timers, its status label and the drafts dialog; the page asks it and tells it of changes. How a
chosen draft fills the form is the page's flow (``IntakePage.restore_draft``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from setacare_desktop import logs
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.services import Database, ServiceError, StaffProfile
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services.intake import DraftRow, local_drafts
from setacare_desktop.ui.intake.drafts_dialog import DraftsDialog
from setacare_desktop.ui.intake.widgets import Debouncer, dispose
from setacare_desktop.ui.operations import Operation

if TYPE_CHECKING:
    from pathlib import Path

    from setacare_desktop.domain.intake import IntakeInput
    from setacare_desktop.ui.intake.form import IntakePage

#: The draft label while the database cannot be reached (the form itself keeps everything).
LOCAL_DRAFT_SAVED = "サーバーに接続できないため、下書きをこのPCに保存しました"


class DraftKeeper(QObject):
    """The draft of the intake on ``page``. ``label`` (the page's ``draft_label``) says when it
    was last saved; ``autosave_timer`` ticks every ``interval_ms`` (the page decides what an
    idle form does on it); a change is written ``delay_ms`` after typing stops."""

    def __init__(self, page: IntakePage, db: Database, actor: StaffProfile, *,
                 delay_ms: int, interval_ms: int) -> None:
        super().__init__(page)
        self._page = page
        self._db = db
        self._actor = actor
        self.draft_id: int | None = None
        #: This form's draft on this PC, written while the database could not be reached.
        self.local_path: Path | None = None
        #: Changed since the draft was last written.
        self.dirty = False
        #: Changes typed so far (a draft saved in the background is current only if none came
        #: after what it holds).
        self._changes = 0
        self._op: Operation[int] | None = None
        self.dialog: DraftsDialog | None = None
        self._offered = False
        self.label = QLabel(page)
        self._timer = Debouncer(delay_ms, self)
        self._timer.fired.connect(self.save_in_background)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(interval_ms)

    def changed(self) -> None:
        """Something was typed: write a draft once typing stops."""
        self.dirty = True
        self._changes += 1
        self._timer.poke()

    def stop(self) -> None:
        self._timer.stop()

    def forget(self) -> None:
        """A fresh form: the draft written so far (if any) is no longer this form's."""
        self._timer.stop()
        self.settle()
        self.draft_id = None
        self.local_path = None
        self.dirty = False
        self.label.clear()

    def adopt(self, draft_id: int) -> None:
        """The form now shows this draft (restored); later changes update it."""
        self.draft_id = draft_id
        self.dirty = False

    def save_now(self, force: bool = False) -> int | None:
        """Save what is typed as a draft (if anything changed since the last one), before the
        next step (leaving, a new intake); the timers use :meth:`save_in_background`."""
        self._timer.stop()
        self.settle()
        if not (self.dirty or force):
            return self.draft_id
        if self.draft_id is None and not self._page.has_unsaved_changes():
            self.dirty = False
            return None
        data, case_id = self._page.collect(), self._page.case_id
        try:
            self.draft_id = intake_service.save_draft(
                self._db, self._actor, data, draft_id=self.draft_id, consultation_id=case_id)
        except Exception as error:  # a safety net must never take the form down with it
            if not isinstance(error, ServiceError):
                logs.log_unexpected("saving a draft", error)
            self._failed(error, data, case_id)
            return None
        self._saved(self.draft_id, self._changes)
        return self.draft_id

    def save_in_background(self) -> None:
        """The autosave: what is typed goes to the worker thread as a draft (one at a time;
        a change meanwhile keeps the form dirty for the next round)."""
        self._timer.stop()
        if not self.dirty:
            return
        if self.draft_id is None and not self._page.has_unsaved_changes():
            self.dirty = False
            return
        if self._op is not None and self._op.running:
            self._timer.poke()  # the previous one is still being written: again later
            return
        data, draft_id, case_id = self._page.collect(), self.draft_id, self._page.case_id
        changes = self._changes
        op = Operation(self._page, lambda _progress: intake_service.save_draft(
            self._db, self._actor, data, draft_id=draft_id, consultation_id=case_id))
        self._op = op
        op.success(lambda new_id: self._saved(new_id, changes)).failure(
            lambda error: self._failed(error, data, case_id)).run()

    def _saved(self, draft_id: int, changes: int) -> None:
        self.draft_id = draft_id
        self.dirty = changes != self._changes
        local_drafts.forget(self.local_path)  # in the database now: the copy here can go
        self.local_path = None
        self.label.setText(f"下書き保存 {local_now():%H:%M:%S}")

    def _failed(self, error: Exception, data: IntakeInput | None = None,
                case_id: int | None = None) -> None:
        # Said in the form, not in a dialog; the message is the service's (ServiceError) or
        # just that it failed (anything else is logged by the caller's boundary).
        if data is not None and local_drafts.unreachable(error) and self._keep_here(data, case_id):
            return
        text = error.message if isinstance(error, ServiceError) else type(error).__name__
        self.label.setText(f"下書きを保存できませんでした（{text}）")

    def _keep_here(self, data: IntakeInput, case_id: int | None) -> bool:
        """The database is out of reach: keep the draft on this PC (the form stays dirty, so
        the next round tries the database again)."""
        try:
            path = local_drafts.keep(self._db, self._actor, data, draft_id=self.draft_id,
                                     consultation_id=case_id, path=self.local_path)
        except ServiceError:
            return False
        if path is None:
            return False
        self.local_path = path
        self.label.setText(f"{LOCAL_DRAFT_SAVED} {local_now():%H:%M:%S}")
        return True

    def settle(self) -> None:
        """Let a draft being written in the background land first (its id is needed next)."""
        op, self._op = self._op, None
        if op is not None and op.running:
            op.wait()

    def discard_stored(self) -> None:
        """Remove this form's draft from the database (the input is thrown away)."""
        if self.draft_id is not None:
            intake_service.discard_draft(self._db, self._actor, self.draft_id)
        self.draft_id = None

    # --- offering drafts back -----------------------------------------------------------

    def others(self) -> list[DraftRow]:
        """The staff member's unfinished intakes, except the one on screen (drafts kept on
        this PC while the database was out of reach are brought in first)."""
        local_drafts.bring_in(self._db, self._actor)
        return [r for r in intake_service.list_drafts(self._db, self._actor)
                if r.draft_id != self.draft_id]

    def offer_once(self) -> bool:
        """Offer unfinished drafts the first time the page is shown idle (e.g. after a crash);
        True if the dialog opened."""
        if self._offered:
            return False
        self._offered = True
        if self.others():
            self.offer()
            return True
        return False

    def offer(self) -> DraftsDialog | None:
        """List the staff member's unfinished intakes (not the one on screen) to restore one
        or discard it. The dialog opens without blocking; returns it, or None if none."""
        rows = self.others()
        if not rows:
            self._page.status_message.emit("下書きはありません")
            return None
        dispose(self.dialog)
        dialog = DraftsDialog(rows, self._page)
        dialog.restore_requested.connect(self._restore_from_dialog)
        dialog.discard_requested.connect(self._discard_from_dialog)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _restore_from_dialog(self, row: DraftRow) -> None:
        if self._page.restore_draft(row) and self.dialog is not None:
            self.dialog.accept()

    def _discard_from_dialog(self, row: DraftRow) -> None:
        dialog = self.dialog
        if not self._page.confirm("下書きの破棄", "この下書きを破棄しますか？"):
            return
        intake_service.discard_draft(self._db, self._actor, row.draft_id)
        if dialog is not None:
            rest = [r for r in dialog.rows if r.draft_id != row.draft_id]
            if rest:
                dialog.set_rows(rest)
            else:
                dialog.accept()
        self._page.status_message.emit("下書きを破棄しました")
