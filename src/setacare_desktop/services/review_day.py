"""The supervisor's review of a day, read: each consultation's facts, flags and decision, and the
districts' sign-offs, gathered in a handful of queries (no per-row query). ``services.review``
holds the use cases over it; an offline day package (``services.package``) reads it too.

Given the reviewer (``actor``), each row is shown as the visibility rule allows
(``domain.visibility``): a consultation the reviewer's organisation did not take, of a person who
has not consented to sharing with it, is a masked row — initials and age band, the
classifications, flags, response and decision, but no 主訴, 相談内容, つなぎ or comment by
someone else. The decision and the sign-off still work on it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.consent import (
    EmergencyException,
    destination_recipient,
    may_share_identifying,
)
from setacare_desktop.domain.intake import URGENCY_FLAGS
from setacare_desktop.domain.referral import ReferralMethod, ReferralStatus, is_overdue
from setacare_desktop.domain.review import (
    CHANGED_AFTER_SIGNOFF,
    CaseFacts,
    Decision,
    Flag,
    ReferralFacts,
    ReviewState,
    flags_of,
    signoff_day_problem,
    signoff_problem,
    state_of,
)
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import MASKED_TEXT, Access, Visibility
from setacare_desktop.services.consultations import person_name, shown_person_name
from setacare_desktop.services.intake import consent_records
from setacare_desktop.services.visibility import visibilities
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

#: In place of the つなぎ lines of a masked row (destinations can tell what the trouble is).
MASKED_REFERRALS = "（つなぎの詳細は表示していません）"


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
    #: What the reviewer sees of it (``domain.visibility``); a masked row shows no free text.
    access: Access = Access.WHOLE
    #: Why (Japanese, from the visibility rule): shown on a masked or emergency row.
    access_reason: str = ""

    @property
    def district_name(self) -> str:
        return ref.DISTRICTS_BY_CODE[self.district_code].name

    @property
    def masked(self) -> bool:
        return self.access is Access.MASKED


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


def latest_reviews(session: Session, ids: list[int]) -> dict[int, tuple[CaseReview, str]]:
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


def read_day(session: Session, day: date, districts: list[str], today: date, *,
             actor: StaffProfile | None = None) -> DayReview:
    """Gather the day's review of ``districts`` (no scope check: callers have done it).

    With ``actor``, each row is as that reviewer may see it (masked rows, see the module);
    without, the rows are whole: for checks that show nothing of them (signing off, the
    package import's conflicts)."""
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
    seen = visibilities(session, actor, ids) if actor is not None else {}
    referral_facts, referral_lines = _referral_facts(session, ids, persons, today)
    exception_counts = dict(session.execute(
        select(EmergencyExceptionRow.consultation_id, func.count())
        .where(EmergencyExceptionRow.consultation_id.in_(ids))
        .group_by(EmergencyExceptionRow.consultation_id)).all())
    prints = _first_prints(session, ids)
    reviews = latest_reviews(session, ids)
    signoffs = _signoffs(session, day, districts)
    order = {code: n for n, code in enumerate(ref.DISTRICTS_BY_CODE)}
    rows: list[ReviewRow] = []
    actor_id = actor.staff_id if actor is not None else None
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
        if case.id in seen:
            rows[-1] = _as_seen(rows[-1], seen[case.id], detail, case.received_on,
                                review is not None and review.reviewed_by == actor_id)
    return DayReview(
        day=day, districts=tuple(districts), rows=tuple(rows),
        signoffs={code: SignoffRow(code, day, name, s.signed_at, s.comment,
                                   amended_since.get(code, 0))
                  for code, (s, name) in signoffs.items()})


def _as_seen(row: ReviewRow, vis: Visibility, detail: ConsultationDetail | None, on: date,
             own_comment: bool) -> ReviewRow:
    """``row`` as the reviewer may see it: whole (with the access noted), or masked."""
    reason = "" if vis.access is Access.WHOLE else vis.reason
    if vis.identifying:
        return replace(row, access=vis.access, access_reason=reason)
    return replace(
        row, person_name=shown_person_name(detail, vis, on),
        main_complaint=MASKED_TEXT if row.main_complaint else "", details="",
        referral_lines=(MASKED_REFERRALS,) if row.referral_lines else (),
        comment=row.comment if own_comment or not row.comment else MASKED_TEXT,
        access=vis.access, access_reason=reason)
