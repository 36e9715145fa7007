"""The intake's life on the page: save (record or amend), start a new one, discard, open a
recorded consultation to amend it, restore a draft, print the 相談受付票.

Each step that would replace typed input asks first and keeps it as a draft (``DraftKeeper``);
each waits for a draft in flight, so that the save removes it in its own transaction. An
amendment carries the version it was loaded at (``consultation_detail.version``): a stale edit is
refused by the service and said in the form.

:class:`CaseFlow` owns which consultation is loaded (``case_id``) and at which version; the page
holds the widgets; :meth:`CaseFlow.start_new` is the blank form these steps return to. A case the
staff member may not see opens as its masked record (``masked_view``), never in the form; one seen
under an emergency exception carries a banner saying so.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from setacare_desktop.domain.intake import IntakeInput, parse_datetime
from setacare_desktop.domain.jpdate import DateParseError, local_now, parse_date, to_wareki
from setacare_desktop.domain.reference import CHANNELS
from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services import sheets as sheets_service
from setacare_desktop.services.intake import DraftRow, LoadedIntake, MaskedCase
from setacare_desktop.ui.intake.masked_view import MaskedCaseDialog
from setacare_desktop.ui.intake.widgets import default_received
from setacare_desktop.ui.operations import Operation

if TYPE_CHECKING:
    from setacare_desktop.ui.intake.form import IntakePage

#: Above the form of a case seen under an emergency exception (docs/privacy.md).
#: After a save: what the clerk usually does next, all with the consultation still open.
NEXT_STEPS = "続けて 相談受付票を印刷・つなぎ先を探す、または 新しい受付（Ctrl+N）"
EXCEPTION_BANNER = "緊急時の例外により表示しています"
EXCEPTION_STYLE = ("background: #fff4e5; color: #8a3b00; border: 2px solid #b00020;"
                   " font-weight: bold; padding: 6px;")

CONFIRM_DISCARD = "入力中の内容を破棄しますか？\n（この受付の下書きも削除されます）"
CONFIRM_SET_ASIDE = ("入力中の内容は下書きとして残し、{what}か？\n"
                     "（「下書き…」からいつでも再開できます）")


def in_wareki(data: IntakeInput) -> IntakeInput:
    """A loaded case's dates (ISO from the services) as the counter writes them: 和暦."""
    with contextlib.suppress(DateParseError):
        data.received_at = default_received(parse_datetime(data.received_at))
    for holder, name in ((data.person, "birth_date"), (data, "next_date")):
        text = getattr(holder, name)
        if text:
            with contextlib.suppress(DateParseError):
                setattr(holder, name, to_wareki(parse_date(text)))
    return data


