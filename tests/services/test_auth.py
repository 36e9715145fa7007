"""Login, wrong password, lock-out, logout, first administrator: rows and audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.lockout import LOCK_DURATION, MAX_FAILED_ATTEMPTS
from setacare_desktop.domain.roles import Role
from setacare_desktop.services import AuthenticationError, Database, ServiceError, audit, auth
from setacare_desktop.services.staff import (
    NewStaff,
    create_first_administrator,
    needs_first_administrator,
)
from setacare_desktop.store.models import Staff, utc_now

PASSWORD = "test-pass-123"


def actions(db: Database) -> list[str]:
    return [e.action for e in reversed(audit.recent(db))]


def test_first_administrator_only_on_empty_database(any_db: Database) -> None:
    assert needs_first_administrator(any_db)
    admin = create_first_administrator(
        any_db, NewStaff("admin", "管理 花子", "", "kinuta", "branch", "admin-pass-1"))
    assert admin.role is Role.ADMINISTRATOR and admin.can_manage_accounts
    assert admin.organisation_name == "砧総合支所"
    assert not needs_first_administrator(any_db)
    with pytest.raises(ServiceError, match="既に登録"):
        create_first_administrator(
            any_db, NewStaff("admin2", "二人目", "", "kinuta", "branch", "admin-pass-2"))
    assert actions(any_db) == ["staff_create"]


def test_password_is_stored_as_argon2id_and_never_audited(any_db: Database,
                                                          staff_factory: Callable) -> None:
    staff_factory(any_db, "hashme", password=PASSWORD)
    with any_db.read() as session:
        stored = session.scalar(sa.select(Staff.password_hash).where(Staff.login == "hashme"))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    for event in audit.recent(any_db):
        assert PASSWORD not in f"{event.detail} {event.fields}"


def test_login_success_is_audited(any_db: Database, staff_factory: Callable) -> None:
    staff_factory(any_db, "clerk", place="太子堂")
    profile = auth.login(any_db, "clerk", PASSWORD)
    assert profile.login == "clerk"
    assert profile.district_code == "taishido"
    assert profile.organisation_name == "太子堂まちづくりセンター"
    auth.logout(any_db, profile)
    assert actions(any_db)[-2:] == ["login", "logout"]
    assert audit.recent(any_db, 1)[0].staff_id == profile.staff_id


def test_wrong_password_and_unknown_login_give_the_same_message(
        any_db: Database, staff_factory: Callable) -> None:
    staff_factory(any_db, "clerk")
    with pytest.raises(AuthenticationError) as wrong:
        auth.login(any_db, "clerk", "not-the-password")
    with pytest.raises(AuthenticationError) as unknown:
        auth.login(any_db, "nobody", PASSWORD)
    assert str(wrong.value) == str(unknown.value)
    assert str(wrong.value) == "ログインIDまたはパスワードが正しくありません。"
    assert actions(any_db)[-2:] == ["login_failed", "login_failed"]
    assert audit.recent(any_db, 1)[0].login == "nobody"


def test_repeated_failures_lock_the_account_for_a_while(any_db: Database,
                                                        staff_factory: Callable) -> None:
    staff_factory(any_db, "clerk")
    now = utc_now()
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(AuthenticationError, match="正しくありません"):
            auth.login(any_db, "clerk", "wrong", now=now)
    with pytest.raises(AuthenticationError, match="ロック"):
        auth.login(any_db, "clerk", "wrong", now=now)
    # Even the right password is refused while locked …
    with pytest.raises(AuthenticationError, match="ロック"):
        auth.login(any_db, "clerk", PASSWORD, now=now + timedelta(minutes=1))
    # … and accepted once the lock has expired.
    assert auth.login(any_db, "clerk", PASSWORD, now=now + LOCK_DURATION).login == "clerk"
    log = actions(any_db)
    assert log.count("account_locked") == 1
    assert "login_refused_locked" in log
    assert log[-1] == "login"
    with any_db.read() as session:
        staff = session.scalar(sa.select(Staff).where(Staff.login == "clerk"))
        assert staff.failed_attempts == 0 and staff.locked_until is None
