"""``setacare stats --compare``: two periods side by side (this fiscal year beside the last, or
any two), as a table and as a PDF with charts; each period counted and audited; bad input named."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from setacare_desktop.app import main
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.stats import Period
from setacare_desktop.services import Database, audit
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services.stats_compare import previous_year

PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
NAME = "佐藤 一郎"


def _fixture(db: Database, staff_factory: Callable) -> None:
    anshin = staff_factory(db, "anshin", role="相談員", org_kind="あんしんすこやかセンター")
    machi = staff_factory(db, "machi", role="受付")
    staff_factory(db, "boss", role="監督者")
    for actor, day in ((anshin, "2026-04-01"), (anshin, "2026-04-02"), (anshin, "2026-05-02"),
                       (machi, "2026-04-03"), (machi, "2026-03-31")):
        intake_svc.record_intake(db, actor, IntakeInput(
            received_at=f"{day} 10:00", channel="来所", district="池尻", consulter_kind="本人",
            main_complaint="内密の主訴", target_groups=["高齢者"], elements=["医療"],
            person=PersonInput(name=NAME)), now=datetime(2026, 6, 1))


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_path: Path,
         *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    code = main(["--database", str(db_path), "stats", *argv, "--as", "boss", "--password-stdin"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_this_fiscal_year_beside_the_last_as_a_table_and_a_pdf(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Database,
        db_path: Path, tmp_path: Path, staff_factory: Callable) -> None:
    _fixture(db, staff_factory)
    code, out, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026", "--compare")
    assert code == 0, err
    assert "期間（前）: 令和7年度" in out and "期間（後）: 令和8年度" in out
    assert "相談件数: 1件 → 4件" in out
    rows = {line.split()[0]: line.split()[-3:] for line in out.splitlines()
            if line.startswith("  ")}
    assert rows["あんしんすこやかセンター"] == ["0", "3", "+3"]
    assert rows["まちづくりセンター"] == ["1", "1", "±0"]
    assert NAME not in out and "内密の主訴" not in out

    pdf = tmp_path / "hikaku.pdf"
    code, out, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026", "--compare",
                          "--compare-from", "2026-04-01", "--compare-to", "2026-04-30",
                          "--format", "pdf", "--out", str(pdf))
    assert code == 0, err
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "期間の比較" in text and "令和8年度" in text and "令和8年4月" in text
    assert "+1" in text  # 3 in April, 4 in the year: the year is the later period
    assert NAME not in text
    reader = PdfReader(pdf)
    assert reader.metadata is not None and "比較" in str(reader.metadata.subject)
    assert b"Helvetica" not in pdf.read_bytes()
    assert b"<pdfaid:part" in pdf.read_bytes() and b"/OutputIntents" in pdf.read_bytes()
    actions = [e.action for e in audit.recent(db, 10)]
    assert actions.count("stats") == 4 and actions.count("stats_export") == 1


def test_bad_comparison_input_names_the_option(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Database,
        db_path: Path, staff_factory: Callable) -> None:
    _fixture(db, staff_factory)
    code, _, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026",
                        "--compare-month", "2025-04")
    assert code == 2 and "--compare-month" in err and "--compare と一緒に" in err
    code, _, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026", "--compare",
                        "--format", "csv")
    assert code == 2 and "--format" in err
    code, _, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026", "--compare",
                        "--compare-fiscal-year", "昔")
    assert code == 2 and "--compare-fiscal-year" in err
    code, _, err = _run(monkeypatch, capsys, db_path, "--fiscal-year", "2026", "--compare",
                        "--compare-fiscal-year", "2026")
    assert code == 2 and "同じ期間" in err


@pytest.mark.parametrize(("period", "expected"), [
    (Period.fiscal_year(2026), Period.fiscal_year(2025)),
    (Period.month(2026, 11), Period.month(2025, 11)),
    (Period(date(2028, 2, 29), date(2028, 3, 10)), Period(date(2027, 2, 28), date(2027, 3, 10))),
])
def test_the_default_comparison_is_a_year_earlier(period: Period, expected: Period) -> None:
    assert previous_year(period) == expected
