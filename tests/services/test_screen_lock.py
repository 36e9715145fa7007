"""The lock screen's use cases: the locked staff member's own password (a wrong one counts
towards the lock-out), and another staff member's login, which logs the first one out.
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.lockout import MAX_FAILED_ATTEMPTS
from setacare_desktop.services import (
    AuthenticationError,
    Database,
    StaffProfile,
    audit,
    screen_lock,
)
from setacare_desktop.store.models import Staff

PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
MakeStaff = Callable[..., StaffProfile]


def rows(db: Database, count: int) -> list[tuple[str, str, str | None]]:
    return [(e.login, e.action, e.detail) for e in reversed(audit.recent(db, count))]


def test_lock_and_unlock_are_audited(any_db: Database, staff_factory: MakeStaff) -> None:
    clerk = staff_factory(any_db, "ikejiri1")
    screen_lock.lock_screen(any_db, clerk, idle=True)
    screen_lock.lock_screen(any_db, clerk, idle=False)
    assert screen_lock.unlock_screen(any_db, clerk, PASSWORD).staff_id == clerk.staff_id
    assert rows(any_db, 3) == [("ikejiri1", "screen_lock", "idle"),
                               ("ikejiri1", "screen_lock", "on demand"),
                               ("ikejiri1", "screen_unlock", None)]


def test_a_wrong_password_counts_towards_the_lock_out(any_db: Database,
                                                       staff_factory: MakeStaff) -> None:
    clerk = staff_factory(any_db, "ikejiri1")
    with pytest.raises(AuthenticationError) as raised:
        screen_lock.unlock_screen(any_db, clerk, "wrong-pass")
    assert raised.value.message == "パスワードが正しくありません。"
    assert rows(any_db, 2) == [("ikejiri1", "login_failed", None),
                               ("ikejiri1", "screen_unlock_failed", None)]
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(AuthenticationError):
            screen_lock.unlock_screen(any_db, clerk, "wrong-pass")
    # Locked now: even the right password is refused, with the time to come back.
    with pytest.raises(AuthenticationError, match="一時的にロックされています"):
        screen_lock.unlock_screen(any_db, clerk, PASSWORD)
    with any_db.read() as session:
        assert session.scalar(sa.select(Staff.locked_until).where(
            Staff.login == "ikejiri1")) is not None
    failures = [e for e in audit.recent(any_db) if e.action == "screen_unlock_failed"]
    assert len(failures) == MAX_FAILED_ATTEMPTS + 1
    assert "account_locked" in [e.action for e in audit.recent(any_db)]


def test_another_staff_member_logs_in_and_the_first_is_logged_out(
        any_db: Database, staff_factory: MakeStaff) -> None:
    first = staff_factory(any_db, "ikejiri1")
    second = staff_factory(any_db, "ikejiri2")
    profile = screen_lock.log_in_at_lock(any_db, first, "ikejiri2", PASSWORD)
    assert profile.staff_id == second.staff_id
    assert rows(any_db, 2) == [("ikejiri2", "login", None),
                               ("ikejiri1", "logout", screen_lock.SWITCH_DETAIL)]
    logout = audit.recent(any_db, 1)[0]
    assert (logout.staff_id, logout.entity, logout.entity_id) == (
        first.staff_id, "staff", str(first.staff_id))


def test_a_wrong_password_of_the_other_logs_no_one_out(any_db: Database,
                                                       staff_factory: MakeStaff) -> None:
    first = staff_factory(any_db, "ikejiri1")
    staff_factory(any_db, "ikejiri2")
    with pytest.raises(AuthenticationError, match="ログインIDまたはパスワード"):
        screen_lock.log_in_at_lock(any_db, first, "ikejiri2", "wrong-pass")
    with pytest.raises(AuthenticationError):
        screen_lock.log_in_at_lock(any_db, first, "nobody", PASSWORD)
    assert "logout" not in [e.action for e in audit.recent(any_db)]
    assert [e.action for e in audit.recent(any_db, 2)] == ["login_failed", "login_failed"]
