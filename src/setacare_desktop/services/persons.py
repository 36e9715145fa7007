"""The duplicate-person check: persons on record who may be the one being typed.

Compared through keys that ignore hiragana/katakana, width, spaces and common kanji variants
(domain.kana). Every lookup uses an index (prefix range on a key, or equality on the birth date),
so it stays instant with hundreds of thousands of persons. Candidates are limited to the caller's
scope (情報参照範囲を必要最小限) and to the persons the caller may see (``domain.visibility``):
someone with a consultation the caller sees whole or under the person's consent to the caller's
organisation. Anyone else is left out entirely, as if not on record (docs/privacy.md, rule 4).

A person seen only under an emergency exception is left out too: an exception opens one
consultation for the emergency, not the person for later intakes, and this per-keystroke lookup is
an unaudited read (no write lock while typing); that consultation can still be opened, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.intake import PersonInput
from setacare_desktop.domain.jpdate import DateParseError, parse_date
from setacare_desktop.domain.kana import name_key, reading_key
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import MASKED_TEXT, Access, Visibility
from setacare_desktop.services import audit
from setacare_desktop.services.errors import NotFoundError
from setacare_desktop.services.guard import deny, require_case_read
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import visibilities
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Consultation, ConsultationDetail, Person

PER_KEY = 30
_TOP = "\U0010ffff"  # sorts after every character: key >= p AND key < p + _TOP is "starts with p"


@dataclass(frozen=True, slots=True)
class RecentConsultation:
    consultation_id: int
    received_at: datetime
    main_complaint: str


@dataclass(frozen=True, slots=True)
class PersonCandidate:
    person_id: int
    name: str
    reading: str
    birth_date: date | None
    district_name: str
    address_town: str
    sex: str | None
    phone: str
    household: str | None
    score: int
    reasons: tuple[str, ...]
    recent: tuple[RecentConsultation, ...]


def _prefix(column: object, key: str) -> object:
    return (column >= key) & (column < key + _TOP)  # type: ignore[operator]


@use_case
def possible_duplicates(db: Database, actor: StaffProfile, *, name: str = "",
                        reading: str = "", birth_date: str = "", limit: int = 8
                        ) -> list[PersonCandidate]:
    """Persons who may be the same as the one typed, best match first.

    Not audited per keystroke; what a clerk then opens is.
    """
    districts = roles.readable_districts(actor)
    nk, rk = name_key(name), reading_key(reading)
    try:
        birth = parse_date(birth_date) if birth_date.strip() else None
    except DateParseError:
        birth = None
    if not districts or not (nk or len(rk) >= 2 or birth):
        return []
    base = select(Person).where(Person.district_code.in_(districts))
    queries: list[Select[tuple[Person]]] = []
    if nk:
        queries.append(base.where(_prefix(Person.name_key, nk)).order_by(Person.name_key))
    if len(rk) >= 2:
        queries.append(base.where(_prefix(Person.reading_key, rk)).order_by(Person.reading_key))
    if birth:
        queries.append(base.where(Person.birth_date == birth).order_by(Person.id))
    with db.read() as session:
        found: dict[int, Person] = {}
        for query in queries:
            for person in session.scalars(query.limit(PER_KEY)):
                found[person.id] = person
        scored = []
        for person in found.values():
            score, reasons = _score(person, nk, rk, birth)
            if score >= 2:
                scored.append((score, person, reasons))
        scored.sort(key=lambda item: (-item[0], item[1].reading_key, item[1].id))
        shown = _visible_persons(session, actor, [p.id for _, p, _ in scored])
        best = [item for item in scored if item[1].id in shown][:limit]
        recent = _recent(session, actor, [p.id for _, p, _ in best])
        return [
            PersonCandidate(p.id, p.name, p.reading, p.birth_date,
                            ref.DISTRICTS_BY_CODE[p.district_code].name, p.address_town,
                            p.sex, p.phone, p.household, score,
                            tuple(reasons), recent.get(p.id, ()))
            for score, p, reasons in best
        ]


def _visible_persons(session: Session, actor: StaffProfile, person_ids: list[int]) -> set[int]:
    """Which of ``person_ids`` the caller may see. A consultation of the caller's own
    organisation is always seen whole, so its persons are settled by one query; only the rest
    (persons known elsewhere, seen only under a consent) have each consultation weighed by
    :func:`visibilities`. With ten years of consultations a candidate has dozens: weighing
    them all made the per-keystroke check 40+ ms."""
    if not person_ids:
        return set()
    shown = set(session.scalars(
        select(ConsultationDetail.person_id).distinct()
        .join(Consultation, Consultation.id == ConsultationDetail.consultation_id)
        .where(ConsultationDetail.person_id.in_(person_ids),
               Consultation.organisation_id == actor.organisation_id)))
    rest = [pid for pid in person_ids if pid not in shown]
    cases = _consultations_of(session, rest)
    seen = visibilities(session, actor, [cid for ids in cases.values() for cid in ids])
    return shown | {pid for pid in rest if _person_visible(cases.get(pid, []), seen)}


def _consultations_of(session: Session, person_ids: list[int]) -> dict[int, list[int]]:
    cases: dict[int, list[int]] = {}
    if person_ids:
        for person_id, cid in session.execute(
                select(ConsultationDetail.person_id, ConsultationDetail.consultation_id)
                .where(ConsultationDetail.person_id.in_(person_ids))):
            cases.setdefault(person_id, []).append(cid)
    return cases


def _person_visible(consultation_ids: list[int], seen: dict[int, Visibility]) -> bool:
    """Whether the caller may see the person: some consultation of theirs is the caller's
    organisation's, or the person consented to sharing with it."""
    return any(seen[cid].access in _OPENS_PERSON for cid in consultation_ids if cid in seen)


