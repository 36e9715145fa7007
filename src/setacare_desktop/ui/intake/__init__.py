"""受付 (intake): the counter form, its consent panel, duplicate check, drafts and dialogs.

Embed :class:`IntakePage` in the main window's 受付 slot::

    page = IntakePage(db, profile, parent)
    page.status_message.connect(status_bar_message)
    page.saved.connect(refresh_today_list)  # the consultation id

and ask :meth:`IntakePage.has_unsaved_changes` before closing or logging out.
"""

from setacare_desktop.ui.intake.form import IntakePage

__all__ = ["IntakePage"]
