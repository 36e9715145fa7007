"""The supervisor's review (確認): the day's consultations with their flags, decisions and the
day's sign-off (日次確認). The rules are ``domain.review``; this module gathers the facts and
records decisions, each in one audited transaction.

Only a supervisor reviews, within their scope (their district, or every district of their area
at an area branch). Staff of the district see the consultations returned to them
(``returned_cases``) in 本日の相談 until they amend them.

The day's rows are read by ``services.review_day`` (and shown as the visibility rule lets the
reviewer see them). The window reaches the review through a :class:`ReviewSource`: :class:`DatabaseReviewSource`
here, or an offline day package (``services.package``), so one screen serves both.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import select

from setacare_desktop.domain import roles
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.review import (
    Decision,
    ReviewState,
    decision_problem,
    state_of,
)
from setacare_desktop.domain.roles import Role, StaffProfile
from setacare_desktop.domain.visibility import Visibility
from setacare_desktop.services import audit
from setacare_desktop.services.errors import (
    NotFoundError,
    Problem,
    ServiceError,
    ValidationError,
)
from setacare_desktop.services.guard import deny
from setacare_desktop.services.inputs import check_texts
from setacare_desktop.services.review_day import (
    DayReview,
    ReviewRow,
    SignoffRow,
    latest_reviews,
    read_day,
)
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import audit_emergency_views, visibilities
from setacare_desktop.store.database import Database
from setacare_desktop.store.errors import DatabaseConflictError
from setacare_desktop.store.models import (
    CaseReview,
    Consultation,
    ConsultationDetail,
    DaySignoff,
)

__all__ = [
    "NOT_A_REVIEWER", "DatabaseReviewSource", "DayReview", "ReturnedRow", "ReviewRow",
    "ReviewSource", "SignoffRow", "day_review", "decide", "read_day", "returned_cases",
    "reviewable_districts", "sign_off",
]

NOT_A_REVIEWER = "相談の確認は監督者のみ行えます。"
OUT_OF_SCOPE = "この地区の相談を確認する権限がありません。"
STALE = ("この相談は確認画面を開いた後に修正されています。一覧を更新して内容を確かめてから"
         "確認してください。")


@dataclass(frozen=True, slots=True)
class ReturnedRow:
    """A consultation returned to the district (差戻し) and not amended since."""

    consultation_id: int
    district_code: str
    received_on: date
    main_complaint: str
    comment: str
    reviewed_by: str
    reviewed_at: datetime  # naive UTC


class ReviewSource(Protocol):
    """What the review screen works over: the database, or an offline day package."""

    #: Shown above the list (where the cases come from).
    title: str
    #: An offline package: cases cannot be opened for amending, only reviewed.
    offline: bool

    def districts(self) -> tuple[str, ...]:
        """The districts the reviewer may review, in the ward's order."""
        ...

    def days(self) -> tuple[date, ...] | None:
        """The days there are cases for (a package), or None for any day (the database)."""
        ...

    def load(self, day: date, district_code: str | None = None) -> DayReview: ...

    def decide(self, consultation_id: int, decision: Decision, comment: str, *,
               seen_version: int) -> None: ...

    def sign_off(self, day: date, district_code: str, comment: str = "") -> SignoffRow: ...


# --- checks ---------------------------------------------------------------------------------------


def reviewable_districts(actor: StaffProfile) -> tuple[str, ...]:
    """The districts whose days ``actor`` reviews: none unless a supervisor."""
    if actor.role is not Role.SUPERVISOR:
        return ()
    return tuple(roles.readable_districts(actor))


def _require_reviewer(actor: StaffProfile, action: str,
                      district_code: str | None = None) -> tuple[str, ...]:
    districts = reviewable_districts(actor)
    if not districts:
        raise deny(actor, action, NOT_A_REVIEWER)
    if district_code is not None and district_code not in districts:
        raise deny(actor, action, OUT_OF_SCOPE, entity="district", entity_id=district_code)
    return districts


@use_case
def day_review(db: Database, actor: StaffProfile, day: date, district_code: str | None = None,
               *, today: date | None = None) -> DayReview:
    """The day's consultations of one district, or of every district ``actor`` reviews."""
    districts = _require_reviewer(actor, "review_list", district_code)
    shown = [district_code] if district_code else list(districts)
    with db.transaction() as session:
        review = read_day(session, day, shown, today or local_now().date(), actor=actor)
        audit.record(session, actor, "review_list", entity="day", entity_id=day.isoformat(),
                     detail=",".join(shown))
        audit_emergency_views(session, actor, {
            r.consultation_id: Visibility(r.access, r.access_reason) for r in review.rows},
            "review_list")
        return review


