"""本日の相談 (and every day list), opening a case, amending and linking: a person who refused
情報共有 to the viewer's organisation, or never recorded consent, is a masked record; the taking
organisation sees it whole; a withdrawal masks it again at the next read; an emergency
exception opens it, flagged and audited. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from tests.privacy.conftest import (
    ANONYMOUS,
    CONSENTED,
    DAY,
    NOW,
    PASSWORD,
    REFUSED,
    UNRECORDED,
    World,
    assert_hidden,
    assert_shown,
)

from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.visibility import MASKED_TEXT, Access
from setacare_desktop.services import PermissionDeniedError, audit, consultations
from setacare_desktop.services import intake as intake_service

HIDDEN = (REFUSED, UNRECORDED, ANONYMOUS)


def _rows(world: World, actor: object) -> dict[int, consultations.ConsultationRow]:
    return {r.consultation_id: r
            for r in consultations.list_day(world.db, actor, DAY)}  # type: ignore[arg-type]


@pytest.mark.parametrize("who", ["viewer", "boss", "branch"])
def test_the_day_list_masks_who_did_not_consent_to_the_viewer(world: World, who: str) -> None:
    rows = _rows(world, getattr(world, who))
    assert_hidden(rows.values(), *HIDDEN)
    refused, unrecorded = rows[world.ids["refused"]], rows[world.ids["unrecorded"]]
    assert (refused.person_name, refused.main_complaint) == ("T.S.（80歳代）", MASKED_TEXT)
    assert (unrecorded.person_name, unrecorded.main_complaint) == ("A.K.（70歳代）", MASKED_TEXT)
    assert refused.masked and unrecorded.masked and rows[world.ids["anonymous"]].masked
    assert "不同意" in refused.access_reason
    assert "同意が記録されていません" in unrecorded.access_reason
    # What the masked record keeps: classifications and urgency, not who or what.
    assert refused.urgent and refused.urgency_labels == ("虐待の疑い",)
    assert refused.target_labels == ("高齢者",) and refused.response_label == "助言"
    consented = rows[world.ids["consented"]]
    assert consented.access is Access.CONSENT and consented.person_name == CONSENTED.name


def test_the_taking_organisation_sees_every_row_whole(world: World) -> None:
    rows = _rows(world, world.taker)
    assert all(r.access is Access.WHOLE for r in rows.values())
    for spec in (REFUSED, UNRECORDED, CONSENTED):
        assert_shown(rows.values(), spec)
    assert rows[world.ids["anonymous"]].main_complaint == ANONYMOUS.complaint


def test_withdrawing_consent_masks_at_the_next_read(world: World) -> None:
    assert not _rows(world, world.viewer)[world.ids["consented"]].masked
    names = {r.consent_id: r.recipient_name
             for r in intake_service.consents_of(world.db, world.taker,
                                                 world.persons["consented"] or 0)}
    jidokan = next(i for i, name in names.items() if name == "池尻児童館")
    intake_service.withdraw_consent(world.db, world.taker, jidokan, on=DAY, reason="本人の申し出")
    row = _rows(world, world.viewer)[world.ids["consented"]]
    assert row.masked and "撤回" in row.access_reason
    assert_hidden([row], CONSENTED)
    assert not _rows(world, world.boss)[world.ids["consented"]].masked  # only the 児童館's


def test_a_masked_case_opens_as_its_masked_record_only(world: World) -> None:
    for key, spec in (("refused", REFUSED), ("unrecorded", UNRECORDED),
                      ("anonymous", ANONYMOUS)):
        cid = world.ids[key]
        assert not intake_service.case_access(world.db, world.viewer, cid).identifying
        masked = intake_service.masked_case(world.db, world.viewer, cid)
        assert_hidden([masked], spec)
        for refused_call in (intake_service.load_intake, intake_service.case_json):
            with pytest.raises(PermissionDeniedError) as refused:
                refused_call(world.db, world.viewer, cid)
            assert_hidden(refused.value.message, spec)
    masked = intake_service.masked_case(world.db, world.viewer, world.ids["refused"])
    assert masked.person_label == "T.S.（80歳代）" and masked.urgency_labels == ("虐待の疑い",)
    assert masked.organisation_name == "池尻あんしんすこやかセンター"
    assert "不同意" in masked.notice
    views = [e for e in audit.recent(world.db, 40) if e.action == "consultation_view"]
    assert any(e.detail == "masked" and e.login == "viewer" for e in views)
    denied = [e for e in audit.recent(world.db, 40) if e.action == "permission_denied"]
    assert any(e.detail == "consultation_view" and e.login == "viewer" for e in denied)


def test_the_taker_opens_it_whole(world: World) -> None:
    loaded = intake_service.load_intake(world.db, world.taker, world.ids["refused"])
    assert loaded.access is Access.WHOLE and not loaded.emergency
    assert loaded.data.person.name == REFUSED.name and loaded.data.details == REFUSED.details


def test_a_masked_case_cannot_be_amended_nor_its_person_linked(world: World) -> None:
    cid = world.ids["refused"]
    data = intake_service.load_intake(world.db, world.taker, cid).data
    with pytest.raises(PermissionDeniedError) as refused:
        intake_service.amend_intake(world.db, world.viewer, cid, data, expected_version=1,
                                    now=NOW)
    assert "修正できません" in refused.value.message
    # A new intake at the 児童館 naming the refused person's id: it would open their record.
    new = IntakeInput(received_at=f"{DAY:%Y-%m-%d} 15:00", channel="来所", district="池尻",
                      consulter_kind="本人", main_complaint="相談", target_groups=["高齢者"],
                      person=PersonInput(), person_id=world.persons["refused"])
    with pytest.raises(PermissionDeniedError) as linked:
        intake_service.record_intake(world.db, world.viewer, new, now=NOW)
    assert_hidden(linked.value.message, REFUSED)
    assert len(_rows(world, world.taker)) == 4  # nothing was recorded


def test_an_emergency_exception_opens_the_case_flagged_and_audited(world: World) -> None:
    cid = world.ids["unrecorded"]
    intake_service.record_emergency_exception(
        world.db, world.taker, cid, reason="意識がなく同意を得られない", supervisor_login="boss",
        supervisor_password=PASSWORD)
    row = _rows(world, world.viewer)[cid]
    assert row.access is Access.EMERGENCY and row.person_name == UNRECORDED.name
    assert "緊急時の例外" in row.access_reason
    loaded = intake_service.load_intake(world.db, world.viewer, cid)
    assert loaded.emergency and loaded.data.person.phone == UNRECORDED.phone
    flagged = [(e.login, e.entity_id, e.detail) for e in audit.recent(world.db, 20)
               if e.action == "consultation_view" and (e.detail or "").startswith("emergency")]
    assert ("viewer", str(cid), "emergency:consultation_list") in flagged
    assert ("viewer", str(cid), "emergency:consultation_view") in flagged
    # The others stay masked: the exception is for that one consultation.
    assert _rows(world, world.viewer)[world.ids["refused"]].masked
