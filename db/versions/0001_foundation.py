"""Foundation: reference data, organisations, staff, the append-only audit trail, consultations.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Reference data comes from ``domain.reference`` as it stands at this revision; a later change of
codes needs its own migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from setacare_desktop.domain import reference as ref
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store import sqlite as sqlite_store

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

CODE_LISTS = {
    "target_group": ref.TARGET_GROUPS,
    "element": ref.ELEMENTS,
    "channel": ref.CHANNELS,
    "consulter_kind": ref.CONSULTER_KINDS,
    "response_kind": ref.RESPONSES,
}


def upgrade() -> None:
    area = op.create_table(
        "area",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_area"),
        sa.UniqueConstraint("name", name="uq_area_name"),
    )
    district = op.create_table(
        "district",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_district"),
        sa.UniqueConstraint("name", name="uq_district_name"),
        sa.ForeignKeyConstraint(["area_code"], ["area.code"], name="fk_district_area_code_area"),
    )
    organisation = op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("district_code", sa.String(32), nullable=True),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organisation"),
        sa.UniqueConstraint("name", name="uq_organisation_name"),
        sa.ForeignKeyConstraint(["district_code"], ["district.code"],
                                name="fk_organisation_district_code_district"),
        sa.ForeignKeyConstraint(["area_code"], ["area.code"],
                                name="fk_organisation_area_code_area"),
    )
    code_tables = {}
    for name in CODE_LISTS:
        code_tables[name] = op.create_table(
            name,
            sa.Column("code", sa.String(32), nullable=False),
            sa.Column("label", sa.String(64), nullable=False),
            sa.Column("sort_order", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("code", name=f"pk_{name}"),
        )
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("can_manage_accounts", sa.Boolean(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff"),
        sa.UniqueConstraint("login", name="uq_staff_login"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name="fk_staff_organisation_id_organisation"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(64), nullable=True),
        sa.Column("entity_id", sa.String(64), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"],
                                name="fk_audit_event_staff_id_staff"),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_action", "audit_event", ["action"])
    op.create_table(
        "consultation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel_code", sa.String(32), nullable=False),
        sa.Column("consulter_kind_code", sa.String(32), nullable=False),
        sa.Column("district_code", sa.String(32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("main_complaint", sa.Text(), nullable=False),
        sa.Column("response_code", sa.String(32), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_consultation"),
        sa.ForeignKeyConstraint(["channel_code"], ["channel.code"],
                                name="fk_consultation_channel_code_channel"),
        sa.ForeignKeyConstraint(["consulter_kind_code"], ["consulter_kind.code"],
                                name="fk_consultation_consulter_kind_code_consulter_kind"),
        sa.ForeignKeyConstraint(["district_code"], ["district.code"],
                                name="fk_consultation_district_code_district"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name="fk_consultation_organisation_id_organisation"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"],
                                name="fk_consultation_staff_id_staff"),
        sa.ForeignKeyConstraint(["response_code"], ["response_kind.code"],
                                name="fk_consultation_response_code_response_kind"),
    )
    op.create_index("ix_consultation_received_on", "consultation", ["received_on"])
    op.create_index("ix_consultation_district_received", "consultation",
                    ["district_code", "received_at"])
    for name, column in (("consultation_target_group", "target_group"),
                         ("consultation_element", "element")):
        op.create_table(
            name,
            sa.Column("consultation_id", sa.Integer(), nullable=False),
            sa.Column("code", sa.String(32), nullable=False),
            sa.PrimaryKeyConstraint("consultation_id", "code", name=f"pk_{name}"),
            sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"], ondelete="CASCADE",
                                    name=f"fk_{name}_consultation_id_consultation"),
            sa.ForeignKeyConstraint(["code"], [f"{column}.code"],
                                    name=f"fk_{name}_code_{column}"),
        )

    dialect = op.get_bind().dialect.name
    ddl = {"sqlite": sqlite_store.AUDIT_APPEND_ONLY_DDL,
           "postgresql": pg_store.AUDIT_APPEND_ONLY_DDL}.get(dialect, ())
    for statement in ddl:
        op.execute(statement)

    op.bulk_insert(area, [{"code": a.code, "name": a.name, "sort_order": a.sort_order}
                          for a in ref.AREAS])
    op.bulk_insert(district, [{"code": d.code, "name": d.name, "area_code": d.area_code,
                               "sort_order": d.sort_order} for d in ref.DISTRICTS])
    orgs = []
    for d in ref.DISTRICTS:
        for kind in ref.DISTRICT_PARTNERS:
            orgs.append({"kind": kind.value, "district_code": d.code, "area_code": d.area_code,
                         "name": ref.organisation_name(kind, district=d)})
    for a in ref.AREAS:
        orgs.append({"kind": ref.OrgKind.BRANCH.value, "district_code": None,
                     "area_code": a.code, "name": ref.organisation_name(ref.OrgKind.BRANCH,
                                                                       area=a)})
    op.bulk_insert(organisation, orgs)
    for name, terms in CODE_LISTS.items():
        op.bulk_insert(code_tables[name], [{"code": t.code, "label": t.label, "sort_order": i}
                                           for i, t in enumerate(terms, start=1)])


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
