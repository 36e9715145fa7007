"""Search (1-, 2- and 3+-character words, scope, paging) and the duplicate-person check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.services import Database
from setacare_desktop.services import intake as svc
from setacare_desktop.services.persons import possible_duplicates
from setacare_desktop.services.search import search

NOW = datetime(2026, 11, 24, 16, 0)


def record(db: Database, actor: object, complaint: str, *, name: str = "", reading: str = "",
           birth: str = "", district: str = "池尻", details: str = "", phone: str = "") -> int:
    data = IntakeInput(received_at="R8.11.24 10:00", channel="電話", district=district,
                       consulter_kind="本人", main_complaint=complaint, details=details,
                       person=PersonInput(name=name, reading=reading, birth_date=birth,
                                          phone=phone))
    return svc.record_intake(db, actor, data, now=NOW).consultation_id  # type: ignore[arg-type]


def test_search_finds_words_of_any_length_newest_first(any_db: Database,
                                                       staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    first = record(any_db, clerk, "介護保険の申請", name="林 一郎", reading="はやし いちろう")
    second = record(any_db, clerk, "成年後見について", details="後見人の相談。介護も必要", name="佐藤",
                    phone="03-3333-4444")
    record(any_db, clerk, "子育ての悩み")
    assert [h.consultation_id for h in search(any_db, clerk, "介護")[1]] == [second, first]
    assert [h.consultation_id for h in search(any_db, clerk, "後見")[1]] == [second]
    assert [h.consultation_id for h in search(any_db, clerk, "林")[1]] == [first]
    assert [h.consultation_id for h in search(any_db, clerk, "介護保険")[1]] == [first]
    assert [h.consultation_id for h in search(any_db, clerk, "ハヤシ")[1]] == [first]
    assert [h.consultation_id for h in search(any_db, clerk, "33334444")[1]] == [second]
    assert [h.consultation_id for h in search(any_db, clerk, "介護 後見")[1]] == [second]
    assert search(any_db, clerk, "存在しない言葉")[1] == []
    assert "後見人" in search(any_db, clerk, "後見")[1][0].details_excerpt


def test_search_is_limited_to_scope_and_pages(any_db: Database, staff_factory: Callable) -> None:
    ikejiri = staff_factory(any_db, "ikejiri")
    karasuyama = staff_factory(any_db, "karasuyama", place="烏山")
    ids = [record(any_db, ikejiri, f"家賃の相談 {i}") for i in range(5)]
    record(any_db, karasuyama, "家賃の相談", district="烏山")
    _, page1 = search(any_db, ikejiri, "家賃", limit=3)
    _, page2 = search(any_db, ikejiri, "家賃", limit=3, before_id=page1[-1].consultation_id)
    assert [h.consultation_id for h in page1 + page2] == ids[::-1]


def test_amendment_updates_the_index(any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    cid = record(any_db, clerk, "ゴミ出しの相談")
    loaded = svc.load_intake(any_db, clerk, cid)
    loaded.data.main_complaint = "住まいの相談"
    svc.amend_intake(any_db, clerk, cid, loaded.data, expected_version=1, now=NOW)
    assert search(any_db, clerk, "ゴミ出し")[1] == []
    assert [h.consultation_id for h in search(any_db, clerk, "住まい")[1]] == [cid]


def test_duplicate_check_folds_kana_and_kanji_variants(any_db: Database,
                                                       staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    record(any_db, clerk, "相談", name="齋藤 花子", reading="さいとう はなこ", birth="S30.1.2")
    record(any_db, clerk, "相談", name="渡辺 太郎", reading="わたなべ たろう")
    assert [h.person_name for h in search(any_db, clerk, "渡辺太郎")[1]] == ["渡辺 太郎"]
    record(any_db, staff_factory(any_db, "far", place="烏山"), "相談", name="斎藤 花子",
           district="烏山")

    by_variant = possible_duplicates(any_db, clerk, name="斎藤花子")  # 齋 is 斎's 旧字体
    assert [c.name for c in by_variant] == ["齋藤 花子"]  # the 烏山 person is out of scope
    # 斉藤 is another family name (齊 is 斉's 旧字体), not a way of writing 斎藤.
    assert possible_duplicates(any_db, clerk, name="斉藤花子") == []
    assert by_variant[0].recent[0].main_complaint == "相談"
    by_katakana = possible_duplicates(any_db, clerk, reading="ｻｲﾄｳ")
    assert [c.name for c in by_katakana] == ["齋藤 花子"]
    by_birth = possible_duplicates(any_db, clerk, name="斎藤", birth_date="1955-01-02")
    assert by_birth[0].name == "齋藤 花子" and "生年月日が一致" in by_birth[0].reasons
    assert [c.name for c in possible_duplicates(any_db, clerk, name="渡邊")] == ["渡辺 太郎"]
    assert possible_duplicates(any_db, clerk, name="") == []
