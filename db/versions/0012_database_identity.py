"""The database's identity: a random id bound into day packages, and the key of their reviewer
tokens (one row, made here; ``services.database_identity`` makes it on first use if missing).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "database_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("database_id", sa.String(length=36), nullable=False),
        sa.Column("package_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_database_identity")),
        sa.UniqueConstraint("database_id", name=op.f("uq_database_identity_database_id")),
    )
    op.bulk_insert(table, [{
        "id": 1, "database_id": str(uuid.uuid4()), "package_key": secrets.token_hex(32),
        "created_at": datetime.now(UTC).replace(tzinfo=None)}])


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
