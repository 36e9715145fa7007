"""Opening the database behind the login dialog, and knowing when a window is on screen.

:class:`DatabaseOpening` runs the slow part of start-up — importing the services (SQLAlchemy,
the models) and opening, migrating and checking the database — on a thread of its own, started
once the login dialog has been painted, and hands the outcome back on the window's thread:
``opened`` with the Database, or ``failed`` with the Japanese reason. :func:`when_exposed` calls
back once a window is on screen and painted.

Nothing here imports the services: this module is on the path to the first paint
(``tests/test_startup_imports.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from setacare_desktop import logs
from setacare_desktop.ui import main_thread

if TYPE_CHECKING:  # the services are imported on the opener's thread, behind the dialog
    from setacare_desktop.services import Database

#: Said when opening failed in a way the opener did not foresee (a bug, logged).
UNEXPECTED = "データベースを開けませんでした。SetaCare Desktop を終了し、もう一度起動してください。"


class DatabaseOpening(QObject):
    """``open_database()`` (a Database, or the Japanese reason it cannot be opened) run once on
    its own thread; the outcome arrives on the window's thread as ``opened`` or ``failed``."""

    opened = Signal(object)  # the Database
    failed = Signal(str)  # why not, in Japanese

    def __init__(self, open_database: Callable[[], Database | str],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open = open_database
        self._thread: threading.Thread | None = None
        self._outcome: Database | str | None = None

    @property
    def database(self) -> Database | None:
        """The Database once opened — also when the program quit before it was handed over
        (the caller closes it after :meth:`wait`)."""
        return None if isinstance(self._outcome, str) else self._outcome

    def start(self) -> None:
        """Start opening (once; later calls do nothing). Needs ``main_thread.prepare()``."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._work, name="setacare-open-database")
        self._thread.start()

    def wait(self) -> None:
        """Block until the thread has finished (at exit: a migration is never cut short)."""
        if self._thread is not None:
            self._thread.join()

    def _work(self) -> None:
        try:
            outcome: Database | str = self._open()
        except BaseException as error:  # the opener explains every foreseen failure itself
            logs.log_unexpected("opening the database", error)
            outcome = UNEXPECTED
        self._outcome = outcome
        main_thread.call_soon(lambda: self._deliver(outcome))

    def _deliver(self, outcome: Database | str) -> None:
        if isinstance(outcome, str):
            self.failed.emit(outcome)
        else:
            self.opened.emit(outcome)


#: How often :func:`when_exposed` looks, and for how long at most.
EXPOSE_POLL_MS = 2
EXPOSE_GIVE_UP_MS = 3_000


def when_exposed(widget: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` (once, from the event loop) when the shown ``widget`` is on screen and
    painted — or after :data:`EXPOSE_GIVE_UP_MS` if the window system never says so.

    The window is polled (a QEvent filter would load Qt's event and namespace types, which cost
    more start-up time than the window itself): Qt paints a window while it handles its expose
    event, so once ``isExposed()`` is true the first paint is done.
    """
    timer = QTimer(widget)
    timer.setInterval(EXPOSE_POLL_MS)
    waited = QElapsedTimer()
    waited.start()

    def look() -> None:
        window = widget.windowHandle()
        if (window is None or not window.isExposed()) and waited.elapsed() < EXPOSE_GIVE_UP_MS:
            return
        timer.stop()
        timer.deleteLater()
        callback()

    timer.timeout.connect(look)
    timer.start()
