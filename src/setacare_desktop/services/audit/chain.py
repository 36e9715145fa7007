"""Checking the audit trail: the hash chain (``setacare audit verify``, the window's check at start
and on 操作記録) and the table's append-only protection (recreated at every start).

The chain is read in id order, a piece at a time (:data:`STEP_ROWS` rows), so that the window can
check it in steps on its one worker thread without holding back the staff member's own work; the
command line walks it in one read. The anchors are the chain heads stored by day sign-offs: they
are read first, so every row they name is older than the rows read after them.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.audit_chain import (
    ChainContent,
    ChainReport,
    ChainWalker,
    StoredRow,
)
from setacare_desktop.domain.roles import Role, StaffProfile
from setacare_desktop.services.audit.trail import record
from setacare_desktop.services.guard import deny
from setacare_desktop.services.unit import use_case
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store import sqlite as sqlite_store
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import AuditEvent, DaySignoff

log = logging.getLogger(__name__)

#: Rows read and checked per step (about a tenth of a second).
STEP_ROWS = 20_000

_COLUMNS = (AuditEvent.id, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.at,
            AuditEvent.staff_id, AuditEvent.login, AuditEvent.action, AuditEvent.entity,
            AuditEvent.entity_id, AuditEvent.fields, AuditEvent.detail)


def _stored(row: tuple) -> StoredRow:  # type: ignore[type-arg]
    id_, prev_hash, hash_, at, staff_id, login, action, entity, entity_id, fields, detail = row
    return StoredRow(id_, prev_hash, hash_, ChainContent(at, staff_id, login, action, entity,
                                                         entity_id, fields, detail))


def _anchors(session: Session) -> dict[str, str]:
    rows = session.execute(
        select(DaySignoff.chain_head, DaySignoff.district_code, DaySignoff.day)
        .where(DaySignoff.chain_head.is_not(None)).order_by(DaySignoff.id)).all()
    anchors: dict[str, str] = {}
    for head, district, day in rows:
        name = ref.DISTRICTS_BY_CODE[district].name if district in ref.DISTRICTS_BY_CODE else district
        anchors.setdefault(head, f"{name}地区 {day:%Y-%m-%d} の日次確認")
    return anchors


def _rows_after(session: Session, last_id: int, limit: int | None) -> Iterator[StoredRow]:
    query = select(*_COLUMNS).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
    if limit is not None:
        query = query.limit(limit)
    for row in session.execute(query.execution_options(yield_per=STEP_ROWS)):
        yield _stored(tuple(row))


@dataclass(slots=True)
class ChainCheck:
    """A check in progress: feed it with :func:`check_step` until ``report`` is set."""

    walker: ChainWalker
    report: ChainReport | None = None

    @property
    def checked(self) -> int:
        return self.walker.count


@use_case
def start_check(db: Database) -> ChainCheck:
    """Begin a check of the chain (reads the anchors)."""
    with db.read() as session:
        return ChainCheck(ChainWalker(_anchors(session)))


@use_case
def check_step(db: Database, check: ChainCheck, rows: int = STEP_ROWS) -> ChainCheck:
    """Check the next ``rows`` rows; ``check.report`` is set once the chain's end is reached or
    a break is found."""
    with db.read() as session:
        batch = list(_rows_after(session, check.walker.last_id, rows))
    if not check.walker.feed(batch) or len(batch) < rows:
        check.report = check.walker.finish()
    return check


@use_case
def chain_status(db: Database) -> ChainReport:
    """Check the whole chain in one read (no role needed: it says only whether the trail is
    intact, and where it is not)."""
    with db.read() as session:
        walker = ChainWalker(_anchors(session))
        batch: list[StoredRow] = []
        for row in _rows_after(session, 0, None):
            batch.append(row)
            if len(batch) >= STEP_ROWS:
                if not walker.feed(batch):
                    break
                batch = []
        walker.feed(batch)
        return walker.finish()


@use_case(sessions=2)
def verify(db: Database, actor: StaffProfile) -> ChainReport:
    """``setacare audit verify``: a supervisor or an administrator checks the whole chain, and
    the check is audited. Two sessions: the chain is read in a read transaction (it can take a
    while and must not hold the write lock), then the outcome is recorded in a short write."""
    if actor.role not in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise deny(actor, "audit_verify", "操作記録の検証は、監督者と管理者のみ行えます。")
    report = chain_status(db)
    outcome = (f"intact {report.count}" if report.broken is None
               else f"broken {report.broken.kind.value} {report.broken.row_id}")
    with db.transaction() as session:
        record(session, actor, "audit_verify", entity="audit_event", detail=outcome)
    return report


# --- the append-only protection --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProtectionReport:
    """Audit triggers found missing (or altered) at start, and whether they were recreated."""

    missing: tuple[str, ...]
    restored: bool

    @property
    def notice(self) -> str:
        names = "、".join(self.missing)
        if self.restored:
            return (f"操作記録の保護（記録の変更・削除を禁止する仕組み: {names}）が外されていた"
                    "ため、作り直しました。外されていた間に記録が変更・削除された可能性があります。"
                    "管理者に連絡し、操作記録の検証（setacare audit verify）で確かめてください。")
        return (f"操作記録の保護（記録の変更・削除を禁止する仕組み: {names}）が外されています。"
                "このプログラムの権限では作り直せません。データベースの管理者に連絡してください。")


#: What the last start found, per open database (shown by the window and the command line).
_found_at_start: weakref.WeakKeyDictionary[Database, ProtectionReport] = (
    weakref.WeakKeyDictionary())


def _store_module(session: Session) -> object:
    return sqlite_store if session.get_bind().dialect.name == "sqlite" else pg_store


@use_case(sessions=2)
def restore_protection(db: Database) -> ProtectionReport | None:
    """At every start: check the audit table's append-only triggers and create any that are
    missing again, auditing that they had been missing. Two sessions: the check is a read (a
    read-only database opens as before); only a missing trigger takes a write transaction, in
    which the check is repeated."""
    with db.read() as session:
        store = _store_module(session)
        missing = store.audit_protection_problems(session.connection())  # type: ignore[attr-defined]
    if not missing:
        return None
    report = _restore(db)
    if report is not None:
        _found_at_start[db] = report
        log.warning("audit protection was missing: %s (restored: %s)",
                    ", ".join(report.missing), report.restored)
    return report


def _restore(db: Database) -> ProtectionReport | None:
    with db.transaction() as session:
        store = _store_module(session)
        missing = store.audit_protection_problems(session.connection())  # type: ignore[attr-defined]
        if not missing:
            return None
        restored = True
        try:
            with session.begin_nested():  # (the SAVEPOINT is sent with the next statement)
                store.restore_audit_protection(  # type: ignore[attr-defined]
                    session.connection(), missing)
        except DBAPIError as error:  # e.g. PostgreSQL: the application role does not own the table
            restored = False
            log.error("audit protection could not be restored: %s", type(error).__name__)
        record(session, None, "audit_protection_restored" if restored
               else "audit_protection_missing", entity="audit_event", detail=" ".join(missing))
        return ProtectionReport(tuple(missing), restored)


def start_notice(opened: Database) -> str | None:
    """The warning about the protection found missing when the database was opened, if any
    (no session: what :func:`restore_protection` found is kept in memory)."""
    report = _found_at_start.get(opened)
    return report.notice if report is not None else None

