"""The demo supervisors' review: earlier days reviewed and signed off, as after real use.

Every district's days are reviewed and signed off by its supervisor except the last two: the day
before the last half reviewed, the last (today) not yet; a few consultations are returned with a
comment. A second demo run over the same days reviews only what is left.
"""

from __future__ import annotations

import os
import random
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
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


_SECONDS = [timedelta(seconds=n) for n in range(3600)]
#: The RFC 4122 variant's hex digit for a random one.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def _uids(chunk: int = 10_000) -> Iterator[str]:
    """Random (version 4) UUIDs as text, as ``str(uuid.uuid4())`` gives them, from one
    ``os.urandom`` call per ``chunk`` (a large fill makes two million)."""
    while True:
        digits = os.urandom(16 * chunk).hex()
        for i in range(0, 32 * chunk, 32):
            h = digits[i:i + 32]
            yield f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


class Reviewer:
    """The supervisors' decisions on consultations, in the order of their ids, and the days
    signed off: every district's days but the last two, the day before the last half
    reviewed. Most consultations are 確認済; a few, and half of those without 対応, 差戻し with a
    comment. A large fill reviews each batch of consultations as it writes it (``take``)."""

    def __init__(self, session: Session, rng: random.Random, day_list: list[date]) -> None:
        self.rng = rng
        self.reviewed_days = day_list[:-1]
        #: each reviewed day → when its review starts (naive UTC)
        self.days = {day: datetime.combine(day, REVIEW_TIME) - UTC_OFFSET
                     for day in self.reviewed_days}
        self.half_day = self.reviewed_days[-1] if self.reviewed_days else None
        self.supervisors: dict[str, int] = dict(session.execute(  # type: ignore[arg-type]
            select(Organisation.district_code, Staff.id)
            .join(Organisation, Organisation.id == Staff.organisation_id)
            .where(Staff.login.startswith(DEMO_LOGIN_PREFIX, autoescape=True),
                   Staff.login.endswith("-supervisor"),
                   Organisation.district_code.is_not(None))).all())

    def take(self, session: Session, cases: Iterable[tuple[int, str, date, str | None]],
             counts: Counter[str]) -> None:
        """Review ``cases`` (id, district, day, 対応), in the order of their ids."""
        rng, t, days, half_day = self.rng, tables(), self.days, self.half_day
        reviews: list[dict[str, Any]] = []
        uids = _uids()
        for cid, district, day, response in cases:
            if day not in days or (day == half_day and rng.random() < 0.5):
                continue
            returned = (not response and rng.random() < 0.5) or rng.random() < _RETURN_SHARE
            comment = ((t.no_response_comment if not response else rng.choice(t.return_comments))
                       if returned else "")
            at = days[day] + _SECONDS[rng.randrange(3600)]
            reviews.append({"decision_uid": next(uids),
                            "consultation_id": cid,
                            "decision": "returned" if returned else "confirmed",
                            "comment": comment, "version": 1,
                            "reviewed_by": self.supervisors[district],
                            "reviewed_at": at, "source": "app"})
            counts["reviews_returned" if returned else "reviews_confirmed"] += 1
        for start in range(0, len(reviews), 5000):
            bulk_insert(session, CaseReview.__table__, reviews[start:start + 5000])

    def sign_off(self, session: Session, counts: Counter[str]) -> None:
        """Sign the reviewed days off but the last (a second demo run does not sign a day off
        twice)."""
        reviewed_days = self.reviewed_days
        signed = {(district, day) for district, day in session.execute(
            select(DaySignoff.district_code, DaySignoff.day)
            .where(DaySignoff.day.in_(reviewed_days)))}
        signoffs = [{"decision_uid": str(uuid.uuid4()),
                     "district_code": district, "day": day, "signed_by": supervisor,
                     "signed_at": datetime.combine(day, time(18, 30)) - UTC_OFFSET,
                     "comment": "", "source": "app"}
                    for day in reviewed_days[:-1]
                    for district, supervisor in self.supervisors.items()
                    if (district, day) not in signed]
        for start in range(0, len(signoffs), 5000):
            bulk_insert(session, DaySignoff.__table__, signoffs[start:start + 5000])
        counts["days_signed_off"] += len(signoffs)


def write_reviews(session: Session, rng: random.Random, day_list: list[date],
                  counts: Counter[str]) -> None:
    """Review every consultation of the reviewed days not reviewed yet (a second demo run over
    the same days reviews only what is left), then sign the days off (:class:`Reviewer`)."""
    if len(day_list) < 2:
        return
    reviewer = Reviewer(session, rng, day_list)
    reviewer.take(session, session.execute(
        select(Consultation.id, Consultation.district_code, Consultation.received_on,
               Consultation.response_code)
        .where(Consultation.received_on.in_(reviewer.reviewed_days),
               Consultation.id.not_in(select(CaseReview.consultation_id)))
        .order_by(Consultation.id)).all(), counts)  # type: ignore[arg-type]
    reviewer.sign_off(session, counts)
