"""The liaison sheet drawn as a fixed-layout form (reports.form_canvas, reports.form_font) reads
as the platypus sheet did: every glyph embedded although the form's own words come from a font
subset made once per process, the QR code of the 返信票 decodes to the sheet number, long values
wrap inside their cells and framed texts go on to the next page without losing a character."""

from __future__ import annotations

import dataclasses
import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from setacare_desktop.reports.blocks import SubjectBlock
from setacare_desktop.reports.form_canvas import FormWriter
from setacare_desktop.reports.liaison_sheet import LiaisonSheet, render_liaison_sheet


def _sheet(n: int, **changes: Any) -> LiaisonSheet:
    """The bench's n-th typical sheet (its own number, name and address), with ``changes``."""
    bench = str(Path(__file__).resolve().parents[2] / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)
    sample: LiaisonSheet = importlib.import_module("sheet_bench")._sample(n)
    return dataclasses.replace(sample, **changes)


def _subject(n: int) -> SubjectBlock:
    subject = _sheet(n).subject
    assert subject is not None
    return subject


def _save(pdf: bytes, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def _pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def test_each_sheet_embeds_the_form_words_and_its_own_characters(tmp_path: Path) -> None:
    """Two sheets of one process: the second shares the form's subset and still embeds the
    characters only it uses (a rare name), searchable."""
    first = _save(render_liaison_sheet(_sheet(1)), tmp_path, "a.pdf")
    subject = dataclasses.replace(_subject(2), name="鷗外 髙橋")
    second = _save(render_liaison_sheet(_sheet(2, subject=subject)), tmp_path, "b.pdf")
    for path in (first, second):
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                                 check=True).stdout.splitlines()[2:]
        assert listing and all("IPAexGothic" in line for line in listing), listing
        assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in listing), listing
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    sheet = _pages(second)[0]
    assert "鷗外 髙橋" in sheet and "様式第1号" in sheet and "相談の概要" in sheet
    assert "鷗外" not in "".join(_pages(first))


def test_the_reply_slips_qr_code_reads_as_the_sheet_number(tmp_path: Path) -> None:
    path = _save(render_liaison_sheet(_sheet(41)), tmp_path, "s.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "2", "-l", "2", str(path),
                    str(tmp_path / "slip")], check=True)
    (image,) = tmp_path.glob("slip*.png")
    read = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True)
    assert read.stdout.split() == ["IKEJIRI-2026-00042"]


def test_a_long_value_wraps_inside_its_cell_and_a_long_text_continues_framed(
        tmp_path: Path) -> None:
    subject = dataclasses.replace(
        _subject(3), address="池尻二丁目3番4号 池尻ハイツ" + "みどり荘" * 30 + "101号室")
    progress = "本人と面談し、就労支援センターの利用について説明した。" * 80
    consultation = dataclasses.replace(_sheet(3).consultation, progress=progress)
    pdf = render_liaison_sheet(_sheet(3, subject=subject, consultation=consultation))
    pages = _pages(_save(pdf, tmp_path, "long.pdf"))
    assert len(pages) >= 3 and "返信票" in pages[-1]
    # The pages' text without their footers (the last line of each, drawn last).
    flat = "".join("".join(p.strip().rsplit("\n", 1)[0].split()) for p in pages)
    assert "みどり荘" * 30 + "101号室" in flat  # wrapped, not cut
    assert progress in flat
    assert all(f"{n} / {len(pages)}" in p for n, p in enumerate(pages, start=1))
    # Every page but the 返信票 is the sheet's, with its notice.
    assert all("転送・複写しないでください（個人情報を含みます）" in p for p in pages[:-1])
    reader = PdfReader(str(tmp_path / "long.pdf"))
    assert len(reader.pages) == len(pages)


def test_a_line_never_starts_with_a_closing_mark() -> None:
    writer = FormWriter(title="連携シート", document_number="シート番号 X")
    text = "あ" * 9 + "。" + "い" * 9 + "、" + "う" * 20
    lines = writer.lines(text, 10, 95)  # room for nine or ten characters
    assert "".join(lines) == text
    assert all(line and line[0] not in "。、" for line in lines), lines
    assert all(writer.width(line, 10) <= 95 + 10 for line in lines)  # a mark may hang
    assert writer.lines("IKEJIRI-2026-00001 IKEJIRI", 10, 120) == [
        "IKEJIRI-2026-00001", "IKEJIRI"]  # an ASCII word is kept whole


def test_a_long_title_and_both_marks_print_whole_beside_each_other(tmp_path: Path) -> None:
    """An administrator may set a long title: it is set smaller to fit its column, and the
    【再発行】【匿名】 marks take a line each rather than run into it."""
    title = "関係機関への情報提供に関する連携シート"
    pdf = render_liaison_sheet(_sheet(5, form_title=title, form_number="第5号様式",
                                      reissue=True, anonymised=True))
    path = _save(pdf, tmp_path, "title.pdf")
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
                           capture_output=True, text=True, check=True).stdout
    words = {line.split(">")[1].split("<")[0]: float(line.split('xMax="')[1].split('"')[0])
             for line in boxes.splitlines() if "<word" in line}
    starts = {line.split(">")[1].split("<")[0]: float(line.split('xMin="')[1].split('"')[0])
              for line in boxes.splitlines() if "<word" in line}
    assert title in words and "【再発行】" in starts and "【匿名】" in starts, words
    assert words[title] < min(starts["【再発行】"], starts["【匿名】"])


def test_a_field_longer_than_a_page_continues_on_the_next(tmp_path: Path) -> None:
    """The 緊急性 note is free text in a field row: a very long one continues on the next page
    inside its cell, nothing cut, nothing drawn over the footer."""
    note = "夜間に大声が聞こえるとの近隣からの通報が続いている。" * 150
    consultation = dataclasses.replace(_sheet(6).consultation, urgency_note=note)
    path = _save(render_liaison_sheet(_sheet(6, consultation=consultation)), tmp_path, "n.pdf")
    pages = _pages(path)
    flat = "".join("".join(p.strip().rsplit("\n", 1)[0].split()) for p in pages)
    assert note in flat
    assert all(f"{n} / {len(pages)}" in p.strip().rsplit("\n", 1)[1]
               for n, p in enumerate(pages, start=1))
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout
    bottoms = [float(line.split('yMax="')[1].split('"')[0]) for line in boxes.splitlines()
               if "<word" in line and "近隣" in line]
    assert bottoms and max(bottoms) < 842 - 20 * 2.8346  # above the bottom margin
