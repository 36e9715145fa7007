"""SQLAlchemy 2.x typed declarative models.

Naming: these are database models; Qt item models are called ``...TableModel`` so the two never
clash.
Timestamps are stored as naive UTC (``utc_now``) except business times a user typed (the time a
consultation was received), which are stored as the ward's local time, as shown on paper.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- reference data (loaded by migration 0001 from domain.reference) -------------------------


class Area(Base):
    __tablename__ = "area"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer)


class District(Base):
    __tablename__ = "district"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"))
    sort_order: Mapped[int] = mapped_column(Integer)

    area: Mapped[Area] = relationship()


class Organisation(Base):
    """A district partner (four per district) or an area branch (one per area)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100), unique=True)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"))
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"))
    # Migration 0016: the sender block of its printed sheets and FAX cover sheets.
    sender_address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    sender_phone: Mapped[str] = mapped_column(String(32), default="", server_default="")
    sender_fax: Mapped[str] = mapped_column(String(32), default="", server_default="")
    sender_contact: Mapped[str] = mapped_column(String(100), default="", server_default="")

    district: Mapped[District | None] = relationship()
    area: Mapped[Area] = relationship()


class _CodeList:
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(Integer)


class TargetGroup(_CodeList, Base):
    __tablename__ = "target_group"


class Element(_CodeList, Base):
    __tablename__ = "element"


class Channel(_CodeList, Base):
    __tablename__ = "channel"


class ConsulterKind(_CodeList, Base):
    __tablename__ = "consulter_kind"


class ResponseKind(_CodeList, Base):
    __tablename__ = "response_kind"


# --- staff and audit ---------------------------------------------------------------------------


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    can_manage_accounts: Mapped[bool] = mapped_column(Boolean, default=False)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)

    organisation: Mapped[Organisation] = relationship()


