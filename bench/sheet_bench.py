"""Liaison sheets: time to render one sheet and a batch of 1,000, against a one-page reportlab
document in the same font (the floor).

    python bench/sheet_bench.py [--batch 1000]

- floor: a one-page A4 document, one paragraph of Japanese in IPAexGothic (font registered once,
  subset embedded), built with reportlab's SimpleDocTemplate. reportlab hands a second font of
  the same face the font object registered first, so this floor draws with the app's font
  object (its kept subsets: the floor's one paragraph is subset once per process);
- floor, own font: the same document with a font object of its own (put in reportlab's table
  directly), so it makes its subset each time, as reportlab does out of the box; printed to
  inform, the ratio is against the floor above;
- render: ``reports.liaison_sheet.render_liaison_sheet`` on a typical sheet (plain data, no
  database): boxed fields, QR code, footer with page n / m; each run a different sheet (number,
  name, address), so no cache of a previous identical document helps;
- batch: the same sheets in a loop in this process, then through ``reports.batch.render_many``
  (spread over processes when it pays);
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

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate

from setacare_desktop.domain.consent import ConsentEntry, Giver, Method, Purpose
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.referral import REQUEST_KINDS, ReferralMethod
from setacare_desktop.fonts import japanese_font_path
from setacare_desktop.reports.batch import render_many, worker_count
from setacare_desktop.reports.blocks import ConsultationBlock, ConsulterBlock, SubjectBlock
from setacare_desktop.reports.common import register_font
from setacare_desktop.reports.liaison_sheet import LiaisonSheet, Party, render_liaison_sheet
from setacare_desktop.services import Database, directory, intake, referrals, sheets
from setacare_desktop.services.staff import NewStaff, add_staff

DAY = date(2026, 11, 24)
TEXT = "本人は長年勤めた会社を退職した後、就労先を探しているが見つからず、生活に不安がある。" * 4


FLOOR_FONT = "IPAexGothic-floor"
OWN_FONT = "IPAexGothic-own"
FAMILY = "山田佐藤鈴木高橋田中伊藤渡辺中村小林加藤吉田松本井上木村林清水山崎森阿部池田橋本"
GIVEN = "太郎花子一郎次郎幸子和夫明美健一直樹真由美裕子博之恵子正雄美智子勝利"


def _floor(font: str = FLOOR_FONT) -> bytes:
    """reportlab as it comes: the font registered once under its own name, one paragraph on one
    page."""
    import io
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, initialFontName=font)
    doc.build([Paragraph(TEXT, ParagraphStyle("floor", fontName=font, fontSize=9, leading=13, wordWrap="CJK"))])
    return out.getvalue()


def _sample(n: int = 0) -> LiaisonSheet:
    """The n-th sheet of a day: its own number, name and address."""
    party = Party("池尻あんしんすこやかセンター", "池尻地区", "佐藤 花子", "03-0000-0000")
    name = (FAMILY[2 * (n % 25):2 * (n % 25) + 2] + " "
            + GIVEN[2 * (n % 17):2 * (n % 17) + 2])
    return LiaisonSheet(
        sheet_number=f"IKEJIRI-2026-{n + 1:05d}", reissue=False, anonymised=False,
        sent_on="令和8年11月24日", sender=party,
        destination=Party("世田谷区", "障害者就労支援センター", "", "03-0000-1111"),
        subject=SubjectBlock(name, "やまだ たろう", "昭和45年5月6日（56歳）", "男性",
                             f"池尻二丁目{n % 40 + 1}番{n % 9 + 1}号", f"03-0000-{n:04d}",
                             "単身"),
        consulter=ConsulterBlock("本人", "", "", ""),
        consultation=ConsultationBlock("令和8年11月24日 10:30", "来所", ("障害者",), ("就労",),
                                       "仕事を探したい", TEXT, "対応: 情報提供", (),
                                       ("虐待の疑い", "DV"), ""),
        request_options=REQUEST_KINDS, requested=("面談",), request_text="面談をお願いします",
        reply_due="令和8年12月1日", consent="本人同意あり（連携シートの送付）: 同意者 本人",
        reply_to="池尻あんしんすこやかセンター 担当 佐藤 花子")


def _time(call: Callable[[int], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU time of ``call(i)`` in milliseconds."""
    walls, cpus = [], []
    for i in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call(i)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--render-only", action="store_true",
                        help="skip the issue figures (database, audit)")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes for the batch runner (default: the CPUs)")
    args = parser.parse_args()
    register_font()
    path = japanese_font_path()
    assert path is not None
    pdfmetrics.registerFont(TTFont(FLOOR_FONT, str(path)))
    # registerFont would hand back the font object of the same face registered first.
    pdfmetrics._fonts[OWN_FONT] = TTFont(OWN_FONT, str(path))
    pdfmetrics.registerFontFamily(OWN_FONT)
    _floor(), _floor(OWN_FONT), render_liaison_sheet(_sample())  # warm up: fonts, imports
    floor_wall, floor_cpu = _time(lambda _i: _floor(), 50)
    own_wall, own_cpu = _time(lambda _i: _floor(OWN_FONT), 50)
    sheet_wall, sheet_cpu = _time(lambda i: render_liaison_sheet(_sample(i)), 50)
    print(f"floor (1-page reportlab, same font): {floor_wall:7.1f} ms median ({floor_cpu:.1f} ms CPU)")
    print(f"floor, a font object of its own:     {own_wall:7.1f} ms median ({own_cpu:.1f} ms CPU)")
    print(f"render one liaison sheet:            {sheet_wall:7.1f} ms median ({sheet_cpu:.1f} ms CPU)"
          f"  ({len(render_liaison_sheet(_sample())) / 1024:.0f} KiB)"
          f"  = {sheet_wall / floor_wall:.1f}x the floor ({sheet_cpu / floor_cpu:.1f}x in CPU)")
    batch = [_sample(i) for i in range(args.batch)]
    started = time.perf_counter()
    for item in batch:
        render_liaison_sheet(item)
    print(f"render a batch of {args.batch:,} in a loop:     {time.perf_counter() - started:7.1f} s")
    started = time.perf_counter()
    render_many(render_liaison_sheet, batch, workers=args.workers)
    workers = worker_count(args.batch, args.workers)
    print(f"render a batch of {args.batch:,} (batch runner, "
          f"{workers} process{'es' if workers > 1 else ''}): "
          f"{time.perf_counter() - started:7.1f} s")
    if args.render_only:
        return
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
        out = sheets.to_file(Path(folder) / "sheet.pdf", replace=True)
        one, _cpu = _time(lambda _i: sheets.issue_liaison_sheet(db, clerk, referral_ids[0], out),
                          20)
        print(f"issue one sheet (gate, DB, audit):   {one:7.1f} ms median")
        started = time.perf_counter()
        for i in range(args.batch):
            sheets.issue_liaison_sheet(db, clerk, referral_ids[i % len(referral_ids)], out)
        print(f"issue a batch of {args.batch:,}:              {time.perf_counter() - started:7.1f} s")
        db.close()


if __name__ == "__main__":
    main()
