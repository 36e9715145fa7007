"""Recording and amending consultations (受付), their consents, drafts and history.

Each public function is one use case (``@use_case``): one session, in which the caller's scope is
checked, the consent rule is asked and the write it allows is made, with its audit row. Problems
with the input come back as ``ValidationError`` whose problems name the field, and nothing is
written. The package keeps the names its callers use; the modules hold the seams:
``cases`` (the use cases of a consultation), ``records`` (rows to form and back), ``consent``
(consents after the intake, emergency exceptions, the consent rule) and ``drafts``.
"""

from setacare_desktop.services.intake.cases import (
    amend_intake,
    case_access,
    case_district,
    case_json,
    consent_recipients,
    consultation_district,
    district_label,
    history,
    load_intake,
    masked_case,
    partners,
    record_intake,
)
from setacare_desktop.services.intake.consent import (
    add_consent,
    consent_records,
    consents_of,
    decide_sharing,
    record_consent,
    record_emergency_exception,
    sharing_decision,
    withdraw_consent,
)
from setacare_desktop.services.intake.drafts import (
    DraftRow,
    discard_draft,
    list_drafts,
    save_draft,
)
from setacare_desktop.services.intake.records import (
    ConsentRow,
    LoadedIntake,
    MaskedCase,
    Recipient,
    SavedIntake,
    VersionRow,
)

__all__ = [
    "ConsentRow", "DraftRow", "LoadedIntake", "MaskedCase", "Recipient", "SavedIntake",
    "VersionRow", "add_consent", "amend_intake", "case_access", "case_district", "case_json",
    "consent_recipients", "consent_records", "consents_of", "consultation_district",
    "decide_sharing", "discard_draft", "district_label", "history", "list_drafts", "load_intake",
    "masked_case", "partners", "record_consent", "record_emergency_exception", "record_intake",
    "save_draft", "sharing_decision", "withdraw_consent",
]
