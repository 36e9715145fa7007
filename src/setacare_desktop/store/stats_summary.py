"""The statistics summary (``stats_count``): per district, day and month, how many consultations
fall under each value of each margin the statistics count by.

Every table of 統計 counts by one attribute at a time (organisation kind, district, channel,
response, target, 相談拡充, element), so the summary keeps those margins, not their cross product:
a fiscal year is twelve months × 28 districts × a few dozen values — a few thousand rows.

Every save changes the summary in its own transaction by the difference it makes
(:func:`record_change`): the consultation's key before (:func:`key_of`; None for a new one)
counted out, its key after (None for a deleted one) counted in, each as a day row and a month
row, with an upsert that adds to ``n`` (``INSERT … ON CONFLICT DO UPDATE``: atomic on both
backends, so two clients saving the same day at once both count).

:func:`rebuild` counts everything again from the consultations (migration 0017's backfill, the
demo's bulk rows); :func:`counted` counts a period from the consultations at read time, which the
tests compare the summary with.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.stats import MIXED_KEY, UNCLASSIFIED_KEY, target_key
from setacare_desktop.store.models import (
    Consultation,
    ConsultationElement,
    ConsultationTargetGroup,
    Organisation,
    StatsCount,
)

TABLE: Table = StatsCount.__table__  # type: ignore[assignment]
_KEY = ("span", "day", "district_code", "dimension", "value")
DAY, MONTH = "d", "m"
ELEMENT = "element"
NO_ELEMENT = ""  # the element value that counts consultations without any element
_CHUNK = 20_000

#: dimension -> value -> consultations (``domain.stats.Counts.margins``, plus ``element``).
Margins = dict[str, dict[str, int]]


@dataclass(frozen=True, slots=True)
class SummaryKey:
    """What the summary knows of one consultation."""

    received_on: date
    district_code: str
    org_kind: str
    channel_code: str
    response_code: str
    target_codes: frozenset[str]
    element_codes: frozenset[str]

    def margins(self) -> Iterator[tuple[str, str]]:
        """(dimension, value) of each margin this consultation counts under."""
        target = target_key(self.target_codes)
        yield "org_kind", self.org_kind
        yield "channel_code", self.channel_code
        yield "response_code", self.response_code
        yield "target", target
        if ref.is_expansion(ref.OrgKind(self.org_kind), self.target_codes):
            yield "expansion", "1"
        for code in sorted(self.element_codes) or [NO_ELEMENT]:
            yield ELEMENT, code

    def rows(self) -> Iterator[tuple[str, date, str, str, str]]:
        month = self.received_on.replace(day=1)
        for dimension, value in self.margins():
            yield DAY, self.received_on, self.district_code, dimension, value
            yield MONTH, month, self.district_code, dimension, value


def key_of(session: Session, case_: Consultation) -> SummaryKey:
    """The key of a consultation as it is in memory (its groups and elements loaded)."""
    kind = session.scalar(select(Organisation.kind).where(
        Organisation.id == case_.organisation_id))
    assert kind is not None
    return SummaryKey(case_.received_on, case_.district_code, kind, case_.channel_code,
                      case_.response_code or "", frozenset(t.code for t in case_.target_groups),
                      frozenset(e.code for e in case_.elements))


def record_change(session: Session, before: SummaryKey | None, after: SummaryKey | None) -> None:
    """Count ``before`` out of the summary and ``after`` in (either may be None)."""
    keys: Counter[SummaryKey] = Counter()
    for key, sign in ((before, -1), (after, 1)):
        if key is not None:
            keys[key] += sign
    add_keys(session, keys)


def add_keys(session: Session, keys: Counter[SummaryKey]) -> None:
    """Add ``n`` consultations of each key to the summary (a negative ``n`` counts them out);
    a bulk load counts its consultations' keys and adds them once at the end."""
    deltas: Counter[tuple[Any, ...]] = Counter()
    for key, n in keys.items():
        for row in key.rows():
            deltas[row] += n
    rows = [{**dict(zip(_KEY, row, strict=True)), "n": n} for row, n in deltas.items() if n]
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(TABLE)
    upsert = statement.on_conflict_do_update(index_elements=list(_KEY),
                                             set_={"n": TABLE.c.n + statement.excluded.n})
    for start in range(0, len(rows), _CHUNK):
        session.execute(upsert, rows[start:start + _CHUNK])


