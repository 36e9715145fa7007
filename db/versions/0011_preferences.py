"""Preferences that apply to every PC on the database: the idle lock's minutes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preference",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["staff.id"],
                                name=op.f("fk_preference_updated_by_staff")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_preference")),
    )


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
