"""Supervisor review: decisions on consultations (確認済 / 差戻し) and signed-off days (日次確認).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_uid", sa.String(length=36), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"],
                                name=op.f("fk_case_review_consultation_id_consultation")),
        sa.ForeignKeyConstraint(["reviewed_by"], ["staff.id"],
                                name=op.f("fk_case_review_reviewed_by_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_review")),
        sa.UniqueConstraint("decision_uid", name=op.f("uq_case_review_decision_uid")),
    )
    op.create_index(op.f("ix_case_review_consultation_id"), "case_review", ["consultation_id"])
    op.create_table(
        "day_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_uid", sa.String(length=36), nullable=False),
        sa.Column("district_code", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("signed_by", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["district_code"], ["district.code"],
                                name=op.f("fk_day_signoff_district_code_district")),
        sa.ForeignKeyConstraint(["signed_by"], ["staff.id"],
                                name=op.f("fk_day_signoff_signed_by_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_day_signoff")),
        sa.UniqueConstraint("decision_uid", name=op.f("uq_day_signoff_decision_uid")),
    )
    op.create_index("uq_day_signoff_district_day", "day_signoff", ["district_code", "day"],
                    unique=True)


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
