"""PostgreSQL: the search index by district and id, so a search's look at the other
organisations' matches reads only the district's rows in the span it asks about.

A search asks ``search_pg`` for the other organisations' matches among a span of ids (those a
consent or an exception could open to the caller, ``store.search.matching_ids``). Without an
index on (district, id) PostgreSQL intersected the id span with the word's whole GIN posting
list and threw most rows away by district afterwards: 8 ms for 「介護」 on 20,000 cases, the
largest statement of a search under load (issue 17, item 6). With it: under 1 ms. SQLite (FTS5)
changes nothing.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

from setacare_desktop.store import postgresql as pg_store

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in pg_store.SEARCH_DISTRICT_DDL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS search_pg_district_newest")
