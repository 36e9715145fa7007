"""An export is audited as done only once its file is written; a failure is audited as such.

The order, for every export (statistics CSV/Excel/PDF, the directory, …):

1. the bytes are made (the caller's own read, already audited as a read where it reads);
2. they are written whole under a private temporary name beside the target
   (:func:`services.files.stage`); a failure here (a full disk, a read-only stick, a name taken
   meanwhile) is audited as ``<action>_failed`` and nothing is recorded as done;
3. one transaction adds the audit row ``<action>``, then gives the file its name, then commits.
   If giving the name fails, the transaction rolls back (no ``<action>`` row) and the failure is
   audited; if the commit fails after the file got its name, the file is removed again, so no
   export exists without its audit row (a crash in between is the one gap left).

The audit detail names the format and what was exported, never the path (a file name can hold a
person's name) and never a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from setacare_desktop.domain.errors import ServiceError
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.files import StagedFile, stage
from setacare_desktop.services.unit import refusal, use_case
from setacare_desktop.store.database import Database

FAILED = "_failed"


@use_case
def write_export(db: Database, actor: StaffProfile, files: Mapping[Path, bytes], *,
                 replace: bool, action: str, entity: str | None = None,
                 entity_id: object = None, detail: str | None = None) -> None:
    """Write every file in ``files`` (whole, mode 0600), then audit ``action`` (see the module).

    ``replace``: existing files may be replaced (the user said so). Any failure raises the
    Japanese :class:`ServiceError` after auditing ``<action>_failed`` with the error's kind.
    """
    staged: list[StagedFile] = []
    try:
        try:
            for path, data in files.items():
                staged.append(stage(path, data, replace=replace))
            with db.transaction() as session:
                audit.record(session, actor, action, entity=entity, entity_id=entity_id,
                             detail=detail)
                session.flush()  # the row is accepted before any file gets its name
                for file in staged:
                    file.publish()
        except ServiceError as error:
            for file in staged:
                file.unpublish()
            if getattr(error, "audit", None) is None:
                kind = type(error).__name__
                refusal(error, actor, action + FAILED, entity=entity, entity_id=entity_id,
                        detail=f"{detail}; {kind}" if detail else kind)
            raise
    finally:
        for file in staged:
            file.discard()


@use_case
def record_outcome(db: Database, actor: StaffProfile, action: str, *, ok: bool,
                   entity: str | None = None, entity_id: object = None,
                   detail: str | None = None) -> None:
    """Audit what happened to an output this program does not write itself (a print job the
    printer accepted or refused): ``action``, or ``<action>_failed``."""
    with db.transaction() as session:
        audit.record(session, actor, action if ok else action + FAILED, entity=entity,
                     entity_id=entity_id, detail=detail)
