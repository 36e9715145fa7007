"""The one place that finds the Japanese font (plain Python, no Qt).

SetaCare Desktop must show and print Japanese on machines that have no Japanese system font, so it
ships IPAexGothic (``ipaexg.ttf``, IPA Font License v1.0) through the declared dependency
``matplotlib-fontja``. The window registers it with Qt (``ui/application.py``); the reports will
embed the same file in their PDFs. Everything that needs the font asks :func:`japanese_font_path`.

The package is located with :func:`importlib.util.find_spec` and never imported: importing it would
import matplotlib, which we do not need.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

FONT_PACKAGE = "matplotlib_fontja"
FONT_FILE = "ipaexg.ttf"
#: The family name the font declares (what Qt and reportlab know it by).
FONT_FAMILY = "IPAexGothic"


def japanese_font_path() -> Path | None:
    """The path of IPAexGothic (``ipaexg.ttf``), or None when the font package is missing."""
    try:
        spec = importlib.util.find_spec(FONT_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "fonts" / FONT_FILE
        if path.is_file():
            return path
    return None
