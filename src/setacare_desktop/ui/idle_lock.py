"""The idle lock of one main window: after the administrator's idle time without keyboard or
mouse input (``services.preferences``, 5 minutes unless changed), or on demand (Ctrl+L), the
window hides everything that may show a person behind the lock screen.

Locked means:

- the central widget is a stack of the work area and the lock screen, and shows the lock
  screen: the work area is hidden (not covered), so nothing of it is drawn; the menu bar (with
  its shortcuts) and the status bar (the last message may name a person) are hidden, the title
  says the screen is locked;
- every other top-level window of the program is hidden: window-modal dialogs (``open()``:
  drafts, staff, progress) and other windows are shown again after the unlock; a blocking
  (application-modal, ``exec()``) dialog cannot wait hidden — hiding ends its loop — so it is
  rejected, as if cancelled (a question unanswered, a PDF preview or file dialog closed);
  menus and tooltips are just closed. A window that appears while locked is kept off the
  screen at once (before Qt maps it), hidden, and shown after the unlock. Native dialogs of
  the operating system (e.g. Windows' file dialog) are not Qt widgets and are not reached;
- operations (``ui.operations``) started before go on running, but their outcomes and progress
  dialogs are held (:func:`_hold`) and delivered after the unlock, so no result pops up over
  the lock screen. If another staff member logs in instead, the window is replaced, and what
  was held is then dropped with it (the first staff member's results never reach the next one).

Idle is measured by an application-wide event filter (any key, mouse or touch input to any of
the program's windows); the timer fires after the interval and re-arms for what remains when
there was input meanwhile.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow, QStackedWidget, QWidget

from setacare_desktop.services import Database, ServiceError, StaffProfile, preferences, screen_lock
from setacare_desktop.ui import operations
from setacare_desktop.ui.lock_screen import LockScreen

LOCKED_TITLE = "SetaCare Desktop — 画面ロック中"

#: Input from the person at the desk; anything else (painting, timers) is not activity.
INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
    QEvent.Type.TabletPress, QEvent.Type.TabletMove, QEvent.Type.InputMethod,
})
#: A window appearing, or taking the keyboard, while the screen is locked.
_WINDOW_EVENTS = frozenset({QEvent.Type.Show, QEvent.Type.WindowActivate})


@dataclass
class _Hidden:
    """A window hidden by the lock, and how to show it again."""

    widget: QWidget
    finished: bool = False  # a dialog closed meanwhile (accept/reject) stays closed

    def dialog_finished(self, _result: int) -> None:
        self.finished = True


def _held_runs(held: list[Callable[[], None]]) -> None:
    runs, held[:] = list(held), []
    for run in runs:
        run()


#: The idle locks of the windows that exist (normally one).
_LOCKS: list[IdleLock] = []


def _hold(parent: QWidget, deliver: Callable[[], None]) -> bool:
    """``ui.operations.hold``: keep an outcome (or a progress dialog) of an operation whose
    window is locked until the unlock."""
    for lock in list(_LOCKS):
        if lock.holds(parent):
            lock.held.append(deliver)
            return True
    return False


def _window_gone(lock: IdleLock, held: list[Callable[[], None]]) -> None:
    """The window was destroyed: what it held is delivered into the void (its widgets are
    gone, so ``ui.operations`` drops the callbacks and only releases the operations)."""
    _LOCKS[:] = [other for other in _LOCKS if other is not lock]
    QTimer.singleShot(0, functools.partial(_held_runs, held))


class IdleLock(QObject):
    """Locks ``window`` after ``interval_ms`` without input (by default the administrator's
    minutes from the database), or on :meth:`lock`. ``keep_draft`` saves the intake form's
    unsaved input as the staff member's draft and says whether nothing is left unsaved."""

    #: Another staff member logged in at the lock screen (their StaffProfile).
    switched = Signal(object)

    def __init__(self, window: QMainWindow, db: Database, profile: StaffProfile, *,
                 keep_draft: Callable[[], bool], interval_ms: int | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._db = db
        self._profile = profile
        self.locked = False
        self.held: list[Callable[[], None]] = []
        self._hidden: list[_Hidden] = []
        self._menus: list[tuple[QAction, bool]] = []
        self._focus: QWidget | None = None
        self._title = ""
        self._retired = False

        self.screen = LockScreen(db, profile, keep_draft)
        self.work = window.takeCentralWidget()
        self.body = QStackedWidget(window)
        self.body.addWidget(self.work)
        self.body.addWidget(self.screen)
        window.setCentralWidget(self.body)
        self.screen.unlocked.connect(self.unlock)
        self.screen.switched.connect(self._switched)

        self.interval_ms = interval_ms if interval_ms is not None else self._stored_interval()
        self._last_input = time.monotonic()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._check_idle)
        self.timer.start(self.interval_ms)
        operations.hold = _hold
        _LOCKS.append(self)
        window.destroyed.connect(functools.partial(_window_gone, self, self.held))
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    # --- idle ------------------------------------------------------------------------------

    def _stored_interval(self) -> int:
        try:
            minutes = preferences.idle_lock_minutes(self._db)
        except ServiceError:
            minutes = preferences.IDLE_LOCK_DEFAULT
        return minutes * 60_000

    def set_interval(self, interval_ms: int) -> None:
        """A new idle time (the administrator changed it, or a test): counted from now."""
        self.interval_ms = interval_ms
        self._last_input = time.monotonic()
        if not self.locked and not self._retired:
            self.timer.start(interval_ms)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in INPUT_EVENTS:
            self._last_input = time.monotonic()
        elif (kind in _WINDOW_EVENTS and self.locked and isinstance(watched, QWidget)
              and watched.isWindow() and self._foreign(watched)):
            if kind == QEvent.Type.Show:
                self._keep_hidden(watched)
            else:  # a hidden window took the keyboard: give it back to the lock screen
                QTimer.singleShot(0, self._window.activateWindow)
        return False

    def _check_idle(self) -> None:
        if self.locked or self._retired:
            return
        if not self._window.isVisible():  # closed, or not shown yet: nothing to hide
            self.timer.start(self.interval_ms)
            return
        idle_ms = (time.monotonic() - self._last_input) * 1000
        if idle_ms + 1 < self.interval_ms:  # input meanwhile: wait for what remains
            self.timer.start(max(1, math.ceil(self.interval_ms - idle_ms)))
            return
        self.lock(idle=True)

    # --- locking ---------------------------------------------------------------------------

    def lock_now(self) -> None:
        """On demand (ファイル → 画面をロック, Ctrl+L)."""
        self.lock(idle=False)

    def lock(self, idle: bool = False) -> None:
        """Hide everything behind the lock screen (audited ``screen_lock``)."""
        if self.locked or self._retired:
            return
        self.locked = True
        self.timer.stop()
        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and self.work.isAncestorOf(focus) else None
        in_use = QApplication.activeWindow() is not None  # e.g. a dialog of ours had the keys
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and self._foreign(widget):
                self._hide(widget)
        window = self._window
        if in_use:
            window.activateWindow()  # the keyboard goes to the lock screen's password
        self._menus = [(action, action.isEnabled()) for action in self._menu_actions()]
        for action, _enabled in self._menus:
            action.setEnabled(False)
        window.menuBar().hide()
        window.statusBar().clearMessage()
        window.statusBar().hide()
        self._title = window.windowTitle()
        window.setWindowTitle(LOCKED_TITLE)
        # Hiding the work area hides the intake form, which writes its draft (on the worker).
        self.body.setCurrentWidget(self.screen)
        self.screen.reset()
        db, profile = self._db, self._profile
        operations.run_in_background(
            self.screen, lambda _p: screen_lock.lock_screen(db, profile, idle=idle),
            lambda _none: None)

    def unlock(self) -> None:
        """Back to the work exactly as it was (the password was checked by the lock screen);
        then the windows hidden meanwhile and the operations' held outcomes."""
        if not self.locked:
            return
        self.locked = False
        window = self._window
        self.body.setCurrentWidget(self.work)
        window.setWindowTitle(self._title)
        window.menuBar().show()
        window.statusBar().show()
        for action, enabled in self._menus:
            if shiboken6.isValid(action):
                action.setEnabled(enabled)
        self._menus = []
        if self._focus is not None and shiboken6.isValid(self._focus):
            self._focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self._focus = None
        hidden, self._hidden = self._hidden, []
        for entry in hidden:
            self._show_again(entry)
        _held_runs(self.held)
        self.set_interval(self._stored_interval())  # the administrator may have changed it

    def _switched(self, profile: StaffProfile) -> None:
        # This window is about to be replaced: it stays locked (holding what arrives) until
        # it is destroyed, but no longer watches input or other windows.
        self.retire()
        self.switched.emit(profile)

    def retire(self) -> None:
        """Stop watching (the window is being closed or replaced)."""
        self._retired = True
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    # --- what belongs to whom ----------------------------------------------------------------

    def holds(self, parent: QWidget) -> bool:
        """Whether an operation's outcome for ``parent`` must wait: the window is locked and
        ``parent`` is in it, but not on the lock screen (whose password check must answer)."""
        if not self.locked or not shiboken6.isValid(self._window):
            return False
        widget: QWidget | None = parent if shiboken6.isValid(parent) else None
        while widget is not None:
            if widget is self.screen:
                return False
            if widget is self._window:
                return True
            widget = widget.parentWidget()
        return False

    def _foreign(self, widget: QWidget) -> bool:
        """A top-level window other than this one and the lock screen's own (e.g. the
        progress dialog of its password check)."""
        if widget is self._window:
            return False
        parent: QWidget | None = widget
        while parent is not None:
            if parent is self.screen:
                return False
            parent = parent.parentWidget()
        return True

    def _menu_actions(self) -> list[QAction]:
        actions: list[QAction] = []
        for top in self._window.menuBar().actions():
            actions.append(top)
            menu = top.menu()
            if menu is not None:
                actions.extend(a for a in menu.actions() if not a.isSeparator())
        return actions

    def _remember(self, widget: QWidget) -> None:
        if any(e.widget is widget for e in self._hidden):
            return
        entry = _Hidden(widget)
        if isinstance(widget, QDialog):
            widget.finished.connect(entry.dialog_finished)
        self._hidden.append(entry)

    def _hide(self, widget: QWidget) -> None:
        if (isinstance(widget, QDialog)
                and widget.windowModality() == Qt.WindowModality.ApplicationModal):
            # A blocking question (its own exec() loop): nobody is there to answer it, and
            # it cannot wait hidden (hiding ends the loop), so it ends as if cancelled.
            widget.reject()
            return
        if widget.windowType() in (Qt.WindowType.Popup, Qt.WindowType.ToolTip):
            widget.hide()  # a menu or a tooltip of the moment: not brought back
            return
        self._remember(widget)
        widget.hide()

    def _keep_hidden(self, widget: QWidget) -> None:
        """A window appeared while locked. The Show event comes before the window is put on
        the screen: it is kept off the screen now, and hidden on the next turn of the event
        loop (hiding it inside its own show would confuse Qt), to be shown after the unlock."""
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        QTimer.singleShot(0, functools.partial(self._hide_later, widget))

    def _hide_later(self, widget: QWidget) -> None:
        if not shiboken6.isValid(widget):
            return
        if self.locked and widget.isVisible():
            self._hide(widget)
            widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, False)
            return
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, False)
        if widget.isVisible():  # unlocked meanwhile: put it on the screen after all
            widget.hide()
            widget.show()

    @staticmethod
    def _show_again(entry: _Hidden) -> None:
        widget = entry.widget
        if shiboken6.isValid(widget) and not entry.finished:
            widget.show()
