"""受付: the counter form staff live in all day.

One page records a new consultation or amends a loaded one (``open_case``). The fields follow the
conversation (channel, who consulted, about whom, what, what was done, urgency, consent); Tab walks
them in that order and Ctrl+S saves, Ctrl+N starts a new intake, Esc asks before discarding.

What is typed is collected as an ``IntakeInput`` of plain strings and codes, so a failed save or a
draft never loses a character. Drafts are saved in the database while typing (debounced, and on a
timer) and offered back after a crash (``offer_drafts``). As 氏名, ふりがな and 生年月日 are typed,
the side panel lists persons on record who may be the same one; linking one fills the form with
their recorded details, and one of their recent consultations can be opened
(``open_consultation_requested``, which the main window routes as it does 本日の相談).

This module holds the page itself: it composes its parts (see the package's docstring), wires
their signals in one place, collects and fills the form, and keeps its marks current.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain import roles
from setacare_desktop.domain.intake import IntakeInput, validate
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.reference import DISTRICTS_BY_CODE
from setacare_desktop.services import Database, StaffProfile
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services.intake import DraftRow
from setacare_desktop.ui.intake.actions import PageActions
from setacare_desktop.ui.intake.consent_panel import ConsentPanel
from setacare_desktop.ui.intake.drafts import DraftKeeper
from setacare_desktop.ui.intake.drafts_dialog import DraftsDialog
from setacare_desktop.ui.intake.duplicate_panel import DuplicatePanel
from setacare_desktop.ui.intake.emergency_dialog import EmergencyDialog
from setacare_desktop.ui.intake.history import HistoryBox
from setacare_desktop.ui.intake.person_link import PersonLink
from setacare_desktop.ui.intake.problems_view import ProblemsView
from setacare_desktop.ui.intake.saving import CaseFlow
from setacare_desktop.ui.intake.sections import (
    ConsulterSection,
    ContentSection,
    FieldRegistry,
    PersonSection,
    ReceptionSection,
    Section,
    UrgencySection,
)
from setacare_desktop.ui.intake.widgets import default_received, set_enabled, set_text, set_visible
from setacare_desktop.ui.intake.withdraw_dialog import WithdrawDialog
from setacare_desktop.ui.page import Page, heading

# The delays are read when a page is built (tests shorten them on this module).
#: Looking for the same person once the clerk pauses typing, not on every key.
DUPLICATE_DELAY_MS = 250
#: A draft is saved this long after the last change ...
DRAFT_DELAY_MS = 1_000
#: ... and, as a safety net, on this timer.
AUTOSAVE_INTERVAL_MS = 30_000


class IntakePage(Page):
    """The intake form. ``saved`` carries the consultation id after each successful save;
    ``status_message`` carries short messages for the main window's status bar;
    ``open_consultation_requested`` carries the id of a consultation the clerk chose to open
    from the duplicate panel (whoever shows the page opens it, e.g. through ``open_case``,
    which asks first when something is typed)."""

    saved = Signal(int)
    status_message = Signal(str)
    open_consultation_requested = Signal(int)
    #: 「つなぎ先を探す」 for the consultation loaded in the form (its id).
    find_referrals_requested = Signal(int)

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._districts = roles.readable_districts(actor)
        self._filling = False
        self._baseline = IntakeInput()
        #: Every field by key (``domain.problems.LABELS``), registered by the sections.
        self._fields: FieldRegistry = {}
        #: Asks a yes/no question (title, text) → yes?  Tests replace it (no modal exec()).
        self.confirm: Callable[[str, str], bool] = self._ask
        #: Tells the user something (title, text). Tests replace it.
        self.inform: Callable[[str, str], None] = self._tell
        #: Shows a PDF to print or save (title, pdf, file name). Tests may replace it.
        self.show_pdf: Callable[[str, bytes, str], None] = self._show_pdf

        self.case = CaseFlow(self, db, actor)
        self.drafts = DraftKeeper(self, db, actor, delay_ms=DRAFT_DELAY_MS,
                                  interval_ms=AUTOSAVE_INTERVAL_MS)
        self.draft_label = self.drafts.label
        self._build()
        self.link = PersonLink(self, db, actor, self.person, self.duplicate_panel,
                               self.consent_panel, delay_ms=DUPLICATE_DELAY_MS)
        self._connect_signals()
        self.apply_tab_order()
        self.case.start_new()
        self.drafts.autosave_timer.start()

    # --- building the form ----------------------------------------------------------------

    def _build(self) -> None:
        fields = self._fields
        self.reception = ReceptionSection(self._actor, self._districts, fields, self)
        self.consulter = ConsulterSection(fields, self)
        self.person = PersonSection(fields, self)
        self.content = ContentSection(fields, self)
        self.urgency = UrgencySection(fields, self)
        self.consent_panel = ConsentPanel(self)
        self._alias_section_widgets()

        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        for group in (*self._sections(), self.consent_panel):
            body_layout.addWidget(group)
        body_layout.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)

        # Side column: the duplicate check and, for a loaded case, its history.
        self.duplicate_panel = DuplicatePanel(self)
        self.history_group = HistoryBox(self)
        self.history_list = self.history_group.history_list
        side = QVBoxLayout()
        side.addWidget(self.duplicate_panel, 2)
        side.addWidget(self.history_group, 1)

        # Header and footer
        self.title_label = heading("受付", self)
        self.mode_label = QLabel(self)
        self.urgent_banner = self.urgency.make_banner(self)
        self.status_label = QLabel(self)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.commands = PageActions(self)
        commands = self.commands
        self.save_button = commands.save_button
        self.new_button = commands.new_button
        self.drafts_button = commands.drafts_button
        self.discard_button = commands.discard_button
        self.referrals_button = commands.referrals_button
        self.print_button = commands.print_button
        self.problems = ProblemsView(fields, self.consent_panel, self.save_button, self.scroll,
                                     self)
        self.summary_label = self.problems.summary_label

        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label)
        title_row.addWidget(self.mode_label)
        title_row.addStretch(1)
        title_row.addWidget(self.draft_label)
        middle = QHBoxLayout()
        middle.addWidget(self.scroll, 3)
        middle.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addWidget(self.case.exception_banner)
        layout.addWidget(self.urgent_banner)
        layout.addLayout(middle, 1)
        layout.addWidget(self.summary_label)
        layout.addLayout(commands.row(self.status_label))

    def _alias_section_widgets(self) -> None:
        """The sections' widgets under the names the page always had (tests, main window)."""
        reception, consulter, person = self.reception, self.consulter, self.person
        content, urgency = self.content, self.urgency
        self.received_edit = reception.received_edit
        self.received_hint = reception.received_hint
        self.channel_combo = reception.channel_combo
        self.staff_label = reception.staff_label
        self.organisation_label = reception.organisation_label
        self.district_combo = reception.district_combo
        self.consulter_combo = consulter.consulter_combo
        self.relation_edit = consulter.relation_edit
        self.consulter_name_edit = consulter.consulter_name_edit
        self.consulter_contact_edit = consulter.consulter_contact_edit
        self.anonymous_note = person.anonymous_note
        self.name_edit = person.name_edit
        self.reading_edit = person.reading_edit
        self.birth_edit = person.birth_edit
        self.birth_hint = person.birth_hint
        self.sex_combo = person.sex_combo
        self.town_edit = person.town_edit
        self.rest_edit = person.rest_edit
        self.phone_edit = person.phone_edit
        self.household_combo = person.household_combo
        self.target_group = content.target_group
        self.mixed_label = content.mixed_label
        self.element_group = content.element_group
        self.complaint_edit = content.complaint_edit
        self.details_edit = content.details_edit
        self.response_combo = content.response_combo
        self.next_date_edit = content.next_date_edit
        self.next_date_hint = content.next_date_hint
        self.next_note_edit = content.next_note_edit
        self.urgency_group = urgency.urgency_group
        self.urgency_note_edit = urgency.urgency_note_edit

    def _connect_signals(self) -> None:
        for section in self._sections():
            section.watch(self.note_change)
        self.district_combo.currentIndexChanged.connect(self._district_changed)
        self.consent_panel.changed.connect(self.note_change)
        self.link.connect_signals()
        self.drafts.autosave_timer.timeout.connect(self._autosave_due)
        self.duplicate_panel.open_requested.connect(self.open_consultation_requested)
        # Slots return nothing (the public methods return results for callers and tests).
        self.save_button.clicked.connect(self._save_requested)
        self.new_button.clicked.connect(self._new_requested)
        self.drafts_button.clicked.connect(self._drafts_requested)
        self.discard_button.clicked.connect(self._discard_requested)
        self.referrals_button.clicked.connect(self._referrals_requested)
        self.print_button.clicked.connect(self.print_intake_record)
        self.commands.save_shortcut.activated.connect(self._save_requested)
        self.commands.new_shortcut.activated.connect(self._new_requested)
        self.commands.discard_shortcut.activated.connect(self._discard_requested)
        self.commands.duplicates_shortcut.activated.connect(self.duplicate_panel.focus_candidates)
        self.status_message.connect(self.status_label.setText)

    def _autosave_due(self) -> None:
        if self.case_id is None and not self.has_unsaved_changes():
            # An untouched form keeps 受付日時 at "now" for whoever comes to the counter next.
            fresh = default_received(local_now())
            if self.received_edit.text() != fresh:
                self._filling = True
                try:
                    self.received_edit.setText(fresh)
                finally:
                    self._filling = False
                self.refresh_form()
                self.mark_clean()
            return
        self.drafts.save_in_background()

    def _save_requested(self) -> None:
        self.save()

    def _new_requested(self) -> None:
        self.new_intake(ask=True)

    def _drafts_requested(self) -> None:
        self.offer_drafts()

    def _discard_requested(self) -> None:
        self.discard()

    def _referrals_requested(self) -> None:
        if self.case_id is not None:
            self.find_referrals_requested.emit(self.case_id)

    def tab_chain(self) -> list[QWidget]:
        """Every focusable widget in the order Tab visits them (those disabled are skipped)."""
        return [
            self.received_edit, self.channel_combo, self.district_combo, self.consulter_combo,
            self.relation_edit, self.consulter_name_edit, self.consulter_contact_edit,
            self.name_edit, self.reading_edit, self.birth_edit,
            *self.duplicate_panel.focus_chain(),
            self.sex_combo, self.town_edit, self.rest_edit, self.phone_edit,
            self.household_combo, *self.target_group.boxes, *self.element_group.boxes,
            self.complaint_edit, self.details_edit, self.response_combo, self.next_date_edit,
            self.next_note_edit, *self.urgency_group.boxes, self.urgency_note_edit,
            *self.consent_panel.focus_chain(),
            *self.commands.buttons(), self.history_list,
        ]

    def apply_tab_order(self) -> None:
        for first, second in itertools.pairwise(self.tab_chain()):
            QWidget.setTabOrder(first, second)

    # --- what is typed ----------------------------------------------------------------------

    def _sections(self) -> tuple[Section, ...]:
        return self.reception, self.consulter, self.person, self.content, self.urgency

    def collect(self) -> IntakeInput:
        """Everything typed, as the services take it (plain strings and codes)."""
        # Undated consents: a new case's consent is given on the day received, and consent
        # added while amending an older case is dated today by the service.
        data = IntakeInput(person_id=self.link.person_id,
                           consents=self.consent_panel.consents())
        for section in self._sections():
            section.read(data)
        return data

    def fill(self, data: IntakeInput) -> None:
        """Show ``data`` in every field (a loaded case or a restored draft)."""
        self._filling = True
        try:
            self.reception.fill(data)
            self._load_recipients()  # the district's, before their consents are shown
            for section in self._sections()[1:]:
                section.fill(data)
            self.link.person_id = data.person_id
            self.consent_panel.set_consents(data.consents)
        finally:
            self._filling = False
        self.link.show_link()
        self.refresh_form()

    def has_unsaved_changes(self) -> bool:
        """Anything typed since the form was cleared, loaded or saved (for close and logout)."""
        return self.collect() != self._baseline

    def mark_clean(self) -> None:
        """What the form shows now counts as unchanged (cleared, loaded or saved)."""
        self._baseline = self.collect()

    def is_anonymous(self) -> bool:
        return self.link.person_id is None and not self.name_edit.text().strip()

    @property
    def person_id(self) -> int | None:
        """The person on record this consultation is linked to (None: a new person)."""
        return self.link.person_id

    @property
    def case_id(self) -> int | None:
        """The consultation being amended (None: a new intake)."""
        return self.case.case_id

    @property
    def draft_id(self) -> int | None:
        return self.drafts.draft_id

    @property
    def drafts_dialog(self) -> DraftsDialog | None:
        return self.drafts.dialog

    @property
    def emergency_dialog(self) -> EmergencyDialog | None:
        return self.link.emergency_dialog

    @property
    def withdraw_dialog(self) -> WithdrawDialog | None:
        return self.link.withdraw_dialog

    # --- reacting to changes ------------------------------------------------------------------

    def note_change(self) -> None:
        """Something was typed (not filled in by the page itself)."""
        if self._filling:
            return
        self.drafts.changed()
        self.refresh_form()

    def _district_changed(self) -> None:
        if self._filling:
            return
        self._load_recipients()
        self.note_change()

    def _load_recipients(self) -> None:
        district = self.district_combo.code()
        recipients = (intake_service.consent_recipients(self._db, district)
                      if district in DISTRICTS_BY_CODE else [])
        self.consent_panel.set_recipients(recipients)
        self.apply_tab_order()

    def refresh_form(self) -> None:
        """Hints, the 複合 and 緊急 marks, enabled fields and (after a failed save) problems."""
        self.reception.show_hints()
        self.person.show_hints(self.reception.reference_day())
        self.content.show_hints()
        banner = self.urgency.banner_text()
        set_text(self.urgent_banner, banner)
        set_visible(self.urgent_banner, bool(banner))
        self.consulter.enable_other_fields()
        self.consent_panel.set_anonymous(self.is_anonymous())
        set_enabled(self.district_combo, self.case_id is None and len(self._districts) > 1)
        if self.problems.live:
            _valid, problems = validate(self.collect(), now=local_now())
            self.problems.show(problems, focus=False)

    def problem_text(self, field: str) -> str:
        """The problem shown at a field, by its key ("" when none)."""
        return self.problems.text(field)

    # --- the steps (``saving.CaseFlow``) -------------------------------------------------------

    def save(self) -> int | None:
        """Record (or amend) the consultation; returns its id, or None when refused."""
        return self.case.save()

    def new_intake(self, ask: bool = True) -> bool:
        """Ctrl+N: a fresh form. Unsaved input is kept as a draft (after asking)."""
        return self.case.new_intake(ask)

    def discard(self) -> bool:
        """Esc: throw away what is typed (after asking) and start afresh."""
        return self.case.discard()

    def open_case(self, consultation_id: int) -> bool:
        """Load a consultation to read or amend it (asks first when something is typed)."""
        return self.case.open_case(consultation_id)

    def restore_draft(self, row: DraftRow) -> bool:
        """Fill the form completely from a draft; later changes update the same draft."""
        return self.case.restore_draft(row)

    def print_intake_record(self) -> bool:
        """Preview the 相談受付票 of the open consultation, as saved, to print or save it."""
        return self.case.print_intake_record()

    # --- the same person and drafts (``person_link``, ``drafts``) ------------------------------

    def lookup_duplicates(self) -> None:
        """Ask for persons on record who may be the one typed (runs debounced while typing)."""
        self.link.lookup()

    def save_draft_now(self, force: bool = False) -> int | None:
        """Save what is typed as a draft now (before leaving, a new intake)."""
        return self.drafts.save_now(force)

    def offer_drafts(self) -> DraftsDialog | None:
        """List the staff member's other unfinished intakes to restore or discard one; returns
        the (non-blocking) dialog, or None if there are none."""
        return self.drafts.offer()

    # --- page life ------------------------------------------------------------------------

    def activate(self) -> None:
        """Shown by the main window: offer unfinished drafts once (e.g. after a crash) — but
        not over a consultation being opened or amended, nor over typed input; then they are
        offered the next time the page is shown idle (and 「下書き…」 lists them any time)."""
        if (self.case_id is None and not self.has_unsaved_changes()
                and self.drafts.offer_once()):
            return
        self.received_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:
        # Leaving the page (another area, logout, closing): keep what was typed.
        if self.drafts.dirty:
            self.drafts.save_in_background()
        super().hideEvent(event)

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _tell(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)

    def _show_pdf(self, title: str, pdf: bytes, name: str) -> None:
        from setacare_desktop.services import sheets
        from setacare_desktop.ui.sheets.printout import PrintoutDialog

        case_id = self.case.case_id
        assert case_id is not None
        PrintoutDialog(title, pdf, name, lambda deliver: sheets.print_intake_record(
            self._db, self._actor, case_id, deliver), self).exec()
