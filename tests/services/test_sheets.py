"""Liaison sheets, the 相談受付票 and the day list, read back from the PDFs (pypdf): the consent
gate, anonymisation, page flow and numbering, sheet numbers, print audit and the embedded font."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from setacare_desktop.domain.consent import ConsentEntry, Giver, Method, Purpose
from setacare_desktop.domain.continuity import HouseholdInput
from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.referral import ReferralMethod
from setacare_desktop.services import Database, audit, households, sheets
from setacare_desktop.services import directory as directory_svc
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import referrals as referral_svc
from setacare_desktop.services.errors import NotFoundError, PermissionDeniedError
from setacare_desktop.store.models import ConsultationDetail, LiaisonSheetRow, Referral

NOW = datetime(2026, 11, 24, 16, 0)
DAY = date(2026, 11, 24)
PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
DESTINATION = "世田谷区障害者就労支援センター"
NAME, READING = "山田 太郎", "やまだ たろう"
ADDRESS_REST, PHONE = "池尻二丁目3番4号", "03-0000-1234"


def accepted(_pdf: bytes, _name: str) -> None:
    """Delivery that succeeds (the print job was accepted)."""


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def make_referral(db: Database, clerk: object, *, details: str = "自宅で相談を受けた。",
              consent: bool = True) -> int:
    data = IntakeInput(
        received_at="R8.11.24 10:30", channel="来所", district="池尻", consulter_kind="本人",
        main_complaint=f"{NAME}さん本人から、障害があり仕事を探したいとの相談",
        details=details, target_groups=["障害者"], elements=["就労"],
        person=PersonInput(name=NAME, reading=READING, birth_date="1970-05-06", sex="男性",
                           address_town="池尻", address_rest=ADDRESS_REST, phone=PHONE))
    case_id = intake_svc.record_intake(db, clerk, data, now=NOW).consultation_id  # type: ignore[arg-type]
    service_id = next(d.service_id for d in directory_svc.search_destinations(db, DESTINATION)
                      if d.name == DESTINATION)
    if consent:
        referral_svc.record_destination_consent(  # type: ignore[arg-type]
            db, clerk, case_id, service_id, purpose=Purpose.SHEET,
            entry=ConsentEntry(True, Giver.SELF, "", Method.ORAL, DAY))
    return referral_svc.create_referral(db, clerk, case_id, referral_svc.NewReferral(  # type: ignore[arg-type]
        service_id, ReferralMethod.FAX if not consent else ReferralMethod.POST,
        "訪問と情報提供をお願いします", referred_on=DAY, reply_due=date(2026, 12, 1),
        anonymised=not consent))


def test_sheet_carries_name_destination_consent_and_number(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(any_db, clerk)
    issued = sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY)
    assert issued.sheet_number == "IKEJIRI-2026-00001" and not issued.reissue
    text = "".join(_text(issued.pdf)).replace("\n", "")
    for expected in ("様式第1号", "連携シート", NAME, DESTINATION,
                     f"{NAME} 様ご本人が、令和8年11月24日に、窓口で説明を受けたうえで口頭で、"
                     f"{DESTINATION}へこの連携シートを送り",
                     "令和8年11月24日", issued.sheet_number,
                     "この用紙は送付先以外に転送・複写しないでください", "返信票",
                     "■ 訪問", "□ 面談", "■ 情報提供", PHONE, ADDRESS_REST, "昭和45年5月6日"):
        assert expected in text, expected
    assert "再発行" not in text and "持ち出し禁止" not in text  # this paper leaves the office


def test_gate_refuses_without_consent_then_allows_anonymised_and_under_an_exception(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    staff_factory(any_db, "boss", role="監督者", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(any_db, clerk, consent=False)
    with pytest.raises(sheets.SheetConsentError) as caught:
        sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY)
    assert "同意が記録されていません" in caught.value.message
    assert "匿名の連携シート" in caught.value.message
    assert audit.recent(any_db, 1)[0].action == "sheet_refused"

    sheets.save_anonymised_summary(any_db, clerk, referral_id, "50歳代の男性の就労相談。")
    anonymised = sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, anonymised=True,
                                            on=DAY)
    text = "".join(_text(anonymised.pdf))
    assert "Y.T." in text and "50歳代" in text and "匿名" in text
    for secret in ("山田", "太郎", "やまだ", ADDRESS_REST, PHONE, "1970", "昭和45年"):
        assert secret not in text, secret

    intake_svc.record_emergency_exception(
        any_db, clerk, case_of(any_db, referral_id), reason="自宅で倒れており本人の意思確認ができない",
        supervisor_login="boss", supervisor_password=PASSWORD)
    issued = sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY)
    text = "".join(_text(issued.pdf))
    assert NAME in text and "緊急時の例外" in text and "boss 職員" in text
    assert "自宅で倒れており" in text
    assert issued.sheet_number == "IKEJIRI-2026-00002"


def case_of(db: Database, referral_id: int) -> int:
    with db.read() as session:
        return session.scalar(sa.select(Referral.consultation_id).where(Referral.id == referral_id))


def test_long_summary_flows_to_page_two_with_page_numbers(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    summary = ("本人は長年勤めた会社を退職した後、就労先を探しているが見つからず、生活に不安がある。" * 60)[:2000]
    referral_id = make_referral(any_db, clerk, details=summary)
    pages = _text(sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY).pdf)
    assert len(pages) == 3  # two pages of sheet, then the 返信票 on a page of its own
    assert "1 / 3" in pages[0] and "2 / 3" in pages[1] and "3 / 3" in pages[2]
    assert "返信票" in pages[2] and NAME not in pages[2]
    assert all("転送・複写しないでください" in p and "IKEJIRI-2026-00001" in p for p in pages)
    flat = "".join(pages).replace("\n", "")
    assert "生活に不安がある。本人は長年" in flat  # the text wraps by character, nothing is cut


def test_print_and_reprint_are_audited_and_the_reprint_says_so(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(any_db, clerk)
    first = sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY)
    again = sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY)
    assert again.sheet_number == first.sheet_number and again.reissue
    assert "再発行" in "".join(_text(again.pdf))
    prints = sheets.sheet_prints(any_db, clerk, referral_id)
    assert [(p.login, p.reissue) for p in prints] == [("clerk", False), ("clerk", True)]
    rows = [e for e in audit.recent(any_db, 20) if e.action == "sheet_print"]
    assert [r.detail.split()[-1] for r in reversed(rows)] == ["原本", "再発行"]
    assert all(r.entity_id == first.sheet_number and r.login == "clerk" for r in rows)
    assert all("dest:" in r.detail for r in rows)


def test_font_is_embedded_and_no_standard_font_is_used(
        db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    pdf = sheets.issue_liaison_sheet(db, clerk, make_referral(db, clerk), accepted, on=DAY).pdf
    names, embedded = set(), []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            embedded.append("/FontFile2" in descriptor.get_object())
    assert names and all("IPAexGothic" in n for n in names), names
    assert all(embedded)
    assert b"Helvetica" not in pdf


def test_intake_record_and_day_list(db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    case_id = case_of(db, make_referral(db, clerk))
    record = "".join(_text(sheets.print_intake_record(db, clerk, case_id, accepted, on=DAY)))
    for expected in ("相談受付票", NAME, f"受付No. {case_id}", "連携シートの送付", "取扱注意", "1 / 1"):
        assert expected in record, expected
    day = "".join(_text(sheets.print_day_list(db, clerk, DAY, "ikejiri", accepted)))
    for expected in ("相談受付一覧", "池尻地区", "令和8年11月24日", NAME, "1 件", "1 / 1"):
        assert expected in day, expected
    actions = [e.action for e in audit.recent(db, 5)]
    assert "intake_print" in actions and "day_list_print" in actions


def test_initials_and_age_band() -> None:
    assert sheets.initials("やまだ たろう") == "Y.T."
    assert sheets.initials("シミズ ジロウ") == "S.J."
    assert sheets.initials("") == "（イニシャル不明）"
    assert sheets.age_band(date(1970, 5, 6), DAY) == "50歳代"
    assert sheets.age_band(None, DAY) == "不明"


def test_preview_is_the_sheet_to_be_printed_but_issues_and_audits_nothing(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(any_db, clerk)
    before = len(audit.recent(any_db, 50))
    preview = sheets.preview_liaison_sheet(any_db, clerk, referral_id, on=DAY)
    assert preview.sheet_number == "IKEJIRI-2026-00001" and not preview.reissue
    assert NAME in "".join(_text(preview.pdf))
    assert sheets.sheet_prints(any_db, clerk, referral_id) == []
    assert len(audit.recent(any_db, 50)) == before
    issued = sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY)
    assert issued.sheet_number == preview.sheet_number  # the number the preview showed
    again = sheets.preview_liaison_sheet(any_db, clerk, referral_id, on=DAY)
    assert again.reissue and "再発行" in "".join(_text(again.pdf))
    assert len(sheets.sheet_prints(any_db, clerk, referral_id)) == 1
    refused = make_referral(any_db, clerk, consent=False)
    with pytest.raises(sheets.SheetConsentError):
        sheets.preview_liaison_sheet(any_db, clerk, refused, on=DAY)


def test_a_sheet_number_finds_its_referral(db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(db, clerk)
    number = sheets.issue_liaison_sheet(db, clerk, referral_id, accepted, on=DAY).sheet_number
    assert sheets.referral_of_sheet(db, clerk, f" {number.lower()} ") == sheets.SheetReferral(
        number, referral_id, "ikejiri")
    assert sheets.referral_of_sheet(
        db, clerk, "ＩＫＥＪＩＲＩ－２０２６－００００１").referral_id == referral_id
    with pytest.raises(NotFoundError, match="IKEJIRI-2026-99999"):
        sheets.referral_of_sheet(db, clerk, "IKEJIRI-2026-99999")
    outsider = staff_factory(db, "other", role="相談員", place="太子堂",
                             org_kind="あんしんすこやかセンター")
    with pytest.raises(PermissionDeniedError, match="権限"):
        sheets.referral_of_sheet(db, outsider, number)


def test_a_number_taken_at_the_same_moment_on_postgresql_is_retried(
        pg_db: Database, staff_factory: Callable) -> None:
    """Two first prints in one district at once read the same highest number; the one that
    inserts second must get the next number, not an error. The other print is simulated by a
    second connection committing the same number just before this print's insert."""
    clerk = staff_factory(pg_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    first, second = make_referral(pg_db, clerk), make_referral(pg_db, clerk)
    raced: list[bool] = []

    def other_print_first(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if raced or not statement.startswith("INSERT INTO liaison_sheet"):
            return
        raced.append(True)
        with pg_db.engine.connect() as other:
            other.execute(sa.insert(LiaisonSheetRow).values(
                sheet_number="IKEJIRI-2026-00001", referral_id=second, district_code="ikejiri",
                fiscal_year=2026, sequence=1, anonymised=False, issued_by=clerk.staff_id,
                issued_at=datetime(2026, 11, 24, 1, 0)))
            other.commit()

    sa.event.listen(pg_db.engine, "before_cursor_execute", other_print_first)
    try:
        issued = sheets.issue_liaison_sheet(pg_db, clerk, first, accepted, on=DAY)
    finally:
        sa.event.remove(pg_db.engine, "before_cursor_execute", other_print_first)
    assert raced == [True]
    assert issued.sheet_number == "IKEJIRI-2026-00002" and not issued.reissue
    with pg_db.read() as session:
        numbers = session.scalars(sa.select(LiaisonSheetRow.sheet_number)
                                  .order_by(LiaisonSheetRow.sequence)).all()
    assert numbers == ["IKEJIRI-2026-00001", "IKEJIRI-2026-00002"]


def test_the_whole_sheet_prints_household_links_without_naming_the_other_person(
        any_db: Database, staff_factory: Callable) -> None:
    """The 世帯状況 carries the person's links (「子（同居）・8050」) from 相談者; the son's name and
    age are his, not the person's, and never printed; the anonymised sheet has no links."""
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(any_db, clerk)
    son = intake_svc.record_intake(any_db, clerk, IntakeInput(
        received_at="R8.11.24 11:00", channel="来所", district="池尻", consulter_kind="本人",
        main_complaint="仕事のこと", target_groups=["若者"],
        person=PersonInput(name="山田 次郎", reading="やまだ じろう", birth_date="1975-01-02")),
        now=NOW)
    with any_db.read() as session:
        father_id, son_id = (session.scalar(
            sa.select(ConsultationDetail.person_id).where(
                ConsultationDetail.consultation_id == case_id))
            for case_id in (session.get(Referral, referral_id).consultation_id,  # type: ignore[union-attr]
                            son.consultation_id))
    households.link_household(any_db, clerk, father_id, son_id,  # type: ignore[arg-type]
                              HouseholdInput("子", True, ("8050",)))
    issued = sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY)
    text = "".join(_text(issued.pdf)).replace("\n", "")
    assert "子（同居）・8050" in text
    assert "次郎" not in text and "じろう" not in text and "昭和50年" not in text
