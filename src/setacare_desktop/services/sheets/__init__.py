"""Printouts: the liaison sheet (連携シート) of a referral, the 相談受付票 and the day list.

The liaison sheet passes the consent gate: identifying details go on it only when
``services.intake.sharing_decision`` allows them for the referral's destination (``dest:<id>``) and
the purpose 連携シートの送付 — by the person's consent or a recorded emergency exception. Otherwise
:class:`SheetConsentError` says what is missing, and the caller may print the anonymised sheet
instead (initials, an age band; no address, phone or birth date; those words masked in the texts).

A sheet's number is issued at its first print, ``<DISTRICT>-<fiscal year>-<sequence>`` (e.g.
``IKEJIRI-2026-00012``), one per referral and form; every print or save is a ``sheet_print`` row
and an audit row (who, when, which sheet, which destination, 原本 or 再発行), in the same
transaction as the number. A reprint is marked 再発行 on the paper.
"""

from setacare_desktop.services.sheets.blocks import age_band, initials
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
from setacare_desktop.services.sheets.printouts import print_day_list, print_intake_record

__all__ = ["IssuedSheet", "PrintRow", "SheetConsentError", "SheetReferral", "age_band",
           "initials", "issue_liaison_sheet", "preview_liaison_sheet", "print_day_list",
           "print_intake_record", "referral_of_sheet", "sheet_number", "sheet_prints"]
