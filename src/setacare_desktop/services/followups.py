"""やること: the follow-ups of a staff member (自分の分) or of their organisation (所属機関の分).

What is listed (``domain.followups``): 次回予定 due today or overdue, open referrals past their
reply date, returned cases (差戻し, not amended since) and open 継続支援 without a consultation for
more than the configured number of days (the ``followup_no_contact_days`` preference, 30 unless
an administrator changes it). Everything listed is the caller's organisation's: consultations it
took, referrals of them, 継続支援 it holds. The person is still shown as the visibility rule
allows (a 継続支援 held after the person withdrew their consent shows initials and age band).

:func:`followups` is audited (``followup_list``) when it lists anything; :func:`followup_count`
(the navigation's badge and the reminder at login) returns a number only and is not.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from setacare_desktop.domain import roles
from setacare_desktop.domain.followups import (
    NO_CONTACT_DEFAULT,
    NO_CONTACT_FIELD,
    NO_CONTACT_KEY,
    NO_CONTACT_MAX,
    NO_CONTACT_MIN,
    Followup,
    FollowupKind,
    Scope,
    ordered,
)
from setacare_desktop.domain.jpdate import local_now, to_wareki
from setacare_desktop.domain.referral import ReferralStatus
from setacare_desktop.domain.review import Decision, ReviewState, state_of
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import WHOLE, masked_person_label
from setacare_desktop.services import audit, guard, preferences
from setacare_desktop.services.consultations import shown_text
from setacare_desktop.services.households import visible_persons
from setacare_desktop.services.review_day import latest_reviews
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import visibilities
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    CaseReview,
    Consultation,
    ConsultationDetail,
    Continuity,
    DirService,
    Person,
    Referral,
    Staff,
)

ANONYMOUS = "（匿名）"


# --- the preference ---------------------------------------------------------------------------


@use_case
def no_contact_days(db: Database) -> int:
    """Days without a consultation after which an open 継続支援 is listed (not personal data)."""
    with db.read() as session:
        return _days(session)


@use_case
def set_no_contact_days(db: Database, actor: StaffProfile, text: str) -> int:
    """An administrator sets the days (1–365, typed text); audited with the old and new value."""
    with db.transaction() as session:
        guard.require_account_manager(actor, "preference_change")
        days = preferences.whole_number(text, NO_CONTACT_FIELD, NO_CONTACT_MIN, NO_CONTACT_MAX,
                                        "日")
        preferences.store_number(session, actor, NO_CONTACT_KEY, days, _days(session))
        return days


# --- the list -----------------------------------------------------------------------------------


@use_case
def followups(db: Database, actor: StaffProfile, scope: Scope = Scope.MINE, *,
              today: date | None = None) -> list[Followup]:
    """The caller's (or their organisation's) follow-ups, by kind, longest overdue first."""
    day = today or local_now().date()
    if actor.role not in roles.CASE_ROLES:
        return []
    with db.transaction() as session:
        items = _collect(session, actor, scope, day, _days(session))
        if items:
            audit.record(session, actor, "followup_list", entity="staff",
                         entity_id=actor.staff_id, detail=scope.value)
        return ordered(items, day)


@use_case
def followup_count(db: Database, actor: StaffProfile, scope: Scope = Scope.MINE, *,
                   today: date | None = None) -> int:
    """How many follow-ups there are (a number only: not audited)."""
    if actor.role not in roles.CASE_ROLES:
        return 0
    with db.read() as session:
        return len(_collect(session, actor, scope, today or local_now().date(), _days(session)))


def _days(session: Session) -> int:
    return preferences.stored_number(session, NO_CONTACT_KEY, NO_CONTACT_DEFAULT,
                                     NO_CONTACT_MIN, NO_CONTACT_MAX)


def _collect(session: Session, actor: StaffProfile, scope: Scope, day: date,
             days: int) -> list[Followup]:
    mine = scope is Scope.MINE
    items = [*_next_dates(session, actor, mine, day), *_overdue_replies(session, actor, mine, day),
             *_returned(session, actor, mine), *_no_contact(session, actor, mine, day, days)]
    labels = _person_labels(session, actor, {f.person_id for f in items if f.person_id}, day)
    return [Followup(f.kind, f.due, f.person_id,
                     labels.get(f.person_id, ("", True))[0] if f.person_id else ANONYMOUS,
                     f.consultation_id, f.referral_id, f.what, f.holder,
                     labels.get(f.person_id, ("", True))[1] if f.person_id else False)
            for f in items]


def _person_labels(session: Session, actor: StaffProfile, person_ids: set[int],
                   day: date) -> dict[int, tuple[str, bool]]:
    """Each person's name, or initials and age band (masked=True) when the caller may not see
    them."""
    shown = visible_persons(session, actor, person_ids)
    labels = {}
    for person in session.scalars(select(Person).where(Person.id.in_(person_ids))):
        if person.id in shown:
            labels[person.id] = (person.name or "（氏名なし）", False)
        else:
            labels[person.id] = (masked_person_label(person.reading, person.birth_date, day), True)
    return labels


def _own(actor: StaffProfile, mine: bool, staff_column: object) -> object:
    return staff_column == actor.staff_id if mine else (  # type: ignore[operator]
        Consultation.organisation_id == actor.organisation_id)


def _next_dates(session: Session, actor: StaffProfile, mine: bool, day: date) -> list[Followup]:
    later = aliased(Consultation)
    later_detail = aliased(ConsultationDetail)
    consulted_since = exists(
        select(later.id).join(later_detail, later_detail.consultation_id == later.id)
        .where(later_detail.person_id == ConsultationDetail.person_id,
               later.received_at > Consultation.received_at))
    rows = session.execute(
        select(Consultation.id, ConsultationDetail.person_id, ConsultationDetail.next_date,
               ConsultationDetail.next_note, Staff.name)
        .join(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
        .join(Staff, Staff.id == Consultation.staff_id)
        .where(_own(actor, mine, Consultation.staff_id), ConsultationDetail.next_date <= day,
               ~and_(ConsultationDetail.person_id.is_not(None), consulted_since))).all()
    seen = visibilities(session, actor, [r[0] for r in rows], day)
    return [Followup(FollowupKind.NEXT_DATE, next_date, person_id, "", cid, None,
                     f"相談No. {cid} の次回予定（{to_wareki(next_date)}）"
                     + (f" {shown_text(note, seen.get(cid, WHOLE))}" if note else ""), holder)
            for cid, person_id, next_date, note, holder in rows]


def _overdue_replies(session: Session, actor: StaffProfile, mine: bool,
                     day: date) -> list[Followup]:
    closed = [s.value for s in ReferralStatus if s.closed]
    rows = session.execute(
        select(Referral.id, Referral.consultation_id, Referral.reply_due, DirService.name,
               ConsultationDetail.person_id, Staff.name)
        .join(Consultation, Consultation.id == Referral.consultation_id)
        .join(DirService, DirService.id == Referral.service_id)
        .join(Staff, Staff.id == Referral.staff_id)
        .outerjoin(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
        .where(_own(actor, mine, Referral.staff_id), Referral.status.not_in(closed),
               Referral.reply_due < day)).all()
    return [Followup(FollowupKind.REPLY_OVERDUE, due, person_id, "", cid, rid,
                     f"{destination} への つなぎ（返信期限 {to_wareki(due)}）", holder)
            for rid, cid, due, destination, person_id, holder in rows]


def _returned(session: Session, actor: StaffProfile, mine: bool) -> list[Followup]:
    returned = select(CaseReview.consultation_id).where(
        CaseReview.decision == Decision.RETURNED.value)
    rows = session.execute(
        select(Consultation.id, ConsultationDetail.person_id, ConsultationDetail.version,
               Staff.name)
        .join(Staff, Staff.id == Consultation.staff_id)
        .outerjoin(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
        .where(_own(actor, mine, Consultation.staff_id), Consultation.id.in_(returned))).all()
    latest = latest_reviews(session, [r[0] for r in rows])
    items = []
    for cid, person_id, version, holder in rows:
        review, reviewer = latest[cid]
        if state_of(Decision(review.decision), review.version, version or 1) \
                is ReviewState.RETURNED:
            items.append(Followup(FollowupKind.RETURNED, review.reviewed_at.date(), person_id, "",
                                  cid, None, f"相談No. {cid} が差戻されました（{reviewer}）",
                                  holder))
    return items


def _no_contact(session: Session, actor: StaffProfile, mine: bool, day: date,
                days: int) -> list[Followup]:
    last = (select(func.max(Consultation.received_on))
            .join(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
            .where(ConsultationDetail.person_id == Continuity.person_id).scalar_subquery())
    own = (Continuity.holder_staff_id == actor.staff_id if mine
           else Continuity.holder_organisation_id == actor.organisation_id)
    rows = session.execute(
        select(Continuity.person_id, last, Continuity.opened_on, Staff.name)
        .join(Staff, Staff.id == Continuity.holder_staff_id)
        .where(own, Continuity.status == "open")).all()
    limit = day - timedelta(days=days)
    items = []
    for person_id, last_day, opened_on, holder in rows:
        contact = max(d for d in (last_day, opened_on) if d is not None)
        if contact < limit:
            items.append(Followup(FollowupKind.NO_CONTACT, contact, person_id, "", None, None,
                                  f"継続支援中・最後の相談から{(day - contact).days}日", holder))
    return items
