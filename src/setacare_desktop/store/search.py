"""The consultation search index, behind one small API.

The gram index is backend-specific, and holds each consultation's district and *organisation*
(since migration 0018) next to its grams, so that the caller's own organisation's cases, the bulk
of what a search returns, come straight out of the index in newest-first order. No copy of the
text is kept (migration 0020 dropped ``search_text``): each id the index answers is checked
against the text of the consultation's own rows (``_checked``, ``domain.kana.search_matcher``),
so a search finds exactly the consultations whose text holds every word, on both backends.

- SQLite (since migration 0020): one FTS5 column of ``domain.kana.index_tokens`` (distinct
  bigrams, the last character of each word) plus a district and an organisation token, with
  ``detail=none`` (no positions, no columns: a token says only which rows hold it). A word of
  three or more characters is the AND of its bigrams (the check weeds out texts that hold
  them apart).
- PostgreSQL: a tsvector + GIN table of the unigrams and bigrams of ``domain.kana.grams`` with
  positions (a longer word is the phrase of its bigrams).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import Session

from setacare_desktop.domain.kana import (
    grams,
    index_tokens,
    query_tokens,
    search_matcher,
    search_parts,
    search_text,
)
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store.models import Consultation, ConsultationDetail, Person

#: The index since migration 0020: one column ``t`` of the district token, the organisation
#: token and the grams (``fts_tokens``). Contentless (no copy of the text), detail=none (no
#: positions or columns: phrase queries are not needed, see ``query_tokens``), columnsize=0 (no
#: per-row token counts: nothing ranks by them).
SQLITE_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(t, content='', tokenize='ascii',"
    " detail=none, columnsize=0)",
)
#: Migration 0018's shape (d = district, o = organisation, g1 unigrams, g2 bigrams, positions):
#: what migration 0018 creates and 0020's downgrade restores.
SQLITE_DDL_0018 = (
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


# The district and organisation tokens of the SQLite index start with "§", which no folded word
# holds (``search_words`` keeps letters, digits, kana and kanji), so no query gram, not even a
# one-character prefix query, can match them.
def _district_token(district: str) -> str:
    return f"§d{district}"


def _org_token(organisation_id: int) -> str:
    return f"§o{organisation_id}"


def fts_tokens(district: str, organisation_id: int, text: str,
            cache: dict[str, str] | None = None) -> str:
    """The SQLite index's ``t`` of one consultation (``cache``: grams of texts seen before)."""
    cache = {} if cache is None else cache
    grammed = cache.get(text) or cache.setdefault(text, index_tokens(text))
    return f"{_district_token(district)} {_org_token(organisation_id)} {grammed}"


def _add(session: Session, rows: Sequence[Row]) -> None:
    """Index (id, district, organisation id, folded text) rows with one executemany.

    Bulk loads repeat phrases a lot (demo complaints): each distinct text is tokenised once.
    """
    connection = session.connection()
    if _is_sqlite(session):
        cache: dict[str, str] = {}
        connection.exec_driver_sql(
            "INSERT INTO search_fts (rowid, t) VALUES (?, ?)",
            [(cid, fts_tokens(d, org, text, cache)) for cid, d, org, text in rows])
    else:
        pg_cache: dict[str, tuple[str, str]] = {}
        pg_rows = []
        for cid, d, org, text in rows:
            uni, bi = pg_cache.get(text) or pg_cache.setdefault(text, grams(text))
            pg_rows.append((cid, d, org, pg_store.tsvector_literal(uni),
                            pg_store.tsvector_literal(bi)))
        connection.exec_driver_sql(
            "INSERT INTO search_pg (consultation_id, district_code, organisation_id, g1, g2) "
            "VALUES (%s, %s, %s, %s::tsvector, %s::tsvector)", pg_rows)


def _remove(session: Session, cid: int, district: str, organisation_id: int, text: str) -> None:
    connection = session.connection()
    if _is_sqlite(session):  # contentless: the delete replays the tokens indexed (``index``)
        connection.exec_driver_sql(
            "INSERT INTO search_fts (search_fts, rowid, t) VALUES ('delete', ?, ?)",
            (cid, fts_tokens(district, organisation_id, text)))
    else:
        connection.exec_driver_sql("DELETE FROM search_pg WHERE consultation_id = %s", (cid,))


