"""What every part of the demo generator shares: the ward's clock and a fast weighted choice."""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import time, timedelta
from typing import Any

from sqlalchemy import insert
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
    return list(session.scalars(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all())
