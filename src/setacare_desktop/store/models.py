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
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
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

    ``fields`` lists the names of changed fields, never their values.
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


class SearchText(Base):
    """The folded text a consultation is found by (name, reading, phone, 主訴, 相談内容).

    The gram index over it is created per backend by migration 0003 (store.sqlite /
    store.postgresql) and is not a mapped table.
    """

    __tablename__ = "search_text"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
