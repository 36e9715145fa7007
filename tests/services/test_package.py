"""The offline day package on both backends: export, open, offline login and review saved into the
file, import (once: a second import changes nothing), conflicts, and refusing a wrong passphrase
or a damaged file. scrypt runs with n=2**12 here to keep the tests fast."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from setacare_desktop.domain.intake import IntakeInput, PersonInput
from setacare_desktop.domain.referral import ReferralMethod
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
from setacare_desktop.services import directory as directory_svc
from setacare_desktop.services import intake as intake_svc
from setacare_desktop.services import package as svc
from setacare_desktop.services import referrals as referral_svc
from setacare_desktop.services import review as review_svc
from setacare_desktop.services.package import importing
from setacare_desktop.store.models import AuditEvent, CaseReview, DaySignoff

NOW = datetime(2026, 11, 24, 16, 0)
DAY = date(2026, 11, 24)
PASSWORD = "test-pass-123"  # tests/conftest.py: TEST_PASSWORD
PASSPHRASE = "夜の図書館で青い傘を3本"
N = 2**12
NAME = "山田 太郎"
COMPLAINT = "障害があり仕事を探したい"
DESTINATION = "世田谷区障害者就労支援センター"


def _case(db: Database, clerk: StaffProfile, complaint: str, time: str) -> int:
    data = IntakeInput(
        received_at=f"R8.11.24 {time}", channel="来所", district="池尻", consulter_kind="本人",
        main_complaint=complaint, target_groups=["障害者"], elements=["就労"], response="助言",
        person=PersonInput(name=NAME, reading="やまだ たろう"))
    return intake_svc.record_intake(db, clerk, data, now=NOW).consultation_id


def _setup(db: Database, staff_factory: Callable) -> tuple[StaffProfile, StaffProfile,
                                                           list[int]]:
    """A 池尻 clerk, the 池尻 supervisor "boss" and three consultations: one plain, one with an
    anonymised referral, one already 確認済 in the database."""
    clerk = staff_factory(db, "clerk")
    boss = staff_factory(db, "boss", role="監督者")
    plain = _case(db, clerk, COMPLAINT, "09:00")
    referred = _case(db, clerk, "就労支援を受けたい", "10:00")
    service_id = next(d.service_id for d in directory_svc.search_destinations(db, DESTINATION)
                      if d.name == DESTINATION)
    referral_svc.create_referral(db, clerk, referred, referral_svc.NewReferral(
        service_id, ReferralMethod.PHONE, "就労に向けた相談をお願いします", referred_on=DAY,
        reply_due=date(2026, 12, 1), anonymised=True))
    confirmed = _case(db, clerk, "介護保険の申請について", "11:00")
    review_svc.decide(db, boss, confirmed, Decision.CONFIRMED, "", seen_version=1)
    return clerk, boss, [plain, referred, confirmed]


def _export(db: Database, actor: StaffProfile, scope: str = "池尻",
            **options: Any) -> svc.ExportResult:
    return svc.export_package(db, actor, DAY, DAY, scope, PASSPHRASE, password=PASSWORD,
                              today=DAY, scrypt_n=N, wrap_n=N, **options)


def _count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _reviewed_offline(path: Path, ids: list[int], *, sign: bool = True) -> svc.Package:
    """Open the package at ``path`` as boss, confirm the first case, return the second, sign off."""
    package = svc.open_package(path.read_bytes(), PASSPHRASE)
    source = svc.PackageReviewSource(package, package.login("boss", PASSWORD), path, PASSPHRASE)
    source.decide(ids[0], Decision.CONFIRMED, "", seen_version=1)
    source.decide(ids[1], Decision.RETURNED, "対応を記入してください", seen_version=1)
    if sign:
        source.sign_off(DAY, "ikejiri", "問題なし")
    return package


def test_round_trip_keeps_rows_flags_and_decisions_and_hides_personal_data(
        any_db: Database, staff_factory: Callable) -> None:
    _clerk, boss, (plain, referred, confirmed) = _setup(any_db, staff_factory)
    result = _export(any_db, boss)
    assert result.consultations == 3 and result.days == (DAY,)
    for secret in (NAME, COMPLAINT, "boss 職員", "$argon2"):
        for encoded in (secret.encode("utf-8"), zlib.compress(secret.encode("utf-8"))[2:-4]):
            assert encoded not in result.data
    assert result.data.startswith(svc.MAGIC)
    event = audit.recent(any_db, 1)[0]
    assert (event.action, event.entity, event.entity_id) == (
        "package_export", "package", result.package_id)
    assert NAME not in (event.detail or "") and "consultations=3" in (event.detail or "")

    package = svc.open_package(result.data, PASSPHRASE)
    assert (package.package_id, package.scope_label, package.start, package.end) == (
        result.package_id, "池尻地区", DAY, DAY)
    assert package.exported_by == "boss 職員" and package.decisions == ()
    [day] = package.days()
    rows = {r.consultation_id: r for r in day.rows}
    assert list(rows) == [plain, referred, confirmed]
    assert rows[plain].person_name == NAME and rows[plain].main_complaint == COMPLAINT
    assert rows[plain].state is ReviewState.PENDING and rows[plain].decision is None
    assert rows[referred].referral_lines and "匿名" in rows[referred].referral_lines[0]
    assert rows[referred].flags == ()  # anonymised, not overdue on DAY
    assert rows[confirmed].decision is Decision.CONFIRMED
    assert rows[confirmed].state is ReviewState.CONFIRMED
    assert rows[confirmed].reviewed_by == "boss 職員"
    online = review_svc.day_review(any_db, boss, DAY, today=DAY)
    assert day.rows == online.rows  # exactly what the screen shows online
    assert [r.login for r in package.reviewers()] == ["boss"]


def test_offline_login_with_the_supervisors_own_password(
        any_db: Database, staff_factory: Callable) -> None:
    _clerk, boss, _ids = _setup(any_db, staff_factory)
    package = svc.open_package(_export(any_db, boss).data, PASSPHRASE)
    profile = package.login("boss", PASSWORD)
    assert (profile.staff_id, profile.login, profile.district_code) == (
        boss.staff_id, "boss", "ikejiri")
    with pytest.raises(AuthenticationError, match="ログインIDまたはパスワードが正しくありません"):
        package.login("boss", "wrong-password")
    with pytest.raises(AuthenticationError, match="ログインIDまたはパスワードが正しくありません"):
        package.login("clerk", PASSWORD)  # not a reviewer: not in the package


def test_offline_decisions_are_saved_into_the_file_and_imported_once(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    _clerk, boss, ids = _setup(any_db, staff_factory)
    path = tmp_path / "ikejiri.setacare"
    path.write_bytes(_export(any_db, boss).data)
    package = svc.open_package(path.read_bytes(), PASSPHRASE)
    source = svc.PackageReviewSource(package, package.login("boss", PASSWORD), path, PASSPHRASE)
    assert source.offline and source.days() == (DAY,) and source.districts() == ("ikejiri",)
    with pytest.raises(ServiceError, match="未確認 2件"):
        source.sign_off(DAY, "ikejiri")
    with pytest.raises(ValidationError, match="コメント"):
        source.decide(ids[1], Decision.RETURNED, "  ", seen_version=1)
    with pytest.raises(ServiceError, match="修正されています"):
        source.decide(ids[0], Decision.CONFIRMED, "", seen_version=2)
    assert package.decisions == ()
    _reviewed_offline(path, ids)

    reopened = svc.open_package(path.read_bytes(), PASSPHRASE)  # from disk: nothing lost
    assert [(d.kind, d.consultation_id, d.login) for d in reopened.decisions] == [
        ("case", ids[0], "boss"), ("case", ids[1], "boss"), ("signoff", None, "boss")]
    shown = svc.PackageReviewSource(reopened, reopened.login("boss", PASSWORD), path,
                                    PASSPHRASE).load(DAY)
    states = {r.consultation_id: r.state for r in shown.rows}
    assert states == {ids[0]: ReviewState.CONFIRMED, ids[1]: ReviewState.RETURNED,
                      ids[2]: ReviewState.CONFIRMED}
    assert shown.signoffs["ikejiri"].signed_by == "boss 職員"

    reviews, signoffs, events = (_count(any_db, CaseReview), _count(any_db, DaySignoff),
                                 _count(any_db, AuditEvent))
    report = svc.import_package(any_db, boss, path.read_bytes(), PASSPHRASE, today=DAY)
    assert (report.package_id, report.applied, report.already, report.conflicts) == (
        reopened.package_id, 3, 0, ())
    with any_db.read() as session:
        imported = session.scalars(sa.select(CaseReview).where(CaseReview.source == "package")
                                   .order_by(CaseReview.id)).all()
        assert [(r.consultation_id, r.decision, r.reviewed_by, r.version) for r in imported] == [
            (ids[0], "confirmed", boss.staff_id, 1), (ids[1], "returned", boss.staff_id, 1)]
        assert imported[0].reviewed_at == reopened.decisions[0].at
        assert imported[0].decision_uid == reopened.decisions[0].uid
        signoff = session.scalars(sa.select(DaySignoff)).one()
        assert (signoff.source, signoff.signed_by, signoff.day, signoff.signed_at) == (
            "package", boss.staff_id, DAY, reopened.decisions[2].at)
    actions = [e.action for e in audit.recent(any_db, 4)]
    assert actions == ["package_import", "day_signoff", "review_decide", "review_decide"]
    assert all(f"package={report.package_id} reviewer=boss" in (e.detail or "")
               for e in audit.recent(any_db, 4)[1:])
    online = review_svc.day_review(any_db, boss, DAY, today=DAY)
    assert {r.consultation_id: r.state for r in online.rows} == states
    assert "ikejiri" in online.signoffs

    counts = (_count(any_db, CaseReview), _count(any_db, DaySignoff))
    assert counts == (reviews + 2, signoffs + 1)
    assert _count(any_db, AuditEvent) == events + 4 + 1  # the import's, then review_list
    events = _count(any_db, AuditEvent)
    again = svc.import_package(any_db, boss, path.read_bytes(), PASSPHRASE, today=DAY)
    assert (again.applied, again.already, again.conflicts) == (0, 3, ())
    assert (_count(any_db, CaseReview), _count(any_db, DaySignoff)) == counts
    assert _count(any_db, AuditEvent) == events + 1  # package_import alone
    assert audit.recent(any_db, 1)[0].detail == "applied=0 already=3 conflicts=0"


def test_a_case_amended_since_export_is_reported_not_applied(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    clerk, boss, ids = _setup(any_db, staff_factory)
    path = tmp_path / "ikejiri.setacare"
    path.write_bytes(_export(any_db, boss).data)
    _reviewed_offline(path, ids)
    loaded = intake_svc.load_intake(any_db, clerk, ids[0])
    loaded.data.details = "書き出し後に追記"
    intake_svc.amend_intake(any_db, clerk, ids[0], loaded.data, expected_version=1, now=NOW)

    report = svc.import_package(any_db, boss, path.read_bytes(), PASSPHRASE, today=DAY)
    assert report.applied == 1 and report.already == 0
    assert [(c.consultation_id, c.district_code, c.day) for c in report.conflicts] == [
        (ids[0], "ikejiri", DAY), (None, "ikejiri", DAY)]
    assert report.conflicts[0].reason == svc.AMENDED_SINCE
    assert "日次確認を取り込みませんでした" in report.conflicts[1].reason
    with any_db.read() as session:
        imported = session.scalars(sa.select(CaseReview).where(CaseReview.source == "package"))
        assert [r.consultation_id for r in imported] == [ids[1]]
    assert _count(any_db, DaySignoff) == 0
    again = svc.import_package(any_db, boss, path.read_bytes(), PASSPHRASE, today=DAY)
    assert (again.applied, again.already, len(again.conflicts)) == (0, 1, 2)


def test_signoff_made_meanwhile_and_former_reviewer_are_conflicts(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    _clerk, boss, ids = _setup(any_db, staff_factory)
    path = tmp_path / "ikejiri.setacare"
    path.write_bytes(_export(any_db, boss).data)
    _reviewed_offline(path, ids)
    # meanwhile, in the office: both cases decided and the day signed off
    review_svc.decide(any_db, boss, ids[0], Decision.CONFIRMED, "", seen_version=1)
    review_svc.decide(any_db, boss, ids[1], Decision.CONFIRMED, "", seen_version=1)
    review_svc.sign_off(any_db, boss, DAY, "ikejiri", today=DAY)
    report = svc.import_package(any_db, boss, path.read_bytes(), PASSPHRASE, today=DAY)
    assert report.applied == 0
    assert [c.reason for c in report.conflicts] == [
        svc.DECIDED_SINCE, svc.DECIDED_SINCE,
        "この日は既にboss 職員さんが日次確認しているため、取り込みませんでした。"]


def test_a_decision_by_someone_no_longer_a_supervisor_is_a_conflict(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    _clerk, boss, ids = _setup(any_db, staff_factory)
    area = staff_factory(any_db, "areaboss", role="監督者", place="世田谷", org_kind="総合支所")
    path = tmp_path / "ikejiri.setacare"
    path.write_bytes(_export(any_db, boss).data)
    _reviewed_offline(path, ids, sign=False)
    with any_db.transaction() as session:
        session.execute(sa.text("UPDATE staff SET active = :no WHERE login = 'boss'"),
                        {"no": False})
    report = svc.import_package(any_db, area, path.read_bytes(), PASSPHRASE, today=DAY)
    assert report.applied == 0
    assert [c.reason for c in report.conflicts] == [svc.NOT_A_REVIEWER_NOW] * 2


def test_wrong_passphrase_is_refused_and_writes_nothing(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    _clerk, boss, ids = _setup(any_db, staff_factory)
    path = tmp_path / "ikejiri.setacare"
    path.write_bytes(_export(any_db, boss).data)
    _reviewed_offline(path, ids)
    with pytest.raises(svc.PackageError) as caught:
        svc.open_package(path.read_bytes(), PASSPHRASE + "x")
    assert caught.value.message == svc.CANNOT_OPEN
    assert "パスフレーズが違うか" in svc.CANNOT_OPEN
    before = (_count(any_db, CaseReview), _count(any_db, DaySignoff), _count(any_db, AuditEvent))
    with pytest.raises(svc.PackageError, match="パッケージを開けません"):
        svc.import_package(any_db, boss, path.read_bytes(), "まったく違うパスフレーズ", today=DAY)
    assert (_count(any_db, CaseReview), _count(any_db, DaySignoff),
            _count(any_db, AuditEvent)) == before


def _flipped(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_a_flipped_byte_anywhere_is_refused(any_db: Database, staff_factory: Callable) -> None:
    _clerk, boss, _ids = _setup(any_db, staff_factory)
    data = _export(any_db, boss).data
    (length,) = struct.unpack(">I", data[16:20])
    body = 20 + length
    for at in (body, body + (len(data) - body) // 2, len(data) - 1):  # ciphertext and tag
        with pytest.raises(svc.PackageError) as caught:
            svc.open_package(_flipped(data, at), PASSPHRASE)
        assert caught.value.message == svc.CANNOT_OPEN
    header = json.loads(data[20:body])
    salt = header["kdf"]["salt"]
    at = data.index(salt.encode(), 20)  # a header byte that still reads as a header
    tampered = data[:at] + (b"1" if data[at:at + 1] == b"0" else b"0") + data[at + 1:]
    with pytest.raises(svc.PackageError) as caught:
        svc.open_package(tampered, PASSPHRASE)
    assert caught.value.message == svc.CANNOT_OPEN
    for at in range(20, body):  # every header byte: refused, whatever the message
        with pytest.raises(svc.PackageError):
            svc.open_package(_flipped(data, at), PASSPHRASE)
    with pytest.raises(svc.PackageError) as caught:
        svc.open_package(data[:-1], PASSPHRASE)  # truncated
    assert caught.value.message == svc.CANNOT_OPEN


def _with_header(data: bytes, **changes: object) -> bytes:
    (length,) = struct.unpack(">I", data[16:20])
    header = {**json.loads(data[20:20 + length]), **changes}
    raw = json.dumps(header).encode()
    return data[:16] + struct.pack(">I", len(raw)) + raw + data[20 + length:]


def test_not_a_package_newer_format_and_absurd_kdf_are_refused(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    _clerk, boss, _ids = _setup(any_db, staff_factory)
    data = _export(any_db, boss).data
    for junk in (b"", b"PK\x03\x04 a zip file", b"x" * 1000, _flipped(data, 3),
                 data[:16] + b"\xff\xff\xff\xff" + data[20:], data[:16] + b"\x00\x00\x00\x02{}"):
        with pytest.raises(svc.PackageError) as caught:
            svc.open_package(junk, PASSPHRASE)
        assert caught.value.message == svc.NOT_A_PACKAGE
    with pytest.raises(svc.PackageError, match="新しい版のプログラム"):
        svc.open_package(_with_header(data, format=3), PASSPHRASE)
    with pytest.raises(svc.PackageError, match=r"古い形式（形式 1）.*書き出し直してください"):
        svc.open_package(_with_header(data, format=1), PASSPHRASE)  # no binding, no expiry
    header = json.loads(data[20:20 + struct.unpack(">I", data[16:20])[0]])
    bomb = {**header["kdf"], "n": 2**30}
    with pytest.raises(svc.PackageError) as caught:  # refused before scrypt allocates anything
        svc.open_package(_with_header(data, kdf=bomb), PASSPHRASE)
    assert caught.value.message == svc.CANNOT_OPEN


def test_re_encrypting_uses_a_fresh_salt_and_keeps_the_content(
        any_db: Database, staff_factory: Callable) -> None:
    _clerk, boss, _ids = _setup(any_db, staff_factory)
    data = _export(any_db, boss).data
    package = svc.open_package(data, PASSPHRASE)
    again = package.to_bytes("別の長いパスフレーズです", scrypt_n=N)
    def header(raw: bytes) -> dict:
        return json.loads(raw[20:20 + struct.unpack(">I", raw[16:20])[0]])

    assert header(again)["kdf"]["salt"] != header(data)["kdf"]["salt"]
    assert header(again)["nonce"] != header(data)["nonce"]
    reopened = svc.open_package(again, "別の長いパスフレーズです")
    assert reopened.days() == package.days() and reopened.package_id == package.package_id
    with pytest.raises(ValidationError, match="パスフレーズ"):
        package.to_bytes("short")


def test_only_a_supervisor_within_scope_exports(any_db: Database,
                                                staff_factory: Callable) -> None:
    clerk, boss, _ids = _setup(any_db, staff_factory)
    with pytest.raises(PermissionDeniedError):
        _export(any_db, boss, "世田谷")  # the area: beyond a district supervisor
    event = audit.recent(any_db, 1)[0]
    assert (event.action, event.detail, event.login) == ("permission_denied", "package_export",
                                                          "boss")
    with pytest.raises(PermissionDeniedError):
        _export(any_db, boss, "太子堂")
    with pytest.raises(PermissionDeniedError):
        _export(any_db, clerk)
    assert audit.recent(any_db, 1)[0].action == "permission_denied"
    area = staff_factory(any_db, "areaboss", role="監督者", place="世田谷", org_kind="総合支所")
    result = _export(any_db, area, "世田谷地域")
    package = svc.open_package(result.data, PASSPHRASE)
    assert package.scope.kind == "area" and "ikejiri" in package.districts
    assert len(package.districts) > 1 and result.consultations == 3
    # The exporter alone reviews offline: only they proved their password at export.
    assert {r.login: r.districts for r in package.reviewers()} == {
        "areaboss": package.districts}
    with pytest.raises(AuthenticationError):
        package.login("boss", PASSWORD)
    # The branch has no consent from these persons: the area's package holds them masked.
    assert result.masked == 3
    assert {r.person_name for d in package.days() for r in d.rows} == {"Y.T."}
    with pytest.raises(PermissionDeniedError):  # a district supervisor cannot import it
        svc.import_package(any_db, boss, result.data, PASSPHRASE)


def test_bad_input_is_refused_by_field(any_db: Database, staff_factory: Callable) -> None:
    _clerk, boss, _ids = _setup(any_db, staff_factory)
    with pytest.raises(ValidationError) as caught:
        svc.export_package(any_db, boss, DAY, DAY, "池尻", "short", password=PASSWORD,
                           scrypt_n=N)
    assert [p.field for p in caught.value.problems] == ["パスフレーズ"]
    with pytest.raises(ValidationError) as caught:
        svc.export_package(any_db, boss, DAY, date(2026, 11, 1), "どこか", PASSPHRASE,
                           password=PASSWORD, scrypt_n=N)
    assert [p.field for p in caught.value.problems] == ["範囲", "期間"]
    with pytest.raises(ValidationError, match="92日以内"):
        svc.export_package(any_db, boss, date(2026, 1, 1), DAY, "池尻", PASSPHRASE,
                           password=PASSWORD, scrypt_n=N)


def test_a_decision_outside_the_package_or_the_importers_scope_is_not_imported(
        any_db: Database, staff_factory: Callable, tmp_path: Path) -> None:
    """The exporter knows the passphrase, so the content can be edited by hand: a decision about
    another district's case, in that district's supervisor's name, must not come in."""
    _clerk, boss, _ids = _setup(any_db, staff_factory)
    other_clerk = staff_factory(any_db, "taishido-clerk", place="太子堂")
    other_boss = staff_factory(any_db, "taishido-boss", role="監督者", place="太子堂")
    foreign = intake_svc.record_intake(any_db, other_clerk, IntakeInput(
        received_at="R8.11.24 10:00", channel="来所", district="太子堂", consulter_kind="本人",
        main_complaint="他地区の相談", target_groups=["高齢者"], response="助言",
        person=PersonInput(name="太子堂 一郎")), now=NOW).consultation_id
    package = svc.open_package(_export(any_db, boss).data, PASSPHRASE)
    package.add_decision(svc.OfflineDecision(
        "00000000-0000-4000-8000-000000000001", "case", "taishido", DAY, other_boss.staff_id,
        other_boss.login, other_boss.name, datetime(2026, 11, 24, 9, 0), "",
        consultation_id=foreign, decision=Decision.CONFIRMED, seen_version=1))
    report = svc.import_package(any_db, boss, package.to_bytes(PASSPHRASE, scrypt_n=N),
                                PASSPHRASE, today=DAY)
    assert report.applied == 0 and len(report.conflicts) == 1
    assert report.conflicts[0].reason == svc.OUTSIDE_PACKAGE
    assert report.conflicts[0].district_name == "太子堂"
    with any_db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CaseReview)
                              .where(CaseReview.consultation_id == foreign)) == 0


