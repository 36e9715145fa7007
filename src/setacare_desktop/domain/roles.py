"""Staff roles and the scope rules that decide which cases a staff member may see.

These are the rules; the services enforce them (the UI only hides what they would refuse).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from setacare_desktop.domain.reference import AREAS_BY_CODE, DISTRICTS_BY_CODE, OrgKind


class Role(StrEnum):
    COUNTER = "counter"  # 受付
    CONSULTANT = "consultant"  # 相談員
    SUPERVISOR = "supervisor"  # 監督者
    ADMINISTRATOR = "administrator"  # 管理者

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Role:
        """Accept the stored code or the Japanese label (「受付」)."""
        for role, label in ROLE_LABELS.items():
            if text in (role.value, label):
                return role
        raise ValueError(text)


ROLE_LABELS: dict[Role, str] = {
    Role.COUNTER: "受付",
    Role.CONSULTANT: "相談員",
    Role.SUPERVISOR: "監督者",
    Role.ADMINISTRATOR: "管理者",
}

CASE_ROLES = frozenset({Role.COUNTER, Role.CONSULTANT, Role.SUPERVISOR})


@dataclass(frozen=True, slots=True)
class StaffProfile:
    """Who is acting: what the rules need to know about a logged-in staff member."""

    staff_id: int
    login: str
    name: str
    role: Role
    org_kind: OrgKind
    organisation_name: str
    district_code: str | None  # set for district partners
    area_code: str  # the district's area, or the branch's own area
    can_manage_accounts: bool = False
    #: The organisation the staff member belongs to: decides whose cases they see whole
    #: (``domain.visibility``). 0 for a profile not read from the database: it sees no one whole.
    organisation_id: int = 0

    @property
    def is_area_staff(self) -> bool:
        return self.district_code is None


def can_read_cases(actor: StaffProfile, district_code: str) -> bool:
    """May ``actor`` read the case details of consultations taken in ``district_code``?

    A counter clerk or consultant reads their own district only; a supervisor reads their district,
    or every district of their area when they sit at the area branch. An administrator has no case
    role and reads no case details.
    """
    if actor.role not in CASE_ROLES:
        return False
    district = DISTRICTS_BY_CODE.get(district_code)
    if district is None:
        return False
    if actor.district_code is not None:
        return actor.district_code == district_code
    # Area-branch staff: supervisors (and consultants backing the districts up) see the area.
    return district.area_code == actor.area_code


def can_write_cases(actor: StaffProfile, district_code: str) -> bool:
    """Writing follows the same scope as reading."""
    return can_read_cases(actor, district_code)


def readable_districts(actor: StaffProfile) -> list[str]:
    """District codes whose cases ``actor`` may read, in the ward's order."""
    return [code for code in DISTRICTS_BY_CODE if can_read_cases(actor, code)]


def place_label(actor: StaffProfile) -> str:
    """Where the staff member works: 「池尻地区」, or 「世田谷地域」 at an area branch."""
    if actor.district_code is not None:
        return f"{DISTRICTS_BY_CODE[actor.district_code].name}地区"
    return f"{AREAS_BY_CODE[actor.area_code].name}地域"


def can_manage_accounts(actor: StaffProfile) -> bool:
    return actor.role is Role.ADMINISTRATOR or actor.can_manage_accounts
