"""Refusing a call: audit the refusal (in its own transaction), then raise."""

from __future__ import annotations

from setacare_desktop.domain import roles
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.errors import PermissionDeniedError
from setacare_desktop.store.database import Database


def deny(db: Database, actor: StaffProfile, action: str, message: str, *,
         entity: str | None = None, entity_id: object = None) -> PermissionDeniedError:
    audit.record_alone(db, actor, "permission_denied", entity=entity, entity_id=entity_id,
                       detail=action)
    return PermissionDeniedError(message)


def require_account_manager(db: Database, actor: StaffProfile, action: str) -> None:
    if not roles.can_manage_accounts(actor):
        raise deny(db, actor, action, "この操作は管理者のみ行えます。")


def require_case_read(db: Database, actor: StaffProfile, district_code: str, action: str) -> None:
    if not roles.can_read_cases(actor, district_code):
        raise deny(db, actor, action,
                   "この地区の相談記録を閲覧する権限がありません。", entity="district",
                   entity_id=district_code)
