"""Starting the window: the QApplication, the Japanese font, the login, the database, the session.

``run(settings)`` is called by ``app.main`` when no command is given. The flow of a session
(first administrator → login → main window → logout → login …) lives in
:class:`~setacare_desktop.ui.session.SessionController`, driven by signals so that tests can step
through it without a blocking ``exec()``.

Login first: when the embedded SQLite file already has staff (``app`` asks
``store.sqlite_probe``, a read-only look with the standard library), the login dialog is shown before the services and
SQLAlchemy are even imported; once it is painted, ``DatabaseOpening`` imports them and opens,
migrates and checks the database on a thread of its own while the password is typed. A login
submitted before that waits for it; a database that cannot be opened is explained in the dialog.
Otherwise — the first start (no file, no staff), PostgreSQL, a file that cannot be read cheaply —
the database is opened first, as before, and then the first administrator's or the login dialog
follows. This module imports no service at its top (``tests/test_startup_imports.py``).
"""

from __future__ import annotations

import importlib.resources
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import PySide6
from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from setacare_desktop import __version__, logs
from setacare_desktop.fonts import japanese_font_path
from setacare_desktop.settings import Settings
from setacare_desktop.ui import error_boundary, main_thread, startup_report
from setacare_desktop.ui.database_opening import DatabaseOpening, when_exposed
from setacare_desktop.ui.session import SessionController

__all__ = ["SessionController", "run"]  # SessionController: its home was here

if TYPE_CHECKING:  # imported once the database is open (the services), or when first used
    from PySide6.QtGui import QIcon

    from setacare_desktop.services import Database

APPLICATION_NAME = "SetaCare Desktop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)

FONT_MISSING = (
    "日本語フォント（IPAexゴシック）が見つかりませんでした。\n"
    "このまま起動しますが、日本語が正しく表示されない場合があります。\n\n"
    "SetaCare Desktop を再インストールするか、システム管理者に連絡してください"
    "（必要なパッケージ: matplotlib-fontja）。"
)


# --- application set-up -------------------------------------------------------------------------


def application(*, before_first_paint: bool = False) -> QApplication:
    """The QApplication (the existing one, e.g. in tests, or a new one).

    ``before_first_paint``: only what the login dialog needs to be painted; the caller calls
    :func:`after_first_paint` once it is.
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName(APPLICATION_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Setagaya")
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    install_qt_translations(app)
    if not before_first_paint:
        after_first_paint(app)
    return app


def after_first_paint(app: QApplication) -> None:
    """The set-up the first dialog is painted without: the bridge that workers hand their
    results back through, and the window icon (QtSvg and Qt's namespace cost start-up time)."""
    main_thread.prepare()
    icon = application_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)


#: Qt's own Japanese strings, installed once (kept alive here: a translator must outlive its use).
_QT_TRANSLATORS: list[QTranslator] = []


def install_qt_translations(app: QApplication) -> bool:
    """Load Qt's Japanese catalogue (qtbase_ja: キャンセル, はい, いいえ on standard buttons, the
    print and file dialogs). False when it is missing (Qt's English shows then)."""
    if _QT_TRANSLATORS:
        return True
    translator = QTranslator(app)
    japanese = QLocale(QLocale.Language.Japanese, QLocale.Country.Japan)
    # Qt's own folder; in a bundle (installers/setacare.spec keeps qtbase_ja.qm) also PySide6's.
    folders = (QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
               str(Path(PySide6.__file__).parent / "Qt" / "translations"))
    if not any(translator.load(japanese, "qtbase", "_", folder) for folder in folders):
        return False
    app.installTranslator(translator)
    _QT_TRANSLATORS.append(translator)
    return True


def application_icon() -> QIcon:
    """The window icon, rendered from ``resources/icon.svg`` at the usual sizes.

    The SVG is read as bytes (works from a wheel, a zip or a PyInstaller bundle alike).
    """
    from PySide6.QtCore import QByteArray, QRectF, Qt
    from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    data = importlib.resources.files("setacare_desktop.resources").joinpath("icon.svg")
    renderer = QSvgRenderer(QByteArray(data.read_bytes()))
    icon = QIcon()
    if not renderer.isValid():
        return icon
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon


def install_japanese_font() -> str | None:
    """Register IPAexGothic and make it the application font, keeping the system point size.

    Returns the family name, or None when the font is missing (the caller tells the user).
    """
    path = japanese_font_path()
    if path is None:
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    font = QGuiApplication.font()  # the system font: its size follows the user's settings
    font.setFamilies([families[0]])
    QGuiApplication.setFont(font)
    return families[0]


