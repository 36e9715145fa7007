"""Migration 0020 on a database with consultations: the reshaped index finds what the old one
found, ``search_text`` is gone, and the downgrade gives back 0018's shape and ``search_text``
(what the code of 0019 reads), from which 0020 again rebuilds the same index."""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from tests.services.test_search_and_duplicates import record

from setacare_desktop.services.search import search
from setacare_desktop.store.database import Database


def _migrate(path: Path, revision: str, *, down: bool = False) -> None:
    engine = sa.create_engine(f"sqlite:///{path}")
    with importlib.resources.as_file(
            importlib.resources.files("setacare_desktop.migrations")) as location, \
            engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(location))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


def _found(db: Database, actor: object) -> dict[str, list[int]]:
    return {word: [h.consultation_id for h in search(db, actor, word)[1]]
            for word in ("林", "介護", "後見人", "ハヤシ", "介護保", "護保")}


def test_0020_reshapes_the_index_and_its_downgrade_restores_0018(db_path: Path,
                                                                 staff_factory: Callable) -> None:
    db = Database.open(f"sqlite:///{db_path}")
    clerk = staff_factory(db, "clerk")
    first = record(db, clerk, "介護保険の申請", name="林 一郎", reading="はやし いちろう")
    second = record(db, clerk, "成年後見について", details="後見人の相談。介護と護保",
                    name="小林 花子", reading="こばやし はなこ")
    found = _found(db, clerk)
    assert found["林"] == [second, first]
    assert found["介護保"] == [first]
    assert found["護保"] == [second, first]
    db.close()

    _migrate(db_path, "0019", down=True)
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.connect() as connection:
        bodies = dict(connection.exec_driver_sql(
            "SELECT consultation_id, body FROM search_text").all())
        old_shape = connection.exec_driver_sql(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH 'g2 : \"介護 護保\"'").all()
    engine.dispose()
    assert set(bodies) == {first, second}
    assert "林 一郎 林一郎 はやし いちろう" in bodies[first]
    assert old_shape == [(first,)]  # 0018's phrase query on its bigram column

    db = Database.open(f"sqlite:///{db_path}")  # upgrades through 0020 again
    try:
        assert _found(db, clerk) == found
        with db.read() as session:
            assert not sa.inspect(session.connection()).has_table("search_text")
    finally:
        db.close()


def test_an_upgrade_that_frees_a_quarter_of_the_file_gives_it_back(
        db_path: Path, staff_factory: Callable) -> None:
    """0020 drops the search copy and the positional index: the file shrinks at once (VACUUM
    after the migration) instead of keeping gigabytes of free pages at ward scale."""
    db = Database.open(f"sqlite:///{db_path}")
    clerk = staff_factory(db, "clerk")
    text = "独居の高齢者が物忘れと通院の付き添いについて相談。" * 40
    for n in range(150):
        record(db, clerk, f"介護保険の申請{n}", details=f"{text}{n}", name=f"林 一郎{n}")
    db.close()
    _migrate(db_path, "0019", down=True)
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM")  # the 0019 file as it would be, without free pages
    engine.dispose()
    before = db_path.stat().st_size

    db = Database.open(f"sqlite:///{db_path}")  # upgrades to head: backup, migrate, compact
    try:
        assert [h.consultation_id for h in search(db, clerk, "介護保険の申請7")[1]]
    finally:
        db.close()
    engine = sa.create_engine(f"sqlite:///{db_path}")
    with engine.connect() as connection:
        free = connection.exec_driver_sql("PRAGMA freelist_count").scalar()
    engine.dispose()
    assert free == 0
    assert db_path.stat().st_size < before * 0.75, (before, db_path.stat().st_size)
