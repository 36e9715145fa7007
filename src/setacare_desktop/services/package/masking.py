"""The package is built for the exporter's view: what the exporter may not see whole goes in
masked (docs/privacy.md; issue 11).

The review rows are read as the review screen reads them (``services.review.read_day``); then
the visibility rule (``services.visibility``) is asked, as the exporting supervisor, for every
consultation of the package, and a case the exporter sees masked is written into the package
with nothing that identifies the person: the name becomes initials and an age band
(「F.H.（80歳代）」), and 主訴, 相談内容 and the review comment become 「（非表示）」. The
person's reading, birth date, address, phone and the consulter's name and contact are not part
of a review row at all. Every reviewer of the package sees what the exporter sees, never more.

A case shown under an emergency exception is exported whole and audited one row per
consultation (``consultation_view``, ``emergency:package_export``), as on screen.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import MASKED_TEXT, masked_person_label
from setacare_desktop.services.review import DayReview, ReviewRow
from setacare_desktop.services.visibility import audit_emergency_views, visibilities
from setacare_desktop.store.models import ConsultationDetail, Person

ANONYMOUS = "（匿名）"


def _labels(session: Session, ids: list[int], on: date) -> dict[int, str]:
    """Initials and age band of each masked consultation's person (anonymous: 「（匿名）」)."""
    labels = dict.fromkeys(ids, ANONYMOUS)
    for chunk in range(0, len(ids), 500):
        for cid, reading, birth in session.execute(
                select(ConsultationDetail.consultation_id, Person.reading, Person.birth_date)
                .join(Person, Person.id == ConsultationDetail.person_id)
                .where(ConsultationDetail.consultation_id.in_(ids[chunk:chunk + 500]))):
            labels[cid] = masked_person_label(reading or "", birth, on)
    return labels


def _masked(row: ReviewRow, label: str) -> ReviewRow:
    return dataclasses.replace(row, person_name=label, main_complaint=MASKED_TEXT,
                               details=MASKED_TEXT,
                               comment=MASKED_TEXT if row.comment else "")


def for_exporter(session: Session, actor: StaffProfile, days: Iterable[DayReview],
                 on: date) -> tuple[list[DayReview], int]:
    """``days`` as ``actor`` may see them on ``on``, and how many cases were masked."""
    days = list(days)
    ids = [row.consultation_id for day in days for row in day.rows]
    seen = visibilities(session, actor, ids, on)
    audit_emergency_views(session, actor, seen, "package_export")
    hidden = sorted(cid for cid in ids if cid not in seen or not seen[cid].identifying)
    labels = _labels(session, hidden, on)
    masked = set(hidden)
    result = [dataclasses.replace(day, rows=tuple(
        _masked(row, labels[row.consultation_id]) if row.consultation_id in masked else row
        for row in day.rows)) for day in days]
    return result, len(masked)
