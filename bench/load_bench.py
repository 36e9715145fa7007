"""A ward server under load: many counters at once on one PostgreSQL, and a small office on SQLite.

    python bench/load_bench.py [--backend postgresql|sqlite|both] [--seconds 60] [--clients N]
                               [--cases 20000] [--think 10] [--url postgresql+psycopg://…]

PostgreSQL: a throw-away database is created on the server of ``--url`` (default
``SETACARE_TEST_POSTGRES_URL``, the server ``.ci/run`` starts; loopback only), migrated by
``Database.open`` and filled by the demo (``services.demo.generate``: 28 districts, their
organisations and staff, ``--cases`` consultations with persons, consents and referrals). Then
``--clients`` clients (default 100) log in as demo staff of the 28 districts, round robin, and
work for ``--seconds`` (default 60): each is a thread with its own ``Database`` (its own
connections), spread over a few processes. Each does, with a think time (exponential, mean
``--think`` seconds) between operations, a realistic mix through the services only:

- 検索 ``services.search.search`` of a common, rare or 1-character word;
- 開く ``services.intake.load_intake`` of one of the organisation's cases;
- 保存 ``services.intake.record_intake`` of a new consultation with a person;
- つなぎ ``referrals.record_destination_consent`` + ``referrals.create_referral`` on a case the
  client saved;
- 印刷 ``sheets.issue_liaison_sheet`` of one of its referrals, to a PDF file;
- 統計 ``stats.compute`` of the month (district supervisors only; every 7th client is one).

Printed: per operation the count, p50, p95 and max of its wall time (after a 5 s warm-up that is
not timed), the error count (each error's type once) and the throughput. Here the clients and the
server share this machine's cores (and each process's threads one GIL), so a wall time also holds
the time an operation waited for *other* clients' Python: 100 real counters each have their own
PC. So each operation's time is also split, as measured on its own thread: ``CPU`` is its own
Python's CPU time (``time.thread_time``: what its own PC would spend), ``DB`` the time it spent in
the database driver (statements, commits, pings: the server's work, the network and the lock
waits, plus any wait for the GIL or a core after the reply came back, so an over-estimate here),
and ``PC+DB`` their sum, the figure of one counter on its own PC against this server (an upper
bound of it, as ``DB`` includes the shared machine's waits). ``lock`` is the part of ``DB`` spent
appending to the audit chain (PostgreSQL: the round trip of ``audit_event_append``, which waits
for the chain's lock, then inserts the transaction's audit rows; every audited transaction of the
ward takes that lock, just before its commit, until the commit), ``held`` how long the operation
held that lock before its commit began (what it makes the others wait beyond its commit).
Then the same for one SQLite file shared by ``--sqlite-clients`` (default 8) clients. The run
is bounded in time (``--seconds``) and count (``--clients``); the database is dropped (or the
file deleted) afterwards. PostgreSQL's ``max_connections`` is shared with other users of the
server: when the clients could not each keep a connection below it, the clients of each process
share a pool of what is left (``--connections``, printed). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, select
from sqlalchemy.pool import NullPool

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.consent import ConsentEntry, Giver, Method, Purpose
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.referral import ReferralMethod
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.stats import Period
from setacare_desktop.services import Database, directory, intake, referrals, sheets, stats
from setacare_desktop.services.auth import login
from setacare_desktop.services.search import search
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store.models import Consultation, Staff

DEFAULT_PG = "postgresql+psycopg://setacare_ci:setacare_ci@127.0.0.1:5432/postgres"
DEMO_PASSWORD = "demo-pass-2026"
OPERATIONS = ("検索", "開く", "保存", "つなぎ", "印刷", "統計")
#: (operation, weight) for a counter or consultant; supervisors replace 保存/つなぎ/印刷 by 統計.
MIX = (("検索", 35), ("開く", 25), ("保存", 20), ("つなぎ", 10), ("印刷", 10))
SUPERVISOR_MIX = (("検索", 40), ("開く", 40), ("統計", 20))
WORDS = ("物忘れ", "介護", "家賃", "見守り", "認知症", "後見人", "就労", "不登校", "林", "佐藤",
         "ひきこもり", "宇宙船")
SUPERVISOR_EVERY = 7
WARM_UP = 5.0  # seconds of work before the timed run (errors are counted from the start)


@dataclass
class Client:
    login: str
    supervisor: bool
    case_ids: list[int]


def _per_op() -> dict[str, list[float]]:
    return {op: [] for op in OPERATIONS}


@dataclass
class Result:
    times: dict[str, list[float]] = field(default_factory=_per_op)
    cpu: dict[str, list[float]] = field(default_factory=_per_op)  # own Python, this thread
    db: dict[str, list[float]] = field(default_factory=_per_op)  # inside the database driver
    chain: dict[str, list[float]] = field(default_factory=_per_op)  # of it: the audit lock
    held: dict[str, list[float]] = field(default_factory=_per_op)  # the lock held, to commit
    errors: dict[str, int] = field(default_factory=dict)
    first_error: dict[str, str] = field(default_factory=dict)

    def merge(self, other: Result) -> None:
        for op in OPERATIONS:
            self.times[op].extend(other.times[op])
            self.cpu[op].extend(other.cpu[op])
            self.db[op].extend(other.db[op])
            self.chain[op].extend(other.chain[op])
            self.held[op].extend(other.held[op])
        for key, count in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + count
            self.first_error.setdefault(key, other.first_error[key])


# --- set-up --------------------------------------------------------------------------------------


def _clients(db: Database, count: int) -> list[Client]:
    """Demo logins over the 28 districts, round robin; every 7th a district supervisor."""
    with db.read() as session:
        logins = set(session.scalars(select(Staff.login).where(Staff.active)))
        cases: dict[int, list[int]] = {}
        for cid, org in session.execute(select(Consultation.id, Consultation.organisation_id)):
            cases.setdefault(org, []).append(cid)
        org_of = dict(session.execute(select(Staff.login, Staff.organisation_id)).all())
    districts = [d.code for d in ref.DISTRICTS]
    kinds = ("anshin-counter", "anshin-consultant", "machi-counter", "shakyo-counter",
             "anshin-consultant2", "machi-consultant", "shakyo-consultant", "anshin-consultant3")
    result = []
    for i in range(count):
        district = districts[i % len(districts)]
        if i % SUPERVISOR_EVERY == SUPERVISOR_EVERY - 1:
            name = f"demo-{district}-supervisor"
            name = name if name in logins else next(x for x in sorted(logins)
                                                    if x.startswith(f"demo-{district}")
                                                    and "supervisor" in x)
            supervisor = True
        else:
            name = f"demo-{district}-{kinds[(i // len(districts)) % len(kinds)]}"
            supervisor = False
        if name not in logins:
            raise SystemExit(f"no demo account {name}")
        result.append(Client(name, supervisor, cases.get(org_of[name], [])[-2000:]))
    return result


def _databases(url: str, mode: str, count: int, pool: int) -> list[Database]:
    """The ``Database`` of each of a process's ``count`` clients. ``own``: each its own engine
    and connection; ``per-op``: each its own engine, a new connection per operation; ``pool``:
    each its own ``Database`` over one engine of ``pool`` connections shared in the process."""
    if make_url(url).get_backend_name() == "sqlite" or mode == "own":
        return [Database.connect(url) for _ in range(count)]
    if mode == "per-op":
        return [Database(create_engine(url, poolclass=NullPool, hide_parameters=True))
                for _ in range(count)]
    engine = create_engine(url, pool_size=pool, max_overflow=0, pool_timeout=60,
                           hide_parameters=True)
    return [Database(engine) for _ in range(count)]


_DRIVER = threading.local()  # this thread's time inside the database driver (.seconds), and
# of it in the statement that waits for the audit chain's lock (.chain, PostgreSQL)


def _add_driver_time(started: float, chain: bool = False) -> None:
    spent = time.perf_counter() - started
    _DRIVER.seconds = getattr(_DRIVER, "seconds", 0.0) + spent
    if chain:
        _DRIVER.chain = getattr(_DRIVER, "chain", 0.0) + spent


def _timed(call: Callable[..., Any]) -> Callable[..., Any]:
    def timed(connection: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:  # SQLAlchemy's (a dict), not the driver's; the pool's ad hoc proxy has none
            info = connection.info
        except (AttributeError, NotImplementedError):
            info = None
        locked = info.pop("bench_locked", None) if isinstance(info, dict) else None
        if locked is not None:  # the audit chain's lock is held until this commit or rollback
            _DRIVER.held = getattr(_DRIVER, "held", 0.0) + started - locked
        try:
            return call(connection, *args, **kwargs)
        finally:
            _add_driver_time(started)
    return timed


def _instrument(engine: Engine) -> None:
    """Count the time each thread spends in the driver: statements (cursor events), and the
    commits, rollbacks and pre-pings that run outside them (this engine's dialect only)."""
    dialect = engine.dialect
    if dialect.name == "postgresql":
        pg_store.install_commit_flush(dialect)  # (what the first audit append does): timed too
    for name in ("do_commit", "do_rollback", "do_ping"):
        setattr(dialect, name, _timed(getattr(dialect, name)))

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any,
                executemany: bool) -> None:
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: Any, parameters: Any, context: Any,
               executemany: bool) -> None:
        chain = pg_store.AUDIT_APPEND_FUNCTION in statement
        _add_driver_time(conn.info.pop("bench_started"), chain)
        if chain:
            conn.info.setdefault("bench_locked", time.perf_counter())


