"""「つなぎを記録」: method, 依頼事項 (the items ticked — 訪問, 面談, 電話連絡 … — and the words
of the request) and reply due date for the chosen destination, through the consent gate. The
items ticked are recorded with the referral and ticked on its liaison sheet.

When the gate refuses (no consent for this destination and purpose, no emergency exception), the
form says why — a recorded refusal by name, with who recorded it and when — and offers the two
ways on: record the consent now in a dialog where nothing is preselected (the person is often
still at the counter or on the phone; over a refusal only as a confirmed change of mind,
``consent_dialog``), then record the referral; or record an anonymised referral, with the
匿名用の概要 for its sheet (checked as it is typed, the findings listed beside it). What was typed
stays in the form on every failure; it is cleared only after a referral is recorded.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from setacare_desktop.domain.consent import ConsentEntry
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.referral import REQUEST_ITEMS, ReferralMethod
from setacare_desktop.services import Database, ServiceError, StaffProfile, ValidationError
from setacare_desktop.services import referrals as referral_service
from setacare_desktop.services import sheets as sheet_service
from setacare_desktop.services.directory import Destination
from setacare_desktop.services.errors import Problem
from setacare_desktop.ui.dates import date_edit, qdate
from setacare_desktop.ui.forms import FormProblems
from setacare_desktop.ui.referrals.consent_dialog import ConsentChoice, ConsentDialog
from setacare_desktop.ui.referrals.summary_box import SummaryBox

#: The reply due date offered by default: two weeks after the referral.
DEFAULT_REPLY_DAYS = 14
NO_DESTINATION = "つなぎ先が選ばれていません（一覧で選んで Enter）"
#: The request items per row of check boxes.
ITEMS_PER_ROW = 4
NO_CONSULTATION = "相談が選ばれていません。受付で相談を開き「つなぎ先を探す」を押してください。"


class RecordForm(QGroupBox):
    """The referral form of one consultation and one chosen destination.

    ``recorded`` carries the new referral's id; ``status_message`` short messages for the
    status bar.
    """

    recorded = Signal(int)
    status_message = Signal(str)

    def __init__(self, db: Database, actor: StaffProfile, parent: QWidget | None = None) -> None:
        super().__init__("つなぎを記録", parent)
        self._db = db
        self._actor = actor
        self._consultation_id: int | None = None
        self._destination: Destination | None = None
        self._refusal: referral_service.ConsentRequiredError | None = None

        self.destination_label = QLabel(NO_DESTINATION, self)
        self.destination_label.setWordWrap(True)
        self.method_combo = QComboBox(self)
        for method in ReferralMethod:
            self.method_combo.addItem(method.label, method.value)
        self.method_combo.setAccessibleName("つなぎの方法")
        self.items_widget = QWidget(self)
        self.item_boxes: dict[str, QCheckBox] = {}
        items_grid = QGridLayout(self.items_widget)
        items_grid.setContentsMargins(0, 0, 0, 0)
        for index, item in enumerate(REQUEST_ITEMS):
            box = QCheckBox(item.label, self.items_widget)
            box.setAccessibleName(f"依頼事項 {item.label}")
            items_grid.addWidget(box, index // ITEMS_PER_ROW, index % ITEMS_PER_ROW)
            self.item_boxes[item.code] = box
        self.request_edit = QPlainTextEdit(self)
        self.request_edit.setTabChangesFocus(True)
        self.request_edit.setAccessibleName("依頼事項")
        self.request_edit.setPlaceholderText("つなぎ先にお願いすること")
        self.request_edit.setFixedHeight(self.fontMetrics().height() * 4)
        self.due_edit = date_edit(self, "回答期限")
        self.record_button = QPushButton("つなぎを記録(&R)", self)
        self.problems = FormProblems(self)

        form = QFormLayout()
        self.method_label = QLabel("方法(&M)", self)
        self.request_label = QLabel("依頼事項(&Q)", self)
        self.items_label = QLabel("依頼の種類", self)
        self.due_label = QLabel("回答期限(&E)", self)
        for label, widget in ((self.method_label, self.method_combo),
                              (self.items_label, self.items_widget),
                              (self.request_label, self.request_edit),
                              (self.due_label, self.due_edit)):
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.problems.register("依頼事項", self.request_label, self.request_edit)
        self.problems.register("依頼事項の種類", self.items_label, self.items_widget)
        self.problems.register("回答期限", self.due_label, self.due_edit)

        # What to do when the consent gate refuses.
        self.consent_box = QGroupBox("同意がありません", self)
        self.consent_reason_label = QLabel(self.consent_box)
        self.consent_reason_label.setWordWrap(True)
        self.consent_button = QPushButton("同意を記録してつなぐ…", self.consent_box)
        self.anonymised_button = QPushButton("匿名でつなぐ", self.consent_box)
        self.summary = SummaryBox(self.check_summary, self.consent_box)
        self.problems.register(SummaryBox.FIELD, self.summary.label, self.summary.edit)
        self.consent_problems = FormProblems(self.consent_box)
        #: The consent dialog while it is open.
        self.consent_dialog: ConsentDialog | None = None
        consent_buttons = QHBoxLayout()
        consent_buttons.addWidget(self.consent_button)
        consent_buttons.addWidget(self.anonymised_button)
        consent_buttons.addStretch(1)
        consent_layout = QVBoxLayout(self.consent_box)
        consent_layout.addWidget(self.consent_reason_label)
        consent_layout.addLayout(consent_buttons)
        consent_layout.addWidget(self.summary)
        consent_layout.addWidget(self.consent_problems)
        self.consent_box.hide()

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.destination_label)
        layout.addLayout(form)
        layout.addWidget(self.problems)
        layout.addLayout(buttons)
        layout.addWidget(self.consent_box)

        self._reset_due()
        self.record_button.clicked.connect(self._record_clicked)
        self.consent_button.clicked.connect(self._consent_clicked)
        self.anonymised_button.clicked.connect(self._anonymised_clicked)
        self.method_combo.currentIndexChanged.connect(self._hide_refusal)
        self._update_enabled()

    # --- state ----------------------------------------------------------------------------

    def set_consultation(self, consultation_id: int | None) -> None:
        if consultation_id != self._consultation_id:
            self._consultation_id = consultation_id
            self._destination = None
            self._show_destination()
            self._hide_refusal()
            self.problems.clear_problems()
        self._update_enabled()

    def set_destination(self, destination: Destination | None) -> None:
        changed = (destination is None or self._destination is None
                   or destination.service_id != self._destination.service_id)
        self._destination = destination
        self._show_destination()
        if changed:
            self._hide_refusal()
        self.problems.clear_problems()
        self._update_enabled()

    @property
    def destination(self) -> Destination | None:
        return self._destination

    @property
    def refusal(self) -> referral_service.ConsentRequiredError | None:
        """The consent gate's last refusal, while the form offers the ways on."""
        return self._refusal

    def method(self) -> ReferralMethod:
        return ReferralMethod(self.method_combo.currentData())

    def set_method(self, method: ReferralMethod) -> None:
        self.method_combo.setCurrentIndex(self.method_combo.findData(method.value))

    def _show_destination(self) -> None:
        if self._consultation_id is None:
            self.destination_label.setText(NO_CONSULTATION)
        elif self._destination is None:
            self.destination_label.setText(NO_DESTINATION)
        else:
            self.destination_label.setText(
                f"相談No. {self._consultation_id} → {self._destination.name}")

    def _update_enabled(self) -> None:
        self.setEnabled(self._consultation_id is not None)

    def _reset_due(self) -> None:
        self.due_edit.setDate(qdate(local_now().date() + timedelta(days=DEFAULT_REPLY_DAYS)))

    def _hide_refusal(self) -> None:
        self._refusal = None
        self.consent_box.hide()
        self.consent_problems.clear_problems()

    # --- recording ------------------------------------------------------------------------

    def _new(self, *, anonymised: bool) -> referral_service.NewReferral | None:
        if self._consultation_id is None:
            return None
        if self._destination is None:
            self.problems.show_message(NO_DESTINATION)
            return None
        return referral_service.NewReferral(
            service_id=self._destination.service_id, method=self.method(),
            request=self.request_edit.toPlainText(),
            reply_due=self.due_edit.date().toPython(), anonymised=anonymised,
            anonymised_summary=self.summary.text() if anonymised else "",
            request_items=self.request_items() or None)

    def request_items(self) -> tuple[str, ...]:
        """The codes of the 依頼事項 ticked."""
        return tuple(code for code, box in self.item_boxes.items() if box.isChecked())

    def record(self, *, anonymised: bool = False) -> int | None:
        """Record the referral; returns its id, or None when refused (the reason is shown)."""
        new = self._new(anonymised=anonymised)
        if new is None or self._consultation_id is None:
            return None
        try:
            referral_id = referral_service.create_referral(
                self._db, self._actor, self._consultation_id, new)
        except referral_service.ConsentRequiredError as error:
            self.problems.clear_problems()
            self._offer_consent(error)
            return None
        except ValidationError as error:
            self.problems.show_problems(error.problems)
            return None
        except ServiceError as error:
            self.problems.show_message(error.message)
            return None
        self._done(referral_id, anonymised=anonymised)
        return referral_id

    def _offer_consent(self, error: referral_service.ConsentRequiredError) -> None:
        self._refusal = error
        refused = error.refused_id is not None
        self.consent_box.setTitle("本人が不同意としています" if refused else "同意がありません")
        self.consent_reason_label.setText(
            f"{error.message}\n（必要な同意: {error.purpose.label}）")
        self.consent_button.setText("本人の意思の変更を記録してつなぐ…" if refused
                                    else "同意を記録してつなぐ…")
        self.consent_problems.clear_problems()
        self.consent_box.show()
        self.consent_button.setFocus()

    def check_summary(self, text: str) -> list[Problem]:
        """What in the 匿名用の概要 identifies the person (for the list beside it)."""
        if self._consultation_id is None or not text.strip():
            return []
        return sheet_service.check_anonymised_summary(self._db, self._actor,
                                                      self._consultation_id, text)

    def record_consent_and_refer(self) -> ConsentDialog | None:
        """Open the dialog that records the person's consent for the destination there and then
        (nothing preselected; over a refusal, the change of mind), then the referral."""
        if self._refusal is None or self._consultation_id is None or self._destination is None:
            return None
        refusal = self._refusal
        destination = self._destination
        consultation_id = self._consultation_id

        def submit(choice: ConsentChoice) -> None:
            referral_service.record_destination_consent(
                self._db, self._actor, consultation_id, destination.service_id,
                purpose=refusal.purpose, entry=ConsentEntry(
                    True, choice.giver, choice.giver_relation, choice.method, choice.given_on,
                    refusal.refused_id, choice.change_note, choice.mind_changed))
            self.status_message.emit(f"「{destination.name}」への同意を記録しました")

        reason = refusal.decision.reason.split(": ", 1)[-1]
        dialog = ConsentDialog(destination.name, refusal.purpose, reason,
                               refusal_id=refusal.refused_id, submit=submit, parent=self)
        dialog.accepted.connect(self._consent_recorded)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.consent_dialog = dialog
        dialog.open()
        return dialog

    def _consent_recorded(self) -> None:
        self.record()

    def _dialog_closed(self, dialog: ConsentDialog) -> None:
        if self.consent_dialog is dialog:
            self.consent_dialog = None
        dialog.deleteLater()

    def _done(self, referral_id: int, *, anonymised: bool) -> None:
        assert self._destination is not None
        name = self._destination.name
        self._hide_refusal()
        self.problems.clear_problems()
        self.request_edit.clear()
        for box in self.item_boxes.values():
            box.setChecked(False)
        self.summary.clear()
        self._reset_due()
        kind = "匿名で" if anonymised else ""
        self.status_message.emit(
            f"つなぎを{kind}記録しました（相談No. {self._consultation_id} → {name}）")
        self.recorded.emit(referral_id)

    def _record_clicked(self) -> None:
        self.record()

    def _consent_clicked(self) -> None:
        self.record_consent_and_refer()

    def _anonymised_clicked(self) -> None:
        self.record(anonymised=True)
