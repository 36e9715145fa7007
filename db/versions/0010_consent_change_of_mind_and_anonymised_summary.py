"""A refusal is replaced only by a recorded change of mind; the anonymised sheet's own summary.

- ``consent_record.supersedes_id``: a consent that replaces a recorded refusal names it (the
  refusal stays in the history); ``consent_record.change_note``: how the person's mind changed,
  as the clerk confirmed it (「本人の意思が変わったことを確認した」).
- ``referral.anonymised_summary``: the 匿名用の概要 the clerk writes for the anonymised liaison
  sheet, which never carries the consultation's own free text. Empty until written.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("change_note", sa.Text(), nullable=False,
                                      server_default=""))
        batch_op.create_foreign_key(
            batch_op.f("fk_consent_record_supersedes_id_consent_record"), "consent_record",
            ["supersedes_id"], ["id"])
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_summary", sa.Text(), nullable=False,
                                      server_default=""))


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
