"""What the day package may be trusted with (issue 12 item 4, issue 11 for packages), on both
backends: bound to the database it came from, expiring, carrying no password hash, importing
only decisions proven by their reviewer's password, masked for the exporter's view, with the
day's audit rows. scrypt runs with n=2**12 here to keep the tests fast."""

from __future__ import annotations

import errno
import json
import struct
import zlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.intake import ConsentInput, IntakeInput, PersonInput
from setacare_desktop.domain.jpdate import to_wareki, utc_to_local
from setacare_desktop.domain.review import Decision, ReviewState
from setacare_desktop.services import (
    AuthenticationError,
    Database,
    PermissionDeniedError,
    ServiceError,
    StaffProfile,
    ValidationError,
    audit,
)
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import package as svc
from setacare_desktop.services import review as review_svc
from setacare_desktop.services.database_identity import database_id
from setacare_desktop.services.package import clock, codec
from setacare_desktop.store.models import AuditEvent, CaseReview, DatabaseIdentity, DaySignoff

NOW = datetime(2026, 11, 24, 16, 0)
DAY = date(2026, 11, 24)
PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
PASSPHRASE = "夜の図書館で青い傘を3本"
N = 2**12


def _case(db: Database, clerk: StaffProfile, complaint: str, time: str, name: str,
          reading: str, **extra: Any) -> int:
    person = extra.pop("person", {})
    data = IntakeInput(
        received_at=f"R8.11.24 {time}", channel="来所", district="池尻",
        consulter_kind=extra.pop("consulter_kind", "本人"), main_complaint=complaint,
        target_groups=["高齢者"], elements=["福祉サービス"], response="助言",
        person=PersonInput(name=name, reading=reading, **person), **extra)
    return intake_svc.record_intake(db, clerk, data, now=NOW).consultation_id


def _setup(db: Database, staff_factory: Callable) -> tuple[StaffProfile, list[int]]:
    clerk = staff_factory(db, "clerk")
    boss = staff_factory(db, "boss", role="監督者")
    ids = [_case(db, clerk, "介護保険の申請について", "09:00", "山田 太郎", "やまだ たろう"),
           _case(db, clerk, "配食サービスを使いたい", "10:00", "佐藤 次郎", "さとう じろう")]
    return boss, ids


def _export(db: Database, actor: StaffProfile, **options: Any) -> svc.ExportResult:
    return svc.export_package(db, actor, DAY, DAY, "池尻", PASSPHRASE, password=PASSWORD,
                              today=DAY, scrypt_n=N, wrap_n=N, **options)


def _payload(data: bytes) -> bytes:
    """The decrypted payload, as bytes (what someone holding the passphrase reads)."""
    _binding, payload, _key = codec.unseal(data, PASSPHRASE)
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def _header(data: bytes) -> dict[str, Any]:
    (length,) = struct.unpack(">I", data[16:20])
    return json.loads(data[20:20 + length])


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read() as session:
        return tuple(int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
                     for model in (CaseReview, DaySignoff, AuditEvent))  # type: ignore[return-value]


def _reviewed(path: Path, ids: list[int]) -> svc.Package:
    package = svc.open_package(path.read_bytes(), PASSPHRASE)
    source = svc.PackageReviewSource(package, package.login("boss", PASSWORD), path, PASSPHRASE)
    source.decide(ids[0], Decision.CONFIRMED, "", seen_version=1)
    source.decide(ids[1], Decision.RETURNED, "対応を記入してください", seen_version=1)
    source.sign_off(DAY, "ikejiri", "")
    return package


@pytest.fixture
def other_db(request: pytest.FixtureRequest, any_db: Database) -> Database:
    """A second, separately migrated database: the other backend's."""
    backend = request.node.callspec.params["any_db"]
    return request.getfixturevalue("pg_db" if backend == "sqlite" else "db")


