"""The Japanese font: found without importing its package, and installed as the app font."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtGui import QFontDatabase, QGuiApplication
from pytestqt.qtbot import QtBot

from setacare_desktop import fonts
from setacare_desktop.ui.application import application_icon, install_japanese_font


def test_font_is_found_without_importing_its_package() -> None:
    already_imported = "matplotlib_fontja" in sys.modules
    path = fonts.japanese_font_path()
    assert path is not None
    assert path.name == "ipaexg.ttf"
    assert path.is_file()
    assert path.parent.name == "fonts"
    if not already_imported:
        assert "matplotlib_fontja" not in sys.modules
        assert "matplotlib" not in sys.modules


def test_missing_font_package_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "FONT_PACKAGE", "setacare_no_such_font_package")
    assert fonts.japanese_font_path() is None


def test_missing_font_file_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "FONT_FILE", "no-such-font.ttf")
    assert fonts.japanese_font_path() is None


@pytest.mark.gui
def test_font_becomes_the_application_font_at_the_system_size(qtbot: QtBot) -> None:
    before = QGuiApplication.font()
    family = install_japanese_font()
    assert family == fonts.FONT_FAMILY
    assert family in QFontDatabase.families()
    font = QGuiApplication.font()
    assert font.family() == family
    assert font.pointSizeF() == before.pointSizeF()
    assert install_japanese_font() == family  # registering again is harmless


@pytest.mark.gui
def test_window_icon_is_rendered_from_the_svg(qtbot: QtBot) -> None:
    icon = application_icon()
    assert not icon.isNull()
    assert icon.availableSizes()
