"""Export: the use case that writes a scope's days into a new encrypted package.

One use case, one transaction: the caller's scope is checked, the exporter's password verified
(a failure counts towards their lock-out), the days, reviews and audit rows are read, masked for
the exporter's view, and the export is audited in the same transaction; a refusal is audited by
``@use_case`` after the rollback. The keys are derived (the passphrase's, and the one wrapping
the exporter's reviewer token under their password) and the file sealed after the transaction
has ended, so scrypt never holds the database's write lock.

The exporter is the package's one offline reviewer: they proved their password at export, so
their reviewer token can be wrapped under it (``proof``). No other supervisor's password, or
anything derived from it, goes into the package.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.auth import check_password
from setacare_desktop.services.database_identity import identity
from setacare_desktop.services.errors import (
    AuthenticationError,
    PermissionDeniedError,
    Problem,
    ServiceError,
    ValidationError,
)
from setacare_desktop.services.files import reason_of
from setacare_desktop.services.package import clock, codec, crypto, masking, proof
from setacare_desktop.services.package.auditrows import read_audit_rows
from setacare_desktop.services.package.contents import PackageReviewer, PackageScope
from setacare_desktop.services.review import NOT_A_REVIEWER, read_day, reviewable_districts
from setacare_desktop.services.unit import refusal, use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Consultation, DaySignoff

#: The longest period one package covers (about a quarter).
MAX_DAYS = 92
EXPORT_OUT_OF_SCOPE = "この範囲の相談を書き出す権限がありません。"
#: How long a package opens after its export, in days: the default and the bounds.
EXPIRES_IN_DAYS = 3
EXPIRES_MIN, EXPIRES_MAX = 1, 30


@dataclass(frozen=True, slots=True)
class ExportResult:
    data: bytes
    package_id: str
    days: tuple[date, ...]  # the days with consultations
    consultations: int
    expires_at: datetime  # naive UTC
    masked: int = 0  # consultations the exporter sees masked, and so the package holds masked
    audit_rows: int = 0


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


def _reviewer(actor: StaffProfile, districts: list[str]) -> PackageReviewer:
    return PackageReviewer(
        actor.staff_id, actor.login, actor.name, actor.role, actor.org_kind,
        actor.organisation_name, actor.district_code, actor.area_code, tuple(districts),
        actor.organisation_id)


def _check_scope(actor: StaffProfile, where: PackageScope) -> None:
    allowed = reviewable_districts(actor)
    if not allowed:
        raise refusal(PermissionDeniedError(NOT_A_REVIEWER), actor, "permission_denied",
                      detail="package_export")
    if not set(where.districts) <= set(allowed):
        raise refusal(PermissionDeniedError(EXPORT_OUT_OF_SCOPE), actor, "permission_denied",
                      entity=where.kind, entity_id=where.code, detail="package_export")


def _problems(scope: str, start: date, end: date, passphrase: str, password: str,
              expires_in_days: int, actor: StaffProfile) -> tuple[PackageScope | None,
                                                                   list[Problem]]:
    problems = []
    try:
        where: PackageScope | None = resolve_scope(scope)
    except ValidationError as error:
        problems += error.problems
        where = None
    if start > end:
        problems.append(Problem("期間", "終わりの日を始めの日より後にしてください"))
    elif (end - start).days + 1 > MAX_DAYS:
        problems.append(Problem("期間", f"{MAX_DAYS}日以内にしてください"))
    if not EXPIRES_MIN <= expires_in_days <= EXPIRES_MAX:
        problems.append(Problem("有効期限", f"{EXPIRES_MIN}〜{EXPIRES_MAX}日にしてください"))
    problem = crypto.passphrase_problem(passphrase, (actor.login, actor.name))
    if problem:
        problems.append(Problem("パスフレーズ", problem))
    if not password:
        problems.append(Problem("パスワード", "オフラインでのログインに使うあなたのパスワードを"
                                         "入力してください"))
    return where, problems


@use_case
def export_package(db: Database, actor: StaffProfile, start: date, end: date, scope: str,
                   passphrase: str, *, password: str, expires_in_days: int = EXPIRES_IN_DAYS,
                   today: date | None = None, scrypt_n: int = crypto.SCRYPT_N,
                   wrap_n: int = proof.WRAP_N,
                   deliver: Callable[[bytes], None] | None = None) -> ExportResult:
    """The package of ``scope`` (a district or an area) from ``start`` to ``end``, encrypted,
    bound to this database and expiring ``expires_in_days`` days after now.

    Only a supervisor, within their scope, who types their own ``password`` again (it wraps
    their offline login); audited as ``package_export``. ``deliver`` (e.g. writing the file)
    runs inside the transaction, before that audit row commits; its failure is audited as
    ``package_export_failed`` and nothing is recorded as exported.
    """
    where, problems = _problems(scope, start, end, passphrase, password, expires_in_days, actor)
    if problems:
        raise ValidationError(problems)
    assert where is not None
    today = today or local_now().date()
    package_id = str(uuid.uuid4())
    districts = list(where.districts)
    exported_at = clock.utc_now()  # before reading: a decision made meanwhile counts as "since"
    expires_at = exported_at + timedelta(days=expires_in_days)
    with db.transaction() as session:
        _check_scope(actor, where)
        checked = check_password(session, actor.login, password, "credentials_verified")
        if isinstance(checked, AuthenticationError):
            failed: AuthenticationError | None = checked  # raised after the commit
        else:
            failed = None
            database = identity(session)
            read = [read_day(session, day, districts, today)
                    for day in _days_with_content(session, start, end, districts)]
            days, masked = masking.for_exporter(session, actor, read, today)
            audit_rows = read_audit_rows(session, start, end, districts,
                                         where.code if where.kind == "area" else None)
            consultations = sum(len(d.rows) for d in days)
            with_cases = tuple(d.day for d in days if d.rows)
            token = proof.reviewer_token(database.package_key, package_id, actor.staff_id,
                                         actor.login)
            audit.record(session, actor, "package_export", entity="package",
                         entity_id=package_id,
                         detail=f"scope={where.kind}:{where.code} {start.isoformat()}.."
                                f"{end.isoformat()} days={len(with_cases)} "
                                f"consultations={consultations} masked={masked} "
                                f"audit={len(audit_rows)} expires={expires_at.isoformat()}")
            session.flush()
            # The trail's head with this export's own row: a later check of the database's
            # chain must find it again, so nothing before the export can be cut off unseen.
            chain_head = audit.chain_head(session)
            reviewer = _reviewer(actor, districts)
            wrapped = proof.wrap(token, password, package_id, actor.staff_id, actor.login,
                                 wrap_n)
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
                "masked": masked,
                "days": [codec.day_to_json(d) for d in days],
                "audit": [row.to_json() for row in audit_rows],
                "reviewers": [{**reviewer.to_json(), "token": wrapped.to_json()}],
                "decisions": [],
            }
            binding = codec.Binding(database.database_id, expires_at,
                                    audit_chain_head=chain_head)
            data = codec.seal(payload, crypto.new_key(passphrase, scrypt_n), binding)
            if deliver is not None:
                # Written before the export's audit row commits: a file that could not be
                # written is audited as package_export_failed, never as exported.
                _deliver(actor, package_id, data, deliver)
    if failed is not None:
        raise failed
    return ExportResult(data, package_id, with_cases, consultations, expires_at, masked,
                        len(audit_rows))


def _deliver(actor: StaffProfile, package_id: str, data: bytes,
             deliver: Callable[[bytes], None]) -> None:
    try:
        deliver(data)
    except ServiceError as error:
        raise refusal(error, actor, "package_export_failed", entity="package",
                      entity_id=package_id) from None
    except OSError as error:
        raise refusal(ServiceError(f"日次パッケージを書き出せませんでした（{reason_of(error)}）。"
                                   "何も記録していません。"), actor, "package_export_failed",
                      entity="package", entity_id=package_id) from None
