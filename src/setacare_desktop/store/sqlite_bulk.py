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


#: The new postings the SQLite index keeps in memory during a bulk load before it writes them
#: as a segment, in bytes (FTS5's default, and what the services index with, is 1 MiB).
BULK_HASHSIZE = 256 * 1024 * 1024
_DEFAULT_HASHSIZE = 1024 * 1024


@contextmanager
def bulk_index(session: Session) -> Iterator[None]:
    """While a bulk load indexes many consultations in one transaction (the demo fill), let
    the SQLite search index (``store.search``) buffer up to ``BULK_HASHSIZE`` of new postings
    instead of 1 MiB: it writes a few large segments instead of thousands of small ones that
    it then merges again and again. The entries and the answers are the same. Once the load
    is done the setting is put back as it was (no row of it in the index's configuration); a
    failed load rolls it back."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    had = connection.exec_driver_sql(
        "SELECT v FROM search_fts_config WHERE k = 'hashsize'").scalar()
    set_size = "INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', ?)"
    connection.exec_driver_sql(set_size, (BULK_HASHSIZE,))
    yield
    connection.exec_driver_sql(set_size, (had if had is not None else _DEFAULT_HASHSIZE,))
    if had is None:
        connection.exec_driver_sql("DELETE FROM search_fts_config WHERE k = 'hashsize'")
