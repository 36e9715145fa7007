"""Filling a database with demo data: the one use case of the demo, and its report.

A fill is a single writer: staff (unless present), consultations, referrals and reviews are
written in one transaction with bulk inserts, so it is one use case and one session like any
other (``@use_case``; the referral directory is read in that same session). A large fill's
worker (``worker``) only generates: it never opens a session, the fill writes what it sends. It
does not commit in batches: ``BATCH`` only bounds the rows held in memory per insert, and a
failure half way (the worker's too) leaves the database as it was.
"""

from __future__ import annotations

import operator
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.directory import Directory
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.referral import ReferralStatus
from setacare_desktop.services import audit
from setacare_desktop.services.demo import worker
from setacare_desktop.services.demo.common import (
    CLOSING,
    UTC_OFFSET,
    Phases,
    Shipment,
    Target,
    advance_id_sequences,
    as_shipped,
    days_covered,
    without_cycle_collection,
)
from setacare_desktop.services.demo.consultations import Case, write_consultations
from setacare_desktop.services.demo.referrals import (
    Referrals,
    write_built,
    write_consents,
    write_referrals,
)
from setacare_desktop.services.demo.reviews import Reviewer, write_reviews
from setacare_desktop.services.demo.staff import (
    DEMO_LOGIN_PREFIX,
    DEMO_PASSWORD,
    DemoLogin,
    create_staff,
    demo_logins,
    staff_pool,
)
from setacare_desktop.services.demo.worker import ShippedReferred
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.services.unit import use_case
from setacare_desktop.store import search as search_store
from setacare_desktop.store import stats_summary
from setacare_desktop.store.database import Database
from setacare_desktop.store.directory import read_directory
from setacare_desktop.store.models import (
    Consultation,
    Organisation,
    Person,
    Referral,
    Staff,
)
from setacare_desktop.store.sqlite_bulk import bulk_index, large_cache

DEFAULT_DAYS = 20
#: Ward-wide consultations per working day (about 190,000 a year over about 243 working days).
WARD_CASES_PER_WORKING_DAY = 780


@dataclass(frozen=True, slots=True)
class DemoReport:
    skipped: bool  # ``only_if_empty`` and accounts already existed: nothing was written
    demo_accounts_present: bool  # the database holds demo accounts (new or from an earlier run)
    staff_created: int
    consultations: int
    target_group_rows: int
    element_rows: int
    first_day: date | None
    last_day: date | None
    working_days: int
    by_org_kind: dict[str, int] = field(default_factory=dict)
    expansion: int = 0  # 相談拡充
    mixed: int = 0  # 複合
    urgent: int = 0
    persons: int = 0  # 対象者 written
    repeat_persons: int = 0  # of them, consulted about more than once
    anonymous: int = 0  # consultations about nobody named
    consents_given: int = 0  # consent records (one per recipient and purpose)
    consents_refused: int = 0
    consents_withdrawn: int = 0  # given, then withdrawn (the record stays)
    #: Of the consent records above, those for referral destinations (``dest:<service id>``).
    destination_consents_given: int = 0
    destination_consents_refused: int = 0
    referrals: int = 0
    referrals_by_status: dict[str, int] = field(default_factory=dict)  # ReferralStatus values
    referrals_anonymised: int = 0
    referrals_overdue: int = 0  # open, reply due date passed (on the last day)
    referral_events: int = 0
    reviews_confirmed: int = 0  # supervisor decisions 確認済
    reviews_returned: int = 0  # 差戻し
    days_signed_off: int = 0  # (district, day) pairs signed off (日次確認)
    logins: tuple[DemoLogin, ...] = ()
    password: str = DEMO_PASSWORD
    #: (phase, wall seconds, CPU seconds) of the fill (``common.Phases``); "insert" is the part
    #: of "consultations" spent writing them.
    phases: tuple[tuple[str, float, float], ...] = ()


def default_cases(days: int) -> int:
    """About one ward-wide working day's volume per working day."""
    return WARD_CASES_PER_WORKING_DAY * days


