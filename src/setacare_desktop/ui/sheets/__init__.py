"""連携シート: the print preview of a referral's liaison sheet (the very PDF that is printed),
saving it as a PDF, printing it, saving the day's sheets in one go, and the reply entry by the
sheet number.

Embed :class:`SheetsPage` in the main window's 連携シート slot; its ``reply_requested`` signal
carries the referral whose sheet number was typed or scanned.
"""

from setacare_desktop.ui.sheets.page import SheetsPage
from setacare_desktop.ui.sheets.preview import PdfPreview

__all__ = ["PdfPreview", "SheetsPage"]
