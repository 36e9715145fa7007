"""The ward's reference data, checked against DOMAIN.md."""

from __future__ import annotations

from setacare_desktop.domain import reference as ref


def test_five_areas_and_twenty_eight_districts() -> None:
    assert [a.name for a in ref.AREAS] == ["世田谷", "北沢", "玉川", "砧", "烏山"]
    assert len(ref.DISTRICTS) == 28
    assert len({d.code for d in ref.DISTRICTS}) == 28
    assert len({d.name for d in ref.DISTRICTS}) == 28


def test_districts_belong_to_the_right_area() -> None:
    by_area = {a.code: [d.name for d in ref.DISTRICTS if d.area_code == a.code] for a in ref.AREAS}
    assert by_area["setagaya"] == ["池尻", "太子堂", "若林", "上町", "経堂", "下馬", "上馬"]
    assert by_area["kitazawa"] == ["梅丘", "代沢", "新代田", "北沢", "松原", "松沢"]
    assert by_area["tamagawa"] == ["奥沢", "九品仏", "等々力", "上野毛", "用賀", "二子玉川", "深沢"]
    assert by_area["kinuta"] == ["祖師谷", "成城", "船橋", "喜多見", "砧"]
    assert by_area["karasuyama"] == ["上北沢", "上祖師谷", "烏山"]


def test_code_lists_follow_the_seeds() -> None:
    assert [t.label for t in ref.ELEMENTS] == [
        "医療", "福祉サービス", "予防・健康づくり", "住まい", "生活支援", "就労", "教育",
        "社会参加", "防犯・防災",
    ]
    assert [t.label for t in ref.CONSULTER_KINDS] == [
        "本人", "家族・親族", "近隣住民", "民生委員", "関係機関", "匿名", "その他",
    ]
    assert {"高齢者", "障害者", "子ども・子育て家庭", "若者", "生活困窮者"} <= {
        t.label for t in ref.TARGET_GROUPS
    }
    assert [t.label for t in ref.CHANNELS] == ["来所", "電話", "訪問", "メール・文書", "その他"]
    assert [k.label for k in ref.DISTRICT_PARTNERS] == [
        "まちづくりセンター", "あんしんすこやかセンター", "社会福祉協議会", "児童館",
    ]


def test_organisation_names() -> None:
    ikejiri = ref.DISTRICTS_BY_NAME["池尻"]
    assert ref.organisation_name(ref.OrgKind.ANSHIN, district=ikejiri) == (
        "池尻あんしんすこやかセンター"
    )
    assert ref.organisation_name(ref.OrgKind.BRANCH, area=ref.AREAS_BY_CODE["kinuta"]) == (
        "砧総合支所"
    )


def test_mixed_and_expansion() -> None:
    assert ref.is_mixed({"elderly", "disability"})
    assert not ref.is_mixed({"elderly"})
    assert ref.is_expansion(ref.OrgKind.ANSHIN, frozenset({"child"}))
    assert not ref.is_expansion(ref.OrgKind.ANSHIN, frozenset({"elderly", "child"}))
    assert not ref.is_expansion(ref.OrgKind.MACHIZUKURI, frozenset({"child"}))
