"""Recording, amending and reading consultations (受付) and their history.

Each public function is one use case (``@use_case``): one session, in which the caller's scope is
checked, the consent rule is asked and the write it allows is made, with its audit row. Problems
with the input come back as ``ValidationError`` whose problems name the field in Japanese, and
nothing is written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.consent import org_recipient
from setacare_desktop.domain.intake import (
    URGENCY_FLAGS,
    IntakeInput,
    ValidIntake,
    validate,
)
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.reference import Term
from setacare_desktop.domain.roles import StaffProfile, can_write_cases
from setacare_desktop.domain.visibility import (
    MASKED_NOTICE,
    Access,
    Visibility,
    masked_person_label,
)
from setacare_desktop.services import audit
from setacare_desktop.services.continuity import reopen_on_consultation
from setacare_desktop.services.errors import (
    NotFoundError,
    Problem,
    ServiceError,
    ValidationError,
)
from setacare_desktop.services.guard import deny, require_case_read
from setacare_desktop.services.intake.records import (
    LoadedIntake,
    MaskedCase,
    Recipient,
    SavedIntake,
    VersionRow,
    add_consents,
    apply_person,
    fill,
    load_case,
    org_id,
    person_input,
    remove_draft,
    snapshot,
)
from setacare_desktop.services.search import index_consultation, indexed_text_now
from setacare_desktop.services.unit import use_case
from setacare_desktop.services.visibility import audit_emergency_views, visibility_of
from setacare_desktop.store import stats_summary
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    Consultation,
    ConsultationDetail,
    ConsultationVersion,
    District,
    Organisation,
    Person,
    Staff,
    utc_now,
)


def raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise ValidationError(problems)


@use_case
def consent_recipients(db: Database, district_code: str) -> list[Recipient]:
    """The recipients the intake form asks consent for: the district's partners and branch."""
    with db.read() as session:
        return partners(session, district_code)


def partners(session: Session, district_code: str) -> list[Recipient]:
    """The district's four partners, then its area branch (総合支所): reviewing or backing up a
    case there is sharing too, so the person is asked for it (docs/privacy.md)."""
    orgs = list(session.scalars(select(Organisation).where(
        Organisation.district_code == district_code).order_by(Organisation.id)))
    district = session.get(District, district_code)
    if district is not None:
        orgs += session.scalars(select(Organisation).where(
            Organisation.district_code.is_(None),
            Organisation.area_code == district.area_code).order_by(Organisation.id))
    return [Recipient(org_recipient(o.id), o.name) for o in orgs]


def check_write(actor: StaffProfile, district_code: str, action: str) -> None:
    if not can_write_cases(actor, district_code):
        raise deny(actor, action, "この地区の相談を記録する権限がありません。",
                   entity="district", entity_id=district_code)


def _validated(session: Session, data: IntakeInput, now: datetime) -> ValidIntake:
    valid, problems = validate(data, now=now)
    raise_problems(problems)
    assert valid is not None
    keys = {r.key for r in partners(session, valid.district)}
    raise_problems([
        Problem("consents", f"同意先「{c.recipient}」はこの地区の関係機関ではありません")
        for c in valid.consents if c.recipient.startswith("org:") and c.recipient not in keys])
    return valid


@use_case
def record_intake(db: Database, actor: StaffProfile, data: IntakeInput, *,
                  draft_id: int | None = None, now: datetime | None = None) -> SavedIntake:
    """Record a new consultation (and its person and consents) in one transaction.

    The draft it came from, if any, is removed in the same transaction.
    """
    if not data.district and actor.district_code:
        data.district = actor.district_code
    with db.transaction() as session:
        valid = _validated(session, data, now or local_now())
        check_write(actor, valid.district, "consultation_create")
        person, _ = apply_person(session, valid, actor)
        case = Consultation(district_code=valid.district, organisation_id=org_id(session, actor),
                            staff_id=actor.staff_id, target_groups=[], elements=[])
        detail = ConsultationDetail(version=1)
        fill(case, detail, valid, person)
        session.add(case)
        session.flush()
        stats_summary.record_change(session, None, stats_summary.key_of(session, case))
        detail.consultation_id = case.id
        session.add(detail)
        add_consents(session, actor, valid, person, case.id)
        reopen_on_consultation(session, actor, person.id if person else None, case.id)
        index_consultation(session, case, detail, person)
        remove_draft(session, actor, draft_id)
        audit.record(session, actor, "consultation_create", entity="consultation",
                     entity_id=case.id, fields=snapshot(case, detail).keys())
        return SavedIntake(case.id, person.id if person else None, 1)


