"""The supervisor's review (確認): the day's consultations with their flags, decisions and the
day's sign-off (日次確認). The rules are ``domain.review``; this module gathers the facts and
records decisions, each in one audited transaction.

Only a supervisor reviews, within their scope (their district, or every district of their area
at an area branch). Staff of the district see the consultations returned to them
(``returned_cases``) in 本日の相談 until they amend them.

The window reaches the review through a :class:`ReviewSource`: :class:`DatabaseReviewSource`
here, or an offline day package (``services.package``), so one screen serves both.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain import roles
from setacare_desktop.domain.consent import (
    EmergencyException,
    destination_recipient,
    may_share_identifying,
)
from setacare_desktop.domain.intake import URGENCY_FLAGS
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.referral import ReferralMethod, ReferralStatus, is_overdue
from setacare_desktop.domain.review import (
    CHANGED_AFTER_SIGNOFF,
    CaseFacts,
    Decision,
    Flag,
    ReferralFacts,
    ReviewState,
    decision_problem,
    flags_of,
    signoff_day_problem,
    signoff_problem,
    state_of,
)
from setacare_desktop.domain.roles import Role, StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.consultations import person_name
from setacare_desktop.services.errors import (
    NotFoundError,
    Problem,
    ServiceError,
    ValidationError,
)
from setacare_desktop.services.guard import deny
from setacare_desktop.services.inputs import check_texts
from setacare_desktop.services.intake import consent_records
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.errors import DatabaseConflictError
from setacare_desktop.store.models import (
    CaseReview,
    Consultation,
    ConsultationDetail,
    DaySignoff,
    DirService,
    EmergencyExceptionRow,
    LiaisonSheetRow,
    Referral,
    SheetPrint,
    Staff,
)

NOT_A_REVIEWER = "相談の確認は監督者のみ行えます。"
OUT_OF_SCOPE = "この地区の相談を確認する権限がありません。"
STALE = ("この相談は確認画面を開いた後に修正されています。一覧を更新して内容を確かめてから"
         "確認してください。")


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One consultation on the review screen. ``received_at`` is local time as typed;
    ``reviewed_at`` naive UTC as stored."""

    consultation_id: int
    version: int
    district_code: str
    received_at: datetime
    organisation_name: str
    staff_name: str
    person_name: str
    target_labels: tuple[str, ...]
    main_complaint: str
    details: str
    response_label: str
    urgency_labels: tuple[str, ...]
    referral_lines: tuple[str, ...]
    flags: tuple[Flag, ...]
    state: ReviewState
    decision: Decision | None = None
    comment: str = ""
    reviewed_by: str = ""
    reviewed_at: datetime | None = None

    @property
    def district_name(self) -> str:
        return ref.DISTRICTS_BY_CODE[self.district_code].name


@dataclass(frozen=True, slots=True)
class SignoffRow:
    """A district's signed-off day; ``amended_since``: its consultations amended or added after
    signing."""

    district_code: str
    day: date
    signed_by: str
    signed_at: datetime  # naive UTC
    comment: str = ""
    amended_since: int = 0

    @property
    def district_name(self) -> str:
        return ref.DISTRICTS_BY_CODE[self.district_code].name


@dataclass(frozen=True, slots=True)
class DayReview:
    day: date
    districts: tuple[str, ...]  # the districts shown
    rows: tuple[ReviewRow, ...]
    signoffs: dict[str, SignoffRow]  # by district code: the districts signed off

    def rows_of(self, district_code: str) -> list[ReviewRow]:
        return [r for r in self.rows if r.district_code == district_code]

    def signoff_problem(self, district_code: str) -> str | None:
        return signoff_problem(r.state for r in self.rows_of(district_code))

    def signoff_refusal(self, district_code: str, today: date) -> str | None:
        """Why the district's day cannot be signed off now (Japanese), or None: the day has
        not come, it is signed off already, or a consultation is still to review."""
        problem = signoff_day_problem(self.day, today)
        if problem:
            return problem
        done = self.signoffs.get(district_code)
        if done is not None:
            return (f"{done.district_name}地区のこの日は、既に{done.signed_by}さんが"
                    "日次確認しています。")
        return self.signoff_problem(district_code)


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


