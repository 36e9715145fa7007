"""Composite (district, key) indexes for the duplicate-person check.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Without them SQLite chose the district index and sorted every person of the district
(bench/intake_bench.py: ~20 ms per lookup at 500,000 persons; 0.04 ms with these).
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_person_name_key", table_name="person")
    op.drop_index("ix_person_reading_key", table_name="person")
    op.create_index("ix_person_district_name_key", "person", ["district_code", "name_key"])
    op.create_index("ix_person_district_reading_key", "person", ["district_code", "reading_key"])


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
