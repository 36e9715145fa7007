"""Child of ``bench/run.py``: start SetaCare Desktop's window up to the login dialog.

``ui.application`` has no "exit once the login dialog is shown" switch, so this script takes the
same steps as ``app.main`` → ``ui.application.run`` (parse the command line, resolve the settings,
create the application, register the Japanese font, open and check the database, start the
session controller) and prints ``SHOWN`` once the login dialog is exposed. Before that it prints
``PHASE <name> <seconds>`` lines (time spent in each step) for the parent's breakdown. The parent
measures from spawning this process to the ``SHOWN`` line.

    python bench/startup_login.py --data-dir DIR   # a database with staff (else: first-admin)
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import sys  # noqa: E402

from PySide6.QtCore import QDeadlineTimer  # noqa: E402

from setacare_desktop import app as app_module  # noqa: E402
from setacare_desktop.settings import Settings  # noqa: E402
from setacare_desktop.ui import application as ui_application  # noqa: E402

_last = STARTED


def phase(name: str) -> None:
    global _last
    now = time.perf_counter()
    print(f"PHASE {name} {now - _last:.4f}", flush=True)
    _last = now


def main() -> int:
    phase("imports")
    args = app_module.window_arguments(sys.argv[1:])  # as app.main reads a window's arguments
    assert args is not None, "only --data-dir / --database"
    settings = Settings.resolve(data_dir=args.data_dir, database=args.database)
    app = ui_application.application()
    phase("qapplication")
    ui_application.install_japanese_font()
    phase("font")
    db = ui_application.open_database_for_window(settings)
    if db is None:
        return 1
    phase("database")
    try:
        controller = ui_application.SessionController(db)
        controller.start()
        dialog = controller.login_dialog or controller.first_admin_dialog
        assert dialog is not None
        deadline = QDeadlineTimer(10_000)
        while not (dialog.windowHandle() and dialog.windowHandle().isExposed()):
            if deadline.hasExpired():
                print("TIMEOUT", flush=True)
                return 1
            app.processEvents()
        phase("dialog")
        print("SHOWN" if controller.login_dialog is not None else "SHOWN first-admin", flush=True)
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
