"""The referral directory (つなぎ先): ranked lookup, free search and edits.

Reading the directory needs no case rights (it holds no personal data); suggestions *for a
consultation* read the consultation and so check the caller's scope. Editing and importing are
for logged-in supervisors and administrators (never an anonymous "system" caller); every change
is one transaction with its audit row and a ``dir_history`` row (state before and after). HSDS
import and export are in ``services.hsds``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import directory as d
from setacare_desktop.domain.ranking import Locality, locality_of, rank, search
from setacare_desktop.domain.roles import Role, StaffProfile
from setacare_desktop.domain.text import text_problem
from setacare_desktop.services import audit
from setacare_desktop.services.errors import (
    NotFoundError,
    Problem,
    ValidationError,
)
from setacare_desktop.services.guard import deny, require_case_read, require_login
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.directory import (
    as_utc,
    confirmation_row,
    read_directory,
    service_children,
    service_row,
)
from setacare_desktop.store.models import (
    Consultation,
    ConsultationDetail,
    DirAttribute,
    DirHistory,
    DirPhone,
    DirSchedule,
    DirService,
    DirServiceArea,
    DirServiceAtLocation,
    Staff,
    utc_now,
)

EDITOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
UNCONFIRMED_NOTE = "連絡先 要確認"  # as domain.ranking notes it


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadedDirectory:
    directory: d.Directory
    ids: dict[str, int]  # integer service id by HSDS id
    revision: tuple[int, int]
    #: The database's clock when read (naive UTC): a confirmation a year old no longer counts.
    now: datetime

    def hsds_id(self, service_id: int) -> str:
        for hsds_id, number in self.ids.items():
            if number == service_id:
                return hsds_id
        raise NotFoundError(f"つなぎ先（ID {service_id}）が見つかりません。")


_cache: dict[str, LoadedDirectory] = {}


def _revision_query() -> Any:
    return select(select(func.max(DirHistory.id)).scalar_subquery(),
                  select(func.count()).select_from(DirService).scalar_subquery())


def directory_revision(session: Session) -> tuple[int, int]:
    """Changes whenever the directory does: every edit and import writes history."""
    last, count = session.execute(_revision_query()).one()
    return int(last or 0), int(count or 0)


def _revision_and_now(session: Session) -> tuple[tuple[int, int], datetime]:
    """The revision and the database's clock in one round trip (every lookup asks)."""
    last, count, now = session.execute(
        _revision_query().add_columns(func.current_timestamp())).one()
    return (int(last or 0), int(count or 0)), as_utc(now)


@use_case
def load(db: Database) -> LoadedDirectory:
    """The stored directory (cached per database until its next change)."""
    with db.read() as session:
        return loaded_in(session)


def loaded_in(session: Session) -> LoadedDirectory:
    """The directory as this session sees it, from the cache when nothing has changed."""
    bind = session.get_bind()
    key = bind.engine.url.render_as_string(hide_password=True)
    revision, now = _revision_and_now(session)
    cached = _cache.get(key)
    if cached is not None and cached.revision == revision:
        return dataclasses.replace(cached, now=now)
    directory, ids = read_directory(session)
    loaded = LoadedDirectory(directory, ids, revision, now)
    _cache[key] = loaded
    return loaded


@dataclass(frozen=True, slots=True)
class Destination:
    """What a clerk needs to refer to a service; ``reason`` / ``score`` only for suggestions."""

    service_id: int
    hsds_id: str
    name: str
    organization_name: str
    description: str
    eligibility: str
    hours: str
    phones: tuple[str, ...]
    address: str
    service_area: str
    contact_confirmed: bool  # confirmed, and less than a year ago
    contact_status: str  # 確認済 / 要確認
    status: str
    reason: str = ""
    score: int = 0
    urgent: bool = False
    locality: str = ""
    notes: tuple[str, ...] = ()


