"""Ranked destinations for typical consultations (from the seeds' who-does-what), and free search."""

from __future__ import annotations

from dataclasses import dataclass

import jaconv
import pytest

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.directory import Scope
from setacare_desktop.domain.ranking import Locality, MatchedIn, rank, search
from setacare_desktop.domain.shipped_directory import shipped_directory

DIRECTORY = shipped_directory()


@dataclass(frozen=True)
class Case:
    why: str  # the seed passage the expectation comes from
    district: str
    first: str  # the service id expected first
    groups: tuple[str, ...] = ()
    elements: tuple[str, ...] = ()
    urgent: tuple[str, ...] = ()
    text: str = ""


CASES = (
    Case("生活困窮者 × 就労 → ぷらっとホーム (002:2658-2661)", "ikejiri", "platform",
         ("poverty",), ("employment",)),
    Case("若者 × 社会参加 → メルクマール (002:2981, 3145)", "daizawa", "merkmal",
         ("youth",), ("participation",)),
    Case("障害者 × 就労 → 障害者就労支援センター (002:2689)", "seijo", "shogai-shuro",
         ("disability",), ("employment",)),
    Case("高齢者 × 就労 → シルバー人材センター (002:2675)", "okusawa", "silver",
         ("elderly",), ("employment",)),
    Case("女性の働き方 → らぷらす (002:2704)", "kyodo", "danjo",
         ("other",), ("employment",), text="出産後の女性の働き方について"),
    Case("高齢者 × 医療 in 池尻 → 池尻の在宅療養相談窓口 (002:913)", "ikejiri",
         "ikejiri-anshin-zaitaku", ("elderly",), ("medical",)),
    Case("退院後の在宅療養 → 在宅療養相談窓口 (002:913)", "kitami", "kitami-anshin-zaitaku",
         ("elderly",), ("medical", "welfare_service"), text="来週退院する父の在宅療養が不安"),
    Case("子ども × 虐待の疑い in 池尻 → 世田谷の子ども家庭支援センター (000:125)", "ikejiri",
         "setagaya-kodomo-katei", ("child",), ("welfare_service",), ("abuse",)),
    Case("高齢者 × 虐待の疑い in 用賀 → 玉川の保健福祉課 (000:125, 000:240)", "yoga",
         "tamagawa-hokenfukushi", ("elderly",), ("welfare_service",), ("abuse",)),
    Case("子どものいる家庭の DV → 子ども家庭支援センター (000:253)", "umegaoka",
         "kitazawa-kodomo-katei", ("child",), ("living_support",), ("dv",)),
    Case("障害者 × 自殺念慮 → 健康づくり課 (地区担当保健師, 002:1257)", "funabashi",
         "kinuta-kenkozukuri", ("disability",), ("medical",), ("suicidal",)),
    Case("判断能力・財産管理 → 成年後見センター (002:1377)", "kyodo", "seinen-kouken",
         ("elderly",), ("welfare_service",), text="認知症で判断能力が落ち、財産管理が心配"),
    Case("日常的な金銭管理 → あんしん事業 (002:1378)", "shimouma", "anshin-jigyo",
         ("disability",), ("living_support",), text="日々の金銭管理ができず支払いが滞る"),
    Case("高齢者 × 住まい → 住まいサポートセンター (002:1929, 1949)", "kyodo", "sumai-support",
         ("elderly",), ("housing",)),
    Case("住まい (group not yet known) → 住まいサポートセンター (002:1929)", "todoroki",
         "sumai-support", (), ("housing",)),
    Case("ひきこもり → リンク (002:3145)", "matsuzawa", "link",
         text="40代の息子が長年ひきこもっている"),
    Case("若者 × ひきこもり → リンク, not メルクマール (002:3145)", "kamikitazawa", "link",
         ("youth",), ("participation",), text="大学をやめてからひきこもりがち"),
    Case("子ども × 発達 → げんき (002:1136)", "yoga", "genki",
         ("child",), ("welfare_service",), text="2歳の子の言葉の発達が気になる"),
    Case("子ども × 教育 → ホッと子どもサポート (002:2953)", "shindaita", "hotto-kodomo",
         ("child",), ("education",)),
    Case("いじめ → ホッと子どもサポート (002:2964)", "kuhonbutsu", "hotto-kodomo",
         ("child",), (), text="学校でいじめにあっている"),
    Case("子ども × 生活支援 × 預かり → ファミリー・サポート・センター (002:2398)", "wakabayashi",
         "famisapo", ("child",), ("living_support",), text="通院の間、子どもを預かってほしい"),
    Case("高齢者 × 生活支援 × 家事・外出 → ふれあいサービス (002:2381)", "kaminoge", "fureai",
         ("elderly",), ("living_support",), text="家事や外出の手伝いがほしい"),
    Case("ひとり暮らし高齢者 × 24時間の電話 → 高齢者安心コール (002:2258)", "karasuyama",
         "anshin-call", ("elderly",), ("living_support",),
         text="ひとり暮らしで夜が不安。24時間相談できる電話がほしい"),
    Case("高齢者 × 福祉サービス → 地区のあんしんすこやかセンター (000:116)", "kamimachi",
         "kamimachi-anshin", ("elderly",), ("welfare_service",)),
    Case("障害者 × 福祉サービス → 地域障害者相談支援センター (000:127)", "matsubara",
         "kitazawa-shogai-soudan", ("disability",), ("welfare_service",)),
    Case("複合 (高齢者 + 障害者) → 総合支所 保健福祉課のバックアップ (000:234-240)", "kinuta",
         "kinuta-hokenfukushi", ("elderly", "disability"), ("welfare_service",)),
    Case("生活困窮者 × 家計 → ぷらっとホーム (002:1351)", "soshigaya", "platform",
         ("poverty",), ("living_support",), text="家計が苦しく家賃が払えない"),
    Case("高齢者 × 防犯・防災 → 地区のまちづくりセンター (002:3273)", "karasuyama",
         "karasuyama-machizukuri", ("elderly",), ("safety",)),
    Case("子ども × 福祉サービス → 地区の児童館 (002:284, 415)", "futakotamagawa",
         "futakotamagawa-jidokan", ("child",), ("welfare_service",)),
    Case("妊娠中の相談 → 健康づくり課 (ネウボラ, 002:1416)", "seijo", "kinuta-kenkozukuri",
         ("child",), ("prevention",), text="妊娠中で出産後の子育てが不安"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.why for c in CASES])
