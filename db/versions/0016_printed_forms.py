"""Printed forms: the sender's block, structured 依頼事項, the signed consent form, form numbers.

- ``organisation.sender_*``: what an organisation prints as the sender of its sheets and FAX
  cover sheets (住所, 電話, FAX, 担当者), set by an administrator; empty until set.
- ``referral.request_items``: the 依頼事項 chosen as structured items (codes of
  ``domain.referral.REQUEST_ITEMS``), ticked on the sheet; NULL for referrals made before.
- ``consent_record.form_signed`` / ``form_signed_on``: a written consent (書面) whose printed
  同意書 was signed, and when.
- ``print_form``: each printed form's 様式 number and title (reference data an administrator may
  change), seeded with 「様式第1号 連携シート」 and the others.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: The forms as shipped (frozen here: later changes to the defaults do not rewrite a database).
FORMS = (
    ("liaison_sheet", "様式第1号", "連携シート", 1),
    ("reply_slip", "様式第1号の2", "返信票", 2),
    ("fax_cover", "", "FAX送付状", 3),
    ("consent_form", "様式第2号", "個人情報の提供に関する同意書", 4),
)


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        for column, length in (("sender_address", 200), ("sender_phone", 32),
                               ("sender_fax", 32), ("sender_contact", 100)):
            batch_op.add_column(sa.Column(column, sa.String(length=length), nullable=False,
                                          server_default=""))
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_items", sa.JSON(), nullable=True))
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("form_signed", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("form_signed_on", sa.Date(), nullable=True))
    form = op.create_table(
        "print_form",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["staff.id"],
                                name=op.f("fk_print_form_updated_by_staff")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_print_form")),
    )
    op.bulk_insert(form, [{"code": c, "number": n, "title": t, "sort_order": s}
                          for c, n, t, s in FORMS])


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