def _destination(loaded: LoadedDirectory, service: d.Service, **extra: Any) -> Destination:
    directory = loaded.directory
    org = directory.organization_of(service)
    addresses = [directory.location(lid).address for lid in service.location_ids]
    address = next((f"{a.state_province}{a.city}{a.address_1}" for a in addresses if a), "")
    confirmed = service.contact_confirmed_at(loaded.now)
    return Destination(
        loaded.ids[service.id], service.id, service.name, org.name, service.description,
        service.eligibility, " / ".join(s.description for s in service.schedules),
        tuple(f"{p.number}（{p.description}）" if p.description else p.number
              for p in service.phones or tuple(
                  p for lid in service.location_ids for p in directory.location(lid).phones())),
        address, service.service_area.name, confirmed, d.CONFIRMED if confirmed else d.UNCONFIRMED,
        service.status, **extra)


@use_case
def lookup(db: Database, *, district_code: str, target_groups: Collection[str] = (),
           elements: Collection[str] = (), urgent: Collection[str] | bool = (), text: str = "",
           limit: int | None = 10) -> list[Destination]:
    """Ranked destinations for a consultation of ``district_code`` (``domain.ranking.rank``).

    Unknown district, group, element or urgency codes are a ``ValidationError``.
    """
    return _ranked(load(db), district_code=district_code, target_groups=target_groups,
                   elements=elements, urgent=urgent, text=text, limit=limit)


def _ranked(loaded: LoadedDirectory, *, district_code: str, target_groups: Collection[str],
            elements: Collection[str], urgent: Collection[str] | bool, text: str,
            limit: int | None) -> list[Destination]:
    try:
        found = rank(loaded.directory, district_code=district_code, target_groups=target_groups,
                     elements=elements, urgent=urgent, text=text, limit=limit)
    except ValueError as error:
        raise ValidationError([Problem("つなぎ先の検索条件", str(error))]) from None
    return [_destination(loaded, s.service, reason=s.reason, score=s.score, urgent=s.urgent,
                         locality=s.locality.label, notes=_notes(loaded, s.service, s.notes))
            for s in found]


def _notes(loaded: LoadedDirectory, service: d.Service, notes: tuple[str, ...]
           ) -> tuple[str, ...]:
    """The ranking's notes, with 「連絡先 要確認」 also for a confirmation a year old (the
    ranking sees only whether the entry was ever confirmed)."""
    if service.contact_confirmed and not service.contact_confirmed_at(loaded.now):
        return (*notes, UNCONFIRMED_NOTE)
    return notes


@use_case
def suggest_for_consultation(db: Database, actor: StaffProfile, consultation_id: int, *,
                             limit: int | None = 10) -> list[Destination]:
    """Ranked destinations for a recorded consultation: its district, target groups, elements,
    urgency flags and main complaint."""
    with db.read() as session:
        case = session.get(Consultation, consultation_id)
        if case is None:
            raise NotFoundError(f"相談（ID {consultation_id}）が見つかりません。")
        district = case.district_code
        groups = [t.code for t in case.target_groups]
        elements = [e.code for e in case.elements]
        text = case.main_complaint
        detail = session.get(ConsultationDetail, consultation_id)
        flags: Collection[str] | bool = list(detail.urgency or []) if detail else []
        if not flags and case.urgent:
            flags = True
        require_case_read(actor, district, "referral_suggest")
        loaded = loaded_in(session)
    return _ranked(loaded, district_code=district, target_groups=groups, elements=elements,
                   urgent=flags, text=text, limit=limit)


@use_case
def search_destinations(db: Database, text: str, *, district_code: str | None = None,
                        limit: int | None = 50) -> list[Destination]:
    """Free search by name, reading or keyword (kana- and width-insensitive)."""
    loaded = load(db)
    hits = search(loaded.directory, text, district_code=district_code, limit=limit)
    result = []
    for hit in hits:
        locality = locality_of(hit.service, district_code) if district_code else None
        result.append(_destination(loaded, hit.service,
                                   locality=locality.label if isinstance(locality, Locality)
                                   else "", reason=f"{hit.matched_in.label}に一致"))
    return result


