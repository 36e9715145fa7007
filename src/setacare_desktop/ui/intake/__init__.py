"""受付 (intake): the counter form, its consent panel, duplicate check, drafts and dialogs.

Embed :class:`IntakePage` in the main window's 受付 slot::

    page = IntakePage(db, profile, parent)
    page.status_message.connect(status_bar_message)
    page.saved.connect(refresh_today_list)  # the consultation id
    page.open_consultation_requested.connect(open_consultation)  # from the duplicate panel

where ``open_consultation`` loads the case with :meth:`IntakePage.open_case` (which asks first
when something is typed) before showing the page, and ask :meth:`IntakePage.has_unsaved_changes`
before closing or logging out.
"""

from setacare_desktop.ui.intake.form import IntakePage

__all__ = ["IntakePage"]
