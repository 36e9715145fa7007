"""Scope rules: who may read which district's cases."""

from __future__ import annotations

from setacare_desktop.domain.reference import OrgKind
from setacare_desktop.domain.roles import (
    Role,
    StaffProfile,
    can_manage_accounts,
    can_read_cases,
    readable_districts,
)


def profile(role: Role, *, district: str | None, area: str, admin: bool = False) -> StaffProfile:
    kind = OrgKind.MACHIZUKURI if district else OrgKind.BRANCH
    return StaffProfile(1, "x", "x", role, kind, "x", district, area, admin)


def test_counter_clerk_reads_only_own_district() -> None:
    clerk = profile(Role.COUNTER, district="ikejiri", area="setagaya")
    assert can_read_cases(clerk, "ikejiri")
    assert not can_read_cases(clerk, "taishido")
    assert readable_districts(clerk) == ["ikejiri"]


def test_area_branch_supervisor_reads_the_area() -> None:
    supervisor = profile(Role.SUPERVISOR, district=None, area="karasuyama")
    assert readable_districts(supervisor) == ["kamikitazawa", "kamisoshigaya", "karasuyama"]
    assert not can_read_cases(supervisor, "ikejiri")


def test_administrator_reads_no_cases_but_manages_accounts() -> None:
    admin = profile(Role.ADMINISTRATOR, district=None, area="setagaya", admin=True)
    assert readable_districts(admin) == []
    assert can_manage_accounts(admin)


def test_supervisor_with_admin_right_does_both() -> None:
    boss = profile(Role.SUPERVISOR, district="yoga", area="tamagawa", admin=True)
    assert can_manage_accounts(boss)
    assert can_read_cases(boss, "yoga")


def test_unknown_district_is_refused() -> None:
    assert not can_read_cases(profile(Role.COUNTER, district="ikejiri", area="setagaya"), "nowhere")


def test_role_parse_accepts_labels_and_codes() -> None:
    assert Role.parse("受付") is Role.COUNTER
    assert Role.parse("supervisor") is Role.SUPERVISOR
