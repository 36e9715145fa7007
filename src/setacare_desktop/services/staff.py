"""Staff accounts: the first administrator, adding staff, listing them, the profile of a login.

Every account is added by a logged-in account manager, audited under that login. The one
exception is the very first account of an empty database, an administrator, which has nobody to
log in as: the window's first-start dialog (:func:`create_first_administrator`) and ``setacare
user add --first-administrator`` (:func:`add_staff` with no actor). Both refuse, audited, once any
account exists. Listing the accounts reads staff data: account managers only, audited.

Logins are kept as typed but compared without regard to case: ``Sato01`` cannot be added beside
``sato01``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from setacare_desktop.domain.logins import LOGIN_MAX
from setacare_desktop.domain.passwords import password_problems
from setacare_desktop.domain.reference import (
    AREAS_BY_CODE,
    AREAS_BY_NAME,
    DISTRICTS_BY_CODE,
    DISTRICTS_BY_NAME,
    OrgKind,
)
from setacare_desktop.domain.roles import Role, StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.errors import (
    PermissionDeniedError,
    Problem,
    ServiceError,
    ValidationError,
)
from setacare_desktop.services.guard import require_account_manager, require_login
from setacare_desktop.services.inputs import check_texts
from setacare_desktop.services.passwords import hash_password
from setacare_desktop.services.unit import refusal, use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Organisation, Staff, utc_now


@dataclass(frozen=True, slots=True)
class NewStaff:
    """What is needed to create an account. ``place`` is a district or area, code or name."""

    login: str
    name: str
    role: str
    place: str
    org_kind: str
    password: str
    can_manage_accounts: bool = False


@dataclass(frozen=True, slots=True)
class StaffRow:
    staff_id: int
    login: str
    name: str
    role_label: str
    organisation_name: str
    active: bool
    locked: bool


def profile_of(staff: Staff) -> StaffProfile:
    org = staff.organisation
    return StaffProfile(
        staff_id=staff.id,
        login=staff.login,
        name=staff.name,
        role=Role(staff.role),
        org_kind=OrgKind(org.kind),
        organisation_name=org.name,
        district_code=org.district_code,
        area_code=org.area_code,
        can_manage_accounts=staff.can_manage_accounts or staff.role == Role.ADMINISTRATOR,
        organisation_id=org.id,
    )


@use_case
def needs_first_administrator(db: Database) -> bool:
    """True on an empty database: the first start must create the administrator."""
    with db.read() as session:
        return not session.scalar(select(func.count()).select_from(Staff))


def _parse_org_kind(text: str) -> OrgKind | None:
    for kind in OrgKind:
        if text in (kind.value, kind.label):
            return kind
    return None


def _find_organisation(session: Session, place: str, kind: OrgKind) -> Organisation | None:
    if kind is OrgKind.BRANCH:
        area = AREAS_BY_CODE.get(place) or AREAS_BY_NAME.get(place.removesuffix("総合支所"))
        if area is None:
            return None
        return session.scalar(select(Organisation).where(
            Organisation.kind == kind.value, Organisation.area_code == area.code,
            Organisation.district_code.is_(None)))
    district = DISTRICTS_BY_CODE.get(place) or DISTRICTS_BY_NAME.get(place.removesuffix("地区"))
    if district is None:
        return None
    return session.scalar(select(Organisation).where(
        Organisation.kind == kind.value, Organisation.district_code == district.code))


def _validated(session: Session, new: NewStaff) -> tuple[Role, Organisation]:
    problems: list[Problem] = []
    login = new.login.strip()
    if not login:
        problems.append(Problem("ログインID", "入力してください"))
    elif len(login) > LOGIN_MAX or not login.isascii() or any(c.isspace() for c in login):
        problems.append(Problem(
            "ログインID", "半角英数字と記号（空白なし、64文字以内）で入力してください"))
    elif session.scalar(select(Staff.id).where(func.lower(Staff.login) == login.lower())
                        ) is not None:
        problems.append(Problem("ログインID", f"「{login}」は既に使われています"))
    if not new.name.strip():
        problems.append(Problem("氏名", "入力してください"))
    role: Role | None
    try:
        role = Role.parse(new.role)
    except ValueError:
        role = None
        problems.append(Problem("役割", f"「{new.role}」は役割ではありません"
                                             "（受付・相談員・監督者・管理者のいずれか）"))
    kind = _parse_org_kind(new.org_kind)
    org = None
    if kind is None:
        problems.append(Problem("所属", f"「{new.org_kind}」は所属の種類ではありません"))
    else:
        org = _find_organisation(session, new.place, kind)
        if org is None:
            what = "地域" if kind is OrgKind.BRANCH else "地区"
            problems.append(Problem(what, f"「{new.place}」は{what}ではありません"))
    for message in password_problems(new.password, login):
        field, _, problem = message.partition(": ")
        problems.append(Problem(field, problem))
    if problems:
        raise ValidationError(problems)
    assert role is not None and org is not None
    return role, org


def _create(session: Session, new: NewStaff) -> Staff:
    check_texts({"ログインID": new.login, "氏名": new.name})
    role, org = _validated(session, new)
    staff = Staff(
        login=new.login.strip(),
        name=new.name.strip(),
        role=role.value,
        can_manage_accounts=new.can_manage_accounts or role is Role.ADMINISTRATOR,
        organisation=org,
        password_hash=hash_password(new.password),
        failed_attempts=0,
        active=True,
    )
    session.add(staff)
    session.flush()
    return staff


def create_account(session: Session, new: NewStaff) -> StaffProfile:
    """Validate and insert an account in ``session`` (no role check, no audit row: the use cases
    below decide who may, and audit; a test's fixture calls this in its own transaction)."""
    return profile_of(_create(session, new))


STAFF_FIELDS = ("login", "name", "role", "organisation", "password", "can_manage_accounts")
FIRST_ADMINISTRATOR_TAKEN = "管理者は既に登録されています。ログインしてください。"
LOGIN_NEEDED = ("職員が登録済みのため、ログインが必要です（管理者として --as で実行してください）。"
                "ログインなしで登録できるのは、空のデータベースの最初の管理者だけです。")


def _first_administrator(session: Session, new: NewStaff, refused: ServiceError) -> StaffProfile:
    """The first account of an empty database (an administrator), audited under its own login;
    ``refused`` is raised once any account exists."""
    if session.scalar(select(func.count()).select_from(Staff)):
        raise refused
    staff = _create(session, new)
    if Role(staff.role) is not Role.ADMINISTRATOR:
        raise ValidationError([Problem("役割", "最初の職員は管理者にしてください"
                                             "（アカウントを管理できる職員がいなくなるため）")])
    profile = profile_of(staff)
    audit.record(session, profile, "staff_create", entity="staff", entity_id=staff.id,
                 fields=STAFF_FIELDS, detail="first administrator")
    return profile


@use_case
def create_first_administrator(db: Database, new: NewStaff) -> StaffProfile:
    """Create the administrator on an empty database; refused once any account exists."""
    with db.transaction() as session:
        new = NewStaff(new.login, new.name, Role.ADMINISTRATOR.value, new.place, new.org_kind,
                       new.password, True)
        return _first_administrator(session, new, ServiceError(FIRST_ADMINISTRATOR_TAKEN))


@use_case
def add_staff(db: Database, actor: StaffProfile | None, new: NewStaff) -> StaffProfile:
    """Add an account as ``actor``, a logged-in account manager. ``actor`` None is only for the
    first administrator of an empty database (``setacare user add --first-administrator``);
    refused, and audited, once any account exists."""
    if actor is not None:
        require_account_manager(actor, "staff_create")
    with db.transaction() as session:
        if actor is None:
            return _first_administrator(session, new, refusal(
                PermissionDeniedError(LOGIN_NEEDED), None, "permission_denied", entity="staff",
                detail="staff_create"))
        staff = _create(session, new)
        profile = profile_of(staff)
        audit.record(session, actor, "staff_create", entity="staff", entity_id=staff.id,
                     fields=STAFF_FIELDS)
        return profile


@use_case
def list_staff(db: Database, actor: StaffProfile) -> list[StaffRow]:
    """Every account, for an account manager (audited: it reads staff data)."""
    require_login(actor, "staff_list")
    require_account_manager(actor, "staff_list")
    now = utc_now()
    with db.transaction() as session:
        rows = session.scalars(select(Staff).join(Staff.organisation)
                               .order_by(Organisation.id, Staff.login))
        result = [
            StaffRow(s.id, s.login, s.name, Role(s.role).label, s.organisation.name, s.active,
                     s.locked_until is not None and s.locked_until > now)
            for s in rows
        ]
        audit.record(session, actor, "staff_list", entity="staff", detail=f"{len(result)} rows")
        return result
