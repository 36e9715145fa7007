"""The demo writes the database the services would have written.

A small demo is written with bulk inserts; then each of its consultations is recorded again,
in order, through ``services.intake.record_intake`` (and its withdrawn consents through
``withdraw_consent``) by the same staff on a second database that holds the same demo staff.
The two databases must hold the same rows in every table the program reads: consultations and
their details, target groups and elements, persons with their comparison keys, consent records,
the search text, and the statistics summary. Only the moments of writing (created_at …) differ.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.services import Database, demo
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services.staff import profile_of
from setacare_desktop.store.models import (
    Base,
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    Person,
    Staff,
)

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 18, 0)

#: Columns that record when a row was written, not what it says.
WRITE_TIMES = {"created_at", "updated_at", "recorded_at", "amended_at"}
COMPARED = ("consultation", "consultation_detail", "consultation_target_group",
            "consultation_element", "person", "consent_record",
            "stats_count")


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _replay(source: Database, target: Database) -> None:
    with source.read() as session:
        cases = session.scalars(sa.select(Consultation).order_by(Consultation.id)).all()
        details = {d.consultation_id: d for d in session.scalars(sa.select(ConsultationDetail))}
        persons = {p.id: p for p in session.scalars(sa.select(Person))}
        # Consents to referral destinations (dest:…) belong to the referrals, written later.
        consents = session.scalars(sa.select(ConsentRecordRow)
                                   .where(ConsentRecordRow.recipient.startswith("org:"))
                                   .order_by(ConsentRecordRow.id)).all()
        logins = {s.id: s.login for s in session.scalars(sa.select(Staff))}
        inputs = []
        for case in cases:
            detail = details[case.id]
            inputs.append((case.id, logins[case.staff_id], detail.person_id, IntakeInput(
                received_at=f"{case.received_at:%Y-%m-%d %H:%M}", channel=case.channel_code,
                district=case.district_code, consulter_kind=case.consulter_kind_code,
                consulter_relation=detail.consulter_relation,
                consulter_name=detail.consulter_name,
                consulter_contact=detail.consulter_contact,
                target_groups=[t.code for t in case.target_groups],
                elements=[e.code for e in case.elements], main_complaint=case.main_complaint,
                details=detail.details, response=case.response_code or "",
                next_date=_day(detail.next_date), next_note=detail.next_note,
                urgency=list(detail.urgency or []), urgency_note=detail.urgency_note,
                consents=[ConsentInput(c.recipient, c.purpose, c.given, c.giver,
                                       c.giver_relation, c.method, _day(c.given_on))
                          for c in consents if c.consultation_id == case.id])))
        withdrawn = [(c.id, logins[c.withdrawn_by or c.recorded_by], c.withdrawn_on,
                      c.withdrawal_reason) for c in consents if c.withdrawn_on is not None]
    with target.read() as session:
        profiles = {s.login: profile_of(s) for s in session.scalars(sa.select(Staff))}
    person_ids: dict[int, int] = {}
    for _case_id, login, person_id, data in inputs:
        if person_id in person_ids:
            data.person_id = person_ids[person_id]
        elif person_id is not None:
            p = persons[person_id]
            data.person = PersonInput(p.name, p.reading, _day(p.birth_date), p.sex or "",
                                      p.address_town, p.address_rest, p.phone, p.household or "")
        saved = intake_svc.record_intake(target, profiles[login], data, now=NOW)
        if person_id is not None:
            assert saved.person_id is not None
            person_ids[person_id] = saved.person_id
    for consent_id, login, on, reason in withdrawn:
        intake_svc.withdraw_consent(target, profiles[login], consent_id, on=on, reason=reason)


def _rows(db: Database, name: str) -> list[list[Any]]:
    table = Base.metadata.tables[name]
    columns = [c for c in table.c if c.name not in WRITE_TIMES]
    query = sa.select(*columns).order_by(*table.primary_key.columns)
    if name == "consent_record":
        query = query.where(table.c.recipient.startswith("org:"))
    with db.engine.connect() as connection:
        return [list(row) for row in connection.execute(query)]


@pytest.fixture
def second_db(sqlite_template: Path, tmp_path: Path) -> Any:
    path = tmp_path / "second.db"
    path.write_bytes(sqlite_template.read_bytes())
    db = Database.open(f"sqlite:///{path}")
    yield db
    db.close()


def test_a_demo_is_what_the_services_would_have_written(db: Database,
                                                         second_db: Database) -> None:
    report = demo.generate(db, cases=120, days=3, seed=11, today=TODAY)
    assert report.consultations == 120 and report.persons > 50 and report.consents_given > 50
    demo.generate(second_db, cases=0, days=3, seed=11, today=TODAY)  # the same staff only
    _replay(db, second_db)
    for name in COMPARED:
        demo_rows, service_rows = _rows(db, name), _rows(second_db, name)
        assert demo_rows, name
        assert demo_rows == service_rows, name


def test_the_services_go_on_after_a_demo(any_owner_db: Database) -> None:
    """The demo gives ids itself (one executemany, no RETURNING): the next consultation and
    person saved through the services get the next ids, on PostgreSQL too (its sequences)."""
    demo.generate(any_owner_db, cases=40, days=2, seed=3, today=TODAY)
    with any_owner_db.read() as session:
        last_case = session.scalar(sa.select(sa.func.max(Consultation.id)))
        last_person = session.scalar(sa.select(sa.func.max(Person.id)))
        clerk = profile_of(session.scalars(sa.select(Staff).where(
            Staff.login == "demo-ikejiri-anshin-counter")).one())
    saved = intake_svc.record_intake(any_owner_db, clerk, IntakeInput(
        received_at="2026-11-25 16:00", channel="来所", district="池尻", consulter_kind="本人",
        main_complaint="相談", person=PersonInput("見本 花子", "みほん はなこ")), now=NOW)
    assert (saved.consultation_id, saved.person_id) == (last_case + 1, last_person + 1)
