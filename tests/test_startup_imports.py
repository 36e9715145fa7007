"""The login window's path imports nothing it does not need (a real fresh interpreter each)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

#: What the login window does not need: printing, spreadsheets, the PDF preview, charts, the
#: package encryption, migrations. Each is imported where it is first used.
HEAVY = ("reportlab", "openpyxl", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtCharts",
         "cryptography", "alembic")

#: The login path: the entry point, the composition root, the window's start and its dialogs.
LOGIN_PATH = (
    "setacare_desktop.entry",
    "setacare_desktop.app",
    "setacare_desktop.ui.application",
    "setacare_desktop.ui.login_dialog",
    "setacare_desktop.ui.first_admin_dialog",
    "setacare_desktop.services.auth",
    "setacare_desktop.services.system",
)


def imported_after(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120, check=True)
    return set(result.stdout.split())


@pytest.mark.parametrize("module", LOGIN_PATH)
def test_the_login_path_imports_no_heavy_module(module: str) -> None:
    loaded = imported_after(module)
    assert module in loaded  # the check itself ran
    heavy = sorted(name for name in loaded
                   if any(name == h or name.startswith(h + ".") for h in HEAVY))
    assert heavy == []


def test_the_check_sees_a_heavy_module_when_one_is_imported() -> None:
    assert "reportlab" in imported_after("setacare_desktop.reports.common")