def case_district(session: Session, consultation_id: int) -> str:
    """The district of a consultation (to check scope before reading it), or NotFoundError."""
    district = session.scalar(select(Consultation.district_code).where(
        Consultation.id == consultation_id))
    if district is None:
        raise NotFoundError(f"相談（ID {consultation_id}）が見つかりません。")
    return district


@use_case
def consultation_district(db: Database, actor: StaffProfile, consultation_id: int) -> str:
    """The district of a consultation the caller may read (for headings and scope)."""
    with db.read() as session:
        district = case_district(session, consultation_id)
    require_case_read(actor, district, "consultation_district")
    return district


@use_case
def amend_intake(db: Database, actor: StaffProfile, consultation_id: int, data: IntakeInput,
                 *, expected_version: int, draft_id: int | None = None,
                 now: datetime | None = None) -> SavedIntake:
    """Amend a consultation; the previous state is kept as a version (who, when, which fields).

    ``expected_version`` guards against two people amending at once: the second is refused
    rather than silently overwriting the first.
    """
    now = now or local_now()
    with db.transaction() as session:
        district = case_district(session, consultation_id)
        check_write(actor, district, "consultation_amend")
        vis = visibility_of(session, actor, consultation_id)
        if vis is not None and not vis.identifying:  # amending needs seeing it
            raise deny(actor, "consultation_amend", "本人の情報共有の同意がないため、この相談は"
                       "修正できません（受け付けた機関の職員だけが修正できます）。",
                       entity="consultation", entity_id=consultation_id)
        data.district = district  # a consultation does not move between districts
        for consent in data.consents:  # consent given while amending is given today
            consent.given_on = consent.given_on or now.date().isoformat()
        valid = _validated(session, data, now)
        case, detail = load_case(session, consultation_id)
        if (detail.version or 1) != expected_version:
            raise ServiceError("この相談は他の職員によって更新されています。"
                               "画面を開き直してから修正してください。")
        before = snapshot(case, detail)
        indexed_before = indexed_text_now(session, case, detail)  # what the index holds
        counted_before = stats_summary.key_of(session, case)
        person, person_fields = apply_person(session, valid, actor)
        fill(case, detail, valid, person)
        stats_summary.record_change(session, counted_before, stats_summary.key_of(session, case))
        after = snapshot(case, detail)
        changed = [k for k in after if after[k] != before[k]] + [
            f"person.{f}" for f in person_fields]
        if valid.consents:
            changed.append("consents")
        add_consents(session, actor, valid, person, case.id)
        if not changed:
            remove_draft(session, actor, draft_id)
            return SavedIntake(case.id, detail.person_id, detail.version)
        version = detail.version or 1
        session.add(ConsultationVersion(consultation_id=case.id, version=version,
                                        changed_by=actor.staff_id, fields=changed,
                                        previous=before))
        detail.version = version + 1
        detail.amended_at = utc_now()
        detail.amended_by = actor.staff_id
        index_consultation(session, case, detail, person, previous=indexed_before)
        remove_draft(session, actor, draft_id)
        audit.record(session, actor, "consultation_amend", entity="consultation",
                     entity_id=case.id, fields=changed)
        return SavedIntake(case.id, detail.person_id, detail.version)


#: Why a case the caller sees masked cannot be loaded into the form (or amended).
MASKED_REFUSAL = ("相談 No.{id} は{org}が受け付けた相談で、本人の情報共有の同意がないため、"
                  "個人を特定できる内容は開けません（受け付けた機関の職員だけが開けます）。")
#: Why ``case show --json`` refuses it (docs/case-json.md).
MASKED_JSON_REFUSAL = ("相談 No.{id} は JSON では出力できません。{org}が受け付けた相談で、本人の"
                       "情報共有の同意がありません。JSON は受け付けた機関が再入力に使うための形です"
                       "（--json を付けなければ、個人を特定できない記録を表示します）。")


def _visibility(session: Session, actor: StaffProfile, consultation_id: int,
                action: str) -> Visibility:
    """Scope first (refused and audited outside it), then what the rule lets ``actor`` see."""
    require_case_read(actor, case_district(session, consultation_id), action)
    vis = visibility_of(session, actor, consultation_id)
    assert vis is not None  # case_district found it
    return vis


@use_case
def case_access(db: Database, actor: StaffProfile, consultation_id: int) -> Visibility:
    """What ``actor`` may see of a consultation: whole, under consent or an emergency exception,
    or masked. Nothing of the case is read, so it is not audited as a view."""
    with db.read() as session:
        return _visibility(session, actor, consultation_id, "consultation_view")


