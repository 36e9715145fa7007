"""Adding accounts: validation in Japanese naming the field, nothing written on failure; only an
account manager adds or lists accounts, except the first administrator of an empty database."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from setacare_desktop.services import (
    Database,
    PermissionDeniedError,
    ServiceError,
    ValidationError,
    audit,
)
from setacare_desktop.services.staff import (
    NewStaff,
    add_staff,
    create_first_administrator,
    list_staff,
)
from setacare_desktop.store.models import Staff


def staff_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(Staff)) or 0)


ROOT = NewStaff("root", "管理 花子", "管理者", "世田谷", "総合支所", "long-password")


def test_add_staff_to_a_district_partner_and_an_area_branch(any_db: Database) -> None:
    admin = add_staff(any_db, None, ROOT)
    clerk = add_staff(any_db, admin, NewStaff("c1", "受付 一郎", "受付", "用賀",
                                              "あんしんすこやかセンター", "long-password"))
    assert clerk.organisation_name == "用賀あんしんすこやかセンター"
    event = audit.recent(any_db, 1)[0]
    assert event.action == "staff_create" and "password" in (event.fields or [])
    assert event.login == "root" and event.staff_id == admin.staff_id  # never "(system)"
    boss = add_staff(any_db, admin, NewStaff("s1", "監督 次郎", "監督者", "玉川", "総合支所",
                                             "long-password"))
    assert boss.district_code is None and boss.area_code == "tamagawa"
    rows = list_staff(any_db, admin)
    assert {(r.login, r.role_label) for r in rows} == {
        ("root", "管理者"), ("c1", "受付"), ("s1", "監督者")}
    event = audit.recent(any_db, 1)[0]
    assert (event.action, event.login, event.entity) == ("staff_list", "root", "staff")


def test_the_first_administrator_is_the_only_account_added_without_a_login(
        any_db: Database) -> None:
    first = add_staff(any_db, None, ROOT)
    [event] = audit.recent(any_db)
    assert (event.action, event.login, event.detail) == (
        "staff_create", "root", "first administrator")
    assert first.can_manage_accounts

    with pytest.raises(PermissionDeniedError, match="ログインが必要です"):
        add_staff(any_db, None, NewStaff("evil-sv", "x", "監督者", "砧", "総合支所",
                                         "long-password"))
    assert staff_count(any_db) == 1
    refused = audit.recent(any_db, 1)[0]
    assert (refused.action, refused.login, refused.detail) == (
        "permission_denied", "(system)", "staff_create")
    with pytest.raises(ServiceError, match="既に登録"):  # the window's dialog, the same rule
        create_first_administrator(any_db, ROOT)
    assert staff_count(any_db) == 1


def test_the_first_account_without_a_login_must_be_an_administrator(any_db: Database) -> None:
    with pytest.raises(ValidationError, match="役割: 最初の職員は管理者にしてください"):
        add_staff(any_db, None, NewStaff("c1", "受付 一郎", "受付", "用賀",
                                         "まちづくりセンター", "long-password"))
    assert staff_count(any_db) == 0 and audit.recent(any_db) == []


def test_listing_the_accounts_needs_a_login(any_db: Database) -> None:
    add_staff(any_db, None, ROOT)
    with pytest.raises(PermissionDeniedError, match="ログインが必要です"):
        list_staff(any_db, None)  # type: ignore[arg-type]  # what an old caller passed
    refused = audit.recent(any_db, 1)[0]
    assert (refused.action, refused.login, refused.detail) == (
        "permission_denied", "(system)", "staff_list")


def test_a_login_differing_only_in_case_is_taken(any_db: Database) -> None:
    admin = add_staff(any_db, None, ROOT)
    add_staff(any_db, admin, NewStaff("Sato01", "佐藤 花子", "受付", "池尻",
                                      "まちづくりセンター", "long-password"))
    with pytest.raises(ValidationError, match="ログインID: 「sato01」は既に使われています"):
        add_staff(any_db, admin, NewStaff("sato01", "佐藤 一郎", "受付", "池尻",
                                          "まちづくりセンター", "long-password"))
    assert {r.login for r in list_staff(any_db, admin)} == {"root", "Sato01"}


def test_every_problem_is_named_and_nothing_is_written(any_db: Database) -> None:
    with pytest.raises(ValidationError) as error:
        add_staff(any_db, None, NewStaff("", "", "社長", "架空", "まちづくりセンター", "short"))
    messages = [str(p) for p in error.value.problems]
    assert "ログインID: 入力してください" in messages
    assert "氏名: 入力してください" in messages
    assert any(m.startswith("役割: 「社長」は役割ではありません") for m in messages)
    assert "地区: 「架空」は地区ではありません" in messages
    assert "パスワード: 8文字以上にしてください" in messages
    assert staff_count(any_db) == 0
    assert audit.recent(any_db) == []


def test_duplicate_login_is_refused(any_db: Database, staff_factory: Callable) -> None:
    staff_factory(any_db, "dup")
    with pytest.raises(ValidationError, match="ログインID: 「dup」は既に使われています"):
        staff_factory(any_db, "dup")
    assert staff_count(any_db) == 1


def test_only_account_managers_may_add_or_list_staff(any_db: Database,
                                                     staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    with pytest.raises(PermissionDeniedError, match="管理者のみ"):
        add_staff(any_db, clerk, NewStaff("x1", "x", "受付", "池尻", "児童館", "long-password"))
    with pytest.raises(PermissionDeniedError):
        list_staff(any_db, clerk)
    assert staff_count(any_db) == 1
    refusals = audit.recent(any_db, 2)
    assert [(e.action, e.login) for e in refusals] == [("permission_denied", "clerk")] * 2
    assert {e.detail for e in refusals} == {"staff_create", "staff_list"}
    admin = staff_factory(any_db, "admin", role="管理者", place="世田谷", org_kind="総合支所")
    add_staff(any_db, admin, NewStaff("x1", "x", "受付", "池尻", "児童館", "long-password"))
    assert staff_count(any_db) == 3


def test_a_control_character_in_a_name_is_a_field_problem(any_db: Database) -> None:
    with pytest.raises(ValidationError, match="氏名: 制御文字"):
        add_staff(any_db, None, NewStaff("c9", "受付\x00一郎", "受付", "用賀",
                                         "まちづくりセンター", "long-password-1"))
