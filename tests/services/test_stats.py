"""Statistics on a small hand-computed fixture, on SQLite and PostgreSQL: every table's lines, the
fiscal-year boundary, scope (district and branch supervisors, administrator, refusals audited),
the audit row, and the exports (CSV, XLSX, JSON, PDF) read back: labels and counts only, with
formula-looking text neutralised.

The expected numbers are written out by hand from the table of cases below, not recomputed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.referral import ReferralMethod, ReferralStatus
from setacare_desktop.domain.stats import Dimension, Period, StatsReport
from setacare_desktop.services import Database, PermissionDeniedError, audit, stats
from setacare_desktop.services import directory as directory_svc
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import referrals as referral_svc
from setacare_desktop.store.models import DirService

NOW = datetime(2026, 7, 1, 9, 0)
FY2026 = Period.fiscal_year(2026)
DEST_A = "世田谷区障害者就労支援センター"
DEST_C = '=HYPERLINK("http://evil.example/","クリック")'
NAME, READING, PHONE = "山田 太郎", "やまだ たろう", "03-9876-5432"
COMPLAINT = "秘密の主訴テキスト"
DETAILS = "秘密の相談内容テキスト"

# (key, day, staff, district, target groups, elements, channel, response)
CASES: list[tuple[str, str, str, str, list[str], list[str], str, str]] = [
    ("c1", "2026-03-31", "ik_an", "池尻", ["高齢者"], ["医療"], "来所", "助言"),
    ("c2", "2026-04-01", "ik_an", "池尻", ["高齢者"], ["医療", "福祉サービス"], "電話", "情報提供"),
    ("c3", "2026-04-01", "ik_an", "池尻", ["障害者"], ["就労"], "来所", "つなぎ"),
    ("c4", "2026-04-02", "ik_an", "池尻", ["高齢者", "障害者"], ["福祉サービス", "住まい", "生活支援"],
     "訪問", "継続対応"),
    ("c5", "2026-04-03", "ik_mz", "池尻", ["障害者"], [], "来所", ""),
    ("c6", "2026-04-03", "ik_mz", "池尻", [], ["生活支援"], "電話", "終了"),
    ("c7", "2026-04-06", "ik_sk", "池尻", ["生活困窮者"], ["生活支援", "就労"], "来所", "助言"),
    ("c8", "2026-04-06", "ta_an", "太子堂", ["子ども・子育て家庭", "生活困窮者"], ["教育"], "電話",
     "つなぎ"),
    ("c9", "2026-04-07", "ta_an", "太子堂", ["高齢者"], ["予防・健康づくり"], "来所", ""),
    ("c10", "2026-04-07", "ta_jd", "太子堂", ["子ども・子育て家庭"], ["教育", "社会参加"], "来所",
     "情報提供"),
    ("c11", "2026-04-08", "br", "太子堂", ["若者"], ["就労"], "メール・文書", "つなぎ"),
    ("c12", "2026-05-07", "um_mz", "梅丘", ["高齢者"], ["防犯・防災"], "電話", "助言"),
    ("c13", "2026-05-08", "um_an", "梅丘", ["若者"], ["社会参加"], "来所", "継続対応"),
    ("c14", "2026-06-01", "um_an", "梅丘", ["高齢者"], ["医療"], "その他", "終了"),
]

STAFF = {  # login: (role, place, org kind)
    "ik_an": ("相談員", "池尻", "あんしんすこやかセンター"),
    "ik_mz": ("受付", "池尻", "まちづくりセンター"),
    "ik_sk": ("相談員", "池尻", "社会福祉協議会"),
    "ta_an": ("相談員", "太子堂", "あんしんすこやかセンター"),
    "ta_jd": ("相談員", "太子堂", "児童館"),
    "br": ("相談員", "世田谷", "総合支所"),
    "um_mz": ("受付", "梅丘", "まちづくりセンター"),
    "um_an": ("相談員", "梅丘", "あんしんすこやかセンター"),
    "sup_ik": ("監督者", "池尻", "まちづくりセンター"),
    "sup_br": ("監督者", "世田谷", "総合支所"),
    "admin": ("管理者", "世田谷", "総合支所"),
}


def _service(db: Database, name: str) -> int:
    return next(d.service_id for d in directory_svc.search_destinations(db, name)
                if d.name == name)


def _crafted_service(db: Database) -> int:
    """A directory service whose name would be a formula in a spreadsheet."""
    template_id = _service(db, DEST_A)
    with db.transaction() as session:
        template = session.get(DirService, template_id)
        assert template is not None
        row = DirService(hsds_id="crafted-formula", organization_id=template.organization_id,
                         name=DEST_C, status="active")
        session.add(row)
        session.flush()
        return row.id


def build_fixture(db: Database, staff_factory: Callable) -> dict[str, object]:
    people = {login: staff_factory(db, login, role=role, place=place, org_kind=kind)
              for login, (role, place, kind) in STAFF.items()}
    ids: dict[str, int] = {}
    for key, day, login, district, targets, elements, channel, response in CASES:
        person = (PersonInput(name=NAME, reading=READING, birth_date="1950-01-02", sex="男性",
                              address_town="池尻", address_rest="一丁目1番1号", phone=PHONE)
                  if key in ("c2", "c8") else PersonInput())
        data = IntakeInput(received_at=f"{day} 10:00", channel=channel, district=district,
                           consulter_kind="本人", main_complaint=f"{COMPLAINT} {key}",
                           details=DETAILS, target_groups=targets, elements=elements,
                           response=response, person=person)
        ids[key] = intake_svc.record_intake(db, people[login], data, now=NOW).consultation_id
    dest_a, dest_c = _service(db, DEST_A), _crafted_service(db)
    dest_b = next(d for d in directory_svc.search_destinations(db, "ぷらっとほーむ"))
    global DEST_B
    DEST_B = dest_b.name

    def refer(key: str, login: str, service: int, on: str, due: str | None) -> int:
        return referral_svc.create_referral(db, people[login], ids[key], referral_svc.NewReferral(
            service, ReferralMethod.PHONE, "情報提供をお願いします",
            referred_on=date.fromisoformat(on),
            reply_due=date.fromisoformat(due) if due else None, anonymised=True))

    # R1: a 2026-03-31 consultation referred in FY2026, still 作成 and overdue on 2026-07-01
    refer("c1", "ik_an", dest_a, "2026-04-02", "2026-04-10")
    r2 = refer("c3", "ik_an", dest_a, "2026-04-01", "2026-04-05")
    referral_svc.change_status(db, people["ik_an"], r2, ReferralStatus.SENT, on=date(2026, 4, 1))
    referral_svc.change_status(db, people["ik_an"], r2, ReferralStatus.DONE, on=date(2026, 4, 3))
    r3 = refer("c8", "ta_an", dest_b.service_id, "2026-04-06", "2026-12-01")
    referral_svc.change_status(db, people["ta_an"], r3, ReferralStatus.SENT, on=date(2026, 4, 6))
    r4 = refer("c11", "br", dest_c, "2026-04-08", None)
    referral_svc.change_status(db, people["br"], r4, ReferralStatus.SENT, on=date(2026, 4, 8))
    referral_svc.change_status(db, people["br"], r4, ReferralStatus.DECLINED, reason="対象外",
                               on=date(2026, 4, 9))
    refer("c1", "ik_an", dest_b.service_id, "2026-03-31", None)  # R5: FY2025 by referred_on
    r6 = refer("c13", "um_an", dest_a, "2026-05-08", "2026-05-09")
    referral_svc.change_status(db, people["um_an"], r6, ReferralStatus.WITHDRAWN,
                               on=date(2026, 5, 10))
    return people


DEST_B = ""


def lines(report: StatsReport, dimension: Dimension) -> dict[str, int]:
    return {line.key: line.count for line in report.table(dimension).lines}


def test_every_table_matches_hand_counts(any_db: Database, staff_factory: Callable) -> None:
    people = build_fixture(any_db, staff_factory)
    report = stats.compute(any_db, people["admin"], FY2026, now=NOW)  # type: ignore[arg-type]
    assert report.total == 13
    assert report.scope_label == "世田谷区全体（28地区）"
    assert [(line.label, line.count, line.indent) for line in report.ward_summary.lines] == [
        ("まちづくりセンター 福祉の相談件数", 3, 0),
        ("あんしんすこやかセンター 相談件数", 7, 0),
        ("内、相談拡充(障害者、子育て家庭等の相談)", 3, 1),
        ("社会福祉協議会 相談件数", 1, 0),
        ("児童館 相談件数", 1, 0),
        ("総合支所 相談件数", 1, 0),
    ]
    assert report.ward_summary.total == 13
    assert lines(report, Dimension.ORG_KIND) == {
        "machizukuri": 3, "anshin": 7, "shakyo": 1, "jidokan": 1, "branch": 1}
    district = lines(report, Dimension.DISTRICT)
    assert len(district) == 28 and list(district)[:3] == ["ikejiri", "taishido", "wakabayashi"]
    assert (district["ikejiri"], district["taishido"], district["umegaoka"]) == (6, 4, 3)
    assert sum(district.values()) == 13
    assert lines(report, Dimension.AREA) == {
        "setagaya": 10, "kitazawa": 3, "tamagawa": 0, "kinuta": 0, "karasuyama": 0}
    assert lines(report, Dimension.TARGET) == {
        "elderly": 4, "disability": 2, "child": 1, "youth": 2, "poverty": 1, "other": 0,
        "mixed": 2, "unclassified": 1, "expansion": 3}
    assert lines(report, Dimension.ELEMENT) == {
        "medical": 2, "welfare_service": 2, "prevention": 1, "housing": 1, "living_support": 3,
        "employment": 3, "education": 2, "participation": 2, "safety": 1, "no_element": 1}
    assert report.table(Dimension.ELEMENT).total is None
    assert lines(report, Dimension.CHANNEL) == {
        "visit_counter": 6, "phone": 4, "home_visit": 1, "mail": 1, "other": 1}
    assert lines(report, Dimension.RESPONSE) == {
        "information": 2, "advice": 2, "referral": 3, "continuing": 2, "closed": 2, "blank": 2}
    destination = report.table(Dimension.DESTINATION)
    assert [(line.label, line.count) for line in destination.lines] == [
        (DEST_A, 3), (DEST_C, 1), (DEST_B, 1)]
    assert destination.total == 5
    assert lines(report, Dimension.OUTCOME) == {
        "created": 1, "sent": 1, "accepted": 0, "in_progress": 0, "done": 1, "declined": 1,
        "withdrawn": 1, "overdue": 1}

    # The fiscal-year boundary: 2026-03-31 belongs to FY2025 (as does the referral of that day).
    before = stats.compute(any_db, people["admin"], Period.fiscal_year(2025),  # type: ignore[arg-type]
                           now=NOW)
    assert before.total == 1 and before.ward_summary.lines[1].count == 1
    assert lines(before, Dimension.TARGET)["elderly"] == 1
    assert [(line.label, line.count) for line in before.table(Dimension.DESTINATION).lines] == [
        (DEST_B, 1)]
    april = stats.compute(any_db, people["admin"], Period.month(2026, 4),  # type: ignore[arg-type]
                          [Dimension.RESPONSE], now=NOW)
    assert april.total == 10 and [t.dimension for t in april.tables] == [Dimension.RESPONSE]
    day = stats.compute(any_db, people["admin"], Period.day(date(2026, 4, 1)),  # type: ignore[arg-type]
                        now=NOW)
    assert day.total == 2 and lines(day, Dimension.TARGET)["expansion"] == 1


def test_scope_and_audit(any_db: Database, staff_factory: Callable) -> None:
    people = build_fixture(any_db, staff_factory)
    mine = stats.compute(any_db, people["sup_ik"], FY2026, now=NOW)  # type: ignore[arg-type]
    assert mine.total == 6 and mine.scope_label == "池尻地区"
    assert lines(mine, Dimension.DISTRICT) == {"ikejiri": 6}
    assert lines(mine, Dimension.AREA) == {"setagaya": 6}
    assert [(line.label, line.count) for line in mine.table(Dimension.DESTINATION).lines] == [
        (DEST_A, 2)]
    row = audit.recent(any_db, 1)[0]
    assert (row.action, row.login, row.entity, row.entity_id, row.detail) == (
        "stats", "sup_ik", "period", "2026-04-01..2027-03-31", "ikejiri")

    area = stats.compute(any_db, people["sup_br"], FY2026, now=NOW)  # type: ignore[arg-type]
    assert area.total == 10 and area.scope_label == "世田谷地域（7地区）"
    assert len(lines(area, Dimension.DISTRICT)) == 7
    assert lines(area, Dimension.OUTCOME)["declined"] == 1
    assert sum(lines(area, Dimension.DESTINATION).values()) == 4
    narrowed = stats.compute(any_db, people["sup_br"], FY2026, district_codes=["taishido"],  # type: ignore[arg-type]
                             now=NOW)
    assert narrowed.total == 4 and audit.recent(any_db, 1)[0].detail == "taishido"

    with pytest.raises(PermissionDeniedError, match="監督者・管理者のみ"):
        stats.compute(any_db, people["ik_mz"], FY2026)  # type: ignore[arg-type]
    row = audit.recent(any_db, 1)[0]
    assert (row.action, row.login, row.detail) == ("permission_denied", "ik_mz", "stats")
    with pytest.raises(PermissionDeniedError, match="監督者・管理者のみ"):
        stats.compute(any_db, people["ik_an"], FY2026)  # type: ignore[arg-type]
    with pytest.raises(PermissionDeniedError):
        stats.compute(any_db, people["sup_ik"], FY2026, district_codes=["umegaoka"])  # type: ignore[arg-type]
    row = audit.recent(any_db, 1)[0]
    assert (row.action, row.login, row.entity_id) == ("permission_denied", "sup_ik", "umegaoka")
    assert not [e for e in audit.recent(any_db, 5) if e.action == "stats" and e.login == "ik_mz"]


SECRETS = (NAME, "山田", READING, PHONE, COMPLAINT, DETAILS, "一丁目1番1号", "1950", "ik_an",
           "sup_ik", "職員", "情報提供をお願いします", "対象外")


def test_exports_carry_labels_and_counts_only(any_db: Database,
                                              staff_factory: Callable) -> None:
    people = build_fixture(any_db, staff_factory)
    report = stats.compute(any_db, people["admin"], FY2026, now=NOW)  # type: ignore[arg-type]

    raw = stats.export_csv(report)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    flat = "\n".join(",".join(r) for r in rows)
    for secret in SECRETS:
        assert secret not in flat, secret
    assert rows[0] == ["福祉の相談窓口 相談件数"]
    assert ["期間", "令和8年度（2026年4月1日〜2027年3月31日）"] in rows
    assert ["範囲", "世田谷区全体（28地区）"] in rows
    assert ["あんしんすこやかセンター 相談件数", "7"] in rows
    assert ["　内、相談拡充(障害者、子育て家庭等の相談)", "3"] in rows
    assert ["'" + DEST_C, "1"] in rows
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)

    book = load_workbook(io.BytesIO(stats.export_xlsx(report)))
    assert book.sheetnames[0] == "区の様式" and len(book.sheetnames) == 10
    sheet = book["区の様式"]
    values = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    assert ["あんしんすこやかセンター 相談件数", 7] in values
    assert ["まちづくりセンター 福祉の相談件数", 3] in values
    assert sheet.column_dimensions["A"].width > 20
    everything = []
    for ws in book.worksheets:
        for r in ws.iter_rows():
            for cell in r:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                everything.append(cell.value)
    texts = [v for v in everything if isinstance(v, str)]
    assert "'" + DEST_C in texts and DEST_C not in texts
    assert all(not t.startswith(("=", "+", "-", "@")) for t in texts)
    assert 3 in everything and "3" not in texts  # counts stay numbers
    for secret in SECRETS:
        assert not any(secret in t for t in texts), secret

    data = json.loads(stats.export_json(report))
    assert data["total"] == 13 and data["ward_summary"]["lines"][2]["count"] == 3
    assert [t["dimension"] for t in data["tables"]][:2] == ["org_kind", "district"]
    for secret in SECRETS:
        assert secret not in stats.export_json(report), secret

    pdf = PdfReader(io.BytesIO(stats.report_pdf(report)))
    text = "".join(page.extract_text() for page in pdf.pages)
    flat_pdf = text.replace("\n", "").replace(" ", "")
    for expected in ("福祉の相談窓口相談件数", "令和8年度", "まちづくりセンター福祉の相談件数3",
                     "あんしんすこやかセンター相談件数7", "内、相談拡充(障害者、子育て家庭等の相談)3",
                     "社会福祉協議会相談件数1", "対象別", "複合2", "未分類1", "要素なし1"):
        assert expected in flat_pdf, expected
    for secret in SECRETS:
        assert secret.replace(" ", "") not in flat_pdf, secret
    assert "1 / " in text
