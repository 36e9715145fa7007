"""The consultation search index, behind one small API.

``search_text`` (a plain table on every backend) keeps the folded text of each consultation; the
gram index itself is backend-specific and lives in ``store.sqlite`` (FTS5) and
``store.postgresql`` (tsvector + GIN). Both index the unigrams and bigrams computed by
``domain.kana.grams`` so that every backend finds the same rows.
"""

from __future__ import annotations

from types import ModuleType

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    cast,
    column,
    insert,
    literal,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.orm import Session

from setacare_desktop.domain.kana import grams
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store import sqlite as sqlite_store
from setacare_desktop.store.models import Consultation, SearchText


def _backend(session: Session) -> ModuleType:
    name = session.get_bind().dialect.name
    return sqlite_store if name == "sqlite" else pg_store


def index(session: Session, consultation_id: int, district_code: str, text: str) -> None:
    """(Re-)index one consultation, inside the caller's transaction."""
    backend = _backend(session)
    row = session.get(SearchText, consultation_id)
    if row is not None:
        backend.search_remove(session, consultation_id, district_code, *grams(row.body))
        row.body, row.district_code = text, district_code
    else:
        session.add(SearchText(consultation_id=consultation_id, district_code=district_code,
                               body=text))
    session.flush()
    backend.search_add(session, [(consultation_id, district_code, *grams(text))])


def index_many(session: Session, rows: list[tuple[int, str, str]]) -> None:
    """Index many new consultations at once: (consultation id, district code, folded text).

    For bulk loads (demo data, imports); rows must not be indexed yet.
    """
    if not rows:
        return
    session.execute(insert(SearchText), [
        {"consultation_id": cid, "district_code": district, "body": text}
        for cid, district, text in rows])
    # Bulk loads repeat phrases a lot (demo complaints): fold each distinct text once.
    cache: dict[str, tuple[str, str]] = {}
    _backend(session).search_add(session, [
        (cid, district, *(cache.get(text) or cache.setdefault(text, grams(text))))
        for cid, district, text in rows])


def matching_ids(session: Session, words: list[str], districts: list[str], *, limit: int,
                 before_id: int | None = None,
                 condition: ColumnElement[bool] | None = None) -> list[int]:
    """Consultation ids containing every word, newest first (highest id first), in districts.

    Paging is by ``before_id`` (the last id of the previous page) rather than OFFSET, so page
    100 costs what page 1 costs. ``condition`` (over ``Consultation``, e.g.
    ``services.visibility.may_be_visible``) is checked inside the same query, row by row in the
    index's order, so the ``LIMIT`` still stops the index early and a row it refuses is never
    counted against the page.
    """
    if not words or not districts:
        return []
    if condition is None:
        return _backend(session).search_ids(session, words, districts, limit, before_id)
    if _backend(session) is sqlite_store:
        index = table("search_fts", column("rowid", Integer))
        rowid = index.c.rowid
        query = select(rowid).where(text("search_fts MATCH :match").bindparams(
            match=sqlite_store.search_match_expression(words, districts)))
    else:
        index = table("search_pg", column("consultation_id", Integer),
                      column("district_code", String), column("g1", TSVECTOR),
                      column("g2", TSVECTOR))
        rowid = index.c.consultation_id
        query = select(rowid).where(index.c.district_code.in_(districts))
        for word in words:
            name, tsquery = pg_store.word_tsquery(word)
            query = query.where(index.c[name].op("@@")(cast(literal(tsquery), TSQUERY)))
    # A correlated EXISTS rather than a join: the index stays the one table of the outer query,
    # so SQLite's FTS5 still walks its rowids downwards and stops at the limit.
    allowed = select(Consultation.id).where(Consultation.id == rowid, condition).exists()
    query = query.where(allowed)
    if before_id is not None:
        query = query.where(rowid < before_id)
    return list(session.scalars(query.order_by(rowid.desc()).limit(limit)))


def indexed_text(session: Session, consultation_id: int) -> str | None:
    return session.scalar(select(SearchText.body).where(
        SearchText.consultation_id == consultation_id))
