"""The session: first administrator (on an empty database) → login → main window → logout …

Driven by signals so that tests can step through it without a blocking ``exec()``; started by
``ui.application.run``. It is on the path to the login dialog's first paint, so it imports no
service at its top (``tests/test_startup_imports.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from setacare_desktop.ui.database_opening import DatabaseOpening
from setacare_desktop.ui.login_dialog import LoginDialog

if TYPE_CHECKING:  # imported once the database is open (the services), or when first used
    from PySide6.QtCore import QRect

    from setacare_desktop.services import Database, StaffProfile
    from setacare_desktop.ui.first_admin_dialog import FirstAdminDialog
    from setacare_desktop.ui.main_window import MainWindow  # reportlab, QtPdf, QtCharts


class SessionController(QObject):
    """First administrator (on an empty database) → login → main window → logout → login …

    Logging out and switching user are audited (``services.auth.logout``) and return to the
    login dialog; closing the login dialog or the main window ends the program (``finished``).
    Another staff member logging in at the lock screen (``ui.idle_lock``) replaces the window with
    theirs, in the same place; the lock screen's use case has logged the first one out.
    """

    finished = Signal(int)

    def __init__(self, db: Database | None, parent: QObject | None = None) -> None:
        """``db`` None: the database is still being opened (:meth:`start_before_database`)."""
        super().__init__(parent)
        self._db = db
        self.first_admin_dialog: FirstAdminDialog | None = None
        self.login_dialog: LoginDialog | None = None
        self.main_window: MainWindow | None = None
        self.profile: StaffProfile | None = None
        #: What ``finished`` carries: 1 once the database could not be opened.
        self.exit_code = 0

    @property
    def database(self) -> Database | None:
        return self._db

    def start(self) -> None:
        """The database is open: the first administrator's dialog on an empty one, else login."""
        from setacare_desktop.services import staff

        assert self._db is not None
        if staff.needs_first_administrator(self._db):
            self._show_first_admin()
        else:
            self.show_login()

    def start_before_database(self, opening: DatabaseOpening, context: str) -> None:
        """Show the login dialog now; ``opening`` (started by the caller once the dialog is
        painted) hands it the database, or the reason it cannot be used."""
        opening.opened.connect(self._database_opened)
        opening.failed.connect(self._database_failed)
        self.show_login(context=context)

    def _database_opened(self, db: Database) -> None:
        from setacare_desktop.services import staff

        self._db = db
        login = self.login_dialog
        if login is None:
            return
        if staff.needs_first_administrator(db):  # the staff went between the look and the open
            self.login_dialog = None
            login.rejected.disconnect(self._quit)
            login.hide()
            login.deleteLater()
            self._show_first_admin()
        else:
            login.database_ready(db)

    def _database_failed(self, message: str) -> None:
        self.exit_code = 1
        if self.login_dialog is not None:
            self.login_dialog.database_failed(message)

    def _show_first_admin(self) -> None:
        from setacare_desktop.ui.first_admin_dialog import FirstAdminDialog

        assert self._db is not None
        dialog = FirstAdminDialog(self._db)
        dialog.accepted.connect(self._first_admin_created)
        dialog.rejected.connect(self._quit)
        self.first_admin_dialog = dialog
        dialog.show()

    def show_login(self, login_id: str = "", context: str | None = None) -> None:
        dialog = LoginDialog(self._db, login_id, context=context)
        dialog.accepted.connect(self._logged_in)
        dialog.rejected.connect(self._quit)
        self.login_dialog = dialog
        dialog.show()
        dialog.activateWindow()

    def _first_admin_created(self) -> None:
        dialog = self.first_admin_dialog
        assert dialog is not None and dialog.profile is not None
        self.first_admin_dialog = None
        self.show_login(dialog.profile.login)
        dialog.deleteLater()

    def _logged_in(self) -> None:
        dialog = self.login_dialog
        assert dialog is not None and dialog.profile is not None
        self.login_dialog = None
        self._open_window(dialog.profile)
        dialog.deleteLater()

    def _open_window(self, profile: StaffProfile, geometry: QRect | None = None) -> None:
        from setacare_desktop.ui.main_window import MainWindow

        assert self._db is not None
        self.profile = profile
        window = MainWindow(self._db, profile)
        window.logout_requested.connect(self.logout)
        window.switch_user_requested.connect(self.switch_user)
        window.switched_at_lock.connect(self._switched_at_lock)
        window.closed.connect(self._window_closed)
        self.main_window = window
        if geometry is not None:
            window.setGeometry(geometry)
        window.show()
        window.offer_drafts()  # unfinished intakes (e.g. after a crash), without blocking

    def _switched_at_lock(self, profile: StaffProfile) -> None:
        """Another staff member logged in at the lock screen: the first one is logged out
        (audited by that login, their input kept as their draft); the window goes on as the
        new staff member's, without anything of the first one's."""
        old = self.main_window
        geometry = old.geometry() if old is not None else None
        self.profile = None  # already logged out, in the lock screen's transaction
        self._end_session()
        self._open_window(profile, geometry)

    def logout(self) -> None:
        """End the session; the login dialog comes back with the same login ID filled in."""
        login_id = self.profile.login if self.profile else ""
        self._end_session()
        self.show_login(login_id)

    def switch_user(self) -> None:
        """End the session; the login dialog comes back empty for another staff member."""
        self._end_session()
        self.show_login()

    def _end_session(self) -> None:
        if self.profile is not None and self._db is not None:
            from setacare_desktop.services import auth

            auth.logout(self._db, self.profile)
            self.profile = None
        window = self.main_window
        self.main_window = None
        if window is not None:
            window.leave()
            window.deleteLater()

    def _window_closed(self) -> None:
        self._end_session()
        self._quit()

    def _quit(self) -> None:
        self.finished.emit(self.exit_code)
