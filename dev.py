#!/usr/bin/env python3
"""Set-up and run SetaCare Desktop with nothing but Python 3.11+ installed.

    python3 dev.py start   # a virtual environment, the program, demo data, then the window
    python3 dev.py test    # a virtual environment with the test tools, then the whole suite

Both create ``.venv`` next to this file on first use and reuse it afterwards. The demo data lives in
``.demo-data/`` (delete the folder to start over); your real data folder is never touched.
Extra arguments after ``test`` go to pytest (e.g. ``python3 dev.py test -k login``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
DEMO_DIR = ROOT / ".demo-data"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, env=env)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older Python
        sys.exit("SetaCare Desktop には Python 3.11 以上が必要です。")
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
        run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", f".{extras}")


def start(extra: list[str]) -> int:
    ensure_venv("")
    setacare = [PYTHON, "-m", "setacare_desktop", "--data-dir", DEMO_DIR]
    run(*setacare, "demo", "--if-empty")
    return subprocess.call([str(a) for a in [*setacare, *extra]], cwd=ROOT)


#: Programs the tests run to read PDFs back and check them, and their Debian packages.
TEST_TOOLS = {"pdftoppm": "poppler-utils", "pdftotext": "poppler-utils", "qpdf": "qpdf",
              "zbarimg": "zbar-tools"}


def ensure_tools() -> None:
    """Install the tests' PDF tools with apt-get where we may (root on Debian/Ubuntu); else say
    which are missing (the tests that read PDFs back then fail, they are not skipped)."""
    missing = sorted({pkg for tool, pkg in TEST_TOOLS.items() if shutil.which(tool) is None})
    if not missing:
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)
    else:
        print(f"テストに必要なプログラムがありません（パッケージ: {' '.join(missing)}）。"
              "インストールしてから実行してください。", file=sys.stderr)


def test(extra: list[str]) -> int:
    ensure_venv("[test]")
    ensure_tools()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.call([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT, env=env)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"start", "test"}:
        print(__doc__)
        return 2
    command, extra = sys.argv[1], sys.argv[2:]
    return start(extra) if command == "start" else test(extra)


if __name__ == "__main__":
    raise SystemExit(main())
