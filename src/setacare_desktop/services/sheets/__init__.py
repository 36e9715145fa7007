"""Printouts: the liaison sheet (連携シート) of a referral, the 相談受付票 and the day list.

The liaison sheet passes the consent gate: identifying details go on it only when
``services.intake.sharing_decision`` allows them for the referral's destination (``dest:<id>``) and
the purpose 連携シートの送付 — by the person's consent or a recorded emergency exception. Otherwise
:class:`SheetConsentError` says what is missing (a recorded refusal named as one), and the caller
may print the anonymised sheet instead: initials and an age band, none of the consultation's own
texts, and the referral's 匿名用の概要 (written by the clerk, checked for what identifies the
person before it prints: ``anonymised``).

Every printout follows the visibility rule (``services.visibility``): staff who see a
consultation masked get no sheet and no 相談受付票 of it, and masked rows on the day list.

A sheet's number is issued at its first print, ``<DISTRICT>-<fiscal year>-<sequence>`` (e.g.
``IKEJIRI-2026-00012``), one per referral and form; every print or save is a ``sheet_print`` row
and an audit row (who, when, which sheet, which destination, 原本 or 再発行). They are written in
the transaction that delivers the PDF (``delivery``: the file written, the pages printed) and only
if it was delivered: a failure consumes no number and is audited as a failure. A reprint is marked
再発行 on the paper.
"""

from setacare_desktop.services.sheets.anonymised import (
    anonymised_summary,
    check_anonymised_summary,
    save_anonymised_summary,
)
from setacare_desktop.services.sheets.blocks import age_band, initials
from setacare_desktop.services.sheets.delivery import Deliver, DeliveryError, to_file, to_folder
from setacare_desktop.services.sheets.forms import (
    CONSENT_FORM_MASKED,
    FaxCoverOffer,
    SignedChoice,
    consent_form_name,
    fax_cover_name,
    fax_cover_offered,
    mark_consent_form_signed,
    page_count,
    preview_consent_form,
    preview_fax_cover,
    print_consent_form,
    print_fax_cover,
    record_signed_consent_form,
)
from setacare_desktop.services.sheets.liaison import (
    IssuedSheet,
    PrintRow,
    SheetConsentError,
    SheetReferral,
    issue_liaison_sheet,
    preview_liaison_sheet,
    referral_of_sheet,
    sheet_number,
    sheet_prints,
)
from setacare_desktop.services.sheets.printouts import (
    day_list_name,
    intake_record_name,
    preview_day_list,
    preview_intake_record,
    print_day_list,
    print_intake_record,
)

__all__ = [
    "CONSENT_FORM_MASKED",
    "Deliver",
    "DeliveryError",
    "FaxCoverOffer",
    "IssuedSheet",
    "PrintRow",
    "SheetConsentError",
    "SheetReferral",
    "SignedChoice",
    "age_band",
    "anonymised_summary",
    "check_anonymised_summary",
    "consent_form_name",
    "day_list_name",
    "fax_cover_name",
    "fax_cover_offered",
    "initials",
    "intake_record_name",
    "issue_liaison_sheet",
    "mark_consent_form_signed",
    "page_count",
    "preview_consent_form",
    "preview_day_list",
    "preview_fax_cover",
    "preview_intake_record",
    "preview_liaison_sheet",
    "print_consent_form",
    "print_day_list",
    "print_fax_cover",
    "print_intake_record",
    "record_signed_consent_form",
    "referral_of_sheet",
    "save_anonymised_summary",
    "sheet_number",
    "sheet_prints",
    "to_file",
    "to_folder",
]