def rebuild_0018(session: Session) -> int:
    """Fill an empty index of migration 0018's shape (``SQLITE_DDL_0018``) from ``search_text``,
    20,000 rows at a time: what migration 0018 does, and 0020's downgrade. Without that table
    (a database from after 0020 set back to before 0018, as tests do) it indexes nothing: 0020
    rebuilds the index from the consultations."""
    connection = session.connection()
    if not inspect(connection).has_table("search_text"):
        return 0
    done, last = 0, 0
    while True:
        chunk = connection.exec_driver_sql(
            "SELECT s.consultation_id, s.district_code, c.organisation_id, s.body"
            " FROM search_text s JOIN consultation c ON c.id = s.consultation_id"
            " WHERE s.consultation_id > ? ORDER BY s.consultation_id LIMIT 20000",
            (last,)).all()
        if not chunk:
            return done
        connection.exec_driver_sql(
            "INSERT INTO search_fts (rowid, d, o, g1, g2) VALUES (?, ?, ?, ?, ?)",
            [(cid, d, _org(org), *grams(text)) for cid, d, org, text in chunk])
        done += len(chunk)
        last = chunk[-1][0]


def fill_search_text(session: Session) -> int:
    """Fill migration 0003's ``search_text`` table (id, district, folded text) from the
    consultations' rows, 20,000 at a time: 0020's downgrade."""
    done, last = 0, 0
    while True:
        ids = list(session.scalars(select(Consultation.id).where(Consultation.id > last)
                                   .order_by(Consultation.id).limit(20_000)))
        if not ids:
            return done
        mark = "?" if _is_sqlite(session) else "%s"
        session.connection().exec_driver_sql(
            f"INSERT INTO search_text (consultation_id, district_code, body)"
            f" VALUES ({mark}, {mark}, {mark})",
            [(cid, d, search_text(text)) for cid, (d, _org_id, text) in
             _texts(session, ids).items()])
        done += len(ids)
        last = ids[-1]


def _texts(session: Session, ids: Sequence[int]) -> dict[int, tuple[str, int, str]]:
    """(district, organisation id, unfolded text) of consultations, from their own rows."""
    found: dict[int, tuple[str, int, str]] = {}
    for begin in range(0, len(ids), 900):
        for cid, district, org, complaint, details, name, reading, phone in session.execute(
                select(Consultation.id, Consultation.district_code, Consultation.organisation_id,
                       Consultation.main_complaint, ConsultationDetail.details, Person.name,
                       Person.reading, Person.phone)
                .outerjoin(ConsultationDetail,
                           ConsultationDetail.consultation_id == Consultation.id)
                .outerjoin(Person, Person.id == ConsultationDetail.person_id)
                .where(Consultation.id.in_(ids[begin:begin + 900]))):
            found[cid] = (district, org, search_parts(complaint, details, name, reading, phone))
    return found


def index(session: Session, consultation_id: int, district_code: str, text: str, *,
          organisation_id: int | None = None, previous: str | None = None) -> None:
    """(Re-)index one consultation, inside the caller's transaction. ``previous``: the folded
    text it was indexed with (read before the amendment changed the rows), None if new.

    On SQLite the index is contentless: taking the old entry out replays its tokens, so an
    amendment must pass ``previous``. Were it different from what was indexed (a person renamed
    through another consultation), the tokens it misses stay behind; that only ever costs a
    candidate more, since every answer is checked against the consultation's text."""
    if organisation_id is None:
        organisation_id = session.scalar(select(Consultation.organisation_id).where(
            Consultation.id == consultation_id))
        assert organisation_id is not None, "index() of a consultation not saved yet"
    if previous is not None or not _is_sqlite(session):
        _remove(session, consultation_id, district_code, organisation_id, previous or "")
    _add(session, [(consultation_id, district_code, organisation_id, text)])


