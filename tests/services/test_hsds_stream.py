"""HSDS JSON read one record at a time (issue 15: a 300 MB file used to be read whole): the
records and their paths are those of the whole-file parse, whatever the chunk boundaries; bad
JSON is named by line and column; progress reaches the file's size; limits are kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from setacare_desktop.services import ValidationError
from setacare_desktop.services.hsds import stream

SERVICES = [{"id": f"s{i}", "name": f"窓口{i}", "latitude": 35.6 + i / 1000, "n": 10 ** i}
            for i in range(12)]


def _records(path: Path, limit: int = 10 ** 9) -> list[tuple[str, object]]:
    return list(stream.records(path, limit))


@pytest.mark.parametrize("chunk", [1, 3, 7, 1024 * 1024])
def test_lists_and_pages_stream_the_same_records_at_any_chunk_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(stream, "CHUNK_BYTES", chunk)
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps(SERVICES, ensure_ascii=False, indent=2), encoding="utf-8")
    assert _records(listed) == [(f"$[{i}]", s) for i, s in enumerate(SERVICES)]
    paged = tmp_path / "paged.json"
    paged.write_text("\ufeff" + json.dumps({"total_items": 12, "contents": SERVICES,
                                            "last_page": True}, ensure_ascii=False),
                     encoding="utf-8")
    assert _records(paged) == [(f"$.contents[{i}]", s) for i, s in enumerate(SERVICES)]
    single = tmp_path / "single.json"
    single.write_text(json.dumps(SERVICES[0]), encoding="utf-8")
    assert _records(single) == [("$", SERVICES[0])]
    number = tmp_path / "number.json"
    number.write_text("[12345678901234567890]", encoding="utf-8")
    assert _records(number) == [("$[0]", 12345678901234567890)]


def test_bad_json_is_named_by_line_and_column(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "CHUNK_BYTES", 5)
    path = tmp_path / "bad.json"
    path.write_text('[\n {"id": "a"},\n {"id": "b",, }\n]', encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        _records(path)
    assert [str(p) for p in caught.value.problems] == ["bad.json:3:13: JSON として読めません"]
    trailing = tmp_path / "trailing.json"
    trailing.write_text('[{"id": "a"}] x', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"trailing\.json:1:15"):
        _records(trailing)


def test_progress_reaches_the_size_and_limits_hold(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "CHUNK_BYTES", 64)
    path = tmp_path / "list.json"
    path.write_text(json.dumps(SERVICES, ensure_ascii=False), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    assert len(list(stream.records(path, 10 ** 9, lambda done, total: seen.append(
        (done, total))))) == len(SERVICES)
    size = path.stat().st_size
    assert seen[-1] == (size, size) and len(seen) > 2
    with pytest.raises(ValidationError, match="大きすぎます（上限 0 MB）"):
        _records(path, limit=100)
    monkeypatch.setattr(stream, "MAX_RECORD_CHARS", 100)
    big = tmp_path / "big.json"
    big.write_text(json.dumps([{"id": "a", "description": "あ" * 500}]), encoding="utf-8")
    with pytest.raises(ValidationError, match="1 件のレコードが大きすぎます"):
        _records(big)
