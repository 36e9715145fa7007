"""The main window's 相談者 and やること areas: their pages, the count on やること's navigation
item, and the reminder at login (a status bar message: the clerk is never blocked).

``area_pages`` builds the two pages (a notice for an account without a case role);
``connect_areas`` wires them to the window once it is built: opening a consultation in 受付,
a person's page from やること, the badge refreshed after each save, and the duplicate panel's
household lines (``services.households.panel_lines``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QListWidget, QMainWindow

from setacare_desktop.services import Database, ServiceError, StaffProfile, households
from setacare_desktop.ui.followups.page import FollowupsPage, count_for_badge, reminder_text
from setacare_desktop.ui.navigation import AREA_FOLLOWUPS, AREA_PERSON
from setacare_desktop.ui.page import Page
from setacare_desktop.ui.person.page import PersonPage

#: The reminder stays on the status bar this long (ms); it never blocks.
REMINDER_MS = 30_000


def badge_text(count: int) -> str:
    return f"{AREA_FOLLOWUPS}（{count}）" if count else AREA_FOLLOWUPS


def area_pages(window: QMainWindow, db: Database, profile: StaffProfile) -> dict[str, Page]:
    """相談者 and やること for a staff member of a case role (``ui.navigation.AREA_ROLES``)."""
    return {AREA_PERSON: PersonPage(db, profile, window),
            AREA_FOLLOWUPS: FollowupsPage(db, profile, window)}


def connect_areas(window: QMainWindow, pages: dict[str, Page], db: Database,
                  profile: StaffProfile) -> None:
    person, todo = pages[AREA_PERSON], pages[AREA_FOLLOWUPS]
    if not isinstance(person, PersonPage) or not isinstance(todo, FollowupsPage):
        return
    nav: QListWidget = window.navigation  # type: ignore[attr-defined]
    item = nav.findItems(AREA_FOLLOWUPS, Qt.MatchFlag.MatchExactly)[0]

    def set_badge(count: int) -> None:
        item.setText(badge_text(count))
        item.setToolTip(f"自分のやること {count}件")

    def refresh_badge() -> None:
        set_badge(count_for_badge(db, profile))

    def open_person(person_id: int) -> None:
        window.show_area(AREA_PERSON)  # type: ignore[attr-defined]
        person.show_person(person_id)

    status = window.statusBar()
    person.open_consultation.connect(window.open_consultation)  # type: ignore[attr-defined]
    person.status_message.connect(lambda text: status.showMessage(text, 10_000))
    person.status_message.connect(lambda _text: refresh_badge())  # 継続支援 opened or closed
    todo.open_consultation.connect(window.open_consultation)  # type: ignore[attr-defined]
    todo.open_person.connect(open_person)
    todo.count_changed.connect(set_badge)
    intake = getattr(window, "intake_page", None)
    if intake is not None:
        saved: Signal = intake.saved
        saved.connect(lambda _cid: refresh_badge())
        intake.duplicate_panel.household_lines = lambda ids: _panel_lines(db, profile, ids)
        intake.duplicate_panel.person_page_requested.connect(open_person)
    count = count_for_badge(db, profile)
    set_badge(count)
    if count:  # after the window is shown: a status bar message, never a modal dialog
        QTimer.singleShot(0, lambda: status.showMessage(reminder_text(count), REMINDER_MS))


def _panel_lines(db: Database, profile: StaffProfile, ids: list[int]) -> dict[int, list[str]]:
    try:
        return households.panel_lines(db, profile, ids)
    except ServiceError:
        return {}
