"""``setacare stats``: the statistics from the command line, acting as a supervisor (``--as``):
the table on stdout, CSV / XLSX / JSON / PDF files, bad input (exit 2, naming the option) and a
refused counter clerk (exit 1)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from setacare_desktop.app import main
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.services import Database, audit
from setacare_desktop.services import intake as intake_svc

PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
NAME, PHONE = "佐藤 一郎", "03-1111-2222"


def _fixture(db: Database, staff_factory: Callable) -> None:
    anshin = staff_factory(db, "anshin", role="相談員", org_kind="あんしんすこやかセンター")
    machi = staff_factory(db, "machi", role="受付")
    staff_factory(db, "boss", role="監督者")
    for actor, day, targets in ((anshin, "2026-04-01", ["高齢者"]),
                                (anshin, "2026-04-02", ["障害者"]),
                                (anshin, "2026-04-02", ["子ども・子育て家庭", "若者"]),
                                (machi, "2026-04-03", ["高齢者"]),
                                (machi, "2026-03-31", ["高齢者"])):
        intake_svc.record_intake(db, actor, IntakeInput(
            received_at=f"{day} 10:00", channel="来所", district="池尻", consulter_kind="本人",
            main_complaint="内密の主訴", target_groups=targets, elements=["医療"],
            person=PersonInput(name=NAME, phone=PHONE)), now=datetime(2026, 5, 1))


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_path: Path,
         *argv: str, login: str = "boss") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    code = main(["--database", str(db_path), "stats", *argv, "--as", login, "--password-stdin"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_table_and_files(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                         db: Database, db_path: Path, tmp_path: Path,
                         staff_factory: Callable) -> None:
    _fixture(db, staff_factory)
    code, out, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026")
    assert code == 0, err
    assert "令和8年度（2026年4月1日〜2027年3月31日）" in out and "池尻地区" in out
    assert "相談件数: 4件" in out
    rows = {line.strip().rsplit(" ", 1)[0].strip(): line.rsplit(" ", 1)[1]
            for line in out.splitlines() if line.startswith("  ") and not line.startswith("  注")}
    assert rows["あんしんすこやかセンター 相談件数"] == "3"
    assert rows["内、相談拡充(障害者、子育て家庭等の相談)"] == "2"
    assert rows["まちづくりセンター 福祉の相談件数"] == "1"
    assert rows["複合"] == "1"
    assert NAME not in out and "内密の主訴" not in out

    code, out, _ = _run(monkeypatch, capsys, db_path, "--from", "R8.4.1", "--to",
                        "令和8年4月2日", "--by", "対象", "--by", "district")
    assert code == 0 and "相談件数: 3件" in out and "■ 対象別" in out and "■ 地区別" in out
    assert "■ 要素別" not in out

    target = tmp_path / "toukei.csv"
    code, out, _ = _run(monkeypatch, capsys, db_path, "--month", "2026-04", "--format", "csv",
                        "--out", str(target))
    assert code == 0 and "書き出しました" in out
    rows_csv = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert ["あんしんすこやかセンター 相談件数", "3"] in rows_csv
    assert NAME not in target.read_bytes().decode("utf-8-sig")

    xlsx = tmp_path / "toukei.xlsx"
    code, _, _ = _run(monkeypatch, capsys, db_path, "--fiscal-year", "R8", "--format", "xlsx",
                      "--out", str(xlsx))
    assert code == 0
    sheet = load_workbook(xlsx)["区の様式"]
    assert ["あんしんすこやかセンター 相談件数", 3] in [list(r) for r in
                                                sheet.iter_rows(values_only=True)]

    out_json = tmp_path / "toukei.json"
    code, _, _ = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2025", "--format", "json",
                      "--out", str(out_json))
    assert code == 0 and json.loads(out_json.read_text("utf-8"))["total"] == 1
    code, out, _ = _run(monkeypatch, capsys, db_path, "--from", "2026-04-01", "--format", "json")
    assert code == 0 and json.loads(out)["total"] == 1

    pdf = tmp_path / "toukei.pdf"
    code, _, _ = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026", "--format", "pdf",
                      "--out", str(pdf))
    assert code == 0 and "福祉の相談窓口" in "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert [e.action for e in audit.recent(db, 30)].count("stats") == 7


def test_bad_input_exits_2_naming_the_option(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Database,
        db_path: Path, staff_factory: Callable) -> None:
    _fixture(db, staff_factory)
    code, _, err = _run(monkeypatch, capsys, db_path, "--from", "2026-13-40")
    assert code == 2 and "--from" in err and "存在しない日付" in err
    code, _, err = _run(monkeypatch, capsys, db_path, "--from", "2026-04-02", "--to", "2026-04-01")
    assert code == 2 and "--to" in err
    code, _, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026", "--by", "年齢")
    assert code == 2 and "--by" in err and "年齢" in err
    code, _, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026", "--format", "xlsx")
    assert code == 2 and "--out" in err
    code, _, err = _run(monkeypatch, capsys, db_path)
    assert code == 2 and "--from" in err
    code, _, err = _run(monkeypatch, capsys, db_path, "--month", "2026-13")
    assert code == 2 and "--month" in err


def test_counter_clerk_and_other_district_are_refused(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Database,
        db_path: Path, staff_factory: Callable) -> None:
    _fixture(db, staff_factory)
    code, out, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026", login="machi")
    assert code == 1 and "監督者・管理者のみ" in err and not out
    assert any(e.action == "permission_denied" and e.login == "machi" and e.detail == "stats"
               for e in audit.recent(db, 5))
    code, _, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026", "--district",
                        "梅丘")
    assert code == 1 and "権限がありません" in err
