"""Printouts and the person's consent: the anonymised sheet leaks nothing, a refusal is named as
one, the 相談受付票 and the day list follow the visibility rule, and a print is recorded only once
it was delivered. Every PDF is written to a real file and read back with ``pdftotext``."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pikepdf
import pytest
import sqlalchemy as sa
from test_sheets import ADDRESS_REST, NAME, PHONE, READING, accepted, make_referral

from setacare_desktop.domain.consent import ConsentEntry, Giver, Method, Purpose
from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.services import (
    Database,
    PermissionDeniedError,
    ServiceError,
    ValidationError,
    audit,
    sheets,
)
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import referrals as referral_svc
from setacare_desktop.store.models import LiaisonSheetRow, Referral, SheetPrint

DAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 16, 0)
PASSWORD = "test-pass-123"
#: The 相談内容 of the acceptance test: it names an exact age.
DETAILS = "母（84歳）が自宅で転倒し、その後ひとりで買い物に行けなくなったと長女から相談。"

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="pdftotext (poppler-utils) is not installed")


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def flat(text: str) -> str:
    """The text without the layout's spaces and line breaks (a phrase may wrap)."""
    return "".join(text.split())


def _summary_refused(db: Database, clerk: object, referral_id: int, summary: str,
                     out: Path) -> list[str]:
    sheets.save_anonymised_summary(db, clerk, referral_id, summary)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        sheets.issue_liaison_sheet(db, clerk, referral_id, sheets.to_file(out),  # type: ignore[arg-type]
                                   anonymised=True, on=DAY)
    assert not out.exists()
    return [str(p) for p in caught.value.problems]


@needs_pdftotext
def test_the_anonymised_sheet_shows_no_exact_age_and_none_of_the_consultation_text(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(any_db, clerk, details=DETAILS, consent=False)
    out = tmp_path / "anonymised.pdf"
    empty = _summary_refused(any_db, clerk, referral_id, "", out)
    assert empty == ["匿名用の概要: 入力してください（匿名の連携シートには、相談の記録の代わりにこの概要を載せます）"]
    for summary, finding in (("母（84歳）が転倒", "「84歳」は正確な年齢です。「80歳代」"),
                             ("山田さんの母が転倒", "「山田」は対象者の氏名の一部です"),
                             ("連絡は03-0000-1234へ", "「03-0000-1234」は電話番号のようです")):
        problems = _summary_refused(any_db, clerk, referral_id, summary, out)
        assert any(finding in p and p.startswith("匿名用の概要: ") for p in problems), problems
    with any_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SheetPrint)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(LiaisonSheetRow)) == 0

    summary = "50歳代の本人の就労に関する相談。同居する母（80歳代）の介護もある。"
    assert sheets.save_anonymised_summary(any_db, clerk, referral_id, summary) == []
    issued = sheets.issue_liaison_sheet(any_db, clerk, referral_id, sheets.to_file(out),
                                        anonymised=True, on=DAY)
    assert issued.anonymised and not issued.reissue
    text = flat(pdftotext(out))
    assert "Y.T." in text and "50歳代" in text and flat(summary) in text
    assert "相談の概要（匿名用）" in text
    for secret in ("84歳", "母（84", "転倒", "買い物", "長女から相談",  # the 相談内容
                   "障害があり仕事を探したい",  # the 主訴
                   "訪問と情報提供をお願いします",  # the 依頼事項, typed freely
                   NAME.split()[0], NAME.split()[1], READING.split()[0], ADDRESS_REST, PHONE,
                   "昭和45年", "1970"):
        assert secret not in text, secret
    # the real reasons: no consent recorded, and it goes by FAX (make_referral: FAX without consent)
    assert "理由:本人の同意（連携シートの送付）が記録されていないため／FAXで送付するため" in text
    assert "同意がないため" not in text