@use_case
def destination(db: Database, service_id: int) -> Destination:
    loaded = load(db)
    return _destination(loaded, loaded.directory.service(loaded.hsds_id(service_id)))


# --- editing ---------------------------------------------------------------------------------------


def require_editor(actor: StaffProfile | None, action: str) -> None:
    """Editing and importing the directory: a logged-in supervisor or administrator only (no
    caller acts as "the system"; the window and ``setacare directory import --as`` pass one)."""
    require_login(actor, action)
    assert actor is not None
    if actor.role not in EDITOR_ROLES:
        raise deny(actor, action, "つなぎ先の編集は監督者・管理者のみ行えます。",
                   entity="directory")


def snapshot(service: d.Service) -> dict[str, Any]:
    row = service_row(service, 0)
    del row["sort_order"]
    return {**row, **service_children(service)}


def set_children(session: Session, row: DirService, service: d.Service) -> None:
    children = service_children(service)
    row.phones = [DirPhone(**r) for r in children["dir_phone"]]
    row.schedules = [DirSchedule(**r) for r in children["dir_schedule"]]
    row.areas = [DirServiceArea(**r) for r in children["dir_service_area"]]
    row.attributes = [DirAttribute(**r) for r in children["dir_attribute"]]
    row.locations = [DirServiceAtLocation(**r) for r in children["dir_service_at_location"]]
    session.flush()


#: The edit's text fields and the labels the edit dialog shows them under.
EDIT_LABELS = {"name": "名称", "reading": "よみ", "description": "内容",
               "eligibility": "対象", "application_process": "利用方法"}


@dataclass(frozen=True, slots=True)
class ServiceEdit:
    """Changes to one service; ``None`` leaves a field as it is."""

    name: str | None = None
    reading: str | None = None
    description: str | None = None
    eligibility: str | None = None
    application_process: str | None = None
    status: str | None = None
    phones: Sequence[d.Phone] | None = None
    schedules: Sequence[str] | None = None
    target_groups: Collection[str] | None = None
    elements: Collection[str] | None = None
    keywords: Sequence[str] | None = None
    contact_confirmed: bool | None = None


def _text_problems(edit: ServiceEdit) -> list[str]:
    """Text no database or printout can hold, as「項目: 理由」(the dialog places a problem by the
    words it starts with)."""
    texts = {label: getattr(edit, name) or "" for name, label in EDIT_LABELS.items()}
    texts["受付時間"] = "\n".join(edit.schedules or ())
    texts["キーワード"] = " ".join(edit.keywords or ())
    texts["電話番号"] = " ".join(f"{p.number} {p.description}" for p in edit.phones or ())
    multiline = {"内容", "対象", "利用方法", "受付時間"}
    return [f"{label}: {problem}" for label, text in texts.items()
            if (problem := text_problem(text, multiline=label in multiline))]


@use_case
def edit_service(db: Database, actor: StaffProfile, service_id: int, edit: ServiceEdit) -> None:
    """Change a destination (supervisors and administrators); audited, the old state kept."""
    require_editor(actor, "directory_edit")
    with db.transaction() as session:
        _edit_service(session, actor, service_id, edit)


