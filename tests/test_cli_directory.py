"""``setacare directory lookup|import|export``: Japanese output, exit codes 0 / 2 / 1; import and
export log in (``--as``) and are audited under that login."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from setacare_desktop.app import main
from setacare_desktop.services import Database, audit

TEST_PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
HSDS_EXAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "hsds-3.0" / "examples"
BOSS = "boss"


@pytest.fixture(autouse=True)
def staff(db: Database, staff_factory: Callable[..., object],
          monkeypatch: pytest.MonkeyPatch) -> None:
    """A supervisor (who may import) and a counter clerk; every command reads a password."""
    staff_factory(db, BOSS, role="監督者")
    staff_factory(db, "clerk")
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *argv: str, as_login: str | None = BOSS
        ) -> tuple[int, str, str]:
    """``setacare directory ARGV`` (import and export ``--as AS_LOGIN --password-stdin``)."""
    acting = [] if argv[0] == "lookup" or as_login is None else [
        "--as", as_login, "--password-stdin"]
    try:
        code = main(["--database", str(db_path), "directory", *argv, *acting])
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_lookup_prints_the_ranked_list_in_japanese(capsys: pytest.CaptureFixture[str],
                                                   db_path: Path) -> None:
    code, out, _ = run(capsys, db_path, "lookup", "--district", "池尻", "--target", "障害者",
                       "--element", "就労")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["順位", "つなぎ先", "理由"]
    assert lines[2].split()[:2] == ["1", "世田谷区障害者就労支援センター"]
    assert "障害者 × 就労 → 世田谷区障害者就労支援センター" in lines[2]
    assert "要確認" in lines[2]


def test_lookup_json_with_urgency_and_codes(capsys: pytest.CaptureFixture[str],
                                           db_path: Path) -> None:
    code, out, _ = run(capsys, db_path, "lookup", "--district", "ikejiri", "--target", "child",
                       "--urgent", "虐待の疑い", "--json", "--limit", "3")
    assert code == 0
    found = json.loads(out)
    assert len(found) == 3
    assert found[0]["name"] == "世田谷総合支所 子ども家庭支援センター" and found[0]["urgent"]
    assert found[0]["contact_status"] == "要確認" and isinstance(found[0]["service_id"], int)


def test_lookup_bad_input_exits_2_naming_each_problem(capsys: pytest.CaptureFixture[str],
                                                      db_path: Path) -> None:
    code, _, err = run(capsys, db_path, "lookup", "--district", "火星", "--target", "宇宙人",
                       "--element", "就労、魔法")
    assert code == 2
    assert "入力エラー: 地区: 「火星」は地区ではありません" in err
    assert "対象区分: 「宇宙人」は選べません" in err and "要素: 「魔法」は選べません" in err


def test_export_json_and_csv_then_import(capsys: pytest.CaptureFixture[str], db_path: Path,
                                         db: Database, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out_file = tmp_path / "directory.json"
    code, out, _ = run(capsys, db_path, "export", "--format", "hsds-json", "--out", str(out_file),
                       as_login="clerk")  # any staff member may export: no personal data
    assert code == 0 and "書き出しました: 194 件" in out
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    code, out, _ = run(capsys, db_path, "export", "--format", "hsds-csv", "--out",
                       str(tmp_path / "csv"))
    assert code == 0 and (tmp_path / "csv" / "services.csv").is_file()
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    code, out, _ = run(capsys, db_path, "import", str(out_file))
    assert code == 0 and "新規 0 件、更新 0 件、変更なし 194 件" in out
    events = [(e.action, e.login) for e in reversed(audit.recent(db, 50))]
    assert [e for e in events if e[0].startswith("directory_")] == [
        ("directory_export", "clerk"), ("directory_export", BOSS), ("directory_import", BOSS)]


@pytest.mark.parametrize("command", ["import", "export"])
def test_import_and_export_without_a_login_are_refused_by_argparse(
        capsys: pytest.CaptureFixture[str], db_path: Path, db: Database, tmp_path: Path,
        command: str) -> None:
    argv = ([str(HSDS_EXAMPLES / "service_full.json")] if command == "import"
            else ["--format", "hsds-json", "--out", str(tmp_path / "d.json")])
    before = len(audit.recent(db, 100))
    code, out, err = run(capsys, db_path, command, *argv, as_login=None)
    assert code == 2 and out == ""
    assert "入力エラー: 次の引数が必要です: --as" in err
    assert len(audit.recent(db, 100)) == before and not (tmp_path / "d.json").exists()


def test_import_by_a_counter_clerk_is_refused_and_audited(
        capsys: pytest.CaptureFixture[str], db_path: Path, db: Database) -> None:
    code, out, err = run(capsys, db_path, "import", str(HSDS_EXAMPLES / "service_full.json"),
                         as_login="clerk")
    assert code == 1 and out == ""
    assert "つなぎ先の編集は監督者・管理者のみ行えます" in err
    refused = audit.recent(db, 2)  # the refusal, then the logout
    assert [(e.action, e.login, e.detail) for e in refused][1] == (
        "permission_denied", "clerk", "directory_import")


def test_import_of_an_official_example(capsys: pytest.CaptureFixture[str],
                                       db_path: Path) -> None:
    if not HSDS_EXAMPLES.is_dir():
        pytest.fail(f"HSDS 3.0 examples missing: expected {HSDS_EXAMPLES}")
    code, out, _ = run(capsys, db_path, "import", str(HSDS_EXAMPLES / "service_full.json"))
    assert code == 0 and "新規 1 件" in out and "注意: " in out


def test_bad_import_exits_2_and_lists_problems(capsys: pytest.CaptureFixture[str],
                                               db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": "x1", "name": "", "status": "active"}, "oops"]),
                   encoding="utf-8")
    code, out, err = run(capsys, db_path, "import", str(bad))
    assert code == 2 and out == ""
    assert "入力エラー: $[0].name: 名称がありません" in err
    assert "入力エラー: $[0].organization: 組織がありません" in err
    assert "入力エラー: $[1]:" in err


def test_export_needs_a_known_format(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--database", str(db_path), "directory", "export", "--format", "xml", "--out", "x"])
    assert caught.value.code == 2
    assert "選べない値です" in capsys.readouterr().err


def test_an_import_refuses_text_the_intake_form_would_refuse(
        capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    """A NUL or a right-to-left trick in a name, or a 1,000,000-character description, used to
    be stored as they were (and the NUL failed on PostgreSQL)."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": "x1", "name": "evil\u0000name", "status": "active",
                                "organization": {"id": "o1", "name": "組織",
                                                 "description": "あ" * 1_000_000}}]),
                   encoding="utf-8")
    code, out, err = run(capsys, db_path, "import", str(bad))
    assert code == 2 and out == ""
    assert "入力エラー: $[0].name: 制御文字（U+0000）は入力できません" in err
    assert "入力エラー: $[0].organization.description: 20,000文字以内にしてください" in err


