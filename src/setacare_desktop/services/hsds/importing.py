"""HSDS 3.0 in, the use case: read the file, check it (``reading``), then write it in one
transaction with its audit and history rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.directory import (
    LoadedDirectory,
    directory_revision,
    require_editor,
    set_children,
    snapshot,
)
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.services.hsds.preview import (
    REMOVED_STATUS,
    ImportPreview,
    check_file,
    preview_of,
    without_our_assurance,
)
from setacare_desktop.services.hsds.reading import ImportReport, Incoming
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.directory import (
    confirmation_row,
    location_row,
    organization_row,
    service_row,
    taxonomy_row,
    term_row,
)
from setacare_desktop.store.models import (
    DirHistory,
    DirLocation,
    DirOrganization,
    DirService,
    DirTaxonomy,
    DirTaxonomyTerm,
    utc_now,
)

#: The largest HSDS JSON file imported. It is read one record at a time (``stream``), so the
#: memory an import takes is the records it keeps, not the file; 512 MB is far more than a
#: ward's directory (40 MB holds over 10,000 fully described services).
MAX_IMPORT_BYTES = 512 * 1024 * 1024


@use_case(sessions=2)
def import_hsds(db: Database, actor: StaffProfile, path: Path, *,
                expected: ImportPreview | None = None,
                progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import an HSDS 3.0 JSON file, an XLSX workbook or a tabular package (its folder or its
    ``datapackage.json``): every record is added or replaces the one with its id; a service
    missing from a workbook or package (the whole directory) is made inactive.

    ``actor``: a logged-in supervisor or administrator (``directory.require_editor``); anyone
    else, or no one, is refused and the refusal audited. ``expected``: the preview the user
    confirmed (``preview.preview_import``); if the file or the directory now gives another
    list of changes, nothing is written. ``progress(done, total)``: bytes read.

    A file with any problem changes nothing: ``ValidationError`` lists every problem, each with
    its JSON path (``$.contents[3].phones[0].number``). Records a JSON file does not mention
    stay. Each entry changed is audited (``directory_import``, its fields' names), then the
    import as a whole.

    Two sessions, on purpose: the file is checked against the directory read in a deferred
    read (seconds for thousands of services, during which counters keep saving), then written
    in one write transaction that first checks that the directory has not changed since that
    read (a change in between refuses the import, nothing written).
    """
    require_editor(actor, "directory_import")
    checked = check_file(db, path, progress)
    preview = preview_of(path, checked)
    if expected is not None and preview.entries != expected.entries:
        raise ServiceError("確認した内容から、ファイルかつなぎ先が変わっています。何も変更して"
                           "いません。もう一度読み込んで確認してください。")
    inc, known = checked.inc, checked.known
    report = ImportReport(warnings=inc.warnings, changes=preview)
    with db.transaction() as session:
        if directory_revision(session) != known.revision:
            raise ServiceError("取り込みの間に、つなぎ先が他の操作で変更されました。何も変更していません。"
                               "もう一度取り込んでください。")
        _store_import(session, actor, inc, known, report)
        report.removed = _remove(session, actor, checked.removed, known)
        audit.record(session, actor, "directory_import", entity="directory",
                     detail=f"{path.name}: created {report.created}, updated {report.updated}, "
                            f"unchanged {report.unchanged}, removed {report.removed}")
    return report


def _remove(session: Session, actor: StaffProfile, removed: list[str],
            known: LoadedDirectory) -> int:
    """Make the services a whole-directory file no longer holds inactive (referrals point at
    them: they are never deleted)."""
    for sid in removed:
        row = session.get(DirService, known.ids[sid])
        assert row is not None
        before = {"status": row.status}
        row.status = REMOVED_STATUS
        row.updated_at = utc_now()
        session.add(DirHistory(staff_id=actor.staff_id, action="import", entity="service",
                               entity_id=sid, fields=["status"], previous=before,
                               current={"status": REMOVED_STATUS}))
        audit.record(session, actor, "directory_import", entity="dir_service", entity_id=row.id,
                     fields=["status"])
    return len(removed)


