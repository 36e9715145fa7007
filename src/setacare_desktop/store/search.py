"""The consultation search index, behind one small API.

``search_text`` (a plain table on every backend) keeps the folded text of each consultation; the
gram index itself is backend-specific: an FTS5 table on SQLite, a tsvector + GIN table on
PostgreSQL. Both index the unigrams and bigrams computed by ``domain.kana.grams`` (so one- and
two-character words are found and every backend finds the same rows) together with the
consultation's district and *organisation* (since migration 0018), so that the caller's own
organisation's cases, the bulk of what a search returns, come straight out of the index in
newest-first order without a row of ``consultation`` being read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from setacare_desktop.domain.kana import grams, query_grams
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store.models import Consultation, SearchText

#: The index since migration 0018: d = district code, o = organisation token (``_org``).
#: columnsize=0: no per-row token counts (nothing ranks by them).
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(d, o, g1, g2, content='', tokenize='ascii',"
    " columnsize=0)",
)
POSTGRESQL_DDL = (
    "ALTER TABLE search_pg ADD COLUMN IF NOT EXISTS organisation_id integer",
    "UPDATE search_pg SET organisation_id = c.organisation_id FROM consultation c"
    " WHERE c.id = search_pg.consultation_id",
    "DELETE FROM search_pg WHERE organisation_id IS NULL",
    "ALTER TABLE search_pg ALTER COLUMN organisation_id SET NOT NULL",
    # the newest-first page of one organisation, walked backwards while the tsquery filters
    "CREATE INDEX IF NOT EXISTS search_pg_org_newest ON search_pg (organisation_id, consultation_id)",
)

#: (consultation id, district code, organisation id, folded text)
Row = tuple[int, str, int, str]


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _org(organisation_id: int) -> str:
    return f"o{organisation_id}"


def _add(session: Session, rows: Sequence[tuple[int, str, int, str, str]]) -> None:
    """Index (id, district, organisation id, unigrams, bigrams) rows with one executemany."""
    connection = session.connection()
    if _is_sqlite(session):
        connection.exec_driver_sql(
            "INSERT INTO search_fts (rowid, d, o, g1, g2) VALUES (?, ?, ?, ?, ?)",
            [(cid, d, _org(org), uni, bi) for cid, d, org, uni, bi in rows])
    else:
        connection.exec_driver_sql(
            "INSERT INTO search_pg (consultation_id, district_code, organisation_id, g1, g2) "
            "VALUES (%s, %s, %s, %s::tsvector, %s::tsvector)",
            [(cid, d, org, pg_store.tsvector_literal(uni), pg_store.tsvector_literal(bi))
             for cid, d, org, uni, bi in rows])


def _remove(session: Session, cid: int, district: str, organisation_id: int, text: str) -> None:
    connection = session.connection()
    if _is_sqlite(session):  # contentless: the delete replays the old tokens
        connection.exec_driver_sql(
            "INSERT INTO search_fts (search_fts, rowid, d, o, g1, g2) "
            "VALUES ('delete', ?, ?, ?, ?, ?)", (cid, district, _org(organisation_id),
                                                 *grams(text)))
    else:
        connection.exec_driver_sql("DELETE FROM search_pg WHERE consultation_id = %s", (cid,))


def index(session: Session, consultation_id: int, district_code: str, text: str, *,
          organisation_id: int | None = None) -> None:
    """(Re-)index one consultation, inside the caller's transaction."""
    if organisation_id is None:
        organisation_id = session.scalar(select(Consultation.organisation_id).where(
            Consultation.id == consultation_id))
        assert organisation_id is not None, "index() of a consultation not saved yet"
    row = session.get(SearchText, consultation_id)
    if row is not None:
        _remove(session, consultation_id, row.district_code, organisation_id, row.body)
        row.body, row.district_code = text, district_code
    else:
        session.add(SearchText(consultation_id=consultation_id, district_code=district_code,
                               body=text))
    session.flush()
    _add(session, [(consultation_id, district_code, organisation_id, *grams(text))])


def remove(session: Session, consultation_id: int) -> None:
    """Take one consultation out of the index, inside the caller's transaction (before the
    consultation row itself is deleted: its organisation is read from it)."""
    row = session.get(SearchText, consultation_id)
    if row is None:
        return
    organisation_id = session.scalar(select(Consultation.organisation_id).where(
        Consultation.id == consultation_id))
    if organisation_id is not None:
        _remove(session, consultation_id, row.district_code, organisation_id, row.body)
    session.delete(row)
    session.flush()


def index_many(session: Session, rows: Sequence[tuple[int, str, str] | Row]) -> None:
    """Index many new consultations at once: (consultation id, district code, folded text), or
    (id, district, organisation id, text) which spares a look-up of the organisations.

    For bulk loads (demo data, imports); rows must not be indexed yet.
    """
    if not rows:
        return
    full = [r for r in rows if len(r) == 4]
    if len(full) < len(rows):
        orgs: dict[int, int] = {}
        ids = [r[0] for r in rows]
        for begin in range(0, len(ids), 900):
            orgs.update(session.execute(select(Consultation.id, Consultation.organisation_id)
                                        .where(Consultation.id.in_(ids[begin:begin + 900]))
                                        ).all())
        full = [r if len(r) == 4 else (r[0], r[1], orgs[r[0]], r[2])  # type: ignore[misc]
                for r in rows]
    session.execute(insert(SearchText), [
        {"consultation_id": cid, "district_code": district, "body": text}
        for cid, district, _org_id, text in full])
    # Bulk loads repeat phrases a lot (demo complaints): fold each distinct text once.
    cache: dict[str, tuple[str, str]] = {}
    _add(session, [(cid, district, org, *(cache.get(text) or cache.setdefault(text, grams(text))))
                   for cid, district, org, text in full])