@needs_pdftotext
def test_an_anonymised_sheet_where_consent_stands_does_not_say_there_is_none(
        db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(db, clerk)  # consent to 連携シートの送付, by post
    sheets.save_anonymised_summary(db, clerk, referral_id, "50歳代の男性の就労相談。")
    out = tmp_path / "sheet.pdf"
    sheets.issue_liaison_sheet(db, clerk, referral_id, sheets.to_file(out), anonymised=True,
                               on=DAY)
    text = flat(pdftotext(out))
    assert "本人の同意はありますが、送付元の判断で必要最小限の情報としたため" in text
    assert "同意がない" not in text and "記録されていない" not in text


def test_the_sheet_gate_names_a_recorded_refusal(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(any_db, clerk, consent=False)
    case_id, service_id = _place(any_db, referral_id)
    referral_svc.record_destination_consent(
        any_db, clerk, case_id, service_id, purpose=Purpose.SHEET,
        entry=ConsentEntry(False, Giver.PROXY, "長女", Method.WRITTEN, DAY))
    with pytest.raises(sheets.SheetConsentError) as caught:
        sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY)
    message = caught.value.message
    assert "代理人（長女）が令和8年11月24日に不同意としています（記録: clerk 職員）" in message
    assert "同意が記録されていません" not in message
    assert audit.recent(any_db, 1)[0].detail.endswith("refused")


def _place(db: Database, referral_id: int) -> tuple[int, int]:
    with db.read() as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None
        return referral.consultation_id, referral.service_id


# --- audit what happened, not what was tried -----------------------------------------------------


def test_a_sheet_that_could_not_be_written_consumes_no_number_and_is_audited_as_failed(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(any_db, clerk)
    with pytest.raises(ServiceError, match="フォルダー"):
        sheets.issue_liaison_sheet(any_db, clerk, referral_id,
                                   sheets.to_file(tmp_path / "gone" / "sheet.pdf"), on=DAY)
    _assert_failed_and_nothing_recorded(any_db)
    out = tmp_path / "sheet.pdf"
    issued = sheets.issue_liaison_sheet(any_db, clerk, referral_id, sheets.to_file(out), on=DAY)
    assert issued.sheet_number == "IKEJIRI-2026-00001" and not issued.reissue
    # What is kept is the printout's PDF/A archived copy (docs/printing.md): the same document.
    with pikepdf.open(out) as kept, pikepdf.open(io.BytesIO(issued.pdf)) as printed:
        assert len(kept.pages) == len(printed.pages)
        assert str(kept.docinfo["/Title"]) == str(printed.docinfo["/Title"])
        assert issued.sheet_number in str(kept.docinfo["/Title"])
    assert [p.reissue for p in sheets.sheet_prints(any_db, clerk, referral_id)] == [False]
    assert [e.detail.split()[-1] for e in audit.recent(any_db, 3)
            if e.action == "sheet_print"] == ["原本"]


def test_a_sheet_the_printer_refused_is_not_recorded(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(any_db, clerk)

    def printer_refuses(_pdf: bytes, _name: str) -> None:
        raise sheets.DeliveryError("印刷を開始できませんでした。")

    with pytest.raises(sheets.DeliveryError):
        sheets.issue_liaison_sheet(any_db, clerk, referral_id, printer_refuses, on=DAY)
    _assert_failed_and_nothing_recorded(any_db)
    assert not sheets.issue_liaison_sheet(any_db, clerk, referral_id, accepted, on=DAY).reissue


def _assert_failed_and_nothing_recorded(db: Database) -> None:
    with db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SheetPrint)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(LiaisonSheetRow)) == 0
    actions = [e.action for e in audit.recent(db, 3)]
    assert actions[0] == "sheet_print_failed" and "sheet_print" not in actions


def test_a_full_disk_while_writing_leaves_the_next_print_the_original(
        db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    from tmpfs import small_disk

    clerk = staff_factory(db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    referral_id = make_referral(db, clerk)
    with small_disk(tmp_path / "usb", 4096) as usb:
        with pytest.raises(ServiceError, match="空き容量"):
            sheets.issue_liaison_sheet(db, clerk, referral_id, sheets.to_file(usb / "s.pdf"),
                                       on=DAY)
        assert list(usb.iterdir()) == []
    _assert_failed_and_nothing_recorded(db)
    assert not sheets.issue_liaison_sheet(db, clerk, referral_id, accepted, on=DAY).reissue


def test_the_intake_record_and_day_list_are_audited_only_when_written(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    case_id = _place(any_db, make_referral(any_db, clerk))[0]
    missing = tmp_path / "gone" / "x.pdf"
    with pytest.raises(ServiceError):
        sheets.print_intake_record(any_db, clerk, case_id, sheets.to_file(missing), on=DAY)
    with pytest.raises(ServiceError):
        sheets.print_day_list(any_db, clerk, DAY, "ikejiri", sheets.to_file(missing))
    actions = [e.action for e in audit.recent(any_db, 6)]
    assert actions[:2] == ["day_list_print_failed", "intake_print_failed"]
    assert "intake_print" not in actions and "day_list_print" not in actions
    sheets.preview_intake_record(any_db, clerk, case_id, on=DAY)
    assert audit.recent(any_db, 1)[0].action == "intake_preview"
    sheets.print_intake_record(any_db, clerk, case_id, sheets.to_file(tmp_path / "i.pdf"), on=DAY)
    assert audit.recent(any_db, 1)[0].action == "intake_print"
    assert (tmp_path / "i.pdf").read_bytes().startswith(b"%PDF")


# --- the 相談受付票 and the day list of a refused person -------------------------------------------


def _refused_case(db: Database, clerk: object) -> tuple[int, str]:
    """A consultation taken by the あんしんすこやかセンター whose person refused sharing with the
    district's 児童館; returns its id and the 児童館's consent key."""
    jidokan = next(r.key for r in intake_svc.consent_recipients(db, "ikejiri")
                   if "児童館" in r.name)
    data = IntakeInput(
        received_at="R8.11.24 10:30", channel="来所", district="池尻", consulter_kind="本人",
        main_complaint=f"{NAME}さんの母の物忘れが心配", details=DETAILS,
        target_groups=["高齢者"], elements=["福祉サービス"],
        person=PersonInput(name=NAME, reading=READING, birth_date="1942-05-06", sex="男性",
                           address_town="池尻", address_rest=ADDRESS_REST, phone=PHONE),
        consents=[ConsentInput(recipient=jidokan, purpose=Purpose.SHARE.value, given=False)])
    saved = intake_svc.record_intake(db, clerk, data, now=NOW)  # type: ignore[arg-type]
    return saved.consultation_id, jidokan


SECRETS = (NAME, NAME.split()[0], READING, PHONE, ADDRESS_REST, "昭和17年", "物忘れが心配",
           "転倒", "84歳")


@needs_pdftotext
def test_a_refused_person_is_not_printed_for_the_other_organisation(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    jido = staff_factory(any_db, "jido", org_kind="児童館")
    case_id, _ = _refused_case(any_db, clerk)

    out = tmp_path / "intake.pdf"
    with pytest.raises(PermissionDeniedError) as caught:
        sheets.print_intake_record(any_db, jido, case_id, sheets.to_file(out), on=DAY)
    assert caught.value.message == "本人の同意がないため、この相談の受付票は印刷できません。"
    assert not out.exists()
    with pytest.raises(PermissionDeniedError):
        sheets.preview_intake_record(any_db, jido, case_id, on=DAY)
    assert audit.recent(any_db, 1)[0].action == "permission_denied"

    day = tmp_path / "day.pdf"
    sheets.print_day_list(any_db, jido, DAY, "ikejiri", sheets.to_file(day))
    text = pdftotext(day)
    for secret in SECRETS:
        assert secret not in text, secret
    assert "Y.T.（80歳代）" in text and "（非表示）" in text
    assert "本人の情報共有の同意がないため" in flat(text)

    # the taking organisation still prints it whole
    sheets.print_intake_record(any_db, clerk, case_id, sheets.to_file(out, replace=True), on=DAY)
    whole = pdftotext(out)
    assert NAME in whole and PHONE in whole and "84歳" in flat(whole)
    sheets.print_day_list(any_db, clerk, DAY, "ikejiri", sheets.to_file(day, replace=True))
    assert NAME in pdftotext(day) and "（非表示）" not in pdftotext(day)


@needs_pdftotext
def test_an_emergency_exception_opens_the_print_and_is_audited_as_such(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk = staff_factory(any_db, "clerk", role="相談員", org_kind="あんしんすこやかセンター")
    staff_factory(any_db, "boss", role="監督者", org_kind="あんしんすこやかセンター")
    jido = staff_factory(any_db, "jido", org_kind="児童館")
    case_id, jidokan = _refused_case(any_db, clerk)
    intake_svc.record_emergency_exception(any_db, clerk, case_id, reason="転倒し意識がない",
                                          supervisor_login="boss", supervisor_password=PASSWORD,
                                          recipient=jidokan)
    out = tmp_path / "intake.pdf"
    sheets.print_intake_record(any_db, jido, case_id, sheets.to_file(out), on=DAY)
    assert NAME in pdftotext(out)
    rows = audit.recent(any_db, 2)
    assert [r.action for r in rows] == ["consultation_view", "intake_print"]
    assert rows[0].detail == "emergency:intake_print" and rows[0].entity_id == str(case_id)