@use_case
def masked_case(db: Database, actor: StaffProfile, consultation_id: int) -> MaskedCase:
    """The masked record of a consultation (audited as a view of it)."""
    with db.transaction() as session:
        vis = _visibility(session, actor, consultation_id, "consultation_view")
        case, detail = load_case(session, consultation_id)
        person = session.get(Person, detail.person_id) if detail.person_id else None
        audit.record(session, actor, "consultation_view", entity="consultation",
                     entity_id=case.id, detail="masked")
        return MaskedCase(
            case.id, case.received_at, district_label(case.district_code),
            case.organisation.name, ref.label_of(ref.CHANNELS, case.channel_code),
            ref.label_of(ref.CONSULTER_KINDS, case.consulter_kind_code),
            masked_person_label(person.reading, person.birth_date, case.received_on)
            if person else "（匿名）",
            _labels(ref.TARGET_GROUPS, {t.code for t in case.target_groups}),
            _labels(ref.ELEMENTS, {e.code for e in case.elements}),
            ref.label_of(ref.RESPONSES, case.response_code) if case.response_code else "",
            case.urgent, _labels(URGENCY_FLAGS, set(detail.urgency or [])),
            vis.reason if not vis.identifying else MASKED_NOTICE)


def _labels(terms: tuple[Term, ...], codes: set[str]) -> tuple[str, ...]:
    return tuple(t.label for t in terms if t.code in codes)


@use_case
def load_intake(db: Database, actor: StaffProfile, consultation_id: int) -> LoadedIntake:
    """A consultation as the form shows it (reading personal data is audited; a view under an
    emergency exception is audited as such). Refused for a case ``actor`` sees masked:
    :func:`masked_case` is what they may read of it."""
    with db.look() as session:
        return _load_whole(session, actor, consultation_id, MASKED_REFUSAL)


@use_case
def case_json(db: Database, actor: StaffProfile, consultation_id: int) -> IntakeInput:
    """The consultation in the shape ``case add`` reads back; refused for a masked case
    (docs/case-json.md)."""
    with db.look() as session:
        return _load_whole(session, actor, consultation_id, MASKED_JSON_REFUSAL).data


def _load_whole(session: Session, actor: StaffProfile, consultation_id: int,
                refusal: str) -> LoadedIntake:
    vis = _visibility(session, actor, consultation_id, "consultation_view")
    case, detail = load_case(session, consultation_id)
    if not vis.identifying:
        raise deny(actor, "consultation_view",
                   refusal.format(id=consultation_id, org=case.organisation.name),
                   entity="consultation", entity_id=consultation_id)
    person = session.get(Person, detail.person_id) if detail.person_id else None
    data = IntakeInput(
        received_at=case.received_at.strftime("%Y-%m-%d %H:%M"),
        channel=case.channel_code, district=case.district_code,
        consulter_kind=case.consulter_kind_code,
        consulter_relation=detail.consulter_relation,
        consulter_name=detail.consulter_name, consulter_contact=detail.consulter_contact,
        person=person_input(person), person_id=person.id if person else None,
        target_groups=[t.code for t in case.target_groups],
        elements=[e.code for e in case.elements], main_complaint=case.main_complaint,
        details=detail.details, response=case.response_code or "",
        next_date=detail.next_date.isoformat() if detail.next_date else "",
        next_note=detail.next_note, urgency=list(detail.urgency or []),
        urgency_note=detail.urgency_note,
    )
    audit.record(session, actor, "consultation_view", entity="consultation",
                 entity_id=case.id)
    audit_emergency_views(session, actor, {case.id: vis}, "consultation_view")
    return LoadedIntake(case.id, detail.version or 1, data, case.staff.name,
                        case.organisation.name, case.urgent, vis.access,
                        "" if vis.access is Access.WHOLE else vis.reason)


@use_case
def history(db: Database, actor: StaffProfile, consultation_id: int) -> list[VersionRow]:
    """Earlier versions of a consultation, newest first."""
    with db.read() as session:
        require_case_read(actor, case_district(session, consultation_id), "consultation_history")
        rows = session.execute(
            select(ConsultationVersion, Staff.name).join(Staff,
                                                         Staff.id == ConsultationVersion.changed_by)
            .where(ConsultationVersion.consultation_id == consultation_id)
            .order_by(ConsultationVersion.version.desc()))
        return [VersionRow(v.version, v.changed_at, name, tuple(v.fields)) for v, name in rows]


def district_label(code: str) -> str:
    return ref.DISTRICTS_BY_CODE[code].name

