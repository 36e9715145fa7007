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
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterable
from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop import logs
from setacare_desktop.domain import roles
from setacare_desktop.domain.intake import (
    HOUSEHOLDS,
    SEXES,
    URGENCY_FLAGS,
    IntakeInput,
    PersonInput,
    parse_datetime,
    validate,
)
from setacare_desktop.domain.jpdate import (
    DateParseError,
    local_now,
    parse_date,
    to_wareki,
    utc_to_local,
)
from setacare_desktop.domain.problems import LABELS, Problem
from setacare_desktop.domain.reference import (
    CHANNELS,
    CONSULTER_KINDS,
    DISTRICTS_BY_CODE,
    ELEMENTS,
    MIXED_LABEL,
    RESPONSES,
    TARGET_GROUPS,
    Term,
    label_of,
)
from setacare_desktop.services import (
    Database,
    ServiceError,
    StaffProfile,
    ValidationError,
    persons,
)
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services import sheets as sheets_service
from setacare_desktop.services.intake import DraftRow, LoadedIntake, VersionRow
from setacare_desktop.services.persons import PersonCandidate
from setacare_desktop.ui.forms import ERROR_COLOR
from setacare_desktop.ui.intake.consent_panel import ConsentPanel
from setacare_desktop.ui.intake.drafts_dialog import DraftsDialog
from setacare_desktop.ui.intake.duplicate_panel import DuplicatePanel
from setacare_desktop.ui.intake.emergency_dialog import EmergencyDialog
from setacare_desktop.ui.intake.widgets import (
    NOT_SET,
    PLACEHOLDER,
    CheckGroup,
    Debouncer,
    FieldBox,
    TermCombo,
    birth_hint,
    date_hint,
    default_received,
    hint_label,
    received_hint,
    set_enabled,
    set_style,
    set_text,
    set_visible,
    show_hint,
)
from setacare_desktop.ui.intake.withdraw_dialog import WithdrawDialog
from setacare_desktop.ui.operations import Operation
from setacare_desktop.ui.page import Page, heading

#: Looking for the same person once the clerk pauses typing, not on every key.
DUPLICATE_DELAY_MS = 250
#: A draft is saved this long after the last change ...
DRAFT_DELAY_MS = 1_000
#: ... and, as a safety net, on this timer.
AUTOSAVE_INTERVAL_MS = 30_000

SAVE_TEXT = "保存"
SELF_CONSULTER = "self"
URGENT_STYLE = f"background-color: {ERROR_COLOR}; color: white; padding: 6px;"
SUMMARY_STYLE = f"color: {ERROR_COLOR};"

CONFIRM_DISCARD = "入力中の内容を破棄しますか？\n（この受付の下書きも削除されます）"
CONFIRM_SET_ASIDE = ("入力中の内容は下書きとして残し、{what}か？\n"
                     "（「下書き…」からいつでも再開できます）")

#: Field names of a consultation's history (``services.intake.history``) in Japanese: the
#: form's own labels, except that a change of 対象者 is a change of person, not of an ID.
HISTORY_FIELDS: dict[str, str] = {**LABELS, "person_id": "対象者"}


def history_text(row: VersionRow) -> str:
    moment = utc_to_local(row.changed_at)
    fields = "、".join(HISTORY_FIELDS.get(f, f) for f in row.fields)
    return (f"第{row.version}版 → {to_wareki(moment.date())} {moment:%H:%M} "
            f"{row.changed_by}が修正（{fields}）")


def _in_wareki(data: IntakeInput) -> IntakeInput:
    """A loaded case's dates (ISO from the services) as the counter writes them: 和暦."""
    with contextlib.suppress(DateParseError):
        data.received_at = default_received(parse_datetime(data.received_at))
    for holder, name in ((data.person, "birth_date"), (data, "next_date")):
        text = getattr(holder, name)
        if text:
            with contextlib.suppress(DateParseError):
                setattr(holder, name, to_wareki(parse_date(text)))
    return data


