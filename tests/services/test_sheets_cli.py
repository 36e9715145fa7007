"""``setacare sheet`` and ``setacare print``: PDFs written, the consent gate's exit code 2 (the
referral is built by the helpers of test_sheets.py, next door)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from test_sheets import NAME, PASSWORD, make_referral

from setacare_desktop.app import main
from setacare_desktop.services import Database, audit, sheets
from setacare_desktop.store.models import ConsultationDetail
from tmpfs import small_disk


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_path: Path,
         *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    code = main(["--database", str(db_path), *argv, "--as", "clerk", "--password-stdin"])
    out = capsys.readouterr()
    return code, out.out, out.err


def _text(path: Path) -> str:
    return "".join(p.extract_text() for p in PdfReader(path).pages)


def test_sheet_refused_with_exit_2_then_anonymised(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Database,
        db_path: Path, tmp_path: Path, staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(db, clerk, consent=False)
    out = tmp_path / "sheet.pdf"
    code, _, err = _run(monkeypatch, capsys, db_path, "sheet", str(referral_id), "--out", str(out))
    assert code == 2 and "同意が記録されていません" in err and not out.exists()
    code, _, err = _run(monkeypatch, capsys, db_path, "sheet", str(referral_id), "--out",
                        str(out), "--anonymised")
    assert code == 2 and "入力エラー: 匿名用の概要: 入力してください" in err and not out.exists()
    code, _, err = _run(monkeypatch, capsys, db_path, "sheet", str(referral_id), "--out",
                        str(out), "--anonymised", "--summary", "山田さん（84歳）の就労相談")
    assert code == 2 and not out.exists()
    assert "入力エラー: 匿名用の概要: 「山田」は対象者の氏名の一部です" in err
    assert "入力エラー: 匿名用の概要: 「84歳」は正確な年齢です" in err
    code, stdout, _ = _run(monkeypatch, capsys, db_path, "sheet", str(referral_id), "--out",
                           str(out), "--anonymised", "--summary", "50歳代の男性の就労相談")
    assert code == 0 and "IKEJIRI-2026-00001（原本、匿名）" in stdout
    assert NAME not in _text(out) and "50歳代の男性の就労相談" in _text(out)
    code, _, err = _run(monkeypatch, capsys, db_path, "sheet", str(referral_id), "--out",
                        str(out), "--force", "--summary", "x")
    assert code == 2 and "--summary" in err


def test_a_sheet_that_cannot_be_written_is_not_recorded(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Database,
        db_path: Path, tmp_path: Path, staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(db, clerk)
    usb = tmp_path / "usb"
    with small_disk(usb, 4096):
        code, _, err = _run(monkeypatch, capsys, db_path, "sheet", str(referral_id), "--out",
                            str(usb / "sheet.pdf"))
        assert code == 1 and "空き容量" in err
    out = tmp_path / "sheet.pdf"
    code, stdout, _ = _run(monkeypatch, capsys, db_path, "sheet", str(referral_id), "--out",
                           str(out))
    assert code == 0 and "IKEJIRI-2026-00001（原本）" in stdout
    assert sheets.sheet_prints(db, clerk, referral_id)[0].reissue is False
    assert "sheet_print_failed" in [e.action for e in audit.recent(db, 10)]


def test_sheet_intake_and_day_list(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Database,
        db_path: Path, tmp_path: Path, staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(db, clerk)
    out = tmp_path / "sheet.pdf"
    for kind in ("原本", "再発行"):
        code, stdout, _ = _run(monkeypatch, capsys, db_path, "sheet", str(referral_id), "--out",
                               str(out), *(["--force"] if kind == "再発行" else []))
        assert code == 0 and f"（{kind}）" in stdout
    assert NAME in _text(out) and "再発行" in _text(out)
    code, _, err = _run(monkeypatch, capsys, db_path, "sheet", "999", "--out", str(out), "--force")
    assert code == 1 and "見つかりません" in err
    intake = tmp_path / "intake.pdf"
    code, _, _ = _run(monkeypatch, capsys, db_path, "print", "intake", "1", "--out", str(intake))
    assert code == 0 and "相談受付票" in _text(intake)
    day = tmp_path / "day.pdf"
    code, _, _ = _run(monkeypatch, capsys, db_path, "print", "day", "--date", "R8.11.24",
                      "--district", "池尻", "--out", str(day))
    assert code == 0 and NAME in _text(day)
    code, _, err = _run(monkeypatch, capsys, db_path, "print", "day", "--date", "2026-13-01",
                        "--district", "どこか", "--out", str(day), "--force")
    assert code == 2 and "日付" in err and "地区" in err


def test_print_fax_cover_and_consent_form_and_org_settings(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Database,
        db_path: Path, tmp_path: Path, staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    staff_factory(db, "admin", role="監督者", org_kind="あんしんすこやかセンター", admin=True)
    referral_id = make_referral(db, clerk)
    code, _, err = _run(monkeypatch, capsys, db_path, "org", "set", "--fax", "03-5432-1112")
    assert code == 1 and "管理者" in err  # the clerk does not manage accounts
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    code = main(["--database", str(db_path), "org", "set", "--fax", "０３-５４３２-１１１２",
                 "--contact", "相談担当 佐藤", "--as", "admin", "--password-stdin"])
    assert code == 0 and "FAX: 03-5432-1112" in capsys.readouterr().out
    cover = tmp_path / "cover.pdf"
    code, stdout, _ = _run(monkeypatch, capsys, db_path, "print", "fax-cover", str(referral_id),
                           "--out", str(cover))
    assert code == 0 and "FAX送付状" in stdout
    text = _text(cover)
    assert "03-5432-1112" in text and "3枚（この送付状を含む）" in text and NAME not in text
    with db.read() as session:
        person_id = session.scalar(sa.select(ConsultationDetail.person_id))
    form = tmp_path / "form.pdf"
    code, stdout, _ = _run(monkeypatch, capsys, db_path, "print", "consent-form", str(person_id),
                           "--out", str(form))
    assert code == 0 and "同意書" in stdout and NAME in _text(form)
    assert "consent_form_print" in [e.action for e in audit.recent(db, 3)]
