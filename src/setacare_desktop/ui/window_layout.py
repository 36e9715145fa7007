"""Windows that fit the office PC's screen, and the main window's remembered layout.

The ward's PCs have 1366×768 screens with a taskbar: a window or dialog is sized to what the
screen offers (:func:`available_area`, replaceable in tests) and never beyond it. The main window
opens maximised the first time, then as it was left: its geometry and the state of every splitter
in its pages are kept in ``QSettings`` (the user's settings of SetaCare Desktop; tests point
``QSettings`` at a temporary folder).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

if TYPE_CHECKING:
    from setacare_desktop.ui.sheets.preview import PdfPreview

#: The smallest screen the program is made for: 1366×768 less a 40-pixel taskbar.
#: The preview's pixels per inch at 100% (``ui.sheets.preview.SCREEN_DPI``).
SCREEN_DPI = 96
OFFICE_AREA = QRect(0, 0, 1366, 728)
#: Room left for a window's title bar and frame, which the window system adds outside it.
FRAME_ALLOWANCE = QSize(16, 40)

#: Pixels left beside a page fitted to the width.
FIT_MARGIN = 8

GEOMETRY_KEY = "main_window/geometry"
SPLITTER_KEY = "main_window/splitters/{area}/{number}"


def available_area(widget: QWidget | None = None) -> QRect:
    """The part of the screen a window may cover (without the taskbar)."""
    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(OFFICE_AREA)


def fitted_size(preferred: QSize, widget: QWidget | None = None) -> QSize:
    """``preferred`` made small enough for the screen, frame included."""
    area = available_area(widget)
    return QSize(min(preferred.width(), area.width() - FRAME_ALLOWANCE.width()),
                 min(preferred.height(), area.height() - FRAME_ALLOWANCE.height()))


def fit_to_screen(widget: QWidget, preferred: QSize) -> None:
    """Resize ``widget`` to ``preferred`` or to what the screen offers, whichever is smaller."""
    widget.resize(fitted_size(preferred, widget))


def fit_to_width(preview: PdfPreview) -> None:
    """Zoom ``preview`` so that its page fills the width it has (no sideways scrolling)."""
    if not preview.page_count():
        return
    points = preview.document.pagePointSize(preview.current_page()).width()
    if points <= 0:
        return
    room = (preview.scroll.viewport().width()
            - preview.scroll.verticalScrollBar().sizeHint().width() - FIT_MARGIN)
    preview.set_zoom(room / (points * SCREEN_DPI / 72))



class WindowLayout:
    """Restores and saves ``window``'s geometry and the splitters of ``pages`` (by area)."""

    def __init__(self, window: QMainWindow, pages: Mapping[str, QWidget]) -> None:
        self._window = window
        self._pages = pages

    def _splitters(self) -> list[tuple[str, QSplitter]]:
        return [(SPLITTER_KEY.format(area=area, number=number), splitter)
                for area, page in self._pages.items()
                for number, splitter in enumerate(page.findChildren(QSplitter))]

    def restore(self) -> None:
        """As the window was left; maximised the first time (or when the screen changed so
        much that the saved place is unusable)."""
        settings = QSettings()
        window = self._window
        window.resize(fitted_size(QSize(1280, 720), window))  # for when it is un-maximised
        geometry = settings.value(GEOMETRY_KEY)
        if not (isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)):
            window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
        for key, splitter in self._splitters():
            state = settings.value(key)
            if isinstance(state, QByteArray):
                splitter.restoreState(state)

    def save(self) -> None:
        settings = QSettings()
        settings.setValue(GEOMETRY_KEY, self._window.saveGeometry())
        for key, splitter in self._splitters():
            settings.setValue(key, splitter.saveState())
        settings.sync()