# --- reading --------------------------------------------------------------------------------------


def _referral_facts(session: Session, ids: list[int], persons: dict[int, int | None],
                    today: date) -> tuple[dict[int, list[ReferralFacts]], dict[int, list[str]]]:
    facts: dict[int, list[ReferralFacts]] = defaultdict(list)
    lines: dict[int, list[str]] = defaultdict(list)
    referrals = session.execute(
        select(Referral, DirService.name).join(DirService, DirService.id == Referral.service_id)
        .where(Referral.consultation_id.in_(ids)).order_by(Referral.id)).all()
    if not referrals:
        return facts, lines
    exceptions: dict[int, list[EmergencyException]] = defaultdict(list)
    for e in session.scalars(select(EmergencyExceptionRow)
                             .where(EmergencyExceptionRow.consultation_id.in_(ids))):
        exceptions[e.consultation_id].append(
            EmergencyException(e.reason, e.approved_by, e.approved_at, e.recipient))
    consents = {pid: [r for _, r in consent_records(session, pid)]
                for pid in {persons.get(r.consultation_id) for r, _ in referrals} if pid}
    for referral, service_name in referrals:
        status = ReferralStatus(referral.status)
        method = ReferralMethod(referral.method)
        person_id = persons.get(referral.consultation_id)
        covered = True
        if not referral.anonymised:
            days = [referral.referred_on] + ([] if status.closed else [today])
            covered = all(may_share_identifying(
                anonymous=person_id is None, consents=consents.get(person_id or 0, []),
                exceptions=exceptions[referral.consultation_id],
                recipient=destination_recipient(referral.service_id), purpose=method.purpose,
                on=day).allowed for day in days)
        overdue = is_overdue(status, referral.reply_due, today)
        facts[referral.consultation_id].append(
            ReferralFacts(identifying=not referral.anonymised, covered=covered, overdue=overdue))
        due = f"、返信期限 {referral.reply_due:%Y-%m-%d}" if referral.reply_due else ""
        anonymised = "、匿名" if referral.anonymised else ""
        lines[referral.consultation_id].append(
            f"{service_name}（{method.label}、{status.label}{due}{anonymised}）")
    return facts, lines


def _first_prints(session: Session, ids: list[int]) -> dict[int, datetime]:
    return dict(session.execute(
        select(Referral.consultation_id, func.min(SheetPrint.at))
        .join(LiaisonSheetRow, LiaisonSheetRow.referral_id == Referral.id)
        .join(SheetPrint, SheetPrint.sheet_id == LiaisonSheetRow.id)
        .where(Referral.consultation_id.in_(ids)).group_by(Referral.consultation_id)).all())


def _latest_reviews(session: Session, ids: list[int]) -> dict[int, tuple[CaseReview, str]]:
    """The decision that counts for each consultation: the latest made, by when it was made (a
    decision imported from a day package may have been made before one recorded here)."""
    found = session.execute(select(CaseReview, Staff.name)
                            .join(Staff, Staff.id == CaseReview.reviewed_by)
                            .where(CaseReview.consultation_id.in_(ids))
                            .order_by(CaseReview.reviewed_at, CaseReview.id)).all()
    return {review.consultation_id: (review, name) for review, name in found}


def _signoffs(session: Session, day: date, districts: list[str]) -> dict[str, tuple[DaySignoff,
                                                                                    str]]:
    found = session.execute(select(DaySignoff, Staff.name)
                            .join(Staff, Staff.id == DaySignoff.signed_by)
                            .where(DaySignoff.day == day,
                                   DaySignoff.district_code.in_(districts))).all()
    return {s.district_code: (s, name) for s, name in found}


