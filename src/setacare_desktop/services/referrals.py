"""Referrals (つなぎ): recorded per consultation and tracked until the destination's reply.

The consent gate: a referral carrying identifying details is created only when
``services.intake.sharing_decision`` allows it for the destination (``dest:<service id>``) and the
purpose its method needs (``ReferralMethod.purpose``): by the person's consent or under a recorded
emergency exception. Otherwise :class:`ConsentRequiredError` says why — a recorded refusal is named
as one, with who recorded it and when — and the caller may record the consent there and then
(:func:`record_destination_consent`: over a refusal only as a confirmed change of mind) or make the
referral anonymised (its 匿名用の概要, if written, is checked for what identifies the person).

Each use case is one transaction: the scope check, the consent decision and the write it allows
(with its audit row) see the same data; a refusal is audited after the rollback. The caller's
scope is that of the consultation's district (``domain.roles.can_write_cases``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import roles
from setacare_desktop.domain.consent import (
    ConsentEntry,
    Purpose,
    SharingDecision,
    destination_recipient,
)
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.referral import (
    ReferralMethod,
    ReferralStatus,
    is_overdue,
    request_items_of,
    transition_problem,
)
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.domain.visibility import WHOLE, Access, Visibility
from setacare_desktop.services import audit
from setacare_desktop.services.consultations import ANONYMOUS, shown_person_name, shown_text
from setacare_desktop.services.errors import (
    NotFoundError,
    Problem,
    ServiceError,
    ValidationError,
)
from setacare_desktop.services.guard import deny, require_case_read
from setacare_desktop.services.inputs import check_texts
from setacare_desktop.services.intake import (
    add_consent,
    case_district,
    decide_sharing,
    sharing_decision,
)
from setacare_desktop.services.sheets.anonymised import summary_findings
from setacare_desktop.services.unit import refusal, use_case
from setacare_desktop.services.visibility import (
    audit_emergency_views,
    visibilities,
    visibility_of,
)
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    Consultation,
    ConsultationDetail,
    DirService,
    Referral,
    ReferralEvent,
    Staff,
    utc_now,
)

ANONYMISED = "anonymised"


class ConsentRequiredError(ServiceError):
    """An identifying referral without consent or emergency exception: nothing was written."""

    def __init__(self, message: str, decision: SharingDecision, recipient: str,
                 purpose: Purpose) -> None:
        super().__init__(message)
        self.decision = decision
        self.recipient = recipient
        self.purpose = purpose

    @property
    def refused_id(self) -> int | None:
        """The recorded refusal that stands in the way (its id), or None where there is none:
        only a confirmed change of mind naming it may replace it."""
        latest = self.decision.consent
        return latest.record_id if latest is not None and latest.refusal else None


@dataclass(frozen=True, slots=True)
class NewReferral:
    service_id: int
    method: ReferralMethod
    request: str  # 依頼事項
    referred_on: date | None = None  # default: today
    reply_due: date | None = None
    anonymised: bool = False
    #: The 匿名用の概要 for the anonymised sheet (may be written later, before printing).
    anonymised_summary: str = ""
    #: The 依頼事項 chosen (codes or labels of ``domain.referral.REQUEST_ITEMS``), ticked on the
    #: sheet; None: not chosen (the sheet ticks what the request names).
    request_items: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ReferralRow:
    referral_id: int
    consultation_id: int
    district_code: str
    service_id: int
    destination: str
    referred_on: date
    method: ReferralMethod
    request: str
    staff_name: str
    reply_due: date | None
    status: ReferralStatus
    status_reason: str
    anonymised: bool
    basis: str  # consent / emergency / anonymised
    basis_note: str
    overdue: bool
    last_reply: str
    #: What the caller sees of the consultation: a masked one shows no request, reply or note.
    access: Access = Access.WHOLE
    #: The person as the caller may see them: the name, 「F.H.（80歳代）」 masked, 「（匿名）」.
    person: str = ""

    @property
    def masked(self) -> bool:
        return self.access is Access.MASKED


@dataclass(frozen=True, slots=True)
class EventRow:
    occurred_on: date
    staff_name: str
    previous_status: ReferralStatus | None
    status: ReferralStatus
    reason: str
    reply: str


def _check_write(actor: StaffProfile, district_code: str, action: str,
               entity_id: object = None) -> None:
    if not roles.can_write_cases(actor, district_code):
        raise deny(actor, action, "この地区の相談のつなぎを記録する権限がありません。",
                   entity="consultation", entity_id=entity_id)


def _service_name(session: Session, service_id: int) -> str:
    service = session.get(DirService, service_id)
    if service is None:
        raise NotFoundError(f"つなぎ先（ID {service_id}）が見つかりません。")
    return service.name


@use_case
def referral_gate(db: Database, actor: StaffProfile, consultation_id: int, service_id: int,
                  method: ReferralMethod, on: date | None = None) -> SharingDecision:
    """May an identifying referral of this consultation go to this destination by ``method``?

    Shown to the clerk before they commit; :func:`create_referral` asks again in its own
    transaction, so a consent withdrawn in between is not acted on.
    """
    return sharing_decision(db, actor, consultation_id, destination_recipient(service_id),
                            method.purpose, on)


@use_case
def create_referral(db: Database, actor: StaffProfile, consultation_id: int,
                    new: NewReferral) -> int:
    """Record a referral (status 作成); refuses an identifying one without a legal basis."""
    on = new.referred_on or local_now().date()
    check_texts({"依頼事項": new.request, "匿名用の概要": new.anonymised_summary},
                multiline=("依頼事項", "匿名用の概要"))
    with db.transaction() as session:
        _check_write(actor, case_district(session, consultation_id), "referral_create",
                     consultation_id)
        _check_visible(session, actor, consultation_id, "referral_create")
        problems = []
        if not new.request.strip():
            problems.append(Problem("依頼事項", "入力してください"))
        items, problem = request_items_of(new.request_items)
        problems += [Problem("依頼事項の種類", problem)] if problem else []
        if new.anonymised and new.anonymised_summary.strip():
            problems += summary_findings(session, consultation_id, new.anonymised_summary)
        if new.reply_due is not None and new.reply_due < on:
            problems.append(Problem("回答期限", "つなぎの日より前の日付は入力できません"))
        service = session.get(DirService, new.service_id)
        if service is None:
            raise NotFoundError(f"つなぎ先（ID {new.service_id}）が見つかりません。")
        if service.status != "active":
            problems.append(Problem(
                "つなぎ先", f"「{service.name}」は現在受付をしていません（{service.status}）"))
        if problems:
            raise ValidationError(problems)
        basis, note = _basis(session, actor, consultation_id, new, service.name, on)
        referral = Referral(
            consultation_id=consultation_id, service_id=new.service_id, referred_on=on,
            method=new.method.value, request=new.request.strip(), staff_id=actor.staff_id,
            reply_due=new.reply_due, status=ReferralStatus.CREATED.value, status_reason="",
            anonymised=new.anonymised, basis=basis, basis_note=note,
            anonymised_summary=new.anonymised_summary.strip() if new.anonymised else "",
            request_items=items)
        session.add(referral)
        session.flush()
        session.add(ReferralEvent(referral_id=referral.id, occurred_on=on,
                                  staff_id=actor.staff_id, previous_status=None,
                                  status=ReferralStatus.CREATED.value, reason="", reply=""))
        audit.record(session, actor, "referral_create", entity="referral", entity_id=referral.id,
                     fields=("consultation_id", "service_id", "referred_on", "method", "request",
                             "reply_due", "anonymised", "basis",
                             *(("request_items",) if items is not None else ()),
                             *(("anonymised_summary",) if referral.anonymised_summary else ())),
                     detail=f"consultation {consultation_id} -> "
                            f"{destination_recipient(new.service_id)} ({basis})")
        return referral.id


def _basis(session: Session, actor: StaffProfile, consultation_id: int, new: NewReferral,
           name: str, on: date) -> tuple[str, str]:
    """The legal basis of the referral, decided in the transaction that records it."""
    if new.anonymised:
        return ANONYMISED, "匿名（個人を特定できる情報を含めない）"
    recipient = destination_recipient(new.service_id)
    decision = decide_sharing(session, consultation_id, recipient, new.method.purpose, on)
    if not decision.allowed or decision.basis is None:
        refused = decision.consent is not None and decision.consent.refusal
        ways = ("本人の意思が変わったことを確かめられた場合に限り、新しい同意として記録し直せます。"
                "そうでなければ匿名でつないでください。" if refused
                else "その場で同意を記録するか、匿名でつないでください。")
        raise refusal(ConsentRequiredError(
            f"「{name}」へ個人を特定できる情報を含めてつなぐことはできません。{decision.reason}{ways}",
            decision, recipient, new.method.purpose),
            actor, "referral_refused", entity="consultation", entity_id=consultation_id,
            detail=f"{recipient} {'refused' if refused else 'no basis'}")
    return decision.basis.value, decision.reason


def _check_visible(session: Session, actor: StaffProfile, consultation_id: int,
                   action: str) -> None:
    """A referral carries the case on: only staff who see the person may make one."""
    seen = visibility_of(session, actor, consultation_id)
    if seen is None or not seen.identifying:
        raise deny(actor, action, "本人の同意がないため、この相談のつなぎは受け付けた機関で記録してください。",
                   entity="consultation", entity_id=consultation_id)


@use_case
def record_destination_consent(db: Database, actor: StaffProfile, consultation_id: int,
                               service_id: int, *, purpose: Purpose, entry: ConsentEntry) -> int:
    """Record the person's consent (or refusal) for one destination, there and then, as the clerk
    entered it (``entry``: a giver, method or date not chosen is refused by name, never
    assumed). Where the latest record for the destination and purpose is a refusal, a consent is
    recorded only as a change of mind: ``entry.supersedes_id`` names that refusal,
    ``entry.mind_changed`` is the clerk's confirmation 「本人の意思が変わったことを確認した」 and
    ``entry.change_note`` says how; the refusal stays in the history.
    """
    with db.transaction() as session:
        _check_write(actor, case_district(session, consultation_id), "consent_record",
                     consultation_id)
        _service_name(session, service_id)
        return add_consent(session, actor, consultation_id, destination_recipient(service_id),
                           purpose, entry)


def _referral_district(session: Session, referral_id: int) -> tuple[int, str]:
    found = session.execute(
        select(Referral.consultation_id, Consultation.district_code)
        .join(Consultation, Consultation.id == Referral.consultation_id)
        .where(Referral.id == referral_id)).first()
    if found is None:
        raise NotFoundError(f"つなぎ（ID {referral_id}）が見つかりません。")
    return found[0], found[1]


@use_case
def record_reply(db: Database, actor: StaffProfile, referral_id: int, *,
                 status: ReferralStatus | None = None, reply: str = "", reason: str = "",
                 on: date | None = None) -> None:
    """A step of the referral: a status change and/or the destination's reply, dated and
    attributed. 対応不可 needs a reason; a closed referral takes no more steps."""
    check_texts({"回答": reply, "理由": reason}, multiline=("回答", "理由"))
    with db.transaction() as session:
        _check_write(actor, _referral_district(session, referral_id)[1], "referral_update",
                     referral_id)
        referral = session.get(Referral, referral_id)
        assert referral is not None
        current = ReferralStatus(referral.status)
        if status is not None and status is not current:
            problem = transition_problem(current, status, reason)
            if problem:
                raise ValidationError([Problem("状況", problem)])
        elif current.closed:
            raise ValidationError([Problem("状況", f"「{current.label}」のつなぎは変更できません")])
        new = status or current
        if new is current and not reply.strip():
            raise ValidationError([Problem("回答", "状況の変更か回答の内容を入力してください")])
        session.add(ReferralEvent(referral_id=referral_id, occurred_on=on or local_now().date(),
                                  staff_id=actor.staff_id, previous_status=current.value,
                                  status=new.value, reason=reason.strip(), reply=reply.strip()))
        changed = []
        if new is not current:
            referral.status = new.value
            referral.status_reason = reason.strip()
            changed = ["status", "status_reason"]
        referral.updated_at = utc_now()
        audit.record(session, actor, "referral_update", entity="referral", entity_id=referral_id,
                     fields=[*changed, *(["reply"] if reply.strip() else [])],
                     detail=f"{current.value} -> {new.value}")


@use_case
def change_status(db: Database, actor: StaffProfile, referral_id: int, status: ReferralStatus,
                  *, reason: str = "", reply: str = "", on: date | None = None) -> None:
    record_reply(db, actor, referral_id, status=status, reply=reply, reason=reason, on=on)


_Query = Select[tuple[Referral, str, str, str]]


def _rows(session: Session, actor: StaffProfile, query: _Query, today: date,
          action: str) -> list[ReferralRow]:
    """The referrals as ``actor`` may see them: the free texts (依頼事項, the destination's
    replies, reasons and notes) of a consultation seen masked are not shown
    (docs/privacy.md), and each consultation seen under an emergency exception is audited."""
    found = list(session.execute(query))
    seen = visibilities(session, actor, {r.consultation_id for r, *_ in found})
    audit_emergency_views(session, actor, seen, action)
    people = _shown_people(session, seen)
    if any(name and name != ANONYMOUS for name in people.values()):
        audit.record(session, actor, action, entity="referral", fields=["person.name"],
                     detail=f"{len(found)}件")
    rows = []
    for referral, district, service_name, staff_name in found:
        vis = seen.get(referral.consultation_id, WHOLE)
        replies = [e.reply for e in referral.events if e.reply]
        status = ReferralStatus(referral.status)
        rows.append(ReferralRow(
            referral.id, referral.consultation_id, district, referral.service_id, service_name,
            referral.referred_on, ReferralMethod(referral.method),
            shown_text(referral.request, vis), staff_name,
            referral.reply_due, status, shown_text(referral.status_reason, vis),
            referral.anonymised, referral.basis, shown_text(referral.basis_note, vis),
            is_overdue(status, referral.reply_due, today),
            shown_text(replies[-1], vis) if replies else "", vis.access,
            people.get(referral.consultation_id, "")))
    return rows


def _shown_people(session: Session, seen: dict[int, Visibility]) -> dict[int, str]:
    """Consultation id → its person as the visibility allows (``shown_person_name``)."""
    found = session.execute(
        select(ConsultationDetail, Consultation.received_on)
        .join(Consultation, Consultation.id == ConsultationDetail.consultation_id)
        .where(ConsultationDetail.consultation_id.in_(list(seen)))
        .options(selectinload(ConsultationDetail.person)))
    return {detail.consultation_id: shown_person_name(detail, seen[detail.consultation_id], on)
            for detail, on in found}


def _query() -> _Query:
    return (select(Referral, Consultation.district_code, DirService.name, Staff.name)
            .join(Consultation, Consultation.id == Referral.consultation_id)
            .join(DirService, DirService.id == Referral.service_id)
            .join(Staff, Staff.id == Referral.staff_id))


@use_case
def referrals_of(db: Database, actor: StaffProfile, consultation_id: int, *,
                 today: date | None = None) -> list[ReferralRow]:
    """The referrals of a consultation, oldest first."""
    with db.transaction() as session:
        require_case_read(actor, case_district(session, consultation_id), "referral_list")
        query = _query().where(Referral.consultation_id == consultation_id).order_by(Referral.id)
        return _rows(session, actor, query, today or local_now().date(), "referral_list")


@use_case
def open_referrals(db: Database, actor: StaffProfile, district_code: str, *,
                   today: date | None = None) -> list[ReferralRow]:
    """Referrals of the district not yet 完了, 対応不可 or 取下げ: overdue first, then by due date."""
    require_case_read(actor, district_code, "referral_list")
    today = today or local_now().date()
    closed = [s.value for s in ReferralStatus if s.closed]
    with db.transaction() as session:
        query = _query().where(Consultation.district_code == district_code,
                               Referral.status.not_in(closed))
        rows = _rows(session, actor, query, today, "referral_list")
    return sorted(rows, key=lambda r: (not r.overdue, r.reply_due or date.max, r.referral_id))


@use_case
def events(db: Database, actor: StaffProfile, referral_id: int) -> list[EventRow]:
    """Every step of a referral, oldest first (reasons and replies not shown for a
    consultation the caller sees masked)."""
    with db.transaction() as session:
        consultation_id, district = _referral_district(session, referral_id)
        require_case_read(actor, district, "referral_view")
        vis = visibility_of(session, actor, consultation_id) or WHOLE
        audit_emergency_views(session, actor, {consultation_id: vis}, "referral_view")
        found = session.execute(
            select(ReferralEvent, Staff.name).join(Staff, Staff.id == ReferralEvent.staff_id)
            .where(ReferralEvent.referral_id == referral_id).order_by(ReferralEvent.id))
        return [EventRow(e.occurred_on, name,
                         ReferralStatus(e.previous_status) if e.previous_status else None,
                         ReferralStatus(e.status), shown_text(e.reason, vis),
                         shown_text(e.reply, vis)) for e, name in found]