class CaseFlow:
    """Saving, amending, opening, discarding and printing the intake on ``page``."""

    def __init__(self, page: IntakePage, db: Database, actor: StaffProfile) -> None:
        self._page = page
        self._db = db
        self._actor = actor
        #: The consultation being amended (None: a new intake) and its version when loaded.
        self.case_id: int | None = None
        self.version: int | None = None
        #: Above the form while it shows a case seen under an emergency exception.
        self.exception_banner = QLabel(page)
        self.exception_banner.setWordWrap(True)
        self.exception_banner.setStyleSheet(EXCEPTION_STYLE)
        self.exception_banner.setAccessibleName("緊急時の例外")
        self.exception_banner.hide()
        #: The masked record last opened (a case the staff member may not see), if any.
        self.masked_dialog: MaskedCaseDialog | None = None
        #: Whether the last :meth:`open_case` showed a masked record rather than the form.
        self.opened_masked = False

    def start_new(self) -> None:
        """An empty form for the next intake (received now, at the counter, own district)."""
        page = self._page
        page.drafts.forget()
        page.link.forget()
        self.case_id = None
        self.version = None
        page.problems.live = False
        page.fill(IntakeInput(received_at=default_received(local_now()),
                              channel=CHANNELS[0].code,
                              district=self._actor.district_code or ""))
        page.drafts.dirty = False
        page.problems.show([], focus=False)
        page.summary_label.hide()
        page.mode_label.setText("新しい受付")
        page.staff_label.setText(self._actor.name)
        page.organisation_label.setText(self._actor.organisation_name)
        page.referrals_button.setEnabled(False)
        page.print_button.setEnabled(False)
        page.history_group.forget()
        page.consent_panel.set_existing([])
        page.duplicate_panel.show_candidates([])
        self.exception_banner.hide()
        page.mark_clean()
        page.received_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_aside(self, title: str, what: str) -> bool:
        """Before replacing typed input: ask, and keep it as a draft. False: the user said no."""
        page = self._page
        if page.has_unsaved_changes():
            if not page.confirm(title, CONFIRM_SET_ASIDE.format(what=what)):
                return False
            page.drafts.save_now(force=True)
        return True

    def save(self) -> int | None:
        """Record (or amend) the consultation; returns its id, or None when refused."""
        page = self._page
        page.drafts.stop()
        page.drafts.settle()
        data = page.collect()
        amending = self.case_id is not None
        draft_id = page.drafts.draft_id
        try:
            if self.case_id is None:
                result = intake_service.record_intake(self._db, self._actor, data,
                                                      draft_id=draft_id)
            else:
                assert self.version is not None
                result = intake_service.amend_intake(
                    self._db, self._actor, self.case_id, data,
                    expected_version=self.version, draft_id=draft_id)
        except ValidationError as error:
            page.problems.live = True
            page.problems.show(error.problems, focus=True)
            return None
        except ServiceError as error:
            page.problems.show_message(error.message)
            return None
        # The draft went with the save (record_intake and amend_intake remove it in the same
        # transaction, even when an amendment changed nothing); start_new forgets its id.
        unchanged = amending and result.version == self.version
        # The consultation stays open, as saved: the interview goes on with its printout, its
        # referrals or the next person (新しい受付).
        self.start_new()
        try:
            self.apply_loaded(intake_service.load_intake(
                self._db, self._actor, result.consultation_id))
        except ServiceError as error:  # saved, but no longer readable here (e.g. masked)
            page.problems.show_message(error.message)
        if unchanged:
            page.status_message.emit(f"相談No. {result.consultation_id}に変更はありません")
        else:
            verb = "修正" if amending else "保存"
            page.status_message.emit(f"相談を{verb}しました（No. {result.consultation_id}）")
        if self.case_id == result.consultation_id:
            page.mode_label.setText(f"{page.mode_label.text()}\n{NEXT_STEPS}")
        page.saved.emit(result.consultation_id)
        return result.consultation_id

    def new_intake(self, ask: bool = True) -> bool:
        """Ctrl+N: a fresh form. Unsaved input is kept as a draft (after asking)."""
        if ask and not self._set_aside("新しい受付", "新しい受付を始めます"):
            return False
        self.start_new()
        return True

    def discard(self) -> bool:
        """Esc: throw away what is typed (after asking) and start afresh."""
        page = self._page
        page.drafts.settle()
        if page.has_unsaved_changes():
            if not page.confirm("入力内容の破棄", CONFIRM_DISCARD):
                return False
            page.drafts.discard_stored()
            page.status_message.emit("入力内容を破棄しました")
        else:
            page.drafts.discard_stored()
        self.start_new()
        return True

    def open_case(self, consultation_id: int) -> bool:
        """Load a consultation to read or amend it (asks first when something is typed).

        A consultation the staff member may not see opens as its masked record in a dialog of
        its own (``masked_view``), and the form keeps what it holds (``opened_masked``)."""
        self.opened_masked = False
        try:
            access = intake_service.case_access(self._db, self._actor, consultation_id)
            masked = (None if access.identifying
                      else intake_service.masked_case(self._db, self._actor, consultation_id))
        except ServiceError as error:
            self._page.inform("相談を開けません", error.message)
            return False
        if masked is not None:
            self.show_masked(masked)
            return True
        if not self._set_aside("相談を開く", f"相談No. {consultation_id}を開きます"):
            return False
        try:
            loaded = intake_service.load_intake(self._db, self._actor, consultation_id)
        except ServiceError as error:
            self._page.inform("相談を開けません", error.message)
            return False
        self.start_new()
        self.apply_loaded(loaded)
        return True

    def show_masked(self, case: MaskedCase) -> None:
        if self.masked_dialog is not None:
            self.masked_dialog.close()
            self.masked_dialog.deleteLater()
        self.masked_dialog = MaskedCaseDialog(case, self._page)
        self.masked_dialog.show()
        self.opened_masked = True
        self._page.status_message.emit(
            f"相談No. {case.consultation_id}は、個人を特定できない記録だけを表示しました")

    def apply_loaded(self, loaded: LoadedIntake) -> None:
        page = self._page
        self.case_id = loaded.consultation_id
        self.version = loaded.version
        page.fill(in_wareki(loaded.data))
        page.mode_label.setText(
            f"相談No. {loaded.consultation_id}の修正（第{loaded.version}版・"
            f"受付: {loaded.staff_name}／{loaded.organisation_name}）")
        # Who recorded it, not who reads it now.
        page.staff_label.setText(loaded.staff_name)
        page.organisation_label.setText(loaded.organisation_name)
        if loaded.emergency:  # the view is audited as one under the exception
            self.exception_banner.setText(f"{EXCEPTION_BANNER}: {loaded.access_reason}"
                                          "（この表示は記録されます）")
            self.exception_banner.show()
        page.history_group.show_rows(
            intake_service.history(self._db, self._actor, loaded.consultation_id))
        page.referrals_button.setEnabled(True)
        page.print_button.setEnabled(True)
        page.link.load_consents()
        page.refresh_form()
        page.mark_clean()

    def restore_draft(self, row: DraftRow) -> bool:
        """Fill the form completely from a draft; later changes update the same draft."""
        page = self._page
        if not self._set_aside("下書きの復元", "選んだ下書きを復元します"):
            return False
        if row.consultation_id is not None:
            try:
                loaded = intake_service.load_intake(self._db, self._actor, row.consultation_id)
            except ServiceError as error:
                page.inform("下書きを復元できません", error.message)
                return False
            self.start_new()
            self.apply_loaded(loaded)
        else:
            self.start_new()
        page.fill(row.data)
        page.link.load_consents()
        page.drafts.adopt(row.draft_id)
        page.link.lookup()
        page.status_message.emit("下書きを復元しました")
        return True

    def print_intake_record(self) -> bool:
        """Preview the 相談受付票 of the open consultation, as saved, to print or save it."""
        page = self._page
        if self.case_id is None:
            return False
        if page.has_unsaved_changes():
            page.inform("相談受付票を印刷", "修正した内容を保存してから印刷してください。")
            return False
        case_id = self.case_id
        # reportlab lays the record out: on the worker thread.
        return Operation(page, lambda _progress: sheets_service.preview_intake_record(
            self._db, self._actor, case_id), guard=[page.print_button],
            label="相談受付票を作成しています…", title="相談受付票を印刷",
        ).success(lambda pdf: page.show_pdf(f"相談受付票 No.{case_id}", pdf,
                                            f"相談受付票_No{case_id}.pdf")).failure(
            lambda error: page.inform("相談受付票を印刷", error.message)).run()
