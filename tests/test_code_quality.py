"""Lint and the layer rule of STYLE.md, enforced in the test suite (so CI fails on a breach)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "setacare_desktop"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is not installed (pip install -e '.[test]')"
    return found


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "src", "tests", "bench", "db", "dev.py"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_hold() -> None:
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_only_the_sqlite_module_speaks_sqlite() -> None:
    """SQLite-only SQL (PRAGMA, sqlite3) lives in store/sqlite.py (and store/sqlite_*.py) alone."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "store" and (path.name == "sqlite.py" or path.name.startswith("sqlite_")):
            continue
        text = path.read_text(encoding="utf-8")
        if "PRAGMA" in text or "sqlite3" in _imports(path):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_domain_is_plain_python() -> None:
    for path in (PACKAGE / "domain").rglob("*.py"):
        roots = {name.split(".")[0] for name in _imports(path)}
        assert not roots & {"PySide6", "sqlalchemy", "alembic"}, path
