"""Consultation search on a ward-sized database: the five query kinds, their floor, the size.

    python bench/intake_bench.py --persons 100000 --cases 2000000 --keep DIR   # build once
    python bench/search_bench.py DIR/bench.db [--runs 30] [--profile]

Times ``services.search.search`` (the whole use case: scope, visibility, the page's rows, the
audit row and its commit) for the five query kinds of ``intake_bench.SEARCHES`` and a 1-char one as the 池尻 clerk
that ``intake_bench`` creates, next to the floor (the bare index query in sqlite3, the same run),
and prints the database size with the share of each table and index (``dbstat``). With
``--profile`` it also prints a cProfile of the common word's search and the query plan of the
index query. It also times a bare write transaction with one audit row: every search writes
one (docs/privacy.md), so its durable commit (synchronous=FULL) is part of any search's time.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import select

from setacare_desktop.domain.kana import search_words
from setacare_desktop.domain.roles import readable_districts
from setacare_desktop.services import Database, audit
from setacare_desktop.services.auth import login
from setacare_desktop.services.search import search
from setacare_desktop.store import search as search_store
from setacare_desktop.store.models import Staff

SEARCHES = [  # (label, query): the kinds of intake_bench.SEARCHES
    ("common 3-char", "物忘れ"),
    ("rare 3-char", "後見人"),
    ("absent 3-char", "宇宙船"),
    ("2-char (common)", "介護"),
    ("2-char (rare)", "後見"),
    ("1-char", "林"),
]


def _median_ms(call: object, runs: int) -> float:
    return _medians(call, runs)[0]


def _medians(call: object, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in ms (on a shared machine the
    wall time also counts waiting for a core; the CPU time does not, nor waiting for fsync)."""
    walls, cpus = [], []
    for _ in range(runs):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        call()  # type: ignore[operator]
        walls.append(time.perf_counter() - begin)
        cpus.append(time.process_time() - begin_cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def sizes(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        total = sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
        free = (connection.execute("PRAGMA freelist_count").fetchone()[0]
                * connection.execute("PRAGMA page_size").fetchone()[0])
        print(f"\ndatabase size: {total / 1e9:.3f} GB ({path.name}), of which free pages "
              f"{free / 1e9:.3f} GB (a migration leaves them; VACUUM gives them back: "
              f"{(total - free) / 1e9:.3f} GB)")
        try:
            rows = connection.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        except sqlite3.OperationalError:
            print("  (this sqlite3 has no dbstat)")
            return
        for name, size in rows[:14]:
            print(f"  {name:<44}{size / 1e6:10.1f} MB")
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--no-sizes", action="store_true")
    args = parser.parse_args(argv)
    db = Database.open(f"sqlite:///{args.database}")
    try:
        actor = login(db, "bench", "bench-password-1")
        districts = readable_districts(actor)
        with db.read() as session:
            count = session.scalar(select(Staff.id).order_by(Staff.id.desc()).limit(1))
        print(f"search bench on {args.database} (SQLite {sqlite3.sqlite_version}, "
              f"Python {sys.version.split()[0]}, staff rows {count})")
        floor_db = sqlite3.connect(args.database)

        def audited() -> None:  # what every search writes: one audit row, one durable commit
            with db.transaction() as session:
                audit.record(session, actor, "consultation_search", detail="bench floor")

        audited()
        wall, cpu = _medians(audited, args.runs)
        print(f"  a write transaction with one audit row (every search has one): "
              f"{wall:.2f} ms median (CPU {cpu:.2f} ms)")
        print(f"  {'query':<24}{'search()':>10}{'(CPU)':>10}{'floor':>10}{'hits':>6}")
        for label, query in SEARCHES:
            words = search_words(query)
            sql, params = search_store.floor_query(words, districts, actor.organisation_id, 100)
            search(db, actor, query)
            floor_db.execute(sql, params).fetchall()
            service, cpu = _medians(lambda q=query: search(db, actor, q), args.runs)
            floor = _median_ms(lambda s=sql, p=params: floor_db.execute(s, p).fetchall(),
                               args.runs)
            hits = len(search(db, actor, query)[1])
            print(f"  {label:<16}「{query}」{service:8.2f} ms{cpu:8.2f} ms{floor:8.2f} ms{hits:>6}")
        if args.profile:
            query = SEARCHES[0][1]
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(20):
                search(db, actor, query)
            profile.disable()
            print(f"\ncProfile, 20 × search(「{query}」), by cumulative time:")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            sql, params = search_store.floor_query(search_words(query), districts,
                                                  actor.organisation_id, 100)
            print("EXPLAIN QUERY PLAN of the index query:")
            for row in floor_db.execute("EXPLAIN QUERY PLAN " + sql, params):
                print("  ", row)
        floor_db.close()
    finally:
        db.close()
    if not args.no_sizes:
        sizes(args.database)


if __name__ == "__main__":
    main()
