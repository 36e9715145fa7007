"""The directory keeps what an HSDS 3.0 import brings (issue 15).

Typed columns for what the directory shows or a Japanese directory needs (a location's other
name, coordinates and second address line; a schedule's days and hours), and ``hsds_extra`` on
every directory table: the record's other HSDS fields as JSON text, given back on export.
``dir_service.url`` / ``email`` and ``dir_organization.website`` / ``email`` existed already.

Then the destinations added to the shipped directory since 0005 (seed 002's, issue 15) are
inserted into a database made before, each only if its id is not there yet.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from setacare_desktop.domain.shipped_directory import shipped_directory
from setacare_desktop.store.directory import insert_directory

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_EXTRA_TABLES = ("dir_organization", "dir_location", "dir_service", "dir_phone", "dir_schedule",
                 "dir_attribute", "dir_taxonomy", "dir_taxonomy_term")


def upgrade() -> None:
    for table in _EXTRA_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("hsds_extra", sa.Text(), nullable=False,
                                       server_default=""))
    with op.batch_alter_table("dir_location") as batch:
        batch.add_column(sa.Column("alternate_name", sa.String(200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch.add_column(sa.Column("address_2", sa.String(300), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("dir_schedule") as batch:
        batch.add_column(sa.Column("byday", sa.String(100), nullable=False, server_default=""))
        batch.add_column(sa.Column("opens_at", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("closes_at", sa.String(16), nullable=False,
                                   server_default=""))
    bind = op.get_bind()
    metadata = sa.MetaData()
    tables = {name: sa.Table(name, metadata, autoload_with=bind) for name in (
        *_EXTRA_TABLES, "dir_service_area", "dir_service_at_location")}
    insert_directory(bind, tables, shipped_directory(), only_missing=True)


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
