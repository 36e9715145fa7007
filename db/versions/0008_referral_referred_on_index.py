"""An index on referral.referred_on: the statistics count a period's referrals by that day.

Without it every statistics query scans the whole referral table (bench/stats_bench.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_referral_referred_on"), "referral", ["referred_on"])


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
