"""Export: the use case that writes a scope's days into a new encrypted package.

One use case, one transaction: the caller's scope is checked, the days, reviews and reviewers
are read and the export is audited in the same transaction; a refusal is audited by
``@use_case`` after the rollback. The key is derived and the file sealed after the transaction
has ended, so scrypt's fraction of a second never holds the database's write lock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.roles import Role, StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.errors import PermissionDeniedError, Problem, ValidationError
from setacare_desktop.services.package import codec, crypto
from setacare_desktop.services.package.contents import PackageScope
from setacare_desktop.services.review import NOT_A_REVIEWER, read_day, reviewable_districts
from setacare_desktop.services.staff import profile_of
from setacare_desktop.services.unit import refusal, use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Consultation, DaySignoff, Staff, utc_now

#: The longest period one package covers (about a quarter).
MAX_DAYS = 92
EXPORT_OUT_OF_SCOPE = "この範囲の相談を書き出す権限がありません。"


@dataclass(frozen=True, slots=True)
class ExportResult:
    data: bytes
    package_id: str
    days: tuple[date, ...]  # the days with consultations
    consultations: int


def resolve_scope(text: str) -> PackageScope:
    """A district or an area, by name or code (「池尻」「池尻地区」「ikejiri」「世田谷地域」)."""
    cleaned = text.strip()
    # 北沢, 砧 and 烏山 name both an area and a district: 「…地域」 always means the area.
    district = None if cleaned.endswith(("地域", "総合支所")) else ref.find_district(cleaned)
    if district is not None:
        return PackageScope("district", district.code, f"{district.name}地区", (district.code,))
    area = ref.AREAS_BY_CODE.get(cleaned) or ref.AREAS_BY_NAME.get(
        cleaned.removesuffix("総合支所").removesuffix("地域"))
    if area is not None:
        return PackageScope("area", area.code, f"{area.name}地域", tuple(
            d.code for d in ref.DISTRICTS if d.area_code == area.code))
    raise ValidationError([Problem("範囲", f"「{text}」は地区でも地域でもありません")])


def _days_with_content(session: Session, start: date, end: date,
                       districts: list[str]) -> list[date]:
    found = session.scalars(union(
        select(Consultation.received_on).where(
            Consultation.received_on.between(start, end),
            Consultation.district_code.in_(districts)),
        select(DaySignoff.day).where(DaySignoff.day.between(start, end),
                                     DaySignoff.district_code.in_(districts)))).all()
    return sorted(set(found))


def _reviewers(session: Session, districts: Iterable[str]) -> list[dict[str, Any]]:
    wanted = list(districts)
    found = []
    for staff in session.scalars(select(Staff).where(Staff.role == Role.SUPERVISOR.value,
                                                     Staff.active.is_(True))
                                 .options(selectinload(Staff.organisation)).order_by(Staff.id)):
        profile = profile_of(staff)
        covered = [code for code in reviewable_districts(profile) if code in wanted]
        if not covered:
            continue
        found.append({
            "staff_id": profile.staff_id, "login": profile.login, "name": profile.name,
            "role": profile.role.value, "org_kind": profile.org_kind.value,
            "organisation_name": profile.organisation_name,
            "district_code": profile.district_code, "area_code": profile.area_code,
            "districts": covered, "password_hash": staff.password_hash})
    return found


def _check_scope(actor: StaffProfile, where: PackageScope) -> None:
    allowed = reviewable_districts(actor)
    if not allowed:
        raise refusal(PermissionDeniedError(NOT_A_REVIEWER), actor, "permission_denied",
                      detail="package_export")
    if not set(where.districts) <= set(allowed):
        raise refusal(PermissionDeniedError(EXPORT_OUT_OF_SCOPE), actor, "permission_denied",
                      entity=where.kind, entity_id=where.code, detail="package_export")


@use_case
def export_package(db: Database, actor: StaffProfile, start: date, end: date, scope: str,
                   passphrase: str, *, today: date | None = None,
                   scrypt_n: int = crypto.SCRYPT_N) -> ExportResult:
    """The package of ``scope`` (a district or an area) from ``start`` to ``end``, encrypted.

    Only a supervisor, within their scope; audited as ``package_export``.
    """
    problems = []
    try:
        where = resolve_scope(scope)
    except ValidationError as error:
        problems += error.problems
        where = None
    if start > end:
        problems.append(Problem("期間", "終わりの日を始めの日より後にしてください"))
    elif (end - start).days + 1 > MAX_DAYS:
        problems.append(Problem("期間", f"{MAX_DAYS}日以内にしてください"))
    problem = crypto.passphrase_problem(passphrase)
    if problem:
        problems.append(Problem("パスフレーズ", problem))
    if problems:
        raise ValidationError(problems)
    assert where is not None
    today = today or local_now().date()
    package_id = str(uuid.uuid4())
    districts = list(where.districts)
    exported_at = utc_now()  # before reading: a decision made meanwhile counts as "since"
    with db.transaction() as session:
        _check_scope(actor, where)
        days = [read_day(session, day, districts, today)
                for day in _days_with_content(session, start, end, districts)]
        reviewers = _reviewers(session, districts)
        consultations = sum(len(d.rows) for d in days)
        with_cases = tuple(d.day for d in days if d.rows)
        audit.record(session, actor, "package_export", entity="package", entity_id=package_id,
                     detail=f"scope={where.kind}:{where.code} {start.isoformat()}.."
                            f"{end.isoformat()} days={len(with_cases)} "
                            f"consultations={consultations} reviewers={len(reviewers)}")
    payload = {
        "format": codec.FORMAT_VERSION,
        "package_id": package_id,
        "exported_at": exported_at.isoformat(),
        "exported_by": {"login": actor.login, "name": actor.name},
        "scope": {"kind": where.kind, "code": where.code, "label": where.label,
                  "districts": districts},
        "start": start.isoformat(),
        "end": end.isoformat(),
        "range_days": [(start + timedelta(days=i)).isoformat()
                       for i in range((end - start).days + 1)],
        "days": [codec.day_to_json(d) for d in days],
        "reviewers": reviewers,
        "decisions": [],
    }
    data = codec.seal(payload, crypto.new_key(passphrase, scrypt_n))
    return ExportResult(data, package_id, with_cases, consultations)
