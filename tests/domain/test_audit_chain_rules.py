"""The audit chain's rules: a row hashed over its content and the row before it; a check that
names the first broken link and tells a deleted, a changed and an inserted row apart."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from setacare_desktop.domain.audit_chain import (
    BreakKind,
    ChainContent,
    ChainWalker,
    StoredRow,
    link_hash,
    verify,
)

START = datetime(2026, 11, 24, 9, 0, 0, 123456)


def content(n: int, **changes: object) -> ChainContent:
    base = ChainContent(START + timedelta(seconds=n), 3, "clerk", "consultation_view",
                        "consultation", str(n), ["main_complaint"], None)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def chain(count: int) -> list[StoredRow]:
    rows, prev = [], None
    for n in range(1, count + 1):
        row_hash = link_hash(prev, content(n))
        rows.append(StoredRow(n, prev, row_hash, content(n)))
        prev = row_hash
    return rows


def test_every_field_of_the_content_is_covered_by_the_hash() -> None:
    original = link_hash(None, content(1))
    for name, value in (("at", START), ("staff_id", 4), ("login", "other"),
                        ("action", "person_view"), ("entity", "person"), ("entity_id", "99"),
                        ("fields", ["phone"]), ("detail", "emergency")):
        assert link_hash(None, content(1, **{name: value})) != original, name
    assert link_hash("0" * 64, content(1)) != original  # and the row before it


def test_an_intact_chain_counts_its_rows_and_gives_its_head() -> None:
    rows = chain(5)
    report = verify(rows)
    assert report.intact and report.count == 5 and report.head == rows[-1].hash
    assert verify([]).intact and verify([]).count == 0 and verify([]).head is None


def test_a_changed_row_is_named() -> None:
    rows = chain(5)
    rows[2] = dataclasses.replace(rows[2], content=content(3, entity_id="42"))
    report = verify(rows)
    assert report.broken is not None and report.broken.kind is BreakKind.CHANGED
    assert report.broken.row_id == 3 and report.count == 2
    assert report.broken.message == "操作記録 No.3 の内容が書き換えられています。"


def test_a_deleted_row_is_named_by_its_neighbours() -> None:
    rows = chain(5)
    del rows[2]
    report = verify(rows)
    assert report.broken is not None and report.broken.kind is BreakKind.DELETED
    assert (report.broken.previous_id, report.broken.row_id) == (2, 4)
    assert "No.2 と No.4 の間の記録が削除されています" in report.broken.message


def test_deleting_the_first_rows_is_seen() -> None:
    report = verify(chain(5)[2:])
    assert report.broken is not None and report.broken.kind is BreakKind.DELETED
    assert report.broken.row_id == 3 and "より前の記録が削除" in report.broken.message


def test_an_inserted_row_is_named_whether_or_not_it_has_a_hash() -> None:
    rows = chain(5)
    forged = StoredRow(10, rows[1].hash, "f" * 64, content(10))
    report = verify([*rows[:2], forged, *rows[2:]])
    assert report.broken is not None and report.broken.kind is BreakKind.INSERTED
    assert report.broken.row_id == 10
    bare = StoredRow(6, None, None, content(6))  # written with plain SQL at the end
    report = verify([*rows, bare])
    assert report.broken is not None and report.broken.kind is BreakKind.INSERTED
    assert report.broken.row_id == 6 and "挿入" in report.broken.message
    # a copy of a row, hash and all, slipped in after it
    copy = dataclasses.replace(rows[1], id=11)
    report = verify([*rows[:2], copy, *rows[2:]])
    assert report.broken is not None and (report.broken.kind, report.broken.row_id) == (
        BreakKind.INSERTED, 11)


def test_a_cut_tail_is_seen_through_an_anchor() -> None:
    rows = chain(6)
    anchors = {rows[4].hash: "池尻地区 2026-11-24 の日次確認"}
    assert verify(rows, anchors).intact
    report = verify(rows[:3], anchors)  # a sound, shorter chain: only the anchor tells
    assert report.broken is not None and report.broken.kind is BreakKind.TRUNCATED
    assert report.broken.message.startswith("池尻地区 2026-11-24 の日次確認の時点の操作記録が")
    assert "No.3 より後の記録が削除" in report.broken.message


def test_a_chain_fed_in_pieces_is_judged_as_a_whole() -> None:
    rows = chain(7)
    del rows[4]  # row 5
    walker = ChainWalker()
    for start in range(0, len(rows), 2):
        walker.feed(rows[start:start + 2])
    report = walker.finish()
    assert report.broken is not None and report.broken.kind is BreakKind.DELETED
    assert (report.broken.previous_id, report.broken.row_id) == (4, 6)
    whole = ChainWalker()
    for row in chain(7):
        whole.feed([row])
    assert whole.finish().count == 7
