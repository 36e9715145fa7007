"""受付 (intake): the counter form, its consent panel, duplicate check, drafts and dialogs.

Embed :class:`IntakePage` in the main window's 受付 slot::

    page = IntakePage(db, profile, parent)
    page.status_message.connect(status_bar_message)
    page.saved.connect(refresh_today_list)  # the consultation id
    page.open_consultation_requested.connect(open_consultation)  # from the duplicate panel

where ``open_consultation`` loads the case with :meth:`IntakePage.open_case` (which asks first
when something is typed) before showing the page, and ask :meth:`IntakePage.has_unsaved_changes`
before closing or logging out.

The page (``form``) is composed of parts, each in a module of its own:

- ``sections``: the form's sections (受付, 相談者, 対象者, 相談内容・対応, 緊急性), their widgets
  and their part of ``IntakeInput``; every field registered by its key (``domain.problems``);
- ``problems_view``: problems at their fields, the summary and the save button's count;
- ``drafts``: the draft's id, the autosave timers and the drafts dialog (``DraftKeeper``);
- ``person_link``: the duplicate check, linking a person, their consents (``PersonLink``);
- ``saving``: save, amend, open, discard, restore a draft, print, a new blank form (``CaseFlow``);
- ``history``: the 修正履歴 of a loaded consultation;
- ``actions``: the buttons and keyboard shortcuts.

Widgets that live in a part stay reachable on the page under the names they always had
(``page.name_edit``, ``page.save_button``, ``page.summary_label``...).
"""

from setacare_desktop.ui.intake.form import IntakePage

__all__ = ["IntakePage"]
