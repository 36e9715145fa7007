"""A non-editable install finds its migrations and resources through importlib.resources.

Builds the wheel, unpacks it into a folder of its own and runs a migration from there with the
source tree out of the way, as an installed copy on a user's PC would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "-w", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    [built] = out.glob("setacare_desktop-*.whl")
    return built


def test_wheel_ships_migrations_and_resources(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "setacare_desktop/migrations/env.py" in names
    assert "setacare_desktop/migrations/versions/0001_foundation.py" in names
    assert "setacare_desktop/resources/icon.svg" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "setacare = setacare_desktop.entry:main" in zipfile.ZipFile(wheel).read(
        entry_points).decode()


def test_wheel_ships_every_package_of_the_source_tree(wheel: Path) -> None:
    """pyproject.toml lists packages by hand (db/ and resources/ are mapped in): none forgotten."""
    names = set(zipfile.ZipFile(wheel).namelist())
    source = ROOT / "src"
    missing = [str(init.relative_to(source)) for init in source.rglob("__init__.py")
               if str(init.relative_to(source)) not in names]
    assert missing == []


def test_installed_copy_migrates_a_database(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import setacare_desktop, sys;"
        f"assert setacare_desktop.__file__.startswith({str(site)!r}), setacare_desktop.__file__;"
        "from setacare_desktop.store import Database;"
        f"db = Database.open('sqlite:///{tmp_path / 'installed.db'}');"
        "print(db.current_revision() == db.head_revision(), db.current_revision())"
    )
    # The unpacked wheel first on the path; the editable install's finder must not win.
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "True"


def test_the_bundle_collects_the_barcode_modules_the_forms_import() -> None:
    """The 連携シート's 返信票 draws a QR code (``reportlab.graphics.barcode.qr``), and reportlab
    imports its barcode modules by name at run time: the bundle once died on one missing. The
    spec collects the whole ``reportlab.graphics.barcode`` package as hidden imports."""
    from PyInstaller.utils.hooks import collect_submodules

    spec = (Path(__file__).parent.parent / "installers" / "setacare.spec").read_text("utf-8")
    assert 'collect_submodules("reportlab.graphics.barcode")' in spec
    collected = set(collect_submodules("reportlab.graphics.barcode"))
    assert {"reportlab.graphics.barcode.qr", "reportlab.graphics.barcode.qrencoder",
            "reportlab.graphics.barcode.code128"} <= collected
