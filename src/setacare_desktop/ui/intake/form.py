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

This module holds the page itself: it composes the parts, wires their signals in one place,
collects and fills the form, and keeps the marks (hints, 緊急, enabled fields) current. The parts:

- ``sections``: the form's sections (受付, 相談者, 対象者, 相談内容・対応, 緊急性) and their widgets;
- ``problems_view``: problems at their fields, the summary and the save button's count;
- ``drafts``: the draft's id, autosave timers and the drafts dialog (``DraftKeeper``);
- ``person_link``: the duplicate check, linking a person, their consents (``PersonLink``);
- ``saving``: save, amend, open, discard, restore a draft, print (``CaseFlow``);
- ``history``: the 修正履歴 of a loaded consultation.

Widgets that moved into a part stay reachable on the page under their old names.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain import roles
from setacare_desktop.domain.intake import IntakeInput, parse_datetime, validate
from setacare_desktop.domain.jpdate import DateParseError, local_now
from setacare_desktop.domain.reference import CHANNELS, DISTRICTS_BY_CODE
from setacare_desktop.services import Database, StaffProfile
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services.intake import DraftRow
from setacare_desktop.services.persons import PersonCandidate
from setacare_desktop.ui.forms import ERROR_COLOR
from setacare_desktop.ui.intake.consent_panel import ConsentPanel
from setacare_desktop.ui.intake.drafts import DraftKeeper
from setacare_desktop.ui.intake.drafts_dialog import DraftsDialog
from setacare_desktop.ui.intake.duplicate_panel import DuplicatePanel
from setacare_desktop.ui.intake.emergency_dialog import EmergencyDialog
from setacare_desktop.ui.intake.history import HistoryBox
from setacare_desktop.ui.intake.person_link import PersonLink
from setacare_desktop.ui.intake.problems_view import SAVE_TEXT, ProblemsView
from setacare_desktop.ui.intake.saving import CaseFlow
from setacare_desktop.ui.intake.sections import (
    ConsulterSection,
    ContentSection,
    FieldRegistry,
    PersonSection,
    ReceptionSection,
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

URGENT_STYLE = f"background-color: {ERROR_COLOR}; color: white; padding: 6px;"


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
        self._drafts_offered = False
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
        self.reset_form()
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
        for group in (self.reception, self.consulter, self.person, self.content, self.urgency,
                      self.consent_panel):
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
        self.urgent_banner = QLabel(self)
        self.urgent_banner.setStyleSheet(URGENT_STYLE)
        self.urgent_banner.setWordWrap(True)
        self.urgent_banner.setAccessibleName("緊急")
        banner_font = self.urgent_banner.font()
        banner_font.setBold(True)
        self.urgent_banner.setFont(banner_font)
        self.urgent_banner.hide()
        self.status_label = QLabel(self)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton(SAVE_TEXT, self)
        self.save_button.setToolTip("保存（Ctrl+S）")
        self.save_button.setDefault(False)
        self.new_button = QPushButton("新規（Ctrl+N）", self)
        self.drafts_button = QPushButton("下書き…", self)
        self.discard_button = QPushButton("破棄（Esc）", self)
        self.referrals_button = QPushButton("つなぎ先を探す", self)
        self.referrals_button.setToolTip("この相談のつなぎ先を探し、つなぎを記録します")
        self.print_button = QPushButton("相談受付票を印刷…", self)
        self.print_button.setToolTip("保存した内容で相談受付票（A4）をプレビューし、印刷・保存します")
        self.print_button.setEnabled(False)
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
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        for button in (self.save_button, self.new_button, self.drafts_button,
                       self.discard_button, self.referrals_button, self.print_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(title_row)
        layout.addWidget(self.urgent_banner)
        layout.addLayout(middle, 1)
        layout.addWidget(self.summary_label)
        layout.addLayout(buttons)

        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.save_shortcut = QShortcut(QKeySequence("Ctrl+S"), self, context=context)
        self.new_shortcut = QShortcut(QKeySequence("Ctrl+N"), self, context=context)
        self.discard_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, context=context)
        self.duplicates_shortcut = QShortcut(QKeySequence("Ctrl+D"), self, context=context)

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
        for section in (self.reception, self.consulter, self.person, self.content, self.urgency):
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
        self.save_shortcut.activated.connect(self._save_requested)
        self.new_shortcut.activated.connect(self._new_requested)
        self.discard_shortcut.activated.connect(self._discard_requested)
        self.duplicates_shortcut.activated.connect(self.duplicate_panel.focus_candidates)
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
            self.save_button, self.new_button, self.drafts_button, self.discard_button,
            self.referrals_button, self.print_button, self.history_list,
        ]

    def apply_tab_order(self) -> None:
        for first, second in itertools.pairwise(self.tab_chain()):
            QWidget.setTabOrder(first, second)

    # --- what is typed ----------------------------------------------------------------------

    def collect(self) -> IntakeInput:
        """Everything typed, as the services take it (plain strings and codes)."""
        other = self.consulter.is_other()
        return IntakeInput(
            received_at=self.received_edit.text(),
            channel=self.channel_combo.code(),
            district=self.district_combo.code(),
            consulter_kind=self.consulter_combo.code(),
            consulter_relation=self.relation_edit.text() if other else "",
            consulter_name=self.consulter_name_edit.text() if other else "",
            consulter_contact=self.consulter_contact_edit.text() if other else "",
            person=self.person.person(),
            person_id=self.link.person_id,
            target_groups=self.target_group.codes(),
            elements=self.element_group.codes(),
            main_complaint=self.complaint_edit.text(),
            details=self.details_edit.toPlainText(),
            response=self.response_combo.code(),
            next_date=self.next_date_edit.text(),
            next_note=self.next_note_edit.text(),
            urgency=self.urgency_group.codes(),
            urgency_note=self.urgency_note_edit.text(),
            # Undated: a new case's consent is given on the day received, and consent added
            # while amending an older case is dated today by the service.
            consents=self.consent_panel.consents(),
        )

    def fill(self, data: IntakeInput) -> None:
        """Show ``data`` in every field (a loaded case or a restored draft)."""
        self._filling = True
        try:
            self.received_edit.setText(data.received_at)
            self.channel_combo.set_code(data.channel)
            self.district_combo.set_code(data.district)
            self._load_recipients()
            self.consulter_combo.set_code(data.consulter_kind)
            self.relation_edit.setText(data.consulter_relation)
            self.consulter_name_edit.setText(data.consulter_name)
            self.consulter_contact_edit.setText(data.consulter_contact)
            self.person.set_person(data.person)
            self.link.person_id = data.person_id
            self.target_group.set_codes(data.target_groups)
            self.element_group.set_codes(data.elements)
            self.complaint_edit.setText(data.main_complaint)
            self.details_edit.setPlainText(data.details)
            self.response_combo.set_code(data.response)
            self.next_date_edit.setText(data.next_date)
            self.next_note_edit.setText(data.next_note)
            self.urgency_group.set_codes(data.urgency)
            self.urgency_note_edit.setText(data.urgency_note)
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

    def _reference_day(self) -> date:
        """The day ages are counted on: the day received, or today."""
        try:
            return parse_datetime(self.received_edit.text()).date()
        except DateParseError:
            return local_now().date()

    def refresh_form(self) -> None:
        """Hints, the 複合 and 緊急 marks, enabled fields and (after a failed save) problems."""
        self.reception.show_hints()
        self.person.show_hints(self._reference_day())
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

    def reset_form(self) -> None:
        """An empty form for the next intake (received now, at the counter, own district)."""
        self.drafts.forget()
        self.link.forget()
        self.case.forget()
        self.problems.live = False
        blank = IntakeInput(received_at=default_received(local_now()),
                            channel=CHANNELS[0].code,
                            district=self._actor.district_code or "")
        self.fill(blank)
        self.drafts.dirty = False
        self.problems.show([], focus=False)
        self.summary_label.hide()
        self.mode_label.setText("新しい受付")
        self.referrals_button.setEnabled(False)
        self.print_button.setEnabled(False)
        self.history_group.forget()
        self.consent_panel.set_existing([])
        self.duplicate_panel.show_candidates([])
        self.mark_clean()
        self.received_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- the same person and drafts (``person_link``, ``drafts``) ------------------------------

    def lookup_duplicates(self) -> None:
        """Ask for persons on record who may be the one typed (runs debounced while typing)."""
        self.link.lookup()

    def link_person(self, candidate: PersonCandidate) -> None:
        """This consultation is about ``candidate`` (fills the empty fields from the record)."""
        self.link.link(candidate)

    def unlink_person(self) -> None:
        """Not that person after all: the typed fields stay, a new person will be recorded."""
        self.link.unlink()

    def save_draft_now(self, force: bool = False) -> int | None:
        """Save what is typed as a draft now (before leaving, a new intake)."""
        return self.drafts.save_now(force)

    def save_draft_in_background(self) -> None:
        """The autosave: what is typed goes to the worker thread as a draft."""
        self.drafts.save_in_background()

    def offer_drafts(self) -> DraftsDialog | None:
        """List the staff member's other unfinished intakes to restore or discard one; returns
        the (non-blocking) dialog, or None if there are none."""
        return self.drafts.offer()

    # --- page life ------------------------------------------------------------------------

    def activate(self) -> None:
        """Shown by the main window: offer unfinished drafts once (e.g. after a crash) — but
        not over a consultation being opened or amended, nor over typed input; then they are
        offered the next time the page is shown idle (and 「下書き…」 lists them any time)."""
        if (not self._drafts_offered and self.case_id is None
                and not self.has_unsaved_changes()):
            self._drafts_offered = True
            if self.drafts.others():
                self.offer_drafts()
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
        from setacare_desktop.ui.pdf_dialog import PdfDialog

        PdfDialog(title, pdf, name, self).exec()
