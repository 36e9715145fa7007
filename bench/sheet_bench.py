"""Liaison sheets: time to render one sheet and a batch of 1,000, against a one-page reportlab
document in the same font (the floor).

    python bench/sheet_bench.py [--batch 1000]

- floor: a one-page A4 document, one paragraph of Japanese in IPAexGothic (font registered once,
  subset embedded), built with reportlab's SimpleDocTemplate;
- render: ``reports.liaison_sheet.render_liaison_sheet`` on a typical sheet (plain data, no
  database): boxed fields, QR code, footer with page n / m;
- issue: ``services.sheets.issue_liaison_sheet`` on a throw-away SQLite database: consent gate,
  loading the referral, the sheet number, the PDF written to a file and the audit rows, one
  transaction per sheet (the batch prints 50 referrals 20 times each: originals, then reprints).
Median of single runs and the wall time of the batch. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from reportlab.platypus import Paragraph, SimpleDocTemplate

from setacare_desktop.domain.consent import ConsentEntry, Giver, Method, Purpose
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.referral import REQUEST_KINDS, ReferralMethod
from setacare_desktop.reports.blocks import ConsultationBlock, ConsulterBlock, SubjectBlock
from setacare_desktop.reports.common import FONT, register_font, style
from setacare_desktop.reports.liaison_sheet import LiaisonSheet, Party, render_liaison_sheet
from setacare_desktop.services import Database, directory, intake, referrals, sheets
from setacare_desktop.services.staff import NewStaff, add_staff

DAY = date(2026, 11, 24)
TEXT = "本人は長年勤めた会社を退職した後、就労先を探しているが見つからず、生活に不安がある。" * 4


def _floor() -> bytes:
    import io
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, initialFontName=FONT)
    doc.build([Paragraph(TEXT, style("floor"))])
    return out.getvalue()


def _sample() -> LiaisonSheet:
    party = Party("池尻あんしんすこやかセンター", "池尻地区", "佐藤 花子", "03-0000-0000")
    return LiaisonSheet(
        sheet_number="IKEJIRI-2026-00001", reissue=False, anonymised=False,
        sent_on="令和8年11月24日", sender=party,
        destination=Party("世田谷区", "障害者就労支援センター", "", "03-0000-1111"),
        subject=SubjectBlock("山田 太郎", "やまだ たろう", "昭和45年5月6日（56歳）", "男性",
                             "池尻二丁目3番4号", "03-0000-1234", "単身"),
        consulter=ConsulterBlock("本人", "", "", ""),
        consultation=ConsultationBlock("令和8年11月24日 10:30", "来所", ("障害者",), ("就労",),
                                       "仕事を探したい", TEXT, "対応: 情報提供", (),
                                       ("虐待の疑い", "DV"), ""),
        request_options=REQUEST_KINDS, requested=("面談",), request_text="面談をお願いします",
        reply_due="令和8年12月1日", consent="本人同意あり（連携シートの送付）: 同意者 本人",
        reply_to="池尻あんしんすこやかセンター 担当 佐藤 花子")


def _time(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    register_font()
    sample = _sample()
    _floor(), render_liaison_sheet(sample)  # warm up: font parsing, imports
    print(f"floor (1-page reportlab, same font): {_time(_floor, 50):7.1f} ms median")
    print(f"render one liaison sheet:            {_time(lambda: render_liaison_sheet(sample), 50):7.1f} ms median"
          f"  ({len(render_liaison_sheet(sample)) / 1024:.0f} KiB)")
    started = time.perf_counter()
    for _ in range(args.batch):
        render_liaison_sheet(sample)
    print(f"render a batch of {args.batch:,}:             {time.perf_counter() - started:7.1f} s")

    with tempfile.TemporaryDirectory() as folder:
        db = Database.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        admin = add_staff(db, None, NewStaff("bench-admin", "ベンチ 管理者", "管理者", "世田谷",
                                             "総合支所", "bench-pass-123"))
        clerk = add_staff(db, admin, NewStaff("bench", "佐藤 花子", "相談員", "池尻",
                                              "あんしんすこやかセンター", "bench-pass-123", False))
        service_id = directory.search_destinations(db, "障害者就労支援センター")[0].service_id
        referral_ids = []
        for n in range(50):
            data = IntakeInput(
                received_at="R8.11.24 10:30", channel="来所", district="池尻",
                consulter_kind="本人", main_complaint="仕事を探したい", details=TEXT,
                target_groups=["障害者"], elements=["就労"],
                person=PersonInput(name=f"山田 太郎{n}", reading="やまだ たろう"))
            case_id = intake.record_intake(db, clerk, data).consultation_id
            referrals.record_destination_consent(
                db, clerk, case_id, service_id, purpose=Purpose.SHEET,
                entry=ConsentEntry(True, Giver.SELF, "", Method.ORAL, DAY))
            referral_ids.append(referrals.create_referral(db, clerk, case_id, referrals.NewReferral(
                service_id, ReferralMethod.POST, "面談をお願いします", referred_on=DAY)))
        out = sheets.to_file(Path(folder) / "sheet.pdf")
        one = _time(lambda: sheets.issue_liaison_sheet(db, clerk, referral_ids[0], out), 20)
        print(f"issue one sheet (gate, DB, audit):   {one:7.1f} ms median")
        started = time.perf_counter()
        for i in range(args.batch):
            sheets.issue_liaison_sheet(db, clerk, referral_ids[i % len(referral_ids)], out)
        print(f"issue a batch of {args.batch:,}:              {time.perf_counter() - started:7.1f} s")
        db.close()


if __name__ == "__main__":
    main()
