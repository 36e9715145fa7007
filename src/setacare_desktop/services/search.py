"""Finding consultations by name, reading, phone or any words of 主訴 and 相談内容.

Within the caller's scope, newest first, a page at a time (the list fetches more as it scrolls).
The index is kept in the same transaction as each save (``index_consultation``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jaconv
from sqlalchemy import Row, Select, bindparam, select, union_all
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.consent import Purpose, org_recipient
from setacare_desktop.domain.kana import search_matcher, search_parts, search_text, search_words
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import Access, Visibility
from setacare_desktop.services import audit
from setacare_desktop.services.guard import deny
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import audit_emergency_views, visibilities
from setacare_desktop.store import search as search_store
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    ConsentRecordRow,
    Consultation,
    ConsultationDetail,
    EmergencyExceptionRow,
    Person,
)

PAGE_SIZE = 100


def indexed_text_of(case: Consultation, detail: ConsultationDetail | None,
                    person: Person | None) -> str:
    """The folded text a consultation is found by (``domain.kana.search_parts``)."""
    return search_text(search_parts(
        case.main_complaint, detail.details if detail else None,
        person.name if person else None, person.reading if person else None,
        person.phone if person else None))


def indexed_text_now(session: Session, case: Consultation,
                     detail: ConsultationDetail | None) -> str:
    """``indexed_text_of`` the case as saved, read before an amendment changes it: what
    ``index_consultation`` takes out of the index (``previous``)."""
    person = session.get(Person, detail.person_id) if detail and detail.person_id else None
    return indexed_text_of(case, detail, person)


def index_consultation(session: Session, case: Consultation, detail: ConsultationDetail | None,
                       person: Person | None, *, previous: str | None = None) -> None:
    """Index a new consultation, or an amended one with ``previous`` (``indexed_text_now``)."""
    search_store.index(session, case.id, case.district_code,
                       indexed_text_of(case, detail, person), organisation_id=case.organisation_id,
                       previous=previous)


def shared_with(actor: StaffProfile) -> Select[tuple[int]]:
    """Ids of the consultations another organisation might let ``actor`` see: those of persons
    who consented to share with the actor's organisation, and those under an emergency
    exception (the consent and exception branches of ``services.visibility.may_be_visible``,
    driven from the consent side). A UNION ALL (a case in both comes twice; the caller takes a
    set), so that ``store.search.matching_ids`` can count it up to a cap without reading it
    all: where consent is the rule the list is long, and the index side is asked instead."""
    consented = (select(ConsultationDetail.consultation_id)
                 .join(ConsentRecordRow, ConsentRecordRow.person_id == ConsultationDetail.person_id)
                 .where(ConsentRecordRow.recipient == org_recipient(actor.organisation_id),
                        ConsentRecordRow.purpose == Purpose.SHARE.value,
                        ConsentRecordRow.given.is_(True)))
    excepted = select(EmergencyExceptionRow.consultation_id)
    either = union_all(consented, excepted).subquery()
    return select(either.c[0])


#: Batches (of twice the page size) of the scope's newest consultations that a search with a
#: one-character word checks before it asks the SQLite index, whose prefix query (every bigram that
#: starts with the character) took ~700 ms for 「い」 on a 2,000,000-case demo database. A
#: common character fills the page from them (4 ms); a rare one costs these batches more
#: (「林」 16 -> 22 ms on the intake bench's database), then the index goes on below them.
SCAN_PAGES = 3


@dataclass(frozen=True, slots=True)
class SearchHit:
    consultation_id: int
    received_at: datetime
    district_name: str
    person_name: str
    person_reading: str
    main_complaint: str
    details_excerpt: str
    urgent: bool
    #: WHOLE, CONSENT or EMERGENCY: a search never returns what the caller sees masked.
    access: Access = Access.WHOLE


@use_case
def search(db: Database, actor: StaffProfile, query: str, *, limit: int = PAGE_SIZE,
           before_id: int | None = None) -> tuple[list[str], list[SearchHit]]:
    """Consultations matching every word of ``query``; returns the folded words (for
    highlighting) and one page of hits, newest first. Pass the last hit's id as ``before_id``
    for the next page.

    Only consultations the caller may see whole are found (``domain.visibility``): a masked one
    is never a hit, so a search does not even tell that it matched. The index itself holds each
    case's organisation: the caller's own organisation's matches come out of it newest first,
    and other organisations' only among the short list that a consent or an exception could
    open (``shared_with``); the exact rule is asked on what it returns, each one's text is
    checked to hold the words (the index answers candidates: ``store.search``) from the rows the
    page shows anyway, and further rows are read until the page is full or the matches are
    exhausted. Each hit shown under an emergency exception is audited.
    """
    districts = roles.readable_districts(actor)
    if not districts:
        raise deny(actor, "consultation_search", "相談記録を検索する権限がありません。")
    words = search_words(query)
    if not words:
        return [], []
    with db.look() as session:
        shown: dict[int, Visibility] = {}
        rows: dict[int, Row[Any]] = {}
        holds = search_matcher(words)
        cursor = before_id
        # A one-character word is probably in most texts: the newest consultations of the
        # scope are checked first, and the index asked only below them (``SCAN_PAGES``).
        scans = SCAN_PAGES if search_store.scans_first(session, words) else 0
        shared = shared_with(actor)
        shared_is_long = search_store.is_long(session, shared)
        while len(shown) < limit:
            if scans:
                scans -= 1
                ids = search_store.newest_in_districts(session, districts, limit=2 * limit,
                                                       before_id=cursor)
            else:
                ids = search_store.matching_ids(
                    session, words, districts, limit=limit, before_id=cursor,
                    organisation_id=actor.organisation_id, shared=shared,
                    shared_is_long=shared_is_long)
            seen = visibilities(session, actor, ids)
            rows.update(_rows(session, [cid for cid in ids
                                        if cid in seen and seen[cid].identifying]))
            for cid in ids:
                if len(shown) < limit and cid in rows and holds(_text(rows[cid])):
                    shown[cid] = seen[cid]
            if len(ids) < limit:
                break  # the matches are exhausted
            cursor = ids[-1]
        page = sorted(shown, reverse=True)
        hits = _hits(page, rows, shown, words)
        if before_id is None:
            audit.record(session, actor, "consultation_search", detail=f"{len(words)} words")
        audit_emergency_views(session, actor, shown, "consultation_search")
        return words, hits


_PAGE_ROWS = (
    select(Consultation.id, Consultation.received_at, Consultation.district_code,
           Consultation.main_complaint, Consultation.urgent, ConsultationDetail.details,
           Person.name, Person.reading, Person.phone)
    .outerjoin(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
    .outerjoin(Person, Person.id == ConsultationDetail.person_id)
    .where(Consultation.id.in_(bindparam("ids", expanding=True))))


def _rows(session: Session, ids: list[int]) -> dict[int, Row[Any]]:
    """Candidates' rows in one query of plain columns (no ORM objects: a page is 100 rows):
    their text is checked, and those that hold the words are the page."""
    if not ids:
        return {}
    return {row.id: row for row in session.execute(_PAGE_ROWS, {"ids": ids})}


def _text(row: Row[Any]) -> str:
    return search_parts(row.main_complaint, row.details, row.name, row.reading, row.phone)


def _hits(ids: list[int], rows: dict[int, Row[Any]], shown: dict[int, Visibility],
          words: list[str]) -> list[SearchHit]:
    hits = []
    for cid in ids:
        row = rows[cid]
        hits.append(SearchHit(
            cid, row.received_at, ref.DISTRICTS_BY_CODE[row.district_code].name,
            row.name or "", row.reading or "", row.main_complaint,
            _excerpt(row.details or "", words), row.urgent, shown[cid].access))
    return hits


def _excerpt(text: str, words: list[str], width: int = 60) -> str:
    """A piece of ``text`` around the first matching word.

    The words are folded (``search_text``); the text is not folded as a whole (that was the
    slow part of a page): a word is looked for as typed and in katakana, which covers almost
    every Japanese text. A word the text holds only in another form (full-width digits, a kanji
    variant) gives the beginning of the text instead: the hit itself is still right.
    """
    if not text:
        return ""
    positions = [p for w in words for p in (text.find(w), text.find(jaconv.hira2kata(w)))
                 if p >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = text[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
