"""Demo data: realistic proportions (DOMAIN.md, volumes), full coverage, determinism."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.roles import Role
from setacare_desktop.services import Database, ServiceError, auth, demo
from setacare_desktop.services.staff import NewStaff, add_staff
from setacare_desktop.store.models import (
    AuditEvent,
    Consultation,
    ConsultationElement,
    ConsultationTargetGroup,
    Organisation,
    Staff,
)

TODAY = date(2026, 11, 25)  # a Wednesday


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def generated(db: Database) -> tuple[Database, demo.DemoReport]:
    return db, demo.generate(db, cases=6000, days=10, seed=3, today=TODAY)


def test_report_matches_the_rows_written(generated: tuple[Database, demo.DemoReport]) -> None:
    db, report = generated
    assert not report.skipped
    assert report.consultations == 6000 == _count(db, Consultation)
    assert report.staff_created == _count(db, Staff) == len(report.logins)
    assert report.target_group_rows == _count(db, ConsultationTargetGroup)
    assert report.element_rows == _count(db, ConsultationElement)
    assert sum(report.by_org_kind.values()) == 6000
    assert (report.first_day, report.last_day, report.working_days) == (
        date(2026, 11, 12), TODAY, 10)


def test_anshin_dominates_and_the_others_are_smaller(
        generated: tuple[Database, demo.DemoReport]) -> None:
    db, report = generated
    with db.read() as session:
        by_kind = Counter(dict(session.execute(
            select(Organisation.kind, func.count())
            .join(Consultation, Consultation.organisation_id == Organisation.id)
            .group_by(Organisation.kind)).all()))
    total = sum(by_kind.values())
    share = {kind: by_kind[kind.value] / total for kind in ref.DISTRICT_PARTNERS}
    # Fiscal 2024: あんしん 182,110 of about 190,000; まちづくり 3,354; 社協 3,239; 児童館 small.
    assert share[ref.OrgKind.ANSHIN] > 0.9
    for kind in (ref.OrgKind.MACHIZUKURI, ref.OrgKind.SHAKYO, ref.OrgKind.JIDOKAN):
        assert 0.002 < share[kind] < 0.04, (kind, share[kind])
    assert share[ref.OrgKind.JIDOKAN] < share[ref.OrgKind.MACHIZUKURI] + 0.01
    assert by_kind == Counter(report.by_org_kind)


def test_target_groups_elderly_first_with_a_plausible_expansion_share(
        generated: tuple[Database, demo.DemoReport]) -> None:
    db, report = generated
    with db.read() as session:
        anshin_cases = select(Consultation.id).join(Organisation).where(
            Organisation.kind == ref.OrgKind.ANSHIN.value)
        groups: dict[int, set[str]] = {}
        for cid, code in session.execute(
                select(ConsultationTargetGroup.consultation_id, ConsultationTargetGroup.code)
                .where(ConsultationTargetGroup.consultation_id.in_(anshin_cases))):
            groups.setdefault(cid, set()).add(code)
        urgent = session.scalar(select(func.count()).where(Consultation.urgent))
    assert len(groups) == report.by_org_kind["anshin"]  # every case has a target group
    elderly = sum("elderly" in g for g in groups.values()) / len(groups)
    expansion = sum(ref.is_expansion(ref.OrgKind.ANSHIN, g) for g in groups.values())
    assert elderly > 0.9
    # 相談拡充 was 3,440 of 182,110 (1.9 %) in fiscal 2024.
    assert 0.005 < expansion / len(groups) < 0.04
    assert expansion == report.expansion
    assert 0 < (urgent or 0) < 6000 * 0.05  # a few urgent cases


def test_every_district_has_staff_and_consultations(
        generated: tuple[Database, demo.DemoReport]) -> None:
    db, _report = generated
    with db.read() as session:
        cases = Counter(dict(session.execute(
            select(Consultation.district_code, func.count())
            .group_by(Consultation.district_code)).all()))
        staff = session.execute(
            select(Staff.role, Organisation.kind, Organisation.district_code,
                   Organisation.area_code)
            .join(Organisation, Staff.organisation_id == Organisation.id)).all()
    assert set(cases) == set(ref.DISTRICTS_BY_CODE)
    have = Counter((kind, district, role) for role, kind, district, _area in staff)
    for district in ref.DISTRICTS:
        for kind in ref.DISTRICT_PARTNERS:
            assert have[(kind.value, district.code, Role.COUNTER.value)] >= 1, (district, kind)
        assert have[(ref.OrgKind.ANSHIN.value, district.code, Role.CONSULTANT.value)] >= 1
        assert sum(n for (_k, d, role), n in have.items()
                   if d == district.code and role == Role.SUPERVISOR.value) >= 1
    branch_supervisors = {area for role, kind, _d, area in staff
                          if kind == ref.OrgKind.BRANCH.value and role == Role.SUPERVISOR.value}
    assert branch_supervisors == set(ref.AREAS_BY_CODE)
    assert sum(role == Role.ADMINISTRATOR.value for role, *_ in staff) == 1


def test_consultations_fall_on_working_days_within_opening_hours(
        generated: tuple[Database, demo.DemoReport]) -> None:
    db, _report = generated
    with db.read() as session:
        rows = session.execute(select(Consultation.received_at, Consultation.received_on,
                                      Consultation.staff_id, Consultation.organisation_id,
                                      Consultation.main_complaint)).all()
        staff_org = dict(session.execute(select(Staff.id, Staff.organisation_id)).all())
    first = TODAY - timedelta(days=13)
    for received_at, received_on, staff_id, org_id, complaint in rows:
        assert received_at.date() == received_on
        assert received_on.weekday() < 5 and first <= received_on <= TODAY
        assert time(8, 30) <= received_at.time() <= time(17, 15)
        assert staff_org[staff_id] == org_id  # taken by someone of that organisation
        assert complaint in {p.text for p in demo.PHRASES}


def test_demo_login_works_with_the_shared_password(
        generated: tuple[Database, demo.DemoReport]) -> None:
    db, report = generated
    login = demo.demo_login(ref.OrgKind.ANSHIN, "counter", "ikejiri")
    assert login in {entry.login for entry in report.logins}
    profile = auth.login(db, login, report.password)
    assert profile.district_code == "ikejiri" and profile.role is Role.COUNTER
    admin = auth.login(db, demo.ADMIN_LOGIN, demo.DEMO_PASSWORD)
    assert admin.can_manage_accounts
    with db.read() as session:
        hashes = set(session.scalars(select(Staff.password_hash)))
    assert len(hashes) == 1  # hashed once, shared by every demo account


def test_generation_is_audited(generated: tuple[Database, demo.DemoReport]) -> None:
    db, _report = generated
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "demo_generate")).one()
    assert event.login == "(system)" and event.staff_id is None
    assert event.detail is not None and "consultations=6000" in event.detail


def _content(db: Database) -> list[tuple[object, ...]]:
    with db.read() as session:
        cases = session.execute(select(
            Consultation.received_at, Consultation.district_code, Consultation.organisation_id,
            Consultation.staff_id, Consultation.channel_code, Consultation.consulter_kind_code,
            Consultation.main_complaint, Consultation.response_code, Consultation.urgent,
        ).order_by(Consultation.id)).all()
        names = session.execute(select(Staff.login, Staff.name).order_by(Staff.id)).all()
    return [tuple(r) for r in cases] + [tuple(r) for r in names]


def test_same_seed_same_data_other_seed_other_data(
        db: Database, sqlite_template: Path, tmp_path: Path) -> None:
    copies = []
    for name in ("a.db", "b.db"):
        shutil.copyfile(sqlite_template, tmp_path / name)
        copies.append(Database.open(f"sqlite:///{tmp_path / name}"))
    try:
        demo.generate(db, cases=800, days=5, seed=11, today=TODAY)
        demo.generate(copies[0], cases=800, days=5, seed=11, today=TODAY)
        demo.generate(copies[1], cases=800, days=5, seed=12, today=TODAY)
        assert _content(db) == _content(copies[0])
        assert _content(db) != _content(copies[1])
    finally:
        for copy in copies:
            copy.close()


def test_a_second_run_reuses_the_demo_staff(db: Database) -> None:
    demo.generate(db, cases=100, days=2, seed=1, today=TODAY)
    staff = _count(db, Staff)
    again = demo.generate(db, cases=50, days=2, seed=2, today=TODAY)
    assert again.staff_created == 0 and again.consultations == 50
    assert _count(db, Staff) == staff and _count(db, Consultation) == 150


def test_only_if_empty_skips_when_accounts_exist(db: Database) -> None:
    demo.generate(db, cases=10, days=1, seed=1, today=TODAY)
    skipped = demo.generate(db, cases=10, days=1, seed=1, today=TODAY, only_if_empty=True)
    assert skipped.skipped and skipped.demo_accounts_present
    assert _count(db, Consultation) == 10


def test_refuses_a_database_with_real_accounts(db: Database) -> None:
    add_staff(db, None, NewStaff("real01", "実在 職員", "受付", "池尻", "まちづくりセンター",
                                 "real-pass-123"))
    with pytest.raises(ServiceError, match="デモ以外"):
        demo.generate(db, cases=10, days=1, seed=1, today=TODAY)
    assert _count(db, Staff) == 1 and _count(db, Consultation) == 0
    skipped = demo.generate(db, cases=10, days=1, seed=1, today=TODAY, only_if_empty=True)
    assert skipped.skipped and not skipped.demo_accounts_present


def test_today_stops_at_the_current_time(db: Database) -> None:
    now = datetime(2026, 11, 25, 11, 0)
    report = demo.generate(db, cases=2000, days=3, seed=5, now=now)
    with db.read() as session:
        latest = session.scalar(select(func.max(Consultation.received_at)))
        today = session.scalar(select(func.count()).where(
            Consultation.received_on == now.date()))
    assert report.last_day == now.date()
    assert latest is not None and latest <= now
    assert 0 < (today or 0) < 2000 / 3  # a part of a day so far


def test_before_opening_the_last_day_is_the_previous_working_day(db: Database) -> None:
    report = demo.generate(db, cases=100, days=2, seed=5, now=datetime(2026, 11, 23, 7, 0))
    assert (report.first_day, report.last_day) == (date(2026, 11, 19), date(2026, 11, 20))


def test_demo_consultations_can_be_found(generated: tuple[Database, demo.DemoReport]) -> None:
    from setacare_desktop.services import search

    db, _report = generated
    actor = auth.login(db, demo.demo_login(ref.OrgKind.ANSHIN, "consultant", "ikejiri"),
                       demo.DEMO_PASSWORD)
    _words, hits = search.search(db, actor, "介護")
    assert hits and all("介護" in hit.main_complaint for hit in hits)


def test_runs_on_every_backend(any_db: Database) -> None:
    report = demo.generate(any_db, cases=500, days=3, seed=9, today=TODAY)
    assert report.consultations == 500 == _count(any_db, Consultation)
    with any_db.read() as session:
        # Classification rows belong to the right consultation (RETURNING order kept).
        rows = session.execute(select(Consultation.main_complaint, ConsultationTargetGroup.code)
                               .join(ConsultationTargetGroup)).all()
    groups_of = {p.text: set(p.groups) for p in demo.PHRASES}
    assert all(code in groups_of[text] for text, code in rows)
