"""Refusing a call: the refusal carries its audit row, written once its use case rolled back.

Nothing here opens a session: the checks run inside the caller's one transaction, and the
``@use_case`` decorator (``services.unit``) audits the refusal afterwards in its own.
"""

from __future__ import annotations

from setacare_desktop.domain import roles
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services.errors import PermissionDeniedError
from setacare_desktop.services.unit import refusal

LOGIN_REQUIRED = "この操作にはログインが必要です。"


def require_login(actor: StaffProfile | None, action: str) -> None:
    """Refuse (audited, as ``(system)``) a call that names no logged-in staff member."""
    if actor is None:
        raise refusal(PermissionDeniedError(LOGIN_REQUIRED), None, "permission_denied",
                      detail=action)


def deny(actor: StaffProfile, action: str, message: str, *, entity: str | None = None,
         entity_id: object = None) -> PermissionDeniedError:
    """The error to raise; its audit row (``permission_denied``) is written after rollback."""
    return refusal(PermissionDeniedError(message), actor, "permission_denied", entity=entity,
                   entity_id=entity_id, detail=action)


def require_account_manager(actor: StaffProfile, action: str) -> None:
    if not roles.can_manage_accounts(actor):
        raise deny(actor, action, "この操作は管理者のみ行えます。")


def require_case_read(actor: StaffProfile, district_code: str, action: str) -> None:
    if not roles.can_read_cases(actor, district_code):
        raise deny(actor, action, "この地区の相談記録を閲覧する権限がありません。",
                   entity="district", entity_id=district_code)
