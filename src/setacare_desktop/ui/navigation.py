"""The main window's work areas, in the navigation's order, and who may use each.

A role sees only its areas (no page telling it about others); adding an area is one line in
``AREAS`` and one in ``AREA_ROLES``. The pages themselves are built by ``ui.main_window``.
"""

from __future__ import annotations

from setacare_desktop.domain.roles import CASE_ROLES, Role, StaffProfile, can_manage_accounts

AREA_INTAKE = "受付"
AREA_TODAY = "本日の相談"
AREA_REFERRALS = "つなぎ先"
AREA_SHEETS = "連携シート"
AREA_REVIEW = "確認・統計"
AREA_ADMIN = "管理"
AREA_AUDIT = "操作記録"
AREA_PERSON = "相談者"
AREA_FOLLOWUPS = "やること"

#: The work areas in the order of the navigation list.
AREAS: tuple[str, ...] = (
    AREA_INTAKE, AREA_TODAY, AREA_REFERRALS, AREA_SHEETS, AREA_REVIEW, AREA_ADMIN, AREA_AUDIT,
    AREA_PERSON, AREA_FOLLOWUPS)

_OVERSIGHT = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})
#: Who may use each area: the navigation lists only these.
AREA_ROLES: dict[str, frozenset[Role]] = {
    AREA_INTAKE: CASE_ROLES,
    AREA_TODAY: CASE_ROLES,
    AREA_REFERRALS: CASE_ROLES,
    AREA_SHEETS: CASE_ROLES,
    AREA_REVIEW: _OVERSIGHT,
    AREA_ADMIN: frozenset({Role.ADMINISTRATOR}),
    AREA_AUDIT: _OVERSIGHT,
    AREA_PERSON: CASE_ROLES,
    AREA_FOLLOWUPS: CASE_ROLES,
}


def visible_areas(profile: StaffProfile) -> tuple[str, ...]:
    """The areas ``profile`` may use, in the navigation's order (管理 also for any staff member
    allowed to manage accounts)."""
    return tuple(area for area in AREAS
                 if profile.role in AREA_ROLES[area]
                 or (area == AREA_ADMIN and can_manage_accounts(profile)))
