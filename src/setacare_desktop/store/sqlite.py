"""SQLite-only code. **The one module allowed to use SQLite-specific SQL.**

Connection pragmas (WAL, foreign keys, busy timeout), the pre-migration file backup, and the
append-only triggers of the audit table.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from setacare_desktop.domain.kana import query_grams

#: How long a writer waits for another writer's transaction before giving up (SQLITE_BUSY).
BUSY_TIMEOUT_MS = 30_000
#: The execution option that ``Database.transaction`` sets: begin IMMEDIATE, not deferred.
WRITE_OPTION = "setacare_write"
#: The driver's own error (raised where SQLAlchemy does not wrap it, e.g. the file backup).
Error = sqlite3.Error

AUDIT_APPEND_ONLY_DDL = (
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END
    """,
    """
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END
    """,
)


def install_pragmas(engine: Engine) -> None:
    """Every connection: WAL journal, enforced foreign keys, a busy timeout.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN is the one
    that counts (the documented recipe). A writing transaction (``WRITE_OPTION``) begins
    IMMEDIATE, so two writers queue on the busy timeout instead of failing with "database is
    locked" half-way through a save; a read begins deferred, so it never takes the write lock
    and never makes a save wait (WAL lets readers and one writer run side by side).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # FULL: a committed save (or draft) survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def database_file(engine: Engine) -> Path | None:
    """The file behind a SQLite engine, or None for an in-memory database."""
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file::memory:"):
        return None
    return Path(name)


def backup_file(path: Path, label: str) -> Path:
    """Copy the database aside with SQLite's online backup (consistent even in WAL mode)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bak-{label}-{stamp}")
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


# --- search index (FTS5) -------------------------------------------------------------------------
# A contentless FTS5 table over our own unigram/bigram tokens (domain.kana.grams); the 'ascii'
# tokenizer splits on ASCII spaces only and keeps every Japanese character as part of a token.
# Contentless keeps the index small; a delete replays the old tokens, which search_text keeps.

SEARCH_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(d, g1, g2, content='', tokenize='ascii')",
)


def search_add(session: Any, rows: list[tuple[int, str, str, str]]) -> None:
    """Index (rowid, district, unigrams, bigrams) rows with one executemany."""
    session.connection().exec_driver_sql(
        "INSERT INTO search_fts (rowid, d, g1, g2) VALUES (?, ?, ?, ?)", rows)


def search_remove(session: Any, rowid: int, district: str, unigrams: str, bigrams: str) -> None:
    session.connection().exec_driver_sql(
        "INSERT INTO search_fts (search_fts, rowid, d, g1, g2) VALUES ('delete', ?, ?, ?, ?)",
        (rowid, district, unigrams, bigrams))


def _phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


def search_match_expression(words: list[str], districts: list[str]) -> str:
    parts = ["d : (" + " OR ".join(_phrase([d]) for d in districts) + ")"]
    for word in words:
        column, tokens = query_grams(word)
        parts.append(f"{'g1' if column == 'uni' else 'g2'} : {_phrase(tokens)}")
    return " AND ".join(parts)


def search_ids(session: Any, words: list[str], districts: list[str], limit: int,
               before_id: int | None) -> list[int]:
    sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH ?"
    params: list[Any] = [search_match_expression(words, districts)]
    if before_id is not None:
        sql += " AND rowid < ?"
        params.append(before_id)
    sql += " ORDER BY rowid DESC LIMIT ?"
    params.append(limit)
    return [r[0] for r in session.connection().exec_driver_sql(sql, tuple(params))]