def test_xlsx_export_then_preview_prints_the_changes_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], db_path: Path, db: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    book_path = tmp_path / "directory.xlsx"
    code, out, _ = run(capsys, db_path, "export", "--format", "xlsx", "--out", str(book_path))
    assert code == 0 and "書き出しました: 194 件" in out
    book = load_workbook(book_path)
    services = book["services"]
    header = [c.value for c in services[1]]
    row = next(r for r in services.iter_rows(min_row=2)
               if r[header.index("name")].value == "池尻あんしんすこやかセンター")
    row[header.index("name")].value = "池尻あんしんすこやかセンター（本所）"
    book.save(book_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    code, out, _ = run(capsys, db_path, "import", str(book_path), "--preview")
    assert code == 0
    assert "変更\tサービス\t池尻あんしんすこやかセンター（ikejiri-anshin）" in out
    assert ("\t名称: 池尻あんしんすこやかセンター → 池尻あんしんすこやかセンター（本所）"
            in out)
    assert "確認のみ（何も書き込んでいません）: 新規 0 件、変更 1 件、削除 0 件" in out
    assert not [e for e in audit.recent(db, 5) if e.action == "directory_import"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    code, out, _ = run(capsys, db_path, "import", str(book_path))
    assert code == 0 and "更新 1 件" in out
    assert [(e.action, e.entity) for e in audit.recent(db, 3)][1:] == [
        ("directory_import", "directory"), ("directory_import", "dir_service")]