def test_an_area_named_like_a_district_exports_the_whole_area() -> None:
    """北沢, 砧 and 烏山 are areas and districts: 「…地域」 means the area."""
    assert svc.resolve_scope("北沢地域").kind == "area"
    assert len(svc.resolve_scope("北沢地域").districts) == 6
    assert svc.resolve_scope("北沢").kind == "district"
    assert svc.resolve_scope("砧地域").districts == ("soshigaya", "seijo", "funabashi",
                                                    "kitami", "kinuta")


def _counting_sessions(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds of session ``db`` opens from now on, in order ("write" / "read")."""
    opened: list[str] = []
    for kind, name in (("write", "transaction"), ("read", "read")):
        real = getattr(db, name)

        def counted(*args: Any, _real: Any = real, _kind: str = kind, **kwargs: Any) -> Any:
            opened.append(_kind)
            return _real(*args, **kwargs)

        monkeypatch.setattr(db, name, counted)
    return opened


def test_export_and_import_are_one_session_each_and_refusals_audited_after(
        any_db: Database, staff_factory: Callable, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Strict discipline whatever the environment says: the scope check, the reads and the
    writes of each use case share one transaction; a refusal's audit row is written after it."""
    _clerk, boss, ids = _setup(any_db, staff_factory)
    other = staff_factory(any_db, "taishido-boss", role="監督者", place="太子堂")
    any_db.strict_sessions = True
    path = tmp_path / "ikejiri.setacare"
    opened = _counting_sessions(any_db, monkeypatch)
    path.write_bytes(_export(any_db, boss).data)
    assert opened == ["write"]
    _reviewed_offline(path, ids)
    opened.clear()
    with pytest.raises(svc.PackageError):
        svc.import_package(any_db, boss, path.read_bytes(), "a wrong passphrase", today=DAY)
    assert opened == []  # decrypted before any session: nothing written, not even an audit row
    with pytest.raises(PermissionDeniedError):
        svc.import_package(any_db, other, path.read_bytes(), PASSPHRASE, today=DAY)
    assert opened == ["write", "write"]  # the use case, rolled back; then the refusal's audit
    opened.clear()
    report = svc.import_package(any_db, boss, path.read_bytes(), PASSPHRASE, today=DAY)
    assert report.applied == 3 and opened == ["write"]
    monkeypatch.undo()
    refused = [e for e in audit.recent(any_db, 10) if e.action == "permission_denied"]
    assert [(e.login, e.detail, e.entity) for e in refused] == [
        ("taishido-boss", "package_import", "package")]


def test_an_import_overlapping_another_is_refused_and_writes_nothing(
        any_db: Database, staff_factory: Callable, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two imports of one package at once: the second's rows collide on the decisions' unique
    uid when it commits; the importer is told to import again, and nothing of it is kept."""
    _clerk, boss, ids = _setup(any_db, staff_factory)
    path = tmp_path / "ikejiri.setacare"
    path.write_bytes(_export(any_db, boss).data)
    _reviewed_offline(path, ids)
    real_apply = importing._apply

    def racing(session: Any, *args: Any) -> tuple[int, int]:
        applied = real_apply(session, *args)
        first = svc.open_package(path.read_bytes(), PASSPHRASE).decisions[0]
        # What the other import committed meanwhile: the same offline decision.
        session.add(CaseReview(decision_uid=first.uid, consultation_id=ids[0],
                               decision="confirmed", comment="", version=1,
                               reviewed_by=boss.staff_id, reviewed_at=first.at,
                               source="package"))
        session.flush()
        return applied

    monkeypatch.setattr(importing, "_apply", racing)
    reviews, events = _count(any_db, CaseReview), _count(any_db, AuditEvent)
    with pytest.raises(ServiceError, match="他の操作と重なりました"):
        svc.import_package(any_db, boss, path.read_bytes(), PASSPHRASE, today=DAY)
    assert (_count(any_db, CaseReview), _count(any_db, AuditEvent)) == (reviews, events)
