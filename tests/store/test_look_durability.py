"""A look (a search, opening a case) commits its audit row without waiting for the disk; a save
always waits. And the look's audit row survives the program being killed right after.

``Database.look`` trades the fsync of the audit row of a read for speed (docs/privacy.md): the
tests check the statements each transaction begins with, on both backends, so that no save ever
loses ``synchronous=FULL`` (SQLite) or the server's synchronous commit (PostgreSQL), and that a
search's audit row is on disk after ``kill -9``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.services import Database
from setacare_desktop.services import intake as svc
from setacare_desktop.services.search import search
from setacare_desktop.store.models import AuditEvent

NOW = datetime(2026, 11, 24, 16, 0)
TEST_PASSWORD = "test-pass-123"  # conftest.make_staff's


def _intake(complaint: str) -> IntakeInput:
    return IntakeInput(received_at="R8.11.24 10:00", channel="電話", district="池尻",
                       consulter_kind="本人", main_complaint=complaint,
                       person=PersonInput(name="林 一郎", reading="はやし いちろう"))


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Every statement sent to the database meanwhile, in order."""
    sent: list[str] = []

    def _seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", _seen)
    try:
        yield sent
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _seen)


def _durability(sent: list[str]) -> list[str]:
    return [s for s in sent if "synchronous" in s.lower()]


def test_a_search_does_not_wait_for_the_disk_and_a_save_after_it_does(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    case_id = svc.record_intake(any_db, clerk, _intake("介護保険の申請"), now=NOW).consultation_id
    with statements(any_db) as looked:
        assert [h.consultation_id for h in search(any_db, clerk, "介護")[1]] == [case_id]
        svc.load_intake(any_db, clerk, case_id)
    with statements(any_db) as saved:
        svc.record_intake(any_db, clerk, _intake("子育ての悩み"), now=NOW)
    if any_db.is_sqlite:
        assert _durability(looked) == ["PRAGMA synchronous = NORMAL"] * 2
        # the same pooled connection served the looks: the save sets FULL again
        assert _durability(saved) == ["PRAGMA synchronous = FULL"]
    else:
        # The audit append (audit_event_append) lets the chain's lock go before the disk; the
        # commit then waits for the flush unless the transaction was a look
        # (tests/store/test_postgresql_audit_commit.py).
        assert _durability(looked) == ["SET LOCAL synchronous_commit = off"] * 2
        assert _durability(saved) == []
    with any_db.read() as session:
        kinds = session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.in_(["consultation_search", "consultation_view"]))).all()
    assert sorted(kinds) == ["consultation_search", "consultation_view"]


KILLED_AFTER_SEARCH = textwrap.dedent("""
    import sys, time
    from setacare_desktop.services import Database
    from setacare_desktop.services.auth import login
    from setacare_desktop.services.search import search

    path, login_id, password = sys.argv[1:4]
    db = Database.open(f"sqlite:///{path}")
    clerk = login(db, login_id, password)
    hits = search(db, clerk, "介護")[1]
    print("SEARCHED", len(hits), flush=True)
    time.sleep(600)  # killed here, the connection still open
""")


def test_a_searchs_audit_row_survives_the_program_being_killed(
        db: Database, db_path: Path, staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk")
    svc.record_intake(db, clerk, _intake("介護保険の申請"), now=NOW)
    db.close()
    with subprocess.Popen(
            [sys.executable, "-c", KILLED_AFTER_SEARCH, str(db_path), "clerk", TEST_PASSWORD],
            stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"}) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().split() == ["SEARCHED", "1"]
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait(timeout=30)
    reopened = Database.open(f"sqlite:///{db_path}")
    try:
        with reopened.read() as session:
            searches = session.scalars(sa.select(AuditEvent).where(
                AuditEvent.action == "consultation_search")).all()
        assert [(e.detail, e.staff_id) for e in searches] == [("1 words", clerk.staff_id)]
    finally:
        reopened.close()
