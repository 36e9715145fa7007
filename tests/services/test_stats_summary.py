"""The statistics summary always equals a full count of the consultations.

Any sequence of saves (through ``services.intake``), amendments (day, channel, response, target
groups, elements changed) and deletions (``store.stats_summary.forget`` in the deleting
transaction) leaves the summary rows equal to the groups counted from the consultations
themselves, on SQLite and PostgreSQL; and 統計 read from the summary agrees with the full count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.intake import IntakeInput
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.stats import Dimension, Period
from setacare_desktop.services import Database, stats
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.store import stats_summary
from setacare_desktop.store.models import Consultation

NOW = datetime(2026, 7, 1, 9, 0)
FIRST_DAY = date(2026, 3, 30)  # across the fiscal-year boundary
WARD = list(ref.DISTRICTS_BY_CODE)

CHANNELS = [c.label for c in ref.CHANNELS]
RESPONSES = [""] + [r.label for r in ref.RESPONSES]
TARGETS = [t.label for t in ref.TARGET_GROUPS]
ELEMENTS = [e.label for e in ref.ELEMENTS]

fields = st.fixed_dictionaries({
    "day": st.integers(0, 4),
    "channel": st.sampled_from(CHANNELS),
    "response": st.sampled_from(RESPONSES),
    "targets": st.lists(st.sampled_from(TARGETS), max_size=3, unique=True),
    "elements": st.lists(st.sampled_from(ELEMENTS), max_size=3, unique=True),
})
operations = st.lists(st.one_of(
    st.tuples(st.just("save"), st.integers(0, 1), fields),
    st.tuples(st.just("amend"), st.integers(0, 50), fields),
    st.tuples(st.just("delete"), st.integers(0, 50)),
), min_size=1, max_size=8)


def intake(staff: StaffProfile, values: dict) -> IntakeInput:
    day = FIRST_DAY + timedelta(days=values["day"])
    return IntakeInput(received_at=f"{day} 10:00", channel=values["channel"],
                       district=staff.district_code or "", consulter_kind="本人",
                       main_complaint="主訴", target_groups=list(values["targets"]),
                       elements=list(values["elements"]), response=values["response"])


#: Whole months, single days, ranges starting and ending mid-month, across the fiscal year.
PERIODS = [(date(2000, 1, 1), date(2100, 12, 31)), (date(2026, 3, 1), date(2026, 3, 31)),
           (date(2026, 3, 31), date(2026, 4, 2)), (date(2026, 4, 1), date(2027, 3, 31)),
           (date(2026, 4, 2), date(2026, 4, 2)), (date(2026, 2, 15), date(2026, 4, 1))]


def assert_summary_is_a_full_count(db: Database) -> None:
    with db.read() as session:
        for start, end in PERIODS:
            for districts in (None, ["ikejiri"], ["taishido", "ikejiri"]):
                assert (stats_summary.margins(session, start, end, districts)
                        == stats_summary.counted(session, start, end, districts))


@pytest.fixture
def staff(any_db: Database, staff_factory: Callable) -> list[StaffProfile]:
    return [staff_factory(any_db, "ik", role="相談員", place="池尻",
                          org_kind="あんしんすこやかセンター"),
            staff_factory(any_db, "ta", role="相談員", place="太子堂", org_kind="児童館")]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(steps=operations)
def test_summary_equals_a_full_count_after_any_changes(
        any_db: Database, staff: list[StaffProfile], steps: list[tuple]) -> None:
    # The database is shared by the examples: each one adds to what the previous left.
    saved: list[tuple[int, StaffProfile]] = []
    with any_db.read() as session:
        saved += [(cid, staff[0] if district == "ikejiri" else staff[1]) for cid, district in
                  session.execute(sa.select(Consultation.id, Consultation.district_code))]
    for step in steps:
        if step[0] == "save":
            actor = staff[step[1]]
            result = intake_svc.record_intake(any_db, actor, intake(actor, step[2]), now=NOW)
            saved.append((result.consultation_id, actor))
        elif saved and step[0] == "amend":
            consultation_id, actor = saved[step[1] % len(saved)]
            loaded = intake_svc.load_intake(any_db, actor, consultation_id)
            intake_svc.amend_intake(any_db, actor, consultation_id, intake(actor, step[2]),
                                    expected_version=loaded.version, now=NOW)
        elif saved and step[0] == "delete":
            consultation_id, _ = saved.pop(step[1] % len(saved))
            with any_db.transaction() as session:
                stats_summary.forget(session, consultation_id)
                session.execute(sa.delete(Consultation).where(Consultation.id == consultation_id))
        assert_summary_is_a_full_count(any_db)


def test_statistics_read_from_the_summary_match_the_full_count(
        any_db: Database, staff: list[StaffProfile], staff_factory: Callable) -> None:
    admin = staff_factory(any_db, "adm", role="管理者", place="世田谷", org_kind="総合支所")
    for n, actor in enumerate([staff[0], staff[1], staff[0], staff[0]]):
        values = {"day": n, "channel": CHANNELS[n], "response": RESPONSES[n],
                  "targets": TARGETS[:n], "elements": ELEMENTS[n:n + 2]}
        intake_svc.record_intake(any_db, actor, intake(actor, values), now=NOW)
    report = stats.compute(any_db, admin, Period.fiscal_year(2026), now=NOW)
    assert report.total == 2  # 2026-04-01 and 04-02; 03-30 and 03-31 are FY2025
    targets = {line.key: line.count for line in report.table(Dimension.TARGET).lines}
    assert targets["mixed"] == 2 and targets["unclassified"] == 0
    districts = {line.key: line.count for line in report.table(Dimension.DISTRICT).lines}
    assert (districts["ikejiri"], districts["taishido"]) == (2, 0)
    elements = {line.key: line.count for line in report.table(Dimension.ELEMENT).lines}
    codes = [e.code for e in ref.ELEMENTS]
    assert (elements[codes[2]], elements[codes[3]]) == (1, 2)  # day 2: [2:4], day 3: [3:5]
    march = stats.compute(any_db, admin, Period.month(2026, 3), now=NOW)
    assert march.total == 2


def test_rebuild_counts_what_the_saves_counted(any_db: Database,
                                               staff: list[StaffProfile]) -> None:
    """Migration 0017's backfill (in SQL) gives the rows the saves gave, day and month rows."""
    varied = [  # (staff, day, targets, elements, response): mixed, none, 相談拡充, blank …
        (0, 0, TARGETS[:1], [], ""), (1, 1, TARGETS[:2], ELEMENTS[:2], RESPONSES[1]),
        (0, 2, TARGETS[1:2], ELEMENTS[2:3], RESPONSES[2]), (0, 3, [], ELEMENTS[:1], ""),
        (1, 4, TARGETS[2:3], [], RESPONSES[3]), (0, 4, TARGETS[:3], ELEMENTS[1:4], "")]
    for n, (who, day, targets, elements, response) in enumerate(varied):
        values = {"day": day, "channel": CHANNELS[n % len(CHANNELS)], "response": response,
                  "targets": targets, "elements": elements}
        intake_svc.record_intake(any_db, staff[who], intake(staff[who], values), now=NOW)
    with any_db.read() as session:
        before = [stats_summary.margins(session, start, end, None) for start, end in PERIODS]
    with any_db.transaction() as session:
        stats_summary.rebuild(session)
    with any_db.read() as session:
        assert [stats_summary.margins(session, start, end, None)
                for start, end in PERIODS] == before
    assert sum(before[0]["org_kind"].values()) == 6
    assert before[0]["expansion"] == {"1": 1} and before[0]["target"]["mixed"] == 2
    assert_summary_is_a_full_count(any_db)
