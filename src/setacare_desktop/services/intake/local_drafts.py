"""Drafts kept on this PC while the database cannot be reached (the ward server is down).

On a ward server a counter PC can lose the network in the middle of an interview. The form keeps
what is typed, and the draft that would have gone to the database is written to this PC instead:
one private file (0600, in the 0700 data folder) per form under ``local-drafts/``, named by the
staff member and a key of the database (its URL without the password, hashed), so that another
login or another database never sees it. The file holds the same payload as a database draft.

At the next contact with the database (the intake page offering drafts, a login) the staff
member's files for that database are moved into the database's drafts in one transaction (a file
written for a draft already in the database replaces its content, being newer), each audited as
``draft_from_pc``; a file is removed only after that commit, so a crash between the two leaves a
duplicate draft, never a lost one.

Nothing here reads the network: ``keep`` is a file write, usable exactly when the database is not.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from setacare_desktop.domain.intake import IntakeInput
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit, files
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.errors import DatabaseUnavailableError
from setacare_desktop.store.models import IntakeDraft, utc_now

FOLDER = "local-drafts"
#: The audit action of a draft brought in from a file on this PC.
ACTION = "draft_from_pc"
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class LocalDraft:
    path: Path
    draft_id: int | None
    consultation_id: int | None
    data: IntakeInput


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached (then keep the draft here)."""
    return isinstance(error, DatabaseUnavailableError)


def database_key(db: Database) -> str:
    """Which database a file belongs to, without writing its address (or password) to disk."""
    return hashlib.sha256(db.url.encode()).hexdigest()[:16]


def _folder(db: Database) -> Path | None:
    return None if db.local_folder is None else db.local_folder / FOLDER


def _prefix(db: Database, actor: StaffProfile) -> str:
    return f"{actor.staff_id}-{database_key(db)}-"


def keep(db: Database, actor: StaffProfile, data: IntakeInput, *, draft_id: int | None = None,
         consultation_id: int | None = None, path: Path | None = None) -> Path | None:
    """Write the draft to this PC; ``path`` (a file this form wrote before) is replaced and
    ``draft_id`` (the form's draft in the database, if it had one) is updated when it comes in.

    Returns the file, or None when this database has no local folder (nothing was written).
    Raises ``files.FileError`` when the file cannot be written.
    """
    folder = _folder(db)
    if folder is None:
        return None
    if path is None or path.parent != folder or not path.name.startswith(_prefix(db, actor)):
        path = folder / f"{_prefix(db, actor)}{uuid.uuid4().hex}.json"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise files.write_error(folder, error) from error
    body = {"format": _FORMAT, "draft_id": draft_id, "consultation_id": consultation_id,
            "payload": data.to_dict()}
    files.write_atomically(path, json.dumps(body, ensure_ascii=False).encode())
    return path


def pending(db: Database, actor: StaffProfile) -> list[LocalDraft]:
    """The staff member's drafts on this PC for this database (unreadable files are left be)."""
    folder = _folder(db)
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob(f"{_prefix(db, actor)}*.json")):
        try:
            body = json.loads(files.read_file(path))
            found.append(LocalDraft(path, body.get("draft_id"), body.get("consultation_id"),
                                    IntakeInput.from_dict(body["payload"])))
        except (files.FileError, ValueError, KeyError, TypeError, AttributeError):
            continue  # not ours to judge: it stays for an administrator to look at
    return found


def forget(path: Path | None) -> None:
    """The draft reached the database after all: its file here is no longer needed."""
    if path is not None:
        path.unlink(missing_ok=True)


@use_case
def bring_in(db: Database, actor: StaffProfile) -> int:
    """Move the staff member's local drafts into the database (one transaction, each audited),
    then remove their files. Returns how many were brought in."""
    drafts = pending(db, actor)
    if not drafts:
        return 0
    with db.transaction() as session:
        for draft in drafts:
            row = (session.get(IntakeDraft, draft.draft_id)
                   if isinstance(draft.draft_id, int) else None)
            if row is None or row.staff_id != actor.staff_id:
                row = IntakeDraft(staff_id=actor.staff_id, consultation_id=draft.consultation_id,
                                  payload=draft.data.to_dict())
                session.add(row)
                session.flush()
            else:
                row.payload = draft.data.to_dict()
                row.updated_at = utc_now()
            audit.record(session, actor, ACTION, entity="draft", entity_id=row.id)
    for draft in drafts:
        draft.path.unlink(missing_ok=True)
    return len(drafts)
