"""Editing a destination's organisation and location (with its address): supervisors only,
audited by name with history, problems named by field, limits alike on both databases."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from setacare_desktop.services import Database, PermissionDeniedError, ValidationError, audit
from setacare_desktop.services import directory as svc
from setacare_desktop.services import directory_places as places


def _machizukuri(db: Database) -> int:
    return svc.search_destinations(db, "池尻まちづくりセンター")[0].service_id


def test_a_supervisor_sets_the_address_and_the_page_shows_it(
        any_db: Database, staff_factory: Callable) -> None:
    boss = staff_factory(any_db, "boss", role="監督者")
    clerk = staff_factory(any_db, "clerk")
    sid = _machizukuri(any_db)
    [location] = places.places_of(any_db, sid).locations
    typed = {"postal_code": "154-0001", "state_province": "東京都", "city": "世田谷区",
             "address_1": "池尻二丁目", "latitude": "35.65", "longitude": "139.68"}
    with pytest.raises(PermissionDeniedError):
        places.edit_location(any_db, clerk, location.id, typed)
    places.edit_location(any_db, boss, location.id, typed)
    assert svc.destination(any_db, sid).address == "東京都世田谷区池尻二丁目"
    [after] = places.places_of(any_db, sid).locations
    assert after.address is not None and after.address.country == "JP"
    assert (after.latitude, after.longitude) == (35.65, 139.68)
    event = audit.recent(any_db, 1)[0]
    assert (event.action, event.login, event.entity, event.entity_id) == (
        "directory_edit", "boss", "dir_location", location.id)
    assert "address_1" in (event.fields or [])


def test_organization_edits_are_checked_field_by_field(any_db: Database,
                                                       staff_factory: Callable) -> None:
    boss = staff_factory(any_db, "boss", role="監督者")
    org = places.places_of(any_db, _machizukuri(any_db)).organization
    with pytest.raises(ValidationError) as caught:
        places.edit_organization(any_db, boss, org.id, {
            "name": "", "website": "example.jp", "email": "soudan", "alternate_name": "あ" * 201})
    assert sorted(str(p) for p in caught.value.problems) == sorted([
        "名称: 入力してください", "ウェブサイト: http:// または https:// で始めてください",
        "メールアドレス: メールアドレスの形ではありません（例: soudan@example.jp）",
        "別名: 200文字以内にしてください（201文字）"])
    places.edit_organization(any_db, boss, org.id, {"website": "https://example.jp/ikejiri",
                                                    "email": "ikejiri@example.jp"})
    org_after = places.places_of(any_db, _machizukuri(any_db)).organization
    assert (org_after.website, org_after.email, org_after.name) == (
        "https://example.jp/ikejiri", "ikejiri@example.jp", org.name)
    assert audit.recent(any_db, 1)[0].entity == "dir_organization"


def test_location_problems_name_their_field(db: Database, staff_factory: Callable) -> None:
    boss = staff_factory(db, "boss", role="監督者")
    [location] = places.places_of(db, _machizukuri(db)).locations
    with pytest.raises(ValidationError) as caught:
        places.edit_location(db, boss, location.id, {"postal_code": "1540001x",
                                                     "latitude": "北緯35度",
                                                     "longitude": "200"})
    assert sorted(str(p) for p in caught.value.problems) == sorted([
        "郵便番号: 7桁の数字で入力してください（例: 154-0001）",
        "緯度: 数値で入力してください（例: 35.6466）",
        "経度: -180〜180 の範囲で入力してください"])
