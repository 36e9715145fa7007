"""Getting back onto the window's thread from a worker (or a ``threading.excepthook``).

A Qt object living on the window's thread receives closures by a queued signal and runs them
there. :func:`prepare` creates it; call it on the window's thread before any worker needs it
(the error boundary and the operation runner do).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QApplication


class _Bridge(QObject):
    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        # Imported here: the login dialog is painted before Qt's namespace (costly) is loaded.
        from PySide6.QtCore import Qt

        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def _run(self, function: Callable[[], None]) -> None:
        function()


_bridge: _Bridge | None = None


def on_main_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def prepare() -> None:
    """Create the bridge (on the window's thread; once)."""
    global _bridge
    if _bridge is None:
        assert on_main_thread(), "main_thread.prepare() must run on the window's thread"
        _bridge = _Bridge()


def call_soon(function: Callable[[], None]) -> None:
    """Run ``function`` on the window's thread, from the event loop (queued)."""
    if _bridge is None:
        raise RuntimeError("main_thread.prepare() was not called")
    _bridge.call.emit(function)
