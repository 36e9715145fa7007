"""What every part of the demo generator shares: the ward's clock and a fast weighted choice."""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

#: Consultations written per bulk insert; bounds memory for very large runs.
BATCH = 10_000

UTC_OFFSET = timedelta(hours=9)  # the ward's local time (JST) is UTC+9, no daylight saving
OPENING = time(8, 30)
CLOSING = time(17, 15)


class Pick:
    """Weighted choice from fixed weights, with the cumulative sums computed once."""

    def __init__(self, weights: dict[Any, float]) -> None:
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.keys[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def insert_returning_ids(session: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` with one executemany and return their ids, in order.

    The ids are given here, following the highest one (the fill holds the write lock, so they
    are the ids the database would have given): ``INSERT … RETURNING`` one row at a time cost a
    third of the fill. :func:`advance_id_sequences` then tells PostgreSQL's sequences.
    """
    first = (session.scalar(select(func.max(table.c.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    if rows:
        session.execute(insert(table), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


def advance_id_sequences(session: Session, tables: list[Any]) -> None:
    """On PostgreSQL, move each table's id sequence past the ids :func:`insert_returning_ids`
    gave, so that the next row a service inserts gets a fresh id (SQLite needs nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"))
