"""The statistics summary: per day, district and organisation, how many consultations fall in
each group the statistics count by (``stats_case_day``), and per element (``stats_element_day``).

Every save changes the summary in its own transaction by the difference it makes: the key of the
consultation before (:func:`key_of`, or None for a new one) counted out, the key after (None for a
deleted one) counted in, with an upsert that adds to ``n`` (``INSERT … ON CONFLICT DO UPDATE``:
atomic on both backends, so two clients saving the same day at once both count). 統計 then
reads a few rows per day instead of every consultation (bench/stats_bench.py).

:func:`rebuild` counts everything again from the consultations (migration 0017's backfill and
the demo generator, which inserts in bulk); :func:`counted_case_rows` and
:func:`counted_element_rows` are the same full count at read time, which the tests compare
the summary with.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from setacare_desktop.domain.stats import MIXED_KEY, UNCLASSIFIED_KEY, target_key
from setacare_desktop.store.models import (
    Consultation,
    ConsultationElement,
    ConsultationTargetGroup,
    Organisation,
    StatsCaseDay,
    StatsElementDay,
)

CASES: Table = StatsCaseDay.__table__  # type: ignore[assignment]
ELEMENTS: Table = StatsElementDay.__table__  # type: ignore[assignment]
_CASE_KEY = ("received_on", "district_code", "organisation_id", "channel_code", "response_code",
             "target", "has_elderly")
_ELEMENT_KEY = ("received_on", "district_code", "element_code")
NO_ELEMENT = ""  # the element_code that counts consultations without any element


@dataclass(frozen=True, slots=True)
class SummaryKey:
    """What the summary knows of one consultation."""

    received_on: date
    district_code: str
    organisation_id: int
    channel_code: str
    response_code: str
    target_codes: frozenset[str]
    element_codes: frozenset[str]

    def case_row(self) -> tuple[Any, ...]:
        return (self.received_on, self.district_code, self.organisation_id, self.channel_code,
                self.response_code, target_key(self.target_codes), "elderly" in self.target_codes)

    def element_rows(self) -> list[tuple[Any, ...]]:
        return [(self.received_on, self.district_code, code)
                for code in (self.element_codes or {NO_ELEMENT})]


def key_of(case_: Consultation) -> SummaryKey:
    """The key of a consultation as it is in memory (its groups and elements loaded)."""
    return SummaryKey(case_.received_on, case_.district_code, case_.organisation_id,
                      case_.channel_code, case_.response_code or "",
                      frozenset(t.code for t in case_.target_groups),
                      frozenset(e.code for e in case_.elements))


def record_change(session: Session, before: SummaryKey | None, after: SummaryKey | None) -> None:
    """Count ``before`` out of the summary and ``after`` in (either may be None)."""
    cases: Counter[tuple[Any, ...]] = Counter()
    elements: Counter[tuple[Any, ...]] = Counter()
    for key, sign in ((before, -1), (after, 1)):
        if key is not None:
            cases[key.case_row()] += sign
            for row in key.element_rows():
                elements[row] += sign
    _add(session, CASES, _CASE_KEY, cases)
    _add(session, ELEMENTS, _ELEMENT_KEY, elements)


def _add(session: Session, table: Table, key: Sequence[str],
         deltas: Counter[tuple[Any, ...]]) -> None:
    rows = [{**dict(zip(key, row, strict=True)), "n": n} for row, n in deltas.items() if n]
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(table)
    session.execute(statement.on_conflict_do_update(
        index_elements=list(key), set_={"n": table.c.n + statement.excluded.n}), rows)


# --- counting everything -------------------------------------------------------------------------


def _per_case(where: Any = None) -> Any:
    """Each consultation's statistics key, from the consultation tables."""
    tg = ConsultationTargetGroup
    query = (
        select(Consultation.id, Consultation.received_on, Consultation.district_code,
               Consultation.organisation_id, Consultation.channel_code,
               func.coalesce(Consultation.response_code, "").label("response_code"),
               func.count(tg.code).label("groups"), func.min(tg.code).label("one"),
               func.max(case((tg.code == "elderly", 1), else_=0)).label("elderly"))
        .select_from(Consultation)
        .outerjoin(tg, tg.consultation_id == Consultation.id)
        .group_by(Consultation.id, Consultation.received_on, Consultation.district_code,
                  Consultation.organisation_id, Consultation.channel_code,
                  Consultation.response_code))
    if where is not None:
        query = query.where(where)
    return query.subquery()


def _counted_cases(where: Any = None) -> Select[Any]:
    per_case = _per_case(where)
    target = case((per_case.c.groups >= 2, literal(MIXED_KEY)),
                  (per_case.c.groups == 0, literal(UNCLASSIFIED_KEY)), else_=per_case.c.one)
    elderly = per_case.c.elderly == 1
    columns = (per_case.c.received_on, per_case.c.district_code, per_case.c.organisation_id,
               per_case.c.channel_code, per_case.c.response_code)
    return (select(*columns, target.label("target"), elderly.label("has_elderly"),
                   func.count().label("n"))
            .group_by(*columns, target, elderly))