_OPENS_PERSON = frozenset({Access.WHOLE, Access.CONSENT})


def _score(person: Person, nk: str, rk: str, birth: date | None) -> tuple[int, list[str]]:
    score, reasons = 0, []
    if nk and person.name_key == nk:
        score, reasons = score + 4, [*reasons, "氏名が一致"]
    elif nk and person.name_key.startswith(nk):
        score, reasons = score + 2, [*reasons, "氏名が前方一致"]
    if rk and person.reading_key == rk:
        score, reasons = score + 3, [*reasons, "ふりがなが一致"]
    elif len(rk) >= 2 and person.reading_key.startswith(rk):
        score, reasons = score + 2, [*reasons, "ふりがなが前方一致"]
    if birth and person.birth_date == birth:
        score, reasons = score + 3, [*reasons, "生年月日が一致"]
    return score, reasons


def _recent(session: Session, actor: StaffProfile, person_ids: list[int],
            count: int = 3) -> dict[int, tuple[RecentConsultation, ...]]:
    """Each person's latest consultations (one query for all candidates); the 主訴 of one the
    caller sees masked (another organisation's, before the consent) is not shown."""
    if not person_ids:
        return {}
    ranked = (
        select(Consultation.id, Consultation.received_at, Consultation.main_complaint,
               ConsultationDetail.person_id,
               func.row_number().over(
                   partition_by=ConsultationDetail.person_id,
                   order_by=(Consultation.received_at.desc(), Consultation.id.desc()),
               ).label("n"))
        .join(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
        .where(ConsultationDetail.person_id.in_(person_ids))
        .subquery())
    rows = session.execute(
        select(ranked.c.id, ranked.c.received_at, ranked.c.main_complaint, ranked.c.person_id)
        .where(ranked.c.n <= count).order_by(ranked.c.person_id, ranked.c.n)).all()
    seen = visibilities(session, actor, [row.id for row in rows])
    result: dict[int, list[RecentConsultation]] = {}
    for cid, at, complaint, person_id in rows:
        shown = complaint if cid in seen and seen[cid].identifying else MASKED_TEXT
        result.setdefault(person_id, []).append(RecentConsultation(cid, at, shown))
    return {person_id: tuple(items) for person_id, items in result.items()}


def person_district(session: Session, person_id: int) -> str:
    """The district a person is recorded in (to check scope), or NotFoundError."""
    district = session.scalar(select(Person.district_code).where(Person.id == person_id))
    if district is None:
        raise NotFoundError(f"対象者（ID {person_id}）が見つかりません。")
    return district


def require_person_visible(session: Session, actor: StaffProfile, person_id: int,
                           action: str) -> None:
    """Refuse (audited) unless the person is in scope and the caller may see them: linking a
    person the duplicate check would not show would open their record to the caller."""
    require_case_read(actor, person_district(session, person_id), action)
    cases = _consultations_of(session, [person_id]).get(person_id, [])
    if not _person_visible(cases, visibilities(session, actor, cases)):
        raise deny(actor, action, NOT_SHOWN, entity="person", entity_id=person_id)


NOT_SHOWN = ("この対象者の情報は、本人の情報共有の同意がないため表示できません。"
             "新しい対象者として受け付けてください。")


@use_case
def person_details(db: Database, actor: StaffProfile, person_id: int) -> PersonInput:
    """A person's stored details, as the intake form fills them in after linking (audited)."""
    with db.transaction() as session:
        require_person_visible(session, actor, person_id, "person_view")
        person = session.get(Person, person_id)
        assert person is not None
        audit.record(session, actor, "person_view", entity="person", entity_id=person_id)
        return PersonInput(
            name=person.name, reading=person.reading,
            birth_date=person.birth_date.isoformat() if person.birth_date else "",
            sex=person.sex or "", address_town=person.address_town,
            address_rest=person.address_rest, phone=person.phone,
            household=person.household or "")