def test_the_expected_destination_comes_first(case: Case) -> None:
    found = rank(DIRECTORY, district_code=case.district, target_groups=case.groups,
                 elements=case.elements, urgent=case.urgent, text=case.text)
    assert found, case.why
    assert found[0].service.id == case.first, [(s.service.id, s.score) for s in found[:5]]


def test_there_are_at_least_fifteen_typical_cases() -> None:
    assert len(CASES) >= 15


def test_reason_reads_group_times_element_to_destination() -> None:
    first = rank(DIRECTORY, district_code="seijo", target_groups=["disability"],
                 elements=["employment"])[0]
    assert first.reason == "障害者 × 就労 → 世田谷区障害者就労支援センター"
    assert first.locality is Locality.WARD
    assert "連絡先 要確認" in first.notes


def test_reason_names_urgency_and_keywords() -> None:
    first = rank(DIRECTORY, district_code="ikejiri", target_groups=["child"], urgent=["abuse"])[0]
    assert first.reason == "子ども・子育て家庭 × 虐待の疑い → 世田谷総合支所 子ども家庭支援センター"
    assert first.urgent
    link = rank(DIRECTORY, district_code="ikejiri", text="ひきこもっている")[0]
    assert link.reason == "「ひきこもり」 → ひきこもり相談窓口「リンク」"


