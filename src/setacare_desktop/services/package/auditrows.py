"""The audit rows a package carries (操作記録), so the offline review covers them too.

A package holds the audit rows of its days (the ward's local days, start to end) that belong to
its districts. An audit row belongs to a district by what it names, else by who acted:

1. a consultation, a person, a referral or a consent named by the row: that record's district;
   a district named by the row (a refusal about a district): that district;
2. otherwise the district of the acting staff member's organisation (for a failed login with no
   actor: of the account it names);
3. a row of area-branch staff (総合支所, no district) that names no record belongs to the area's
   packages (scope 「…地域」), not to a district's.

Audit rows hold field names and codes, never values (``services.audit``), so nothing here needs
masking. Reading them happens inside the export's transaction; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import JST
from setacare_desktop.store.models import (
    AuditEvent,
    ConsentRecordRow,
    Consultation,
    Organisation,
    Person,
    Referral,
    Staff,
)

#: The audit actions, as the 操作記録 list shows them (an action not listed shows its code).
ACTION_LABELS = {
    "login": "ログイン", "logout": "ログアウト", "login_failed": "ログイン失敗",
    "login_refused_locked": "ロック中のログイン", "account_locked": "アカウントのロック",
    "credentials_verified": "パスワードの確認", "permission_denied": "権限のない操作（拒否）",
    "consultation_create": "相談の記録", "consultation_amend": "相談の修正",
    "consultation_view": "相談の閲覧", "consultation_list": "相談の一覧",
    "consultation_search": "相談の検索", "person_create": "対象者の登録",
    "person_update": "対象者の更新", "person_view": "対象者の閲覧",
    "consent_record": "同意の記録", "consent_withdraw": "同意の撤回",
    "emergency_exception": "緊急時の例外", "referral_create": "つなぎの記録",
    "referral_update": "つなぎの更新", "sheet_print": "連携シートの印刷",
    "sheet_refused": "連携シートの拒否", "intake_print": "相談受付票の印刷",
    "day_list_print": "日別一覧の印刷", "review_list": "確認画面の表示",
    "review_decide": "確認・差戻し", "day_signoff": "日次確認", "returned_list": "差戻しの一覧",
    "package_export": "日次パッケージの書き出し", "package_import": "日次パッケージの取り込み",
    "draft_create": "下書きの保存", "draft_discard": "下書きの破棄",
    "draft_from_pc": "このPCに残した下書きの取り込み", "stats": "統計",
    "staff_create": "職員の登録", "directory_edit": "つなぎ先の編集",
    "directory_import": "つなぎ先の取り込み",
}


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit row in a package. ``at`` is naive UTC, as stored."""

    event_id: int
    at: datetime
    login: str
    staff_name: str
    organisation_name: str
    action: str
    entity: str | None
    entity_id: str | None
    fields: tuple[str, ...]
    detail: str
    district_code: str | None  # None: an area branch's own row (area packages only)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def place_label(self) -> str:
        district = ref.DISTRICTS_BY_CODE.get(self.district_code or "")
        return f"{district.name}地区" if district else "総合支所"

    def to_json(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "at": self.at.isoformat(), "login": self.login,
                "staff_name": self.staff_name, "organisation_name": self.organisation_name,
                "action": self.action, "entity": self.entity, "entity_id": self.entity_id,
                "fields": list(self.fields), "detail": self.detail,
                "district_code": self.district_code}

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> AuditRow:
        return cls(int(item["event_id"]), datetime.fromisoformat(item["at"]), str(item["login"]),
                   str(item["staff_name"]), str(item["organisation_name"]), str(item["action"]),
                   item["entity"], item["entity_id"], tuple(str(f) for f in item["fields"]),
                   str(item["detail"]), item["district_code"])


def utc_window(start: date, end: date) -> tuple[datetime, datetime]:
    """The ward's days ``start``..``end`` as naive UTC [from, to)."""
    def utc(day: date) -> datetime:
        return datetime.combine(day, time.min, JST).astimezone(UTC).replace(tzinfo=None)

    return utc(start), utc(end + timedelta(days=1))


def _ids(events: Iterable[AuditEvent], entity: str) -> set[int]:
    found = set()
    for event in events:
        if event.entity == entity and event.entity_id and event.entity_id.isdigit():
            found.add(int(event.entity_id))
    return found


def _named_districts(session: Session, events: list[AuditEvent]
                     ) -> dict[tuple[str, str], str]:
    """(entity, entity id) → district, for the records the rows name."""
    found: dict[tuple[str, str], str] = {}
    lookups: list[tuple[str, Any]] = [
        ("consultation", select(Consultation.id, Consultation.district_code)),
        ("person", select(Person.id, Person.district_code)),
        ("referral", select(Referral.id, Consultation.district_code)
         .join(Consultation, Consultation.id == Referral.consultation_id)),
        ("consent", select(ConsentRecordRow.id, Person.district_code)
         .join(Person, Person.id == ConsentRecordRow.person_id)),
    ]
    for entity, query in lookups:
        ids = sorted(_ids(events, entity))
        column = query.selected_columns[0]
        for chunk in range(0, len(ids), 500):
            for record_id, district in session.execute(
                    query.where(column.in_(ids[chunk:chunk + 500]))):
                found[(entity, str(record_id))] = district
    return found


def read_audit_rows(session: Session, start: date, end: date, districts: Iterable[str],
                    area_code: str | None) -> list[AuditRow]:
    """The audit rows of the days that belong to ``districts`` (and, for an area package, to
    the area branch of ``area_code``), oldest first."""
    wanted = set(districts)
    since, until = utc_window(start, end)
    events = list(session.scalars(select(AuditEvent).where(
        AuditEvent.at >= since, AuditEvent.at < until).order_by(AuditEvent.id)))
    named = _named_districts(session, events)
    staff_ids = {e.staff_id for e in events if e.staff_id is not None}
    staff_ids |= {int(e.entity_id) for e in events if e.staff_id is None and e.entity == "staff"
                  and e.entity_id and e.entity_id.isdigit()}
    staff: dict[int, tuple[str, Organisation]] = {}
    if staff_ids:
        staff = {sid: (name, org) for sid, name, org in session.execute(
            select(Staff.id, Staff.name, Organisation)
            .join(Organisation, Organisation.id == Staff.organisation_id)
            .where(Staff.id.in_(sorted(staff_ids))))}
    rows = []
    for event in events:
        actor = staff.get(event.staff_id) if event.staff_id is not None else None
        owner = actor or (staff.get(int(event.entity_id)) if event.entity == "staff"
                          and event.entity_id and event.entity_id.isdigit() else None)
        district: str | None = named.get((event.entity or "", event.entity_id or ""))
        if district is None and event.entity == "district" and event.entity_id in wanted:
            district = event.entity_id
        org = owner[1] if owner else None
        if district is None and org is not None:
            district = org.district_code
        if district is not None:
            if district not in wanted:
                continue
        elif org is None or area_code is None or org.area_code != area_code:
            continue
        rows.append(AuditRow(
            event.id, event.at, event.login, actor[0] if actor else "",
            actor[1].name if actor else "", event.action, event.entity, event.entity_id,
            tuple(event.fields or ()), event.detail or "", district))
    return rows