class AuditEvent(Base):
    """Append-only audit trail (database triggers refuse UPDATE and DELETE).

    ``fields`` lists the names of changed fields, never their values. ``hash`` chains the row to
    the one before it (``prev_hash``; migration 0009, ``domain/audit_chain.py``); a row without
    a hash was not written by the program.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utc_now, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    login: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str | None] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    fields: Mapped[list[str] | None] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


# --- consultations (the intake issue extends these) -------------------------------------------


class Consultation(Base):
    __tablename__ = "consultation"
    __table_args__ = (Index("ix_consultation_district_received", "district_code", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    channel_code: Mapped[str] = mapped_column(ForeignKey("channel.code"))
    consulter_kind_code: Mapped[str] = mapped_column(ForeignKey("consulter_kind.code"))
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    main_complaint: Mapped[str] = mapped_column(Text)
    response_code: Mapped[str | None] = mapped_column(ForeignKey("response_kind.code"))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)

    organisation: Mapped[Organisation] = relationship()
    staff: Mapped[Staff] = relationship()
    target_groups: Mapped[list[ConsultationTargetGroup]] = relationship(
        cascade="all, delete-orphan"
    )
    elements: Mapped[list[ConsultationElement]] = relationship(cascade="all, delete-orphan")


class ConsultationTargetGroup(Base):
    __tablename__ = "consultation_target_group"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(ForeignKey("target_group.code"), primary_key=True)


class ConsultationElement(Base):
    __tablename__ = "consultation_element"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(ForeignKey("element.code"), primary_key=True)


# --- intake (migration 0002) ---------------------------------------------------------------------


class Person(Base):
    """The person a consultation is about. ``*_key`` columns are comparison keys for the
    duplicate check (domain.kana); what is shown and printed is ``name`` and ``reading``."""

    __tablename__ = "person"
    # The duplicate check always filters by the caller's districts and a key prefix: composite
    # indexes serve both (measured in bench/intake_bench.py: 20 ms -> 0.04 ms at 500,000 persons).
    __table_args__ = (
        Index("ix_person_district_name_key", "district_code", "name_key"),
        Index("ix_person_district_reading_key", "district_code", "reading_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    reading: Mapped[str] = mapped_column(String(200), default="")
    name_key: Mapped[str] = mapped_column(String(100))
    reading_key: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date, index=True)
    sex: Mapped[str | None] = mapped_column(String(16))
    address_town: Mapped[str] = mapped_column(String(200), default="")
    address_rest: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    phone_digits: Mapped[str] = mapped_column(String(32), default="", index=True)
    household: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


class ConsultationDetail(Base):
    """What the intake form adds to a consultation (one row per consultation)."""

    __tablename__ = "consultation_detail"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    consulter_relation: Mapped[str] = mapped_column(String(100), default="")
    consulter_name: Mapped[str] = mapped_column(String(100), default="")
    consulter_contact: Mapped[str] = mapped_column(String(100), default="")
    details: Mapped[str] = mapped_column(Text, default="")
    next_date: Mapped[date | None] = mapped_column(Date)
    next_note: Mapped[str] = mapped_column(String(500), default="")
    urgency: Mapped[list[str]] = mapped_column(JSON, default=list)
    urgency_note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    amended_at: Mapped[datetime | None] = mapped_column(DateTime)
    amended_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    person: Mapped[Person | None] = relationship()


class ConsultationVersion(Base):
    """The previous state of an amended consultation: who changed it, when, which fields."""

    __tablename__ = "consultation_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    changed_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    fields: Mapped[list[str]] = mapped_column(JSON)
    previous: Mapped[dict[str, object]] = mapped_column(JSON)


class ConsentRecordRow(Base):
    """One consent (or refusal) of a person for one recipient and purpose."""

    __tablename__ = "consent_record"
    # Migration 0018: a search lists the persons who consented to share with one organisation.
    __table_args__ = (Index("ix_consent_record_recipient_person", "recipient", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"))
    recipient: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(16))
    given: Mapped[bool] = mapped_column(Boolean)
    giver: Mapped[str] = mapped_column(String(16))
    giver_relation: Mapped[str] = mapped_column(String(100), default="")
    method: Mapped[str] = mapped_column(String(16))
    given_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # Migration 0010: a consent that replaces a recorded refusal names it (the refusal stays),
    # with the clerk's note of how the person's mind changed.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("consent_record.id"))
    change_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Migration 0016: a written consent whose printed 同意書 was signed, and when.
    form_signed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    form_signed_on: Mapped[date | None] = mapped_column(Date)


class EmergencyExceptionRow(Base):
    __tablename__ = "emergency_exception"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    recipient: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    approved_at: Mapped[datetime] = mapped_column(DateTime)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class IntakeDraft(Base):
    """An intake being typed, saved as it is filled so a crash loses nothing."""

    __tablename__ = "intake_draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


# --- referral directory, shaped like HSDS 3.0 (migration 0005) -------------------------------------
#
# Tables mirror HSDS (docs/referrals.md): organization, location/address, service, phone, schedule,
# service_area, taxonomy, taxonomy_term, attribute, service_at_location. Records keep their HSDS id
# (a slug for the shipped directory, the foreign UUID for imported data); a service also has an
# integer ``id``, which referrals and consent recipients (``dest:<id>``) refer to.


class DirOrganization(Base):
    __tablename__ = "dir_organization"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    reading: Mapped[str] = mapped_column(String(200), default="")
    alternate_name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32), default="")
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"))
    area_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"))
    parent_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    #: The other HSDS fields, JSON text (migration 0013; ``domain.directory.Service.extra``).
    hsds_extra: Mapped[str] = mapped_column(Text, default="")


class DirLocation(Base):
    """HSDS ``location`` with its one ``address`` (``address_1`` None: no address recorded)."""

    __tablename__ = "dir_location"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("dir_organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    address_1: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(100), default="")
    state_province: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(32), default="")
    country: Mapped[str] = mapped_column(String(8), default="")
    address_2: Mapped[str] = mapped_column(String(300), default="")
    alternate_name: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    #: The other HSDS fields, JSON text (migration 0013; ``domain.directory.Service.extra``).
    hsds_extra: Mapped[str] = mapped_column(Text, default="")


class DirService(Base):
    __tablename__ = "dir_service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(64), unique=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("dir_organization.id"), index=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    reading: Mapped[str] = mapped_column(String(200), default="")
    alternate_name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")
    application_process: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(32), default="active")
    contact_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    #: When and by whom the contact was last confirmed (migration 0019; 要確認 per entry).
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    #: The other HSDS fields, JSON text (migration 0013; ``domain.directory.Service.extra``).
    hsds_extra: Mapped[str] = mapped_column(Text, default="")

    phones: Mapped[list[DirPhone]] = relationship(cascade="all, delete-orphan",
                                                  order_by="DirPhone.id")
    schedules: Mapped[list[DirSchedule]] = relationship(cascade="all, delete-orphan",
                                                        order_by="DirSchedule.id")
    areas: Mapped[list[DirServiceArea]] = relationship(cascade="all, delete-orphan",
                                                       order_by="DirServiceArea.id")
    attributes: Mapped[list[DirAttribute]] = relationship(cascade="all, delete-orphan",
                                                          order_by="DirAttribute.id")
    locations: Mapped[list[DirServiceAtLocation]] = relationship(
        cascade="all, delete-orphan", order_by="DirServiceAtLocation.position")


class DirPhone(Base):
    __tablename__ = "dir_phone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("dir_service.id", ondelete="CASCADE"),
                                            index=True)
    number: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16), default="voice")
    description: Mapped[str] = mapped_column(Text, default="")
    #: The other HSDS fields, JSON text (migration 0013; ``domain.directory.Service.extra``).
    hsds_extra: Mapped[str] = mapped_column(Text, default="")


class DirSchedule(Base):
    __tablename__ = "dir_schedule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("dir_service.id", ondelete="CASCADE"),
                                            index=True)
    description: Mapped[str] = mapped_column(Text)
    byday: Mapped[str] = mapped_column(String(100), default="")
    opens_at: Mapped[str] = mapped_column(String(16), default="")
    closes_at: Mapped[str] = mapped_column(String(16), default="")
    #: The other HSDS fields, JSON text (migration 0013; ``domain.directory.Service.extra``).
    hsds_extra: Mapped[str] = mapped_column(Text, default="")


class DirServiceArea(Base):
    """One row per district or area served (``code``); the whole ward is one row, code None."""

    __tablename__ = "dir_service_area"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("dir_service.id", ondelete="CASCADE"),
                                            index=True)
    scope: Mapped[str] = mapped_column(String(16))
    code: Mapped[str | None] = mapped_column(String(32))


class DirTaxonomy(Base):
    __tablename__ = "dir_taxonomy"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[str] = mapped_column(String(32), default="")
    #: The other HSDS fields, JSON text (migration 0013; ``domain.directory.Service.extra``).
    hsds_extra: Mapped[str] = mapped_column(Text, default="")


class DirTaxonomyTerm(Base):
    __tablename__ = "dir_taxonomy_term"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    taxonomy_id: Mapped[str | None] = mapped_column(ForeignKey("dir_taxonomy.id"))
    code: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The other HSDS fields, JSON text (migration 0013; ``domain.directory.Service.extra``).
    hsds_extra: Mapped[str] = mapped_column(Text, default="")


class DirAttribute(Base):
    """HSDS ``attribute``: a service linked to a taxonomy term, with a value (see
    ``domain.directory.Service.attribute_links``)."""

    __tablename__ = "dir_attribute"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("dir_service.id", ondelete="CASCADE"),
                                            index=True)
    taxonomy_term_id: Mapped[str] = mapped_column(ForeignKey("dir_taxonomy_term.id"))
    value: Mapped[str] = mapped_column(Text, default="")
    link_type: Mapped[str] = mapped_column(String(64), default="")
    #: The other HSDS fields, JSON text (migration 0013; ``domain.directory.Service.extra``).
    hsds_extra: Mapped[str] = mapped_column(Text, default="")


class DirServiceAtLocation(Base):
    __tablename__ = "dir_service_at_location"

    service_id: Mapped[int] = mapped_column(ForeignKey("dir_service.id", ondelete="CASCADE"),
                                            primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("dir_location.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class DirHistory(Base):
    """Every change of the directory: who, when, which record, which fields, the state before
    (``previous`` is None for a record created) and after."""

    __tablename__ = "dir_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON)
    previous: Mapped[dict[str, object] | None] = mapped_column(JSON)
    current: Mapped[dict[str, object] | None] = mapped_column(JSON)


# --- referrals (migration 0005) -------------------------------------------------------------------


class Referral(Base):
    """A consultation referred to a directory service (つなぎ), tracked until the reply.

    ``basis`` is how identifying details could be shared: ``consent``, ``emergency`` or, for an
    anonymised referral, ``anonymised``; ``basis_note`` is the consent rule's own wording.
    """

    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_status_due", "status", "reply_due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("dir_service.id"), index=True)
    # Indexed (migration 0008): the statistics count referrals by the day they were made.
    referred_on: Mapped[date] = mapped_column(Date, index=True)
    method: Mapped[str] = mapped_column(String(16))
    request: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reply_due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str] = mapped_column(Text, default="")
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    basis: Mapped[str] = mapped_column(String(16))
    basis_note: Mapped[str] = mapped_column(Text, default="")
    # Migration 0010: the 匿名用の概要 printed on the anonymised sheet instead of the free texts.
    anonymised_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Migration 0016: the 依頼事項 as codes of ``domain.referral.REQUEST_ITEMS`` (None: before).
    request_items: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)

    service: Mapped[DirService] = relationship()
    events: Mapped[list[ReferralEvent]] = relationship(order_by="ReferralEvent.id")


class ReferralEvent(Base):
    """One step of a referral: a status change (dated, attributed) and/or the destination's reply."""

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    previous_status: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    reply: Mapped[str] = mapped_column(Text, default="")


