"""The read-only look at the SQLite file that lets the window show its login dialog first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from setacare_desktop.services import Database, StaffProfile
from setacare_desktop.store.sqlite_probe import StaffOnFile, staff_on_file


def _snapshot(folder: Path) -> dict[str, bytes]:
    """The folder's files, but SQLite's own -wal/-shm (a reader of a WAL database may make
    them; the next connection that writes uses them as usual)."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())
            if not path.name.endswith(("-wal", "-shm"))}


def test_a_database_with_staff_lets_the_login_come_first(
        db: Database, db_path: Path, staff_factory: Callable[..., StaffProfile]) -> None:
    staff_factory(db, "ikejiri1")
    db.close()
    before = _snapshot(db_path.parent)
    assert staff_on_file(f"sqlite:///{db_path}") is StaffOnFile.PRESENT
    assert _snapshot(db_path.parent) == before  # read-only: the database unchanged


def test_a_database_without_staff_is_the_first_start(db: Database, db_path: Path) -> None:
    db.close()
    assert staff_on_file(f"sqlite:///{db_path}") is StaffOnFile.ABSENT


def test_a_missing_file_is_the_first_start_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "setacare.db"
    assert staff_on_file(f"sqlite:///{path}") is StaffOnFile.ABSENT
    assert list(tmp_path.iterdir()) == []


def test_what_cannot_be_read_cheaply_keeps_the_safe_order(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not an SQLite database" * 200)
    for url in (f"sqlite:///{damaged}",
                "postgresql+psycopg://setacare@server/setacare",
                "sqlite://", "sqlite:///:memory:", f"sqlite:///{damaged}?mode=rw"):
        assert staff_on_file(url) is StaffOnFile.UNKNOWN, url
    assert damaged.read_bytes() == b"this is not an SQLite database" * 200