def remove(session: Session, consultation_id: int) -> None:
    """Take one consultation out of the index, inside the caller's transaction (before its
    rows are deleted: the tokens to take out are computed from them)."""
    row = _texts(session, [consultation_id]).get(consultation_id)
    if row is not None:
        district, org, text = row
        _remove(session, consultation_id, district, org, search_text(text))


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
    _add(session, full)  # type: ignore[arg-type]


def index_grams(session: Session, rows: Sequence[Row]) -> None:
    """SQLite: index many new consultations given (id, district code, organisation id, the
    ``domain.kana.index_tokens`` of the folded text), the tokens computed by the caller (a bulk
    load that builds them from cached pieces). The same index entries as :func:`index_many`."""
    assert _is_sqlite(session), "index_grams is the SQLite index's"
    district, org = _district_token, _org_token
    session.connection().exec_driver_sql(
        "INSERT INTO search_fts (rowid, t) VALUES (?, ?)",
        [(cid, f"{district(d)} {org(o)} {grammed}") for cid, d, o, grammed in rows])


def rebuild(session: Session, *, chunk: int = 20_000) -> int:
    """Index every consultation again into an empty index (migration 0020), ``chunk`` rows at a
    time (memory stays flat). Returns the number of consultations indexed.

    On SQLite the FTS5 segments the chunks wrote are then merged into one ('optimize': ~7 s at
    2,000,000 consultations): a newest-first query over one segment reads a third of what it
    reads over nine."""
    done, last = 0, 0
    while True:
        ids = list(session.scalars(select(Consultation.id).where(Consultation.id > last)
                                   .order_by(Consultation.id).limit(chunk)))
        if not ids:
            if _is_sqlite(session):
                session.connection().exec_driver_sql(
                    "INSERT INTO search_fts (search_fts) VALUES ('optimize')")
            return done
        texts = _texts(session, ids)
        _add(session, [(cid, d, org, search_text(text)) for cid, (d, org, text) in texts.items()])
        done += len(ids)
        last = ids[-1]


# --- queries -------------------------------------------------------------------------------------


def _phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


def _match(words: list[str], districts: list[str], organisation_id: int | None) -> str:
    """The FTS5 query: one of the districts, the organisation, every word's tokens."""
    parts = ["(" + " OR ".join(_phrase([_district_token(d)]) for d in districts) + ")"]
    if organisation_id is not None:
        parts.append(_phrase([_org_token(organisation_id)]))
    for word in words:
        tokens, prefix = query_tokens(word)
        parts += [_phrase([t]) + (" *" if prefix else "") for t in tokens]
    return " AND ".join(parts)


def _checked(session: Session, words: list[str], ids: list[int]) -> list[int]:
    """Those of ``ids`` whose text, read from the consultation's own rows now, holds every word.

    The index answers a word of three or more characters by its bigrams wherever they are in
    the text (``query_tokens``), and an entry an amendment could not take out (``index``) stays
    behind; checking each answer makes the result exactly the texts that hold the words, on
    every backend alike."""
    if not ids:
        return ids
    holds = search_matcher(words)
    texts = _texts(session, ids)
    return [cid for cid in ids if cid in texts and holds(texts[cid][2])]


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


#: Consultations shared with the caller (``matching_ids``' ``shared``) beyond which the other
#: organisations' matches are read from the index side instead: reading 57,000 consented ids
#: to find a page's few took ~120 ms on a 2,000,000-case demo database; counting up to the cap
#: reads at most this many (a few milliseconds).
SHARED_CAP = 2_000


def is_long(session: Session, shared: Select[tuple[int]]) -> bool:
    """Whether ``shared`` holds more than ``SHARED_CAP`` ids (reads at most that many)."""
    return len(list(session.scalars(shared.limit(SHARED_CAP + 1)))) > SHARED_CAP


