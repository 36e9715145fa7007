"""``setacare case show / show --json / list / search`` as the 児童館 clerk: masked records, a refused
JSON export, nothing found; the taking organisation's clerk reads it whole. Through ``main`` on
SQLite and PostgreSQL (``--database`` names the test's database)."""

from __future__ import annotations

import io
import sys

import pytest
from tests.privacy.conftest import (
    ANONYMOUS,
    CONSENTED,
    DAY,
    PASSWORD,
    REFUSED,
    UNRECORDED,
    World,
    assert_hidden,
    assert_shown,
)

from setacare_desktop.app import main
from setacare_desktop.services import audit

HIDDEN = (REFUSED, UNRECORDED, ANONYMOUS)


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


def test_case_show_prints_the_masked_record_with_the_reason(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    for key, spec in (("refused", REFUSED), ("unrecorded", UNRECORDED),
                      ("anonymous", ANONYMOUS)):
        code, out, err = run(capsys, monkeypatch, world, "viewer", "case", "show",
                             str(world.ids[key]))
        assert code == 0, err
        assert_hidden(out + err, spec)
        assert "【個人を特定できる情報は表示していません】" in out
    code, out, _err = run(capsys, monkeypatch, world, "viewer", "case", "show",
                          str(world.ids["refused"]))
    assert "T.S.（80歳代）" in out and "不同意" in out and "虐待の疑い" in out


def test_case_show_json_of_a_masked_case_is_refused(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    code, out, err = run(capsys, monkeypatch, world, "viewer", "case", "show",
                         str(world.ids["refused"]), "--json")
    assert code == 1 and out == ""
    assert "JSON では出力できません" in err and "受け付けた機関が再入力に使う" in err
    assert_hidden(err, REFUSED)
    assert any(e.action == "permission_denied" and e.login == "viewer"
               for e in audit.recent(world.db, 10))


def test_the_taking_organisation_gets_it_whole(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    code, out, err = run(capsys, monkeypatch, world, "taker", "case", "show",
                         str(world.ids["refused"]), "--json")
    assert code == 0, err
    assert REFUSED.name in out and REFUSED.phone in out and REFUSED.details in out
    code, out, err = run(capsys, monkeypatch, world, "taker", "case", "list", "--date",
                         DAY.isoformat())
    assert code == 0, err
    for spec in (REFUSED, UNRECORDED, CONSENTED):
        assert spec.name in out


def test_case_list_masks_and_says_how_many(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    code, out, err = run(capsys, monkeypatch, world, "viewer", "case", "list", "--date",
                         DAY.isoformat())
    assert code == 0, err
    assert_hidden(out, *HIDDEN)
    assert "T.S.（80歳代）" in out and "A.K.（70歳代）" in out and CONSENTED.name in out
    assert "うち 3 件は、本人の情報共有の同意がないため" in out


def test_case_search_never_finds_a_masked_case(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        world: World) -> None:
    for query in (REFUSED.name, REFUSED.reading, REFUSED.phone, "暴言", "綾小路", "八重樫"):
        code, out, err = run(capsys, monkeypatch, world, "viewer", "case", "search",
                             *query.split())
        assert code == 0, err
        assert out == f"「{' '.join(query.split())}」に一致する相談はありません。\n"  # only the echo
    code, out, err = run(capsys, monkeypatch, world, "viewer", "case", "search", "さん")
    assert code == 0, err
    assert_hidden(out, *HIDDEN)
    assert_shown(out, CONSENTED)
    assert "1 件（新しい順）" in out
    code, out, err = run(capsys, monkeypatch, world, "taker", "case", "search", "暴言")
    assert code == 0 and REFUSED.name in out and str(world.ids["refused"]) in out