def rebuild(session: Session) -> int:
    """Index every row of ``search_text`` again into an empty index (migration 0018, or a bulk
    load that wrote ``search_text`` first). Returns the number of rows indexed."""
    done, last = 0, 0
    while True:
        chunk = session.execute(
            select(SearchText.consultation_id, SearchText.district_code,
                   Consultation.organisation_id, SearchText.body)
            .join(Consultation, Consultation.id == SearchText.consultation_id)
            .where(SearchText.consultation_id > last)
            .order_by(SearchText.consultation_id).limit(20_000)).all()
        if not chunk:
            return done
        _add(session, [(cid, d, org, *grams(text)) for cid, d, org, text in chunk])
        done += len(chunk)
        last = chunk[-1][0]


# --- queries -------------------------------------------------------------------------------------


def _phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


def _match(words: list[str], districts: list[str], organisation_id: int | None) -> str:
    parts = ["d : (" + " OR ".join(_phrase([d]) for d in districts) + ")"]
    if organisation_id is not None:
        parts.append(f"o : {_phrase([_org(organisation_id)])}")
    for word in words:
        column, tokens = query_grams(word)
        parts.append(f"{'g1' if column == 'uni' else 'g2'} : {_phrase(tokens)}")
    return " AND ".join(parts)


def _query(session: Session, words: list[str], districts: list[str], *,
           organisation_id: int | None, limit: int | None, below: int | None,
           above: int | None) -> list[int]:
    """Index ids matching every word in districts (and organisation), in (above, below),
    newest first: the one place the SQL of both backends is written."""
    sqlite = _is_sqlite(session)
    mark = "?" if sqlite else "%s"
    if sqlite:
        sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH ?"
        params: list[Any] = [_match(words, districts, organisation_id)]
        key = "rowid"
    else:
        sql = "SELECT consultation_id FROM search_pg WHERE district_code = ANY(%s)"
        params = [districts]
        if organisation_id is not None:
            sql += " AND organisation_id = %s"
            params.append(organisation_id)
        for word in words:
            column, tsquery = pg_store.word_tsquery(word)
            sql += f" AND {column} @@ %s::tsquery"
            params.append(tsquery)
        key = "consultation_id"
    if below is not None:
        sql += f" AND {key} < {mark}"
        params.append(below)
    if above is not None:
        sql += f" AND {key} > {mark}"
        params.append(above)
    sql += f" ORDER BY {key} DESC"
    if limit is not None:
        sql += f" LIMIT {mark}"
        params.append(limit)
    return [r[0] for r in session.connection().exec_driver_sql(sql, tuple(params))]


def matching_ids(session: Session, words: list[str], districts: list[str], *, limit: int,
                 organisation_id: int, shared: Select[tuple[int]] | None = None,
                 before_id: int | None = None) -> list[int]:
    """Consultation ids containing every word, newest first (highest id first), in districts,
    that are the caller's organisation's or among ``shared``.

    ``shared`` selects the ids of the other consultations the caller might see (through a
    consent or an exception: ``services.search``); it is driven from the consent side, so it is
    small, and the index is asked only over the span of ids it could add to this page. The own
    organisation's cases come from the index alone (its ``o`` token / column). Paging is by
    ``before_id`` (the last id of the previous page) rather than OFFSET, so page 100 costs what
    page 1 costs. The caller still applies the exact visibility rule to what this returns.
    """
    if not words or not districts:
        return []
    own = _query(session, words, districts, organisation_id=organisation_id, limit=limit,
                 below=before_id, above=None)
    if shared is None:
        return own
    floor = own[-1] if len(own) == limit else None  # below it, nothing can enter this page
    column = shared.selected_columns[0]
    span = shared
    if before_id is not None:
        span = span.where(column < before_id)
    if floor is not None:
        span = span.where(column > floor)
    candidates = set(session.scalars(span))
    if not candidates:
        return own
    others = [cid for cid in _query(session, words, districts, organisation_id=None, limit=None,
                                    below=max(candidates) + 1, above=min(candidates) - 1)
              if cid in candidates]
    return sorted(set(own) | set(others), reverse=True)[:limit]


def indexed_text(session: Session, consultation_id: int) -> str | None:
    return session.scalar(select(SearchText.body).where(
        SearchText.consultation_id == consultation_id))


def indexed_ids(session: Session, words: list[str], districts: list[str],
                organisation_id: int | None = None) -> list[int]:
    """Every id the index returns for ``words`` (tests compare it with the saved texts)."""
    return _query(session, words, districts, organisation_id=organisation_id, limit=None,
                  below=None, above=None)


def floor_query(words: list[str], districts: list[str], organisation_id: int,
                limit: int) -> tuple[str, tuple[Any, ...]]:
    """The bare SQLite index query of a search's first page (sql, params): the floor the
    search bench times ``services.search.search`` against."""
    return ("SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (_match(words, districts, organisation_id), limit))