def stored_key(session: Session, consultation_id: int) -> SummaryKey | None:
    """The key of a consultation as it is stored (None if there is no such consultation)."""
    keys = list(_stored_keys(session, Consultation.id == consultation_id))
    return keys[0] if keys else None


def forget(session: Session, consultation_id: int) -> None:
    """Count a consultation out of the summary: call it in the transaction that deletes it."""
    record_change(session, stored_key(session, consultation_id), None)


# --- counting from the consultations -------------------------------------------------------------


def _stored_keys(session: Session | Connection, condition: Any) -> Iterator[SummaryKey]:
    """The keys of the consultations matching ``condition``, read in ranges of ids (so that
    two million consultations are never held at once)."""
    low, high = session.execute(select(func.min(Consultation.id), func.max(Consultation.id))
                                .where(condition)).one()
    if low is None:
        return
    for start in range(low, high + 1, _CHUNK):
        in_range = Consultation.id.between(start, start + _CHUNK - 1)
        cases = session.execute(
            select(Consultation.id, Consultation.received_on, Consultation.district_code,
                   Organisation.kind, Consultation.channel_code, Consultation.response_code)
            .join(Organisation, Organisation.id == Consultation.organisation_id)
            .where(condition, in_range)).all()
        if not cases:
            continue
        groups = _codes(session, ConsultationTargetGroup, start)
        elements = _codes(session, ConsultationElement, start)
        for cid, received_on, district, kind, channel, response in cases:
            yield SummaryKey(received_on, district, kind, channel, response or "",
                             frozenset(groups.get(cid, ())), frozenset(elements.get(cid, ())))


def _codes(session: Session | Connection, model: Any, start: int) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for cid, code in session.execute(select(model.consultation_id, model.code).where(
            model.consultation_id.between(start, start + _CHUNK - 1))):
        found.setdefault(cid, set()).add(code)
    return found


def rebuild(connection: Connection | Session) -> None:
    """Count the whole summary again from the consultations (migration 0017's backfill).

    In SQL, one GROUP BY per margin for the day rows, then the month rows from the day rows:
    two million consultations take seconds, not the minutes of reading them into Python.
    ``counted`` (Python, over :class:`SummaryKey`) is what the tests hold it to.
    """
    connection.execute(delete(TABLE))
    tg, ce = ConsultationTargetGroup, ConsultationElement
    groups = func.count(tg.code)
    per_case = (
        select(Consultation.received_on.label("day"), Consultation.district_code,
               Organisation.kind.label("org_kind"), Consultation.channel_code,
               func.coalesce(Consultation.response_code, "").label("response_code"),
               case((groups >= 2, _text(MIXED_KEY)), (groups == 0, _text(UNCLASSIFIED_KEY)),
                    else_=func.min(tg.code)).label("target"),
               case((and_(Organisation.kind == _text(ref.OrgKind.ANSHIN.value), groups > 0,
                          func.max(case((tg.code == _text("elderly"), 1), else_=0)) == 0), 1),
                    else_=0).label("expansion"))
        .join(Organisation, Organisation.id == Consultation.organisation_id)
        .outerjoin(tg, tg.consultation_id == Consultation.id)
        .group_by(Consultation.id, Consultation.received_on, Consultation.district_code,
                  Organisation.kind, Consultation.channel_code, Consultation.response_code)
        .subquery())
    columns = [*_KEY, "n"]
    for dimension in ("org_kind", "channel_code", "response_code", "target"):
        value = per_case.c[dimension]
        connection.execute(insert(TABLE).from_select(columns, (
            select(_text(DAY), per_case.c.day, per_case.c.district_code, _text(dimension),
                   value, func.count())
            .group_by(per_case.c.day, per_case.c.district_code, value))))
    connection.execute(insert(TABLE).from_select(columns, (
        select(_text(DAY), per_case.c.day, per_case.c.district_code, _text("expansion"),
               _text("1"), func.count())
        .where(per_case.c.expansion == 1)
        .group_by(per_case.c.day, per_case.c.district_code))))
    element = func.coalesce(ce.code, _text(NO_ELEMENT))
    connection.execute(insert(TABLE).from_select(columns, (
        select(_text(DAY), Consultation.received_on, Consultation.district_code,
               _text(ELEMENT), element, func.count())
        .outerjoin(ce, ce.consultation_id == Consultation.id)
        .group_by(Consultation.received_on, Consultation.district_code, element))))
    # The month rows, from the day rows (their first day: each dialect's own date function).
    bind = connection if isinstance(connection, Connection) else connection.get_bind()
    if bind.dialect.name == "postgresql":
        month: Any = cast(func.date_trunc(_text("month"), TABLE.c.day), Date)
    else:
        month = func.date(TABLE.c.day, _text("start of month"))
    connection.execute(insert(TABLE).from_select(columns, (
        select(_text(MONTH), month, TABLE.c.district_code, TABLE.c.dimension, TABLE.c.value,
               func.sum(TABLE.c.n))
        .where(TABLE.c.span == DAY)
        .group_by(month, TABLE.c.district_code, TABLE.c.dimension, TABLE.c.value))))


