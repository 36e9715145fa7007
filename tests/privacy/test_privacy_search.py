"""Search and the duplicate check at intake: a person the viewer may not see is never found — by
name, reading, phone, birth date or any word of 主訴 and 相談内容 — and a search does not even
tell that a masked consultation matched; paging still works around them. On SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from tests.privacy.conftest import (
    ANONYMOUS,
    CONSENTED,
    NOW,
    PASSWORD,
    REFUSED,
    UNRECORDED,
    Spec,
    World,
    assert_hidden,
    record,
)

from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.domain.visibility import MASKED_TEXT, Access
from setacare_desktop.services import PermissionDeniedError, StaffProfile, audit
from setacare_desktop.services import intake as intake_service
from setacare_desktop.services import search as search_service
from setacare_desktop.services.persons import person_details, possible_duplicates
from setacare_desktop.services.search import search
from setacare_desktop.store import search as search_store


@pytest.fixture(autouse=True, params=["consent-side", "index-side"])
def shared_road(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both roads to the other organisations' matches (``store.search.matching_ids``): from the
    consent side, where few cases are shared with the viewer, and from the index side, where
    consent is the rule (more than ``SHARED_CAP`` shared: here any)."""
    if request.param == "index-side":
        monkeypatch.setattr(search_store, "SHARED_CAP", 0)


def _queries(spec: Spec) -> list[str]:
    """What a clerk could type to find the person or the case."""
    queries = list(spec.words)
    if spec.name:
        queries += [spec.name, spec.name.split()[0], spec.reading.split()[0], spec.phone,
                    spec.phone.replace("-", "")[-8:]]
    return queries


@pytest.mark.parametrize("spec", [REFUSED, UNRECORDED, ANONYMOUS], ids=lambda s: s.key)
def test_a_masked_case_is_never_found(world: World, spec: Spec) -> None:
    for query in _queries(spec):
        for actor in (world.viewer, world.boss, world.branch):
            words, hits = search(world.db, actor, query)
            assert words and hits == [], (query, actor.login)
        _words, found = search(world.db, world.taker, query)
        assert world.ids[spec.key] in [h.consultation_id for h in found], query


def test_a_consented_case_is_found_and_a_withdrawal_hides_it(world: World) -> None:
    _words, hits = search(world.db, world.viewer, "不登校")
    assert [(h.consultation_id, h.person_name, h.access) for h in hits] == [
        (world.ids["consented"], CONSENTED.name, Access.CONSENT)]
    jidokan = next(r.consent_id for r in intake_service.consents_of(
        world.db, world.taker, world.persons["consented"] or 0)
        if r.recipient_name == "池尻児童館")
    intake_service.withdraw_consent(world.db, world.taker, jidokan, on=hits[0].received_at.date(),
                                    reason="撤回の申し出")
    assert search(world.db, world.viewer, "不登校")[1] == []
    assert search(world.db, world.viewer, CONSENTED.name)[1] == []


def test_paging_skips_masked_matches_and_still_reaches_every_visible_one(world: World) -> None:
    keys = {r.name: r.key for r in intake_service.consent_recipients(world.db, "ikejiri")}
    # Newest first: masked matches between, above and below the visible ones.
    extra = [(CONSENTED if n % 3 == 0 else REFUSED) for n in range(9)]
    for spec in extra:
        record(world.db, world.taker, spec, keys)
    # 「さん」 is in every case's 相談内容; the viewer may see the consented person's only.
    whole = [h.consultation_id for h in search(world.db, world.taker, "やりくり", limit=100)[1]]
    assert len(whole) == 4
    pages: list[int] = []
    before = None
    while True:
        _words, page = search(world.db, world.viewer, "さん", limit=2, before_id=before)
        assert_hidden(page, REFUSED, UNRECORDED, ANONYMOUS)
        pages += [h.consultation_id for h in page]
        if len(page) < 2:
            break
        before = page[-1].consultation_id
    assert pages == whole  # every consented case, newest first, no masked one, none twice


