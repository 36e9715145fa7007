"""Child of ``bench/run.py``: a bare PySide6 window, the floor any Qt program starts from.

Creates the QApplication and an empty QWidget, shows it, waits until it is exposed, then prints
``SHOWN`` and its CPU time so far (``CPU <seconds>``) and exits. The parent measures from
spawning this process to that line.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QDeadlineTimer
from PySide6.QtWidgets import QApplication, QWidget


def main() -> int:
    app = QApplication(sys.argv)
    window = QWidget()
    window.resize(400, 300)
    window.show()
    deadline = QDeadlineTimer(10_000)
    while not (window.windowHandle() and window.windowHandle().isExposed()):
        if deadline.hasExpired():
            print("TIMEOUT", flush=True)
            return 1
        app.processEvents()
    print("SHOWN", flush=True)
    print(f"CPU {time.process_time():.4f}", flush=True)  # all threads, until shown
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
