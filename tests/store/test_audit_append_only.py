"""The audit table refuses UPDATE and DELETE on both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from tests.conftest import APP_ROLE

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
    cause = refused.value.__cause__
    if any_db.engine.url.username == APP_ROLE:  # a ward PC: the grants refuse before the trigger
        assert getattr(getattr(cause, "orig", None), "sqlstate", None) == "42501"
    else:
        assert "append-only" in str(cause)  # the trigger's own words
    assert [e.action for e in audit_service.recent(any_db)] == ["test_event"]


def test_the_triggers_hold_even_for_the_owner(pg_owner_db: Database) -> None:
    with pg_owner_db.transaction() as session:
        audit_service.record(session, None, "test_event", detail="original")
    with pytest.raises(DatabaseError) as refused, pg_owner_db.transaction() as session:
        session.execute(sa.delete(AuditEvent))
    assert "append-only" in str(refused.value.__cause__)
