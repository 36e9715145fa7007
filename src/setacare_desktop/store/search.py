"""The consultation search index, behind one small API.

``search_text`` (a plain table on every backend) keeps the folded text of each consultation; the
gram index itself is backend-specific and lives in ``store.sqlite`` (FTS5) and
``store.postgresql`` (tsvector + GIN). Both index the unigrams and bigrams computed by
``domain.kana.grams`` so that every backend finds the same rows.
"""

from __future__ import annotations

from types import ModuleType

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from setacare_desktop.domain.kana import grams
from setacare_desktop.store import postgresql as pg_store
from setacare_desktop.store import sqlite as sqlite_store
from setacare_desktop.store.models import SearchText


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
                 before_id: int | None = None) -> list[int]:
    """Consultation ids containing every word, newest first (highest id first), in districts.

    Paging is by ``before_id`` (the last id of the previous page) rather than OFFSET, so page
    100 costs what page 1 costs.
    """
    if not words or not districts:
        return []
    return _backend(session).search_ids(session, words, districts, limit, before_id)


def indexed_text(session: Session, consultation_id: int) -> str | None:
    return session.scalar(select(SearchText.body).where(
        SearchText.consultation_id == consultation_id))
