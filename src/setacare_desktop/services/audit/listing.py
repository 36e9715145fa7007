"""操作記録の確認: the audit trail of a period, for supervisors (their scope) and administrators.

Whose rows a supervisor sees: an audit row belongs to the district of the record it names (a
consultation, a person, a referral, a liaison sheet, a consent, a draft of a consultation, a
district), and to the place of the staff member who acted (their district; an area branch's
whole area). A supervisor sees a row when they may read the record's district, or when the
actor's place lies wholly in their scope (their own staff's logins, searches and refusals). An
administrator sees every row. Rows name records by id only; the trail holds no names.

Each row gets the flags of ``domain/audit_checks.py``; looking at the trail is itself audited
(``audit_list``), and so is saving it as CSV (``audit_export``, after the file is written).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.audit_checks import (
    AuditFact,
    Flag,
    action_label,
    flags_of,
    record_label,
)
from setacare_desktop.domain.jpdate import JST, local_now, utc_to_local
from setacare_desktop.domain.problems import Problem
from setacare_desktop.domain.referral import ReferralStatus
from setacare_desktop.domain.roles import Role, StaffProfile
from setacare_desktop.domain.stats import neutralise
from setacare_desktop.services.audit.trail import record
from setacare_desktop.services.errors import ValidationError
from setacare_desktop.services.files import write_atomically
from setacare_desktop.services.guard import deny
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    AuditEvent,
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    IntakeDraft,
    LiaisonSheetRow,
    Organisation,
    Person,
    Referral,
    ReferralEvent,
    Staff,
)

#: The longest period one listing covers (a month: the ward's busiest trail stays in memory).
MAX_PERIOD_DAYS = 31
#: Ids per ``IN (…)`` when resolving the records rows name.
_CHUNK = 500

NOT_AN_AUDITOR = "操作記録を確認できるのは、監督者と管理者だけです。"
CSV_HEADERS = ("記録No.", "日時", "ログインID", "職員", "所属", "操作", "対象", "対象者ID",
               "地区", "注意", "詳細")


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """The period (local days, both included) and the optional filters."""

    start: date
    end: date
    staff: str | None = None  # a login
    person_id: int | None = None
    action: str | None = None  # an action code


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: datetime  # the ward's local time
    login: str
    staff_name: str
    organisation: str
    action: str
    record: str  # 「相談 No.12」
    person_id: int | None
    district_code: str | None
    detail: str
    flags: tuple[Flag, ...] = ()

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def flag_text(self) -> str:
        """The flags' short labels (the 注意 column)."""
        return "・".join(flag.label for flag in self.flags)

    @property
    def flag_reasons(self) -> str:
        """The flags' rules in full (the CSV)."""
        return "・".join(flag.reason for flag in self.flags)

    @property
    def district_name(self) -> str:
        district = ref.DISTRICTS_BY_CODE.get(self.district_code or "")
        return district.name if district else ""


@dataclass(frozen=True, slots=True)
class AuditListing:
    query: AuditQuery
    rows: tuple[AuditRow, ...]  # newest first
    scope_label: str
    generated_at: datetime  # local

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.flags)


def _require_auditor(actor: StaffProfile, action: str) -> None:
    if actor.role not in (Role.SUPERVISOR, Role.ADMINISTRATOR):
        raise deny(actor, action, NOT_AN_AUDITOR)


def check_query(query: AuditQuery) -> None:
    """Field problems of the period and filters (Japanese, naming the field)."""
    problems = []
    if query.start > query.end:
        problems.append(Problem("期間", f"開始日（{query.start:%Y-%m-%d}）が終了日"
                                        f"（{query.end:%Y-%m-%d}）より後です"))
    elif (query.end - query.start).days + 1 > MAX_PERIOD_DAYS:
        problems.append(Problem("期間", f"一度に確認できるのは{MAX_PERIOD_DAYS}日までです"))
    if query.person_id is not None and not 0 < query.person_id < 2**31:
        problems.append(Problem("対象者ID", "1 以上の番号を入力してください"))
    if problems:
        raise ValidationError(problems)


def _utc(day: date) -> datetime:
    """Local midnight at the start of ``day`` as stored (naive UTC)."""
    return datetime.combine(day, time(), JST).astimezone(UTC).replace(tzinfo=None)


def scope_label(actor: StaffProfile) -> str:
    if actor.role is Role.ADMINISTRATOR:
        return "区全体"
    return roles.place_label(actor)


