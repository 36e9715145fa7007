"""HSDS 3.0 in, before anything is written: what an import would change, entry by entry.

:func:`check` reads and checks a file against the directory (``reading``) and lists each entry
it would add (新規), change (変更: each field with its value before and after) or remove (削除:
a service missing from a whole-directory file, the XLSX workbook or the CSV package; it is
made ``inactive``, never deleted, because referrals point at it). :func:`preview_import` gives
that list and writes nothing; ``importing.import_hsds`` writes exactly it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from setacare_desktop.domain import directory as d
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services.directory import (
    LoadedDirectory,
    loaded_in,
    require_editor,
    snapshot,
)
from setacare_desktop.services.errors import ValidationError
from setacare_desktop.services.hsds import fields as f
from setacare_desktop.services.hsds.reading import Incoming, merged, reverse_ids, walk
from setacare_desktop.services.hsds.sources import read_source
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.directory import location_row, organization_row

NEW, CHANGED, REMOVED = "新規", "変更", "削除"
SERVICE, ORGANIZATION, LOCATION = "サービス", "組織", "所在地"
#: The status a removed service is given.
REMOVED_STATUS = "inactive"

FIELD_LABELS = {
    "name": "名称", "reading": "よみ", "alternate_name": "別名", "description": "内容",
    "eligibility": "対象", "application_process": "利用方法", "url": "URL",
    "email": "メールアドレス", "status": "状態", "contact_confirmed": "連絡先の確認",
    "organization_id": "運営", "hsds_extra": "その他の HSDS 項目", "dir_phone": "電話番号",
    "dir_schedule": "受付時間", "dir_service_area": "担当範囲",
    "dir_attribute": "対象区分・要素・キーワード", "dir_service_at_location": "所在地",
    "website": "ウェブサイト", "kind": "種別", "district_code": "地区", "area_code": "地域",
    "parent_id": "親組織", "address_1": "住所", "address_2": "住所（2行目）",
    "city": "市区町村", "state_province": "都道府県", "postal_code": "郵便番号",
    "country": "国", "latitude": "緯度", "longitude": "経度",
}
_SHOWN = 200  # characters of a value shown in the list


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # its Japanese name
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class EntryChange:
    kind: str  # 新規 / 変更 / 削除
    entity: str  # サービス / 組織 / 所在地
    record_id: str
    name: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportPreview:
    file: str
    entries: tuple[EntryChange, ...]
    warnings: tuple[str, ...]

    def count(self, kind: str) -> int:
        return sum(1 for e in self.entries if e.kind == kind)

    def summary(self) -> str:
        return (f"新規 {self.count(NEW):,} 件、変更 {self.count(CHANGED):,} 件、"
                f"削除 {self.count(REMOVED):,} 件")


@dataclass
class Checked:
    """A file read and checked against the directory as read (``known``)."""

    inc: Incoming
    known: LoadedDirectory
    whole: bool
    entries: list[EntryChange]
    removed: list[str]  # HSDS ids of services made inactive


def _shown(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "確認済" if key == "contact_confirmed" and value else (
            "要確認" if key == "contact_confirmed" else ("はい" if value else "いいえ"))
    if key == "dir_phone":
        text = "、".join(f"{r['number']} {r['description']}".strip() for r in value)
    elif key == "dir_schedule":
        text = "、".join(r["description"] or f"{r['byday']} {r['opens_at']}–{r['closes_at']}"
                        for r in value)
    elif key == "dir_service_area":
        text = "、".join(r["code"] or "区全域" for r in value)
    elif key == "dir_attribute":
        text = "、".join(r["value"] or r["taxonomy_term_id"].rsplit(".", 1)[-1] for r in value)
    elif key == "dir_service_at_location":
        text = "、".join(r["location_id"] for r in value)
    elif isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(FIELD_LABELS.get(k, k), _shown(k, before.get(k)),
                             _shown(k, after[k]))
                 for k in after if before.get(k) != after[k])


def without_our_assurance(service: d.Service, old: d.Service,
                          known: LoadedDirectory) -> d.Service:
    """``service`` without the ``assured_date`` our own export wrote for ``old`` (the date of
    its confirmation): re-importing an export is then no change and keeps the confirmation."""
    extra = f.unpack(service.extra)
    if (old.confirmed_at is None or not old.contact_confirmed_at(known.now)
            or extra.get("assured_date") != old.confirmed_at.date().isoformat()
            or "assured_date" in f.unpack(old.extra)):
        return service
    del extra["assured_date"]
    return dataclasses.replace(service, extra=f.pack(extra))


def service_change(service: d.Service, known: LoadedDirectory) -> EntryChange | None:
    """What importing ``service`` changes (None: nothing)."""
    if service.id not in known.ids:
        return EntryChange(NEW, SERVICE, service.id, service.name)
    old = known.directory.service(service.id)
    service = without_our_assurance(service, old, known)
    before = snapshot(old)
    after = {**snapshot(service), "contact_confirmed": old.contact_confirmed}
    if before == after:
        return None
    fields = _changes(before, after)
    if old.contact_confirmed_at(known.now):
        fields += (FieldChange(FIELD_LABELS["contact_confirmed"], "確認済", "要確認"),)
    return EntryChange(CHANGED, SERVICE, service.id, old.name, fields)


def _row_change(entity: str, rid: str, name: str, before: dict[str, Any] | None,
                after: dict[str, Any]) -> EntryChange | None:
    if before is None:
        return EntryChange(NEW, entity, rid, name)
    fields = _changes(before, after)
    return EntryChange(CHANGED, entity, rid, name, fields) if fields else None


def check_file(db: Database, path: Path, progress: Callable[[int, int], None] | None = None
               ) -> Checked:
    """Read ``path``, check it against the directory as it is, list what it would change; a
    file with any problem is a ``ValidationError`` listing every problem.

    A step of the import use cases (``preview_import``, ``importing.import_hsds``), not one
    itself: it reads the directory in its own short session and then the file, outside any
    transaction (tests/services/test_unit_of_work.py lists it as such)."""
    from setacare_desktop.services.hsds import importing  # its limit, read at call time

    with db.read() as session:
        known = loaded_in(session)
    source = read_source(path, importing.MAX_IMPORT_BYTES, progress)
    inc = Incoming(known, reverse_ids(known))
    if source.tables is not None:
        walk(source.tables, "$", inc)
    for where, value in source.records:
        walk(value, where, inc)
    if merged(inc) is None:
        raise ValidationError(inc.problems)
    directory = known.directory
    entries: list[EntryChange] = []
    orgs = {o.id: o for o in directory.organizations}
    for org in inc.orgs.values():
        old = orgs.get(org.id)
        change = _row_change(ORGANIZATION, org.id, org.name,
                             organization_row(old) if old else None, organization_row(org))
        entries += [change] if change else []
    places = {loc.id: loc for loc in directory.locations}
    for loc in inc.locations.values():
        place = places.get(loc.id)
        change = _row_change(LOCATION, loc.id, loc.name,
                             location_row(place) if place else None, location_row(loc))
        entries += [change] if change else []
    for service in inc.services.values():
        change = service_change(service, known)
        entries += [change] if change else []
    removed = [s.id for s in directory.services if source.whole and s.id not in inc.services
               and s.status != REMOVED_STATUS]
    entries += [EntryChange(REMOVED, SERVICE, sid, directory.service(sid).name, (
        FieldChange(FIELD_LABELS["status"], directory.service(sid).status, REMOVED_STATUS),))
        for sid in removed]
    return Checked(inc, known, source.whole, entries, removed)


def preview_of(path: Path, checked: Checked) -> ImportPreview:
    return ImportPreview(str(path), tuple(checked.entries), tuple(checked.inc.warnings))


@use_case
def preview_import(db: Database, actor: StaffProfile, path: Path,
                   progress: Callable[[int, int], None] | None = None) -> ImportPreview:
    """What importing ``path`` would change, entry by entry; writes nothing (the directory
    holds no personal data: reading it is not audited). Supervisors and administrators."""
    require_editor(actor, "directory_import")
    return preview_of(path, check_file(db, path, progress))