def test_a_package_imported_into_another_database_is_refused_and_applies_nothing(
        any_db: Database, other_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    """Issue 12: a package from one database applied its decisions to unrelated consultations
    of another. Both databases here have the same staff and the same consultation numbers."""
    boss, ids = _setup(any_db, staff_factory)
    other_boss, other_ids = _setup(other_db, staff_factory)
    assert (other_boss.staff_id, other_ids) == (boss.staff_id, ids)  # a forger's dream
    assert database_id(any_db) != database_id(other_db)
    path = tmp_path / "ikejiri.setacare-pkg"
    result = _export(any_db, boss)
    assert _header(result.data)["database_id"] == database_id(any_db)
    path.write_bytes(result.data)
    _reviewed(path, ids)

    reviews, signoffs, events = _counts(other_db)
    with pytest.raises(PermissionDeniedError) as caught:
        svc.import_package(other_db, other_boss, path.read_bytes(), PASSPHRASE, today=DAY)
    assert caught.value.message.startswith(
        "この日次パッケージは別のデータベースから書き出されたものです。")
    assert caught.value.message == svc.FOREIGN_DATABASE
    assert _counts(other_db) == (reviews, signoffs, events + 1)  # the refusal's audit row alone
    refused = audit.recent(other_db, 1)[0]
    assert (refused.action, refused.entity_id, refused.detail) == (
        "permission_denied", result.package_id, "package_import foreign_database")
    shown = review_svc.day_review(other_db, other_boss, DAY, today=DAY)
    assert {r.state for r in shown.rows} == {ReviewState.PENDING} and not shown.signoffs

    report = svc.import_package(any_db, boss, path.read_bytes(), PASSPHRASE, today=DAY)
    assert (report.applied, report.conflicts) == (3, ())  # at home it imports


def test_the_database_id_is_made_on_first_use_when_missing(db: Database) -> None:
    first = database_id(db)
    assert first == database_id(db)
    with db.transaction() as session:
        session.execute(sa.delete(DatabaseIdentity))
    made = database_id(db)
    assert made != first and made == database_id(db)


def test_expiry_chosen_at_export_is_authenticated_and_enforced_by_a_faked_clock(
        any_db: Database, staff_factory: Callable, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    boss, ids = _setup(any_db, staff_factory)
    with pytest.raises(ValidationError) as caught:
        _export(any_db, boss, expires_in_days=31)
    assert [(p.field, p.message) for p in caught.value.problems] == [("有効期限", "1〜30日にしてください")]
    with pytest.raises(ValidationError, match="有効期限"):
        _export(any_db, boss, expires_in_days=0)
    start = datetime(2026, 11, 24, 7, 0)  # 16:00 in the ward
    monkeypatch.setattr(clock, "utc_now", lambda: start)
    assert _export(any_db, boss).expires_at == start + timedelta(days=3)  # the default
    result = _export(any_db, boss, expires_in_days=2)
    assert result.expires_at == datetime(2026, 11, 26, 7, 0)
    assert _header(result.data)["expires_at"] == "2026-11-26T07:00:00"
    assert "expires=2026-11-26T07:00:00" in (audit.recent(any_db, 1)[0].detail or "")
    path = tmp_path / "ikejiri.setacare-pkg"
    path.write_bytes(result.data)

    monkeypatch.setattr(clock, "utc_now", lambda: result.expires_at - timedelta(seconds=1))
    package = svc.open_package(path.read_bytes(), PASSPHRASE)  # still open, a second before
    source = svc.PackageReviewSource(package, package.login("boss", PASSWORD), path, PASSPHRASE)
    source.decide(ids[0], Decision.CONFIRMED, "", seen_version=1)

    monkeypatch.setattr(clock, "utc_now", lambda: result.expires_at)
    expected = "この日次パッケージは有効期限（令和8年11月26日 16:00）を過ぎているため、開けません。"
    assert to_wareki(utc_to_local(result.expires_at).date()) == "令和8年11月26日"
    saved = path.read_bytes()
    with pytest.raises(svc.PackageExpiredError) as caught_expired:  # a window left open
        source.decide(ids[1], Decision.CONFIRMED, "", seen_version=1)
    assert caught_expired.value.message.startswith(expected)
    assert path.read_bytes() == saved and len(package.decisions) == 1
    with pytest.raises(svc.PackageExpiredError) as caught_expired:
        svc.open_package(saved, PASSPHRASE)
    assert caught_expired.value.message.startswith(expected)
    before = _counts(any_db)
    with pytest.raises(svc.PackageExpiredError, match="有効期限"):
        svc.import_package(any_db, boss, saved, PASSPHRASE, today=DAY)
    assert _counts(any_db) == before  # nothing, not even an audit row
    # Moving the expiry in the header does not help: the header is authenticated.
    (length,) = struct.unpack(">I", saved[16:20])
    header = {**_header(saved), "expires_at": "2026-12-31T00:00:00"}
    raw = json.dumps(header).encode()
    extended = saved[:16] + struct.pack(">I", len(raw)) + raw + saved[20 + length:]
    with pytest.raises(svc.PackageError) as caught_error:
        svc.open_package(extended, PASSPHRASE)
    assert caught_error.value.message == svc.CANNOT_OPEN


def test_no_password_hash_goes_into_a_package(any_db: Database,
                                              staff_factory: Callable) -> None:
    """Issue 12: packages carried the reviewers' argon2 hashes. Now the decrypted payload holds
    no hash of any staff password; the exporter's offline login is a wrapped token."""
    boss, _ids = _setup(any_db, staff_factory)
    staff_factory(any_db, "area-boss", role="監督者", place="世田谷", org_kind="総合支所")
    with any_db.read() as session:
        hashes = session.scalars(sa.text("SELECT password_hash FROM staff")).all()
    payload = _payload(_export(any_db, boss).data)
    assert b"$argon2" not in payload and b"password_hash" not in payload
    assert not [h for h in hashes if h.encode() in payload]
    package = svc.open_package(_export(any_db, boss).data, PASSPHRASE)
    assert [r.login for r in package.reviewers()] == ["boss"]
    assert package.login("boss", PASSWORD).organisation_id == boss.organisation_id
    wrapped = json.loads(payload)["reviewers"][0]["token"]
    assert (wrapped["kdf"], wrapped["n"]) == ("scrypt", N)
    assert svc.WRAP_N == 2**18  # 256 MiB per guess in real packages


def test_the_export_needs_the_exporters_own_password(any_db: Database,
                                                     staff_factory: Callable) -> None:
    boss, _ids = _setup(any_db, staff_factory)
    with pytest.raises(AuthenticationError, match="正しくありません"):
        svc.export_package(any_db, boss, DAY, DAY, "池尻", PASSPHRASE, password="wrong-one",
                           today=DAY, scrypt_n=N, wrap_n=N)
    assert [e.action for e in audit.recent(any_db, 1)] == ["login_failed"]
    assert "package_export" not in [e.action for e in audit.recent(any_db, 5)]


def test_a_decision_not_proven_by_its_reviewers_password_is_not_imported(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    """Someone holding the file and the passphrase (not the supervisor's password) edits the
    decrypted payload: a decision in the supervisor's name, and a genuine one changed."""
    boss, ids = _setup(any_db, staff_factory)
    path = tmp_path / "ikejiri.setacare-pkg"
    path.write_bytes(_export(any_db, boss).data)
    package = svc.open_package(path.read_bytes(), PASSPHRASE)
    source = svc.PackageReviewSource(package, package.login("boss", PASSWORD), path, PASSPHRASE)
    source.decide(ids[1], Decision.RETURNED, "対応を記入してください", seen_version=1)
    genuine = package.decisions[0]

    edited = svc.open_package(path.read_bytes(), PASSPHRASE)  # the passphrase alone
    edited.drop_decision(edited.decisions[0])
    edited.add_decision(svc.OfflineDecision(  # the genuine return, turned into a 確認済
        genuine.uid, "case", "ikejiri", DAY, boss.staff_id, "boss", boss.name, genuine.at, "",
        consultation_id=ids[1], decision=Decision.CONFIRMED, seen_version=1,
        proof=genuine.proof))
    edited.add_decision(svc.OfflineDecision(  # made up in the supervisor's name
        "00000000-0000-4000-8000-000000000002", "case", "ikejiri", DAY, boss.staff_id, "boss",
        boss.name, datetime(2026, 11, 24, 9, 0), "", consultation_id=ids[0],
        decision=Decision.CONFIRMED, seen_version=1, proof="0" * 64))
    with pytest.raises(PermissionDeniedError):  # and no one can sign without logging in
        edited.signed(edited.decisions[0])
    reviews = _counts(any_db)[0]
    report = svc.import_package(any_db, boss, edited.to_bytes(PASSPHRASE, scrypt_n=N),
                                PASSPHRASE, today=DAY)
    assert report.applied == 0
    assert [(c.consultation_id, c.reason) for c in report.conflicts] == [
        (ids[1], svc.NOT_PROVEN), (ids[0], svc.NOT_PROVEN)]
    assert _counts(any_db)[0] == reviews
    report = svc.import_package(any_db, boss, path.read_bytes(), PASSPHRASE, today=DAY)
    assert (report.applied, report.conflicts) == (1, ())  # the genuine file imports
    with any_db.read() as session:
        assert session.scalars(sa.select(CaseReview.decision)
                               .where(CaseReview.source == "package")).all() == ["returned"]


def test_a_case_the_exporter_sees_masked_goes_into_the_package_masked(
        any_db: Database, staff_factory: Callable) -> None:
    """Issue 11: a person who refused 情報共有 to the まちづくりセンター is exported by its
    supervisor with initials and age band only; the taking organisation's own view is not
    widened or narrowed, and the exporter's own organisation's cases stay whole."""
    boss, (own, _second) = _setup(any_db, staff_factory)
    anshin = staff_factory(any_db, "anshin-clerk", org_kind="あんしんすこやかセンター")
    machi = next(r.key for r in intake_svc.consent_recipients(any_db, "ikejiri")
                 if "まちづくりセンター" in r.name)
    identifying = {
        "name": "福田 裕子", "reading": "ふくだ ひろこ", "birth": "1944-05-06",
        "address": "池尻三丁目二十一番", "phone": "03-0000-4417", "consulter": "福田 一郎",
        "contact": "090-0000-8123", "complaint": "息子からの暴言に悩んでいる",
        "details": "夜間に怒鳴り声が続き近所の民生委員が心配している"}
    refused = _case(
        any_db, anshin, identifying["complaint"], "11:00", identifying["name"],
        identifying["reading"], details=identifying["details"],
        consulter_kind="家族・親族", consulter_relation="夫", consulter_name=identifying["consulter"],
        consulter_contact=identifying["contact"],
        person={"birth_date": identifying["birth"], "address_town": "池尻三丁目",
                "address_rest": "二十一番", "phone": identifying["phone"]},
        consents=[ConsentInput(machi, given=False)])

    result = _export(any_db, boss)
    assert (result.consultations, result.masked) == (3, 1)
    payload = _payload(result.data)
    for text in (*identifying.values(), "福田", "ひろこ", "4417", "8123", "暴言", "民生委員",
                 "怒鳴り声", "1944"):
        assert text.encode("utf-8") not in payload, text
    package = svc.open_package(result.data, PASSPHRASE)
    rows = {r.consultation_id: r for d in package.days() for r in d.rows}
    assert rows[refused].person_name == "F.H.（80歳代）"
    assert rows[refused].main_complaint == rows[refused].details == "（非表示）"
    assert rows[refused].target_labels == ("高齢者",)  # classifications stay
    assert rows[own].person_name == "山田 太郎"  # the exporter's organisation's own case
    # The taking organisation's supervisor exports it whole.
    anshin_boss = staff_factory(any_db, "anshin-boss", role="監督者",
                                org_kind="あんしんすこやかセンター")
    whole = svc.export_package(any_db, anshin_boss, DAY, DAY, "池尻", PASSPHRASE,
                               password=PASSWORD, today=DAY, scrypt_n=N, wrap_n=N)
    assert identifying["name"].encode() in _payload(whole.data)
    assert whole.masked == 2  # and sees the まちづくりセンター's cases masked in turn


def test_the_days_audit_rows_of_the_scope_go_into_the_package(
        any_db: Database, staff_factory: Callable) -> None:
    boss, ids = _setup(any_db, staff_factory)
    elsewhere = staff_factory(any_db, "taishido-clerk", place="太子堂")
    intake_svc.record_intake(any_db, elsewhere, IntakeInput(
        received_at="R8.11.24 10:00", channel="来所", district="太子堂", consulter_kind="本人",
        main_complaint="他地区の相談", target_groups=["高齢者"], response="助言",
        person=PersonInput(name="太子堂 一郎")), now=NOW)
    today = utc_to_local(clock.utc_now()).date()  # the audit rows are written now
    result = svc.export_package(any_db, boss, today, today, "池尻", PASSPHRASE,
                                password=PASSWORD, today=today, scrypt_n=N, wrap_n=N)
    header = _header(result.data)
    with any_db.read() as session:  # the export's own audit row is the newest
        newest = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert newest is not None and newest.action == "package_export"
    assert header["audit_chain_head"] == newest.hash and len(newest.hash) == 64
    package = svc.open_package(result.data, PASSPHRASE)
    rows = package.audit_rows()
    assert result.audit_rows == len(rows) > 0
    created = [(r.action, r.entity_id, r.district_code, r.login) for r in rows
               if r.action == "consultation_create"]
    assert created == [("consultation_create", str(i), "ikejiri", "clerk") for i in ids]
    assert "taishido-clerk" not in {r.login for r in rows}  # another district's
    assert {r.district_code for r in rows} == {"ikejiri"}
    assert rows[0].action_label and all(r.at.date() >= today - timedelta(days=1) for r in rows)
    assert b"\xe5\xa4\xaa\xe5\xad\x90\xe5\xa0\x82 \xe4\xb8\x80\xe9\x83\x8e" not in _payload(
        result.data)  # 太子堂 一郎


def test_passphrase_strength_is_zxcvbns(any_db: Database, staff_factory: Callable) -> None:
    boss, _ids = _setup(any_db, staff_factory)
    problem = svc.passphrase_problem("aaaaaaaaaa")
    assert problem is not None and problem.startswith("推測されやすいパスフレーズです。")
    assert "繰り返し" in problem and "単語を4つ以上" in problem
    assert svc.passphrase_problem("password1234") is not None
    assert svc.passphrase_problem("boss-boss-boss", ("boss",)) is not None
    assert svc.passphrase_problem("correct horse battery staple") is None
    assert svc.passphrase_problem(PASSPHRASE) is None
    with pytest.raises(ValidationError) as caught:
        svc.export_package(any_db, boss, DAY, DAY, "池尻", "aaaaaaaaaa", password=PASSWORD,
                           scrypt_n=N, wrap_n=N)
    assert [p.field for p in caught.value.problems] == ["パスフレーズ"]
    assert "package_export" not in [e.action for e in audit.recent(any_db, 5)]


def test_decrypted_payload_json_is_what_the_bytes_hold(any_db: Database,
                                                      staff_factory: Callable) -> None:
    """The helper above reads the real payload (so the searches mean something)."""
    boss, _ids = _setup(any_db, staff_factory)
    data = _export(any_db, boss).data
    _binding, payload, _key = codec.unseal(data, PASSPHRASE)
    assert "山田 太郎".encode() in _payload(data) and payload["days"]
    assert "山田 太郎".encode() not in data  # and the file itself is ciphertext
    assert zlib.compress("山田 太郎".encode())[2:-4] not in data


def test_a_package_that_could_not_be_written_is_audited_as_a_failure(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    boss, _ids = _setup(any_db, staff_factory)

    def full_disk(_data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ServiceError, match="日次パッケージを書き出せませんでした（"):
        _export(any_db, boss, deliver=full_disk)
    actions = [e.action for e in audit.recent(any_db, 5)]
    assert "package_export_failed" in actions and "package_export" not in actions
    written = tmp_path / "day.setacare-pkg"
    result = _export(any_db, boss, deliver=lambda data: written.write_bytes(data))
    assert written.read_bytes() == result.data
    assert audit.recent(any_db, 2)[0].action == "package_export"