@use_case
def returned_cases(db: Database, actor: StaffProfile) -> list[ReturnedRow]:
    """Consultations returned (差戻し) in the districts ``actor`` works in, not yet amended:
    the clerk's list of things to fix, oldest first. Empty for a role without cases.

    Only those ``actor`` may see (and so amend): a case another organisation took, of a person
    who has not consented to sharing with ``actor``'s, is that organisation's to fix."""
    districts = roles.readable_districts(actor)
    if not districts:
        return []
    with db.transaction() as session:
        returned = (select(CaseReview.consultation_id)
                    .join(Consultation, Consultation.id == CaseReview.consultation_id)
                    .where(Consultation.district_code.in_(districts),
                           CaseReview.decision == Decision.RETURNED.value))
        cases = session.execute(
            select(Consultation, ConsultationDetail.version)
            .outerjoin(ConsultationDetail,
                       ConsultationDetail.consultation_id == Consultation.id)
            .where(Consultation.id.in_(returned))
            .order_by(Consultation.received_at, Consultation.id)).all()
        seen = visibilities(session, actor, [case.id for case, _version in cases])
        cases = [(case, version) for case, version in cases
                 if case.id in seen and seen[case.id].identifying]
        latest = latest_reviews(session, [case.id for case, _version in cases])
        if cases:  # 主訴 of any day is read: audited like every other case list
            audit.record(session, actor, "returned_list", entity="district",
                         detail=",".join(districts))
            audit_emergency_views(session, actor, {c.id: seen[c.id] for c, _v in cases},
                                  "returned_list")
    rows = []
    for case, version in cases:
        review, name = latest[case.id]
        decision = Decision(review.decision)
        if state_of(decision, review.version, version or 1) is ReviewState.RETURNED:
            rows.append(ReturnedRow(case.id, case.district_code, case.received_on,
                                    case.main_complaint, review.comment, name,
                                    review.reviewed_at))
    return rows


# --- writing --------------------------------------------------------------------------------------


@use_case
def decide(db: Database, actor: StaffProfile, consultation_id: int, decision: Decision,
           comment: str = "", *, seen_version: int) -> None:
    """Record 確認済 or 差戻し for a consultation, as the version the supervisor saw.

    Refused when the consultation was amended since (``seen_version`` is stale), or a return has
    no comment.
    """
    _require_reviewer(actor, "review_decide")  # who asks, before anything is looked up
    check_texts({"コメント": comment}, multiline=("コメント",))
    problem = decision_problem(decision, comment)
    if problem:
        raise ValidationError([Problem("コメント", problem)])
    with db.transaction() as session:
        case = session.get(Consultation, consultation_id)
        if case is None:
            raise NotFoundError(f"相談 No.{consultation_id} は見つかりません。")
        _require_reviewer(actor, "review_decide", case.district_code)
        detail = session.get(ConsultationDetail, consultation_id)
        if ((detail.version or 1) if detail else 1) != seen_version:
            raise ServiceError(STALE)
        session.add(CaseReview(
            decision_uid=str(uuid.uuid4()), consultation_id=consultation_id,
            decision=decision.value, comment=comment.strip(), version=seen_version,
            reviewed_by=actor.staff_id))
        audit.record(session, actor, "review_decide", entity="consultation",
                     entity_id=consultation_id, fields=("decision", "comment"),
                     detail=decision.value)


@use_case
def sign_off(db: Database, actor: StaffProfile, day: date, district_code: str,
             comment: str = "", *, today: date | None = None) -> SignoffRow:
    """Sign the district's day off (日次確認): refused while a consultation is unreviewed."""
    check_texts({"コメント": comment}, multiline=("コメント",))
    _require_reviewer(actor, "day_signoff", district_code)
    today = today or local_now().date()
    try:
        with db.transaction() as session:
            review = read_day(session, day, [district_code], today)
            problem = review.signoff_refusal(district_code, today)
            if problem:
                raise ServiceError(problem)
            audit.record(session, actor, "day_signoff", entity="day", entity_id=day.isoformat(),
                         detail=f"{district_code} cases={len(review.rows)}")
            # The chain's head, its own audit row included: an anchor for the chain check.
            row = DaySignoff(decision_uid=str(uuid.uuid4()), district_code=district_code,
                             day=day, signed_by=actor.staff_id, comment=comment.strip(),
                             chain_head=audit.chain_head(session))
            session.add(row)
            session.flush()
            return SignoffRow(district_code, day, actor.name, row.signed_at, row.comment)
    except DatabaseConflictError as error:  # signed at the same moment elsewhere
        raise ServiceError("この日は他の監督者が日次確認しました。一覧を更新してください。") from error


class DatabaseReviewSource:
    """The review over the database, as ``actor``."""

    offline = False

    def __init__(self, db: Database, actor: StaffProfile) -> None:
        self._db = db
        self._actor = actor
        self.title = f"確認の範囲: {roles.place_label(actor)}"

    def districts(self) -> tuple[str, ...]:
        return reviewable_districts(self._actor)

    def days(self) -> tuple[date, ...] | None:
        return None

    def load(self, day: date, district_code: str | None = None) -> DayReview:
        return day_review(self._db, self._actor, day, district_code)

    def decide(self, consultation_id: int, decision: Decision, comment: str, *,
               seen_version: int) -> None:
        decide(self._db, self._actor, consultation_id, decision, comment,
               seen_version=seen_version)

    def sign_off(self, day: date, district_code: str, comment: str = "") -> SignoffRow:
        return sign_off(self._db, self._actor, day, district_code, comment)
