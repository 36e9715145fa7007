"""The shipped referral directory: coverage of districts and areas, honesty about contacts, shape."""

from __future__ import annotations

import re
import uuid
from dataclasses import fields, replace

import pytest

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.directory import (
    BRANCH_ROLES,
    STANDARD_TERMS,
    UNCONFIRMED,
    Directory,
    DirectoryError,
    Phone,
    Role,
    Scope,
    Service,
    ServiceArea,
    directory_problems,
    hsds_uuid,
)
from setacare_desktop.domain.kana import reading_problem
from setacare_desktop.domain.shipped_directory import shipped_directory

DIRECTORY = shipped_directory()

#: Every ward-wide destination shared/DOMAIN.md names (a substring of a service's name).
WARD_WIDE_NAMES = (
    "成年後見センター", "あんしん事業", "ふれあいサービス", "メルクマールせたがや",
    "ぷらっとホーム世田谷", "リンク", "三茶おしごとカフェ", "障害者就労支援センター",
    "シルバー人材センター", "住まいサポートセンター", "居住支援協議会",
    "発達障害相談・療育センター「げんき」", "保健所", "せたがやホッと子どもサポート",
    "青少年交流センター", "男女共同参画センター", "高齢者安心コール",
    "ファミリー・サポート・センター", "地区連携医",
)


def _services_in(scope: Scope) -> list[Service]:
    return [s for s in DIRECTORY.services if s.service_area.scope is scope]


def test_every_district_has_its_four_partners() -> None:
    for district in ref.DISTRICTS:
        orgs = [o for o in DIRECTORY.organizations if o.district_code == district.code]
        assert sorted(o.kind for o in orgs) == sorted(k.value for k in ref.DISTRICT_PARTNERS)
        for org in orgs:
            kind = ref.OrgKind(org.kind)
            assert org.name == ref.organisation_name(kind, district=district)
            assert org.area_code == district.area_code
            services = DIRECTORY.services_of(org.id)
            assert services, org.name
            assert all(s.service_area == ServiceArea.district(district.code) for s in services)
    assert len(_services_in(Scope.DISTRICT)) == 28 * 5  # 4 partners + the 在宅療養相談窓口


def test_every_anshin_has_its_home_care_window() -> None:
    for district in ref.DISTRICTS:
        anshin = DIRECTORY.organization(f"{district.code}-anshin")
        roles = {s.role for s in DIRECTORY.services_of(anshin.id)}
        assert roles == {Role.ANSHIN, Role.ZAITAKU}
        window = DIRECTORY.service(f"{district.code}-anshin-zaitaku")
        assert window.name == f"{district.name}あんしんすこやかセンター 在宅療養相談窓口"
        assert "medical" in window.elements


def test_every_area_has_its_branch_services() -> None:
    for area in ref.AREAS:
        services = [s for s in DIRECTORY.services
                    if s.service_area == ServiceArea.area(area.code)]
        assert sorted(s.role for s in services) == sorted(BRANCH_ROLES)
        names = {s.name for s in services}
        assert names == {
            f"{area.name}総合支所 保健福祉課", f"{area.name}総合支所 生活支援課",
            f"{area.name}総合支所 子ども家庭支援センター", f"{area.name}総合支所 健康づくり課",
            f"{area.name}地域障害者相談支援センター",
        }
        branch = DIRECTORY.organization(f"{area.code}-branch")
        assert branch.name == ref.organisation_name(ref.OrgKind.BRANCH, area=area)
    assert len(_services_in(Scope.AREA)) == 5 * 5


@pytest.mark.parametrize("name", WARD_WIDE_NAMES)
def test_ward_wide_destinations_of_domain_md_are_shipped(name: str) -> None:
    matches = [s for s in _services_in(Scope.WARD) if name in s.name]
    assert len(matches) == 1, name


def test_each_district_sees_its_own_partners_its_branch_and_the_ward() -> None:
    ward = len(_services_in(Scope.WARD))
    for district in ref.DISTRICTS:
        visible = [s for s in DIRECTORY.services if s.service_area.covers(district.code)]
        assert len(visible) == 5 + 5 + ward
        assert all(s.service_area.scope is Scope.WARD or s.id.startswith(
            (f"{district.code}-", f"{district.area_code}-")) for s in visible)


def test_no_contact_detail_is_invented() -> None:
    phone_like = re.compile(r"\d{2,4}[-‐ー－]\d{2,4}|\d{10,}|TEL|ＴＥＬ|〒")
    for service in DIRECTORY.services:
        assert service.phones == ()
        assert service.contact_confirmed is False
        assert service.contact_status == UNCONFIRMED
        texts = [service.description, service.eligibility, service.application_process,
                 *(s.description for s in service.schedules)]
        assert not any(phone_like.search(t) for t in texts), service.id
    assert all(loc.address is None for loc in DIRECTORY.locations)


