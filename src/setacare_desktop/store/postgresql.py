"""PostgreSQL-only DDL, used by migrations when the ward shares one server."""

from __future__ import annotations

import json
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker
from sqlalchemy.sql.util import find_tables

from setacare_desktop.domain.audit_chain import CHAIN_VERSION, ChainContent, canonical
from setacare_desktop.domain.kana import query_grams
from setacare_desktop.store.models import AuditEvent

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
#: their commit returns (``append_audit_queue``); weak, so a closed connection drops out.
_FLUSH_AFTER_COMMIT: weakref.WeakSet[Any] = weakref.WeakSet()

#: The server-side function that appends a transaction's audit rows (migration 0022).
AUDIT_APPEND_FUNCTION = "audit_event_append"
#: It takes the chain's lock, relaxes ``synchronous_commit`` for the rest of the transaction
#: (returning the setting as it was), reads the head in a statement of its own (in a VOLATILE
#: plpgsql function each statement takes a new snapshot, so it sees every append committed
#: while it waited for the lock; a head read in the statement that takes the lock would not),
#: and inserts the rows in order, hashing each as ``domain.audit_chain.link_hash`` does:
#: sha256(CHAIN_VERSION, newline, prev_hash, newline, canonical), ``canonical`` passed from
#: Python. It runs with its caller's rights (INSERT on audit_event), so the append-only
#: triggers and the application role's grants are unchanged. ``fields`` comes as JSON text, a
#: None as JSON ``null``, as the ORM stored it before.
_PREFIX_HEX = (CHAIN_VERSION + b"\n").hex()
AUDIT_APPEND_DDL = f"""
    CREATE OR REPLACE FUNCTION {AUDIT_APPEND_FUNCTION}(
        p_at timestamp[], p_staff_id integer[], p_login text[], p_action text[],
        p_entity text[], p_entity_id text[], p_fields text[], p_detail text[],
        p_canonical bytea[], OUT was text, OUT ids integer[], OUT hashes text[])
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
        previous text;
        digest text;
        new_id integer;
    BEGIN
        was := current_setting('synchronous_commit');
        PERFORM pg_advisory_xact_lock({AUDIT_CHAIN_LOCK});
        PERFORM set_config('synchronous_commit', 'off', true);
        SELECT e.hash INTO previous FROM audit_event e ORDER BY e.id DESC LIMIT 1;
        ids := ARRAY[]::integer[];
        hashes := ARRAY[]::text[];
        FOR i IN 1 .. coalesce(array_length(p_canonical, 1), 0) LOOP
            digest := encode(sha256(decode('{_PREFIX_HEX}', 'hex')
                                    || convert_to(coalesce(previous, ''), 'UTF8')
                                    || decode('0a', 'hex') || p_canonical[i]), 'hex');
            INSERT INTO audit_event (at, staff_id, login, action, entity, entity_id, fields,
                                     detail, prev_hash, hash)
            VALUES (p_at[i], p_staff_id[i], p_login[i], p_action[i], p_entity[i],
                    p_entity_id[i], p_fields[i]::json, p_detail[i], previous, digest)
            RETURNING id INTO new_id;
            ids := ids || new_id;
            hashes := hashes || digest;
            previous := digest;
        END LOOP;
    END $$
    """
AUDIT_APPEND_DROP = (f"DROP FUNCTION IF EXISTS {AUDIT_APPEND_FUNCTION}(timestamp[], integer[],"
                     " text[], text[], text[], text[], text[], text[], bytea[])")
_APPEND_CALL = (f"SELECT was, ids, hashes FROM {AUDIT_APPEND_FUNCTION}(%s::timestamp[],"
                " %s::integer[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[],"
                " %s::text[], %s::bytea[])")
_AUDIT_TABLE = AuditEvent.__tablename__  # (found by name: an ORM statement's copy is annotated)
#: ``Session.info`` key of the audit rows a transaction has recorded and not yet appended.
AUDIT_QUEUE = "setacare_audit_queue"


