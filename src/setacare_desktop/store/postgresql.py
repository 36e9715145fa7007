"""PostgreSQL-only DDL, used by migrations when the ward shares one server."""

from __future__ import annotations

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


def lock_audit_chain(connection: Any) -> None:
    """Wait until no other transaction is appending to the audit chain; held until commit or
    rollback. Read Committed then shows this transaction the newest committed head."""
    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (AUDIT_CHAIN_LOCK,))


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
