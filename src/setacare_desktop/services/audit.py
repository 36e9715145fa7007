"""Writing the audit trail. Called by the service doing the work, inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import AuditEvent

SYSTEM_LOGIN = "(system)"


def record(
    session: Session,
    actor: StaffProfile | None,
    action: str,
    *,
    entity: str | None = None,
    entity_id: object = None,
    fields: Iterable[str] | None = None,
    detail: str | None = None,
    login: str | None = None,
) -> None:
    """Append one audit row. ``fields`` are field *names*; never pass sensitive values."""
    session.add(
        AuditEvent(
            staff_id=actor.staff_id if actor else None,
            login=actor.login if actor else (login or SYSTEM_LOGIN),
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            fields=sorted(fields) if fields is not None else None,
            detail=detail,
        )
    )


@use_case
def recent(db: Database, limit: int = 100) -> list[AuditEvent]:
    """The newest audit rows (for tests and the administrator's view)."""
    with db.read() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit))
        return list(rows)