# --- a client ------------------------------------------------------------------------------------


class Worker:
    def __init__(self, db: Database, client: Client, actor: StaffProfile, seed: int,
                 folder: Path, service_id: int) -> None:
        self.db = db
        self.client, self.actor = client, actor
        self.rng = random.Random(seed)
        self.folder, self.service_id = folder, service_id
        self.mine: list[int] = []  # cases this client saved (with a person)
        self.referrals: list[int] = []
        self.district_name = ref.DISTRICTS_BY_CODE[actor.district_code or "ikejiri"].name

    def run(self, until: float, warm: float, think: float, result: Result) -> None:
        mix = SUPERVISOR_MIX if self.client.supervisor else MIX
        ops, weights = [m[0] for m in mix], [m[1] for m in mix]
        time.sleep(self.rng.uniform(0, think))  # clients do not start in step
        while time.monotonic() < until:
            op = self.rng.choices(ops, weights)[0]
            call = self._call(op)
            _DRIVER.seconds = _DRIVER.chain = _DRIVER.held = 0.0
            cpu = time.thread_time()
            started = time.perf_counter()
            try:
                call()
            except Exception as error:  # counted and reported, never ends the run
                key = f"{op}: {type(error).__name__}"
                result.errors[key] = result.errors.get(key, 0) + 1
                result.first_error.setdefault(key, "".join(
                    traceback.format_exception_only(error)).strip()[:300])
            else:
                if time.monotonic() >= warm:  # the first seconds import and compile: not counted
                    result.times[op].append(time.perf_counter() - started)
                    result.cpu[op].append(time.thread_time() - cpu)
                    result.db[op].append(_DRIVER.seconds)
                    result.chain[op].append(_DRIVER.chain)
                    result.held[op].append(_DRIVER.held)
            pause = self.rng.expovariate(1 / think) if think > 0 else 0
            time.sleep(max(0.0, min(pause, until - time.monotonic())))

    def _call(self, op: str) -> Callable[[], object]:
        if op == "検索":
            return lambda: search(self.db, self.actor, self.rng.choice(WORDS))
        if op == "開く":
            pool = self.client.case_ids + self.mine
            if pool:
                return lambda: intake.load_intake(self.db, self.actor, self.rng.choice(pool))
            return self._save
        if op == "印刷" and not self.referrals:
            op = "つなぎ"  # a sheet needs a referral first
        if op == "つなぎ" and not self.mine:
            op = "保存"  # and a referral a case of one's own with a person
        if op == "保存":
            return self._save
        if op == "つなぎ":
            return self._refer
        if op == "印刷":
            return self._print
        month = local_now().date()
        return lambda: stats.compute(self.db, self.actor, Period.month(month.year, month.month))

    def _save(self) -> None:
        n = self.rng.randrange(1_000_000)
        data = IntakeInput(
            received_at=local_now().strftime("%Y-%m-%d %H:%M"), channel="来所",
            district=self.district_name, consulter_kind="本人",
            main_complaint=self.rng.choice(("物忘れが心配", "家賃が払えない", "介護の相談")),
            details="最近物忘れが多く、介護保険の申請について相談したい。家族は遠方に住んでいる。",
            target_groups=["高齢者"], elements=["福祉サービス"],
            person=PersonInput(name=f"負荷 太郎{n}", reading="ふか たろう"))
        self.mine.append(intake.record_intake(self.db, self.actor, data).consultation_id)

    def _refer(self) -> None:
        case_id = self.rng.choice(self.mine)
        referrals.record_destination_consent(
            self.db, self.actor, case_id, self.service_id, purpose=Purpose.SHEET,
            entry=ConsentEntry(True, Giver.SELF, "", Method.ORAL, local_now().date()))
        self.referrals.append(referrals.create_referral(
            self.db, self.actor, case_id, referrals.NewReferral(
                self.service_id, ReferralMethod.POST, "面談をお願いします")))

    def _print(self) -> None:
        target = sheets.to_file(self.folder / f"{self.actor.login}.pdf", replace=True)
        sheets.issue_liaison_sheet(self.db, self.actor, self.rng.choice(self.referrals), target)