# --- liaison sheets (migration 0006) --------------------------------------------------------------


class LiaisonSheetRow(Base):
    """A liaison sheet issued for a referral: one number per referral and form (identifying or
    anonymised), ``<DISTRICT>-<fiscal year>-<sequence>``, the sequence counted per district and
    fiscal year."""

    __tablename__ = "liaison_sheet"
    __table_args__ = (
        Index("uq_liaison_sheet_sequence", "district_code", "fiscal_year", "sequence",
              unique=True),
        Index("uq_liaison_sheet_referral", "referral_id", "anonymised", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_number: Mapped[str] = mapped_column(String(64), unique=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"))
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    anonymised: Mapped[bool] = mapped_column(Boolean)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    issued_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class SheetPrint(Base):
    """Each print or save of a liaison sheet: the first is the original (原本), every later one a
    reissue (再発行), and is marked so on the paper."""

    __tablename__ = "sheet_print"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("liaison_sheet.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reissue: Mapped[bool] = mapped_column(Boolean)
    recipient: Mapped[str] = mapped_column(String(32))  # dest:<service id>


# --- supervisor review (migration 0007) -----------------------------------------------------------


class CaseReview(Base):
    """One supervisor decision on a consultation: 確認済 (``confirmed``) or 差戻し (``returned``).

    Rows are never changed: a new decision is a new row and the latest one counts. ``version`` is
    the consultation's version the supervisor saw, so an amendment after the decision shows.
    ``decision_uid`` identifies the decision wherever it was made (here, or offline in a day
    package), which is what makes importing a package twice harmless.
    """

    __tablename__ = "case_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_uid: Mapped[str] = mapped_column(String(36), unique=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer)
    reviewed_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    source: Mapped[str] = mapped_column(String(16), default="app")  # app | package


class DaySignoff(Base):
    """A district's day signed off by a supervisor (日次確認): one per district and day."""

    __tablename__ = "day_signoff"
    __table_args__ = (Index("uq_day_signoff_district_day", "district_code", "day", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_uid: Mapped[str] = mapped_column(String(36), unique=True)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    day: Mapped[date] = mapped_column(Date)
    signed_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    signed_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    comment: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="app")  # app | package
    #: The audit chain's head when the day was signed off (migration 0009): an anchor the
    #: chain check must find again.
    chain_head: Mapped[str | None] = mapped_column(String(64))


# --- preferences (migration 0011) -----------------------------------------------------------------


class Preference(Base):
    """One setting that applies to every PC on the database (e.g. the idle lock's minutes),
    changed by an administrator. ``value`` is text; ``services.preferences`` reads its type."""

    __tablename__ = "preference"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


# --- the database's identity (migration 0012) ------------------------------------------------------


class DatabaseIdentity(Base):
    """One row: who this database is, for what leaves it (the offline day package).

    ``database_id`` (a random UUID) goes into every package's authenticated header, so a package
    is imported only into the database it came from. ``package_key`` (32 random bytes, hex) never
    leaves the database: each package's per-reviewer token is derived from it, so the import can
    check that a decision was made by a reviewer who proved their password (docs/package.md).
    A copy of the database (a restored backup) keeps both: it is the same database.
    """

    __tablename__ = "database_identity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1: one row
    database_id: Mapped[str] = mapped_column(String(36), unique=True)
    package_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


# --- 継続支援 and households (migration 0015) --------------------------------------------------------


class Continuity(Base):
    """A person's 継続支援: open or closed, held by a staff member of an organisation.

    One row per person (its current state); every opening, closing and automatic reopening is a
    ``ContinuityEvent`` with its reason."""

    __tablename__ = "continuity"
    __table_args__ = (
        Index("ix_continuity_holder_status", "holder_organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # open | closed
    holder_staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    holder_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)


class ContinuityEvent(Base):
    """One step of a 継続支援: opened, closed or reopened (by a new consultation), with the
    reason; never changed."""

    __tablename__ = "continuity_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    continuity_id: Mapped[int] = mapped_column(ForeignKey("continuity.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(16))  # open | close | reopen
    reason: Mapped[str] = mapped_column(Text)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id"))


class HouseholdLink(Base):
    """Two persons of one household: ``relation`` is what ``other_person`` is to ``person``
    (母, 子, 配偶者 …); ``situations`` are codes such as 8050, young_carer, carer. An ended link
    keeps its row (``ended_at``)."""

    __tablename__ = "household_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    other_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    relation: Mapped[str] = mapped_column(String(32))
    living_together: Mapped[bool] = mapped_column(Boolean)
    situations: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    created_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


# --- printed forms (migration 0016) ----------------------------------------------------------------


class PrintForm(Base):
    """A printed form's 様式 number and title (「様式第1号」「連携シート」), reference data that an
    administrator may change (``services.organisation_settings``)."""

    __tablename__ = "print_form"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(64))
    sort_order: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


# --- the statistics summary (migration 0017) -------------------------------------------------------


class StatsCount(Base):
    """How many consultations of one district fall under each value of each statistics margin,
    per day (``span`` "d") and per month (``span`` "m", ``day`` its first day).

    Kept up to date in the transaction of every save (``store.stats_summary``), so that 統計 for
    a fiscal year reads twelve months of these rows instead of every consultation.
    ``dimension`` is one of ``org_kind``, ``channel_code``, ``response_code`` ("" for 未記入),
    ``target`` (``domain.stats.target_key``), ``expansion`` ("1": 相談拡充) and ``element``
    ("" for 要素なし). A row whose ``n`` has gone down to 0 may stay.
    """

    __tablename__ = "stats_count"
    # Stored in key order (SQLite WITHOUT ROWID): a period is one range of the table.
    __table_args__ = ({"sqlite_with_rowid": False},)

    span: Mapped[str] = mapped_column(String(1), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    district_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
