"""Editing a destination's organisation (運営組織) and its locations with their address (所在地)
in the window (issue 15): supervisors and administrators, audited by name, the state before
and after kept as ``dir_history``. A problem names its field in Japanese (``Problem.field`` is
the label the editor shows), so the editor places it there; nothing is written then.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from setacare_desktop.domain import directory as d
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.text import text_problem
from setacare_desktop.services import audit
from setacare_desktop.services.directory import loaded_in, require_editor
from setacare_desktop.services.errors import NotFoundError, Problem, ValidationError
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.directory import location_row, organization_row
from setacare_desktop.store.models import DirHistory, DirLocation, DirOrganization

#: Label, column limit (None: long text) and whether line ends are allowed, by field.
ORGANIZATION_FIELDS: dict[str, tuple[str, int | None, bool]] = {
    "name": ("名称", 200, False), "alternate_name": ("別名", 200, False),
    "description": ("説明", None, True), "website": ("ウェブサイト", 500, False),
    "email": ("メールアドレス", 200, False)}
LOCATION_FIELDS: dict[str, tuple[str, int | None, bool]] = {
    "name": ("名称", 200, False), "alternate_name": ("別名", 200, False),
    "description": ("説明", None, True), "postal_code": ("郵便番号", 32, False),
    "state_province": ("都道府県", 100, False), "city": ("市区町村", 100, False),
    "address_1": ("住所", 300, False), "address_2": ("建物名など", 300, False),
    "latitude": ("緯度", 32, False), "longitude": ("経度", 32, False)}
ADDRESS_FIELDS = ("address_1", "city", "state_province", "postal_code", "country", "address_2")
MAX_TEXT = 20_000
_POSTAL = re.compile(r"\d{3}-?\d{4}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True, slots=True)
class Places:
    """A destination's organisation and locations, as the editor shows them."""

    organization: d.Organization
    locations: tuple[d.Location, ...]


@use_case
def places_of(db: Database, service_id: int) -> Places:
    with db.read() as session:
        loaded = loaded_in(session)
        directory = loaded.directory
        service = directory.service(loaded.hsds_id(service_id))
        return Places(directory.organization_of(service),
                      tuple(directory.location(lid) for lid in service.location_ids))


def _problems(values: dict[str, str], fields: dict[str, tuple[str, int | None, bool]]
              ) -> list[Problem]:
    problems = []
    for key, text in values.items():
        label, limit, multiline = fields[key]
        problem = text_problem(text, multiline=multiline)
        if problem is None and len(text) > (limit or MAX_TEXT):
            problem = f"{limit or MAX_TEXT:,}文字以内にしてください（{len(text):,}文字）"
        if problem is None and key == "name" and not text:
            problem = "入力してください"
        if problem is None and key == "website" and text and not text.startswith(
                ("http://", "https://")):
            problem = "http:// または https:// で始めてください"
        if problem is None and key == "email" and text and not _EMAIL.fullmatch(text):
            problem = "メールアドレスの形ではありません（例: soudan@example.jp）"
        if problem is None and key == "postal_code" and text and not _POSTAL.fullmatch(text):
            problem = "7桁の数字で入力してください（例: 154-0001）"
        if problem is None and key in ("latitude", "longitude") and text:
            problem = _coordinate_problem(text, 90 if key == "latitude" else 180)
        if problem:
            problems.append(Problem(label, problem))
    return problems


def _coordinate_problem(text: str, bound: int) -> str | None:
    try:
        value = float(text)
    except ValueError:
        return "数値で入力してください（例: 35.6466）"
    return None if -bound <= value <= bound else f"-{bound}〜{bound} の範囲で入力してください"


def _record(session: Session, actor: StaffProfile, entity: str, entity_id: str,
            before: dict[str, Any], after: dict[str, Any]) -> None:
    changed = sorted(k for k in after if after[k] != before.get(k))
    if not changed:
        return
    session.add(DirHistory(staff_id=actor.staff_id, action="edit", entity=entity,
                           entity_id=entity_id, fields=changed, previous=before, current=after))
    audit.record(session, actor, "directory_edit", entity=f"dir_{entity}", entity_id=entity_id,
                 fields=changed)


@use_case
def edit_organization(db: Database, actor: StaffProfile, organization_id: str,
                      values: dict[str, str]) -> None:
    """Change an organisation's name, other name, description, website or e-mail (``values``
    by field name, as typed)."""
    require_editor(actor, "directory_edit")
    values = {k: v.strip() for k, v in values.items() if k in ORGANIZATION_FIELDS}
    problems = _problems(values, ORGANIZATION_FIELDS)
    if problems:
        raise ValidationError(problems)
    with db.transaction() as session:
        row = session.get(DirOrganization, organization_id)
        if row is None:
            raise NotFoundError(f"組織（{organization_id}）が見つかりません。")
        old = loaded_in(session).directory.organization(organization_id)
        new = dataclasses.replace(old, **values)
        before, after = organization_row(old), organization_row(new)
        for key, value in after.items():
            setattr(row, key, value)
        _record(session, actor, "organization", organization_id, before, after)


@use_case
def edit_location(db: Database, actor: StaffProfile, location_id: str,
                  values: dict[str, str]) -> None:
    """Change a location and its address (``values`` by field name, as typed; coordinates as
    text). All address fields empty: no address."""
    require_editor(actor, "directory_edit")
    values = {k: v.strip() for k, v in values.items() if k in LOCATION_FIELDS}
    problems = _problems(values, LOCATION_FIELDS)
    if problems:
        raise ValidationError(problems)
    with db.transaction() as session:
        row = session.get(DirLocation, location_id)
        if row is None:
            raise NotFoundError(f"所在地（{location_id}）が見つかりません。")
        old = loaded_in(session).directory.location(location_id)
        address = old.address
        typed = {k: values[k] for k in ADDRESS_FIELDS if k in values}
        if typed:
            current = {k: getattr(address, k) if address else "" for k in ADDRESS_FIELDS}
            current |= typed
            if not current["country"] and any(current.values()):
                current["country"] = "JP"
            address = d.Address(**current) if any(
                v for k, v in current.items() if k != "country") else None
        changes: dict[str, Any] = {k: values[k] for k in ("name", "alternate_name",
                                                         "description") if k in values}
        for key in ("latitude", "longitude"):
            if key in values:
                changes[key] = float(values[key]) if values[key] else None
        new = dataclasses.replace(old, address=address, **changes)
        before, after = location_row(old), location_row(new)
        for key, value in after.items():
            setattr(row, key, value)
        _record(session, actor, "location", location_id, before, after)