def queue_audit_row(session: Any, content: ChainContent) -> None:
    """Hold one audit row back until the transaction appends its queue (its commit, or a read
    of the trail before it: ``install_audit_queue``)."""
    session.info.setdefault(AUDIT_QUEUE, []).append(content)


def append_audit_queue(session: Any) -> list[tuple[int, str]]:
    """Append the session's queued audit rows to the chain (one round trip; the lock is then
    held until the commit or rollback) and return their ids and hashes, in order.

    The lock serialises every audited transaction of the ward (each read of personal data is
    one), so it is taken as late as possible, just before the commit (issue 17, item 6), and it
    must not be held while the commit waits for the disk: with 100 counters, one fsync after
    another under the lock made each search wait behind the saves' fsyncs. So the transaction
    commits with ``synchronous_commit = off`` (the lock goes as soon as the commit record is in
    the WAL) and, unless the caller had already turned durability off for it, the commit call
    returns only once the WAL is flushed past that record (``_flush_wal``), outside the lock,
    where concurrent commits share one fsync. A commit that returns is as durable as before; a
    crash before the flush loses a suffix of the WAL (whole transactions, the chain still
    whole), never a row in the middle, and whatever read such a row was itself audited, hence
    flushed after it, or lost with it.
    """
    queue: list[ChainContent] | None = session.info.pop(AUDIT_QUEUE, None)
    if not queue:
        return []
    connection = session.connection()
    was, ids, hashes = connection.exec_driver_sql(_APPEND_CALL, (
        [c.at.replace(tzinfo=None) for c in queue], [c.staff_id for c in queue],
        [c.login for c in queue], [c.action for c in queue], [c.entity for c in queue],
        [c.entity_id for c in queue],
        [json.dumps(None if c.fields is None else list(c.fields)) for c in queue],
        [c.detail for c in queue], [canonical(c) for c in queue])).one()
    if was != "off":
        install_commit_flush(connection.dialect)
        _FLUSH_AFTER_COMMIT.add(_raw(connection.connection))
    return list(zip(ids, hashes, strict=True))


def _append_before_commit(session: Session) -> None:
    if session.info.get(AUDIT_QUEUE) and not session.in_nested_transaction():
        session.flush()  # the transaction's own statements first: the lock is taken last
        append_audit_queue(session)


def _append_before_reading_the_trail(state: ORMExecuteState) -> None:
    """A SELECT that reads ``audit_event`` anywhere (a subquery, a join, ``count(*)``) sees the
    transaction's own rows: the queue is appended first (~20 µs to look, and only while a
    queue is pending)."""
    if state.session.info.get(AUDIT_QUEUE) and state.is_select and any(
            table.name == _AUDIT_TABLE for table in find_tables(state.statement)):
        append_audit_queue(state.session)


def _forget_queue(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction ended (a rollback drops the queue)
        session.info.pop(AUDIT_QUEUE, None)


def install_audit_queue(sessions: sessionmaker[Session]) -> None:
    """Make the sessions of ``sessions`` append their queued audit rows just before their
    commit, and before any statement of theirs that reads ``audit_event`` (a day sign-off's or
    a package's chain head, an export's audit rows must include the transaction's own rows)."""
    event.listen(sessions, "before_commit", _append_before_commit)
    event.listen(sessions, "do_orm_execute", _append_before_reading_the_trail)
    event.listen(sessions, "after_transaction_end", _forget_queue)


def _raw(connection: Any) -> Any:
    """The driver's connection behind SQLAlchemy's pool proxy (or itself)."""
    return getattr(connection, "dbapi_connection", connection)


def install_commit_flush(dialect: Any) -> None:
    """Make this engine's commits wait for the WAL flush of the connections that asked for it,
    and its rollbacks forget the request (once per dialect, i.e. per engine).
    ``append_audit_queue`` installs it on first use (``bench/load_bench.py`` up front, so that
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
