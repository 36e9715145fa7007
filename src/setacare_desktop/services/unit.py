"""One use case, one transaction: the decorator every public service function wears.

``@use_case`` marks a function that a user's action calls (from the window, the command line or a
test). It tells the :class:`Database` where the use case begins and ends, so that the database can
count the sessions it opens (one; strict mode, on in the test suite, makes a second one an error).
Helpers below a use case receive the *session*, never the database: the consent decision and the
write it allows are then taken in one transaction by construction.

A refusal is audited after its transaction has been rolled back, in a short transaction of its own,
never nested inside the first (on SQLite a nested writer waits for itself until the busy timeout).
A service raises the refusal with :func:`refusal` (or sets ``error.audit``); the decorator writes
the audit row once the use case's session is closed, then re-raises the refusal.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar, overload

from setacare_desktop.domain.errors import ServiceError
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.logs import log_unexpected
from setacare_desktop.store.database import Database

P = ParamSpec("P")
R = TypeVar("R")
E = TypeVar("E", bound=ServiceError)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AuditNote:
    """The audit row a refusal leaves behind (field names only, never values)."""

    actor: StaffProfile | None
    action: str
    entity: str | None = None
    entity_id: object = None
    detail: str | None = None
    login: str | None = None


def refusal(error: E, actor: StaffProfile | None, action: str, *, entity: str | None = None,
            entity_id: object = None, detail: str | None = None, login: str | None = None) -> E:
    """``error`` with the audit row to write once its use case has rolled back."""
    error.audit = AuditNote(actor, action, entity, entity_id, detail, login)  # type: ignore[attr-defined]
    return error


@overload
def use_case(function: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def use_case(*, sessions: int) -> Callable[[Callable[P, R]], Callable[P, R]]: ...


def use_case(function: Callable[P, R] | None = None, /, *, sessions: int = 1
             ) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a public service function as one use case (see the module docstring).

    ``sessions`` above 1 is for a bulk job that reads and checks outside the write lock and
    then writes, re-checking in its write transaction that what it read has not changed
    (optimistic concurrency); its docstring must say so.
    """
    if function is None:
        return lambda f: _wrap(f, sessions)
    return _wrap(function, sessions)


def _wrap(function: Callable[P, R], sessions: int) -> Callable[P, R]:
    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        db = _database(args, kwargs)
        if db is None or db.in_use_case():
            return function(*args, **kwargs)
        try:
            with db.use_case(function.__qualname__, allowed=sessions):
                return function(*args, **kwargs)
        except ServiceError as error:
            note = getattr(error, "audit", None)
            if isinstance(note, AuditNote):
                _audit_refusal(db, note)
            raise

    run.__use_case__ = True  # type: ignore[attr-defined]
    return run


def _database(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Database | None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, Database):
            return value
    return None


def _audit_refusal(db: Database, note: AuditNote) -> None:
    # Imported here: audit imports the models, and this module must stay cheap to import.
    from setacare_desktop.services import audit

    try:
        with db.use_case(f"refusal:{note.action}"), db.transaction() as session:
            audit.record(session, note.actor, note.action, entity=note.entity,
                         entity_id=note.entity_id, detail=note.detail, login=note.login)
    except ServiceError as error:
        # The refusal stands; that its audit row could not be written is itself logged.
        log.error("refusal %s could not be audited: %s", note.action, type(error).__name__)
    except Exception as error:
        log_unexpected(f"auditing refusal {note.action}", error)
