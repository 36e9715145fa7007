"""本人同意: the wording to read out, a decision per recipient and purpose, and the records so far.

A decision is 未確認 (not asked), 同意 or 不同意 per recipient (the district's four partners) and
purpose (情報共有, 連携シートの送付); only asked ones become ``ConsentInput`` records. An anonymous
consultation records no consent: the panel says so and disables itself (its ticks are kept).

A refusal on record stands until the person changes their mind: 「すべて同意」 leaves those
recipients as they are, and a consent over a refusal is recorded apart, from the refusal chosen
in the records (「意思の変更を記録…」, ``change_of_mind_requested``), never by a tick.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.consent import (
    COUNTER_CONSENT_WORDING,
    Giver,
    Method,
    Purpose,
    latest_record,
)
from setacare_desktop.domain.intake import ConsentInput
from setacare_desktop.domain.jpdate import local_now, to_wareki
from setacare_desktop.domain.reference import Term
from setacare_desktop.services import Database, ServiceError, StaffProfile, sheets
from setacare_desktop.services.intake import ConsentRow, Recipient
from setacare_desktop.ui.intake.widgets import (
    ConsentBox,
    FieldBox,
    TermCombo,
    set_enabled,
    set_visible,
)

if TYPE_CHECKING:
    from setacare_desktop.ui.sheets.printout import PrintoutDialog

PURPOSES: tuple[Purpose, ...] = (Purpose.SHARE, Purpose.SHEET)
GIVERS = tuple(Term(g.value, g.label) for g in Giver)
METHODS = tuple(Term(m.value, m.label) for m in Method)
ANONYMOUS_NOTE = ("匿名の相談（対象者の氏名なし）のため、同意は記録できません。"
                  "個人を特定できる情報は共有・送付されません。")
EXISTING_COLUMNS = ("関係先", "目的", "内容", "同意者", "方法", "同意日", "撤回")


class ConsentPanel(QGroupBox):
    """The consent section of the intake form."""

    changed = Signal()
    withdraw_requested = Signal(object)  # ConsentRow
    change_of_mind_requested = Signal(object)  # ConsentRow: a standing refusal
    emergency_requested = Signal()
    #: 「同意書を印刷…」: the linked person's consent form (``open_consent_form``).
    consent_form_requested = Signal()
    #: 「同意書の署名を記録」 on a written consent (``record_form_signed``).
    form_signed_requested = Signal(object)  # ConsentRow

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("本人同意", parent)
        self.recipients: list[Recipient] = []
        self.boxes: dict[tuple[str, Purpose], ConsentBox] = {}
        self._existing: list[ConsentRow] = []
        #: The refusal on record that decides, per recipient and purpose.
        self._refusals: dict[tuple[str, Purpose], ConsentRow] = {}

        self.wording_label = QLabel(
            f"次の文言を読み上げて確認してください：\n「{COUNTER_CONSENT_WORDING}」", self)
        self.wording_label.setWordWrap(True)
        self.wording_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.anonymous_label = QLabel(ANONYMOUS_NOTE, self)
        self.anonymous_label.setWordWrap(True)
        self.anonymous_label.hide()

        self.grid_widget = QWidget(self)
        self.grid = QGridLayout(self.grid_widget)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.all_button = QPushButton("すべて同意", self)
        self.all_button.setToolTip("すべての関係先・目的を「同意」にします（不同意の記録があるものは除く）")
        self.refusal_note = QLabel(self)
        self.refusal_note.setWordWrap(True)
        self.refusal_note.hide()

        self.giver_combo = TermCombo(GIVERS, parent=self)
        self.giver_combo.setAccessibleName("同意者")
        self.giver_relation_edit = QLineEdit(self)
        self.giver_relation_edit.setPlaceholderText("代理人の続柄（例: 長女）")
        self.giver_relation_edit.setAccessibleName("代理人の続柄")
        self.method_combo = TermCombo(METHODS, parent=self)
        self.method_combo.setAccessibleName("同意の方法")
        giver_row = QHBoxLayout()
        giver_row.addWidget(QLabel("同意者", self))
        giver_row.addWidget(self.giver_combo)
        giver_row.addWidget(self.giver_relation_edit, 1)
        giver_row.addWidget(QLabel("方法", self))
        giver_row.addWidget(self.method_combo)
        self.giver_box = FieldBox(QWidget(self), parent=self)
        self.giver_box.widget.setLayout(giver_row)
        giver_row.setContentsMargins(0, 0, 0, 0)

        self.existing_label = QLabel("これまでの同意記録（撤回しても記録は残ります）", self)
        self.existing_tree = QTreeWidget(self)
        self.existing_tree.setHeaderLabels(list(EXISTING_COLUMNS))
        self.existing_tree.setRootIsDecorated(False)
        self.existing_tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.existing_tree.setAccessibleName("これまでの同意記録")
        self.existing_tree.header().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.existing_tree.setSizeAdjustPolicy(
            QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.withdraw_button = QPushButton("撤回…", self)
        self.withdraw_button.setEnabled(False)
        self.change_button = QPushButton("意思の変更を記録…", self)
        self.change_button.setToolTip("選んだ不同意について、本人の意思が変わったことを確かめた場合に"
                                      "新しい同意として記録します（不同意の記録は残ります）")
        self.change_button.setEnabled(False)
        self._person_id: int | None = None
        #: The consent form's print dialog while it is open.
        self.consent_form_dialog: PrintoutDialog | None = None
        self.consent_form_button = QPushButton("同意書を印刷…", self)
        self.consent_form_button.setToolTip(
            "本人の氏名、関係先と目的、読み上げる文言、署名欄のある同意書を印刷します")
        self.consent_form_button.setEnabled(False)
        self.form_signed_button = QPushButton("同意書の署名を記録", self)
        self.form_signed_button.setToolTip("選んだ書面の同意について、印刷した同意書に署名を"
                                           "いただいたこと（今日の日付）を記録します")
        self.form_signed_button.setEnabled(False)
        self.emergency_button = QPushButton("緊急時の例外を記録…", self)
        self.emergency_button.setToolTip(
            "人の生命、身体又は財産の保護のために必要で、本人の同意を得ることが困難な場合に、監督者の承認を得て記録します")

        buttons = QHBoxLayout()
        buttons.addWidget(self.all_button)
        buttons.addStretch(1)
        buttons.addWidget(self.consent_form_button)
        existing_buttons = QHBoxLayout()
        existing_buttons.addWidget(self.withdraw_button)
        existing_buttons.addWidget(self.change_button)
        existing_buttons.addWidget(self.form_signed_button)
        existing_buttons.addStretch(1)
        existing_buttons.addWidget(self.emergency_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.wording_label)
        layout.addWidget(self.anonymous_label)
        layout.addWidget(self.grid_widget)
        layout.addLayout(buttons)
        layout.addWidget(self.refusal_note)
        layout.addWidget(self.giver_box)
        layout.addWidget(self.existing_label)
        layout.addWidget(self.existing_tree)
        layout.addLayout(existing_buttons)
        self.set_existing([])
        self._connect_signals()
        self._giver_changed()

    def _connect_signals(self) -> None:
        self.all_button.clicked.connect(self.give_all)
        self.giver_combo.currentIndexChanged.connect(self._giver_changed)
        self.giver_relation_edit.textChanged.connect(self.changed)
        self.method_combo.currentIndexChanged.connect(self.changed)
        self.existing_tree.itemSelectionChanged.connect(self._selection_changed)
        self.withdraw_button.clicked.connect(self._withdraw_clicked)
        self.change_button.clicked.connect(self._change_clicked)
        self.emergency_button.clicked.connect(self.emergency_requested)
        self.consent_form_button.clicked.connect(self.consent_form_requested)
        self.form_signed_button.clicked.connect(self._form_signed_clicked)

    # --- recipients and decisions ---------------------------------------------------------

    def set_recipients(self, recipients: Iterable[Recipient]) -> None:
        """Rebuild the rows for a district's partners; decisions for the same keys are kept."""
        kept = {key: box.decision() for key, box in self.boxes.items()}
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.boxes = {}
        self.recipients = list(recipients)
        self.grid.addWidget(QLabel("関係先", self.grid_widget), 0, 0)
        for column, purpose in enumerate(PURPOSES, start=1):
            self.grid.addWidget(QLabel(purpose.label, self.grid_widget), 0, column)
        for row, recipient in enumerate(self.recipients, start=1):
            self.grid.addWidget(QLabel(recipient.name, self.grid_widget), row, 0)
            for column, purpose in enumerate(PURPOSES, start=1):
                box = ConsentBox(f"{recipient.name} {purpose.label}の同意", self.grid_widget)
                box.set_decision(kept.get((recipient.key, purpose)))
                box.stateChanged.connect(self.changed)
                self.grid.addWidget(box, row, column)
                self.boxes[(recipient.key, purpose)] = box
        self.grid.setColumnStretch(0, 1)

    def give_all(self) -> None:
        """Every recipient and purpose 同意, except where a refusal is on record (it stands)."""
        kept = []
        for key, box in self.boxes.items():
            if key in self._refusals:
                kept.append(box.accessibleName())
            else:
                box.set_decision(True)
        set_visible(self.refusal_note, bool(kept))
        self.refusal_note.setText(
            "不同意の記録がある関係先は変えていません（本人の意思が変わった場合は、下の記録で"
            "その不同意を選び「意思の変更を記録…」）: " + "、".join(kept) if kept else "")

    def box(self, recipient_key: str, purpose: Purpose) -> ConsentBox:
        return self.boxes[(recipient_key, purpose)]

    def consents(self, given_on: str = "") -> list[ConsentInput]:
        """The asked decisions as records to save (empty while anonymous)."""
        if self.is_anonymous():
            return []
        result = []
        for (key, purpose), box in self.boxes.items():
            decision = box.decision()
            if decision is None:
                continue
            result.append(ConsentInput(
                recipient=key, purpose=purpose.value, given=decision,
                giver=self.giver_combo.code(),
                giver_relation=(self.giver_relation_edit.text().strip()
                                if self.giver_combo.code() == Giver.PROXY.value else ""),
                method=self.method_combo.code(), given_on=given_on))
        return result

    def set_consents(self, consents: Iterable[ConsentInput]) -> None:
        """Show saved decisions again (a restored draft); unknown recipients are ignored."""
        consents = list(consents)
        for box in self.boxes.values():
            box.set_decision(None)
        for item in consents:
            try:
                purpose = Purpose(item.purpose)
            except ValueError:
                continue
            box = self.boxes.get((item.recipient, purpose))
            if box is not None:
                box.set_decision(item.given)
        if consents:
            self.giver_combo.set_code(consents[0].giver)
            self.giver_relation_edit.setText(consents[0].giver_relation)
            self.method_combo.set_code(consents[0].method)
        else:
            self.giver_combo.set_code(Giver.SELF.value)
            self.giver_relation_edit.clear()
            self.method_combo.set_code(Method.ORAL.value)

    def set_anonymous(self, anonymous: bool) -> None:
        """No name and no linked person: say why consent cannot be recorded, keep the ticks."""
        set_visible(self.anonymous_label, anonymous)
        set_enabled(self.grid_widget, not anonymous)
        set_enabled(self.all_button, not anonymous)
        set_enabled(self.giver_box, not anonymous)

    def is_anonymous(self) -> bool:
        return not self.anonymous_label.isHidden()

    def show_error(self, text: str) -> None:
        self.giver_box.show_error(text)

    def _giver_changed(self) -> None:
        self.giver_relation_edit.setEnabled(self.giver_combo.code() == Giver.PROXY.value)
        self.changed.emit()

    # --- existing records -----------------------------------------------------------------

    def set_existing(self, rows: Iterable[ConsentRow]) -> None:
        self._existing = list(rows)
        self.existing_tree.clear()
        for row in self._existing:
            record = row.record
            withdrawn = (f"{to_wareki(record.withdrawn_on)}撤回（{record.withdrawal_reason}）"
                         if record.withdrawn_on else "")
            giver = record.giver.label + (f"（{record.giver_relation}）"
                                          if record.giver_relation else "")
            item = QTreeWidgetItem([
                row.recipient_name, record.purpose.label, "同意" if record.given else "不同意",
                giver, record.method.label, to_wareki(record.given_on), withdrawn])
            self.existing_tree.addTopLevelItem(item)
        records = [row.record for row in self._existing]
        today = local_now().date()
        self._refusals = {}
        for row in self._existing:
            key = (row.record.recipient, row.record.purpose)
            if latest_record(records, *key, today) is row.record and row.record.refusal:
                self._refusals[key] = row
        has_rows = bool(self._existing)
        self.existing_label.setVisible(has_rows)
        self.existing_tree.setVisible(has_rows)
        self.withdraw_button.setVisible(has_rows)
        self.change_button.setVisible(bool(self._refusals))
        self._selection_changed()

    def existing(self) -> list[ConsentRow]:
        return list(self._existing)

    def selected_existing(self) -> ConsentRow | None:
        index = self.existing_tree.currentIndex()
        if not index.isValid() or not self.existing_tree.selectedItems():
            return None
        return self._existing[index.row()]

    def standing_refusal(self, recipient_key: str, purpose: Purpose) -> ConsentRow | None:
        return self._refusals.get((recipient_key, purpose))

    def _selection_changed(self) -> None:
        row = self.selected_existing()
        self.withdraw_button.setEnabled(
            row is not None and row.record.given and row.record.withdrawn_on is None)
        self.change_button.setEnabled(row is not None and row in self._refusals.values())
        self.form_signed_button.setEnabled(row is not None and row.record.method is Method.WRITTEN)

    def _withdraw_clicked(self) -> None:
        row = self.selected_existing()
        if row is not None:
            self.withdraw_requested.emit(row)

    def _change_clicked(self) -> None:
        row = self.selected_existing()
        if row is not None and row in self._refusals.values():
            self.change_of_mind_requested.emit(row)

    def _form_signed_clicked(self) -> None:
        row = self.selected_existing()
        if row is not None and row.record.method is Method.WRITTEN:
            self.form_signed_requested.emit(row)

    # --- the printed consent form (同意書) ----------------------------------------------------

    def set_person(self, person_id: int | None) -> None:
        """The person on record the form is about (None: not yet saved or linked)."""
        self._person_id = person_id
        self.consent_form_button.setEnabled(person_id is not None)

    def open_consent_form(self, db: Database, actor: StaffProfile) -> PrintoutDialog | None:
        """Preview the person's 同意書 in a dialog whose save and print are recorded; a refusal
        (the person is masked to the actor) is shown under the panel."""
        from setacare_desktop.ui.sheets.printout import PrintoutDialog

        person_id = self._person_id
        if person_id is None:
            return None
        try:
            pdf = sheets.preview_consent_form(db, actor, person_id)
        except ServiceError as error:
            self.show_error(error.message)
            return None
        if self.consent_form_dialog is not None:
            self.consent_form_dialog.deleteLater()
        self.consent_form_dialog = PrintoutDialog(
            "同意書", pdf, f"{sheets.consent_form_name(person_id)}.pdf",
            lambda deliver: sheets.print_consent_form(db, actor, person_id, deliver),
            self.window())
        self.consent_form_dialog.open()
        return self.consent_form_dialog

    def record_form_signed(self, db: Database, actor: StaffProfile, row: ConsentRow) -> bool:
        """Record today as the day the written consent ``row``'s form was signed."""
        try:
            sheets.mark_consent_form_signed(db, actor, row.consent_id, local_now().date())
        except ServiceError as error:
            self.show_error(error.message)
            return False
        self.show_error("")
        return True

    def focus_chain(self) -> list[QWidget]:
        """The panel's widgets in Tab order."""
        return [*self.boxes.values(), self.all_button, self.giver_combo,
                self.giver_relation_edit, self.method_combo, self.existing_tree,
                self.withdraw_button, self.change_button, self.form_signed_button,
                self.emergency_button, self.consent_form_button]
