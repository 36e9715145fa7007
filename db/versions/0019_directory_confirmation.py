"""要確認 per entry: who confirmed a destination's contact, and when (issue 15).

``dir_service.confirmed_at`` (naive UTC, the database's clock) and ``confirmed_by`` (the
supervisor or administrator). A confirmation older than a year no longer counts
(``domain.directory.confirmation_current``). Entries confirmed before this revision get their
last change as the date of confirmation (the best the database knows) and no name.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    # The columns may be there already: a database re-stamped to an earlier revision (as the
    # tests of older migrations do) runs this again.
    if "confirmed_at" not in {c["name"] for c in sa.inspect(bind).get_columns("dir_service")}:
        _add_columns(bind.dialect.name)
    service = sa.table("dir_service", sa.column("contact_confirmed", sa.Boolean()),
                       sa.column("updated_at", sa.DateTime()),
                       sa.column("confirmed_at", sa.DateTime()))
    op.execute(service.update().where(service.c.contact_confirmed.is_(True),
                                      service.c.confirmed_at.is_(None))
               .values(confirmed_at=service.c.updated_at))


def _add_columns(dialect: str) -> None:
    # Plain ADD COLUMN, never a batch copy of the table: on SQLite a copy drops dir_service,
    # and its ON DELETE CASCADE children (phones, areas, attributes) would go with it.
    op.add_column("dir_service", sa.Column("confirmed_at", sa.DateTime(), nullable=True))
    if dialect == "sqlite":  # SQLite adds a constraint only with its column
        op.execute("ALTER TABLE dir_service ADD COLUMN confirmed_by INTEGER"
                   " CONSTRAINT fk_dir_service_confirmed_by_staff REFERENCES staff (id)")
    else:
        op.add_column("dir_service", sa.Column("confirmed_by", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_dir_service_confirmed_by_staff", "dir_service", "staff",
                              ["confirmed_by"], ["id"])


def downgrade() -> None:
    raise NotImplementedError("Downgrades are not supported: restore the backup instead.")