def matching_ids(session: Session, words: list[str], districts: list[str], *, limit: int,
                 organisation_id: int, shared: Select[tuple[int]] | None = None,
                 shared_is_long: bool = False, before_id: int | None = None) -> list[int]:
    """Candidate ids for every word, newest first (highest id first), in districts, that are
    the caller's organisation's or among ``shared``: every consultation whose text holds the
    words is among them, and the caller checks each one's text (``domain.kana.search_matcher``
    on the rows it reads anyway; ``indexed_ids`` shows how).

    ``shared`` selects the ids of the other consultations the caller might see (through a
    consent or an exception: ``services.search``; a UNION ALL, so that a LIMIT stops it early).
    Where it is short, the index is asked only over the span of ids it could add to this page;
    where it holds more than ``SHARED_CAP`` (``shared_is_long``, from :func:`is_long`, asked
    once per search: consent is the rule), the index's answer over every organisation is
    returned instead, newest first. The own
    organisation's cases come from the index alone (its ``o`` token / column). Paging is by
    ``before_id`` (the last id of the previous page) rather than OFFSET, so page 100 costs what
    page 1 costs. The caller still applies the exact visibility rule to what this returns.
    """
    if not words or not districts:
        return []
    if shared is not None and shared_is_long:
        # Consent is the rule (a district whose persons mostly agreed to share): the index's
        # newest-first answer over every organisation is the shorter road; the caller's exact
        # visibility rule filters it as it filters the rest.
        return _query(session, words, districts, organisation_id=None, limit=limit,
                      below=before_id, above=None)
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
    shared_ids = list(session.scalars(span))
    candidates = set(shared_ids)
    if not candidates:
        return own
    others = [cid for cid in _query(session, words, districts, organisation_id=None, limit=None,
                                    below=max(candidates) + 1, above=min(candidates) - 1)
              if cid in candidates]
    return sorted(set(own) | set(others), reverse=True)[:limit]


def scans_first(session: Session, words: list[str]) -> bool:
    """Whether a search for ``words`` should check the scope's newest consultations before it
    asks the index (``newest_in_districts``): on SQLite, where the index answers a
    one-character word with a prefix query over every bigram that starts with it. PostgreSQL
    indexes single characters (``g1``): one lexeme, no such cost."""
    return _is_sqlite(session) and any(query_tokens(word)[1] for word in words)


def newest_in_districts(session: Session, districts: list[str], *, limit: int,
                        before_id: int | None) -> list[int]:
    """The newest ``limit`` consultations of ``districts`` below ``before_id``, whatever their
    text: the candidates of a one-character word while it is probably in most texts
    (``services.search``), where the index's prefix query (every bigram that starts with the
    character) costs far more than checking a page's texts. Read newest first along the
    primary key (on SQLite the district's own index, which would sort every consultation of
    the districts, is kept out with a unary ``+``)."""
    if not districts:
        return []
    sqlite = _is_sqlite(session)
    mark = "?" if sqlite else "%s"
    column = "+district_code" if sqlite else "district_code"
    sql = (f"SELECT id FROM consultation WHERE {column} IN "
           f"({', '.join([mark] * len(districts))})")
    params: list[Any] = list(districts)
    if before_id is not None:
        sql += f" AND id < {mark}"
        params.append(before_id)
    sql += f" ORDER BY id DESC LIMIT {mark}"
    params.append(limit)
    return [r[0] for r in session.connection().exec_driver_sql(sql, tuple(params))]


def indexed_text(session: Session, consultation_id: int) -> str | None:
    """The folded text a consultation is found by (from its rows), None if there is none."""
    row = _texts(session, [consultation_id]).get(consultation_id)
    return None if row is None else search_text(row[2])


def indexed_ids(session: Session, words: list[str], districts: list[str],
                organisation_id: int | None = None) -> list[int]:
    """Every id the index finds for ``words`` (tests compare it with the saved texts)."""
    return _checked(session, words, _query(session, words, districts,
                                           organisation_id=organisation_id, limit=None,
                                           below=None, above=None))


def floor_query(words: list[str], districts: list[str], organisation_id: int,
                limit: int) -> tuple[str, tuple[Any, ...]]:
    """The bare SQLite index query of a search's first page (sql, params): the floor the
    search bench times ``services.search.search`` against."""
    return ("SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (_match(words, districts, organisation_id), limit))