def _text(constant: str) -> Any:
    """A constant of this module written into the SQL (not a parameter), so that PostgreSQL
    sees the same expression in the select list and in GROUP BY."""
    assert "'" not in constant
    return literal_column(f"'{constant}'")


def counted(session: Session, start: date, end: date,
            districts: Iterable[str] | None) -> Margins:
    """The margins of ``start`` … ``end`` counted from the consultations themselves (tests)."""
    condition = Consultation.received_on.between(start, end)
    if districts is not None:
        condition = and_(condition, Consultation.district_code.in_(list(districts)))
    margins: dict[str, Counter[str]] = {}
    for key in _stored_keys(session, condition):
        for dimension, value in key.margins():
            margins.setdefault(dimension, Counter())[value] += 1
        margins.setdefault("district_code", Counter())[key.district_code] += 1
    return {dimension: dict(values) for dimension, values in margins.items()}


# --- reading -------------------------------------------------------------------------------------


def _month_after(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1]) + timedelta(days=1)


def spans(start: date, end: date) -> tuple[tuple[date, date] | None, list[tuple[date, date]]]:
    """The whole months of ``start`` … ``end`` (first days, as a range), and the day ranges
    left over at either end."""
    first = start if start.day == 1 else _month_after(start)
    after = _month_after(end) if _month_after(end) - timedelta(days=1) == end else end.replace(
        day=1)
    if first >= after:
        return None, [(start, end)]
    days = [(start, first - timedelta(days=1))] if start < first else []
    if after <= end:
        days.append((after, end))
    return (first, after - timedelta(days=1)), days


def margins(session: Session, start: date, end: date,
            districts: Iterable[str] | None) -> Margins:
    """The margins of the consultations received from ``start`` to ``end`` (in ``districts``;
    None: the whole ward), from the summary: whole months from the month rows, the rest from
    the day rows. ``district_code`` is added (every consultation counted once by district)."""
    months, days = spans(start, end)
    parts = [and_(TABLE.c.span == DAY, TABLE.c.day.between(a, b)) for a, b in days]
    if months is not None:
        parts.append(and_(TABLE.c.span == MONTH, TABLE.c.day.between(*months)))
    condition = or_(*parts)
    if districts is not None:
        condition = and_(condition, TABLE.c.district_code.in_(list(districts)))
    query = (select(TABLE.c.district_code, TABLE.c.dimension, TABLE.c.value, func.sum(TABLE.c.n))
             .where(condition)
             .group_by(TABLE.c.district_code, TABLE.c.dimension, TABLE.c.value))
    result: dict[str, Counter[str]] = {}
    for district, dimension, value, n in session.execute(query):
        if not n:
            continue
        result.setdefault(dimension, Counter())[value] += int(n)
        if dimension == "org_kind":
            result.setdefault("district_code", Counter())[district] += int(n)
    return {dimension: {v: n for v, n in values.items() if n}
            for dimension, values in result.items()}
