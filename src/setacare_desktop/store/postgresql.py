"""PostgreSQL-only DDL, used by migrations when the ward shares one server."""

from __future__ import annotations

from typing import Any

from setacare_desktop.domain.kana import query_grams

AUDIT_APPEND_ONLY_DDL = (
    """
    CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$
    """,
    """
    CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
)


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
