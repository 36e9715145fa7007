"""Logging in and out, with lock-out after repeated failures. Every attempt is audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain.jpdate import utc_to_local
from setacare_desktop.domain.lockout import LockState, after_failure, after_success
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.errors import AuthenticationError
from setacare_desktop.services.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from setacare_desktop.services.staff import profile_of
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Staff, utc_now

WRONG_CREDENTIALS = "ログインIDまたはパスワードが正しくありません。"


def _locked_message(state: LockState) -> str:
    until = utc_to_local(state.locked_until) if state.locked_until else None
    return (
        "ログインに続けて失敗したため、このアカウントは一時的にロックされています。"
        f"{until:%H:%M} 以降にもう一度お試しください。"
    )


@use_case
def login(db: Database, login_id: str, password: str, *, now: datetime | None = None
          ) -> StaffProfile:
    """Check the password and return who is now logged in, or raise AuthenticationError.

    The failure counter, the lock and the audit row are committed even when the login fails,
    so the attempt is decided inside the transaction and the error raised after it.
    """
    return _checked(db, login_id, password, now, "login")


@use_case
def verify_credentials(db: Database, login_id: str, password: str) -> StaffProfile:
    """Check another staff member's password without logging them in (a supervisor approving
    at the clerk's desk). Failures count towards that account's lock-out like a login."""
    return _checked(db, login_id, password, None, "credentials_verified")


def _checked(db: Database, login_id: str, password: str, now: datetime | None,
             success_action: str) -> StaffProfile:
    with db.transaction() as session:
        outcome = check_password(session, login_id, password, success_action, now)
    if isinstance(outcome, AuthenticationError):
        raise outcome
    return outcome


def check_password(session: Session, login_id: str, password: str, success_action: str,
                   now: datetime | None = None) -> StaffProfile | AuthenticationError:
    """One attempt, inside the caller's transaction: the profile, or the error to raise *after*
    committing (the failure counter, the lock and the audit row must be kept)."""
    return _attempt(session, login_id.strip(), password, now or utc_now(), success_action)


def _attempt(session: Session, login_id: str, password: str, now: datetime,
             success_action: str) -> StaffProfile | AuthenticationError:
    staff = session.scalar(select(Staff).where(Staff.login == login_id))
    if staff is None or not staff.active:
        verify_password(dummy_hash(), password)  # same time as a wrong password
        audit.record(session, None, "login_failed", login=login_id[:64] or "(empty)",
                     detail="unknown or inactive login")
        return AuthenticationError(WRONG_CREDENTIALS)
    target = {"entity": "staff", "entity_id": staff.id, "login": staff.login}
    state = LockState(staff.failed_attempts, staff.locked_until)
    if state.is_locked(now):
        audit.record(session, None, "login_refused_locked", **target)
        return AuthenticationError(_locked_message(state))
    if not verify_password(staff.password_hash, password):
        state = after_failure(state, now)
        staff.failed_attempts, staff.locked_until = state.failed_attempts, state.locked_until
        audit.record(session, None, "login_failed", **target)
        if state.is_locked(now):
            audit.record(session, None, "account_locked", **target)
            return AuthenticationError(_locked_message(state))
        return AuthenticationError(WRONG_CREDENTIALS)
    state = after_success()
    staff.failed_attempts, staff.locked_until = state.failed_attempts, state.locked_until
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    profile = profile_of(staff)
    audit.record(session, profile, success_action, entity="staff", entity_id=staff.id)
    return profile


@use_case
def logout(db: Database, actor: StaffProfile) -> None:
    with db.transaction() as session:
        audit.record(session, actor, "logout", entity="staff", entity_id=actor.staff_id)
