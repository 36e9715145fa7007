"""What every part of the demo generator shares: the ward's clock and a fast weighted choice."""

from __future__ import annotations

import bisect
import functools
import gc
import itertools
import random
import time as clock
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Dialect, Table, func, insert, select, text
from sqlalchemy.orm import Session

from setacare_desktop.store.models import Base

#: Consultations written per bulk insert; bounds memory for very large runs.
BATCH = 10_000

UTC_OFFSET = timedelta(hours=9)  # the ward's local time (JST) is UTC+9, no daylight saving
OPENING = time(8, 30)
CLOSING = time(17, 15)


@dataclass(frozen=True, slots=True)
class Org:
    """What the generator reads of an organisation, copied once: reading an attribute of the
    ORM object costs twenty times more, and the generator reads them millions of times."""

    id: int
    kind: str
    district_code: str | None
    area_code: str | None

    @classmethod
    def of(cls, org: Any) -> Org:
        return cls(org.id, org.kind, org.district_code, org.area_code)


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


def working_days(last: date, count: int) -> list[date]:
    """The ``count`` working days (Monday–Friday) up to and including ``last``, oldest first.

    Public holidays are not skipped: demo data does not need the holiday calendar.
    """
    days: list[date] = []
    day = last
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days[::-1]


def days_covered(now: datetime, days: int) -> tuple[list[date], float]:
    """The working days a fill of ``days`` days up to ``now`` covers, and the share of the
    last one that has passed. The last day is today unless the window has not opened yet (or
    it is a weekend)."""
    last = now.date()
    day_list = working_days(last, days)
    today_share = 1.0
    if day_list[-1] == last:
        open_seconds = seconds(CLOSING) - seconds(OPENING)
        elapsed = (now - datetime.combine(last, OPENING)).total_seconds()
        if elapsed <= 0:
            day_list = working_days(last - timedelta(days=1), days)
        else:
            today_share = min(1.0, elapsed / open_seconds)
    return day_list, today_share


class Phases:
    """Wall-clock and CPU seconds spent in each phase of a fill, in the order first entered
    (``setacare demo`` prints them for a large demo; the benches read them)."""

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self.spent.setdefault(name, [0.0, 0.0])  # listed where it starts
        since = self.mark()
        try:
            yield
        finally:
            self.add(name, since)

    def add(self, name: str, since: tuple[float, float]) -> None:
        """Count the time from ``since`` (a :meth:`mark`) to now as ``name``."""
        spent = self.spent.setdefault(name, [0.0, 0.0])
        spent[0] += clock.perf_counter() - since[0]
        spent[1] += clock.process_time() - since[1]

    @staticmethod
    def mark() -> tuple[float, float]:
        return clock.perf_counter(), clock.process_time()

    def report(self) -> tuple[tuple[str, float, float], ...]:
        """(phase, wall seconds, CPU seconds) of each phase."""
        return tuple((name, wall, cpu) for name, (wall, cpu) in self.spent.items())


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a fill generates (reference counting still frees
    what is dropped).

    A large fill holds millions of live objects (the persons met so far, the rows of a batch),
    and each full collection walks all of them again: at 400,000 consultations the collector
    was a third of the generator's time, and it grows with the fill. The fill makes few
    cycles; whatever it made is collected once the collector is back."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


Converter = Callable[[Any], Any]


def _memo(convert: Converter) -> Converter:
    """``convert`` remembering what it gave: a bulk load repeats its dates and times, and the
    SQLite types format them in Python (a JSON list is remembered by its items)."""
    cache: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        key = tuple(value) if type(value) is list else value
        try:
            return cache[key]
        except KeyError:
            if len(cache) > 100_000:
                cache.clear()
            result = cache[key] = convert(value)
            return result

    return remembered


@functools.cache
def _sqlite_plan(table: Table, names: tuple[str, ...], dialect: Dialect
                 ) -> tuple[str, list[tuple[int, Converter]], tuple[Any, ...]] | None:
    """(INSERT statement, (position, converter) of the values to convert, the converted
    constant defaults of the columns left out) for a plain DB-API executemany on SQLite, or None
    when a left-out column has a computed default (only SQLAlchemy's insert() gives it)."""
    extra = [c for c in table.c if c.name not in names and c.default is not None]
    if any(not c.default.is_scalar for c in extra):  # type: ignore[union-attr]
        return None
    columns = [table.c[name] for name in names] + extra
    sql = (f"INSERT INTO {table.name} ({', '.join(c.name for c in columns)}) "
           f"VALUES ({', '.join('?' for _ in columns)})")
    processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    converters = [(i, _memo(f)) for i, f in enumerate(processors[:len(names)]) if f]
    tail = tuple(f(c.default.arg) if f else c.default.arg  # type: ignore[union-attr]
                 for f, c in zip(processors[len(names):], extra, strict=True))
    return sql, converters, tail