def _edit_service(session: Session, actor: StaffProfile, service_id: int,
                  edit: ServiceEdit) -> None:
    loaded = loaded_in(session)
    old = loaded.directory.service(loaded.hsds_id(service_id))
    changes: dict[str, Any] = {}
    for name in ("name", "reading", "description", "eligibility", "application_process",
                 "status"):
        value = getattr(edit, name)
        if value is not None:
            changes[name] = value.strip() if isinstance(value, str) else value
    if edit.phones is not None:
        changes["phones"] = tuple(edit.phones)
    if edit.schedules is not None:
        changes["schedules"] = tuple(d.Schedule(s.strip()) for s in edit.schedules if s.strip())
    if edit.target_groups is not None:
        changes["target_groups"] = frozenset(edit.target_groups)
    if edit.elements is not None:
        changes["elements"] = frozenset(edit.elements)
    if edit.keywords is not None:
        changes["keywords"] = tuple(k.strip() for k in edit.keywords if k.strip())
    changes.update(_confirmation(old, edit.contact_confirmed, actor, loaded.now))
    new = dataclasses.replace(old, **changes)
    directory = loaded.directory  # valid as stored: any problem now is the edit's
    problems = [p.partition(": ")[2] or p for p in d.directory_problems(
        directory.organizations, [new if s.id == new.id else s for s in directory.services],
        directory.locations)]
    problems += [f"電話番号 {p.number!r} に数字がありません" for p in new.phones
                 if not re.search(r"\d", p.number)]
    problems += _text_problems(edit)
    if problems:
        raise ValidationError([Problem(new.name or old.name, p) for p in problems])
    before, after = snapshot(old), snapshot(new)
    changed = sorted(k for k in after if after[k] != before[k])
    if new.confirmed_at != old.confirmed_at:
        changed = sorted({*changed, "contact_confirmed", "confirmed_at"})
    if not changed:
        return
    row = session.get(DirService, service_id)
    assert row is not None
    for key, value in (service_row(new, row.sort_order) | confirmation_row(new)).items():
        setattr(row, key, value)
    row.updated_at = utc_now()
    set_children(session, row, new)
    session.add(DirHistory(staff_id=actor.staff_id, action="edit", entity="service",
                           entity_id=new.id, fields=changed, previous=before, current=after))
    audit.record(session, actor, "directory_edit", entity="dir_service", entity_id=service_id,
                 fields=changed)


def _confirmation(old: d.Service, confirmed: bool | None, actor: StaffProfile,
                  now: datetime) -> dict[str, Any]:
    """The confirmation fields an edit sets: ticking 確認済 on an entry that does not count as
    confirmed now (never confirmed, or a year ago) records who and when; unticking clears it;
    a confirmation that still counts is kept as it was (its date is not moved by an edit)."""
    if confirmed is None or (confirmed and old.contact_confirmed_at(now)):
        return {}
    if confirmed:
        return {"contact_confirmed": True, "confirmed_at": now, "confirmed_by": actor.staff_id}
    return {"contact_confirmed": False, "confirmed_at": None, "confirmed_by": None}


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Whether a destination's contact counts as confirmed now, and who confirmed it when."""

    current: bool
    at: datetime | None  # naive UTC
    by: str  # the staff member's name ("" when not recorded)


@use_case
def confirmation(db: Database, service_id: int) -> Confirmation:
    """The confirmation state of one destination (for the edit dialog)."""
    with db.read() as session:
        loaded = loaded_in(session)
        service = loaded.directory.service(loaded.hsds_id(service_id))
        by = ""
        if service.confirmed_by is not None:
            staff = session.get(Staff, service.confirmed_by)
            by = staff.name if staff is not None else f"職員ID {service.confirmed_by}"
        return Confirmation(service.contact_confirmed_at(loaded.now), service.confirmed_at, by)


@dataclass(frozen=True, slots=True)
class HistoryRow:
    at: datetime
    staff_id: int | None
    action: str
    fields: tuple[str, ...]
    previous: dict[str, object] | None


@use_case
def service_history(db: Database, service_id: int) -> list[HistoryRow]:
    """Every recorded change of a service, newest first."""
    with db.read() as session:
        hsds_id = loaded_in(session).hsds_id(service_id)
        rows = session.scalars(select(DirHistory).where(
            DirHistory.entity == "service", DirHistory.entity_id == hsds_id)
            .order_by(DirHistory.id.desc()))
        return [HistoryRow(r.at, r.staff_id, r.action, tuple(r.fields), r.previous)
                for r in rows]