@use_case
def list_events(db: Database, actor: StaffProfile, query: AuditQuery, *,
                purpose: str = "table") -> AuditListing:
    """The audit rows of the period that ``actor`` may see, newest first, each with its flags.

    ``purpose`` (``table`` or ``csv``) is noted in the ``audit_list`` row this writes.
    """
    _require_auditor(actor, "audit_list")
    check_query(query)
    with db.transaction() as session:
        events = _events(session, query)
        places = _Places(session, events)
        facts = [AuditFact(e.id, utc_to_local(e.at), e.login, e.action, e.entity, e.entity_id,
                           e.detail, places.sheet_sent(e)) for e in events]
        flags = flags_of(facts)
        readable = set(roles.readable_districts(actor))
        rows = []
        for event in reversed(events):
            district, person_id = places.record_place(event)
            if actor.role is not Role.ADMINISTRATOR and not (
                    district in readable or places.actor_within(event, readable)):
                continue
            if query.person_id is not None and person_id != query.person_id:
                continue
            name, organisation = places.staff_of(event)
            rows.append(AuditRow(
                event.id, utc_to_local(event.at), event.login, name, organisation, event.action,
                record_label(event.entity, places.shown_id(event)), person_id, district,
                event.detail or "", flags.get(event.id, ())))
        record(session, actor, "audit_list", entity="period",
               entity_id=f"{query.start:%Y-%m-%d}/{query.end:%Y-%m-%d}",
               detail=_described(query, purpose, len(rows)))
    return AuditListing(query, tuple(rows), scope_label(actor), local_now())


def _described(query: AuditQuery, purpose: str, count: int) -> str:
    parts = [purpose, f"rows={count}"]
    if query.staff:
        parts.append(f"staff={query.staff}")
    if query.person_id is not None:
        parts.append(f"person={query.person_id}")
    if query.action:
        parts.append(f"action={query.action}")
    return " ".join(parts)


def _events(session: Session, query: AuditQuery) -> list[AuditEvent]:
    statement = (select(AuditEvent)
                 .where(AuditEvent.at >= _utc(query.start),
                        AuditEvent.at < _utc(query.end + timedelta(days=1)))
                 .order_by(AuditEvent.id))
    if query.staff:
        statement = statement.where(AuditEvent.login == query.staff.strip())
    if query.action:
        statement = statement.where(AuditEvent.action == query.action)
    return list(session.scalars(statement))


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def _chunks(values: Iterable[object]) -> Iterable[list[object]]:
    items = sorted(set(values), key=str)
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


