"""The lock screen of a shared counter PC: locking, unlocking with one's own password, and
another staff member logging in there (which logs the first one out).

Passwords are checked by ``services.auth.check_password`` inside the use case's transaction, so
a wrong password counts towards the account's lock-out exactly as a wrong login does, and the
failure and its audit rows are committed before the refusal is raised.
"""

from __future__ import annotations

from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit, auth
from setacare_desktop.services.errors import AuthenticationError
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database

WRONG_PASSWORD = "パスワードが正しくありません。"
#: The audit detail of a logout caused by another staff member's login at the lock screen.
SWITCH_DETAIL = "another staff member logged in at the lock screen"


@use_case
def lock_screen(db: Database, actor: StaffProfile, *, idle: bool) -> None:
    """The window hid everything behind the lock screen (after the idle time, or on demand)."""
    with db.transaction() as session:
        audit.record(session, actor, "screen_lock", entity="staff", entity_id=actor.staff_id,
                     detail="idle" if idle else "on demand")


@use_case
def unlock_screen(db: Database, actor: StaffProfile, password: str) -> StaffProfile:
    """The locked staff member's own password, or AuthenticationError (counted towards the
    account's lock-out; audited ``screen_unlock_failed``). Success is audited ``screen_unlock``."""
    with db.transaction() as session:
        outcome = auth.check_password(session, actor.login, password, "screen_unlock")
        if isinstance(outcome, AuthenticationError):
            audit.record(session, actor, "screen_unlock_failed", entity="staff",
                         entity_id=actor.staff_id)
    if isinstance(outcome, AuthenticationError):
        if outcome.message == auth.WRONG_CREDENTIALS:
            raise AuthenticationError(WRONG_PASSWORD)
        raise outcome  # e.g. the account is locked for a while after repeated failures
    return outcome


@use_case
def log_in_at_lock(db: Database, locked: StaffProfile, login_id: str, password: str
                   ) -> StaffProfile:
    """Another staff member logs in at ``locked``'s lock screen: on success ``locked`` is
    logged out in the same transaction (audited) and the new profile returned. The caller has
    saved ``locked``'s unsaved input as a draft first; drafts belong to their staff member, so
    the new one never sees it."""
    with db.transaction() as session:
        outcome = auth.check_password(session, login_id, password, "login")
        if isinstance(outcome, StaffProfile) and outcome.staff_id != locked.staff_id:
            audit.record(session, locked, "logout", entity="staff", entity_id=locked.staff_id,
                         detail=SWITCH_DETAIL)
    if isinstance(outcome, AuthenticationError):
        raise outcome
    return outcome