def _consultations_and_referrals(
        session: Target, rng: random.Random, orgs: list[Organisation],
        pool: dict[int, tuple[list[int], list[int]]], cases: int, days: int, now: datetime,
        summary: Counter[stats_summary.SummaryKey], directory: Directory, ids: dict[str, int],
        seed: int, *, index: bool, phases: Phases) -> tuple[Counter[str], list[date]]:
    """The consultations, then the referrals of those answered with つなぎ."""
    referred: list[tuple[int, Case]] = []
    counts, day_list = write_consultations(session, rng, orgs, pool, cases, days, now,
                                           referred, summary, index=index, phases=phases)
    # A generator of its own, so the consultations stay what they were for a seed.
    writer = Referrals(random.Random(f"referrals-{seed}"), directory, ids,
                       orgs, pool, day_list[-1], now - UTC_OFFSET)
    with phases("referrals"):
        write_referrals(session, writer, referred, counts)
    return counts, day_list


def _in_worker(session: Session, rng: random.Random, orgs: list[Organisation],
               pool: dict[int, tuple[list[int], list[int]]], cases: int, days: int,
               now: datetime, directory: Directory, ids: dict[str, int], seed: int,
               phases: Phases) -> tuple[Counter[str], list[date],
                                        Counter[stats_summary.SummaryKey], bool]:
    """A large fill: a forked worker generates the consultations (``worker``); this process
    writes and indexes them, builds and writes the referrals of each batch the worker sends
    (their own generator, the same order: the same referrals as in-process), and, into a
    database without consultations, reviews each batch as it writes it (the order of ids is
    the order ``write_reviews`` reads them in). Returns the counts, the days, the statistics
    keys and whether the reviews are written."""
    day_list, _share = days_covered(now, days)
    writer = Referrals(random.Random(f"referrals-{seed}"), directory, ids,
                       orgs, pool, day_list[-1], now - UTC_OFFSET)
    mine: Counter[str] = Counter()
    destination_consents: list[dict[str, Any]] = []
    reviewer = (Reviewer(session, random.Random(f"reviews-{seed}"), day_list)
                if len(day_list) > 1 and session.scalar(select(Consultation.id).limit(1)) is None
                else None)

    # The rows come as the DB-API takes them: their days as the column stores them.
    day_of = {as_shipped(session, Consultation.__table__.c.received_on, day): day
              for day in day_list}

    def on_rows(table: str, names: tuple[str, ...], values: list[tuple[Any, ...]]) -> None:
        if reviewer is not None and table == Consultation.__table__.name:
            fields = operator.itemgetter(*(names.index(name) for name in (
                "id", "district_code", "received_on", "response_code")))
            with phases("reviews"):
                reviewer.take(session, ((cid, district, day_of[day], response) for
                                        cid, district, day, response in map(fields, values)),
                              mine)

    def on_referred(referred: list[Any]) -> None:
        with phases("referrals"):
            referrals, steps, consents = writer.build(ShippedReferred.cases(referred))
            write_built(session, writer, referrals, steps, mine)
            destination_consents.extend(consents)  # after every consultation's own

    def job(shipment: Shipment) -> tuple[Counter[str], list[date],
                                         Counter[stats_summary.SummaryKey], Any]:
        spent = Phases()
        summary: Counter[stats_summary.SummaryKey] = Counter()
        counts, covered = write_consultations(shipment, rng, orgs, pool, cases, days, now,
                                              ShippedReferred(shipment), summary, index=True,
                                              phases=spent)
        return counts, covered, summary, spent.report()

    with phases("consultations"):
        counts, covered, summary, spent = worker.pipelined(
            session, [Person.__table__, Consultation.__table__], job, phases,
            on_rows=on_rows, on_referred=on_referred)
    assert covered == day_list, (covered, day_list)
    phases.spent.update({f"worker {name}": [wall, cpu] for name, wall, cpu in spent})
    with phases("referrals"):
        write_consents(session, destination_consents, mine)
    if reviewer is not None:
        with phases("reviews"):
            reviewer.sign_off(session, mine)
    counts.update(mine)
    return counts, day_list, summary, reviewer is not None


