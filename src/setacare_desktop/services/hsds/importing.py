"""HSDS 3.0 in, the use case: read the file, check it (``reading``), then write it in one
transaction with its audit and history rows.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import directory as d
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.directory import (
    LoadedDirectory,
    directory_revision,
    loaded_in,
    require_editor,
    set_children,
    snapshot,
)
from setacare_desktop.services.errors import Problem, ServiceError, ValidationError
from setacare_desktop.services.files import (
    FileReadError,
    read_file,
)
from setacare_desktop.services.hsds import fields as f
from setacare_desktop.services.hsds.reading import ImportReport, Incoming, merged, reverse_ids, walk
from setacare_desktop.services.hsds.tabular import read_package
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

#: The largest HSDS file imported. The file is parsed whole (the standard library has no
#: streaming parser); 40 MB holds well over 10,000 fully described services, and bounds the
#: memory an import takes (a few hundred MB) on a counter's PC.
MAX_IMPORT_BYTES = 40 * 1024 * 1024


def _read_json(path: Path) -> object:
    """The file's JSON, or a ValidationError naming the file and the problem in Japanese."""
    try:
        text = read_file(path, limit=MAX_IMPORT_BYTES).decode("utf-8-sig")
        if not text.strip():
            raise ValidationError([Problem(str(path), "ファイルが空です")])
        return json.loads(text)
    except FileReadError as error:
        raise ValidationError([Problem(str(path), error.message)]) from None
    except UnicodeDecodeError as error:
        raise ValidationError([Problem(
            str(path), f"UTF-8 のテキストではありません（{error.start} バイト目）")]) from None
    except json.JSONDecodeError as error:
        raise ValidationError([Problem(
            f"{path.name}:{error.lineno}:{error.colno}", "JSON として読めません")]) from None
    except ValueError:  # an integer of thousands of digits (Python's conversion limit)
        raise ValidationError([Problem(str(path), "大きすぎる数値があります")]) from None
    except RecursionError:  # nesting deeper than Python's stack
        raise ValidationError([Problem(
            str(path), "JSON の入れ子（[ や {）が深すぎて読めません")]) from None


@use_case(sessions=2)
def import_hsds(db: Database, actor: StaffProfile, path: Path) -> ImportReport:
    """Import an HSDS 3.0 JSON file, or a tabular package (its folder or its
    ``datapackage.json``): every record is added or replaces the one with its id.

    ``actor``: a logged-in supervisor or administrator (``directory.require_editor``); anyone
    else, or no one, is refused and the refusal audited.

    A file with any problem changes nothing: ``ValidationError`` lists every problem, each with
    its JSON path (``$.contents[3].phones[0].number``). Records the file does not mention stay.

    Two sessions, on purpose: the file is checked against the directory read in a deferred
    read (seconds for thousands of services, during which counters keep saving), then written
    in one write transaction that first checks that the directory has not changed since that
    read (a change in between refuses the import, nothing written).
    """
    require_editor(actor, "directory_import")
    document = (read_package(path) if path.is_dir() or path.name == "datapackage.json"
                else _read_json(path))
    with db.read() as session:
        known = loaded_in(session)
    inc = Incoming(known, reverse_ids(known))
    walk(document, "$", inc)
    if merged(inc) is None:
        raise ValidationError(inc.problems)
    report = ImportReport(warnings=inc.warnings)
    with db.transaction() as session:
        if directory_revision(session) != known.revision:
            raise ServiceError("取り込みの間に、つなぎ先が他の操作で変更されました。何も変更していません。"
                               "もう一度取り込んでください。")
        _store_import(session, actor, inc, known, report)
        audit.record(session, actor, "directory_import", entity="directory",
                     detail=f"{path.name}: created {report.created}, updated {report.updated}, "
                            f"unchanged {report.unchanged}")
    return report


def _history(session: Session, actor: StaffProfile, entity: str, entity_id: str,
             before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    changed = sorted(k for k in after if before is None or after[k] != before.get(k))
    if not changed:
        return False
    session.add(DirHistory(staff_id=actor.staff_id,
                           action="import" if before is not None else "import_create",
                           entity=entity, entity_id=entity_id, fields=changed,
                           previous=before, current=after))
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


def _without_our_assurance(service: d.Service, old: d.Service,
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
            service = _without_our_assurance(service, old, known)
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
        _history(session, actor, "service", service.id, before, after)

