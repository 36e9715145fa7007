"""継続支援 (a person's continuing support) and household links between two persons.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30

``continuity``: one row per person, the current state (open / closed) and who holds it (a staff
member and their organisation); ``continuity_event``: every opening, closing and automatic
reopening with its reason, never changed. ``household_link``: two persons of one household
(relation, living together or not, the situations such as 8050 / ヤングケアラー / 介護者); a
link ended is kept with who ended it and when.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "continuity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("holder_staff_id", sa.Integer(), nullable=False),
        sa.Column("holder_organisation_id", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_continuity_person_id_person")),
        sa.ForeignKeyConstraint(["holder_staff_id"], ["staff.id"],
                                name=op.f("fk_continuity_holder_staff_id_staff")),
        sa.ForeignKeyConstraint(["holder_organisation_id"], ["organisation.id"],
                                name=op.f("fk_continuity_holder_organisation_id_organisation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_continuity")),
        sa.UniqueConstraint("person_id", name=op.f("uq_continuity_person_id")),
    )
    op.create_index("ix_continuity_holder_status", "continuity",
                    ["holder_organisation_id", "status"])
    op.create_table(
        "continuity_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("continuity_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["continuity_id"], ["continuity.id"],
                                name=op.f("fk_continuity_event_continuity_id_continuity")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"],
                                name=op.f("fk_continuity_event_staff_id_staff")),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"],
                                name=op.f("fk_continuity_event_consultation_id_consultation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_continuity_event")),
    )
    op.create_index(op.f("ix_continuity_event_continuity_id"), "continuity_event",
                    ["continuity_id"])
    op.create_table(
        "household_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("other_person_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("living_together", sa.Boolean(), nullable=False),
        sa.Column("situations", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"],
                                name=op.f("fk_household_link_person_id_person")),
        sa.ForeignKeyConstraint(["other_person_id"], ["person.id"],
                                name=op.f("fk_household_link_other_person_id_person")),
        sa.ForeignKeyConstraint(["created_by"], ["staff.id"],
                                name=op.f("fk_household_link_created_by_staff")),
        sa.ForeignKeyConstraint(["ended_by"], ["staff.id"],
                                name=op.f("fk_household_link_ended_by_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_link")),
    )
    op.create_index(op.f("ix_household_link_person_id"), "household_link", ["person_id"])
    op.create_index(op.f("ix_household_link_other_person_id"), "household_link",
                    ["other_person_id"])


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
