"""Slow work off the window's thread: one runner for every screen action that may take long.

Modelled on Anki's ``CollectionOp``/``QueryOp`` (``qt/aqt/operations``) and its task manager
(``qt/aqt/taskman.py``)::

    Operation(self, lambda progress: stats.compute(db, actor, period), guard=[button])
        .success(self.show_report)
        .failure(lambda error: self._show_message(error.message))
        .run()

- The work runs on ONE worker thread (an executor with ``max_workers=1``): database work stays
  serialised, in the order it was asked for. It must not touch widgets.
- Its result, or its error, comes back to the window's thread by a queued Qt signal, and the
  callbacks run there.
- A :class:`~setacare_desktop.services.ServiceError` goes to ``failure`` (by default a Japanese
  message box with its ``.message``); ``Cancelled`` to ``cancelled``; anything else is a bug and
  goes to the error boundary (``ui.error_boundary``: logged, a dialog, the window stays).
- The ``guard`` widgets are disabled while the work runs, and an operation whose guard is busy
  does not start a second time (a double click starts one).
- ``label=…`` shows a progress dialog, only if the work takes longer than
  :data:`PROGRESS_DELAY_MS`; busy until the work calls :meth:`Progress.update`, determinate
  after. ``cancellable=True`` gives it 「中止」, which the work sees in :attr:`Progress.cancelled`
  (work that can stop polls it between steps; a started step always finishes).

Tests set :data:`synchronous` (``tests/ui/conftest.py``, as Picard's fake thread pool does): the
work then runs at once on the calling thread and the callbacks before ``run()`` returns; an
unexpected exception is then raised from ``run()`` (so that the test fails) instead of reported.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from setacare_desktop.services import ServiceError
from setacare_desktop.ui import error_boundary, main_thread

T = TypeVar("T")

#: Run the work on the calling thread, at once (tests only).
synchronous = False
#: A progress dialog appears only for work that takes longer than this.
PROGRESS_DELAY_MS = 300

DEFAULT_TITLE = "SetaCare Desktop"

#: Set by ``ui.idle_lock``: (the operation's parent, a function that shows its progress dialog or
#: delivers its outcome) → True when the function is kept to run after the screen is unlocked.
hold: Callable[[QWidget, Callable[[], None]], bool] | None = None


class Cancelled(Exception):
    """Raised by :meth:`Progress.check` when the user asked to stop."""


class Progress:
    """Handed to the work function: report how far it is, and see whether to stop."""

    def __init__(self, report: Callable[[int, int], None]) -> None:
        self._report = report
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if the user asked to stop."""
        if self._cancel.is_set():
            raise Cancelled

    def update(self, done: int, total: int) -> None:
        """``done`` of ``total`` steps finished (the progress bar becomes determinate)."""
        self._report(done, total)


_executor: concurrent.futures.ThreadPoolExecutor | None = None
_busy: set[int] = set()  # id() of the guard widgets of running operations
_live: set[Operation[object]] = set()  # keeps running operations referenced


def _worker() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="setacare-work")
    return _executor


def idle() -> bool:
    """Whether no operation is running (tests and the stall probe wait for it)."""
    return not _live


