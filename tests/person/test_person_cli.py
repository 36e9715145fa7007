"""``setacare person find/show``, ``referral list`` and ``followup list`` through the real entry
point, on SQLite and PostgreSQL, with the privacy suite's district: the 児童館 clerk (``viewer``)
never reads a masked person's name; the taking organisation's reads are audited."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.privacy.conftest import (
    CONSENTED,
    DAY,
    PASSWORD,
    REFUSED,
    UNRECORDED,
    World,
    assert_hidden,
    build_world,
)

from setacare_desktop.app import main
from setacare_desktop.domain.continuity import HouseholdInput
from setacare_desktop.domain.referral import ReferralStatus
from setacare_desktop.services import Database, StaffProfile, households
from setacare_desktop.store.models import AuditEvent, DirService, Referral


@pytest.fixture
def world(any_db: Database, staff_factory: Callable[..., StaffProfile]) -> World:
    return build_world(any_db, staff_factory)


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, world: World,
        login: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    url = world.db.engine.url.render_as_string(hide_password=False)
    try:
        code = main(["--database", url, *argv, "--as", login, "--password-stdin"])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def actions(world: World, login: str) -> list[tuple[str, str | None]]:
    with world.db.read() as session:
        return [(e.action, e.entity_id) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.login == login).order_by(AuditEvent.id))]


def refer(world: World, key: str) -> int:
    with world.db.transaction() as session:
        service_id = session.scalar(select(DirService.id).order_by(DirService.id).limit(1))
        referral = Referral(
            consultation_id=world.ids[key], service_id=service_id, referred_on=DAY,
            method="phone", request=f"{key} 訪問依頼", staff_id=world.taker.staff_id,
            reply_due=DAY + timedelta(days=7), status=ReferralStatus.SENT.value,
            anonymised=False, basis="consent")
        session.add(referral)
        session.flush()
        return referral.id


def person(world: World, key: str) -> str:
    return str(world.persons[key])


def test_person_find_lists_only_persons_the_clerk_may_see_with_reasons(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    code, out, err = run(capsys, monkeypatch, world, "taker", "person", "find",
                         "--name", "鷹司冴子", "--birth", "昭和19年5月16日")
    assert code == 0, err
    assert REFUSED.name in out and "氏名が一致" in out and "生年月日が一致" in out
    assert ("person_find", person(world, "refused")) in actions(world, "taker")
    code, out, err = run(capsys, monkeypatch, world, "viewer", "person", "find",
                         "--name", "鷹司冴子", "--reading", "たかつかさ さえこ")
    assert code == 0, err
    assert "一致する対象者はいません" in out
    assert_hidden(out + err, REFUSED)
    code, out, _err = run(capsys, monkeypatch, world, "viewer", "person", "find",
                          "--name", "東雲", "--district", "池尻")
    assert CONSENTED.name in out
    assert ("person_find", person(world, "consented")) in actions(world, "viewer")


def test_person_show_prints_the_page_and_refuses_a_masked_person(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    households.link_household(world.db, world.taker, world.persons["consented"] or 0,
                              world.persons["refused"] or 0,
                              HouseholdInput("母", False, ("8050",)))
    code, out, err = run(capsys, monkeypatch, world, "taker", "person", "show",
                         person(world, "refused"))
    assert code == 0, err
    assert REFUSED.name in out and REFUSED.complaint in out and "不同意" in out
    assert "子" in out and CONSENTED.name in out and "8050" in out
    assert ("person_page_view", person(world, "refused")) in actions(world, "taker")
    code, out, err = run(capsys, monkeypatch, world, "viewer", "person", "show",
                         person(world, "refused"))
    assert code == 1 and out == ""
    assert "同意がないため表示できません" in err
    assert_hidden(out + err, REFUSED)
    assert ("permission_denied", person(world, "refused")) in actions(world, "viewer")
    code, out, err = run(capsys, monkeypatch, world, "viewer", "person", "show",
                         person(world, "consented"))
    assert code == 0, err
    assert CONSENTED.name in out and "T.S.（80歳代）（同意なし）" in out
    assert_hidden(out, REFUSED)


def test_referral_list_filters_and_masks(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    first, second = refer(world, "refused"), refer(world, "unrecorded")
    code, out, err = run(capsys, monkeypatch, world, "taker", "referral", "list",
                         "--case", str(world.ids["refused"]), "--status", "送付済")
    assert code == 0, err
    lines = [line.split()[0] for line in out.splitlines()[2:-1]]
    assert lines == [str(first)]
    code, out, err = run(capsys, monkeypatch, world, "taker", "referral", "list", "--date",
                         f"{DAY:%Y-%m-%d}")
    assert {line.split()[0] for line in out.splitlines()[2:-1]} == {str(first), str(second)}
    assert ("referral_list", None) in actions(world, "taker")
    # The 児童館 clerk: listed without texts; filtering by a masked person is refused.
    code, out, err = run(capsys, monkeypatch, world, "viewer", "referral", "list")
    assert code == 0, err
    assert_hidden(out, REFUSED, UNRECORDED)
    code, out, err = run(capsys, monkeypatch, world, "viewer", "referral", "list",
                         "--person", person(world, "refused"))
    assert code == 1 and "同意がないため" in err
    code, out, err = run(capsys, monkeypatch, world, "taker", "referral", "list",
                         "--status", "不明")
    assert code == 2 and "--status" in err


def test_followup_list_of_the_clerk_and_of_the_organisation(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    refer(world, "refused")
    with world.db.transaction() as session:
        session.execute(Referral.__table__.update().values(reply_due=DAY))
    code, out, err = run(capsys, monkeypatch, world, "taker", "followup", "list")
    assert code == 0, err
    assert "返信期限超過" in out and REFUSED.name in out and "1件（自分の分）" in out
    assert ("followup_list", str(world.taker.staff_id)) in actions(world, "taker")
    code, out, err = run(capsys, monkeypatch, world, "viewer", "followup", "list",
                         "--organisation")
    assert code == 0, err
    assert "やることはありません（所属機関の分）" in out
    assert_hidden(out, REFUSED)
