"""Role and scope are enforced by the services, and refusals are audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from setacare_desktop.services import Database, PermissionDeniedError, audit
from setacare_desktop.services.consultations import list_day
from setacare_desktop.store.models import Consultation, ConsultationTargetGroup, Organisation

DAY = date(2026, 11, 24)


def add_case(db: Database, district: str, staff_id: int, complaint: str) -> None:
    import sqlalchemy as sa

    with db.transaction() as session:
        org_id = session.scalar(sa.select(Organisation.id).where(
            Organisation.district_code == district, Organisation.kind == "machizukuri"))
        case = Consultation(
            received_at=datetime(2026, 11, 24, 10, 0), received_on=DAY,
            channel_code="phone", consulter_kind_code="self", district_code=district,
            organisation_id=org_id, staff_id=staff_id, main_complaint=complaint, urgent=False,
        )
        case.target_groups.append(ConsultationTargetGroup(code="elderly"))
        session.add(case)


def test_scope_by_role(any_db: Database, staff_factory: Callable) -> None:
    ikejiri = staff_factory(any_db, "ikejiri-clerk", place="池尻")
    karasuyama = staff_factory(any_db, "karasuyama-clerk", place="烏山")
    add_case(any_db, "ikejiri", ikejiri.staff_id, "池尻の相談")
    add_case(any_db, "karasuyama", karasuyama.staff_id, "烏山の相談")
    add_case(any_db, "kamikitazawa", karasuyama.staff_id, "上北沢の相談")

    assert [r.main_complaint for r in list_day(any_db, ikejiri, DAY)] == ["池尻の相談"]
    area_boss = staff_factory(any_db, "area-boss", role="監督者", place="烏山",
                              org_kind="総合支所")
    # In scope, but taken by another organisation without consent to the branch: masked rows.
    rows = list_day(any_db, area_boss, DAY)
    assert {r.district_name for r in rows} == {"烏山", "上北沢"}
    assert all(r.masked and r.main_complaint == "（非表示）" for r in rows)

    with pytest.raises(PermissionDeniedError, match="権限がありません"):
        list_day(any_db, ikejiri, DAY, "karasuyama")
    admin = staff_factory(any_db, "admin", role="管理者", place="世田谷", org_kind="総合支所")
    with pytest.raises(PermissionDeniedError):
        list_day(any_db, admin, DAY)
    denied = [e for e in audit.recent(any_db) if e.action == "permission_denied"]
    assert {e.login for e in denied} == {"ikejiri-clerk", "admin"}