def test_only_the_districts_own_partners_and_its_areas_branch_are_suggested() -> None:
    found = rank(DIRECTORY, district_code="ikejiri", target_groups=["elderly"],
                 elements=["welfare_service", "living_support", "medical"], limit=None)
    for suggestion in found:
        area = suggestion.service.service_area
        assert area.scope is Scope.WARD or area.covers("ikejiri"), suggestion.service.id
    ids = {s.service.id for s in found}
    assert "ikejiri-anshin" in ids
    assert "taishido-anshin" not in ids
    assert "kinuta-hokenfukushi" not in ids


def test_equal_matches_go_to_the_nearer_service() -> None:
    """Locality decides between equally good matches: district, then area, then ward."""
    found = rank(DIRECTORY, district_code="ikejiri", target_groups=["child"],
                 elements=["welfare_service"])
    jidokan, kodomo = found[0], found[1]
    assert (jidokan.service.id, jidokan.locality) == ("ikejiri-jidokan", Locality.DISTRICT)
    assert (kodomo.service.id, kodomo.locality) == ("setagaya-kodomo-katei", Locality.AREA)


def test_with_nothing_to_match_the_district_and_its_branch_come_in_order() -> None:
    found = rank(DIRECTORY, district_code="kinuta", limit=None)
    roles = [s.service.role for s in found]
    assert roles[:5] == ["machizukuri", "anshin", "zaitaku", "shakyo", "jidokan"]
    assert {s.locality for s in found[:5]} == {Locality.DISTRICT}
    assert {s.locality for s in found[5:10]} == {Locality.AREA}
    assert all(s.service.id.startswith(("kinuta-",)) for s in found[:10])


def test_a_service_for_another_group_is_not_suggested() -> None:
    found = rank(DIRECTORY, district_code="seijo", target_groups=["disability"],
                 elements=["employment"], limit=None)
    assert "silver" not in {s.service.id for s in found}


def test_a_professionals_network_ranks_behind_the_window_for_residents() -> None:
    found = [s.service.id for s in rank(DIRECTORY, district_code="kyodo",
                                        target_groups=["elderly"], elements=["housing"])]
    assert found.index("sumai-support") < found.index("kyoju-shien")


def test_urgency_without_a_known_group_raises_both_sections() -> None:
    found = rank(DIRECTORY, district_code="ikejiri", urgent=["abuse"])
    assert [s.service.id for s in found[:2]] == ["setagaya-kodomo-katei",
                                                 "setagaya-hokenfukushi"]
    assert all(s.urgent for s in found[:2])


def test_a_bare_urgent_flag_is_read_as_danger() -> None:
    found = rank(DIRECTORY, district_code="ikejiri", target_groups=["poverty"], urgent=True)
    assert found[0].service.id == "setagaya-seikatsushien"
    assert "生命・身体の危険" in found[0].reason


def test_limit_and_bad_input() -> None:
    assert len(rank(DIRECTORY, district_code="ikejiri", target_groups=["elderly"], limit=3)) == 3
    with pytest.raises(ValueError, match="district"):
        rank(DIRECTORY, district_code="atlantis")
    with pytest.raises(ValueError, match="urgency"):
        rank(DIRECTORY, district_code="ikejiri", urgent=["typo"])
    with pytest.raises(ValueError, match="urgency"):
        rank(DIRECTORY, district_code="ikejiri", urgent="abuse")  # a string is not a list of flags
    with pytest.raises(ValueError, match="target groups"):
        rank(DIRECTORY, district_code="ikejiri", target_groups=["高齢者"])  # codes, not labels
    with pytest.raises(ValueError, match="elements"):
        rank(DIRECTORY, district_code="ikejiri", elements=["jobs"])


def test_scores_are_descending() -> None:
    found = rank(DIRECTORY, district_code="yoga", target_groups=["elderly", "poverty"],
                 elements=["living_support"], limit=None)
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)


