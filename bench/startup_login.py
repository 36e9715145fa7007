"""Child of ``bench/run.py``: SetaCare Desktop's own start-up, up to its login dialog.

Runs the real program (``setacare_desktop.entry.main``, as ``setacare`` and ``python -m
setacare_desktop`` do) with ``SETACARE_STARTUP_REPORT=1`` (``ui/startup_report.py``): the window
prints ``PHASE <name> <seconds>`` lines for the parent's breakdown, ``SHOWN`` once the login
dialog is exposed and painted (``SHOWN first-admin`` on a database without staff), then, after the
database has been opened behind the dialog, ``PHASE database-after-shown …`` and ``READY``, and
quits. The parent measures from spawning this process to the ``SHOWN`` line.

    python bench/startup_login.py --data-dir DIR   # a database with staff (else: first-admin)
"""

from __future__ import annotations

import os

if __name__ == "__main__":
    os.environ["SETACARE_STARTUP_REPORT"] = "1"
    from setacare_desktop.entry import main

    raise SystemExit(main())
