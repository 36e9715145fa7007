"""PostgreSQL: the function that appends a transaction's audit rows at its commit.

Every audited transaction of the ward (each read of personal data is one) takes the audit
chain's lock. It used to take it at its first audit row and hold it through the rest of its
statements; with 100 counters on one server, a holder descheduled meanwhile made everyone wait
(issue 17, item 6). Now a transaction's audit rows are queued and appended just before its
commit, in one round trip: ``audit_event_append`` (``store.postgresql.AUDIT_APPEND_DDL``) takes
the lock, reads the chain's head in a statement of its own and inserts the rows, hashing each
as ``domain.audit_chain.link_hash`` does. It runs with its caller's rights: the application
role already may INSERT into ``audit_event``, and the append-only triggers still refuse UPDATE,
DELETE and TRUNCATE. SQLite changes nothing (its write lock is held from BEGIN IMMEDIATE).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from setacare_desktop.store import postgresql as pg_store

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.get_bind().exec_driver_sql(pg_store.AUDIT_APPEND_DDL)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.get_bind().exec_driver_sql(pg_store.AUDIT_APPEND_DROP)
