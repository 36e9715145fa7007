"""The idle lock's minutes: stored once for every PC, changed by an administrator only (audited),
typed input checked with a message naming the field. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from setacare_desktop.services import (
    Database,
    PermissionDeniedError,
    StaffProfile,
    ValidationError,
    audit,
    preferences,
)

MakeStaff = Callable[..., StaffProfile]


@pytest.fixture
def admin(any_db: Database, staff_factory: MakeStaff) -> StaffProfile:
    return staff_factory(any_db, "admin", role="管理者", place="世田谷", org_kind="総合支所")


def test_five_minutes_until_an_administrator_changes_it(any_db: Database,
                                                        admin: StaffProfile) -> None:
    assert preferences.idle_lock_minutes(any_db) == 5
    assert preferences.set_idle_lock_minutes(any_db, admin, "15") == 15
    assert preferences.idle_lock_minutes(any_db) == 15
    # Another PC (its own connection) reads the same value.
    other_pc = Database.open(any_db.engine.url.render_as_string(hide_password=False))
    try:
        assert preferences.idle_lock_minutes(other_pc) == 15
    finally:
        other_pc.close()
    assert preferences.set_idle_lock_minutes(any_db, admin, " ３０ ") == 30  # full width
    assert preferences.idle_lock_minutes(any_db) == 30
    changes = [e for e in audit.recent(any_db) if e.action == "preference_change"]
    assert [(e.login, e.entity_id, e.fields, e.detail) for e in reversed(changes)] == [
        ("admin", "idle_lock_minutes", ["idle_lock_minutes"], "5 -> 15"),
        ("admin", "idle_lock_minutes", ["idle_lock_minutes"], "15 -> 30")]


@pytest.mark.parametrize("role", ["受付", "相談員", "監督者"])
def test_refused_for_anyone_but_an_administrator(any_db: Database, staff_factory: MakeStaff,
                                                 role: str) -> None:
    clerk = staff_factory(any_db, "ikejiri1", role=role)
    with pytest.raises(PermissionDeniedError, match="管理者のみ"):
        preferences.set_idle_lock_minutes(any_db, clerk, "60")
    assert preferences.idle_lock_minutes(any_db) == 5
    refusal = audit.recent(any_db, 1)[0]
    assert (refusal.login, refusal.action, refusal.detail) == (
        "ikejiri1", "permission_denied", "preference_change")


@pytest.mark.parametrize(("typed", "message"), [
    ("0", "画面ロックまでの時間（分）: 1〜60 分の範囲で入力してください（入力: 0 分）"),
    ("61", "画面ロックまでの時間（分）: 1〜60 分の範囲で入力してください（入力: 61 分）"),
    ("", "画面ロックまでの時間（分）: 分数を入力してください"),
    ("五", "画面ロックまでの時間（分）: 「五」は分数ではありません。1〜60 の整数で入力してください"),
    ("2.5", "画面ロックまでの時間（分）: 「2.5」は分数ではありません。1〜60 の整数で入力してください"),
    ("-3", "画面ロックまでの時間（分）: 「-3」は分数ではありません。1〜60 の整数で入力してください"),
])
def test_bad_minutes_are_refused_naming_the_field(any_db: Database, admin: StaffProfile,
                                                  typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        preferences.set_idle_lock_minutes(any_db, admin, typed)
    assert raised.value.message == message
    assert preferences.idle_lock_minutes(any_db) == 5
    assert not [e for e in audit.recent(any_db) if e.action == "preference_change"]


def test_the_bounds_themselves_are_accepted(any_db: Database, admin: StaffProfile) -> None:
    assert preferences.set_idle_lock_minutes(any_db, admin, "1") == 1
    assert preferences.set_idle_lock_minutes(any_db, admin, "60") == 60
    assert preferences.idle_lock_minutes(any_db) == 60
