"""The intake form's sections, in the order of the conversation at the counter.

受付 (when, how, where), 相談者 (who came), 対象者 (about whom), 相談内容 with 対応・次回 (what,
and what was done), 緊急性. Each section is a group box that builds and holds its own widgets and
knows the small rules that concern only them (hints, the 複合 mark, the 緊急 text, the fields of a
third-party consulter). The page (``form.IntakePage``) composes them, collects what they hold into
one ``IntakeInput`` and keeps their widgets reachable under the names it always had.

Every field is registered by its key (``domain.problems.LABELS``) in :meth:`Section._row`, in one
registry shared by all sections: the problems reported by the validation and the services find
their field through it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from setacare_desktop.domain.intake import (
    HOUSEHOLDS,
    SEXES,
    URGENCY_FLAGS,
    IntakeInput,
    PersonInput,
    parse_datetime,
)
from setacare_desktop.domain.jpdate import DateParseError, local_now
from setacare_desktop.domain.problems import LABELS
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
from setacare_desktop.services import StaffProfile
from setacare_desktop.ui.forms import ERROR_COLOR
from setacare_desktop.ui.intake.widgets import (
    NOT_SET,
    PLACEHOLDER,
    CheckGroup,
    FieldBox,
    TermCombo,
    birth_hint,
    date_hint,
    hint_label,
    received_hint,
    set_enabled,
    set_text,
    show_hint,
)

SELF_CONSULTER = "self"
URGENT_STYLE = f"background-color: {ERROR_COLOR}; color: white; padding: 6px;"

#: Every field of the form by key: its label, its input widget and the box showing its problem.
FieldRegistry = dict[str, tuple[QLabel, QWidget, FieldBox]]


class Section(QGroupBox):
    """A titled group of labelled fields."""

    def __init__(self, title: str, fields: FieldRegistry, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._fields = fields
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def _row(self, field: str, text: str, widget: QWidget,
             hint: QLabel | None = None) -> FieldBox:
        """A labelled field; ``field`` is its key (``domain.problems.LABELS``), by which the
        problems the validation and the services report find it."""
        box = FieldBox(widget, hint, self)
        label = QLabel(text, self)
        label.setBuddy(widget)
        if not widget.accessibleName():
            widget.setAccessibleName(LABELS.get(field, field))
        self.form.addRow(label, box)
        self._fields[field] = (label, widget, box)
        return box

    def watch(self, slot: Callable[[], None]) -> None:
        """Connect ``slot`` to every change of this section that is a change of the intake."""

    def read(self, data: IntakeInput) -> None:
        """Put what is typed in this section into ``data`` (plain strings and codes)."""

    def fill(self, data: IntakeInput) -> None:
        """Show this section's part of ``data``."""


class ReceptionSection(Section):
    """受付: when and how the consultation came in, who took it, and the district."""

    def __init__(self, actor: StaffProfile, districts: list[str], fields: FieldRegistry,
                 parent: QWidget | None = None) -> None:
        super().__init__("受付", fields, parent)
        self.received_edit = QLineEdit(self)
        self.received_edit.setPlaceholderText("例: 令和8年11月24日 10:30、R8.11.24、2026-11-24")
        self.received_hint = hint_label(self)
        self._row("received_at", "受付日時(&T)", self.received_edit, self.received_hint)
        self.channel_combo = TermCombo(CHANNELS, parent=self)
        self._row("channel", "受付方法", self.channel_combo)
        self.staff_label = QLabel(actor.name, self)
        self.organisation_label = QLabel(actor.organisation_name, self)
        self.form.addRow("受付者", self.staff_label)
        self.form.addRow("所属", self.organisation_label)
        district_terms = [Term(code, f"{DISTRICTS_BY_CODE[code].name}地区") for code in districts]
        self.district_combo = TermCombo(
            district_terms, PLACEHOLDER if actor.district_code is None else None, self)
        self._row("district", "地区", self.district_combo)

    def watch(self, slot: Callable[[], None]) -> None:
        # The district is not here: changing it also changes the consent recipients.
        self.received_edit.textChanged.connect(slot)
        self.channel_combo.currentIndexChanged.connect(slot)

    def read(self, data: IntakeInput) -> None:
        data.received_at = self.received_edit.text()
        data.channel = self.channel_combo.code()
        data.district = self.district_combo.code()

    def fill(self, data: IntakeInput) -> None:
        self.received_edit.setText(data.received_at)
        self.channel_combo.set_code(data.channel)
        self.district_combo.set_code(data.district)

    def reference_day(self) -> date:
        """The day ages are counted on: the day received, or today."""
        try:
            return parse_datetime(self.received_edit.text()).date()
        except DateParseError:
            return local_now().date()

    def show_hints(self) -> None:
        show_hint(self.received_hint, received_hint(self.received_edit.text()))


