"""Writing the audit trail. Called by the service doing the work, inside its write transaction.

Each row is chained to the one before it (``domain/audit_chain.py``): its ``prev_hash`` is the
chain's head when it is appended, its ``hash`` covers that and its content. Two transactions must
never read the same head (the chain would fork), so appends are serialised:

- on SQLite every write transaction already holds the database's write lock from its first
  statement (``BEGIN IMMEDIATE``): ``record`` reads the head and inserts the row at once;
- on PostgreSQL the lock is a transaction-level advisory lock, which every audited transaction
  of the ward needs (each read of personal data is one), so it is held for as little as
  possible: ``record`` only queues the row, its ``at`` the time of the action; just before the
  commit the transaction appends its queue in one round trip (``store.postgresql``: a server
  function takes the lock, reads the head and inserts the rows), and the commit lets the lock go.
  A rollback drops the queue. A statement of the transaction that reads ``audit_event``
  (:func:`chain_head`, an export's audit rows) appends the queue first, so it sees the
  transaction's own rows, as on SQLite (the lock is then held from there to the commit).
  (A row queued inside a SAVEPOINT that is rolled back stays queued; no service audits inside
  one: they audit after it, as ``chain._restore`` and the liaison sheet's numbering do.)

A read session never commits, so an audit row written there would silently vanish: ``record``
refuses it (:class:`AuditSessionError`, a programming error).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain.audit_chain import ChainContent, link_hash
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services.unit import use_case
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store.database import WRITE_OPTION, Database
from setacare_desktop.store.models import AuditEvent, utc_now

SYSTEM_LOGIN = "(system)"


class AuditSessionError(RuntimeError):
    """``audit.record`` was called in a read session (``db.read()``): a bug, the row would be
    lost with the session's rollback. Audit in a ``db.transaction()``."""


def _check_write_session(session: Session) -> None:
    if not session.get_bind().get_execution_options().get(WRITE_OPTION, False):
        raise AuditSessionError("audit.record needs a write transaction (db.transaction())")


def chain_head(session: Session) -> str | None:
    """The newest row's hash (None while the trail is empty): what a sign-off or a package
    records, so that a later check can tell that nothing before it was removed. It includes
    this transaction's own rows (on PostgreSQL their queue is appended first)."""
    if session.info.get(pg_store.AUDIT_QUEUE):
        pg_store.append_audit_queue(session)
    return session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))


def record(
    session: Session,
    actor: StaffProfile | None,
    action: str,
    *,
    entity: str | None = None,
    entity_id: object = None,
    fields: Iterable[str] | None = None,
    detail: str | None = None,
    login: str | None = None,
) -> None:
    """Record one audit row (on PostgreSQL appended at the commit: see above). ``fields`` are
    field *names*; never pass sensitive values."""
    _check_write_session(session)
    content = ChainContent(
        at=utc_now(),
        staff_id=actor.staff_id if actor else None,
        login=actor.login if actor else (login or SYSTEM_LOGIN),
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        fields=sorted(fields) if fields is not None else None,
        detail=detail,
    )
    if session.get_bind().dialect.name == "postgresql":
        pg_store.queue_audit_row(session, content)  # appended just before the commit
        return
    prev_hash = chain_head(session)  # (flushes this transaction's earlier rows first)
    session.add(AuditEvent(
        at=content.at, staff_id=content.staff_id, login=content.login, action=content.action,
        entity=content.entity, entity_id=content.entity_id, fields=content.fields,
        detail=content.detail, prev_hash=prev_hash, hash=link_hash(prev_hash, content)))
    session.flush()  # the id is drawn now, under the lock: id order is chain order


@use_case
def recent(db: Database, limit: int = 100) -> list[AuditEvent]:
    """The newest audit rows (for tests and the administrator's view)."""
    with db.read() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit))
        return list(rows)
