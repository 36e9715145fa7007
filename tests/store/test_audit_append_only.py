"""The audit table refuses UPDATE and DELETE on both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from setacare_desktop.services import Database
from setacare_desktop.services import audit as audit_service
from setacare_desktop.services.errors import DatabaseError
from setacare_desktop.store.models import AuditEvent


@pytest.mark.parametrize("statement", [
    sa.update(AuditEvent).values(action="tampered"),
    sa.delete(AuditEvent),
])
def test_audit_rows_cannot_be_changed_or_removed(any_db: Database,
                                                 statement: sa.Executable) -> None:
    with any_db.transaction() as session:
        audit_service.record(session, None, "test_event", detail="original")
    with pytest.raises(DatabaseError) as refused, any_db.transaction() as session:
        session.execute(statement)
    assert "append-only" in str(refused.value.__cause__)  # the trigger's own words
    assert [e.action for e in audit_service.recent(any_db)] == ["test_event"]
