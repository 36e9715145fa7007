"""SQLite settings for one bulk load (the demo fill), set inside its transaction and put back
before it commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

#: The page cache of a demo fill on SQLite, in KiB (SQLite's default is 2 MB).
FILL_CACHE_KIB = 1536 * 1024


@contextmanager
def large_cache(session: Session) -> Iterator[None]:
    """On SQLite, a page cache of up to ``FILL_CACHE_KIB`` while a fill writes, then the one the
    connection had (it goes back to the pool as it was).

    With the default 2 MB, the indexes of millions of new rows no longer fit: SQLite spills
    their pages to the WAL and reads them back, again and again. Only memory changes here; the
    journal and ``synchronous`` stay as they are, so the commit is as durable as any other.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{FILL_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")