def _history(session: Session, actor: StaffProfile, entity: str, entity_id: str,
             before: dict[str, Any] | None, after: dict[str, Any], *,
             audited_as: tuple[str, object] | None = None) -> bool:
    """The history row of one entry, and its audit row (``audited_as``: table and id; by
    default the ``dir_<entity>`` of ``entity_id``)."""
    changed = sorted(k for k in after if before is None or after[k] != before.get(k))
    if not changed:
        return False
    session.add(DirHistory(staff_id=actor.staff_id,
                           action="import" if before is not None else "import_create",
                           entity=entity, entity_id=entity_id, fields=changed,
                           previous=before, current=after))
    table, rid = audited_as or (f"dir_{entity}", entity_id)
    audit.record(session, actor, "directory_import", entity=table, entity_id=rid,
                 fields=changed)
    return True


def _preload(session: Session, model: Any, ids: Iterable[object], chunk: int = 500) -> None:
    """Load the rows with these ids in a few queries, so that the ``session.get`` calls below
    find them in the identity map instead of asking the database once per record."""
    wanted = list(ids)
    for start in range(0, len(wanted), chunk):
        session.scalars(select(model).where(model.id.in_(wanted[start:start + chunk]))).all()


def _upsert(session: Session, model: Any, record_id: str, values: dict[str, Any]
            ) -> dict[str, Any] | None:
    """Add the row, or update it in place; returns its values before (None when new)."""
    row = session.get(model, record_id)
    if row is None:
        session.add(model(**values))
        return None
    before = {k: getattr(row, k) for k in values}
    for key, value in values.items():
        setattr(row, key, value)
    return before


def _store_import(session: Session, actor: StaffProfile, inc: Incoming,
                  known: LoadedDirectory, report: ImportReport) -> None:
    _preload(session, DirTaxonomy, [*inc.taxonomies, *(t.taxonomy_id for t in inc.terms.values()
                                                       if t.taxonomy_id)])
    _preload(session, DirTaxonomyTerm, inc.terms)
    _preload(session, DirOrganization, inc.orgs)
    _preload(session, DirLocation, inc.locations)
    _preload(session, DirService, [known.ids[i] for i in inc.services if i in known.ids])
    for taxonomy in inc.taxonomies.values():
        if session.get(DirTaxonomy, taxonomy.id) is None:
            session.add(DirTaxonomy(**taxonomy_row(taxonomy)))
    session.flush()
    for term in inc.terms.values():
        if session.get(DirTaxonomyTerm, term.id) is None:
            row = term_row(term)
            if row["taxonomy_id"] and session.get(DirTaxonomy, row["taxonomy_id"]) is None:
                row["taxonomy_id"] = None
            session.add(DirTaxonomyTerm(**row))
    for org in inc.orgs.values():
        values = organization_row(org)
        before = _upsert(session, DirOrganization, org.id, values)
        report.organizations += _history(session, actor, "organization", org.id, before, values)
    session.flush()
    for loc in inc.locations.values():
        values = location_row(loc)
        _history(session, actor, "location", loc.id,
                 _upsert(session, DirLocation, loc.id, values), values)
    session.flush()
    next_order = int(session.scalar(select(func.max(DirService.sort_order))) or 0)
    for service in inc.services.values():
        number = known.ids.get(service.id)
        after = snapshot(service)
        if number is None:
            next_order += 1
            row = DirService(**service_row(service, next_order))
            session.add(row)
            session.flush()
            report.created += 1
            before = None
        else:
            row = session.get(DirService, number)
            assert row is not None
            old = known.directory.service(service.id)
            service = without_our_assurance(service, old, known)
            after = snapshot(service)
            before = snapshot(old)
            if before == {**after, "contact_confirmed": old.contact_confirmed}:
                report.unchanged += 1  # the same record keeps its confirmation
                continue
            # A changed entry is 要確認 again until a supervisor confirms it (issue 15).
            for key, value in (service_row(service, row.sort_order)
                               | confirmation_row(service)).items():
                setattr(row, key, value)
            report.updated += 1
        row.updated_at = utc_now()
        set_children(session, row, service)
        _history(session, actor, "service", service.id, before, after,
                 audited_as=("dir_service", row.id))