class ConsulterSection(Section):
    """相談者: who came to the counter; relation, name and contact only for someone other than
    the person concerned."""

    def __init__(self, fields: FieldRegistry, parent: QWidget | None = None) -> None:
        super().__init__("相談者", fields, parent)
        self.consulter_combo = TermCombo(CONSULTER_KINDS, PLACEHOLDER, self)
        self._row("consulter_kind", "相談者の区分(&K)", self.consulter_combo)
        self.relation_edit = QLineEdit(self)
        self.relation_edit.setPlaceholderText("例: 長女、○○居宅介護支援事業所")
        self._row("consulter_relation", "続柄・機関名", self.relation_edit)
        self.consulter_name_edit = QLineEdit(self)
        self._row("consulter_name", "相談者氏名", self.consulter_name_edit)
        self.consulter_contact_edit = QLineEdit(self)
        self._row("consulter_contact", "相談者の連絡先", self.consulter_contact_edit)

    def watch(self, slot: Callable[[], None]) -> None:
        self.consulter_combo.currentIndexChanged.connect(slot)
        for edit in self._other_fields():
            edit.textChanged.connect(slot)

    def _other_fields(self) -> tuple[QLineEdit, QLineEdit, QLineEdit]:
        return self.relation_edit, self.consulter_name_edit, self.consulter_contact_edit

    def is_other(self) -> bool:
        """Someone other than the person concerned consulted (a relative, an agency...)."""
        return self.consulter_combo.code() != SELF_CONSULTER

    def read(self, data: IntakeInput) -> None:
        other = self.is_other()
        data.consulter_kind = self.consulter_combo.code()
        data.consulter_relation = self.relation_edit.text() if other else ""
        data.consulter_name = self.consulter_name_edit.text() if other else ""
        data.consulter_contact = self.consulter_contact_edit.text() if other else ""

    def fill(self, data: IntakeInput) -> None:
        self.consulter_combo.set_code(data.consulter_kind)
        self.relation_edit.setText(data.consulter_relation)
        self.consulter_name_edit.setText(data.consulter_name)
        self.consulter_contact_edit.setText(data.consulter_contact)

    def enable_other_fields(self) -> None:
        other = self.is_other()
        for widget in self._other_fields():
            set_enabled(widget, other)