def _dispose(dialog: QDialog | None) -> None:
    """The previous dialog of a kind goes when the next one opens (kept until then for its
    result and for tests)."""
    if dialog is not None:
        dialog.close()
        dialog.deleteLater()


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
        self._case_id: int | None = None
        self._version: int | None = None
        self._person_id: int | None = None
        self._draft_id: int | None = None
        self._draft_dirty = False
        #: Changes typed so far (a draft saved in the background is current only if none came
        #: after what it holds).
        self._changes = 0
        self._draft_op: Operation[int] | None = None
        self._duplicate_op: Operation[list[PersonCandidate]] | None = None
        self._filling = False
        self._live_validation = False
        self._dismissed: set[int] = set()
        self._baseline = IntakeInput()
        self._drafts_offered = False
        self._fields: dict[str, tuple[QLabel, QWidget, FieldBox]] = {}
        #: Asks a yes/no question (title, text) → yes?  Tests replace it (no modal exec()).
        self.confirm: Callable[[str, str], bool] = self._ask
        #: Tells the user something (title, text). Tests replace it.
        self.inform: Callable[[str, str], None] = self._tell
        #: Shows a PDF to print or save (title, pdf, file name). Tests may replace it.
        self.show_pdf: Callable[[str, bytes, str], None] = self._show_pdf
        self.drafts_dialog: DraftsDialog | None = None
        self.emergency_dialog: EmergencyDialog | None = None
        self.withdraw_dialog: WithdrawDialog | None = None

        self._build()
        self._duplicate_timer = Debouncer(DUPLICATE_DELAY_MS, self)
        self._draft_timer = Debouncer(DRAFT_DELAY_MS, self)
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self._connect_signals()
        self._apply_tab_order()
        self._reset()
        self._autosave_timer.start()

    # --- building the form ----------------------------------------------------------------

    def _row(self, form: QFormLayout, field: str, text: str, widget: QWidget,
             hint: QLabel | None = None) -> FieldBox:
        """A labelled field; ``field`` is its key (``domain.problems.LABELS``), by which the
        problems the validation and the services report find it."""
        box = FieldBox(widget, hint, self)
        label = QLabel(text, self)
        label.setBuddy(widget)
        if not widget.accessibleName():
            widget.setAccessibleName(LABELS.get(field, field))
        form.addRow(label, box)
        self._fields[field] = (label, widget, box)
        return box

    def _section(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        group = QGroupBox(title, self)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return group, form

    def _build(self) -> None:
        # 受付
        reception, form = self._section("受付")
        self.received_edit = QLineEdit(self)
        self.received_edit.setPlaceholderText("例: 令和8年11月24日 10:30、R8.11.24、2026-11-24")
        self.received_hint = hint_label(self)
        self._row(form, "received_at", "受付日時(&T)", self.received_edit, self.received_hint)
        self.channel_combo = TermCombo(CHANNELS, parent=self)
        self._row(form, "channel", "受付方法", self.channel_combo)
        self.staff_label = QLabel(self._actor.name, self)
        self.organisation_label = QLabel(self._actor.organisation_name, self)
        form.addRow("受付者", self.staff_label)
        form.addRow("所属", self.organisation_label)
        district_terms = [Term(code, f"{DISTRICTS_BY_CODE[code].name}地区")
                          for code in self._districts]
        self.district_combo = TermCombo(
            district_terms, PLACEHOLDER if self._actor.district_code is None else None, self)
        self._row(form, "district", "地区", self.district_combo)

        # 相談者
        consulter, form = self._section("相談者")
        self.consulter_combo = TermCombo(CONSULTER_KINDS, PLACEHOLDER, self)
        self._row(form, "consulter_kind", "相談者の区分(&K)", self.consulter_combo)
        self.relation_edit = QLineEdit(self)
        self.relation_edit.setPlaceholderText("例: 長女、○○居宅介護支援事業所")
        self._row(form, "consulter_relation", "続柄・機関名", self.relation_edit)
        self.consulter_name_edit = QLineEdit(self)
        self._row(form, "consulter_name", "相談者氏名", self.consulter_name_edit)
        self.consulter_contact_edit = QLineEdit(self)
        self._row(form, "consulter_contact", "相談者の連絡先", self.consulter_contact_edit)

        # 対象者
        person, form = self._section("対象者（相談の対象となる方）")
        self.anonymous_note = QLabel("氏名を空欄にすると匿名の相談として記録されます。", self)
        self.anonymous_note.setWordWrap(True)
        form.addRow(self.anonymous_note)
        self.name_edit = QLineEdit(self)
        self._row(form, "person.name", "氏名(&N)", self.name_edit)
        self.reading_edit = QLineEdit(self)
        self.reading_edit.setPlaceholderText("ひらがな・カタカナ（半角可）")
        self._row(form, "person.reading", "ふりがな", self.reading_edit)
        self.birth_edit = QLineEdit(self)
        self.birth_edit.setPlaceholderText("例: 昭和20年3月3日、S20.3.3、1945-03-03")
        self.birth_hint = hint_label(self)
        self._row(form, "person.birth_date", "生年月日(&B)", self.birth_edit, self.birth_hint)
        self.sex_combo = TermCombo(SEXES, NOT_SET, self)
        self._row(form, "person.sex", "性別", self.sex_combo)
        self.town_edit = QLineEdit(self)
        self.town_edit.setPlaceholderText("例: 池尻二丁目")
        self._row(form, "person.address_town", "住所（町丁目）", self.town_edit)
        self.rest_edit = QLineEdit(self)
        self._row(form, "person.address_rest", "住所（番地以降）", self.rest_edit)
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setPlaceholderText("例: 03-1234-5678")
        self._row(form, "person.phone", "電話", self.phone_edit)
        self.household_combo = TermCombo(HOUSEHOLDS, NOT_SET, self)
        self._row(form, "person.household", "世帯状況", self.household_combo)

        # 相談内容
        content, form = self._section("相談内容")
        self.target_group = CheckGroup(TARGET_GROUPS, 3, "対象区分", self)
        self.mixed_label = QLabel(self)
        self._row(form, "target_groups", "対象区分", self.target_group, self.mixed_label)
        self.element_group = CheckGroup(ELEMENTS, 3, "相談内容の分類", self)
        self._row(form, "elements", "相談内容の分類", self.element_group)
        self.complaint_edit = QLineEdit(self)
        self.complaint_edit.setPlaceholderText("一言で（例: 母の物忘れと介護保険の申請）")
        self._row(form, "main_complaint", "主訴(&M)", self.complaint_edit)
        self.details_edit = QPlainTextEdit(self)
        self.details_edit.setTabChangesFocus(True)
        self.details_edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self._row(form, "details", "相談内容", self.details_edit)
        self.response_combo = TermCombo(RESPONSES, NOT_SET, self)
        self._row(form, "response", "対応", self.response_combo)
        self.next_date_edit = QLineEdit(self)
        self.next_date_edit.setPlaceholderText("例: R8.12.1")
        self.next_date_hint = hint_label(self)
        self._row(form, "next_date", "次回予定", self.next_date_edit, self.next_date_hint)
        self.next_note_edit = QLineEdit(self)
        self.next_note_edit.setPlaceholderText("例: 電話で申請状況を確認")
        self._row(form, "next_note", "次回予定のメモ", self.next_note_edit)

        # 緊急性
        urgency, form = self._section("緊急性")
        self.urgency_group = CheckGroup(URGENCY_FLAGS, 4, "緊急性", self)
        self._row(form, "urgency", "緊急性", self.urgency_group)
        self.urgency_note_edit = QLineEdit(self)
        self._row(form, "urgency_note", "緊急性のメモ", self.urgency_note_edit)

        self.consent_panel = ConsentPanel(self)

        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        for group in (reception, consulter, person, content, urgency, self.consent_panel):
            body_layout.addWidget(group)
        body_layout.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(body)

        # Side column: the duplicate check and, for a loaded case, its history.
        self.duplicate_panel = DuplicatePanel(self)
        self.history_group = QGroupBox("修正履歴", self)
        self.history_list = QListWidget(self.history_group)
        self.history_list.setAccessibleName("修正履歴")
        self.history_list.setWordWrap(True)
        history_layout = QVBoxLayout(self.history_group)
        history_layout.addWidget(self.history_list)
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
        self.draft_label = QLabel(self)
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.summary_label.setStyleSheet(SUMMARY_STYLE)
        self.summary_label.setAccessibleName("入力内容の問題")
        self.summary_label.hide()
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
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.drafts_button)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.referrals_button)
        buttons.addWidget(self.print_button)
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

    def _connect_signals(self) -> None:
        for edit in (self.received_edit, self.relation_edit, self.consulter_name_edit,
                     self.consulter_contact_edit, self.name_edit, self.reading_edit,
                     self.birth_edit, self.town_edit, self.rest_edit, self.phone_edit,
                     self.complaint_edit, self.next_date_edit, self.next_note_edit,
                     self.urgency_note_edit):
            edit.textChanged.connect(self._changed)
        self.details_edit.textChanged.connect(self._changed)
        for combo in (self.channel_combo, self.consulter_combo, self.sex_combo,
                      self.household_combo, self.response_combo):
            combo.currentIndexChanged.connect(self._changed)
        self.district_combo.currentIndexChanged.connect(self._district_changed)
        for group in (self.target_group, self.element_group, self.urgency_group):
            group.changed.connect(self._changed)
        self.consent_panel.changed.connect(self._changed)
        for edit in (self.name_edit, self.reading_edit, self.birth_edit):
            edit.textChanged.connect(self._duplicate_timer.poke)
        self._duplicate_timer.fired.connect(self.lookup_duplicates)
        self._draft_timer.fired.connect(self._draft_due)
        self._autosave_timer.timeout.connect(self._autosave_due)
        self.duplicate_panel.link_requested.connect(self.link_person)
        self.duplicate_panel.unlink_requested.connect(self.unlink_person)
        self.duplicate_panel.new_person_confirmed.connect(self._new_person_confirmed)
        self.duplicate_panel.open_requested.connect(self.open_consultation_requested)
        self.consent_panel.withdraw_requested.connect(self._withdraw_requested)
        self.consent_panel.emergency_requested.connect(self._emergency_requested)
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

    def _draft_due(self) -> None:
        self.save_draft_in_background()

    def _autosave_due(self) -> None:
        if self._case_id is None and not self.has_unsaved_changes():
            # An untouched form keeps 受付日時 at "now" for whoever comes to the counter next.
            fresh = default_received(local_now())
            if self.received_edit.text() != fresh:
                self._filling = True
                try:
                    self.received_edit.setText(fresh)
                finally:
                    self._filling = False
                self._refresh()
                self._baseline = self.collect()
            return
        self.save_draft_in_background()

    def _save_requested(self) -> None:
        self.save()

    def _new_requested(self) -> None:
        self.new_intake(ask=True)

    def _drafts_requested(self) -> None:
        self.offer_drafts()

    def _discard_requested(self) -> None:
        self.discard()

    def _referrals_requested(self) -> None:
        if self._case_id is not None:
            self.find_referrals_requested.emit(self._case_id)

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

    def _apply_tab_order(self) -> None:
        for first, second in itertools.pairwise(self.tab_chain()):
            QWidget.setTabOrder(first, second)

    # --- what is typed ----------------------------------------------------------------------

    def collect(self) -> IntakeInput:
        """Everything typed, as the services take it (plain strings and codes)."""
        consulter = self.consulter_combo.code()
        other = consulter != SELF_CONSULTER
        return IntakeInput(
            received_at=self.received_edit.text(),
            channel=self.channel_combo.code(),
            district=self.district_combo.code(),
            consulter_kind=consulter,
            consulter_relation=self.relation_edit.text() if other else "",
            consulter_name=self.consulter_name_edit.text() if other else "",
            consulter_contact=self.consulter_contact_edit.text() if other else "",
            person=PersonInput(
                name=self.name_edit.text(), reading=self.reading_edit.text(),
                birth_date=self.birth_edit.text(), sex=self.sex_combo.code(),
                address_town=self.town_edit.text(), address_rest=self.rest_edit.text(),
                phone=self.phone_edit.text(), household=self.household_combo.code()),
            person_id=self._person_id,
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
            self._set_person_fields(data.person)
            self._person_id = data.person_id
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
        self._show_person_link()
        self._refresh()

    def _set_person_fields(self, person: PersonInput) -> None:
        self.name_edit.setText(person.name)
        self.reading_edit.setText(person.reading)
        self.birth_edit.setText(person.birth_date)
        self.sex_combo.set_code(person.sex)
        self.town_edit.setText(person.address_town)
        self.rest_edit.setText(person.address_rest)
        self.phone_edit.setText(person.phone)
        self.household_combo.set_code(person.household)

    def has_unsaved_changes(self) -> bool:
        """Anything typed since the form was cleared, loaded or saved (for close and logout)."""
        return self.collect() != self._baseline

    def is_anonymous(self) -> bool:
        return self._person_id is None and not self.name_edit.text().strip()

    @property
    def person_id(self) -> int | None:
        """The person on record this consultation is linked to (None: a new person)."""
        return self._person_id

    @property
    def case_id(self) -> int | None:
        """The consultation being amended (None: a new intake)."""
        return self._case_id

    @property
    def draft_id(self) -> int | None:
        return self._draft_id

    # --- reacting to changes ------------------------------------------------------------------

    def _changed(self) -> None:
        if self._filling:
            return
        self._draft_dirty = True
        self._changes += 1
        self._draft_timer.poke()
        self._refresh()

    def _district_changed(self) -> None:
        if self._filling:
            return
        self._load_recipients()
        self._changed()

    def _load_recipients(self) -> None:
        district = self.district_combo.code()
        recipients = (intake_service.consent_recipients(self._db, district)
                      if district in DISTRICTS_BY_CODE else [])
        self.consent_panel.set_recipients(recipients)
        self._apply_tab_order()

    def _reference_day(self) -> date:
        """The day ages are counted on: the day received, or today."""
        try:
            return parse_datetime(self.received_edit.text()).date()
        except DateParseError:
            return local_now().date()

    def _refresh(self) -> None:
        """Hints, the 複合 and 緊急 marks, enabled fields and (after a failed save) problems."""
        show_hint(self.received_hint, received_hint(self.received_edit.text()))
        show_hint(self.birth_hint, birth_hint(self.birth_edit.text(), self._reference_day()))
        show_hint(self.next_date_hint, date_hint(self.next_date_edit.text()))
        groups = self.target_group.codes()
        set_text(self.mixed_label,
                 f"{MIXED_LABEL}（{len(groups)}区分）" if len(groups) >= 2 else "")
        flags = self.urgency_group.codes()
        known = {t.code for t in URGENCY_FLAGS}
        labels = "・".join(label_of(URGENCY_FLAGS, f) if f in known else f for f in flags)
        set_text(self.urgent_banner, f"緊急：{labels}" if flags else "")
        set_visible(self.urgent_banner, bool(flags))
        other = self.consulter_combo.code() != SELF_CONSULTER
        for widget in (self.relation_edit, self.consulter_name_edit,
                       self.consulter_contact_edit):
            set_enabled(widget, other)
        self.consent_panel.set_anonymous(self.is_anonymous())
        set_enabled(self.district_combo, self._case_id is None and len(self._districts) > 1)
        if self._live_validation:
            _valid, problems = validate(self.collect(), now=local_now())
            self._show_problems(problems, focus=False)

    # --- problems -------------------------------------------------------------------------

    def _show_problems(self, problems: Iterable[Problem], *, focus: bool) -> None:
        problems = list(problems)
        messages: dict[str, list[str]] = {}
        for problem in problems:
            messages.setdefault(problem.field, []).append(str(problem))
        for field, (label, widget, box) in self._fields.items():
            text = "\n".join(messages.get(field, []))
            box.show_error(text)
            set_style(label, SUMMARY_STYLE if text else "")
            if widget.accessibleDescription() != text:
                widget.setAccessibleDescription(text)
        self.consent_panel.show_error("\n".join(messages.get("consents", [])))
        if not problems:
            set_text(self.summary_label, "")
            set_visible(self.summary_label, False)
            if self.save_button.text() != SAVE_TEXT:
                self.save_button.setText(SAVE_TEXT)
            return
        count = len(problems)
        self.summary_label.setText(f"保存できません。次の{count}件を修正してください。\n"
                                   + "\n".join(f"・{p}" for p in problems))
        self.summary_label.show()
        self.save_button.setText(f"{SAVE_TEXT}（要修正 {count}件）")
        if focus:
            first = next((self._fields[p.field] for p in problems if p.field in self._fields),
                         None)
            if first is not None:
                self.scroll.ensureWidgetVisible(first[2])
                first[1].setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_message(self, text: str) -> None:
        self.summary_label.setText(text)
        self.summary_label.show()

    def problem_text(self, field: str) -> str:
        """The problem shown at a field, by its key ("" when none)."""
        if field == "consents":
            return self.consent_panel.giver_box.error.text()
        box = self._fields[field][2]
        return box.error.text() if not box.error.isHidden() else ""

    # --- saving -----------------------------------------------------------------------------

    def save(self) -> int | None:
        """Record (or amend) the consultation; returns its id, or None when refused."""
        self._draft_timer.stop()
        self._settle_draft()
        data = self.collect()
        amending = self._case_id is not None
        try:
            if self._case_id is None:
                result = intake_service.record_intake(self._db, self._actor, data,
                                                      draft_id=self._draft_id)
            else:
                assert self._version is not None
                result = intake_service.amend_intake(
                    self._db, self._actor, self._case_id, data,
                    expected_version=self._version, draft_id=self._draft_id)
        except ValidationError as error:
            self._live_validation = True
            self._show_problems(error.problems, focus=True)
            return None
        except ServiceError as error:
            self._show_message(error.message)
            return None
        # The draft went with the save (record_intake and amend_intake remove it in the same
        # transaction, even when an amendment changed nothing); _reset forgets its id.
        unchanged = amending and result.version == self._version
        self._reset()
        if unchanged:
            self.status_message.emit(f"相談No. {result.consultation_id}に変更はありません")
        else:
            verb = "修正" if amending else "保存"
            self.status_message.emit(f"相談を{verb}しました（No. {result.consultation_id}）")
        self.saved.emit(result.consultation_id)
        return result.consultation_id

    def new_intake(self, ask: bool = True) -> bool:
        """Ctrl+N: a fresh form. Unsaved input is kept as a draft (after asking)."""
        if ask and self.has_unsaved_changes():
            if not self.confirm("新しい受付", CONFIRM_SET_ASIDE.format(what="新しい受付を始めます")):
                return False
            self.save_draft_now(force=True)
        self._reset()
        return True

    def discard(self) -> bool:
        """Esc: throw away what is typed (after asking) and start afresh."""
        self._settle_draft()
        if self.has_unsaved_changes():
            if not self.confirm("入力内容の破棄", CONFIRM_DISCARD):
                return False
            if self._draft_id is not None:
                intake_service.discard_draft(self._db, self._actor, self._draft_id)
            self.status_message.emit("入力内容を破棄しました")
        elif self._draft_id is not None:
            intake_service.discard_draft(self._db, self._actor, self._draft_id)
        self._draft_id = None
        self._reset()
        return True

    def _reset(self) -> None:
        """An empty form for the next intake (received now, at the counter, own district)."""
        self._draft_timer.stop()
        self._duplicate_timer.stop()
        self._settle_draft()
        self._case_id = None
        self._version = None
        self._draft_id = None
        self._draft_dirty = False
        self._live_validation = False
        self._dismissed.clear()
        blank = IntakeInput(received_at=default_received(local_now()),
                            channel=CHANNELS[0].code,
                            district=self._actor.district_code or "")
        self.fill(blank)
        self._draft_dirty = False
        self._show_problems([], focus=False)
        self.summary_label.hide()
        self.mode_label.setText("新しい受付")
        self.referrals_button.setEnabled(False)
        self.print_button.setEnabled(False)
        self.history_group.hide()
        self.history_list.clear()
        self.consent_panel.set_existing([])
        self.duplicate_panel.show_candidates([])
        self.draft_label.clear()
        self._baseline = self.collect()
        self.received_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- amending a recorded consultation ---------------------------------------------

    def open_case(self, consultation_id: int) -> bool:
        """Load a consultation to read or amend it (asks first when something is typed)."""
        if self.has_unsaved_changes():
            if not self.confirm("相談を開く", CONFIRM_SET_ASIDE.format(
                    what=f"相談No. {consultation_id}を開きます")):
                return False
            self.save_draft_now(force=True)
        try:
            loaded = intake_service.load_intake(self._db, self._actor, consultation_id)
        except ServiceError as error:
            self.inform("相談を開けません", error.message)
            return False
        self._reset()
        self._apply_loaded(loaded)
        return True

    def _apply_loaded(self, loaded: LoadedIntake) -> None:
        self._case_id = loaded.consultation_id
        self._version = loaded.version
        self.fill(_in_wareki(loaded.data))
        self.mode_label.setText(
            f"相談No. {loaded.consultation_id}の修正（第{loaded.version}版・"
            f"受付: {loaded.staff_name}／{loaded.organisation_name}）")
        rows = intake_service.history(self._db, self._actor, loaded.consultation_id)
        self.history_list.clear()
        self.history_list.addItems([history_text(r) for r in rows] or ["（修正されていません）"])
        self.history_group.show()
        self.referrals_button.setEnabled(True)
        self.print_button.setEnabled(True)
        self._load_existing_consents()
        self._refresh()
        self._baseline = self.collect()

    def print_intake_record(self) -> bool:
        """Preview the 相談受付票 of the open consultation, as saved, to print or save it."""
        if self._case_id is None:
            return False
        if self.has_unsaved_changes():
            self.inform("相談受付票を印刷", "修正した内容を保存してから印刷してください。")
            return False
        case_id = self._case_id
        # reportlab lays the record out: on the worker thread.
        return Operation(self, lambda _progress: sheets_service.print_intake_record(
            self._db, self._actor, case_id), guard=[self.print_button],
            label="相談受付票を作成しています…", title="相談受付票を印刷",
        ).success(lambda pdf: self.show_pdf(f"相談受付票 No.{case_id}", pdf,
                                            f"相談受付票_No{case_id}.pdf")).failure(
            lambda error: self.inform("相談受付票を印刷", error.message)).run()

    def _show_pdf(self, title: str, pdf: bytes, name: str) -> None:
        from setacare_desktop.ui.pdf_dialog import PdfDialog

        PdfDialog(title, pdf, name, self).exec()

    # --- the same person --------------------------------------------------------------------

    def lookup_duplicates(self) -> None:
        """Ask for persons on record who may be the one typed (runs debounced while typing)."""
        self._duplicate_timer.stop()
        if self._person_id is not None:
            return
        name, reading = self.name_edit.text(), self.reading_edit.text()
        birth = self.birth_edit.text()
        if not (name.strip() or reading.strip() or birth.strip()):
            self.duplicate_panel.show_candidates([])
            return
        asked = (name, reading, birth)
        # A read over the whole ward's persons, run as the user pauses: on the worker.
        op = Operation(self, lambda _progress: persons.possible_duplicates(
            self._db, self._actor, name=name, reading=reading, birth_date=birth))
        self._duplicate_op = op
        op.success(lambda found: self._duplicates_found(asked, found)).failure(
            lambda error: self.status_message.emit(error.message)).run()

    def _duplicates_found(self, asked: tuple[str, str, str],
                          found: list[PersonCandidate]) -> None:
        now = (self.name_edit.text(), self.reading_edit.text(), self.birth_edit.text())
        if now != asked or self._person_id is not None:
            return  # typed on (a newer lookup follows) or linked meanwhile: out of date
        shown = [c for c in found if c.person_id not in self._dismissed]
        if found and not shown:
            self.duplicate_panel.dismiss()
        else:
            self.duplicate_panel.show_candidates(shown, searched=True)

    def link_person(self, candidate: PersonCandidate) -> None:
        """This consultation is about ``candidate``: take their recorded name, reading and
        birth date; keep what was typed in the other fields and fill the empty ones from the
        record (``persons.person_details``, audited as a read of the person)."""
        try:
            stored = persons.person_details(self._db, self._actor, candidate.person_id)
        except ServiceError as error:
            self.inform("対象者に紐付けられません", error.message)
            return
        typed = self.collect().person
        self._person_id = candidate.person_id
        self.name_edit.setText(stored.name or typed.name)
        self.reading_edit.setText(stored.reading or typed.reading)
        if stored.birth_date:
            with contextlib.suppress(DateParseError):
                self.birth_edit.setText(to_wareki(parse_date(stored.birth_date)))
        for edit, value, kept in (
                (self.town_edit, typed.address_town, stored.address_town),
                (self.rest_edit, typed.address_rest, stored.address_rest),
                (self.phone_edit, typed.phone, stored.phone)):
            if not value.strip():
                edit.setText(kept)
        if not typed.sex:
            self.sex_combo.set_code(stored.sex)
        if not typed.household:
            self.household_combo.set_code(stored.household)
        self._show_person_link()
        self._load_existing_consents()
        self._changed()
        self.sex_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        self.status_message.emit(f"既存の対象者（{stored.name or candidate.name}）に紐付けました")

    def unlink_person(self) -> None:
        """Not that person after all: the typed fields stay, a new person will be recorded."""
        self._person_id = None
        self._dismissed.clear()
        self._show_person_link()
        self.consent_panel.set_existing([])
        self._changed()
        self.lookup_duplicates()
        self.status_message.emit("紐付けを解除しました（新しい対象者として登録されます）")

    def _new_person_confirmed(self) -> None:
        self._dismissed.update(c.person_id for c in self.duplicate_panel.candidates)
        self.duplicate_panel.dismiss()
        self.sex_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_person_link(self) -> None:
        if self._person_id is None:
            self.duplicate_panel.show_linked(None)
            return
        name = self.name_edit.text() or "（氏名なし）"
        reading = f"（{self.reading_edit.text()}）" if self.reading_edit.text() else ""
        try:
            born = f"\n{to_wareki(parse_date(self.birth_edit.text()))}生"
        except DateParseError:
            born = ""
        self.duplicate_panel.show_linked(f"{name}{reading}{born}\n対象者ID {self._person_id}")

    # --- consent records ----------------------------------------------------------------

    def _load_existing_consents(self) -> None:
        if self._person_id is None:
            self.consent_panel.set_existing([])
            return
        try:
            rows = intake_service.consents_of(self._db, self._actor, self._person_id)
        except ServiceError as error:
            self.status_message.emit(error.message)
            rows = []
        self.consent_panel.set_existing(rows)
        self._apply_tab_order()

    def _withdraw_requested(self, row: intake_service.ConsentRow) -> None:
        _dispose(self.withdraw_dialog)
        dialog = WithdrawDialog(self._db, self._actor, row, self)
        dialog.accepted.connect(self._withdrawn)
        self.withdraw_dialog = dialog
        dialog.open()

    def _withdrawn(self) -> None:
        self._load_existing_consents()
        self.status_message.emit("同意の撤回を記録しました")

    def _emergency_requested(self) -> None:
        if self._case_id is None:
            self.inform("緊急時の例外", "緊急時の例外は、保存済みの相談に記録します。\n"
                        "先に相談を保存し、「本日の相談」から開いてから記録してください。")
            return
        _dispose(self.emergency_dialog)
        dialog = EmergencyDialog(self._db, self._actor, self._case_id,
                                 self.consent_panel.recipients, self)
        dialog.accepted.connect(self._emergency_recorded)
        self.emergency_dialog = dialog
        dialog.open()

    def _emergency_recorded(self) -> None:
        dialog = self.emergency_dialog
        who = dialog.approver_login if dialog is not None else ""
        self.status_message.emit(f"緊急時の例外を記録しました（承認: {who}）")

    # --- drafts -------------------------------------------------------------------------

    def save_draft_now(self, force: bool = False) -> int | None:
        """Save what is typed as a draft (if anything changed since the last one), before the
        next step (leaving, a new intake); the timers use :meth:`save_draft_in_background`."""
        self._draft_timer.stop()
        self._settle_draft()
        if not (self._draft_dirty or force):
            return self._draft_id
        if self._draft_id is None and not self.has_unsaved_changes():
            self._draft_dirty = False
            return None
        try:
            self._draft_id = intake_service.save_draft(
                self._db, self._actor, self.collect(), draft_id=self._draft_id,
                consultation_id=self._case_id)
        except Exception as error:  # a safety net must never take the form down with it
            if not isinstance(error, ServiceError):
                logs.log_unexpected("saving a draft", error)
            self._draft_failed(error)
            return None
        self._draft_dirty = False
        self.draft_label.setText(f"下書き保存 {local_now():%H:%M:%S}")
        return self._draft_id

    def save_draft_in_background(self) -> None:
        """The autosave: what is typed goes to the worker thread as a draft (one at a time;
        a change meanwhile keeps the form dirty for the next round)."""
        self._draft_timer.stop()
        if not self._draft_dirty:
            return
        if self._draft_id is None and not self.has_unsaved_changes():
            self._draft_dirty = False
            return
        if self._draft_op is not None and self._draft_op.running:
            self._draft_timer.poke()  # the previous one is still being written: again later
            return
        data, draft_id, case_id = self.collect(), self._draft_id, self._case_id
        changes = self._changes
        op = Operation(self, lambda _progress: intake_service.save_draft(
            self._db, self._actor, data, draft_id=draft_id, consultation_id=case_id))
        self._draft_op = op
        op.success(lambda new_id: self._draft_saved(new_id, changes)).failure(
            self._draft_failed).run()

    def _draft_saved(self, draft_id: int, changes: int) -> None:
        self._draft_id = draft_id
        self._draft_dirty = changes != self._changes
        self.draft_label.setText(f"下書き保存 {local_now():%H:%M:%S}")

    def _draft_failed(self, error: Exception) -> None:
        # Said in the form, not in a dialog; the message is the service's (ServiceError) or
        # just that it failed (anything else is logged by the caller's boundary).
        text = error.message if isinstance(error, ServiceError) else type(error).__name__
        self.draft_label.setText(f"下書きを保存できませんでした（{text}）")

    def _settle_draft(self) -> None:
        """Let a draft being written in the background land first (its id is needed next)."""
        op, self._draft_op = self._draft_op, None
        if op is not None and op.running:
            op.wait()

    def offer_drafts(self) -> DraftsDialog | None:
        """List the staff member's unfinished intakes (not the one on screen) to restore one
        or discard it. The dialog opens without blocking; returns it, or None if none."""
        rows = [r for r in intake_service.list_drafts(self._db, self._actor)
                if r.draft_id != self._draft_id]
        if not rows:
            self.status_message.emit("下書きはありません")
            return None
        _dispose(self.drafts_dialog)
        dialog = DraftsDialog(rows, self)
        dialog.restore_requested.connect(self._restore_from_dialog)
        dialog.discard_requested.connect(self._discard_from_dialog)
        self.drafts_dialog = dialog
        dialog.open()
        return dialog

    def _restore_from_dialog(self, row: DraftRow) -> None:
        if self.restore_draft(row) and self.drafts_dialog is not None:
            self.drafts_dialog.accept()

    def _discard_from_dialog(self, row: DraftRow) -> None:
        dialog = self.drafts_dialog
        if not self.confirm("下書きの破棄", "この下書きを破棄しますか？"):
            return
        intake_service.discard_draft(self._db, self._actor, row.draft_id)
        if dialog is not None:
            rest = [r for r in dialog.rows if r.draft_id != row.draft_id]
            if rest:
                dialog.set_rows(rest)
            else:
                dialog.accept()
        self.status_message.emit("下書きを破棄しました")

    def restore_draft(self, row: DraftRow) -> bool:
        """Fill the form completely from a draft; later changes update the same draft."""
        if self.has_unsaved_changes():
            if not self.confirm("下書きの復元", CONFIRM_SET_ASIDE.format(
                    what="選んだ下書きを復元します")):
                return False
            self.save_draft_now(force=True)
        if row.consultation_id is not None:
            try:
                loaded = intake_service.load_intake(self._db, self._actor, row.consultation_id)
            except ServiceError as error:
                self.inform("下書きを復元できません", error.message)
                return False
            self._reset()
            self._apply_loaded(loaded)
        else:
            self._reset()
        self.fill(row.data)
        self._load_existing_consents()
        self._draft_id = row.draft_id
        self._draft_dirty = False
        self.lookup_duplicates()
        self.status_message.emit("下書きを復元しました")
        return True

    # --- page life ------------------------------------------------------------------------

    def activate(self) -> None:
        """Shown by the main window: offer unfinished drafts once (e.g. after a crash) — but
        not over a consultation being opened or amended, nor over typed input; then they are
        offered the next time the page is shown idle (and 「下書き…」 lists them any time)."""
        if (not self._drafts_offered and self._case_id is None
                and not self.has_unsaved_changes()):
            self._drafts_offered = True
            if any(r.draft_id != self._draft_id
                   for r in intake_service.list_drafts(self._db, self._actor)):
                self.offer_drafts()
                return
        self.received_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:
        # Leaving the page (another area, logout, closing): keep what was typed.
        if self._draft_dirty:
            self.save_draft_in_background()
        super().hideEvent(event)

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _tell(self, title: str, text: str) -> None:
        QMessageBox.information(self, title, text)