def read_day(session: Session, day: date, districts: list[str], today: date) -> DayReview:
    """Gather the day's review of ``districts`` (no scope check: callers have done it)."""
    cases = session.scalars(
        select(Consultation)
        .where(Consultation.received_on == day, Consultation.district_code.in_(districts))
        .options(selectinload(Consultation.target_groups),
                 selectinload(Consultation.organisation), selectinload(Consultation.staff))
        .order_by(Consultation.district_code, Consultation.received_at, Consultation.id)).all()
    ids = [c.id for c in cases]
    details = {d.consultation_id: d for d in session.scalars(
        select(ConsultationDetail).where(ConsultationDetail.consultation_id.in_(ids))
        .options(selectinload(ConsultationDetail.person)))}
    persons = {cid: d.person_id for cid, d in details.items()}
    referral_facts, referral_lines = _referral_facts(session, ids, persons, today)
    exception_counts = dict(session.execute(
        select(EmergencyExceptionRow.consultation_id, func.count())
        .where(EmergencyExceptionRow.consultation_id.in_(ids))
        .group_by(EmergencyExceptionRow.consultation_id)).all())
    prints = _first_prints(session, ids)
    reviews = _latest_reviews(session, ids)
    signoffs = _signoffs(session, day, districts)
    order = {code: n for n, code in enumerate(ref.DISTRICTS_BY_CODE)}
    rows = []
    amended_since: dict[str, int] = defaultdict(int)
    for case in sorted(cases, key=lambda c: (order[c.district_code], c.received_at, c.id)):
        detail = details.get(case.id)
        version = (detail.version or 1) if detail else 1
        signoff = signoffs.get(case.district_code)
        facts = CaseFacts(
            urgent=case.urgent, main_complaint=case.main_complaint,
            response_code=case.response_code,
            emergency_exceptions=exception_counts.get(case.id, 0),
            referrals=tuple(referral_facts.get(case.id, ())),
            amended_at=detail.amended_at if detail else None,
            first_printed_at=prints.get(case.id),
            signed_off_at=signoff[0].signed_at if signoff else None,
            created_at=case.created_at)
        flags = flags_of(facts)
        if CHANGED_AFTER_SIGNOFF & set(flags):
            amended_since[case.district_code] += 1
        review, reviewer = reviews.get(case.id, (None, ""))
        decision = Decision(review.decision) if review else None
        groups = {g.code for g in case.target_groups}
        rows.append(ReviewRow(
            consultation_id=case.id, version=version, district_code=case.district_code,
            received_at=case.received_at, organisation_name=case.organisation.name,
            staff_name=case.staff.name, person_name=person_name(detail),
            target_labels=tuple(t.label for t in ref.TARGET_GROUPS if t.code in groups),
            main_complaint=case.main_complaint, details=detail.details if detail else "",
            response_label=(ref.label_of(ref.RESPONSES, case.response_code)
                            if case.response_code else ""),
            urgency_labels=tuple(ref.label_of(URGENCY_FLAGS, code)
                                 for code in (detail.urgency or [] if detail else [])),
            referral_lines=tuple(referral_lines.get(case.id, ())),
            flags=flags,
            state=state_of(decision, review.version if review else None, version),
            decision=decision, comment=review.comment if review else "", reviewed_by=reviewer,
            reviewed_at=review.reviewed_at if review else None))
    return DayReview(
        day=day, districts=tuple(districts), rows=tuple(rows),
        signoffs={code: SignoffRow(code, day, name, s.signed_at, s.comment,
                                   amended_since.get(code, 0))
                  for code, (s, name) in signoffs.items()})


@use_case
def day_review(db: Database, actor: StaffProfile, day: date, district_code: str | None = None,
               *, today: date | None = None) -> DayReview:
    """The day's consultations of one district, or of every district ``actor`` reviews."""
    districts = _require_reviewer(actor, "review_list", district_code)
    shown = [district_code] if district_code else list(districts)
    with db.transaction() as session:
        review = read_day(session, day, shown, today or local_now().date())
        audit.record(session, actor, "review_list", entity="day", entity_id=day.isoformat(),
                     detail=",".join(shown))
        return review


@use_case
def returned_cases(db: Database, actor: StaffProfile) -> list[ReturnedRow]:
    """Consultations returned (差戻し) in the districts ``actor`` works in, not yet amended:
    the clerk's list of things to fix, oldest first. Empty for a role without cases."""
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
        latest = _latest_reviews(session, [case.id for case, _version in cases])
        if cases:  # 主訴 of any day is read: audited like every other case list
            audit.record(session, actor, "returned_list", entity="district",
                         detail=",".join(districts))
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