class PersonSection(Section):
    """対象者: the person the consultation is about (empty name: anonymous)."""

    def __init__(self, fields: FieldRegistry, parent: QWidget | None = None) -> None:
        super().__init__("対象者（相談の対象となる方）", fields, parent)
        self.anonymous_note = QLabel("氏名を空欄にすると匿名の相談として記録されます。", self)
        self.anonymous_note.setWordWrap(True)
        self.form.addRow(self.anonymous_note)
        self.name_edit = QLineEdit(self)
        self._row("person.name", "氏名(&N)", self.name_edit)
        self.reading_edit = QLineEdit(self)
        self.reading_edit.setPlaceholderText("ひらがな・カタカナ（半角可）")
        self._row("person.reading", "ふりがな", self.reading_edit)
        self.birth_edit = QLineEdit(self)
        self.birth_edit.setPlaceholderText("例: 昭和20年3月3日、S20.3.3、1945-03-03")
        self.birth_hint = hint_label(self)
        self._row("person.birth_date", "生年月日(&B)", self.birth_edit, self.birth_hint)
        self.sex_combo = TermCombo(SEXES, NOT_SET, self)
        self._row("person.sex", "性別", self.sex_combo)
        self.town_edit = QLineEdit(self)
        self.town_edit.setPlaceholderText("例: 池尻二丁目")
        self._row("person.address_town", "住所（町丁目）", self.town_edit)
        self.rest_edit = QLineEdit(self)
        self._row("person.address_rest", "住所（番地以降）", self.rest_edit)
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setPlaceholderText("例: 03-1234-5678")
        self._row("person.phone", "電話", self.phone_edit)
        self.household_combo = TermCombo(HOUSEHOLDS, NOT_SET, self)
        self._row("person.household", "世帯状況", self.household_combo)

    def identity_edits(self) -> tuple[QLineEdit, QLineEdit, QLineEdit]:
        """氏名, ふりがな and 生年月日: what the duplicate check looks for."""
        return self.name_edit, self.reading_edit, self.birth_edit

    def identity(self) -> tuple[str, str, str]:
        return self.name_edit.text(), self.reading_edit.text(), self.birth_edit.text()

    def watch(self, slot: Callable[[], None]) -> None:
        for edit in (self.name_edit, self.reading_edit, self.birth_edit, self.town_edit,
                     self.rest_edit, self.phone_edit):
            edit.textChanged.connect(slot)
        for combo in (self.sex_combo, self.household_combo):
            combo.currentIndexChanged.connect(slot)

    def read(self, data: IntakeInput) -> None:
        data.person = self.person()

    def fill(self, data: IntakeInput) -> None:
        self.set_person(data.person)

    def person(self) -> PersonInput:
        return PersonInput(
            name=self.name_edit.text(), reading=self.reading_edit.text(),
            birth_date=self.birth_edit.text(), sex=self.sex_combo.code(),
            address_town=self.town_edit.text(), address_rest=self.rest_edit.text(),
            phone=self.phone_edit.text(), household=self.household_combo.code())

    def set_person(self, person: PersonInput) -> None:
        self.name_edit.setText(person.name)
        self.reading_edit.setText(person.reading)
        self.birth_edit.setText(person.birth_date)
        self.sex_combo.set_code(person.sex)
        self.town_edit.setText(person.address_town)
        self.rest_edit.setText(person.address_rest)
        self.phone_edit.setText(person.phone)
        self.household_combo.set_code(person.household)

    def show_hints(self, reference_day: date) -> None:
        """The age hint counts on ``reference_day`` (the day received, or today)."""
        show_hint(self.birth_hint, birth_hint(self.birth_edit.text(), reference_day))