class Shipment:
    """Stands in for the session in a worker process (``worker.pipelined``): the rows of each
    insert, converted as :func:`bulk_insert` converts them, go to the parent, which writes them
    in its transaction; ids follow the highest ones the parent read before the worker began."""

    def __init__(self, send: Callable[[Any], None], dialect: Dialect,
                 next_ids: dict[str, int]) -> None:
        self.send, self.dialect, self.next_ids = send, dialect, dict(next_ids)

    def take_ids(self, table: Table, count: int) -> list[int]:
        first = self.next_ids[table.name]
        self.next_ids[table.name] = first + count
        return list(range(first, first + count))


#: Where the demo's rows go: the fill's session, or a worker's shipment to it.
Target = Session | Shipment


def bulk_insert(session: Target, table: Any, rows: list[dict[str, Any]],
                ids: list[int] | None = None) -> None:
    """Insert ``rows`` (dicts with the same keys), with ``ids`` if given, in one executemany.

    On SQLite the rows go to the DB-API's executemany as tuples, converted by the column types'
    own bind processors and completed with the columns' constant defaults, so the file holds
    what ``session.execute(insert(table), rows)`` writes (``tests/services/test_demo.py`` pins
    it) without SQLAlchemy building a parameter dict per row, a fifth of a large fill. On
    PostgreSQL SQLAlchemy's insert batches the rows itself (insertmanyvalues).
    """
    if not rows:
        return
    dialect = session.dialect if isinstance(session, Shipment) else session.get_bind().dialect
    keys = tuple(rows[0])
    names = (("id",) if ids is not None else ()) + keys
    plan = _sqlite_plan(table, names, dialect) if dialect.name == "sqlite" else None
    if plan is None:
        assert isinstance(session, Session), f"{table.name}: not shipped plainly"
        session.execute(insert(table), rows if ids is None else [
            {"id": i, **row} for i, row in zip(ids, rows, strict=True)])
        return
    sql, converters, tail = plan
    if tuple(rows[-1]) != keys:
        raise ValueError(f"{table.name}: rows with different columns in one bulk insert")
    width = len(keys)
    if any(len(row) != width for row in rows):
        raise ValueError(f"{table.name}: rows with different columns in one bulk insert")
    # The rows come from one dict display each (same keys, same order): their values are the
    # columns in ``keys`` order.
    if ids is None:
        values = [tuple(row.values()) for row in rows]
    else:
        values = [(i, *row.values()) for i, row in zip(ids, rows, strict=True)]
    values = _converted(values, converters, tail)
    if isinstance(session, Shipment):
        # Converted here: the fill only writes them (write_shipped). A converted value is the
        # same object wherever it repeats (the converters remember), which pickle sends once.
        session.send(("rows", table.name, names, values))
    else:
        session.connection().exec_driver_sql(sql, values)


def write_shipped(session: Session, table_name: str, names: tuple[str, ...],
                  values: list[tuple[Any, ...]]) -> None:
    """Write rows a worker's :func:`bulk_insert` shipped, converted as it converts them
    in-process."""
    plan = _sqlite_plan(Base.metadata.tables[table_name], names, session.get_bind().dialect)
    assert plan is not None, table_name
    session.connection().exec_driver_sql(plan[0], values)


def as_shipped(session: Session, column: Any, value: Any) -> Any:
    """``value`` of ``column`` as :func:`bulk_insert` sends it to the DB-API."""
    dialect = session.get_bind().dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process else value


def _converted(values: list[tuple[Any, ...]], converters: list[tuple[int, Converter]],
               tail: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """Rows as the DB-API takes them: the fields with a converter converted, then the
    constant defaults of the columns left out."""
    if not converters and not tail:
        return values
    return [_row(list(row), converters, tail) for row in values]


def _row(fields: list[Any], converters: list[tuple[int, Converter]],
         tail: tuple[Any, ...]) -> tuple[Any, ...]:
    for i, convert in converters:
        fields[i] = convert(fields[i])
    return (*fields, *tail)


def insert_returning_ids(session: Target, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` with one executemany and return their ids, in order.

    The ids are given here, following the highest one (the fill holds the write lock, so they
    are the ids the database would have given): ``INSERT … RETURNING`` one row at a time cost a
    third of the fill. :func:`advance_id_sequences` then tells PostgreSQL's sequences.
    """
    if isinstance(session, Shipment):
        ids = session.take_ids(table, len(rows))
    else:
        first = next_id(session, table)
        ids = list(range(first, first + len(rows)))
    bulk_insert(session, table, rows, ids)
    return ids


def next_id(session: Session, table: Any) -> int:
    """The id the next row of ``table`` gets (the fill holds the write lock)."""
    return (session.scalar(select(func.max(table.c.id))) or 0) + 1


def advance_id_sequences(session: Session, tables: list[Any]) -> None:
    """On PostgreSQL, move each table's id sequence past the ids :func:`insert_returning_ids`
    gave, so that the next row a service inserts gets a fresh id (SQLite needs nothing)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"))