@pytest.mark.parametrize("scan_pages", [0, 1, search_service.SCAN_PAGES])
def test_a_one_character_word_pages_alike_scanned_or_from_the_index(
        world: World, monkeypatch: pytest.MonkeyPatch, scan_pages: int) -> None:
    """「ん」 (in every case's 相談内容) is checked on the scope's newest consultations first and
    asked of the index below them: the pages are what the index alone gives."""
    def pages(actor: StaffProfile) -> list[int]:
        found: list[int] = []
        before = None
        while True:
            _words, page = search(world.db, actor, "ん", limit=2, before_id=before)
            if actor is not world.taker:
                assert_hidden(page, REFUSED, UNRECORDED, ANONYMOUS)
            found += [h.consultation_id for h in page]
            if len(page) < 2:
                return found
            before = page[-1].consultation_id

    monkeypatch.setattr(search_service, "SCAN_PAGES", 0)
    from_the_index = {actor.login: pages(actor) for actor in (world.viewer, world.taker)}
    monkeypatch.setattr(search_service, "SCAN_PAGES", scan_pages)
    assert {actor.login: pages(actor) for actor in (world.viewer, world.taker)} == from_the_index
    assert from_the_index[world.viewer.login] == [world.ids["consented"]]
    assert len(from_the_index[world.taker.login]) == len(world.ids)


def test_the_duplicate_check_never_offers_a_masked_person(world: World) -> None:
    for spec in (REFUSED, UNRECORDED):
        for actor in (world.viewer, world.boss, world.branch):
            for query in ({"name": spec.name}, {"reading": spec.reading},
                          {"name": spec.name.split()[0]}, {"birth_date": spec.birth}):
                assert possible_duplicates(world.db, actor, **query) == [], (query, actor.login)
        found = possible_duplicates(world.db, world.taker, name=spec.name)
        assert [c.person_id for c in found] == [world.persons[spec.key]]
        with pytest.raises(PermissionDeniedError) as refused:
            person_details(world.db, world.viewer, world.persons[spec.key] or 0)
        assert_hidden(refused.value.message, spec)
    offered = possible_duplicates(world.db, world.viewer, name=CONSENTED.name)
    assert [(c.name, c.recent[0].main_complaint) for c in offered] == [
        (CONSENTED.name, CONSENTED.complaint)]


def test_a_person_taken_by_both_is_offered_with_the_other_organisations_complaints_masked(
        world: World) -> None:
    """The candidate's latest consultations: the viewer's own in full, the あんしんすこやか
    センター's masked (the person consented to it, not to the 児童館), newest first."""
    keys = {r.name: r.key for r in intake_service.consent_recipients(world.db, "ikejiri")}
    anshin = next(key for name, key in keys.items() if "あんしんすこやか" in name)
    own = IntakeInput(
        received_at="2025-06-02 08:30", channel="来所", district="池尻", consulter_kind="本人",
        main_complaint="児童手当の書類", person=PersonInput(name="朝霧 透", reading="あさぎり とおる"),
        consents=[ConsentInput(anshin, given=True)])
    person_id = intake_service.record_intake(world.db, world.viewer, own, now=NOW).person_id
    theirs = IntakeInput(
        received_at="2025-06-02 15:00", channel="電話", district="池尻", consulter_kind="本人",
        main_complaint="介護保険の申請に迷っている", person=PersonInput(name="朝霧 透"),
        person_id=person_id)
    intake_service.record_intake(world.db, world.taker, theirs, now=NOW)
    found = possible_duplicates(world.db, world.viewer, name="朝霧")
    assert [(c.person_id, [r.main_complaint for r in c.recent]) for c in found] == [
        (person_id, [MASKED_TEXT, "児童手当の書類"])]
    assert [r.main_complaint for r in possible_duplicates(world.db, world.taker,
                                                          name="朝霧")[0].recent] == [
        "介護保険の申請に迷っている", "児童手当の書類"]


def test_an_exception_does_not_offer_the_person_at_later_intakes(world: World) -> None:
    intake_service.record_emergency_exception(
        world.db, world.taker, world.ids["unrecorded"], reason="意識不明",
        supervisor_login="boss", supervisor_password=PASSWORD)
    _words, hits = search(world.db, world.viewer, "囲碁教室")
    assert [(h.consultation_id, h.access) for h in hits] == [
        (world.ids["unrecorded"], Access.EMERGENCY)]
    flagged = [e.detail for e in audit.recent(world.db, 10) if e.action == "consultation_view"]
    assert "emergency:consultation_search" in flagged
    assert possible_duplicates(world.db, world.viewer, name=UNRECORDED.name) == []
