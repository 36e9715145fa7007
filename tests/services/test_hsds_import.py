"""HSDS 3.0 import: what the schema says a record is, and every problem refused with its path
before anything is written (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.conftest import directory_editor

from setacare_desktop.services import Database, ValidationError, hsds
from setacare_desktop.services import directory as svc
from setacare_desktop.services.hsds import importing
from setacare_desktop.store.models import DirOrganization, DirService, DirTaxonomyTerm

ORG = {"id": "0b6f1a52-6c55-4a55-9d6a-2f0a3c3b1a10", "name": "世田谷こども食堂ネット",
       "description": "地域の子ども食堂の連絡会"}



def _service(sid: str = "5d0c9c1e-7d2b-4a3a-9c1e-000000000001", **fields: Any) -> dict[str, Any]:
    return {"id": sid, "name": "こども食堂 相談窓口", "status": "active", "organization": ORG,
            **fields}


def _write(tmp_path: Path, document: object, name: str = "in.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _problems(db: Database, path: Path) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        hsds.import_hsds(db, directory_editor(db), path)
    return [str(p) for p in caught.value.problems]


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_a_service_without_status_is_a_service_missing_status_not_an_organization(
        db: Database, tmp_path: Path) -> None:
    service = _service(eligibility_description="区内の小中学生", service_areas=[])
    del service["status"]
    before = (_count(db, DirService), _count(db, DirOrganization))
    assert _problems(db, _write(tmp_path, [service])) == ["$[0].status: 必須の項目がありません"]
    assert (_count(db, DirService), _count(db, DirOrganization)) == before


def test_a_term_without_taxonomy_imports(any_db: Database, tmp_path: Path) -> None:
    term = {"id": "7a1e2c3d-0000-4000-8000-00000000000a", "name": "食支援",
            "description": "食事の提供", "code": "food"}
    service = _service(attributes=[{"id": "7a1e2c3d-0000-4000-8000-00000000000b",
                                    "taxonomy_term_id": term["id"], "value": "",
                                    "taxonomy_term": term}])
    report = hsds.import_hsds(any_db, directory_editor(any_db), _write(tmp_path, [term, service]))
    assert report.created == 1
    with any_db.read() as session:
        row = session.get(DirTaxonomyTerm, term["id"])
        assert row is not None and row.taxonomy_id is None and row.name == "食支援"


def test_duplicate_ids_name_both_places(db: Database, tmp_path: Path) -> None:
    first, second = _service(), _service(name="別の窓口")
    assert _problems(db, _write(tmp_path, {"contents": [first, second]})) == [
        f"$.contents[1].id: ID {first['id']} が $.contents[0] と重複しています"]
    other_org = {**ORG, "name": "別の組織"}
    problems = _problems(db, _write(tmp_path, [
        _service(), _service("5d0c9c1e-7d2b-4a3a-9c1e-000000000002", organization=other_org)]))
    assert problems == [f"$[1].organization.id: ID {ORG['id']} が $[0].organization と重複して"
                        "います"]


@pytest.mark.parametrize(("content", "message"), [
    ("", "ファイルが空です"), ("  \n", "ファイルが空です"),
    ("[]", "1 件もありません"), ('{"contents": []}', "1 件もありません"),
    ("{}", "HSDS のレコードとして認識できません")])
def test_empty_inputs_are_refused_clearly(db: Database, tmp_path: Path, content: str,
                                          message: str) -> None:
    path = tmp_path / "empty.json"
    path.write_text(content, encoding="utf-8")
    assert message in "\n".join(_problems(db, path))


def test_a_file_over_the_limit_is_refused_before_it_is_read(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importing, "MAX_IMPORT_BYTES", 1024)
    path = _write(tmp_path, [_service(description="あ" * 2000)])
    assert any("大きすぎます" in p for p in _problems(db, path))


def test_overlong_text_is_refused_naming_the_field_on_both_databases(
        any_db: Database, tmp_path: Path) -> None:
    path = _write(tmp_path, [_service(name="相" * 5_000_000,
                                      phones=[{"id": "p", "number": "0" * 65}])])
    problems = _problems(any_db, path)
    assert "$[0].name: 名称は200文字以内にしてください（5,000,000文字）" in problems
    assert "$[0].phones[0].number: 電話番号は64文字以内にしてください（65文字）" in problems
    assert _count(any_db, DirService) == len(svc.load(any_db).directory.services)


def test_wrong_types_are_refused_with_their_path_and_nothing_is_written(
        db: Database, tmp_path: Path) -> None:
    before = _count(db, DirService)
    path = _write(tmp_path, [_service(service_areas="世田谷区全域", phones="03-1234-5678",
                                      status="open")])
    problems = _problems(db, path)
    assert "$[0].service_areas: 配列（[ ]）で書いてください（文字列です）" in problems
    assert "$[0].phones: 配列（[ ]）で書いてください（文字列です）" in problems
    assert any(p.startswith("$[0].status: 値 'open' は使えません") for p in problems)
    assert _count(db, DirService) == before
