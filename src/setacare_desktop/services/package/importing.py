"""Import: the use case that brings a package's offline decisions back into the database.

One use case, one transaction: after the file is decrypted (before any database access, so a
wrong passphrase or an expired package writes nothing, not even an audit row), the package's
database is compared with this one (another database's package is refused whole), the
importer's scope is checked, and every decision is checked and recorded in the same
transaction; a refusal is audited by ``@use_case`` after the rollback. A decision already
imported is counted, never repeated; one that no longer fits, or whose reviewer's proof does not
match (``proof``: it was not made by a reviewer who unlocked the package with their password),
is reported with its reason and not applied (docs/package.md, "Import rules").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.database_identity import Identity, identity
from setacare_desktop.services.errors import PermissionDeniedError, ServiceError
from setacare_desktop.services.package import proof
from setacare_desktop.services.package.contents import OfflineDecision, Package, open_package
from setacare_desktop.services.review import (
    NOT_A_REVIEWER,
    ReviewRow,
    read_day,
    reviewable_districts,
)
from setacare_desktop.services.staff import profile_of
from setacare_desktop.services.unit import refusal, use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.errors import DatabaseConflictError
from setacare_desktop.store.models import (
    CaseReview,
    Consultation,
    ConsultationDetail,
    DaySignoff,
    Staff,
)

AMENDED_SINCE = ("書き出し後に相談記録が修正されているため、取り込みませんでした。画面で確認し直して"
                 "ください。")
DECIDED_SINCE = ("書き出し後にこの相談には別の確認が記録されているため、取り込みませんでした。画面で"
                 "確認し直してください。")
DAY_CHANGED_SINCE = ("書き出し後にこの日の相談記録が修正または追加されているため、日次確認を取り込み"
                     "ませんでした。画面で確認し直してください。")
NOT_A_REVIEWER_NOW = "判断した職員が、現在はこの地区の監督者ではないため、取り込みませんでした。"
CASE_NOT_FOUND = "相談がこのデータベースに見つからないため、取り込みませんでした。"
OUTSIDE_PACKAGE = ("パッケージの範囲外か、判断した監督者またはあなたの担当外の地区の判断のため、"
                   "取り込みませんでした。")
IMPORT_OUT_OF_SCOPE = "このパッケージの地区を確認する権限がないため、取り込めません。"
FOREIGN_DATABASE = ("この日次パッケージは別のデータベースから書き出されたものです。このデータベース"
                    "には取り込めません（何も取り込んでいません）。書き出したデータベースで取り込んで"
                    "ください。")
NOT_PROVEN = ("判断した監督者がパスワードでパッケージを開いて行った判断であることを確かめられない"
              "ため、取り込みませんでした（パッケージの内容が書き換えられた可能性があります）。")
OVERLAPPED = ("取り込み中に他の操作と重なりました。もう一度取り込んでください"
              "（取り込み済みの判断は重ねて記録されません）。")


@dataclass(frozen=True, slots=True)
class Conflict:
    """A decision of the package not brought into the database, and why (Japanese)."""

    consultation_id: int | None
    district_code: str
    day: date
    reason: str

    @property
    def district_name(self) -> str:
        district = ref.DISTRICTS_BY_CODE.get(self.district_code)
        return district.name if district else self.district_code


@dataclass(frozen=True, slots=True)
class ImportReport:
    package_id: str
    applied: int
    already: int
    conflicts: tuple[Conflict, ...] = field(default_factory=tuple)


@use_case
def import_package(db: Database, actor: StaffProfile, data: bytes, passphrase: str, *,
                   today: date | None = None, now: datetime | None = None) -> ImportReport:
    """Bring the package's offline decisions into the database, in one transaction.

    Refused whole when the package was exported from another database. A decision already
    imported is counted in ``already``; one that no longer fits, or is not proven to be its
    reviewer's, is reported in ``conflicts`` and not applied; the rest are recorded as made
    offline (``source`` "package", the offline reviewer and time).
    """
    # A wrong passphrase, a tampered file or an expired package: nothing, not even an audit row.
    package = open_package(data, passphrase, now=now)
    today = today or local_now().date()
    conflicts: list[Conflict] = []
    try:
        with db.transaction() as session:
            database = identity(session)
            if package.database_id != database.database_id:
                raise refusal(PermissionDeniedError(FOREIGN_DATABASE), actor,
                              "permission_denied", entity="package",
                              entity_id=package.package_id,
                              detail="package_import foreign_database")
            _check_scope(actor, package)
            applied, already = _apply(session, actor, package, database, today, conflicts)
    except DatabaseConflictError as error:
        # The same package imported, or the day signed off, meanwhile: a unique key refused
        # the second row.
        raise ServiceError(OVERLAPPED) from error
    return ImportReport(package.package_id, applied, already, tuple(conflicts))


def _check_scope(actor: StaffProfile, package: Package) -> None:
    allowed = reviewable_districts(actor)
    if not allowed:
        raise refusal(PermissionDeniedError(NOT_A_REVIEWER), actor, "permission_denied",
                      detail="package_import")
    if not set(package.districts) <= set(allowed):
        raise refusal(PermissionDeniedError(IMPORT_OUT_OF_SCOPE), actor, "permission_denied",
                      entity="package", entity_id=package.package_id, detail="package_import")


def _reviewer_now(session: Session, decision: OfflineDecision) -> StaffProfile | None:
    staff = session.get(Staff, decision.staff_id)
    if staff is None or not staff.active or staff.login != decision.login:
        return None
    profile = profile_of(staff)
    return profile if decision.district_code in reviewable_districts(profile) else None


def _versions(session: Session, day: date, district_code: str) -> dict[int, int]:
    return {cid: version or 1 for cid, version in session.execute(
        select(Consultation.id, ConsultationDetail.version)
        .outerjoin(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
        .where(Consultation.received_on == day, Consultation.district_code == district_code))}



def _apply(session: Session, actor: StaffProfile, package: Package, database: Identity,
           today: date, conflicts: list[Conflict]) -> tuple[int, int]:
    exported = {row.consultation_id: row for review in package.days() for row in review.rows}
    own_uids = {d.uid for d in package.decisions}
    applied = already = 0
    uids = [d.uid for d in package.decisions]
    known = set(session.scalars(select(CaseReview.decision_uid)
                                .where(CaseReview.decision_uid.in_(uids))))
    known |= set(session.scalars(select(DaySignoff.decision_uid)
                                 .where(DaySignoff.decision_uid.in_(uids))))
    for decision in package.decisions:
        if decision.uid in known:
            already += 1
            continue
        reason = (_scope_conflict(actor, package, decision)
                  or _proof_conflict(package, database, decision)) or (
            _case_conflict(session, decision, exported, package, own_uids)
            if decision.kind == "case"
            else _signoff_conflict(session, decision, exported, today))
        if reason is None and _reviewer_now(session, decision) is None:
            reason = NOT_A_REVIEWER_NOW
        if reason is not None:
            conflicts.append(Conflict(decision.consultation_id, decision.district_code,
                                      decision.day, reason))
            continue
        source = f"package={package.package_id} reviewer={decision.login}"
        if decision.kind == "case":
            assert decision.decision is not None and decision.seen_version is not None
            session.add(CaseReview(
                decision_uid=decision.uid, consultation_id=decision.consultation_id,
                decision=decision.decision.value, comment=decision.comment,
                version=decision.seen_version, reviewed_by=decision.staff_id,
                reviewed_at=decision.at, source="package"))
            audit.record(session, actor, "review_decide", entity="consultation",
                         entity_id=decision.consultation_id, fields=("decision", "comment"),
                         detail=f"{decision.decision.value} {source}")
        else:
            session.add(DaySignoff(
                decision_uid=decision.uid, district_code=decision.district_code,
                day=decision.day, signed_by=decision.staff_id, signed_at=decision.at,
                comment=decision.comment, source="package"))
            audit.record(session, actor, "day_signoff", entity="day",
                         entity_id=decision.day.isoformat(),
                         detail=f"{decision.district_code} {source}")
        session.flush()
        applied += 1
    audit.record(session, actor, "package_import", entity="package",
                 entity_id=package.package_id,
                 detail=f"applied={applied} already={already} conflicts={len(conflicts)}")
    return applied, already


def _scope_conflict(actor: StaffProfile, package: Package, decision: OfflineDecision
                    ) -> str | None:
    """A decision must be about a district of the package that both the importer and the
    packaged reviewer who made it cover (a package edited by hand must not bring in more)."""
    reviewer = package.reviewer(decision.login)
    if (decision.district_code not in package.districts
            or decision.district_code not in reviewable_districts(actor)
            or reviewer is None or reviewer.staff_id != decision.staff_id
            or decision.district_code not in reviewer.districts):
        return OUTSIDE_PACKAGE
    return None


def _proof_conflict(package: Package, database: Identity, decision: OfflineDecision
                    ) -> str | None:
    """The decision must carry the proof that only its reviewer's token makes: the token is
    derived again here from the key that never leaves this database."""
    token = proof.reviewer_token(database.package_key, package.package_id, decision.staff_id,
                                 decision.login)
    return None if proof.verify(token, package.package_id, decision.to_json()) else NOT_PROVEN


def _case_conflict(session: Session, decision: OfflineDecision, exported: dict[int, ReviewRow],
                   package: Package, own_uids: set[str]) -> str | None:
    cid = decision.consultation_id
    row = exported.get(cid) if cid is not None else None
    case = session.get(Consultation, cid) if cid is not None else None
    if row is None or case is None or case.district_code != decision.district_code:
        return CASE_NOT_FOUND
    detail = session.get(ConsultationDetail, cid)
    current = (detail.version or 1) if detail else 1
    if current != decision.seen_version or current != row.version:
        return AMENDED_SINCE
    since = session.scalars(select(CaseReview.decision_uid).where(
        CaseReview.consultation_id == cid, CaseReview.reviewed_at > package.exported_at)).all()
    if any(uid not in own_uids for uid in since):
        return DECIDED_SINCE
    return None


def _signoff_conflict(session: Session, decision: OfflineDecision,
                      exported: dict[int, ReviewRow], today: date) -> str | None:
    done = session.execute(
        select(DaySignoff, Staff.name).join(Staff, Staff.id == DaySignoff.signed_by)
        .where(DaySignoff.day == decision.day,
               DaySignoff.district_code == decision.district_code)).first()
    if done is not None:
        return f"この日は既に{done[1]}さんが日次確認しているため、取り込みませんでした。"
    packaged = {cid: row.version for cid, row in exported.items()
                if row.district_code == decision.district_code
                and row.received_at.date() == decision.day}
    if _versions(session, decision.day, decision.district_code) != packaged:
        return DAY_CHANGED_SINCE
    review = read_day(session, decision.day, [decision.district_code], today)
    problem = review.signoff_problem(decision.district_code)
    if problem:
        return f"日次確認を取り込めませんでした: {problem}"
    return None