def _process(args: tuple[str, str, int, list[tuple[Client, StaffProfile]], float, float, int,
                         str, int]) -> Result:
    url, mode, pool, clients, seconds, think, seed, folder, service_id = args
    result = Result()
    warm = time.monotonic() + WARM_UP
    until = warm + seconds
    dbs = _databases(url, mode, len(clients), pool)
    for engine in {id(db.engine): db.engine for db in dbs}.values():
        _instrument(engine)
    workers = [Worker(db, client, actor, seed + i, Path(folder), service_id)
               for i, (db, (client, actor)) in enumerate(zip(dbs, clients, strict=True))]
    threads = [threading.Thread(target=w.run, args=(until, warm, think, result))
               for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for db in dbs:
        db.close()
    return result


# --- a run ---------------------------------------------------------------------------------------


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000


def run(label: str, url: str, *, clients: int, seconds: float, think: float, cases: int,
        processes: int, mode: str, budget: int = 0) -> None:
    print(f"\n== {label}: {clients} clients, {seconds:g} s, think time {think:g} s "
          f"(mean), {processes} processes", flush=True)
    started = time.perf_counter()
    db = Database.open(url)
    from setacare_desktop.services import demo
    demo.generate(db, cases=cases, seed=7)
    print(f"  demo data: {cases:,} consultations in {time.perf_counter() - started:.1f} s")
    service_id = directory.search_destinations(db, "障害者就労支援センター")[0].service_id
    plan = _clients(db, clients)
    started = time.perf_counter()
    actors = [login(db, c.login, DEMO_PASSWORD) for c in plan]  # argon2: not timed
    pool = max(1, budget // processes)
    described = {"own": "one kept per client", "per-op": "a new one per operation",
                 "pool": f"{pool} kept per process, shared by its clients"}[mode]
    print(f"  {clients} logins in {time.perf_counter() - started:.1f} s "
          f"({sum(c.supervisor for c in plan)} supervisors); connections: {described}")
    db.close()
    folder = tempfile.mkdtemp(prefix="setacare-load-sheets-")
    pairs = list(zip(plan, actors, strict=True))
    shares = [pairs[i::processes] for i in range(processes)]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as workers:
        parts = workers.map(_process, [(url, mode, pool, share, seconds, think, 1000 * i, folder,
                                        service_id) for i, share in enumerate(shares)])
    wall = time.perf_counter() - started
    shutil.rmtree(folder, ignore_errors=True)
    total = Result()
    for part in parts:
        total.merge(part)
    count = sum(len(t) for t in total.times.values())
    print(f"  {'':<15}{'wall time on this machine':^30} | {'p50 / p95 of the split':^65}")
    print(f"  {'operation':<8}{'count':>7}{'p50':>10}{'p95':>10}{'max':>10} |"
          f"{'CPU':>13}{'DB':>13}{'lock':>13}{'held':>13}{'PC+DB':>13}")
    for op in OPERATIONS:
        times = total.times[op]
        if times:
            both = [c + d for c, d in zip(total.cpu[op], total.db[op], strict=True)]
            split = "".join(f"{_p(xs, 0.5):6.1f}/{_p(xs, 0.95):5.1f}ms"
                            for xs in (total.cpu[op], total.db[op], total.chain[op],
                                       total.held[op], both))
            print(f"  {op:　<5}{len(times):>9}{statistics.median(times) * 1000:8.1f} ms"
                  f"{_p(times, 0.95):7.1f} ms{max(times) * 1000:7.1f} ms |{split}")
    errors = sum(total.errors.values())
    print(f"  {count:,} operations in {wall:.1f} s ({count / wall:.1f}/s); errors: {errors}")
    for key, n in sorted(total.errors.items()):
        print(f"    {n} × {key}: {total.first_error[key]}")


def _pg_run(args: argparse.Namespace) -> None:
    admin_url = make_url(args.url)
    if admin_url.host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only: --url must name 127.0.0.1 or localhost")
    name = f"setacare_load_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
        limit = int(connection.exec_driver_sql("SHOW max_connections").scalar_one())
        used = int(connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity").scalar_one())
    budget = limit - used - 10  # leave room for the server's other users
    mode = args.connections
    if mode == "auto":
        mode = "own" if args.clients <= budget else "pool"
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        run(f"PostgreSQL (max_connections {limit}, {used} in use by others)", url,
            clients=args.clients, seconds=args.seconds, think=args.think, cases=args.cases,
            processes=args.processes, mode=mode, budget=budget)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def _sqlite_run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="setacare-load-"))
    try:
        run("SQLite, one file", f"sqlite:///{folder / 'office.db'}", clients=args.sqlite_clients,
            seconds=args.seconds, think=args.think, cases=args.sqlite_cases,
            processes=min(args.processes, args.sqlite_clients), mode="own")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--sqlite-clients", type=int, default=8)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--sqlite-cases", type=int, default=5_000)
    # A clerk between two operations reads, types and talks: 10 s on average still makes 100
    # clients save ~2 consultations a second, about 100 times the ward's real rate (780 a day).
    parser.add_argument("--think", type=float, default=10.0)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--connections", choices=("auto", "own", "per-op", "pool"),
                        default="auto", help="PostgreSQL: each client's own connection, a new "
                        "one per operation, or a pool per process (auto: own when "
                        "max_connections allows, else pool)")
    parser.add_argument("--url", default=os.environ.get("SETACARE_TEST_POSTGRES_URL", DEFAULT_PG))
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 200 or not 1 <= args.sqlite_clients <= 50:
        raise SystemExit("bounded: --clients 1..200, --sqlite-clients 1..50")
    if not 1 <= args.seconds <= 600:
        raise SystemExit("bounded: --seconds 1..600")
    print(f"SetaCare load bench ({date.today()}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores shared by the clients and the database)")
    if args.backend in ("postgresql", "both"):
        _pg_run(args)
    if args.backend in ("sqlite", "both"):
        _sqlite_run(args)


if __name__ == "__main__":
    main()
