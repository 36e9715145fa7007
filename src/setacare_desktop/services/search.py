"""Finding consultations by name, reading, phone or any words of 主訴 and 相談内容.

Within the caller's scope, newest first, a page at a time (the list fetches more as it scrolls).
The index is kept in the same transaction as each save (``index_consultation``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.kana import digits_only, search_text, search_words
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import Access, Visibility
from setacare_desktop.services import audit
from setacare_desktop.services.guard import deny
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import (
    audit_emergency_views,
    may_be_visible,
    visibilities,
)
from setacare_desktop.store import search as search_store
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Consultation, ConsultationDetail, Person

PAGE_SIZE = 100


def indexed_text_of(case: Consultation, detail: ConsultationDetail | None,
                    person: Person | None) -> str:
    parts = [case.main_complaint, detail.details if detail else ""]
    if person is not None:
        # Names also without their space, so 「福田弘子」 finds 「福田 弘子」.
        parts += [person.name, person.name.replace(" ", ""), person.reading,
                  person.reading.replace(" ", ""), person.phone, digits_only(person.phone)]
    return search_text(" ".join(p for p in parts if p))


def index_consultation(session: Session, case: Consultation, detail: ConsultationDetail | None,
                       person: Person | None) -> None:
    search_store.index(session, case.id, case.district_code,
                       indexed_text_of(case, detail, person))


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
    is never a hit, so a search does not even tell that it matched. The index query skips, in
    SQL, every case no consent or exception could open (``may_be_visible``); the exact rule is
    asked on what it returns, and further rows are read until the page is full or the matches
    are exhausted. Each hit shown under an emergency exception is audited.
    """
    districts = roles.readable_districts(actor)
    if not districts:
        raise deny(actor, "consultation_search", "相談記録を検索する権限がありません。")
    words = search_words(query)
    if not words:
        return [], []
    with db.transaction() as session:
        shown: dict[int, Visibility] = {}
        cursor = before_id
        while len(shown) < limit:
            ids = search_store.matching_ids(session, words, districts, limit=limit,
                                            before_id=cursor, condition=may_be_visible(actor))
            seen = visibilities(session, actor, ids)
            for cid in ids:
                if len(shown) < limit and cid in seen and seen[cid].identifying:
                    shown[cid] = seen[cid]
            if len(ids) < limit:
                break  # the matches are exhausted
            cursor = ids[-1]
        page = sorted(shown, reverse=True)
        hits = _hits(session, page, shown, words)
        if before_id is None:
            audit.record(session, actor, "consultation_search", detail=f"{len(words)} words")
        audit_emergency_views(session, actor, shown, "consultation_search")
        return words, hits


def _hits(session: Session, ids: list[int], shown: dict[int, Visibility],
          words: list[str]) -> list[SearchHit]:
    cases = {c.id: c for c in session.scalars(
        select(Consultation).where(Consultation.id.in_(ids)))}
    details = {d.consultation_id: d for d in session.scalars(
        select(ConsultationDetail).where(ConsultationDetail.consultation_id.in_(ids))
        .options(selectinload(ConsultationDetail.person)))}
    hits = []
    for cid in ids:
        case, detail = cases[cid], details.get(cid)
        person = detail.person if detail else None
        hits.append(SearchHit(
            cid, case.received_at, ref.DISTRICTS_BY_CODE[case.district_code].name,
            person.name if person else "", person.reading if person else "",
            case.main_complaint, _excerpt(detail.details if detail else "", words),
            case.urgent, shown[cid].access))
    return hits


def _excerpt(text: str, words: list[str], width: int = 60) -> str:
    """A piece of ``text`` around the first matching word (folded comparison)."""
    if not text:
        return ""
    folded = search_text(text)
    positions = [folded.find(w) for w in words if folded.find(w) >= 0]
    # search_text keeps the length of CJK text, so positions map back closely enough to cut.
    start = max(0, min(positions) - width // 3) if positions else 0
    piece = text[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