def database_or_reason(settings: Settings) -> Database | str:
    """Open (and migrate) the database, or say in Japanese why it cannot be opened.

    Safe on any thread (``DatabaseOpening`` runs it on its own); the services are imported here.
    """
    from setacare_desktop.services import SchemaTooNewError, ServiceError, system

    try:
        return system.open_database(settings)
    except SchemaTooNewError as error:
        return str(error)
    except ServiceError as error:
        return error.message
    except Exception as error:
        # services.system converts connection, folder and file problems into ServiceError;
        # anything else is a bug: logged (type and stack only), explained without a traceback.
        logs.log_unexpected("opening the database", error)
        where = logs.log_path()
        return ("データベースを開けませんでした。設定（--database または "
                "SETACARE_DATABASE_URL）、データベースのファイルとネットワークを確認してください。"
                + (f"\n\n記録（ログ）: {where}" if where is not None else ""))


def open_database_for_window(settings: Settings, parent: QWidget | None = None
                             ) -> Database | None:
    """Open (and migrate) the database; on failure explain in a dialog and return None."""
    outcome = database_or_reason(settings)
    if not isinstance(outcome, str):
        return outcome
    QMessageBox.critical(parent, "SetaCare Desktop — データベースを開けません", outcome)
    return None


def start_application(*, before_first_paint: bool = False) -> QApplication:
    """The QApplication with the Japanese font installed (or the user told it is missing)."""
    app = application(before_first_paint=before_first_paint)
    startup_report.phase("qapplication")
    if install_japanese_font() is None:
        QMessageBox.warning(None, "SetaCare Desktop — 日本語フォント", FONT_MISSING)
    startup_report.phase("font")
    return app


def run(settings: Settings, *, login_first: bool = False) -> int:
    """Run the window until the user quits; 1 when the database cannot be opened.

    ``login_first``: the database is known to have staff, so the login dialog is shown before
    the database is opened (and the services imported); else the database is opened first.

    The log and the error boundary come first, before any window: from then on an unexpected
    error is logged and explained in a dialog, and the window stays.
    """
    logs.configure(settings.data_dir)
    uninstall = error_boundary.install()
    try:
        return _run_window(settings, login_first)
    finally:
        uninstall()


def _run_window(settings: Settings, login_first: bool) -> int:
    startup_report.phase("setup")  # the log and the error boundary (``run``)
    app = start_application(before_first_paint=login_first)
    opening = DatabaseOpening(lambda: database_or_reason(settings))
    if login_first:
        controller = SessionController(None)
        controller.start_before_database(opening, f"データベース: {settings.database_url}")
    else:  # the first start, PostgreSQL …: the database decides which dialog comes first
        db = open_database_for_window(settings)
        if db is None:
            return 1
        startup_report.phase("database")
        controller = SessionController(db)
    # The controller decides when the program ends (windows come and go between sessions).
    app.setQuitOnLastWindowClosed(False)
    controller.finished.connect(app.exit)
    try:
        if not login_first:
            controller.start()
        dialog = controller.login_dialog or controller.first_admin_dialog
        assert dialog is not None
        when_exposed(dialog, lambda: _painted(controller, opening, login_first))
        return app.exec()
    finally:
        opening.wait()  # an open (or migration) under way is finished, never cut short
        operations = sys.modules.get("setacare_desktop.ui.operations")
        if operations is not None:
            operations.shut_down()
        db = controller.database or opening.database
        if db is not None:
            db.close()


def _painted(controller: SessionController, opening: DatabaseOpening, login_first: bool) -> None:
    """The first dialog is on screen: finish the set-up and open the database behind it."""
    startup_report.phase("dialog")
    if startup_report.enabled():  # the start-up benchmark (bench/startup_login.py)
        startup_report.shown("SHOWN" if controller.login_dialog is not None
                             else "SHOWN first-admin")
        _quit_when_ready(opening, login_first)
    if login_first:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        after_first_paint(app)
        opening.start()


def _quit_when_ready(opening: DatabaseOpening, login_first: bool) -> None:
    app = QApplication.instance()
    assert app is not None

    def ready(code: int) -> None:
        startup_report.phase("database-after-shown")
        startup_report.say("READY" if code == 0 else "FAILED")
        app.exit(code)

    if not login_first:
        app.exit(0)
        return
    opening.opened.connect(lambda _db: ready(0))
    opening.failed.connect(lambda _message: ready(1))