def test_every_district_gets_its_own_anshin_for_elderly_welfare() -> None:
    for district in ref.DISTRICTS:
        first = rank(DIRECTORY, district_code=district.code, target_groups=["elderly"],
                     elements=["welfare_service"])[0]
        assert first.service.id == f"{district.code}-anshin"


# --- free search --------------------------------------------------------------------------------

def _ids(query: str, **kwargs: str) -> list[str]:
    return [hit.service.id for hit in search(DIRECTORY, query, **kwargs)]


@pytest.mark.parametrize("query", ["メルクマール", "めるくまーる", "ﾒﾙｸﾏｰﾙ", "メルク"])
def test_search_ignores_kana_script_and_width(query: str) -> None:
    assert _ids(query)[0] == "merkmal"


@pytest.mark.parametrize("query", ["げんき", "ゲンキ", "ｹﾞﾝｷ"])
def test_search_finds_genki_however_typed(query: str) -> None:
    assert _ids(query)[0] == "genki"


def test_search_by_reading() -> None:
    hits = search(DIRECTORY, "いけじり あんしん")
    assert [h.service.id for h in hits] == ["ikejiri-anshin", "ikejiri-anshin-zaitaku"]
    assert hits[0].matched_in is MatchedIn.READING
    assert _ids("カラスヤマ　マチヅクリ")[0] == "karasuyama-machizukuri"
    assert _ids("せいねんこうけん")[0] == "seinen-kouken"


def test_search_by_keyword_and_description() -> None:
    hits = search(DIRECTORY, "ハローワーク")
    assert hits[0].service.id == "oshigoto-cafe"
    assert _ids("お部屋探し")[0] == "sumai-support"
    assert _ids("ひきこもり")[0] == "link"
    assert "seishonen" in _ids("野毛")  # a location named in the description (002:2995)


def test_search_ignores_spaces_and_middle_dots() -> None:
    assert _ids("ファミリーサポート") == ["famisapo"]
    assert _ids("ﾌｧﾐﾘｰ ｻﾎﾟｰﾄ") == ["famisapo"]


def test_search_puts_name_matches_first_and_the_district_before_others() -> None:
    hits = search(DIRECTORY, "あんしんすこやかセンター", district_code="seijo")
    assert hits[0].service.id == "seijo-anshin"
    assert hits[0].matched_in is MatchedIn.NAME
    assert hits[0].service.service_area.covers("seijo")


def test_search_without_words_finds_nothing() -> None:
    assert search(DIRECTORY, "") == []
    assert search(DIRECTORY, "　・ ") == []


@pytest.mark.parametrize(("name", "service_id"), [
    ("ぷらっとホーム世田谷", "platform"), ("三茶おしごとカフェ", "oshigoto-cafe"),
    ("住まいサポートセンター", "sumai-support"), ("せたがやホッと子どもサポート", "hotto-kodomo"),
])
def test_search_finds_ward_services_by_name_in_any_script(name: str, service_id: str) -> None:
    """Typed as shipped, all in katakana, and in half-width katakana."""
    katakana = jaconv.hira2kata(name)
    for typed in (name, katakana, jaconv.z2h(katakana, kana=True, ascii=False, digit=False)):
        assert _ids(typed)[0] == service_id, typed


def test_each_urgent_destination_names_only_the_flags_that_raised_it() -> None:
    found = {s.service.id: s for s in rank(DIRECTORY, district_code="kyodo",
                                           target_groups=["child"], urgent=["abuse", "suicidal"])}
    assert found["setagaya-kodomo-katei"].reason.endswith(
        "× 虐待の疑い → 世田谷総合支所 子ども家庭支援センター")
    assert "× 自殺念慮 → 世田谷総合支所 健康づくり課" in found["setagaya-kenkozukuri"].reason
    assert "自殺念慮" not in found["setagaya-kodomo-katei"].reason
