"""Referral directory (HSDS-shaped ``dir_*`` tables), its history, referrals and their events;
loads the shipped directory (``domain.shipped_directory``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

The shipped directory is loaded as it stands at this revision, through the tables this revision
creates; a later change of the shipped directory needs its own migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from setacare_desktop.domain.shipped_directory import shipped_directory
from setacare_desktop.store.directory import insert_directory

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tables: dict[str, sa.Table] = {}
    tables["dir_taxonomy"] = op.create_table(
        "dir_taxonomy",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_taxonomy")),
    )
    tables["dir_taxonomy_term"] = op.create_table(
        "dir_taxonomy_term",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("taxonomy_id", sa.String(length=64), nullable=True),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["taxonomy_id"],
            ["dir_taxonomy.id"],
            name=op.f("fk_dir_taxonomy_term_taxonomy_id_dir_taxonomy"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_taxonomy_term")),
    )
    tables["dir_organization"] = op.create_table(
        "dir_organization",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("reading", sa.String(length=200), nullable=False),
        sa.Column("alternate_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("district_code", sa.String(length=32), nullable=True),
        sa.Column("area_code", sa.String(length=32), nullable=True),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_code"], ["area.code"], name=op.f("fk_dir_organization_area_code_area")
        ),
        sa.ForeignKeyConstraint(
            ["district_code"],
            ["district.code"],
            name=op.f("fk_dir_organization_district_code_district"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_organization")),
    )
    tables["dir_location"] = op.create_table(
        "dir_location",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("address_1", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state_province", sa.String(length=100), nullable=False),
        sa.Column("postal_code", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["dir_organization.id"],
            name=op.f("fk_dir_location_organization_id_dir_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_location")),
    )
    with op.batch_alter_table("dir_location", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dir_location_organization_id"), ["organization_id"], unique=False
        )

    tables["dir_service"] = op.create_table(
        "dir_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hsds_id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("reading", sa.String(length=200), nullable=False),
        sa.Column("alternate_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("eligibility", sa.Text(), nullable=False),
        sa.Column("application_process", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("contact_confirmed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["dir_organization.id"],
            name=op.f("fk_dir_service_organization_id_dir_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_service")),
        sa.UniqueConstraint("hsds_id", name=op.f("uq_dir_service_hsds_id")),
    )
    with op.batch_alter_table("dir_service", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dir_service_organization_id"), ["organization_id"], unique=False
        )

    tables["dir_attribute"] = op.create_table(
        "dir_attribute",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("taxonomy_term_id", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("link_type", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["dir_service.id"],
            name=op.f("fk_dir_attribute_service_id_dir_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["taxonomy_term_id"],
            ["dir_taxonomy_term.id"],
            name=op.f("fk_dir_attribute_taxonomy_term_id_dir_taxonomy_term"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_attribute")),
    )
    with op.batch_alter_table("dir_attribute", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dir_attribute_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "dir_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=True),
        sa.Column("current", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_dir_history_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_history")),
    )
    with op.batch_alter_table("dir_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_history_entity_id"), ["entity_id"], unique=False)

    tables["dir_phone"] = op.create_table(
        "dir_phone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["dir_service.id"],
            name=op.f("fk_dir_phone_service_id_dir_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_phone")),
    )
    with op.batch_alter_table("dir_phone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dir_phone_service_id"), ["service_id"], unique=False)

    tables["dir_schedule"] = op.create_table(
        "dir_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["dir_service.id"],
            name=op.f("fk_dir_schedule_service_id_dir_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_schedule")),
    )
    with op.batch_alter_table("dir_schedule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dir_schedule_service_id"), ["service_id"], unique=False
        )

    tables["dir_service_area"] = op.create_table(
        "dir_service_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["dir_service.id"],
            name=op.f("fk_dir_service_area_service_id_dir_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dir_service_area")),
    )
    with op.batch_alter_table("dir_service_area", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dir_service_area_service_id"), ["service_id"], unique=False
        )

    tables["dir_service_at_location"] = op.create_table(
        "dir_service_at_location",
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["dir_location.id"],
            name=op.f("fk_dir_service_at_location_location_id_dir_location"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["dir_service.id"],
            name=op.f("fk_dir_service_at_location_service_id_dir_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "service_id", "location_id", name=op.f("pk_dir_service_at_location")
        ),
    )
    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("anonymised", sa.Boolean(), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=False),
        sa.Column("basis_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultation.id"],
            name=op.f("fk_referral_consultation_id_consultation"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["dir_service.id"], name=op.f("fk_referral_service_id_dir_service")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_referral_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referral_service_id"), ["service_id"], unique=False)
        batch_op.create_index("ix_referral_status_due", ["status", "reply_due"], unique=False)

    op.create_table(
        "referral_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("previous_status", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_referral_event_referral_id_referral")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_referral_event_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_event")),
    )
    with op.batch_alter_table("referral_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_event_referral_id"), ["referral_id"], unique=False
        )

    insert_directory(op.get_bind(), tables, shipped_directory())


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
