"""The search index reshaped to fit a ward's 2,000,000 consultations in a small SQLite file.

``search_text`` (a folded copy of every consultation's text) is dropped on both backends: each
id the index answers is checked against the text of the consultation's own rows instead
(``store.search``). Migration 0018's FTS5 table kept a unigram column (every character a token)
and a bigram column, both with positions. The new one (``store.search.SQLITE_DDL``) keeps one
column: a district and an organisation token and ``domain.kana.index_tokens`` (each distinct
bigram once, and the last character of each word, so that a one-character query is a prefix
query over them), with ``detail=none`` (no positions). It is rebuilt from the consultations'
rows 20,000 at a time. PostgreSQL's ``search_pg`` is unchanged. The downgrade restores both.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from setacare_desktop.store import search

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # DROP IF EXISTS: re-running the revision over its own result gives the same index.
        op.execute("DROP TABLE IF EXISTS search_fts")
        for statement in search.SQLITE_DDL:
            op.execute(statement)
        search.rebuild(Session(bind=bind))
    op.execute("DROP TABLE IF EXISTS search_text")


def downgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "search_text",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"], ondelete="CASCADE",
                                name=op.f("fk_search_text_consultation_id_consultation")),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_search_text")),
    )
    session = Session(bind=bind)
    search.fill_search_text(session)
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
        for statement in search.SQLITE_DDL_0018:
            op.execute(statement)
        search.rebuild_0018(session)