class _Places:
    """Where the rows' records and actors belong, resolved in a few batched queries."""

    def __init__(self, session: Session, events: Sequence[AuditEvent]) -> None:
        def ids(entity: str) -> list[int]:
            return [i for e in events if e.entity == entity
                    and (i := _int(e.entity_id)) is not None]

        # liaison sheet → referral → consultation → person; consent / draft → …
        self.sheets: dict[str, tuple[int, str]] = {}
        numbers = [e.entity_id for e in events if e.entity == "liaison_sheet" and e.entity_id]
        for chunk in _chunks(numbers):
            self.sheets.update((n, (r, d)) for n, r, d in session.execute(
                select(LiaisonSheetRow.sheet_number, LiaisonSheetRow.referral_id,
                       LiaisonSheetRow.district_code)
                .where(LiaisonSheetRow.sheet_number.in_(chunk))))
        self.consents: dict[int, tuple[int, int | None]] = {}
        for chunk in _chunks(ids("consent")):
            self.consents.update((i, (p, c)) for i, p, c in session.execute(
                select(ConsentRecordRow.id, ConsentRecordRow.person_id,
                       ConsentRecordRow.consultation_id).where(ConsentRecordRow.id.in_(chunk))))
        self.drafts: dict[int, int | None] = {}
        for chunk in _chunks(ids("draft")):
            self.drafts.update(session.execute(
                select(IntakeDraft.id, IntakeDraft.consultation_id)
                .where(IntakeDraft.id.in_(chunk))).all())
        referral_ids = ids("referral") + [r for r, _d in self.sheets.values()]
        self.referrals: dict[int, int] = {}
        self.sent: set[int] = set()
        for chunk in _chunks(referral_ids):
            self.referrals.update(session.execute(
                select(Referral.id, Referral.consultation_id)
                .where(Referral.id.in_(chunk))).all())
            self.sent.update(session.scalars(
                select(ReferralEvent.referral_id).where(
                    ReferralEvent.referral_id.in_(chunk),
                    ReferralEvent.status == ReferralStatus.SENT.value)))
        consultation_ids = (ids("consultation") + list(self.referrals.values())
                            + [c for c in self.drafts.values() if c is not None])
        self.consultations: dict[int, tuple[str, int | None]] = {}
        for chunk in _chunks(consultation_ids):
            self.consultations.update((i, (d, p)) for i, d, p in session.execute(
                select(Consultation.id, Consultation.district_code, ConsultationDetail.person_id)
                .outerjoin(ConsultationDetail,
                           ConsultationDetail.consultation_id == Consultation.id)
                .where(Consultation.id.in_(chunk))))
        person_ids = ids("person") + [p for p, _c in self.consents.values()]
        self.persons: dict[int, str] = {}
        for chunk in _chunks(person_ids):
            self.persons.update(session.execute(
                select(Person.id, Person.district_code).where(Person.id.in_(chunk))).all())
        staff_ids = [e.staff_id for e in events if e.staff_id is not None] + ids("staff")
        self.staff: dict[int, tuple[str, str, str | None, str]] = {}
        self.logins: dict[int, str] = {}
        for chunk in _chunks(staff_ids):
            for i, login, n, o, d, a in session.execute(
                select(Staff.id, Staff.login, Staff.name, Organisation.name,
                       Organisation.district_code, Organisation.area_code)
                    .join(Organisation, Organisation.id == Staff.organisation_id)
                    .where(Staff.id.in_(chunk))):
                self.staff[i] = (n, o, d, a)
                self.logins[i] = login

    def shown_id(self, event: AuditEvent) -> str | None:
        """The record's id as shown: a district by its name, a staff member by their login."""
        if event.entity == "district" and event.entity_id in ref.DISTRICTS_BY_CODE:
            return ref.DISTRICTS_BY_CODE[event.entity_id].name
        if event.entity == "district" and event.entity_id is None:  # several, in the detail
            codes = (event.detail or "").split(",")
            return "・".join(ref.DISTRICTS_BY_CODE[c].name for c in codes
                            if c in ref.DISTRICTS_BY_CODE) or None
        if event.entity == "staff":
            return self.logins.get(_int(event.entity_id) or 0, event.entity_id)
        return event.entity_id

    def _consultation(self, consultation_id: int | None) -> tuple[str | None, int | None]:
        return self.consultations.get(consultation_id or 0, (None, None))

    def record_place(self, event: AuditEvent) -> tuple[str | None, int | None]:
        """(the district of the record the row names, the person it concerns)."""
        entity, number = event.entity, _int(event.entity_id)
        if entity == "consultation":
            return self._consultation(number)
        if entity == "person" and number is not None:
            return self.persons.get(number), number
        if entity == "referral":
            return self._consultation(self.referrals.get(number or 0))
        if entity == "liaison_sheet" and event.entity_id in self.sheets:
            referral_id, district = self.sheets[event.entity_id]
            return district, self._consultation(self.referrals.get(referral_id))[1]
        if entity == "consent" and number in self.consents:
            person_id, _consultation_id = self.consents[number]
            return self.persons.get(person_id), person_id
        if entity == "draft":
            return self._consultation(self.drafts.get(number or 0))
        if entity == "district" and event.entity_id in ref.DISTRICTS_BY_CODE:
            return event.entity_id, None
        if entity == "staff" and number in self.staff:  # an account: its organisation's district
            return self.staff[number][2], None
        first = (event.detail or "").split(" ", 1)[0]
        if entity == "day" and first in ref.DISTRICTS_BY_CODE:
            return first, None
        return None, None

    def _actor_id(self, event: AuditEvent) -> int | None:
        if event.staff_id is not None:
            return event.staff_id
        target = _int(event.entity_id) if event.entity == "staff" else None
        if target is not None and self.logins.get(target) == event.login:
            return target  # a failed login names the account it tried
        return None

    def staff_of(self, event: AuditEvent) -> tuple[str, str]:
        """(the staff member's name, their organisation), "" where the login is unknown."""
        found = self.staff.get(self._actor_id(event) or 0)
        return (found[0], found[1]) if found else ("", "")

    def actor_within(self, event: AuditEvent, readable: set[str]) -> bool:
        """Whether the acting staff member's place lies wholly inside ``readable``."""
        found = self.staff.get(self._actor_id(event) or 0)
        if found is None:
            return False
        _name, _org, district, area = found
        if district is not None:
            return district in readable
        places = {d.code for d in ref.DISTRICTS if d.area_code == area}
        return bool(places) and places <= readable

    def sheet_sent(self, event: AuditEvent) -> bool | None:
        if event.entity != "liaison_sheet" or event.entity_id not in self.sheets:
            return None
        return self.sheets[event.entity_id][0] in self.sent


# --- CSV ------------------------------------------------------------------------------------


def csv_rows(listing: AuditListing) -> list[list[str]]:
    """The listing as CSV cells (a formula-like text gets a leading apostrophe)."""
    return [[neutralise(cell) for cell in (
        str(row.id), f"{row.at:%Y-%m-%d %H:%M:%S}", row.login, row.staff_name, row.organisation,
        row.action_label, row.record, "" if row.person_id is None else str(row.person_id),
        row.district_name, row.flag_reasons, row.detail)] for row in listing.rows]


def export_csv(listing: AuditListing) -> bytes:
    """CSV for Excel: UTF-8 with a BOM, CRLF, a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    writer.writerows(csv_rows(listing))
    return out.getvalue().encode("utf-8-sig")


@use_case
def save_csv(db: Database, actor: StaffProfile, listing: AuditListing, path: Path) -> None:
    """Write the listing to ``path`` (whole or not at all), then audit the export."""
    _require_auditor(actor, "audit_export")
    write_atomically(path, export_csv(listing))
    with db.transaction() as session:
        record(session, actor, "audit_export", entity="period",
               entity_id=f"{listing.query.start:%Y-%m-%d}/{listing.query.end:%Y-%m-%d}",
               detail=f"csv rows={len(listing.rows)}")
