"""The printed forms read back as a user (or a PDF tool) would: the 連携シート with its 返信票, the
FAX送付状 and the 同意書 — text (pdftotext, in drawing order), fonts embedded (pdffonts), page
count and structure (qpdf --check); the sender block and form numbers an administrator sets; structured 依頼事項;
the signed consent form recorded; the privacy rule (a person masked to the actor gets no form)
and the audit of every print."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pikepdf
import pytest
import sqlalchemy as sa
from test_sheets import ADDRESS_REST, DAY, DESTINATION, NAME, PHONE, READING, case_of, make_referral

from setacare_desktop.domain.consent import COUNTER_CONSENT_WORDING, Giver, Purpose, org_recipient
from setacare_desktop.domain.referral import ReferralMethod
from setacare_desktop.reports.reply_slip import ReplySlip, render_reply_slip
from setacare_desktop.services import Database, audit, sheets
from setacare_desktop.services import organisation_settings as org_settings
from setacare_desktop.services import referrals as referral_svc
from setacare_desktop.services.errors import PermissionDeniedError, ValidationError
from setacare_desktop.services.sheets import delivery
from setacare_desktop.store.models import ConsentRecordRow, ConsultationDetail, DirPhone, Referral

SENDER_FAX = "03-5432-1112"


def accepted(_pdf: bytes, _name: str) -> None:
    """Delivery that succeeds."""


def read_back(pdf: bytes, tmp_path: Path, name: str = "form.pdf") -> list[str]:
    """The pages' text (pdftotext in drawing order), after checking that every font is
    embedded (pdffonts; never Helvetica) and that the file's structure is sound (qpdf --check)."""
    path = tmp_path / name
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line.split("Identity-H")[-1] or "yes yes" in line
                         for line in fonts), fonts
    assert all("IPAexGothic" in line for line in fonts), fonts
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return "".join(text.split())


def _admin(db: Database, staff_factory: Callable) -> object:
    return staff_factory(db, "admin", role="監督者", org_kind="あんしんすこやかセンター",
                         admin=True)


def _set_sender(db: Database, admin: object) -> None:
    org_settings.set_sender_settings(  # type: ignore[arg-type]
        db, admin, address="〒154-0001 世田谷区池尻二丁目1番1号", phone="０３−５４３２−１１１１",
        fax=SENDER_FAX, contact="相談担当 佐藤")


def test_a_faxed_sheet_is_the_sheet_and_its_reply_slip_with_the_sender_block(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    _set_sender(any_db, _admin(any_db, staff_factory))
    referral_id = make_referral(any_db, clerk)
    issued = sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY)
    sheet, slip = read_back(issued.pdf, tmp_path)  # two pages: no more, no fewer
    assert flat("様式第1号 連携シート") in flat(sheet) and NAME in sheet
    for expected in ("03-5432-1111", SENDER_FAX, "池尻二丁目1番1号", "相談担当 佐藤",
                     "記入者", "clerk 職員", "確認者", "この用紙は送付先以外に転送・複写しないでください"):
        assert expected in sheet, expected
    # The destination's FAX and address are not in the directory: said so, not left blank.
    assert sheet.count("（未登録）") >= 2
    assert "持ち出し禁止" not in sheet + slip
    # Each page's footer says what it holds: the sheet personal data, the slip none.
    assert "個人情報を含みます" in sheet and "個人情報を含みます" not in slip
    assert "この返信票には個人の情報を記載していません" in flat(slip)
    # The reply slip stands alone: the number, where to send it back, the fields to fill —
    # and nothing of the person.
    assert flat("様式第1号の2 返信票") in flat(slip) and issued.sheet_number in slip
    assert f"返送先 FAX {SENDER_FAX}" in slip
    for field in ("受理日", "ご担当者", "対応予定", "連絡事項", "2 / 2"):
        assert field in slip, field
    for secret in (NAME, READING, ADDRESS_REST, PHONE, "昭和45年"):
        assert secret not in slip, secret


