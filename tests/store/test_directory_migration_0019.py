"""Migration 0019 on a database made before it: an entry confirmed then keeps counting as
confirmed, dated by its last change (the best the database knows), and so goes back to 要確認
a year after that; an entry never confirmed stays 要確認."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from schema import revision_before
from setacare_desktop.services import directory as svc
from setacare_desktop.store.database import Database


def test_an_entry_confirmed_before_0019_is_dated_by_its_last_change(db_path: Path) -> None:
    Database.open(f"sqlite:///{db_path}").close()
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE dir_service SET contact_confirmed = 1, confirmed_at = NULL,"
            " updated_at = CURRENT_TIMESTAMP WHERE hsds_id = 'ikejiri-anshin'")
        connection.exec_driver_sql(
            "UPDATE dir_service SET contact_confirmed = 1, confirmed_at = NULL,"
            " updated_at = datetime('now', '-400 days') WHERE hsds_id = 'ikejiri-machizukuri'")
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = :v",
                                   {"v": revision_before("0019")})
    engine.dispose()
    db = Database.open(f"sqlite:///{db_path}")
    try:
        status = {d.name: d.contact_status for d in svc.search_destinations(db, "池尻")}
        assert status["池尻あんしんすこやかセンター"] == "確認済"
        assert status["池尻まちづくりセンター"] == "要確認"  # confirmed 400 days ago
        assert status["社会福祉協議会 池尻地区事務局"] == "要確認"  # never confirmed
    finally:
        db.close()