class ContentSection(Section):
    """相談内容: the target groups, what was asked (主訴, details) and, in the same group as
    the form always showed them, 対応・次回: what was done and what comes next."""

    def __init__(self, fields: FieldRegistry, parent: QWidget | None = None) -> None:
        super().__init__("相談内容", fields, parent)
        self.target_group = CheckGroup(TARGET_GROUPS, 3, "対象区分", self)
        self.mixed_label = QLabel(self)
        self._row("target_groups", "対象区分", self.target_group, self.mixed_label)
        self.element_group = CheckGroup(ELEMENTS, 3, "相談内容の分類", self)
        self._row("elements", "相談内容の分類", self.element_group)
        self.complaint_edit = QLineEdit(self)
        self.complaint_edit.setPlaceholderText("一言で（例: 母の物忘れと介護保険の申請）")
        self._row("main_complaint", "主訴(&M)", self.complaint_edit)
        self.details_edit = QPlainTextEdit(self)
        self.details_edit.setTabChangesFocus(True)
        self.details_edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self._row("details", "相談内容", self.details_edit)
        self._build_response()

    def _build_response(self) -> None:
        """対応・次回."""
        self.response_combo = TermCombo(RESPONSES, NOT_SET, self)
        self._row("response", "対応", self.response_combo)
        self.next_date_edit = QLineEdit(self)
        self.next_date_edit.setPlaceholderText("例: R8.12.1")
        self.next_date_hint = hint_label(self)
        self._row("next_date", "次回予定", self.next_date_edit, self.next_date_hint)
        self.next_note_edit = QLineEdit(self)
        self.next_note_edit.setPlaceholderText("例: 電話で申請状況を確認")
        self._row("next_note", "次回予定のメモ", self.next_note_edit)

    def watch(self, slot: Callable[[], None]) -> None:
        for edit in (self.complaint_edit, self.next_date_edit, self.next_note_edit):
            edit.textChanged.connect(slot)
        self.details_edit.textChanged.connect(slot)
        self.response_combo.currentIndexChanged.connect(slot)
        for group in (self.target_group, self.element_group):
            group.changed.connect(slot)

    def read(self, data: IntakeInput) -> None:
        data.target_groups = self.target_group.codes()
        data.elements = self.element_group.codes()
        data.main_complaint = self.complaint_edit.text()
        data.details = self.details_edit.toPlainText()
        data.response = self.response_combo.code()
        data.next_date = self.next_date_edit.text()
        data.next_note = self.next_note_edit.text()

    def fill(self, data: IntakeInput) -> None:
        self.target_group.set_codes(data.target_groups)
        self.element_group.set_codes(data.elements)
        self.complaint_edit.setText(data.main_complaint)
        self.details_edit.setPlainText(data.details)
        self.response_combo.set_code(data.response)
        self.next_date_edit.setText(data.next_date)
        self.next_note_edit.setText(data.next_note)

    def show_hints(self) -> None:
        """The next date's hint, and 複合 once two target groups or more are ticked."""
        show_hint(self.next_date_hint, date_hint(self.next_date_edit.text()))
        groups = self.target_group.codes()
        set_text(self.mixed_label,
                 f"{MIXED_LABEL}（{len(groups)}区分）" if len(groups) >= 2 else "")


class UrgencySection(Section):
    """緊急性: the urgency flags and a note."""

    def __init__(self, fields: FieldRegistry, parent: QWidget | None = None) -> None:
        super().__init__("緊急性", fields, parent)
        self.urgency_group = CheckGroup(URGENCY_FLAGS, 4, "緊急性", self)
        self._row("urgency", "緊急性", self.urgency_group)
        self.urgency_note_edit = QLineEdit(self)
        self._row("urgency_note", "緊急性のメモ", self.urgency_note_edit)

    def watch(self, slot: Callable[[], None]) -> None:
        self.urgency_note_edit.textChanged.connect(slot)
        self.urgency_group.changed.connect(slot)

    def read(self, data: IntakeInput) -> None:
        data.urgency = self.urgency_group.codes()
        data.urgency_note = self.urgency_note_edit.text()

    def fill(self, data: IntakeInput) -> None:
        self.urgency_group.set_codes(data.urgency)
        self.urgency_note_edit.setText(data.urgency_note)

    def make_banner(self, parent: QWidget) -> QLabel:
        """The page's 緊急 banner above the form (shown while a flag is ticked)."""
        banner = QLabel(parent)
        banner.setStyleSheet(URGENT_STYLE)
        banner.setWordWrap(True)
        banner.setAccessibleName("緊急")
        font = banner.font()
        font.setBold(True)
        banner.setFont(font)
        banner.hide()
        return banner

    def banner_text(self) -> str:
        """The page's 緊急 banner ("" when no flag is ticked)."""
        flags = self.urgency_group.codes()
        if not flags:
            return ""
        known = {t.code for t in URGENCY_FLAGS}
        return "緊急：" + "・".join(label_of(URGENCY_FLAGS, f) if f in known else f for f in flags)
