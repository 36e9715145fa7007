"""Statistics at ward scale: ``services.stats.compute`` over two million consultations.

    python bench/stats_bench.py [--cases 2000000] [--cache DIR] [--rebuild] [--runs 5]

Builds (once; then reused from the cache directory, default ``/tmp/setacare-stats-bench``) a SQLite
database through ``Database.open`` (so the schema, indexes and pragmas are the program's own) and
fills it with synthetic consultations over ten fiscal years (FY2016–FY2025) across the 28
districts: organisation kinds weighted like the ward's figures (seed 002: あんしん ≫ まちづくり ≈
社協), one to three target groups, zero to three elements, channels, responses (some blank), and
referrals for about one consultation in twelve. Rows go in through the sqlite3 module with
``executemany`` (no personal data is needed for statistics; ``main_complaint`` is a fixed text).

The statistics summary (``store.stats_summary``, migration 0017) is then counted once from those
rows, as the migration's backfill does (its time is printed).

Then it prints the median of ``--runs`` calls of ``compute`` (all dimensions, the whole ward, as an
administrator) for one fiscal year, one month and one day, which read the summary; and, for the
fiscal year, the time of the summary read alone, how many summary rows it reads, and whether
they equal a full count of the consultations. It never asserts.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.stats import Period
from setacare_desktop.services import Database, stats
from setacare_desktop.services.staff import NewStaff, add_staff
from setacare_desktop.store import stats_summary

SEED = 20261125
FIRST_DAY = date(2016, 4, 1)
LAST_DAY = date(2026, 3, 31)
CHUNK = 50_000
KIND_WEIGHTS = {"anshin": 90, "machizukuri": 3, "shakyo": 3, "jidokan": 2, "branch": 2}
TARGET_WEIGHTS = {"elderly": 80, "disability": 6, "child": 5, "youth": 2, "poverty": 4,
                  "other": 3}
STATUSES = ("created", "sent", "accepted", "in_progress", "done", "declined", "withdrawn")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime format


def build(path: Path, total: int) -> None:
    db = Database.open(f"sqlite:///{path}")
    try:
        add_staff(db, None, NewStaff("bench-admin", "ベンチ 管理者", "管理者", "世田谷", "総合支所",
                                     "bench-pass-123", False))
    finally:
        db.close()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -1000000")
    staff_id = con.execute("SELECT id FROM staff").fetchone()[0]
    orgs: dict[tuple[str, str], int] = {}
    for org_id, kind, district, area in con.execute(
            "SELECT id, kind, district_code, area_code FROM organisation"):
        if district is None:
            for d in ref.DISTRICTS:
                if d.area_code == area:
                    orgs[(d.code, kind)] = org_id
        else:
            orgs[(district, kind)] = org_id
    services = [row[0] for row in con.execute("SELECT id FROM dir_service")]
    rng = random.Random(SEED)
    districts = [d.code for d in ref.DISTRICTS]
    kinds, kind_w = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    targets, target_w = list(TARGET_WEIGHTS), list(TARGET_WEIGHTS.values())
    elements = [e.code for e in ref.ELEMENTS]
    channels = [c.code for c in ref.CHANNELS]
    responses = [r.code for r in ref.RESPONSES] + [None]
    span = (LAST_DAY - FIRST_DAY).days + 1
    started = time.perf_counter()
    for first in range(1, total + 1, CHUNK):
        cases, groups, elems, refs = [], [], [], []
        for cid in range(first, min(first + CHUNK, total + 1)):
            day = FIRST_DAY + timedelta(days=(cid - 1) * span // total)
            moment = datetime(day.year, day.month, day.day, 9 + rng.randrange(8),
                              rng.randrange(60))
            district = rng.choice(districts)
            kind = rng.choices(kinds, kind_w)[0]
            stamp = _stamp(moment)
            cases.append((cid, stamp, day.isoformat(), rng.choice(channels), "self", district,
                          orgs[(district, kind)], staff_id, "（ベンチ）", rng.choice(responses),
                          False, stamp, stamp))
            chosen = set(rng.choices(targets, target_w, k=rng.choice((0, 1, 1, 1, 1, 1, 2, 3))))
            groups += [(cid, code) for code in chosen]
            elems += [(cid, code) for code in rng.sample(elements, rng.choice((0, 1, 1, 2, 3)))]
            if rng.random() < 1 / 12:
                due = day + timedelta(days=rng.randrange(3, 30))
                refs.append((cid, rng.choice(services), day.isoformat(), "phone", "（ベンチ）",
                             staff_id, due.isoformat(), rng.choice(STATUSES), "", True,
                             "anonymised", "", stamp, stamp))
        con.execute("BEGIN")
        con.executemany("INSERT INTO consultation (id, received_at, received_on, channel_code, "
                        "consulter_kind_code, district_code, organisation_id, staff_id, "
                        "main_complaint, response_code, urgent, created_at, updated_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", cases)
        con.executemany("INSERT INTO consultation_target_group (consultation_id, code) "
                        "VALUES (?,?)", groups)
        con.executemany("INSERT INTO consultation_element (consultation_id, code) VALUES (?,?)",
                        elems)
        con.executemany("INSERT INTO referral (consultation_id, service_id, referred_on, method, "
                        "request, staff_id, reply_due, status, status_reason, anonymised, basis, "
                        "basis_note, created_at, updated_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", refs)
        con.execute("COMMIT")
        print(f"    … {min(first + CHUNK - 1, total):,} consultations "
              f"({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    con.execute("PRAGMA journal_mode = WAL")
    con.close()
    db = Database.open(f"sqlite:///{path}")
    try:
        started = time.perf_counter()
        with db.transaction() as session:
            stats_summary.rebuild(session)
        print(f"    summary counted in {time.perf_counter() - started:.1f} s", file=sys.stderr,
              flush=True)
        with db.transaction() as session:
            session.execute(text("ANALYZE"))
    finally:
        db.close()


def _median_ms(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2_000_000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/setacare-stats-bench"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    path = args.cache / f"stats-{args.cases}.db"
    if args.rebuild or not path.exists():
        path.unlink(missing_ok=True)
        print(f"building {args.cases:,} consultations in {path} …", flush=True)
        started = time.perf_counter()
        build(path, args.cases)
        print(f"built in {time.perf_counter() - started:.0f} s "
              f"({path.stat().st_size / 1e6:,.0f} MB)", flush=True)
    else:
        print(f"reusing {path} ({path.stat().st_size / 1e6:,.0f} MB)", flush=True)
    db = Database.open(f"sqlite:///{path}")
    try:
        from setacare_desktop.services import auth

        admin = auth.login(db, "bench-admin", "bench-pass-123")
        cases = [("fiscal year 2024 (all dimensions)", Period.fiscal_year(2024)),
                 ("month 2024-11", Period.month(2024, 11)),
                 ("day 2024-11-25", Period.day(date(2024, 11, 25)))]
        now = datetime(2026, 4, 1, 9, 0)
        for label, period in cases:
            times = []
            report = None
            for _ in range(args.runs):
                started = time.perf_counter()
                report = stats.compute(db, admin, period, now=now)
                times.append(time.perf_counter() - started)
            assert report is not None
            print(f"{label:36s} median {statistics.median(times) * 1000:8.1f} ms  "
                  f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}; "
                  f"{report.total:,} consultations)", flush=True)
        year = Period.fiscal_year(2024)

        def summary_read() -> object:
            with db.read() as session:
                return stats_summary.margins(session, year.start, year.end, None)

        print(f"{'  of which the summary read':36s} median "
              f"{_median_ms(summary_read, args.runs):8.1f} ms", flush=True)
        started = time.perf_counter()
        summary = summary_read()
        with db.read() as session:
            same = summary == stats_summary.counted(session, year.start, year.end, None)
            rows = session.scalar(text(
                "SELECT count(*) FROM stats_count WHERE (span = 'm' AND day BETWEEN :a AND :b)"),
                {"a": year.start, "b": year.end})
        print(f"  summary rows read for the fiscal year: {rows:,}; equal to a full count "
              f"of the consultations: {same} (checked in {time.perf_counter() - started:.1f} s)",
              flush=True)
        district = ref.DISTRICTS[0].code
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            stats.compute(db, admin, Period.fiscal_year(2024), district_codes=[district], now=now)
            times.append(time.perf_counter() - started)
        print(f"{'fiscal year 2024, one district':36s} median "
              f"{statistics.median(times) * 1000:8.1f} ms", flush=True)
        auth.logout(db, admin)
    finally:
        db.close()


if __name__ == "__main__":
    main()
