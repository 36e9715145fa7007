"""Search index keyed by organisation too: the caller's own cases straight from the index.

The SQLite FTS5 table gains an ``o`` column (the organisation token) and drops its per-row token
counts (``columnsize=0``); it is rebuilt from ``search_text``. PostgreSQL's ``search_pg`` gains
an ``organisation_id`` column filled from ``consultation``. ``consent_record`` gets an index by
recipient: a search lists the persons who consented to share with the caller's organisation.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.orm import Session

from setacare_desktop.store import search

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # IF NOT EXISTS throughout: re-running the revision over its own result changes nothing.
    op.execute("CREATE INDEX IF NOT EXISTS ix_consent_record_recipient_person"
               " ON consent_record (recipient, person_id)")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
        for statement in search.SQLITE_DDL_0018:  # this revision's shape (0020 reshapes it)
            op.execute(statement)
        search.rebuild_0018(Session(bind=bind))
    else:
        for statement in search.POSTGRESQL_DDL:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
