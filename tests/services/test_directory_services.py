"""The referral directory in the database: the shipped directory loaded by migration 0005, lookup,
edits with history, and HSDS 3.0 import / export (validated against the official schema)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.directory import Phone, Scope
from setacare_desktop.domain.shipped_directory import shipped_directory
from setacare_desktop.services import (
    Database,
    PermissionDeniedError,
    ValidationError,
    audit,
    hsds,
)
from setacare_desktop.services import directory as svc
from setacare_desktop.services.files import FileExistsTargetError
from setacare_desktop.store.models import DirHistory, DirPhone, DirService

#: In CI as here, the repository's shared/ folder sits next to the clone.
HSDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "hsds-3.0"


@pytest.fixture(scope="module")
def hsds_dir() -> Path:
    if not (HSDS_DIR / "schema" / "compiled" / "service.json").is_file():
        pytest.fail(f"HSDS 3.0 reference data missing: expected {HSDS_DIR} (../shared/hsds-3.0 "
                    "next to the repository)")
    return HSDS_DIR


@pytest.fixture(scope="module")
def service_validator(hsds_dir: Path) -> jsonschema.protocols.Validator:
    schema = json.loads((hsds_dir / "schema" / "compiled" / "service.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_migration_loads_the_shipped_directory(any_db: Database) -> None:
    loaded = svc.load(any_db)
    shipped = shipped_directory()
    assert loaded.directory.services == shipped.services
    assert sorted(loaded.directory.organizations, key=lambda o: o.id) == sorted(
        shipped.organizations, key=lambda o: o.id)
    areas = [s.service_area for s in loaded.directory.services]
    districts = {c for a in areas if a.scope is Scope.DISTRICT for c in a.codes}
    area_codes = {c for a in areas if a.scope is Scope.AREA for c in a.codes}
    assert districts == set(ref.DISTRICTS_BY_CODE) and len(districts) == 28
    assert area_codes == set(ref.AREAS_BY_CODE) and len(area_codes) == 5
    assert not any(s.contact_confirmed or s.phones for s in loaded.directory.services)
    assert count(any_db, DirPhone) == 0


def test_lookup_ranks_with_reasons_and_the_unconfirmed_badge(any_db: Database) -> None:
    found = svc.lookup(any_db, district_code="ikejiri", target_groups=["disability"],
                       elements=["employment"])
    assert found[0].name == "世田谷区障害者就労支援センター"
    assert found[0].reason == "障害者 × 就労 → 世田谷区障害者就労支援センター"
    assert found[0].contact_status == "要確認" and "連絡先 要確認" in found[0].notes
    with pytest.raises(ValidationError):
        svc.lookup(any_db, district_code="atlantis")


def test_free_search_is_kana_insensitive(db: Database) -> None:
    hits = svc.search_destinations(db, "ﾌｧﾐﾘｰ ｻﾎﾟｰﾄ")
    assert hits[0].name == "ファミリー・サポート・センター"
    assert svc.search_destinations(db, "ぷらっとほーむ")[0].name.startswith("ぷらっとホーム")


def test_edits_are_for_supervisors_audited_and_kept_as_history(
        any_db: Database, staff_factory: Callable) -> None:
    clerk = staff_factory(any_db, "clerk")
    boss = staff_factory(any_db, "boss", role="監督者")
    target = svc.search_destinations(any_db, "ぷらっとホーム世田谷")[0]
    edit = svc.ServiceEdit(phones=[Phone("03-0000-0000", description="代表")],
                           contact_confirmed=True)
    with pytest.raises(PermissionDeniedError):
        svc.edit_service(any_db, clerk, target.service_id, edit)
    svc.edit_service(any_db, boss, target.service_id, edit)
    after = svc.destination(any_db, target.service_id)
    assert after.contact_status == "確認済" and after.phones == ("03-0000-0000（代表）",)
    history = svc.service_history(any_db, target.service_id)
    assert history[0].fields == ("confirmed_at", "contact_confirmed", "dir_phone")
    assert history[0].previous is not None and history[0].previous["dir_phone"] == []
    assert "directory_edit" in [e.action for e in audit.recent(any_db, 5)]
    with pytest.raises(ValidationError, match="対象区分"):
        svc.edit_service(any_db, boss, target.service_id,
                         svc.ServiceEdit(target_groups=["martians"]))
    with pytest.raises(ValidationError, match="内容: 制御文字（U\\+0000）"):  # not on PostgreSQL
        svc.edit_service(any_db, boss, target.service_id,
                         svc.ServiceEdit(description="相談\x00窓口"))


def test_json_export_validates_against_the_official_schema(
        db: Database, tmp_path: Path, service_validator: jsonschema.protocols.Validator,
        staff_factory: Callable) -> None:
    boss = staff_factory(db, "boss", role="監督者")
    link = svc.search_destinations(db, "リンク")[0]
    svc.edit_service(db, boss, link.service_id, svc.ServiceEdit(
        phones=[Phone("03-0000-0001")], schedules=["平日 9:00–17:00"], contact_confirmed=True))
    out = tmp_path / "directory.json"
    assert hsds.export_hsds_json(db, boss, out) == len(shipped_directory().services)
    document = json.loads(out.read_text("utf-8"))
    assert document["total_items"] == len(document["contents"])
    errors = [f"{i}: {e.message}" for i, service in enumerate(document["contents"])
              for e in service_validator.iter_errors(service)]
    assert errors == []
    platform = next(s for s in document["contents"] if s["name"].startswith("ぷらっとホーム"))
    assert "assured_date" not in platform and platform["phones"] == []  # 要確認
    confirmed = next(s for s in document["contents"] if s["name"] == link.name)
    assert confirmed["assured_date"] and confirmed["phones"][0]["number"] == "03-0000-0001"


def test_export_then_import_changes_nothing(any_db: Database, tmp_path: Path,
                                            staff_factory: Callable) -> None:
    boss = staff_factory(any_db, "boss", role="監督者")
    out = tmp_path / "directory.json"
    hsds.export_hsds_json(any_db, boss, out)
    assert [(e.action, e.login, e.detail) for e in audit.recent(any_db, 1)] == [
        ("directory_export", "boss", f"hsds-json: {len(shipped_directory().services)} services")]
    report = hsds.import_hsds(any_db, boss, out)
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == len(shipped_directory().services)
    assert svc.load(any_db).directory.services == shipped_directory().services


def test_csv_export_writes_the_tabular_package(db: Database, tmp_path: Path,
                                               staff_factory: Callable) -> None:
    clerk = staff_factory(db, "clerk")  # any staff member may export: no personal data
    hsds.export_hsds_csv(db, clerk, tmp_path / "csv")
    with (tmp_path / "csv" / "services.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(shipped_directory().services)
    assert {*hsds.CSV_COLUMNS, "datapackage.json"} == {p.name for p in (tmp_path / "csv").iterdir()}


def test_the_official_examples_import_without_error(any_db: Database, hsds_dir: Path,
                                                     staff_factory: Callable) -> None:
    admin = staff_factory(any_db, "admin", role="管理者", place="世田谷", org_kind="総合支所")
    examples = sorted((hsds_dir / "examples").glob("*.json"))
    assert len(examples) >= 10
    for path in examples:
        hsds.import_hsds(any_db, admin, path)
    names = {s.name for s in svc.load(any_db).directory.services}
    assert "Community Counselling" in names
    # unclassified foreign services are found by search, never suggested
    assert svc.search_destinations(any_db, "counselling")
    assert all(f.name != "Community Counselling" for f in svc.lookup(
        any_db, district_code="ikejiri", target_groups=["other"], elements=["medical"],
        limit=None))


def _bad_file(tmp_path: Path) -> Path:
    document: dict[str, Any] = {"contents": [
        {"id": "ok-service", "name": "よい事業", "status": "active",
         "organization": {"id": "platform", "name": "ぷらっとホーム世田谷", "description": "x"}},
        {"id": "", "name": "", "status": "active", "organization_id": "nowhere",
         "phones": [{"id": "p1"}]},
        {"id": "bad-status", "name": "状態違い", "status": "closed-ish",
         "organization_id": "platform"},
        42,
    ]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_bad_import_changes_nothing_and_lists_every_problem(
        any_db: Database, tmp_path: Path, staff_factory: Callable) -> None:
    boss = staff_factory(any_db, "boss", role="監督者")
    before = (count(any_db, DirService), count(any_db, DirHistory))
    with pytest.raises(ValidationError) as caught:
        hsds.import_hsds(any_db, boss, _bad_file(tmp_path))
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith("$.contents[1].id:") for p in problems)
    assert any(p.startswith("$.contents[1].name:") for p in problems)
    assert any(p.startswith("$.contents[1].phones[0].number:") for p in problems)
    assert any(p.startswith("$.contents[2]:") and "closed-ish" in p for p in problems)
    assert any(p.startswith("$.contents[3]:") for p in problems)
    assert (count(any_db, DirService), count(any_db, DirHistory)) == before


def test_a_file_that_is_not_json_is_refused_with_its_line(db: Database, tmp_path: Path,
                                                          staff_factory: Callable) -> None:
    boss = staff_factory(db, "boss", role="監督者")
    path = tmp_path / "broken.json"
    path.write_text('{"contents": [\n  {"id": }\n]}', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"broken.json:2:"):
        hsds.import_hsds(db, boss, path)


def test_import_by_staff_needs_a_supervisor(db: Database, staff_factory: Callable,
                                            tmp_path: Path, hsds_dir: Path) -> None:
    clerk = staff_factory(db, "clerk")
    with pytest.raises(PermissionDeniedError):
        hsds.import_hsds(db, clerk, hsds_dir / "examples" / "service_full.json")
    refused = audit.recent(db, 1)[0]
    assert (refused.action, refused.login, refused.detail) == (
        "permission_denied", "clerk", "directory_import")


def test_import_without_a_login_is_refused_and_audited(db: Database, hsds_dir: Path) -> None:
    """The command line used to import 5,000 services as "(system)", with no login at all."""
    before = count(db, DirService)
    with pytest.raises(PermissionDeniedError, match="ログインが必要です"):
        hsds.import_hsds(db, None, hsds_dir / "examples" / "service_full.json")  # type: ignore[arg-type]
    assert count(db, DirService) == before
    refused = audit.recent(db, 1)[0]
    assert (refused.action, refused.login, refused.detail) == (
        "permission_denied", "(system)", "directory_import")


def test_an_export_that_cannot_be_written_is_audited_as_a_failure(
        any_db: Database, tmp_path: Path, staff_factory: Callable) -> None:
    boss = staff_factory(any_db, "boss", role="監督者")
    out = tmp_path / "directory.json"
    out.write_bytes(b"kept")
    with pytest.raises(FileExistsTargetError):
        hsds.export_hsds_json(any_db, boss, out)  # not told to replace it
    assert out.read_bytes() == b"kept"
    [event] = audit.recent(any_db, 1)
    assert (event.action, event.login) == ("directory_export_failed", "boss")
    assert event.detail == (f"hsds-json: {len(shipped_directory().services)} services; "
                            "FileExistsTargetError")
    assert "directory_export" not in {e.action for e in audit.recent(any_db)}
    hsds.export_hsds_json(any_db, boss, out, replace=True)
    assert json.loads(out.read_text("utf-8"))["total_items"] == len(shipped_directory().services)
    assert audit.recent(any_db, 1)[0].action == "directory_export"
