"""The offline day package: time to export one district's day and one area's month, with the
default scrypt cost, and the key derivation on its own.

    python bench/package_bench.py [--cases 16000] [--days 21] [--runs 3]

Demo data (about one ward month: ~16,000 consultations over 21 working days) goes into a
throw-away SQLite database; then ``services.package.export_package`` runs as the district's
supervisor (池尻, the last working day) and as the area branch's supervisor (世田谷地域, the whole
month). Median of ``--runs`` runs, the file sizes, and an open (decrypt and parse) of the month.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from setacare_desktop.domain.reference import OrgKind
from setacare_desktop.services import Database, auth, demo, package

T = TypeVar("T")
PASSPHRASE = "a long passphrase for the bench"


def _median(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    times: list[float] = []
    result: T | None = None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    assert result is not None
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=16_000)
    parser.add_argument("--days", type=int, default=21)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            started = time.perf_counter()
            report = demo.generate(db, cases=args.cases, days=args.days)
            print(f"demo data: {report.consultations:,} consultations over "
                  f"{report.working_days} working days ({time.perf_counter() - started:.1f} s)")
            assert report.first_day is not None and report.last_day is not None
            district = auth.login(db, demo.district_supervisor_login("ikejiri"),
                                  demo.DEMO_PASSWORD)
            area = auth.login(db, demo.demo_login(OrgKind.BRANCH, "supervisor", "setagaya"),
                              demo.DEMO_PASSWORD)

            seconds, _key = _median(args.runs, lambda: package._new_key(PASSPHRASE))
            print(f"scrypt key (n=2**16, r=8, p=1): {seconds * 1000:.0f} ms")
            salt = secrets.token_bytes(16)
            seconds, _raw = _median(args.runs,
                                    lambda: package._derive(PASSPHRASE, salt, 2**12, 8, 1))
            print(f"  n=2**12 (the tests): {seconds * 1000:.1f} ms")

            last = report.last_day
            seconds, day = _median(args.runs, lambda: package.export_package(
                db, district, last, last, "ikejiri", PASSPHRASE, today=last,
                password=demo.DEMO_PASSWORD))
            print(f"district day (池尻 {last}): {seconds * 1000:.0f} ms, "
                  f"{day.consultations:,} consultations, {len(day.data) / 1024:.1f} KiB")

            first = report.first_day
            seconds, month = _median(args.runs, lambda: package.export_package(
                db, area, first, last, "setagaya", PASSPHRASE, today=last,
                password=demo.DEMO_PASSWORD))
            print(f"area month (世田谷地域 {first}..{last}): {seconds:.2f} s, "
                  f"{month.consultations:,} consultations over {len(month.days)} days, "
                  f"{len(month.data) / 1024 / 1024:.2f} MiB")

            seconds, opened = _median(args.runs, lambda: package.open_package(month.data,
                                                                              PASSPHRASE))
            print(f"open the area month (decrypt + parse): {seconds:.2f} s, "
                  f"{sum(len(d.rows) for d in opened.days()):,} rows")
        finally:
            db.close()


if __name__ == "__main__":
    main()