def test_the_only_hours_shipped_are_the_ones_the_seed_gives() -> None:
    with_hours = {s.id: s.schedules[0].description for s in DIRECTORY.services if s.schedules}
    assert with_hours == {"anshin-call": "24時間365日（電話相談）",  # seed 002:2258
                          "hitoriaruki-sos": "メール配信依頼は24時間365日受付"}  # 002:2337


def test_every_service_has_a_target_group_and_an_element() -> None:
    groups = {t.code for t in ref.TARGET_GROUPS}
    elements = {t.code for t in ref.ELEMENTS}
    for service in DIRECTORY.services:
        assert service.target_groups, service.id
        assert service.elements, service.id
        assert service.all_groups <= groups
        assert service.all_elements <= elements
        assert service.description and service.eligibility


def test_every_element_is_served_somewhere() -> None:
    served = set().union(*(s.elements for s in DIRECTORY.services))
    assert served == {t.code for t in ref.ELEMENTS}


def test_ids_are_unique_stable_ascii() -> None:
    slug = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    for records in (DIRECTORY.organizations, DIRECTORY.services, DIRECTORY.locations):
        ids = [r.id for r in records]
        assert len(ids) == len(set(ids))
        assert all(slug.match(i) for i in ids)
    assert DIRECTORY.service("ikejiri-anshin-zaitaku").organization_id == "ikejiri-anshin"
    assert DIRECTORY.service("setagaya-kodomo-katei").organization_id == "setagaya-branch"
    assert directory_problems(DIRECTORY.organizations, DIRECTORY.services,
                              DIRECTORY.locations) == []


def test_readings_are_kana() -> None:
    for record in (*DIRECTORY.organizations, *DIRECTORY.services):
        assert record.reading, record.id
        assert reading_problem(record.reading) is None, record.id


def test_built_once() -> None:
    assert shipped_directory() is DIRECTORY


def test_attribute_links_map_to_hsds_taxonomy_terms() -> None:
    term_ids = {t.id for t in STANDARD_TERMS}
    anshin = DIRECTORY.service("ikejiri-anshin")
    links = anshin.attribute_links()
    assert all(link.taxonomy_term_id in term_ids for link in links)
    groups = {(a.taxonomy_term_id, a.value) for a in links
              if a.link_type == "setacare-target-group"}
    assert ("setacare-target-group.elderly", "primary") in groups
    assert ("setacare-target-group.child", "secondary") in groups  # 相談拡充
    assert any(a.link_type == "reading" and a.value == anshin.reading for a in links)


def test_hsds_ids_are_deterministic_uuids() -> None:
    first = hsds_uuid("service", "ikejiri-anshin")
    assert first == hsds_uuid("service", "ikejiri-anshin")
    assert first != hsds_uuid("organization", "ikejiri-anshin")
    assert uuid.UUID(first).version == 5


def test_a_broken_directory_is_refused_with_every_problem() -> None:
    good = DIRECTORY.service("platform")
    bad = replace(good, id="Bad ID", target_groups=frozenset(), elements=frozenset({"x"}),
                  organization_id="nowhere")
    twin = replace(good, service_area=ServiceArea(Scope.AREA, frozenset({"atlantis"})))
    with pytest.raises(DirectoryError) as caught:
        Directory(DIRECTORY.organizations, (good, bad, twin), DIRECTORY.locations)
    problems = caught.value.problems
    assert any("Bad ID" in p and "ID" in p for p in problems)
    assert any("対象区分が1つもありません" in p for p in problems)
    assert any("要素 x は存在しません" in p for p in problems)
    assert any("組織 nowhere がありません" in p for p in problems)
    assert any("platform" in p and "重複" in p for p in problems)
    assert any("atlantis" in p for p in problems)


def test_phones_may_be_added_later_and_confirmed() -> None:
    """The shape holds a confirmed contact once a supervisor imports one (not shipped)."""
    service = replace(DIRECTORY.service("platform"), phones=(Phone("0000", "voice"),),
                      contact_confirmed=True)
    assert service.contact_status == "確認済"
    assert {f.name for f in fields(Service)} >= {"phones", "schedules", "location_ids",
                                                 "contact_confirmed", "service_area"}


def test_service_area_names() -> None:
    assert ServiceArea.district("ikejiri").name == "池尻地区"
    assert ServiceArea.area("kinuta").name == "砧地域"
    assert ServiceArea.ward().name == "世田谷区全域"
    assert ServiceArea.area("kinuta").covers("seijo")
    assert not ServiceArea.area("kinuta").covers("ikejiri")
