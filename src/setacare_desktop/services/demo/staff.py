"""The demo's staff: an account for each role at every organisation, sharing one password.

The logins follow one pattern (``demo-<district>-<organisation>-<role>``) that the README and
``setacare demo`` print, so they are built here and nowhere else.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.passwords import password_problems
from setacare_desktop.domain.roles import Role
from setacare_desktop.services.demo.tables import tables
from setacare_desktop.services.passwords import hash_password
from setacare_desktop.store.models import Organisation, Staff, utc_now

DEMO_PASSWORD = "demo-pass-2026"
DEMO_LOGIN_PREFIX = "demo-"
ADMIN_LOGIN = "demo-admin"

assert not password_problems(DEMO_PASSWORD, ADMIN_LOGIN)

_ORG_SHORT: dict[ref.OrgKind, str] = {
    ref.OrgKind.MACHIZUKURI: "machi",
    ref.OrgKind.ANSHIN: "anshin",
    ref.OrgKind.SHAKYO: "shakyo",
    ref.OrgKind.JIDOKAN: "jidokan",
    ref.OrgKind.BRANCH: "branch",
}

#: (role, login suffix) of the accounts each kind of organisation gets. The district supervisor sits
#: at the まちづくりセンター, which coordinates the four partners (seed 002 line 319).
_STAFFING: dict[ref.OrgKind, tuple[tuple[Role, str], ...]] = {
    ref.OrgKind.MACHIZUKURI: ((Role.COUNTER, "counter"), (Role.CONSULTANT, "consultant")),
    ref.OrgKind.ANSHIN: (
        (Role.COUNTER, "counter"),
        (Role.CONSULTANT, "consultant"),
        (Role.CONSULTANT, "consultant2"),
        (Role.CONSULTANT, "consultant3"),
    ),
    ref.OrgKind.SHAKYO: ((Role.COUNTER, "counter"), (Role.CONSULTANT, "consultant")),
    ref.OrgKind.JIDOKAN: ((Role.COUNTER, "counter"),),
    ref.OrgKind.BRANCH: ((Role.SUPERVISOR, "supervisor"), (Role.CONSULTANT, "consultant")),
}


@dataclass(frozen=True, slots=True)
class DemoLogin:
    login: str
    name: str
    role_label: str
    organisation_name: str


def demo_login(kind: ref.OrgKind, suffix: str, place_code: str) -> str:
    """``demo-ikejiri-anshin-counter``; an area branch: ``demo-setagaya-branch-supervisor``."""
    return f"{DEMO_LOGIN_PREFIX}{place_code}-{_ORG_SHORT[kind]}-{suffix}"


def district_supervisor_login(district_code: str) -> str:
    return f"{DEMO_LOGIN_PREFIX}{district_code}-supervisor"


def create_staff(session: Session, orgs: list[Organisation], rng: random.Random) -> int:
    password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    created = utc_now()
    rows: list[dict[str, Any]] = []
    surnames, given_names = tables().staff_surnames, tables().staff_given_names

    def add(login: str, role: Role, org: Organisation, *, manager: bool = False) -> None:
        rows.append({
            "login": login,
            "name": f"{rng.choice(surnames)} {rng.choice(given_names)}",
            "role": role.value,
            "can_manage_accounts": manager,
            "organisation_id": org.id,
            "password_hash": password_hash,
            "failed_attempts": 0,
            "locked_until": None,
            "active": True,
            "created_at": created,
        })

    admin_org: Organisation | None = None
    for org in orgs:
        kind = ref.OrgKind(org.kind)
        place = org.district_code or org.area_code
        for role, suffix in _STAFFING[kind]:
            add(demo_login(kind, suffix, place), role, org)
        if kind is ref.OrgKind.MACHIZUKURI and org.district_code:
            add(district_supervisor_login(org.district_code), Role.SUPERVISOR, org)
        if kind is ref.OrgKind.BRANCH and admin_org is None:
            admin_org = org
    if admin_org is not None:
        add(ADMIN_LOGIN, Role.ADMINISTRATOR, admin_org, manager=True)
    session.execute(insert(Staff.__table__), rows)
    return len(rows)


def staff_pool(session: Session) -> dict[int, tuple[list[int], list[int]]]:
    """Per organisation: (ids of counter clerks, ids of consultants) among the demo accounts."""
    pool: dict[int, tuple[list[int], list[int]]] = {}
    rows = session.execute(
        select(Staff.id, Staff.role, Staff.organisation_id)
        .where(Staff.login.startswith(DEMO_LOGIN_PREFIX, autoescape=True), Staff.active)
        .order_by(Staff.id)
    )
    for staff_id, role, org_id in rows:
        counters, consultants = pool.setdefault(org_id, ([], []))
        if role == Role.COUNTER.value:
            counters.append(staff_id)
        elif role in (Role.CONSULTANT.value, Role.SUPERVISOR.value):
            consultants.append(staff_id)
    return pool


def demo_logins(session: Session) -> tuple[DemoLogin, ...]:
    rows = session.execute(
        select(Staff.login, Staff.name, Staff.role, Organisation.name)
        .join(Organisation, Staff.organisation_id == Organisation.id)
        .where(Staff.login.startswith(DEMO_LOGIN_PREFIX, autoescape=True))
        .order_by(Organisation.id, Staff.id)
    )
    return tuple(DemoLogin(login, name, Role(role).label, org_name)
                 for login, name, role, org_name in rows)
