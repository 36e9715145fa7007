"""Recompute every person's name and reading keys with the published 旧字体 table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30

The duplicate check compares ``person.name_key`` / ``reading_key``; their folding now takes
kyujipy's 旧字体・新字体 table, strips invisible characters, and folds reading spellings
(small kana, 長音, ぢ/じ …). Keys stored by the older folding would miss those duplicates, so
they are recomputed once here (the stored names and readings are unchanged). This migration
calls the program's own ``domain.kana`` on purpose: the keys must be what the program computes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from setacare_desktop.domain.kana import name_key, reading_key

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    person = sa.table("person", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("reading", sa.String), sa.column("name_key", sa.String),
                      sa.column("reading_key", sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(person.c.id, person.c.name, person.c.reading,
                                      person.c.name_key, person.c.reading_key)
                            .where(person.c.id > last).order_by(person.c.id)
                            .limit(_BATCH)).all()
        if not rows:
            return
        changed = [{"pid": pid, "nk": name_key(name or ""), "rk": reading_key(reading or "")}
                   for pid, name, reading, nk, rk in rows
                   if (name_key(name or ""), reading_key(reading or "")) != (nk, rk)]
        if changed:
            bind.execute(person.update().where(person.c.id == sa.bindparam("pid"))
                         .values(name_key=sa.bindparam("nk"), reading_key=sa.bindparam("rk")),
                         changed)
        last = rows[-1][0]


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported: restore the pre-upgrade backup")
