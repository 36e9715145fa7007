"""The 匿名用の概要 of a referral: what the anonymised liaison sheet prints instead of the
consultation's free texts, written by the clerk and checked (``domain.identifying``) for what
identifies the person before the sheet can be printed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from setacare_desktop.domain import roles
from setacare_desktop.domain.identifying import FIELD, Identifying, findings, summary_problems
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.errors import NotFoundError, Problem
from setacare_desktop.services.guard import deny
from setacare_desktop.services.inputs import check_texts
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import visibility_of
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Consultation, ConsultationDetail, Person, Referral


def identifying_facts(session: Session, consultation_id: int) -> Identifying:
    """What identifies the person (and the consulter) of a consultation."""
    detail = session.get(ConsultationDetail, consultation_id)
    if detail is None:
        return Identifying()
    person = session.get(Person, detail.person_id) if detail.person_id else None
    if person is None:
        return Identifying(consulter_name=detail.consulter_name)
    return Identifying(person_name=person.name, person_reading=person.reading,
                       consulter_name=detail.consulter_name, phone=person.phone,
                       address_rest=person.address_rest)


def summary_findings(session: Session, consultation_id: int, text: str) -> list[Problem]:
    """What in ``text`` identifies the consultation's person (nothing said about an empty text)."""
    return findings(text, identifying_facts(session, consultation_id))


def printable_problems(session: Session, consultation_id: int, text: str) -> list[Problem]:
    """Why the anonymised sheet cannot be printed with ``text`` as its summary (empty: it can)."""
    return summary_problems(text, identifying_facts(session, consultation_id))


def _check_case(session: Session, actor: StaffProfile, consultation_id: int, action: str,
                entity: str, entity_id: int) -> None:
    case = session.get(Consultation, consultation_id)
    if case is None:
        raise NotFoundError(f"相談（ID {consultation_id}）が見つかりません。")
    if not roles.can_write_cases(actor, case.district_code):
        raise deny(actor, action, "この地区の連携シートを作成する権限がありません。",
                   entity=entity, entity_id=entity_id)
    seen = visibility_of(session, actor, consultation_id)
    if seen is None or not seen.identifying:
        raise deny(actor, action, "本人の同意がないため、この相談の連携シートは受け付けた機関で作成してください。",
                   entity=entity, entity_id=entity_id)


def _referral(session: Session, actor: StaffProfile, referral_id: int, action: str) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFoundError(f"つなぎ（ID {referral_id}）が見つかりません。")
    _check_case(session, actor, referral.consultation_id, action, "referral", referral_id)
    return referral


@use_case
def check_anonymised_summary(db: Database, actor: StaffProfile, consultation_id: int,
                             text: str) -> list[Problem]:
    """What in ``text`` (a 匿名用の概要 being typed) identifies the consultation's person, for the
    list beside the text box; nothing is stored, and nothing is read out but what was typed."""
    with db.read() as session:
        _check_case(session, actor, consultation_id, "anonymised_summary_check", "consultation",
                    consultation_id)
        return summary_findings(session, consultation_id, text)


@use_case
def anonymised_summary(db: Database, actor: StaffProfile, referral_id: int
                       ) -> tuple[str, list[Problem]]:
    """The referral's 匿名用の概要 as stored, and why it cannot be printed yet (empty: it can).
    Reading a written summary is audited."""
    with db.transaction() as session:
        referral = _referral(session, actor, referral_id, "anonymised_summary_view")
        text = referral.anonymised_summary
        problems = printable_problems(session, referral.consultation_id, text)
        if text:
            audit.record(session, actor, "anonymised_summary_view", entity="referral",
                         entity_id=referral_id, fields=("anonymised_summary",))
        return text, problems


@use_case
def save_anonymised_summary(db: Database, actor: StaffProfile, referral_id: int,
                            text: str) -> list[Problem]:
    """Store the 匿名用の概要 (kept even while it still identifies the person, so the clerk can
    fix it) and return what keeps the anonymised sheet from being printed with it."""
    check_texts({FIELD: text}, multiline=(FIELD,))
    with db.transaction() as session:
        referral = _referral(session, actor, referral_id, "anonymised_summary_edit")
        if referral.anonymised_summary != text.strip():
            referral.anonymised_summary = text.strip()
            audit.record(session, actor, "referral_update", entity="referral",
                         entity_id=referral_id, fields=("anonymised_summary",),
                         detail="anonymised summary")
        return printable_problems(session, referral.consultation_id, text)
