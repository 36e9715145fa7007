"""Intake: persons, consultation details and versions, consent records, emergency exceptions,
drafts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:06:03.947979
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("reading", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("reading_key", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("address_town", sa.String(length=200), nullable=False),
        sa.Column("address_rest", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("phone_digits", sa.String(length=32), nullable=False),
        sa.Column("household", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_code"], ["district.code"], name=op.f("fk_person_district_code_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_birth_date"), ["birth_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_district_code"), ["district_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_name_key"), ["name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_phone_digits"), ["phone_digits"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_reading_key"), ["reading_key"], unique=False)

    op.create_table(
        "consent_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("giver", sa.String(length=16), nullable=False),
        sa.Column("giver_relation", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=False),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_consent_record_consultation_id_consultation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_consent_record_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff.id"], name=op.f("fk_consent_record_recorded_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by"], ["staff.id"], name=op.f("fk_consent_record_withdrawn_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_record")),
    )
    with op.batch_alter_table("consent_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_record_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "consultation_detail",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("consulter_relation", sa.String(length=100), nullable=False),
        sa.Column("consulter_name", sa.String(length=100), nullable=False),
        sa.Column("consulter_contact", sa.String(length=100), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("next_date", sa.Date(), nullable=True),
        sa.Column("next_note", sa.String(length=500), nullable=False),
        sa.Column("urgency", sa.JSON(), nullable=False),
        sa.Column("urgency_note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("amended_at", sa.DateTime(), nullable=True),
        sa.Column("amended_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["amended_by"], ["staff.id"], name=op.f("fk_consultation_detail_amended_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_consultation_detail_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_consultation_detail_person_id_person")
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_consultation_detail")),
    )
    with op.batch_alter_table("consultation_detail", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_detail_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "consultation_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["staff.id"], name=op.f("fk_consultation_version_changed_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_consultation_version_consultation_id_consultation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_version")),
    )
    with op.batch_alter_table("consultation_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultation_version_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "emergency_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_emergency_exception_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_emergency_exception_consultation_id_consultation"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff.id"], name=op.f("fk_emergency_exception_recorded_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_exception")),
    )
    with op.batch_alter_table("emergency_exception", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_emergency_exception_consultation_id"), ["consultation_id"], unique=False
        )

    op.create_table(
        "intake_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_intake_draft_consultation_id_consultation"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_intake_draft_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_draft")),
    )
    with op.batch_alter_table("intake_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_draft_staff_id"), ["staff_id"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
