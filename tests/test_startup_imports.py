"""The login window's path imports nothing it does not need (a real fresh interpreter each).

Until the login dialog is painted the window loads neither SQLAlchemy nor the services: the
database is opened behind the dialog, while the password is typed (``ui.application``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import make_staff

from setacare_desktop.services import Database

#: What the login window does not need: printing, spreadsheets, the PDF preview, charts, the
#: package encryption, migrations. Each is imported where it is first used.
HEAVY = ("reportlab", "openpyxl", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtCharts",
         "cryptography", "alembic")
#: What is imported behind the painted login dialog (on the database opener's thread).
BEHIND_THE_DIALOG = ("sqlalchemy", "setacare_desktop.services", "setacare_desktop.store.database",
                     "argon2")

#: Before the first paint: the entry point, the composition root, the window's start, the session,
#: the login dialog, the database opener and the read-only look at the SQLite file.
BEFORE_PAINT = (
    "setacare_desktop.entry",
    "setacare_desktop.app",
    "setacare_desktop.ui.application",
    "setacare_desktop.ui.session",
    "setacare_desktop.ui.login_dialog",
    "setacare_desktop.ui.database_opening",
    "setacare_desktop.ui.startup_report",
    "setacare_desktop.store.sqlite_probe",
)
#: After it (the services, the first administrator's dialog): still nothing heavy.
AFTER_PAINT = (
    "setacare_desktop.ui.first_admin_dialog",
    "setacare_desktop.services.auth",
    "setacare_desktop.services.system",
)


def child_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def imported_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=child_env(), timeout=120, check=True)
    return set(result.stdout.split())


def among(loaded: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(name for name in loaded
                  if any(name == p or name.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("module", BEFORE_PAINT + AFTER_PAINT)
def test_the_login_path_imports_no_heavy_module(module: str) -> None:
    loaded = imported_after(module)
    assert module in loaded  # the check itself ran
    assert among(loaded, HEAVY) == []


@pytest.mark.parametrize("module", BEFORE_PAINT)
def test_nothing_before_the_first_paint_imports_the_services(module: str) -> None:
    loaded = imported_after(module)
    assert module in loaded
    assert among(loaded, BEHIND_THE_DIALOG) == []


def test_the_check_sees_a_heavy_module_when_one_is_imported() -> None:
    assert "reportlab" in imported_after("setacare_desktop.reports.common")
    assert among(imported_after("setacare_desktop.services.auth"), BEHIND_THE_DIALOG)


#: Runs the real program (``entry.main``) and, when its first dialog has been painted, prints
#: which dialog it is and every module loaded by then (and ``Qt-namespace`` if PySide6 has
#: loaded ``QtCore.Qt``, about 30 ms: the window icon and the worker bridge wait for the paint),
#: and quits.
AT_FIRST_PAINT = """
import sys
from PySide6.QtWidgets import QApplication
from setacare_desktop.ui import application

def painted(controller, opening, login_first):
    shown = "LOGIN" if controller.login_dialog is not None else "FIRST-ADMIN"
    from PySide6 import QtCore
    namespace = ["Qt-namespace"] if "Qt" in vars(QtCore) else []
    print(shown, *sys.modules, *namespace, sep="\\n", flush=True)
    QApplication.instance().exit(0)

application._painted = painted
from setacare_desktop.entry import main
sys.argv[0] = "setacare"
raise SystemExit(main())
"""


def first_paint(*argv: str) -> tuple[str, set[str]]:
    result = subprocess.run([sys.executable, "-c", AT_FIRST_PAINT, *argv], capture_output=True,
                            text=True, env=child_env(), timeout=120)
    assert result.returncode == 0, result.stderr
    shown, *modules = result.stdout.split()
    return shown, set(modules)


def test_the_real_program_paints_its_login_before_loading_the_services(
        db: Database, db_path: Path, tmp_path: Path) -> None:
    make_staff(db, "ikejiri1")
    db.close()
    shown, loaded = first_paint("--data-dir", str(tmp_path / "data"), "--database", str(db_path))
    assert shown == "LOGIN"
    assert among(loaded, BEHIND_THE_DIALOG + HEAVY) == []
    assert "Qt-namespace" not in loaded


def test_the_first_start_opens_the_database_before_its_dialog(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shown, loaded = first_paint("--data-dir", str(data))
    assert shown == "FIRST-ADMIN"
    assert "setacare_desktop.services" in loaded  # it needs the database's areas
    assert "Qt-namespace" in loaded  # (the check can see it)
    assert (data / "setacare.db").exists()
