"""相談受付一覧 read back with pdftotext: no time, number, header, 受付方法 or 緊急 term is broken
across lines, whatever the values; the terms of a long list go one a line, each whole."""

from __future__ import annotations

import subprocess
from pathlib import Path

from setacare_desktop.reports.day_list import (
    COLUMNS,
    DayList,
    DayListRow,
    render_day_list,
    split_terms,
)

URGENT = "虐待の疑い・DV・自殺念慮・生命・身体の危険"
TERMS = ("虐待の疑い", "DV", "自殺念慮", "生命・身体の危険")


def _rows() -> tuple[DayListRow, ...]:
    rows = []
    for n in range(40):
        rows.append(DayListRow(
            time=f"{n % 24:02d}:{(n * 7) % 60:02d}", consultation_id=1479 + n * 2531,
            person="長谷川 左衛門太郎兵衛 様" if n % 3 == 0 else f"Y.T.（80歳代）{n}",
            channel=("来所", "電話", "メール・文書", "その他")[n % 4],
            consulter=("本人", "家族・親族", "関係機関")[n % 3],
            target_groups="子ども・子育て家庭・高齢者・障害者" if n % 2 else "高齢者",
            main_complaint="介護保険の申請について相談したい。" * (1 + n % 4),
            response="情報提供", urgency=URGENT if n % 5 == 0 else ("DV" if n % 5 == 1 else "")))
    return tuple(rows)


def _pdftotext(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "day.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [line.strip() for line in out.splitlines()]


def test_every_time_number_header_and_term_reads_whole(tmp_path: Path) -> None:
    rows = _rows()
    lines = _pdftotext(render_day_list(DayList("池尻地区", "令和8年11月24日", "佐藤 花子",
                                               "令和8年11月24日", rows)), tmp_path)
    words = set(lines) | {w for line in lines for w in line.split()}
    for row in rows:
        assert row.time in words, row.time
        assert str(row.consultation_id) in words, row.consultation_id
        assert row.channel in words, row.channel
        assert row.consulter in words and row.response in words, row
    for header in COLUMNS:
        assert header in words, header
    for term in TERMS:
        assert term in words, term
    # nothing left over of a broken value: no line holds a piece of a time
    assert not [line for line in lines if line and len(line) < 5 and line[:2].isdigit()
                and ":" in line]


def test_a_short_list_stays_on_one_line(tmp_path: Path) -> None:
    row = DayListRow("10:30", 12, "山田 太郎", "来所", "本人", "高齢者", "相談", "助言", "DV")
    lines = _pdftotext(render_day_list(DayList("池尻地区", "令和8年11月24日", "佐藤 花子",
                                               "令和8年11月24日", (row,))), tmp_path)
    joined = " ".join(lines)
    assert "10:30" in joined and "12" in joined and "受付方法" in joined


def test_terms_split_between_terms_only() -> None:
    assert split_terms(URGENT, TERMS) == list(TERMS)
    assert split_terms("DV", TERMS) == ["DV"]
    assert split_terms("", TERMS) == []
    assert split_terms("未知・DV", TERMS) == ["未知", "DV"]
