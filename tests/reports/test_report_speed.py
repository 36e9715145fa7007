"""The speed shortcuts of the printouts (reports.common, reports.batch) change nothing a reader
of the PDF would notice: the font is embedded in every file of a batch, a plain-text paragraph is
what reportlab's parser makes of it, the QR code has the widget's modules, and a batch comes back
in order, each document its own."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.platypus import Paragraph

from setacare_desktop.reports import batch
from setacare_desktop.reports.common import QrCode, Styles, qr_modules, register_font, text
from setacare_desktop.reports.day_list import DayList, DayListRow, render_day_list


def _day_list(n: int) -> DayList:
    rows = tuple(DayListRow(f"{9 + n % 8:02d}:{n % 60:02d}", 1000 + n, f"利用者{n}号 様", "来所",
                            "本人", "高齢者", f"相談{n}の主訴", "情報提供", "")
                 for _ in range(1))
    return DayList(f"地区{n}", "令和8年11月24日", "佐藤 花子", "令和8年11月24日", rows)


def _fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "f.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                          check=True).stdout


def test_every_document_of_a_process_embeds_the_font_although_it_is_parsed_once(
        tmp_path: Path) -> None:
    first, second = render_day_list(_day_list(1)), render_day_list(_day_list(1))
    for pdf in (first, second):
        listing = _fonts(pdf, tmp_path)
        lines = [line for line in listing.splitlines()[2:] if line.strip()]
        assert lines and all("IPAexGothic" in line for line in lines), listing
        # name, type, encoding, emb, sub, uni: every font embedded as a subset
        assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in lines), listing
    assert "利用者1号" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(second)).pages)


@pytest.mark.parametrize("value", ["山田 太郎", "令和8年11月24日 10:30", "03-0000-1234", "■ 訪問",
                                   "a b c", "x"])
def test_plain_text_paragraph_is_what_the_parser_makes(value: str) -> None:
    register_font()
    styles = Styles()
    for st in (styles.body, styles.label, styles.title, styles.boxed, styles.heading):
        fast, parsed = text(value, st).frags, Paragraph(escape(value), st).frags
        assert [f.__dict__ for f in fast] == [f.__dict__ for f in parsed]


def test_text_with_markup_or_other_spaces_goes_through_the_parser() -> None:
    register_font()
    body = Styles().body
    assert "".join(f.text for f in text("a < b & c", body).frags) == "a < b & c"
    assert [f.text for f in text("一行目\n二行目", body).frags if f.text] == ["一行目", "二行目"]
    assert text("全角　空白", body).frags[0].text == Paragraph("全角　空白", body).frags[0].text


def test_styles_are_prepared_once_and_shared() -> None:
    assert Styles().body is Styles().body


def test_qr_code_has_the_modules_of_reportlabs_widget() -> None:
    value = "IKEJIRI-2026-00012"
    widget = QrCodeWidget(value, barLevel="M")
    widget.qr.make()
    n = widget.qr.getModuleCount()
    expected = tuple(tuple(bool(widget.qr.isDark(r, c)) for c in range(n)) for r in range(n))
    assert qr_modules(value) == expected
    assert QrCode(value, 72).wrap(500, 500) == (72, 72)


def test_a_batch_comes_back_in_order_each_document_its_own() -> None:
    items = [_day_list(n) for n in range(5)]
    pdfs = batch.render_many(render_day_list, items, workers=2)
    for n, pdf in enumerate(pdfs):
        page = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert f"地区{n}" in page and f"利用者{n}号" in page


def test_a_batch_spread_over_processes_gives_the_same_documents(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "MIN_PER_WORKER", 2)
    items = [_day_list(n) for n in range(6)]
    assert batch.worker_count(len(items), 2) == 2
    pdfs = batch.render_many(render_day_list, items, workers=2)
    texts = ["".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages) for pdf in pdfs]
    assert [f"利用者{n}号" in t for n, t in enumerate(texts)] == [True] * 6
    assert all(b"/FontFile2" in pdf for pdf in pdfs)


def test_a_small_batch_stays_in_this_process() -> None:
    assert batch.worker_count(10, 8) == 1
    assert batch.worker_count(1000, 2) == 2


def test_a_paragraph_breaks_again_for_another_width_only() -> None:
    register_font()
    body = Styles().body
    paragraph = text("介護保険の申請について相談したい。" * 3, body)
    narrow = paragraph.wrap(60, 1000)
    assert paragraph.wrap(60, 1000) == narrow
    wide = paragraph.wrap(500, 1000)
    assert wide[1] < narrow[1] and len(paragraph.blPara.lines) == 1
    assert paragraph.wrap(60, 1000) == narrow and len(paragraph.blPara.lines) > 1


def test_a_busy_machine_renders_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(batch.os, "getloadavg", lambda: (3.5, 3.0, 3.0))
    assert batch.idle_cpus() == 1 and batch.worker_count(1000) == 1
    monkeypatch.setattr(batch.os, "getloadavg", lambda: (0.2, 0.1, 0.1))
    assert batch.worker_count(1000) == 4 and batch.worker_count(100) == 2


def test_a_paragraph_moved_on_by_split_breaks_its_lines_again() -> None:
    register_font()
    paragraph = text("介護保険の申請について相談したい。" * 20, Styles().boxed)
    size = paragraph.wrap(200, 1000)
    assert paragraph.split(200, 5) == []  # no room: the whole paragraph goes on
    assert paragraph.wrap(200, 1000) == size and paragraph.blPara.lines
