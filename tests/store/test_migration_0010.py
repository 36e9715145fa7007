"""Migration 0010 on a database the previous release left with records in it: a refusal on
record stays a refusal, with nothing superseding it, and the existing referral's 匿名用の概要 is
empty (never copied from the consultation's texts)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from previous_release import at_previous_release
from setacare_desktop.services import Database
from setacare_desktop.store.models import ConsentRecordRow


def test_records_of_the_previous_release_survive_and_gain_the_new_columns(
        db_path: Path) -> None:
    at_previous_release(db_path)
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        org = run("SELECT id FROM organisation ORDER BY id LIMIT 1").scalar()
        run("INSERT INTO staff (id, login, name, role, can_manage_accounts, organisation_id,"
            " password_hash, failed_attempts, active, created_at)"
            f" VALUES (1, 'old', '旧 職員', 'counter', 0, {org}, 'x', 0, 1, '2026-04-01')")
        run("INSERT INTO person (id, district_code, name, reading, name_key, reading_key,"
            " address_town, address_rest, phone, phone_digits, created_at, updated_at)"
            " VALUES (1, 'ikejiri', '山田 太郎', 'やまだ たろう', 'やまだたろう', 'やまだたろう',"
            " '', '', '', '', '2026-04-01', '2026-04-01')")
        run("INSERT INTO consent_record (id, person_id, recipient, purpose, given, giver,"
            " giver_relation, method, given_on, recorded_by, recorded_at, withdrawal_reason)"
            f" VALUES (1, 1, 'org:{org}', 'share', 0, 'self', '', 'oral', '2026-04-01', 1,"
            " '2026-04-01', '')")
    engine.dispose()

    db = Database.open(f"sqlite:///{db_path}")  # migrates to head
    try:
        with db.read() as session:
            row = session.get(ConsentRecordRow, 1)
            assert row is not None and row.given is False and row.given_on.isoformat() == "2026-04-01"
            assert row.supersedes_id is None and row.change_note == ""
            columns = {c["name"] for c in sa.inspect(session.connection()).get_columns("referral")}
            assert "anonymised_summary" in columns
        assert db.current_revision() == db.head_revision()
    finally:
        db.close()
