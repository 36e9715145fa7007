"""The supervisor's review (area and day) and the referral lists: masked rows for the cases the
reviewer or clerk may not see, decisions still recorded on them, the taking organisation's
supervisor sees them whole. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from tests.privacy.conftest import (
    ANONYMOUS,
    CONSENTED,
    DAY,
    REFUSED,
    UNRECORDED,
    World,
    assert_hidden,
)

from setacare_desktop.domain.referral import ReferralStatus
from setacare_desktop.domain.review import Decision, ReviewState
from setacare_desktop.domain.visibility import MASKED_TEXT, Access
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services import referrals, review
from setacare_desktop.store.models import DirService, Referral, ReferralEvent

HIDDEN = (REFUSED, UNRECORDED, ANONYMOUS)


def _review(world: World, actor: object) -> dict[int, review.ReviewRow]:
    found = review.day_review(world.db, actor, DAY, today=DAY)  # type: ignore[arg-type]
    return {r.consultation_id: r for r in found.rows}


def _refer(world: World, key: str, request: str, reply: str) -> int:
    """A referral of the case with a request and a reply that name the person (written into the
    store: the referral gate is not what is tested here)."""
    with world.db.transaction() as session:
        service_id = session.scalar(select(DirService.id).order_by(DirService.id).limit(1))
        referral = Referral(
            consultation_id=world.ids[key], service_id=service_id, referred_on=DAY,
            method="phone", request=request, staff_id=world.taker.staff_id,
            reply_due=date(2099, 1, 1), status=ReferralStatus.SENT.value,
            status_reason="", anonymised=False, basis="consent", basis_note="本人の同意")
        session.add(referral)
        session.flush()
        session.add(ReferralEvent(referral_id=referral.id, occurred_on=DAY,
                                  staff_id=world.taker.staff_id, previous_status="created",
                                  status=ReferralStatus.SENT.value, reason="", reply=reply))
        return referral.id


def test_the_day_review_masks_what_the_supervisor_may_not_see(world: World) -> None:
    rows = _review(world, world.boss)
    assert_hidden(rows.values(), *HIDDEN)
    refused = rows[world.ids["refused"]]
    assert refused.masked and refused.person_name == "T.S.（80歳代）"
    assert (refused.main_complaint, refused.details) == (MASKED_TEXT, "")
    assert refused.organisation_name == "池尻あんしんすこやかセンター" and refused.flags
    assert rows[world.ids["consented"]].access is Access.CONSENT
    assert rows[world.ids["consented"]].details == CONSENTED.details


def test_confirming_and_returning_work_on_a_masked_row(world: World) -> None:
    cid = world.ids["refused"]
    review.decide(world.db, world.boss, cid, Decision.CONFIRMED, seen_version=1)
    review.decide(world.db, world.boss, world.ids["unrecorded"], Decision.RETURNED,
                  "分類を確認してください", seen_version=1)
    rows = _review(world, world.boss)
    assert rows[cid].state is ReviewState.CONFIRMED
    returned = rows[world.ids["unrecorded"]]
    assert returned.state is ReviewState.RETURNED and returned.comment == "分類を確認してください"
    assert_hidden(rows.values(), *HIDDEN)
    # The returned case is the taking organisation's to fix: listed to them, not to the 児童館.
    assert [r.consultation_id for r in review.returned_cases(world.db, world.taker)] == [
        world.ids["unrecorded"]]
    assert review.returned_cases(world.db, world.viewer) == []


def test_another_supervisors_comment_on_a_masked_row_is_not_shown(
        world: World, staff_factory: object) -> None:
    own = staff_factory(world.db, "anshin-boss", role="監督者",  # type: ignore[operator]
                        org_kind="あんしんすこやかセンター")
    review.decide(world.db, own, world.ids["refused"], Decision.RETURNED,
                  "鷹司さんの暴言の件を詳しく", seen_version=1)
    seen_by_taker_org = _review(world, own)[world.ids["refused"]]
    assert seen_by_taker_org.comment == "鷹司さんの暴言の件を詳しく"
    masked = _review(world, world.boss)[world.ids["refused"]]
    assert masked.comment == MASKED_TEXT and masked.reviewed_by == own.name
    assert_hidden([masked], REFUSED)


def test_withdrawal_masks_the_review_row_at_once(world: World) -> None:
    assert not _review(world, world.boss)[world.ids["consented"]].masked
    machi = next(r.consent_id for r in intake_service.consents_of(
        world.db, world.taker, world.persons["consented"] or 0)
        if r.recipient_name == "池尻まちづくりセンター")
    intake_service.withdraw_consent(world.db, world.taker, machi, on=DAY, reason="申し出")
    row = _review(world, world.boss)[world.ids["consented"]]
    assert row.masked
    assert_hidden([row], CONSENTED)


def test_referral_lists_hide_the_texts_of_a_masked_case(world: World) -> None:
    refused = _refer(world, "refused", "鷹司 冴子さんの暴言の件で訪問をお願いします",
                     "雅人さんと連絡が取れました")
    consented = _refer(world, "consented", "蒼汰くんの登校支援", "学校と面談しました")
    listed = {r.referral_id: r
              for r in referrals.open_referrals(world.db, world.viewer, "ikejiri")}
    assert_hidden(listed.values(), REFUSED)
    assert listed[refused].masked and listed[refused].request == MASKED_TEXT
    assert listed[refused].last_reply == MASKED_TEXT
    assert listed[consented].request == "蒼汰くんの登校支援"
    assert_hidden(referrals.events(world.db, world.viewer, refused), REFUSED)
    assert_hidden(referrals.referrals_of(world.db, world.viewer, world.ids["refused"]), REFUSED)
    whole = referrals.open_referrals(world.db, world.taker, "ikejiri")
    assert {r.request for r in whole} == {"鷹司 冴子さんの暴言の件で訪問をお願いします",
                                          "蒼汰くんの登校支援"}
    assert "雅人さんと連絡が取れました" in str(referrals.events(world.db, world.taker, refused))
