"""要確認 per entry (issue 15): a supervisor's confirmation records who and when and clears the
badge of that entry only; a year later (by the database's clock) the entry shows 要確認 again;
an import that changes the entry marks it 要確認 again, one that changes nothing keeps it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.directory import Phone, confirmation_current
from setacare_desktop.services import Database, hsds
from setacare_desktop.services import directory as svc
from setacare_desktop.store.directory import as_utc
from setacare_desktop.store.models import DirService

CONFIRM = svc.ServiceEdit(phones=[Phone("03-5555-0101", description="代表")],
                          contact_confirmed=True)


def _later(monkeypatch: pytest.MonkeyPatch, days: int) -> None:
    """Let ``days`` pass on the database's clock (read from the database, then moved on)."""
    monkeypatch.setattr(svc, "as_utc", lambda value: as_utc(value) + timedelta(days=days))


def test_a_year_counts_inclusive_and_an_undated_confirmation_does_not() -> None:
    now = datetime(2026, 11, 30, 12, 0)
    assert confirmation_current(True, now - timedelta(days=365), now)
    assert not confirmation_current(True, now - timedelta(days=365, seconds=1), now)
    assert not confirmation_current(True, None, now)
    assert not confirmation_current(False, now, now)


def test_confirming_records_who_and_when_and_clears_only_that_entry(
        any_db: Database, staff_factory: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    boss = staff_factory(any_db, "boss", role="監督者")
    link, other = svc.search_destinations(any_db, "リンク")[0], svc.search_destinations(
        any_db, "ぷらっとホーム世田谷")[0]
    svc.edit_service(any_db, boss, link.service_id, CONFIRM)
    assert svc.destination(any_db, link.service_id).contact_status == "確認済"
    assert svc.destination(any_db, other.service_id).contact_status == "要確認"
    state = svc.confirmation(any_db, link.service_id)
    assert state.current and state.by == "boss 職員" and state.at is not None
    with any_db.read() as session:
        row = session.scalar(sa.select(DirService).where(DirService.id == link.service_id))
        assert row is not None and row.confirmed_by == boss.staff_id

    _later(monkeypatch, 364)
    assert svc.destination(any_db, link.service_id).contact_status == "確認済"
    _later(monkeypatch, 366)
    assert svc.destination(any_db, link.service_id).contact_status == "要確認"
    assert not svc.confirmation(any_db, link.service_id).current
    suggested = svc.lookup(any_db, district_code="ikejiri", text=link.name, limit=None)
    assert "連絡先 要確認" in next(s for s in suggested if s.name == link.name).notes
    # Confirming again records a new date: the badge goes.
    svc.edit_service(any_db, boss, link.service_id, svc.ServiceEdit(contact_confirmed=True))
    assert svc.destination(any_db, link.service_id).contact_status == "確認済"
    assert svc.service_history(any_db, link.service_id)[0].fields == (
        "confirmed_at", "contact_confirmed")


def test_an_import_that_changes_the_entry_marks_it_unconfirmed(
        any_db: Database, tmp_path: Path, staff_factory: Callable) -> None:
    boss = staff_factory(any_db, "boss", role="監督者")
    link = svc.search_destinations(any_db, "リンク")[0]
    svc.edit_service(any_db, boss, link.service_id, CONFIRM)
    out = tmp_path / "directory.json"
    hsds.export_hsds_json(any_db, boss, out)
    hsds.import_hsds(any_db, boss, out)  # the same data: the confirmation stays
    assert svc.destination(any_db, link.service_id).contact_status == "確認済"

    document = json.loads(out.read_text("utf-8"))
    entry = next(s for s in document["contents"] if s["name"] == link.name)
    entry["phones"][0]["number"] = "03-5555-0199"
    out.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    report = hsds.import_hsds(any_db, boss, out)
    assert report.updated == 1
    after = svc.destination(any_db, link.service_id)
    assert after.contact_status == "要確認" and after.phones == ("03-5555-0199（代表）",)
    assert svc.confirmation(any_db, link.service_id).at is None
