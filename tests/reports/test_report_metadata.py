"""Document properties of every printout, read back (pdfinfo, pypdf, the XMP packet): a meaningful
Title, Subject and Author free of personal data, a document id, XMP matching the Info dictionary;
and the archival copy: PDF/A-2b identification and sRGB OutputIntent, qpdf --check clean, stream
syntax as PDF/A requires, text and embedded fonts unchanged."""

from __future__ import annotations

import importlib
import io
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from setacare_desktop.domain.stats import Dimension, Period, StatsLine, StatsReport, StatsTable
from setacare_desktop.reports.blocks import ConsultationBlock, ConsulterBlock, SubjectBlock
from setacare_desktop.reports.comparison import StatsComparison
from setacare_desktop.reports.day_list import DayList, DayListRow, render_day_list
from setacare_desktop.reports.intake_record import IntakeRecord, render_intake_record
from setacare_desktop.reports.liaison_sheet import render_liaison_sheet
from setacare_desktop.reports.metadata import archival_copy
from setacare_desktop.reports.stats_report import render_stats_comparison, render_stats_report

PERSON, STAFF = "山田 太郎", "佐藤 花子"


def _stats(period: Period, count: int) -> StatsReport:
    ward = StatsTable(Dimension.ORG_KIND, "区の様式", (StatsLine("a", "あんしんすこやかセンター 相談件数",
                                                                 count),), count)
    return StatsReport(period, "池尻地区", datetime(2026, 11, 30, 9, 0), count, ward, ())


def _intake() -> bytes:
    return render_intake_record(IntakeRecord(
        12, "池尻地区", "池尻あんしんすこやかセンター", STAFF, "令和8年11月24日",
        SubjectBlock(PERSON, "やまだ たろう", "昭和45年5月6日（56歳）", "男性", "池尻二丁目3番4号",
                     "03-0000-1234", "単身"),
        ConsulterBlock("本人", "", "", ""),
        ConsultationBlock("令和8年11月24日 10:30", "来所", ("高齢者",), ("医療",), "物忘れ",
                          "概要", "経過", (), ("DV",), ""),
        "助言", "", ("本人同意あり",)))


def _liaison() -> bytes:
    """The bench's typical liaison sheet."""
    bench = str(Path(__file__).resolve().parents[2] / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    sheet_bench = importlib.import_module("sheet_bench")
    return render_liaison_sheet(sheet_bench._sample())


FORMS: dict[str, Callable[[], bytes]] = {
    "相談受付一覧": lambda: render_day_list(DayList(
        "池尻地区", "令和8年11月24日", STAFF, "令和8年11月24日",
        (DayListRow("10:30", 12, PERSON, "来所", "本人", "高齢者", "物忘れ", "助言", ""),))),
    "相談受付票": _intake,
    "連携シート": _liaison,
    "福祉の相談窓口 相談件数": lambda: render_stats_report(_stats(Period.fiscal_year(2026), 3)),
    "福祉の相談窓口 相談件数（期間の比較）": lambda: render_stats_comparison(StatsComparison(
        _stats(Period.fiscal_year(2025), 1), _stats(Period.fiscal_year(2026), 3))),
}


def _xmp(pdf: bytes) -> str:
    match = re.search(rb"<\?xpacket begin.*?<\?xpacket end=.w.\?>", pdf, re.S)
    assert match, "no XMP packet"
    return match.group().decode("utf-8")


@pytest.mark.parametrize("form", list(FORMS))
def test_properties_are_meaningful_and_free_of_personal_data(form: str) -> None:
    pdf = FORMS[form]()
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    assert form in str(info.title)  # after its 様式 number, if the form has one
    assert info.subject and "unspecified" not in str(info.subject)
    assert info.author == "世田谷区 福祉の相談窓口" and info.creator == "SetaCare Desktop"
    xmp = _xmp(pdf)
    for value in (str(info.title), str(info.subject), str(info.author)):
        assert value in xmp
    assert re.search(r"<xmpMM:DocumentID>uuid:[0-9a-f-]{36}</xmpMM:DocumentID>", xmp)
    created = str(info["/CreationDate"])  # D:YYYYMMDDhhmmss+hh'mm'
    assert f"<xmp:CreateDate>{created[2:6]}-{created[6:8]}-{created[8:10]}T" in xmp
    everything = " ".join(str(v) for v in info.values()) + xmp
    assert PERSON not in everything and STAFF not in everything
    assert "pdfaid" not in xmp  # only the archival copy claims PDF/A


def test_each_printout_has_its_own_document_id() -> None:
    ids = {re.search(r"DocumentID>([^<]+)<", _xmp(FORMS["相談受付一覧"]())).group(1)  # type: ignore[union-attr]
           for _ in range(2)}
    assert len(ids) == 2


@pytest.mark.parametrize("form", list(FORMS))
def test_archival_copy_is_pdfa_2b_in_form_and_reads_the_same(form: str, tmp_path: Path) -> None:
    original = FORMS[form]()
    archived = archival_copy(original)
    path, before = tmp_path / "a.pdf", tmp_path / "o.pdf"
    path.write_bytes(archived)
    before.write_bytes(original)
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with pikepdf.open(path) as doc:
        meta = doc.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        intents = doc.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == pikepdf.Name.GTS_PDFA1
        profile = intents[0].DestOutputProfile
        assert profile.N == 3 and profile.read_bytes()[36:40] == b"acsp"  # an ICC profile
        assert "/Filter" not in doc.Root.Metadata.stream_dict  # XMP stays readable
        assert doc.trailer.ID is not None
    # PDF/A: every endstream on a line of its own; a binary comment after the header
    assert not re.search(rb"[^\r\n]endstream", archived)
    assert all(b >= 128 for b in archived.split(b"\n")[1][1:5])

    def text(p: Path) -> str:
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(p), "-"], capture_output=True,
                              text=True, check=True).stdout

    assert text(path) == text(before)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all("IPAexGothic" in f and f.split()[-5:-2] == ["yes"] * 3 for f in fonts)


@pytest.mark.parametrize(("title", "subject"), [
    ("様式第1号 連携シート IKEJIRI-2026-00001", "連携シート"),
    ("返信票 IKEJIRI-2026-00001", "返信票"),
    ("FAX送付状", "送付状"),
    ("様式第2号 同意書", "同意書"),
])
def test_a_form_with_a_number_in_front_still_gets_its_subject(title: str, subject: str) -> None:
    from setacare_desktop.reports.common import document_info

    assert subject in document_info(title).subject


def test_the_kept_srgb_profile_is_the_one_littlecms_builds() -> None:
    from PIL import ImageCms

    from setacare_desktop.reports.metadata import srgb_profile

    kept = srgb_profile()
    built = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert len(kept) == int.from_bytes(kept[:4], "big") == len(built)
    assert kept[36:40] == b"acsp" and kept[12:20] == b"mntrRGB " and kept[8] == 4
    assert kept[:24] + kept[36:] == built[:24] + built[36:]  # all but the creation date
