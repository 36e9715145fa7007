"""PostgreSQL-only DDL, used by migrations when the ward shares one server."""

from __future__ import annotations

import weakref
from typing import Any

from setacare_desktop.domain.kana import query_grams

AUDIT_FUNCTION_BODY = " BEGIN RAISE EXCEPTION 'audit_event is append-only'; END "
AUDIT_FUNCTION_DDL = f"""
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    {AUDIT_FUNCTION_BODY} $$
    """
#: The append-only triggers of the audit table, by name: row-level UPDATE/DELETE (migration
#: 0001) and statement-level TRUNCATE, which row triggers do not see (migration 0009).
AUDIT_TRIGGERS: dict[str, str] = {
    "audit_event_no_change": """
    CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
    "audit_event_no_truncate": """
    CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()
    """,
}
AUDIT_APPEND_ONLY_DDL = (
    """
    CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$
    """,
    AUDIT_TRIGGERS["audit_event_no_change"],
)
#: The key of the transaction-level advisory lock that serialises appends to the audit chain.
AUDIT_CHAIN_LOCK = 0x5E7A_CA4E_A0D1


#: The DBAPI connections whose transaction holds the audit chain lock and must be on disk before
#: their commit returns (``lock_audit_chain``); weak, so a closed connection drops out.
_FLUSH_AFTER_COMMIT: weakref.WeakSet[Any] = weakref.WeakSet()


def lock_audit_chain(connection: Any) -> None:
    """Wait until no other transaction is appending to the audit chain; held until commit or
    rollback. Read Committed then shows this transaction the newest committed head.

    The lock serialises every audited transaction of the ward (each read of personal data is
    one), so it must not be held while the commit waits for the disk: with 100 counters, one
    fsync after another under the lock made each search wait behind the saves' fsyncs (issue 17,
    item 6). So the transaction commits with ``synchronous_commit = off`` (the lock goes as soon
    as the commit record is in the WAL) and, unless the caller had already turned durability off
    for it, the commit call returns only once the WAL is flushed past that record
    (``_flush_wal``), outside the lock, where concurrent commits share one fsync. A commit that
    returns is as durable as before; a crash before the flush loses a suffix of the WAL (whole
    transactions, the chain still whole), never a row in the middle, and whatever read such a
    row was itself audited, hence flushed after it, or lost with it.
    """
    # One round trip; the target list is evaluated left to right: the setting as it was, the
    # lock, then the setting for the rest of this transaction.
    was, _lock, _off = connection.exec_driver_sql(
        "SELECT current_setting('synchronous_commit'), pg_advisory_xact_lock(%s),"
        " set_config('synchronous_commit', 'off', true)", (AUDIT_CHAIN_LOCK,)).one()
    if was != "off":
        install_commit_flush(connection.dialect)
        _FLUSH_AFTER_COMMIT.add(_raw(connection.connection))


def _raw(connection: Any) -> Any:
    """The driver's connection behind SQLAlchemy's pool proxy (or itself)."""
    return getattr(connection, "dbapi_connection", connection)


def install_commit_flush(dialect: Any) -> None:
    """Make this engine's commits wait for the WAL flush of the connections that asked for it,
    and its rollbacks forget the request (once per dialect, i.e. per engine).
    ``lock_audit_chain`` installs it on first use (``bench/load_bench.py`` up front, so that
    its timing of the commits includes the flush)."""
    if getattr(dialect, "_setacare_flush_after_commit", False):
        return
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(connection: Any) -> None:
        commit(connection)
        raw = _raw(connection)
        if raw in _FLUSH_AFTER_COMMIT:
            _FLUSH_AFTER_COMMIT.discard(raw)
            _flush_wal(raw)

    def do_rollback(connection: Any) -> None:
        _FLUSH_AFTER_COMMIT.discard(_raw(connection))
        rollback(connection)

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback
    dialect._setacare_flush_after_commit = True


def _flush_wal(dbapi_connection: Any) -> None:
    """Return once the WAL is on disk up to now: a transaction of its own that writes to the WAL
    (a transactional logical message: a transaction id and one small record, no table, open to
    every role) commits with the server's default ``synchronous_commit`` (on), which flushes the
    WAL up to its commit record, past every commit before it. (A transaction that only takes an
    id, ``txid_current()``, writes nothing and its commit is not flushed.) One round trip."""
    dbapi_connection.autocommit = True
    try:
        dbapi_connection.execute("SELECT pg_logical_emit_message(true, 'setacare-flush', '')")
    finally:
        if not dbapi_connection.closed:
            dbapi_connection.autocommit = False


def audit_protection_problems(connection: Any) -> list[str]:
    """Names of the audit triggers that are missing, disabled, or call a function that no
    longer refuses (``CREATE OR REPLACE FUNCTION`` by the table's owner)."""
    rows = connection.exec_driver_sql(
        "SELECT t.tgname, t.tgenabled, p.prosrc FROM pg_trigger t "
        "JOIN pg_proc p ON p.oid = t.tgfoid "
        "WHERE t.tgrelid = 'audit_event'::regclass AND NOT t.tgisinternal").all()
    sound = {name for name, enabled, source in rows
             if enabled != "D" and " ".join(source.split()) == " ".join(
                 AUDIT_FUNCTION_BODY.split())}
    return [name for name in AUDIT_TRIGGERS if name not in sound]


def restore_audit_protection(connection: Any, names: list[str]) -> None:
    """Create the function and these triggers again (needs the table's owner)."""
    connection.exec_driver_sql(AUDIT_FUNCTION_DDL)
    for name in names:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON audit_event")
        connection.exec_driver_sql(AUDIT_TRIGGERS[name])


# --- search index (tsvector over our own grams, GIN) --------------------------------------------
# Lexemes and positions are written as tsvector/tsquery *literals*, so PostgreSQL's text parser
# (which depends on LC_CTYPE and may drop Japanese characters) is never involved.

SEARCH_DDL = (
    """
    CREATE TABLE search_pg (
        consultation_id integer PRIMARY KEY REFERENCES consultation(id) ON DELETE CASCADE,
        district_code varchar(32) NOT NULL,
        g1 tsvector NOT NULL,
        g2 tsvector NOT NULL
    )
    """,
    "CREATE INDEX search_pg_g1 ON search_pg USING gin (g1)",
    "CREATE INDEX search_pg_g2 ON search_pg USING gin (g2)",
)

#: Migration 0021: the district's rows in an id span, newest first (a search's look at the other
#: organisations' matches, where the word alone would read its whole posting list). IF NOT
#: EXISTS: re-running the revision changes nothing. The statistics are refreshed at once, so
#: the planner sees the new index before autovacuum gets to the table.
SEARCH_DISTRICT_DDL = (
    "CREATE INDEX IF NOT EXISTS search_pg_district_newest"
    " ON search_pg (district_code, consultation_id)",
    "ANALYZE search_pg",
)

MAX_POSITION = 16383  # tsvector positions stop here


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _tsvector(tokens: str) -> str:
    positions: dict[str, list[int]] = {}
    for i, token in enumerate(tokens.split(), start=1):
        positions.setdefault(token, []).append(min(i, MAX_POSITION))
    return " ".join(f"{_lexeme(t)}:{','.join(map(str, sorted(set(p))))}"
                    for t, p in positions.items())


tsvector_literal = _tsvector  # store.search writes the index since migration 0018


def search_add(session: Any, rows: list[tuple[int, str, str, str]]) -> None:
    """Index (consultation id, district, unigrams, bigrams) rows with one executemany."""
    session.connection().exec_driver_sql(
        "INSERT INTO search_pg (consultation_id, district_code, g1, g2) "
        "VALUES (%s, %s, %s::tsvector, %s::tsvector)",
        [(rowid, district, _tsvector(uni), _tsvector(bi)) for rowid, district, uni, bi in rows])


def search_remove(session: Any, rowid: int, district: str, unigrams: str, bigrams: str) -> None:
    session.connection().exec_driver_sql(
        "DELETE FROM search_pg WHERE consultation_id = %s", (rowid,))


def word_tsquery(word: str) -> tuple[str, str]:
    """The column (g1 or g2) and the tsquery literal that find one folded query word."""
    column, tokens = query_grams(word)
    return ("g1" if column == "uni" else "g2"), " <-> ".join(_lexeme(t) for t in tokens)


def search_ids(session: Any, words: list[str], districts: list[str], limit: int,
               before_id: int | None) -> list[int]:
    conditions = ["district_code = ANY(%s)"]
    params: list[Any] = [districts]
    for word in words:
        column, query = word_tsquery(word)
        conditions.append(f"{column} @@ %s::tsquery")
        params.append(query)
    if before_id is not None:
        conditions.append("consultation_id < %s")
        params.append(before_id)
    sql = ("SELECT consultation_id FROM search_pg WHERE " + " AND ".join(conditions)
           + " ORDER BY consultation_id DESC LIMIT %s")
    params.append(limit)
    return [r[0] for r in session.connection().exec_driver_sql(sql, tuple(params))]
