"""One use case, one transaction: the guarantees of services.unit and store.database.

- every public service function that takes the database is a ``@use_case``;
- a use case that opens a second session, or nests one, fails (strict mode, on in the suite);
- a refusal is audited after its rollback, in its own short transaction, never nested: the
  refusal returns at once (it used to wait out SQLite's busy timeout for itself) and its audit
  row is there;
- the consent decision and the referral it allows are taken in one transaction.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa

import setacare_desktop.services as services_package
from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.domain.referral import ReferralMethod
from setacare_desktop.services import Database, PermissionDeniedError, audit
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import referrals as referral_svc
from setacare_desktop.services.referrals import ConsentRequiredError, NewReferral
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import SessionDisciplineError
from setacare_desktop.store.models import AuditEvent, Referral

#: Public functions with a database parameter that are deliberately not one use case.
NOT_USE_CASES = {
    # The demo fills a database in batches (one transaction per batch) and is never run on
    # real data; services.system opens and migrates the database itself.
    "setacare_desktop.services.demo",
    "setacare_desktop.services.system",
    # Drafts kept on the PC while the database is out of reach: file work that must not touch
    # the database (bring_in, which does, is a use case all the same).
    "setacare_desktop.services.intake.local_drafts",
}
#: Single functions of that kind: steps that the use cases calling them count as one session.
NOT_USE_CASE_STEPS = {
    # reads the directory in a short session of its own, then the file outside any transaction
    "setacare_desktop.services.hsds.preview.check_file",
}


def _service_modules() -> list[object]:
    modules = []
    for info in pkgutil.walk_packages(services_package.__path__, "setacare_desktop.services."):
        if info.name not in NOT_USE_CASES and not info.name.startswith(
                tuple(f"{m}." for m in NOT_USE_CASES)):
            modules.append(importlib.import_module(info.name))
    return modules


def test_every_public_service_taking_the_database_is_one_use_case() -> None:
    unmarked = []
    for module in _service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameters = inspect.signature(function).parameters
            if "db" in parameters and not getattr(function, "__use_case__", False):
                unmarked.append(f"{module.__name__}.{name}")
    assert sorted(set(unmarked) - NOT_USE_CASE_STEPS) == []


def test_a_second_session_in_one_use_case_is_an_error(db: Database) -> None:
    @use_case
    def reads_twice(db: Database) -> None:
        with db.read():
            pass
        with db.transaction():
            pass

    with pytest.raises(SessionDisciplineError, match="reads_twice opened session 2"):
        reads_twice(db)


def test_a_session_inside_a_session_is_an_error(db: Database) -> None:
    with pytest.raises(SessionDisciplineError, match="inside another session"), \
            db.transaction(), db.read():
        pass


def test_nested_use_cases_share_the_outer_one(db: Database) -> None:
    @use_case
    def inner(db: Database) -> int:
        return 1

    @use_case
    def outer(db: Database) -> int:
        with db.read():
            pass
        return inner(db)  # opens nothing: fine

    assert outer(db) == 1


def _person_intake(district: str, name: str) -> IntakeInput:
    return IntakeInput(
        received_at="R8.11.24 10:30", channel="来所", district=district, consulter_kind="本人",
        main_complaint="生活費の相談", target_groups=["高齢者"], elements=["福祉サービス"],
        person=PersonInput(name=name, reading="テスト タロウ", birth_date="S30.1.1"))


def _audit_actions(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_linking_a_person_of_another_district_is_refused_at_once_and_audited(
        any_db: Database, staff_factory: Callable) -> None:
    """The refusal used to be audited in a second write transaction inside the first: on
    SQLite it waited for its own lock, then crashed, and the audit row was lost."""
    other = staff_factory(any_db, "kitazawa-clerk", place="北沢")
    theirs = intake_svc.record_intake(any_db, other, _person_intake("kitazawa", "北沢 太郎"))
    clerk = staff_factory(any_db, "ikejiri-clerk")
    data = _person_intake("ikejiri", "北沢 太郎")
    data.person_id = theirs.person_id
    before = _audit_actions(any_db)
    started = time.monotonic()
    with pytest.raises(PermissionDeniedError, match="権限がありません"):
        intake_svc.record_intake(any_db, clerk, data)
    assert time.monotonic() - started < 2
    assert _audit_actions(any_db)[len(before):] == ["permission_denied"]
    with any_db.read() as session:  # nothing of the refused intake was written
        assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "consultation_create")) == 1


def test_a_referral_acts_on_the_consent_as_it_stands_in_its_own_transaction(
        any_db: Database, staff_factory: Callable) -> None:
    """Consent withdrawn after the gate was shown: the referral is refused (and audited), not
    made on the stale 'allowed' the clerk saw."""
    clerk = staff_factory(any_db, "clerk")
    service_id = _a_destination(any_db)
    method = ReferralMethod.PHONE
    data = _person_intake("ikejiri", "山田 花子")
    recipient = f"dest:{service_id}"
    data.consents = [ConsentInput(recipient, purpose=method.purpose.value)]
    saved = intake_svc.record_intake(any_db, clerk, data)
    assert referral_svc.referral_gate(any_db, clerk, saved.consultation_id, service_id,
                                      method).allowed
    consent_id = intake_svc.consents_of(any_db, clerk, saved.person_id or 0)[0].consent_id
    intake_svc.withdraw_consent(any_db, clerk, consent_id, on=_today(),
                                reason="本人から撤回の申出")
    with pytest.raises(ConsentRequiredError):
        referral_svc.create_referral(any_db, clerk, saved.consultation_id, NewReferral(
            service_id, method, "訪問をお願いします"))
    with any_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0
    assert audit.recent(any_db, 1)[0].action == "referral_refused"


def _today() -> object:
    from setacare_desktop.domain.jpdate import local_now

    return local_now().date()


def _a_destination(db: Database) -> int:
    from setacare_desktop.services import directory

    return directory.lookup(db, district_code="ikejiri", target_groups=["elderly"])[0].service_id