class Operation(Generic[T]):
    """One piece of work for the worker thread, and what to do with its outcome."""

    def __init__(self, parent: QWidget, work: Callable[[Progress], T], *,
                 guard: Iterable[QWidget] = (), label: str = "", title: str = DEFAULT_TITLE,
                 cancellable: bool = False) -> None:
        self._parent = parent
        self._work = work
        self._guard = list(guard)
        self._label = label
        self._title = title
        self._cancellable = cancellable
        self._on_success: list[Callable[[T], None]] = []
        self._on_failure: Callable[[ServiceError], None] | None = None
        self._on_progress: list[Callable[[int, int], None]] = []
        self._on_cancelled: list[Callable[[], None]] = []
        self._on_finished: list[Callable[[], None]] = []
        self._progress = Progress(self._report)
        self._was_enabled: list[bool] = []
        self._dialog: QProgressDialog | None = None
        self._timer: QTimer | None = None
        self._steps: tuple[int, int] | None = None
        self._outcome: tuple[T | None, BaseException | None] | None = None
        self._executed = threading.Event()
        self._delivered = False
        self.running = False

    # --- set-up ---------------------------------------------------------------------------

    def success(self, callback: Callable[[T], None]) -> Operation[T]:
        self._on_success.append(callback)
        return self

    def failure(self, callback: Callable[[ServiceError], None]) -> Operation[T]:
        """Instead of the default message box, for a refusal of the service."""
        self._on_failure = callback
        return self

    def progress(self, callback: Callable[[int, int], None]) -> Operation[T]:
        """Called on the window's thread with (done, total) as the work reports it."""
        self._on_progress.append(callback)
        return self

    def cancelled(self, callback: Callable[[], None]) -> Operation[T]:
        """The work stopped by raising :class:`Cancelled`."""
        self._on_cancelled.append(callback)
        return self

    def finished(self, callback: Callable[[], None]) -> Operation[T]:
        """Always, last, whatever the outcome."""
        self._on_finished.append(callback)
        return self

    def cancel(self) -> None:
        """Ask the work to stop (it sees :attr:`Progress.cancelled`)."""
        self._progress.cancel()

    # --- running --------------------------------------------------------------------------

    def run(self) -> bool:
        """Start; False (and nothing started) while an operation guarding the same widget
        runs."""
        if any(id(widget) in _busy for widget in self._guard):
            return False
        main_thread.prepare()
        self.running = True
        _live.add(self)  # type: ignore[arg-type]
        for widget in self._guard:
            _busy.add(id(widget))
            self._was_enabled.append(widget.isEnabled())
            widget.setEnabled(False)
        if synchronous:
            self._execute()
            return True
        if self._label:
            self._timer = QTimer()
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self._show_dialog)
            self._timer.start(PROGRESS_DELAY_MS)
        _worker().submit(self._execute)
        return True

    def _execute(self) -> None:
        """On the worker (or at once when synchronous): the work, then its outcome back."""
        result: T | None = None
        error: BaseException | None = None
        try:
            result = self._work(self._progress)
        except BaseException as raised:  # every outcome goes back to the window's thread
            error = raised
        self._outcome = (result, error)
        self._executed.set()
        if synchronous:
            self._deliver_once()
        else:
            main_thread.call_soon(self._deliver_unless_held)

    def _deliver_unless_held(self) -> None:
        if hold is None or not hold(self._parent, self._deliver_once):
            self._deliver_once()

    def _deliver_once(self) -> None:
        if self._delivered or self._outcome is None:
            return
        self._delivered = True
        self._deliver(*self._outcome)

    def wait(self, timeout_s: float = 30.0) -> bool:
        """On the window's thread: block until the work is done and its callbacks have run
        (for a short write that must land before the next step, e.g. a draft before the form
        is reset); False on timeout."""
        if not self._executed.wait(timeout_s):
            return False
        self._deliver_once()
        return True

    def _report(self, done: int, total: int) -> None:
        if synchronous:
            self._show_progress(done, total)
        else:
            main_thread.call_soon(lambda: self._show_progress(done, total))

    def _show_progress(self, done: int, total: int) -> None:
        if not self.running:
            return
        self._steps = (done, total)
        if self._dialog is not None:
            self._dialog.setRange(0, total)
            self._dialog.setValue(done)
        if shiboken6.isValid(self._parent):
            for callback in self._on_progress:
                callback(done, total)

    def _show_dialog(self) -> None:
        if not self.running or not shiboken6.isValid(self._parent):
            return
        if hold is not None and hold(self._parent, self._show_dialog):
            return
        dialog = QProgressDialog(self._label, "中止" if self._cancellable else "", 0, 0,
                                 self._parent)
        dialog.setWindowTitle(self._title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not self._cancellable:
            dialog.setCancelButton(None)  # type: ignore[arg-type]
        else:
            dialog.canceled.connect(self.cancel)
        if self._steps is not None:
            dialog.setRange(0, self._steps[1])
            dialog.setValue(self._steps[0])
        self._dialog = dialog
        dialog.show()

    def _release(self) -> None:
        self.running = False
        _live.discard(self)  # type: ignore[arg-type]
        if self._timer is not None:
            self._timer.stop()
            self._timer.deleteLater()
            self._timer = None
        if self._dialog is not None:
            if shiboken6.isValid(self._dialog):
                if self._cancellable:
                    self._dialog.canceled.disconnect(self.cancel)
                self._dialog.close()
                self._dialog.deleteLater()
            self._dialog = None
        for widget, enabled in zip(self._guard, self._was_enabled, strict=True):
            _busy.discard(id(widget))
            if shiboken6.isValid(widget):
                widget.setEnabled(enabled)

    def _deliver(self, result: T | None, error: BaseException | None) -> None:
        """On the window's thread: release the guards, then the callbacks."""
        self._release()
        if not shiboken6.isValid(self._parent):
            # The widget went away meanwhile (e.g. logout): nobody to tell, but a bug is a bug.
            if error is not None and not isinstance(error, ServiceError | Cancelled):
                error_boundary.report_unexpected(self._where(), error)
            return
        try:
            if error is None:
                for success in self._on_success:
                    success(result)  # type: ignore[arg-type]
            elif isinstance(error, Cancelled):
                for cancelled in self._on_cancelled:
                    cancelled()
            elif isinstance(error, ServiceError):
                if self._on_failure is not None:
                    self._on_failure(error)
                else:
                    QMessageBox.warning(self._parent, self._title, error.message)
            elif isinstance(error, Exception) and not synchronous:
                error_boundary.report_unexpected(self._where(), error)
            else:
                # KeyboardInterrupt, SystemExit: not ours to swallow; and in tests a bug fails
                # the test (raised into the slot that started the work) instead of a dialog.
                raise error
        finally:
            for finished in self._on_finished:
                finished()

    def _where(self) -> str:
        work = self._work
        name = getattr(work, "__qualname__", type(work).__qualname__)
        return f"operation {getattr(work, '__module__', '?')}.{name}"


def run_in_background(parent: QWidget, work: Callable[[Progress], T],
                      on_success: Callable[[T], None], *,
                      guard: Iterable[QWidget] = ()) -> Operation[T]:
    """A quiet read for a timer slot (no dialog; a refusal is ignored by default)."""
    op = Operation(parent, work, guard=guard).success(on_success).failure(lambda _error: None)
    op.run()
    return op


def wait_until_idle(timeout_s: float = 30.0) -> bool:
    """Process events until no operation runs (bench and shutdown); False on timeout."""
    import time

    deadline = time.monotonic() + timeout_s
    while _live and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.001)
    return not _live


def shut_down() -> None:
    """At the end of the program: let the work in hand finish, drop what is queued."""
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=True, cancel_futures=True)
        _executor = None
