"""Search index: folded text per consultation plus a backend-specific gram index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store import sqlite as sqlite_store

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_text",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"], ondelete="CASCADE",
                                name=op.f("fk_search_text_consultation_id_consultation")),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_search_text")),
    )
    bind = op.get_bind()
    ddl = {"sqlite": sqlite_store.SEARCH_DDL, "postgresql": pg_store.SEARCH_DDL}[
        bind.dialect.name]
    for statement in ddl:
        op.execute(statement)
    _backfill(bind)


def _backfill(bind: sa.Connection) -> None:
    """Index consultations recorded before this revision (main complaint, details, person)."""
    from setacare_desktop.domain.kana import digits_only, grams, search_text

    rows = bind.execute(sa.text(
        "SELECT c.id, c.district_code, c.main_complaint, d.details, p.name, p.reading, p.phone "
        "FROM consultation c LEFT JOIN consultation_detail d ON d.consultation_id = c.id "
        "LEFT JOIN person p ON p.id = d.person_id"))
    session = Session(bind=bind)
    backend = {"sqlite": sqlite_store, "postgresql": pg_store}[bind.dialect.name]
    for cid, district, complaint, details, name, reading, phone in rows.all():
        parts = [complaint, details, name, reading, phone, digits_only(phone or "")]
        text = search_text(" ".join(p for p in parts if p))
        # This revision's index shape (0018 rebuilds it from search_text).
        session.execute(sa.text("INSERT INTO search_text (consultation_id, district_code, body)"
                                " VALUES (:c, :d, :b)"), {"c": cid, "d": district, "b": text})
        backend.search_add(session, [(cid, district, *grams(text))])
    session.flush()


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
