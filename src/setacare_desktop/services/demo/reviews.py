"""The demo supervisors' review: earlier days reviewed and signed off, as after real use.

Every district's days are reviewed and signed off by its supervisor except the last two: the day
before the last half reviewed, the last (today) not yet; a few consultations are returned with a
comment. A second demo run over the same days reviews only what is left.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.services.demo.common import UTC_OFFSET, bulk_insert
from setacare_desktop.services.demo.staff import DEMO_LOGIN_PREFIX
from setacare_desktop.services.demo.tables import tables
from setacare_desktop.store.models import CaseReview, Consultation, DaySignoff, Organisation, Staff

_RETURN_SHARE = 0.04
REVIEW_TIME = time(17, 30)  # the supervisor goes through the day after closing


def write_reviews(session: Session, rng: random.Random, day_list: list[date],
                  counts: Counter[str]) -> None:
    """Every district's days reviewed and signed off by its supervisor, except the last two:
    the day before the last half reviewed, the last (today) not yet. Most consultations are
    確認済; a few, and half of those without 対応, 差戻し with a comment."""
    if len(day_list) < 2:
        return
    t = tables()
    reviewed_days = day_list[:-1]
    supervisors = dict(session.execute(
        select(Organisation.district_code, Staff.id)
        .join(Organisation, Organisation.id == Staff.organisation_id)
        .where(Staff.login.startswith(DEMO_LOGIN_PREFIX, autoescape=True),
               Staff.login.endswith("-supervisor"), Organisation.district_code.is_not(None))).all())
    # A second demo run over the same days reviews only what is not reviewed yet.
    cases = session.execute(
        select(Consultation.id, Consultation.district_code, Consultation.received_on,
               Consultation.response_code)
        .where(Consultation.received_on.in_(reviewed_days),
               Consultation.id.not_in(select(CaseReview.consultation_id)))
        .order_by(Consultation.id)).all()
    half_day = reviewed_days[-1]
    reviews: list[dict[str, Any]] = []
    for cid, district, day, response in cases:
        if day == half_day and rng.random() < 0.5:
            continue
        returned = (not response and rng.random() < 0.5) or rng.random() < _RETURN_SHARE
        comment = ((t.no_response_comment if not response else rng.choice(t.return_comments))
                   if returned else "")
        at = datetime.combine(day, REVIEW_TIME) - UTC_OFFSET + timedelta(
            seconds=rng.randrange(3600))
        reviews.append({"decision_uid": str(uuid.uuid4()),
                        "consultation_id": cid, "decision": "returned" if returned else "confirmed",
                        "comment": comment, "version": 1, "reviewed_by": supervisors[district],
                        "reviewed_at": at, "source": "app"})
        counts["reviews_returned" if returned else "reviews_confirmed"] += 1
    # A second demo run over the same days must not sign a day off twice.
    signed = {(district, day) for district, day in session.execute(
        select(DaySignoff.district_code, DaySignoff.day).where(DaySignoff.day.in_(reviewed_days)))}
    signoffs = [{"decision_uid": str(uuid.uuid4()),
                 "district_code": district, "day": day, "signed_by": supervisor,
                 "signed_at": datetime.combine(day, time(18, 30)) - UTC_OFFSET, "comment": "",
                 "source": "app"}
                for day in reviewed_days[:-1] for district, supervisor in supervisors.items()
                if (district, day) not in signed]
    for table, rows in ((CaseReview.__table__, reviews), (DaySignoff.__table__, signoffs)):
        for start in range(0, len(rows), 5000):
            bulk_insert(session, table, rows[start:start + 5000])
    counts["days_signed_off"] += len(signoffs)