@use_case
def generate(
    db: Database,
    *,
    cases: int | None = None,
    days: int = DEFAULT_DAYS,
    seed: int = 1,
    today: date | None = None,
    now: datetime | None = None,
    only_if_empty: bool = False,
) -> DemoReport:
    """Write demo staff (unless present) and ``cases`` consultations over ``days`` working days.

    The last day is ``today`` (taken in full) or the day of ``now`` (local time, default the
    current time), whose consultations then stop at ``now``. The same seed, day and starting
    database give the same data. Refused with :class:`ServiceError` when the database holds
    accounts other than demo ones.
    """
    if days < 1:
        raise ServiceError("日数は1以上にしてください。")
    if cases is None:
        cases = default_cases(days)
    if cases < 0:
        raise ServiceError("件数は0以上にしてください。")
    if today is not None:
        now = datetime.combine(today, CLOSING)
    elif now is None:
        now = local_now()
    rng = random.Random(seed)
    phases = Phases()

    with db.transaction() as session:
        staff_total = session.scalar(select(func.count()).select_from(Staff)) or 0
        demo_total = session.scalar(
            select(func.count()).select_from(Staff)
            .where(Staff.login.startswith(DEMO_LOGIN_PREFIX, autoescape=True))
        ) or 0
        if staff_total and only_if_empty:
            return DemoReport(True, demo_total > 0, 0, 0, 0, 0, None, None, 0,
                              logins=demo_logins(session))
        if staff_total != demo_total:
            raise ServiceError(
                "このデータベースにはデモ以外の職員が登録されているため、デモデータは作成できません。"
                "空のデータフォルダー（--data-dir）を指定してください。"
            )
        # A large fill generates in a worker, and writes and indexes what the worker sends
        # meanwhile. Otherwise, into an empty index, the index is built once after the rows
        # (store.search.rebuild); a second demo run adds to the index as it goes.
        in_worker = worker.available(cases, session)
        index_after = not in_worker and session.scalar(
            select(Consultation.id).limit(1)) is None
        orgs = list(session.scalars(select(Organisation).order_by(Organisation.id)))
        # The referral directory, as the app ranks it (read in this same session).
        directory, ids = read_directory(session)
        with phases("staff"):
            staff_created = 0 if demo_total else create_staff(session, orgs, rng)
        pool = staff_pool(session)
        summary: Counter[stats_summary.SummaryKey] = Counter()
        reviewed = False
        with (large_cache(session), without_cycle_collection(),
              bulk_index(session)):
            if in_worker:
                counts, day_list, summary, reviewed = _in_worker(
                    session, rng, orgs, pool, cases, days, now, directory, ids, seed, phases)
            else:
                with phases("consultations"):
                    counts, day_list = _consultations_and_referrals(
                        session, rng, orgs, pool, cases, days, now, summary, directory, ids,
                        seed, index=not index_after, phases=phases)
            if not reviewed:
                with phases("reviews"):
                    write_reviews(session, random.Random(f"reviews-{seed}"), day_list, counts)
            if index_after:
                with phases("index"):
                    search_store.rebuild(session)
        with phases("summary"):
            stats_summary.add_keys(session, summary)  # counted once after the rows
            advance_id_sequences(session, [Person.__table__, Consultation.__table__,
                                           Referral.__table__])
        detail = (
            f"seed={seed} days={days} staff_created={staff_created} "
            f"consultations={counts['consultations']} persons={counts['persons']} "
            f"consents={counts['consents_given'] + counts['consents_refused']} "
            f"target_groups={counts['target_groups']} elements={counts['elements']} "
            f"referrals={counts['referrals']}"
        )
        audit.record(session, None, "demo_generate", entity="consultation", detail=detail)
        committing = phases.mark()
        report = DemoReport(
            skipped=False,
            demo_accounts_present=True,
            staff_created=staff_created,
            consultations=counts["consultations"],
            target_group_rows=counts["target_groups"],
            element_rows=counts["elements"],
            first_day=day_list[0],
            last_day=day_list[-1],
            working_days=len(day_list),
            by_org_kind={kind.value: counts[f"org:{kind.value}"]
                         for kind in ref.DISTRICT_PARTNERS},
            expansion=counts["expansion"],
            mixed=counts["mixed"],
            urgent=counts["urgent"],
            persons=counts["persons"],
            repeat_persons=counts["repeat_persons"],
            anonymous=counts["anonymous"],
            consents_given=counts["consents_given"],
            consents_refused=counts["consents_refused"],
            consents_withdrawn=counts["consents_withdrawn"],
            destination_consents_given=counts["destination_consents_given"],
            destination_consents_refused=counts["destination_consents_refused"],
            referrals=counts["referrals"],
            referrals_by_status={status.value: counts[f"referral:{status.value}"]
                                 for status in ReferralStatus},
            referrals_anonymised=counts["referrals_anonymised"],
            referrals_overdue=counts["referrals_overdue"],
            referral_events=counts["referral_events"],
            reviews_confirmed=counts["reviews_confirmed"],
            reviews_returned=counts["reviews_returned"],
            days_signed_off=counts["days_signed_off"],
            logins=demo_logins(session),
        )
    phases.add("commit", committing)
    return replace(report, phases=phases.report())
