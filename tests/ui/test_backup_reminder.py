"""The backup reminder in the window: an administrator of a SQLite database with no recent
backup sees the bar, makes a backup from it, and the bar goes; a clerk never sees it; the days
are the administrator's setting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from setacare_desktop.services import Database, StaffProfile, backup
from setacare_desktop.services.errors import PermissionDeniedError, ValidationError
from setacare_desktop.store.models import AuditEvent, utc_now
from setacare_desktop.ui.backup_reminder import DONE
from setacare_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

MakeStaff = Callable[..., StaffProfile]


def _window(qtbot: QtBot, db: Database, profile: StaffProfile) -> MainWindow:
    window = MainWindow(db, profile)
    qtbot.addWidget(window)
    window.show()
    return window


def test_an_administrator_is_reminded_and_backs_up_from_the_bar(
        qtbot: QtBot, db: Database, staff_factory: MakeStaff, tmp_path: Path) -> None:
    admin = staff_factory(db, "kanri", role="管理者")
    window = _window(qtbot, db, admin)
    bar = window.backup_reminder
    assert bar.isVisible()
    assert "バックアップがまだありません" in bar.message.text()

    bar.choose_file = lambda: str(tmp_path / "copy")  # type: ignore[method-assign]
    qtbot.mouseClick(bar.back_up_button, Qt.MouseButton.LeftButton)
    made = tmp_path / "copy.db"
    assert made.is_file() and made.stat().st_size > 0
    assert not bar.isVisible()
    assert window.statusBar().currentMessage() == DONE.format(path=made)
    with db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == backup.ACTION_BACKUP, AuditEvent.login == "kanri")) == 1

    # The next login: the backup is fresh, no bar.
    assert not _window(qtbot, db, admin).backup_reminder.isVisible()


def test_a_clerk_never_sees_the_bar(qtbot: QtBot, db: Database,
                                    staff_factory: MakeStaff) -> None:
    clerk = staff_factory(db, "clerk")
    assert not _window(qtbot, db, clerk).backup_reminder.isVisible()


def test_the_days_are_the_administrators_setting(db: Database, staff_factory: MakeStaff,
                                                 tmp_path: Path) -> None:
    admin = staff_factory(db, "kanri", role="管理者")
    clerk = staff_factory(db, "clerk")
    backup.backup(db, admin, tmp_path / "b.db")
    assert backup.reminder_days(db) == backup.DEFAULT_REMINDER_DAYS
    assert backup.set_reminder_days(db, admin, "３０") == 30  # full-width digits
    later = utc_now() + timedelta(days=8)
    assert backup.backup_reminder(db, admin, now=later) is None  # 8 < 30
    with pytest.raises(ValidationError) as raised:
        backup.set_reminder_days(db, admin, "0")
    assert raised.value.problems[0].field == backup.REMINDER_FIELD
    assert "1〜365 日の範囲" in raised.value.problems[0].message
    with pytest.raises(PermissionDeniedError):
        backup.set_reminder_days(db, clerk, "3")
    assert backup.reminder_days(db) == 30

