"""A tamper-evident audit trail: each audit row hashed and chained to the one before it.

Adds ``audit_event.prev_hash`` and ``audit_event.hash`` and hashes the rows already there, in id
order (``domain/audit_chain.py``); adds ``day_signoff.chain_head``, the chain's head when a day
is signed off. The append-only triggers are dropped for the hashing and created again; on
PostgreSQL a statement trigger now refuses TRUNCATE as well (row triggers do not see it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from setacare_desktop.domain.audit_chain import ChainContent, link_hash
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store import sqlite as sqlite_store

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: Rows hashed per round trip.
BATCH = 5_000

audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime()),
    sa.column("staff_id", sa.Integer()),
    sa.column("login", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("fields", sa.JSON()),
    sa.column("detail", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("hash", sa.String(length=64), nullable=True))
    op.add_column("day_signoff", sa.Column("chain_head", sa.String(length=64), nullable=True))

    connection = op.get_bind()
    dialect = connection.dialect.name
    if dialect == "sqlite":
        store = sqlite_store
        for name in sqlite_store.AUDIT_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        store = pg_store  # type: ignore[assignment]
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
    _hash_existing_rows(connection)
    store.restore_audit_protection(connection, list(store.AUDIT_TRIGGERS))


def _hash_existing_rows(connection: sa.Connection) -> None:
    prev_hash: str | None = None
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(audit_event).where(audit_event.c.id > last_id)
            .order_by(audit_event.c.id).limit(BATCH)).all()
        if not rows:
            return
        updates = []
        for row in rows:
            content = ChainContent(row.at, row.staff_id, row.login, row.action, row.entity,
                                   row.entity_id, row.fields, row.detail)
            digest = link_hash(prev_hash, content)
            updates.append({"row_id": row.id, "prev": prev_hash, "digest": digest})
            prev_hash = digest
        connection.execute(
            audit_event.update().where(audit_event.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("digest")), updates)
        last_id = rows[-1].id


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
