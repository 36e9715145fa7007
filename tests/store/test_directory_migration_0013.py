"""Migration 0013 on a database made before it: the HSDS columns are added and the destinations
seed 002 names that the first directory lacked are inserted (issue 15)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from schema import revision_before, undo_after
from setacare_desktop.domain.shipped_directory import shipped_directory
from setacare_desktop.services import directory as svc
from setacare_desktop.store.database import Database

NEW = ("hot-school", "saigai-volunteer", "jido-rokuonki")


def test_an_older_database_gets_the_columns_and_the_new_destinations(db_path: Path) -> None:
    Database.open(f"sqlite:///{db_path}").close()
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.begin() as connection:
        undo_after(connection, revision_before("0013"))  # 0013's columns and all after it
        ids = ", ".join(f"'{i}'" for i in NEW)
        for table in ("dir_service_area", "dir_attribute", "dir_schedule",
                      "dir_service_at_location"):
            connection.exec_driver_sql(f"DELETE FROM {table} WHERE service_id IN (SELECT id FROM "
                                       f"dir_service WHERE hsds_id IN ({ids}))")
        connection.exec_driver_sql(f"DELETE FROM dir_service WHERE hsds_id IN ({ids})")
        connection.exec_driver_sql("DELETE FROM dir_location WHERE id = 'setagaya-volunteer-loc'")
        connection.exec_driver_sql("DELETE FROM dir_organization WHERE id = 'setagaya-volunteer'")
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = :v",
                                   {"v": revision_before("0013")})
    engine.dispose()
    db = Database.open(f"sqlite:///{db_path}")
    try:
        loaded = svc.load(db).directory
        assert {s.id for s in loaded.services} == {s.id for s in shipped_directory().services}
        assert loaded.service("saigai-volunteer").name == "せたがや災害ボランティアセンター"
        found = svc.lookup(db, district_code="ikejiri", target_groups=["other"],
                           elements=["safety"], limit=None)
        assert {"せたがや災害ボランティアセンター", "自動通話録音機の貸出（特殊詐欺対策）"} <= {
            f.name for f in found}
        assert all(f.contact_status == "要確認" for f in found
                   if f.name == "せたがや災害ボランティアセンター")
    finally:
        db.close()
