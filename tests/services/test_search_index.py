"""The search index (store.search, migration 0020's shape) always says what the saved texts say:
after saves and amendments, for every word, the ids the index finds are exactly the
consultations whose current text contains it, and its organisation key is the case's own; a
rebuild (what migration 0020 does) gives the same answers. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from tests.services.test_search_and_duplicates import NOW, record

from setacare_desktop.domain.kana import search_words
from setacare_desktop.services import Database
from setacare_desktop.services import intake as svc
from setacare_desktop.services.search import indexed_text_of, search
from setacare_desktop.store import search as search_store
from setacare_desktop.store.models import Consultation, ConsultationDetail, Person

DISTRICTS = ["ikejiri", "karasuyama"]
PROBES = ["林", "介護", "後見人", "ゴミ出し", "住まい", "家賃", "さとう", "0333334444", "護保"]


def _truth(db: Database) -> dict[int, tuple[int, str]]:
    """Each consultation's organisation and the text the services index, from the rows now."""
    with db.read() as session:
        rows = session.execute(
            select(Consultation, ConsultationDetail, Person)
            .outerjoin(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
            .outerjoin(Person, Person.id == ConsultationDetail.person_id)).all()
        return {case.id: (case.organisation_id, indexed_text_of(case, detail, person))
                for case, detail, person in rows}


def _assert_index_matches(db: Database) -> None:
    truth = _truth(db)
    orgs = {org for org, _ in truth.values()}
    with db.read() as session:
        for probe in PROBES:
            words = search_words(probe)
            expected = sorted((cid for cid, (_, text) in truth.items()
                               if all(w in search_words(text) or w in text for w in words)),
                              reverse=True)
            assert search_store.indexed_ids(session, words, DISTRICTS) == expected, probe
            for org in orgs:
                assert search_store.indexed_ids(session, words, DISTRICTS, org) == [
                    cid for cid in expected if truth[cid][0] == org], (probe, org)
        for cid, (_, text) in truth.items():
            assert search_store.indexed_text(session, cid) == text


def test_index_follows_saves_and_amendments(any_db: Database, staff_factory: Callable) -> None:
    ikejiri = staff_factory(any_db, "ikejiri")
    branch = staff_factory(any_db, "branch", org_kind="あんしんすこやかセンター")
    karasuyama = staff_factory(any_db, "karasuyama", place="烏山")
    first = record(any_db, ikejiri, "介護保険の申請", name="林 一郎", reading="はやし いちろう")
    record(any_db, branch, "成年後見について", details="後見人の相談。介護も必要", name="佐藤 花子",
           reading="さとう はなこ", phone="03-3333-4444")
    record(any_db, karasuyama, "家賃の相談", district="烏山", details="ゴミ出しの相談")
    _assert_index_matches(any_db)

    loaded = svc.load_intake(any_db, ikejiri, first)
    loaded.data.main_complaint = "住まいの相談"
    loaded.data.details = "ゴミ出しができない"
    svc.amend_intake(any_db, ikejiri, first, loaded.data, expected_version=1, now=NOW)
    _assert_index_matches(any_db)
    assert search(any_db, ikejiri, "介護")[1] == []  # the branch's case is not ikejiri's to see
    assert [h.consultation_id for h in search(any_db, ikejiri, "ゴミ出し")[1]] == [first]


def test_a_removed_consultation_is_no_longer_indexed(any_db: Database,
                                                     staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    kept = record(any_db, clerk, "介護保険の申請", name="林 一郎", reading="はやし いちろう")
    gone = record(any_db, clerk, "介護の相談", details="後見人について")
    with any_db.transaction() as session:
        search_store.remove(session, gone)
        assert search_store.indexed_ids(session, ["介護"], DISTRICTS) == [kept]
        assert search_store.indexed_ids(session, ["後見人"], DISTRICTS) == []
    assert [h.consultation_id for h in search(any_db, clerk, "介護")[1]] == [kept]


def test_rebuild_gives_the_same_index(any_db: Database, staff_factory: Callable) -> None:
    ikejiri = staff_factory(any_db, "ikejiri")
    branch = staff_factory(any_db, "branch", org_kind="あんしんすこやかセンター")
    record(any_db, ikejiri, "介護保険の申請", name="林 一郎", reading="はやし いちろう")
    record(any_db, branch, "後見人の相談", details="家賃が払えない")
    with any_db.transaction() as session:
        if any_db.is_sqlite:
            session.connection().exec_driver_sql("DROP TABLE search_fts")
            session.connection().exec_driver_sql(search_store.SQLITE_DDL[0])
        else:
            session.connection().exec_driver_sql("DELETE FROM search_pg")
        assert search_store.indexed_ids(session, ["介護"], DISTRICTS) == []
        assert search_store.rebuild(session) == 2
    _assert_index_matches(any_db)


def test_words_are_found_exactly_without_positions(any_db: Database,
                                                   staff_factory: Callable) -> None:
    """The SQLite index keeps no positions nor unigrams: a longer word's bigrams held apart do
    not make a hit, and a one-character word is found at the end of a word too."""
    clerk = staff_factory(any_db, "clerk")
    apart = record(any_db, clerk, "介護と護保の話", name="小林 一郎", reading="こばやし いちろう")
    together = record(any_db, clerk, "介護保険の申請", details="林業の仕事")
    assert [h.consultation_id for h in search(any_db, clerk, "介護保")[1]] == [together]
    assert [h.consultation_id for h in search(any_db, clerk, "護保")[1]] == [together, apart]
    assert [h.consultation_id for h in search(any_db, clerk, "林")[1]] == [together, apart]
    assert [h.consultation_id for h in search(any_db, clerk, "話")[1]] == [apart]
    assert [h.consultation_id for h in search(any_db, clerk, "コバヤシ")[1]] == [apart]
    assert search(any_db, clerk, "d")[1] == []  # no district or organisation token is a word


def test_a_person_renamed_elsewhere_is_found_by_the_name_now(any_db: Database,
                                                              staff_factory: Callable) -> None:
    """The index entry of a case whose person was renamed through another case keeps the old
    name's tokens; a search still answers from the case's text now."""
    clerk = staff_factory(any_db, "clerk")
    first = record(any_db, clerk, "介護の相談", name="林 一郎", reading="はやし いちろう")
    with any_db.transaction() as session:
        person = session.get(Person, session.scalar(select(ConsultationDetail.person_id).where(
            ConsultationDetail.consultation_id == first)))
        assert person is not None
        person.name = "森 一郎"  # as a rename saved with another consultation would leave it
    assert search(any_db, clerk, "林")[1] == []
    loaded = svc.load_intake(any_db, clerk, first)
    loaded.data.main_complaint = "住まいの相談"
    svc.amend_intake(any_db, clerk, first, loaded.data, expected_version=1, now=NOW)
    _assert_index_matches(any_db)
    assert [h.consultation_id for h in search(any_db, clerk, "森")[1]] == [first]
    assert search(any_db, clerk, "介護")[1] == []
