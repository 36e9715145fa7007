"""``setacare referral list``: referrals of the districts a staff member reads, filtered by
consultation, person, day referred and status, as the referral lists show them (the texts of a
consultation seen masked are 「（非表示）」; ``services.referrals``).

Filtering by a person the caller may not see is refused (audited), so a masked person is never
found through their referrals (docs/privacy.md, rule 4). A list that shows anything is audited
(``referral_list``).
"""

from __future__ import annotations

from datetime import date

from setacare_desktop.domain import roles
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.referral import ReferralStatus
from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.guard import require_case_read
from setacare_desktop.services.intake import case_district
from setacare_desktop.services.persons import require_person_visible
from setacare_desktop.services.referrals import ReferralRow, _query, _rows
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Consultation, ConsultationDetail, Referral

#: At most this many rows (newest first).
LIMIT = 1000


@use_case
def list_referrals(db: Database, actor: StaffProfile, *, consultation_id: int | None = None,
                   person_id: int | None = None, referred_on: date | None = None,
                   status: ReferralStatus | None = None, today: date | None = None
                   ) -> list[ReferralRow]:
    """Referrals newest first, at most :data:`LIMIT`."""
    districts = roles.readable_districts(actor)
    with db.transaction() as session:
        if consultation_id is not None:
            require_case_read(actor, case_district(session, consultation_id), "referral_list")
        if person_id is not None:
            require_person_visible(session, actor, person_id, "referral_list")
        query = _query().where(Consultation.district_code.in_(districts))
        if consultation_id is not None:
            query = query.where(Referral.consultation_id == consultation_id)
        if person_id is not None:
            query = query.join(ConsultationDetail,
                               ConsultationDetail.consultation_id == Referral.consultation_id
                               ).where(ConsultationDetail.person_id == person_id)
        if referred_on is not None:
            query = query.where(Referral.referred_on == referred_on)
        if status is not None:
            query = query.where(Referral.status == status.value)
        query = query.order_by(Referral.referred_on.desc(), Referral.id.desc()).limit(LIMIT)
        rows = _rows(session, actor, query, today or local_now().date(), "referral_list")
        if rows:
            audit.record(session, actor, "referral_list", entity="referral",
                         detail=",".join(districts))
        return rows
