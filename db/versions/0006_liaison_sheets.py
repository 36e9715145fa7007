"""Liaison sheets (連携シート): the numbers issued and every print or save.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "liaison_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_number", sa.String(length=64), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=32), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("anonymised", sa.Boolean(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["district_code"], ["district.code"],
                                name=op.f("fk_liaison_sheet_district_code_district")),
        sa.ForeignKeyConstraint(["issued_by"], ["staff.id"],
                                name=op.f("fk_liaison_sheet_issued_by_staff")),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"],
                                name=op.f("fk_liaison_sheet_referral_id_referral")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liaison_sheet")),
        sa.UniqueConstraint("sheet_number", name=op.f("uq_liaison_sheet_sheet_number")),
    )
    op.create_index("uq_liaison_sheet_sequence", "liaison_sheet",
                    ["district_code", "fiscal_year", "sequence"], unique=True)
    op.create_index("uq_liaison_sheet_referral", "liaison_sheet", ["referral_id", "anonymised"],
                    unique=True)
    op.create_table(
        "sheet_print",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("reissue", sa.Boolean(), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["sheet_id"], ["liaison_sheet.id"],
                                name=op.f("fk_sheet_print_sheet_id_liaison_sheet")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"],
                                name=op.f("fk_sheet_print_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheet_print")),
    )
    op.create_index(op.f("ix_sheet_print_sheet_id"), "sheet_print", ["sheet_id"])


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