def _counted_elements(where: Any = None) -> Select[Any]:
    ce = ConsultationElement
    code = func.coalesce(ce.code, NO_ELEMENT)
    query = (select(Consultation.received_on, Consultation.district_code,
                    code.label("element_code"), func.count().label("n"))
             .select_from(Consultation).outerjoin(ce, ce.consultation_id == Consultation.id)
             .group_by(Consultation.received_on, Consultation.district_code, code))
    return query.where(where) if where is not None else query


def rebuild(connection: Connection | Session) -> None:
    """Count the whole summary again from the consultations (backfill, bulk inserts)."""
    connection.execute(delete(CASES))
    connection.execute(delete(ELEMENTS))
    connection.execute(insert(CASES).from_select([*_CASE_KEY, "n"], _counted_cases()))
    connection.execute(insert(ELEMENTS).from_select([*_ELEMENT_KEY, "n"], _counted_elements()))


# --- reading -------------------------------------------------------------------------------------

#: One statistics group: (org kind, district, channel, response or "", target key, has 高齢者, n).
CaseRow = tuple[str, str, str, str, str, bool, int]


def case_rows(session: Session, start: date, end: date,
              districts: Iterable[str] | None) -> list[CaseRow]:
    """The groups of the consultations received from ``start`` to ``end`` (in ``districts``;
    None: the whole ward), from the summary."""
    condition = CASES.c.received_on.between(start, end)
    if districts is not None:
        condition = and_(condition, CASES.c.district_code.in_(list(districts)))
    return _grouped(session, CASES, condition)


def counted_case_rows(session: Session, start: date, end: date,
                      districts: Iterable[str] | None) -> list[CaseRow]:
    """The same groups counted from the consultations themselves (for tests)."""
    condition = Consultation.received_on.between(start, end)
    if districts is not None:
        condition = and_(condition, Consultation.district_code.in_(list(districts)))
    return _grouped(session, _counted_cases(condition).subquery(), None)


def _grouped(session: Session, source: Any, condition: Any) -> list[CaseRow]:
    columns = (Organisation.kind, source.c.district_code, source.c.channel_code,
               source.c.response_code, source.c.target, source.c.has_elderly)
    query = (select(*columns, func.sum(source.c.n))
             .join(Organisation, Organisation.id == source.c.organisation_id)
             .group_by(*columns).having(func.sum(source.c.n) != 0))
    if condition is not None:
        query = query.where(condition)
    return [(kind, district, channel, response, target, bool(elderly), int(n))
            for kind, district, channel, response, target, elderly, n in session.execute(query)]


def element_rows(session: Session, start: date, end: date,
                 districts: Iterable[str] | None) -> dict[str, int]:
    """Consultations per element code ("" for none) from ``start`` to ``end``, from the summary."""
    condition = ELEMENTS.c.received_on.between(start, end)
    if districts is not None:
        condition = and_(condition, ELEMENTS.c.district_code.in_(list(districts)))
    query = (select(ELEMENTS.c.element_code, func.sum(ELEMENTS.c.n)).where(condition)
             .group_by(ELEMENTS.c.element_code).having(func.sum(ELEMENTS.c.n) != 0))
    return {code: int(n) for code, n in session.execute(query)}


def counted_element_rows(session: Session, start: date, end: date,
                         districts: Iterable[str] | None) -> dict[str, int]:
    """The same counted from the consultations themselves (for tests)."""
    condition = Consultation.received_on.between(start, end)
    if districts is not None:
        condition = and_(condition, Consultation.district_code.in_(list(districts)))
    counted = _counted_elements(condition).subquery()
    query = select(counted.c.element_code, func.sum(counted.c.n)).group_by(counted.c.element_code)
    return {code: int(n) for code, n in session.execute(query)}



def stored_key(session: Session, consultation_id: int) -> SummaryKey | None:
    """The key of a consultation as it is stored (None if there is no such consultation)."""
    row = session.execute(
        select(Consultation.received_on, Consultation.district_code,
               Consultation.organisation_id, Consultation.channel_code,
               Consultation.response_code).where(Consultation.id == consultation_id)).first()
    if row is None:
        return None
    groups = session.scalars(select(ConsultationTargetGroup.code).where(
        ConsultationTargetGroup.consultation_id == consultation_id))
    elements = session.scalars(select(ConsultationElement.code).where(
        ConsultationElement.consultation_id == consultation_id))
    return SummaryKey(row[0], row[1], row[2], row[3], row[4] or "", frozenset(groups),
                      frozenset(elements))


def forget(session: Session, consultation_id: int) -> None:
    """Count a consultation out of the summary: call it in the transaction that deletes it."""
    record_change(session, stored_key(session, consultation_id), None)