def test_request_items_recorded_with_the_referral_are_ticked(
        db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(db, clerk)
    case_id, service_id = _case_and_service(db, referral_id)
    with pytest.raises(ValidationError) as caught:
        referral_svc.create_referral(db, clerk, case_id, referral_svc.NewReferral(  # type: ignore[arg-type]
            service_id, ReferralMethod.POST, "よろしくお願いします", referred_on=DAY,
            request_items=("出前",)))
    assert caught.value.problems[0].field == "依頼事項の種類" and "「出前」" in caught.value.problems[0].message
    second = referral_svc.create_referral(db, clerk, case_id, referral_svc.NewReferral(  # type: ignore[arg-type]
        service_id, ReferralMethod.POST, "よろしくお願いします", referred_on=DAY,
        request_items=("電話連絡", "other")))
    sheet = read_back(sheets.issue_liaison_sheet(db, clerk, second, accepted, on=DAY).pdf,
                      tmp_path)[0]
    assert "■ 電話連絡" in sheet and "■ その他" in sheet and "□ 訪問" in sheet
    with db.read() as session:
        assert session.get(Referral, second).request_items == ["phone", "other"]


def _case_and_service(db: Database, referral_id: int) -> tuple[int, int]:
    with db.read() as session:
        referral = session.get(Referral, referral_id)
        return referral.consultation_id, referral.service_id


def test_an_administrator_sets_the_sender_and_the_form_number_others_may_not(
        db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    admin = _admin(db, staff_factory)
    with pytest.raises(PermissionDeniedError):
        org_settings.set_sender_settings(db, clerk, fax=SENDER_FAX)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        org_settings.set_sender_settings(db, admin, fax="ファックス")  # type: ignore[arg-type]
    assert caught.value.problems[0].field == "FAX"
    sender = org_settings.set_sender_settings(db, admin, phone="０３－１２３４－５６７８")  # type: ignore[arg-type]
    assert sender.phone == "03-1234-5678" and sender.fax == ""
    assert audit.recent(db, 1)[0].action == "organisation_settings_change"
    with pytest.raises(ValidationError):
        org_settings.set_print_form(db, admin, "liaison_sheet", number="", title=" ")  # type: ignore[arg-type]
    org_settings.set_print_form(db, admin, "liaison_sheet", number="第5号様式",  # type: ignore[arg-type]
                                title="地域連携シート")
    referral_id = make_referral(db, clerk)
    sheet = read_back(sheets.issue_liaison_sheet(db, clerk, referral_id, accepted, on=DAY).pdf,
                      tmp_path)[0]
    assert "第5号様式" in sheet and "地域連携シート" in sheet and "03-1234-5678" in sheet


def test_the_fax_cover_counts_three_pages_and_says_nothing_of_the_person(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    _set_sender(any_db, _admin(any_db, staff_factory))
    referral_id = make_referral(any_db, clerk, consent=False)  # by FAX, anonymised
    assert sheets.fax_cover_offered(any_db, clerk, referral_id).by_fax
    sheets.save_anonymised_summary(any_db, clerk, referral_id, "50歳代の男性の就労相談。")
    pdf = sheets.print_fax_cover(any_db, clerk, referral_id, accepted, on=DAY)
    (cover,) = read_back(pdf, tmp_path)
    for expected in ("FAX送付状", DESTINATION, "池尻あんしんすこやかセンター", SENDER_FAX,
                     "3枚（この送付状を含む）", "令和8年11月24日", "連携シート", "返信票"):
        assert expected in cover, expected
    for secret in (NAME, "山田", READING, ADDRESS_REST, PHONE, "昭和45年", "仕事を探したい", "50歳代"):
        assert secret not in cover, secret
    assert audit.recent(any_db, 1)[0].action == "fax_cover_print"
    # The cover's count is the sheet's: the sheet and its 返信票.
    sheet = sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, anonymised=True,
                                       on=DAY)
    assert sheets.page_count(sheet.pdf) == 2


def test_the_consent_form_names_the_person_partners_destinations_and_the_wording(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    person_id = _person_of(any_db, make_referral(any_db, clerk))
    pdf = sheets.print_consent_form(any_db, clerk, person_id, accepted)
    (form,) = read_back(pdf, tmp_path)
    text = flat(form)
    for expected in ("様式第2号", "個人情報の提供に関する同意書", f"{NAME}様", "池尻まちづくりセンター",
                     "池尻児童館", DESTINATION, "情報共有", "連携シートの送付", "□同意する",
                     "□同意しない", "同意日", "□本人", "□代理人（本人との続柄:", "署名（自署）",
                     flat(COUNTER_CONSENT_WORDING)):
        assert flat(expected) in text, expected
    assert audit.recent(any_db, 1)[0].action == "consent_form_print"


def _person_of(db: Database, referral_id: int) -> int:
    case_id = case_of(db, referral_id)
    with db.read() as session:
        return session.scalar(sa.select(ConsultationDetail.person_id).where(
            ConsultationDetail.consultation_id == case_id))


def test_a_person_masked_to_the_actor_gets_no_consent_form_nor_cover(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    jido = staff_factory(any_db, "jido", role="相談員", org_kind="児童館")
    referral_id = make_referral(any_db, clerk)
    with pytest.raises(PermissionDeniedError) as caught:
        sheets.print_consent_form(any_db, jido, _person_of(any_db, referral_id), accepted)
    assert caught.value.message == sheets.CONSENT_FORM_MASKED
    refused = audit.recent(any_db, 1)[0]  # the refusal, audited with the action refused
    assert refused.action == "permission_denied" and "consent_form_print" in (refused.detail or "")
    with pytest.raises(PermissionDeniedError):
        sheets.print_fax_cover(any_db, jido, referral_id, accepted, on=DAY)


def test_a_signed_form_is_recorded_as_written_consent_with_its_date(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    person_id = _person_of(any_db, make_referral(any_db, clerk))
    partner = org_recipient(clerk.organisation_id)
    signed = date(2026, 11, 25)
    with pytest.raises(ValidationError) as caught:
        sheets.record_signed_consent_form(any_db, clerk, person_id, choices=[  # type: ignore[arg-type]
            sheets.SignedChoice(partner, Purpose.SHARE, True)], giver=Giver.PROXY,
            giver_relation="", signed_on=signed)
    assert caught.value.problems[0].field == "同意者の続柄"
    ids = sheets.record_signed_consent_form(any_db, clerk, person_id, choices=[  # type: ignore[arg-type]
        sheets.SignedChoice(partner, Purpose.SHARE, True),
        sheets.SignedChoice(partner, Purpose.SHEET, False)], giver=Giver.PROXY,
        giver_relation="長女", signed_on=signed)
    with any_db.read() as session:
        rows = [session.get(ConsentRecordRow, i) for i in ids]
        assert [(r.method, r.form_signed, r.form_signed_on, r.given, r.giver_relation)
                for r in rows] == [("written", True, signed, True, "長女"),
                                   ("written", True, signed, False, "長女")]
    assert audit.recent(any_db, 1)[0].action == "consent_form_signed"



def test_the_destinations_fax_comes_from_the_directory_and_the_slip_renders_alone(
        db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(db, clerk)
    service_id = _case_and_service(db, referral_id)[1]
    with db.transaction() as session:  # the directory lists the destination's FAX
        session.add(DirPhone(service_id=service_id, number="03-9999-0001", type="fax"))
    sheet = read_back(sheets.issue_liaison_sheet(db, clerk, referral_id, accepted, on=DAY).pdf,
                      tmp_path)[0]
    assert "03-9999-0001" in sheet
    (cover,) = read_back(sheets.preview_fax_cover(db, clerk, referral_id, on=DAY), tmp_path)
    assert "FAX 03-9999-0001" in cover

    slip = ReplySlip("様式第1号の2 返信票", "IKEJIRI-2026-00009", "令和8年11月24日",
                     DESTINATION, "池尻あんしんすこやかセンター（池尻地区）", "", "", "")
    (alone,) = read_back(render_reply_slip(slip), tmp_path, "slip.pdf")
    assert "IKEJIRI-2026-00009" in alone and "返送先 FAX （未登録）" in alone


def test_a_sheet_saved_to_a_file_is_its_pdfa_archived_copy(
        db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    """What is kept on disk is the archived copy (PDF/A-2b, docs/printing.md); the same pages."""
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(db, clerk)
    saved = tmp_path / "sheet.pdf"
    issued = sheets.issue_liaison_sheet(db, clerk, referral_id, delivery.to_file(saved), on=DAY)
    kept = saved.read_bytes()
    with pikepdf.open(saved) as doc:
        meta = doc.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert len(doc.Root.OutputIntents) == 1
    assert read_back(kept, tmp_path, "kept.pdf") == read_back(issued.pdf, tmp_path)
