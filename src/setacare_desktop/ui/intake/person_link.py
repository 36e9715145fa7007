"""The person an intake is about: the duplicate check, linking to a person on record, and that
person's consent records.

As 氏名, ふりがな and 生年月日 are typed, persons on record who may be the same one are looked up
on the worker thread once the clerk pauses (debounced) and listed in ``DuplicatePanel``. Linking
one fills the empty fields from the record (``persons.person_details``, audited) and shows their
consent records in ``ConsentPanel``, where a consent can be withdrawn (``WithdrawDialog``) or,
for a saved consultation, an emergency exception recorded (``EmergencyDialog``).

:class:`PersonLink` owns the linked person's id, the candidates the clerk set aside, the lookup
timer and these dialogs; the page's widgets for the person are those of ``PersonSection``.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from setacare_desktop.domain.consent import ConsentEntry
from setacare_desktop.domain.jpdate import DateParseError, parse_date, to_wareki
from setacare_desktop.services import Database, ServiceError, StaffProfile, persons
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services.persons import PersonCandidate
from setacare_desktop.ui.intake.consent_panel import ConsentPanel
from setacare_desktop.ui.intake.duplicate_panel import DuplicatePanel
from setacare_desktop.ui.intake.emergency_dialog import EmergencyDialog
from setacare_desktop.ui.intake.sections import PersonSection
from setacare_desktop.ui.intake.widgets import Debouncer, dispose
from setacare_desktop.ui.intake.withdraw_dialog import WithdrawDialog
from setacare_desktop.ui.operations import Operation
from setacare_desktop.ui.referrals.consent_dialog import ConsentChoice, ConsentDialog

if TYPE_CHECKING:
    from setacare_desktop.ui.intake.form import IntakePage


class PersonLink(QObject):
    """Who the intake on ``page`` is about. ``person_id`` is the person on record it is linked
    to (None: a new person, or anonymous)."""

    def __init__(self, page: IntakePage, db: Database, actor: StaffProfile,
                 person: PersonSection, duplicate_panel: DuplicatePanel,
                 consent_panel: ConsentPanel, *, delay_ms: int) -> None:
        super().__init__(page)
        self._page = page
        self._db = db
        self._actor = actor
        self._person = person
        self._duplicate_panel = duplicate_panel
        self._consent_panel = consent_panel
        self.person_id: int | None = None
        #: Candidates the clerk said are not this person (not offered again while typing).
        self._dismissed: set[int] = set()
        self._op: Operation[list[PersonCandidate]] | None = None
        self.withdraw_dialog: WithdrawDialog | None = None
        self.change_dialog: ConsentDialog | None = None
        self.emergency_dialog: EmergencyDialog | None = None
        self._timer = Debouncer(delay_ms, self)

    def connect_signals(self) -> None:
        for edit in self._person.identity_edits():
            edit.textChanged.connect(self._timer.poke)
        self._timer.fired.connect(self.lookup)
        self._duplicate_panel.link_requested.connect(self.link)
        self._duplicate_panel.unlink_requested.connect(self.unlink)
        self._duplicate_panel.new_person_confirmed.connect(self._new_person_confirmed)
        self._consent_panel.withdraw_requested.connect(self._withdraw_requested)
        self._consent_panel.change_of_mind_requested.connect(self._change_of_mind_requested)
        self._consent_panel.emergency_requested.connect(self._emergency_requested)
        panel = self._consent_panel
        panel.consent_form_requested.connect(lambda: panel.open_consent_form(self._db, self._actor))
        panel.form_signed_requested.connect(
            lambda row: panel.record_form_signed(self._db, self._actor, row) and self.load_consents())

    def forget(self) -> None:
        """A fresh form: no lookup pending, no candidate set aside."""
        self._timer.stop()
        self._dismissed.clear()

    # --- the same person --------------------------------------------------------------------

    def lookup(self) -> None:
        """Ask for persons on record who may be the one typed (runs debounced while typing)."""
        self._timer.stop()
        if self.person_id is not None:
            return
        name, reading, birth = asked = self._person.identity()
        if not (name.strip() or reading.strip() or birth.strip()):
            self._duplicate_panel.show_candidates([])
            return
        # A read over the whole ward's persons, run as the user pauses: on the worker.
        op = Operation(self._page, lambda _progress: persons.possible_duplicates(
            self._db, self._actor, name=name, reading=reading, birth_date=birth))
        self._op = op
        op.success(lambda found: self._found(asked, found)).failure(
            lambda error: self._page.status_message.emit(error.message)).run()

    def _found(self, asked: tuple[str, str, str], found: list[PersonCandidate]) -> None:
        if self._person.identity() != asked or self.person_id is not None:
            return  # typed on (a newer lookup follows) or linked meanwhile: out of date
        shown = [c for c in found if c.person_id not in self._dismissed]
        if found and not shown:
            self._duplicate_panel.dismiss()
        else:
            self._duplicate_panel.show_candidates(shown, searched=True)

    def link(self, candidate: PersonCandidate) -> None:
        """This consultation is about ``candidate``: take their recorded name, reading and
        birth date; keep what was typed in the other fields and fill the empty ones from the
        record (``persons.person_details``, audited as a read of the person)."""
        try:
            stored = persons.person_details(self._db, self._actor, candidate.person_id)
        except ServiceError as error:
            self._page.inform("対象者に紐付けられません", error.message)
            return
        section = self._person
        typed = section.person()
        self.person_id = candidate.person_id
        section.name_edit.setText(stored.name or typed.name)
        section.reading_edit.setText(stored.reading or typed.reading)
        if stored.birth_date:
            with contextlib.suppress(DateParseError):
                section.birth_edit.setText(to_wareki(parse_date(stored.birth_date)))
        for edit, value, kept in (
                (section.town_edit, typed.address_town, stored.address_town),
                (section.rest_edit, typed.address_rest, stored.address_rest),
                (section.phone_edit, typed.phone, stored.phone)):
            if not value.strip():
                edit.setText(kept)
        if not typed.sex:
            section.sex_combo.set_code(stored.sex)
        if not typed.household:
            section.household_combo.set_code(stored.household)
        self.show_link()
        self.load_consents()
        self._page.note_change()
        section.sex_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        self._page.status_message.emit(
            f"既存の対象者（{stored.name or candidate.name}）に紐付けました")

    def unlink(self) -> None:
        """Not that person after all: the typed fields stay, a new person will be recorded."""
        self.person_id = None
        self._dismissed.clear()
        self.show_link()
        self._consent_panel.set_existing([])
        self._page.note_change()
        self.lookup()
        self._page.status_message.emit("紐付けを解除しました（新しい対象者として登録されます）")

    def _new_person_confirmed(self) -> None:
        self._dismissed.update(c.person_id for c in self._duplicate_panel.candidates)
        self._duplicate_panel.dismiss()
        self._person.sex_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_link(self) -> None:
        """The linked person (as typed now) in the duplicate panel, or none."""
        if self.person_id is None:
            self._duplicate_panel.show_linked(None)
            return
        name_text, reading_text, birth_text = self._person.identity()
        name = name_text or "（氏名なし）"
        reading = f"（{reading_text}）" if reading_text else ""
        try:
            born = f"\n{to_wareki(parse_date(birth_text))}生"
        except DateParseError:
            born = ""
        self._duplicate_panel.show_linked(f"{name}{reading}{born}\n対象者ID {self.person_id}")

    # --- consent records ----------------------------------------------------------------

    def load_consents(self) -> None:
        """The linked person's consent records into the consent panel (none when unlinked)."""
        self._consent_panel.set_person(self.person_id)
        if self.person_id is None:
            self._consent_panel.set_existing([])
            return
        try:
            rows = intake_service.consents_of(self._db, self._actor, self.person_id)
        except ServiceError as error:
            self._page.status_message.emit(error.message)
            rows = []
        self._consent_panel.set_existing(rows)
        self._page.apply_tab_order()

    def _withdraw_requested(self, row: intake_service.ConsentRow) -> None:
        dispose(self.withdraw_dialog)
        dialog = WithdrawDialog(self._db, self._actor, row, self._page)
        dialog.accepted.connect(self._withdrawn)
        self.withdraw_dialog = dialog
        dialog.open()

    def _withdrawn(self) -> None:
        self.load_consents()
        self._page.status_message.emit("同意の撤回を記録しました")

    def _change_of_mind_requested(self, row: intake_service.ConsentRow) -> None:
        """A consent replacing the refusal ``row``: recorded apart, on a saved consultation."""
        case_id = self._page.case_id
        if case_id is None:
            self._page.inform("本人の意思の変更", "意思の変更は、保存済みの相談に記録します。\n"
                              "先に相談を保存し、「本人の同意」の記録から選び直してください。")
            return
        refusal = row.record

        def submit(choice: ConsentChoice) -> None:
            intake_service.record_consent(
                self._db, self._actor, case_id, refusal.recipient, refusal.purpose,
                ConsentEntry(True, choice.giver, choice.giver_relation, choice.method,
                             choice.given_on, row.consent_id, choice.change_note,
                             choice.mind_changed))

        reason = (f"{refusal.giver_text}が{to_wareki(refusal.given_on)}に"
                  f"「{row.recipient_name}」への{refusal.purpose.label}を不同意としています。")
        dispose(self.change_dialog)
        dialog = ConsentDialog(row.recipient_name, refusal.purpose, reason,
                               refusal_id=row.consent_id, submit=submit, ok_text="同意を記録",
                               parent=self._page)
        dialog.accepted.connect(self._mind_changed)
        self.change_dialog = dialog
        dialog.open()

    def _mind_changed(self) -> None:
        self.load_consents()
        self._page.status_message.emit("本人の意思の変更を記録しました（不同意の記録は残ります）")

    def _emergency_requested(self) -> None:
        case_id = self._page.case_id
        if case_id is None:
            self._page.inform("緊急時の例外", "緊急時の例外は、保存済みの相談に記録します。\n"
                              "先に相談を保存し、「本日の相談」から開いてから記録してください。")
            return
        dispose(self.emergency_dialog)
        dialog = EmergencyDialog(self._db, self._actor, case_id,
                                 self._consent_panel.recipients, self._page)
        dialog.accepted.connect(self._emergency_recorded)
        self.emergency_dialog = dialog
        dialog.open()

    def _emergency_recorded(self) -> None:
        dialog = self.emergency_dialog
        who = dialog.approver_login if dialog is not None else ""
        self._page.status_message.emit(f"緊急時の例外を記録しました（承認: {who}）")
