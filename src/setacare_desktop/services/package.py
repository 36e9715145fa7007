"""The offline day package (日次パッケージ): a supervisor's review taken away on a laptop.

``export_package`` writes the consultations, referrals, flags and reviews of a district or an area
over some days into one file encrypted with a passphrase. ``open_package`` reads it back on
another machine, where :class:`PackageReviewSource` serves the review screen over it: the cases
are read-only, and every decision (確認済 / 差戻し, 日次確認) is saved into the file at once.
``import_package`` brings those decisions back into the main database, once: a decision already
imported is skipped, and one that no longer fits (the case was amended since the export, the
day was signed off meanwhile, the reviewer is no longer a supervisor there) is reported, never
silently applied.

File format (version 1; docs/package.md)::

    MAGIC            16 bytes  b"SETACARE-DAYPKG\\n"
    header length     4 bytes  unsigned, big-endian
    header            JSON (UTF-8): {"format": 1,
                                     "kdf": {"name": "scrypt", "salt": hex, "n": .., "r": .., "p": ..},
                                     "cipher": "AES-256-GCM", "nonce": hex}
    ciphertext        the rest: AES-256-GCM of zlib(JSON payload), with its 16-byte tag

The key is scrypt(passphrase, salt, n, r, p), 32 bytes. Everything before the ciphertext (magic,
length and header) is the GCM associated data, so a change anywhere in the file is detected. The
header holds no personal data; the payload (cases, reviewer names and password hashes) is only
ever stored encrypted.
"""

from __future__ import annotations

import json
import secrets
import struct
import uuid
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from setacare_desktop.domain import reference as ref
from setacare_desktop.domain.jpdate import local_now
from setacare_desktop.domain.reference import OrgKind
from setacare_desktop.domain.review import (
    Decision,
    Flag,
    ReviewState,
    decision_problem,
    state_of,
)
from setacare_desktop.domain.roles import Role, StaffProfile
from setacare_desktop.services import audit
from setacare_desktop.services.auth import WRONG_CREDENTIALS
from setacare_desktop.services.errors import (
    AuthenticationError,
    FieldProblem,
    PermissionDeniedError,
    ServiceError,
    ValidationError,
)
from setacare_desktop.services.files import write_atomically
from setacare_desktop.services.guard import deny
from setacare_desktop.services.passwords import dummy_hash, verify_password
from setacare_desktop.services.review import (
    NOT_A_REVIEWER,
    OUT_OF_SCOPE,
    STALE,
    DayReview,
    ReviewRow,
    SignoffRow,
    read_day,
    reviewable_districts,
)
from setacare_desktop.services.staff import profile_of
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import (
    CaseReview,
    Consultation,
    ConsultationDetail,
    DaySignoff,
    Staff,
    utc_now,
)

MAGIC = b"SETACARE-DAYPKG\n"
FORMAT_VERSION = 1
CIPHER = "AES-256-GCM"
KDF = "scrypt"
#: scrypt's cost by default: 64 MiB of memory and a fraction of a second per key.
SCRYPT_N = 2**16
SCRYPT_R = 8
SCRYPT_P = 1
#: The most a file may ask of scrypt (a header is read before it can be authenticated).
SCRYPT_N_MAX = 2**20
SCRYPT_MEMORY_MAX = 1 << 30
HEADER_MAX = 4096
SALT_BYTES = 16
NONCE_BYTES = 12
#: The longest period one package covers (about a quarter).
MAX_DAYS = 92
PASSPHRASE_MIN = 10

NOT_A_PACKAGE = "このファイルは日次パッケージではありません。"
CANNOT_OPEN = ("パッケージを開けません。パスフレーズが違うか、ファイルが壊れているか改ざんされて"
               "います。")
AMENDED_SINCE = ("書き出し後に相談記録が修正されているため、取り込みませんでした。画面で確認し直して"
                 "ください。")
DECIDED_SINCE = ("書き出し後にこの相談には別の確認が記録されているため、取り込みませんでした。画面で"
                 "確認し直してください。")
DAY_CHANGED_SINCE = ("書き出し後にこの日の相談記録が修正または追加されているため、日次確認を取り込み"
                     "ませんでした。画面で確認し直してください。")
NOT_A_REVIEWER_NOW = "判断した職員が、現在はこの地区の監督者ではないため、取り込みませんでした。"
CASE_NOT_FOUND = "相談がこのデータベースに見つからないため、取り込みませんでした。"
OUTSIDE_PACKAGE = ("パッケージの範囲外か、判断した監督者またはあなたの担当外の地区の判断のため、"
                   "取り込みませんでした。")
EXPORT_OUT_OF_SCOPE = "この範囲の相談を書き出す権限がありません。"
IMPORT_OUT_OF_SCOPE = "このパッケージの地区を確認する権限がないため、取り込めません。"


class PackageError(ServiceError):
    """The file cannot be opened: not a package, a wrong passphrase, damaged or tampered with."""


# --- the file -------------------------------------------------------------------------------------


def passphrase_problem(passphrase: str) -> str | None:
    if len(passphrase) < PASSPHRASE_MIN:
        return f"{PASSPHRASE_MIN}文字以上にしてください（推測されにくい長い文にしてください）"
    return None


def _check_passphrase(passphrase: str) -> None:
    problem = passphrase_problem(passphrase)
    if problem:
        raise ValidationError([FieldProblem("パスフレーズ", problem)])


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class _Key:
    salt: bytes
    n: int
    r: int
    p: int
    key: bytes


def _new_key(passphrase: str, n: int = SCRYPT_N) -> _Key:
    salt = secrets.token_bytes(SALT_BYTES)
    return _Key(salt, n, SCRYPT_R, SCRYPT_P, _derive(passphrase, salt, n, SCRYPT_R, SCRYPT_P))


def _seal(payload: dict[str, Any], key: _Key) -> bytes:
    """The package file: magic, header, and the payload encrypted under ``key`` (a fresh nonce)."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    header = json.dumps({
        "format": FORMAT_VERSION,
        "kdf": {"name": KDF, "salt": key.salt.hex(), "n": key.n, "r": key.r, "p": key.p},
        "cipher": CIPHER,
        "nonce": nonce.hex(),
    }, separators=(",", ":")).encode("ascii")
    prefix = MAGIC + struct.pack(">I", len(header)) + header
    plain = zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                          .encode("utf-8"), 6)
    return prefix + AESGCM(key.key).encrypt(nonce, plain, prefix)


def _unseal(data: bytes, passphrase: str) -> tuple[dict[str, Any], _Key]:
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        raise PackageError(NOT_A_PACKAGE)
    (length,) = struct.unpack(">I", data[len(MAGIC):len(MAGIC) + 4])
    start = len(MAGIC) + 4
    if length > HEADER_MAX or len(data) < start + length:
        raise PackageError(NOT_A_PACKAGE)
    prefix = data[:start + length]
    try:
        header = json.loads(prefix[start:].decode("utf-8"))
        version = header["format"]
        kdf = header["kdf"]
        salt, nonce = bytes.fromhex(kdf["salt"]), bytes.fromhex(header["nonce"])
        n, r, p = kdf["n"], kdf["r"], kdf["p"]
        name, cipher = kdf["name"], header["cipher"]
    except (ValueError, KeyError, TypeError):
        raise PackageError(NOT_A_PACKAGE) from None
    if not isinstance(version, int) or isinstance(version, bool):
        raise PackageError(NOT_A_PACKAGE)
    if version > FORMAT_VERSION:
        raise PackageError(f"このパッケージは新しい版のプログラムで作られています（形式 {version}）。"
                           "プログラムを更新してから開いてください。")
    if (version != FORMAT_VERSION or name != KDF or cipher != CIPHER
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in (n, r, p))
            or not 2 <= n <= SCRYPT_N_MAX or n & (n - 1) or not 1 <= r <= 32 or not 1 <= p <= 16
            or 128 * n * r * p > SCRYPT_MEMORY_MAX or len(salt) < 8 or len(nonce) != NONCE_BYTES):
        raise PackageError(CANNOT_OPEN)
    key = _Key(salt, n, r, p, _derive(passphrase, salt, n, r, p))
    try:
        plain = AESGCM(key.key).decrypt(nonce, data[start + length:], prefix)
        payload = json.loads(zlib.decompress(plain).decode("utf-8"))
    except (InvalidTag, ValueError, zlib.error):
        raise PackageError(CANNOT_OPEN) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
        raise PackageError(CANNOT_OPEN)
    return payload, key


# --- the payload ----------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _row_to_json(row: ReviewRow) -> dict[str, Any]:
    return {
        "consultation_id": row.consultation_id, "version": row.version,
        "district_code": row.district_code, "received_at": _iso(row.received_at),
        "organisation_name": row.organisation_name, "staff_name": row.staff_name,
        "person_name": row.person_name, "target_labels": list(row.target_labels),
        "main_complaint": row.main_complaint, "details": row.details,
        "response_label": row.response_label, "urgency_labels": list(row.urgency_labels),
        "referral_lines": list(row.referral_lines), "flags": [f.value for f in row.flags],
        "state": row.state.value, "decision": row.decision.value if row.decision else None,
        "comment": row.comment, "reviewed_by": row.reviewed_by,
        "reviewed_at": _iso(row.reviewed_at),
    }


def _row_from_json(item: dict[str, Any]) -> ReviewRow:
    return ReviewRow(
        consultation_id=int(item["consultation_id"]), version=int(item["version"]),
        district_code=item["district_code"], received_at=datetime.fromisoformat(
            item["received_at"]),
        organisation_name=item["organisation_name"], staff_name=item["staff_name"],
        person_name=item["person_name"], target_labels=tuple(item["target_labels"]),
        main_complaint=item["main_complaint"], details=item["details"],
        response_label=item["response_label"], urgency_labels=tuple(item["urgency_labels"]),
        referral_lines=tuple(item["referral_lines"]),
        flags=tuple(Flag(f) for f in item["flags"]), state=ReviewState(item["state"]),
        decision=Decision(item["decision"]) if item["decision"] else None,
        comment=item["comment"], reviewed_by=item["reviewed_by"],
        reviewed_at=_moment(item["reviewed_at"]))


def _signoff_to_json(signoff: SignoffRow) -> dict[str, Any]:
    return {"district_code": signoff.district_code, "day": signoff.day.isoformat(),
            "signed_by": signoff.signed_by, "signed_at": _iso(signoff.signed_at),
            "comment": signoff.comment, "amended_since": signoff.amended_since}


def _signoff_from_json(item: dict[str, Any]) -> SignoffRow:
    signed_at = _moment(item["signed_at"])
    assert signed_at is not None
    return SignoffRow(item["district_code"], date.fromisoformat(item["day"]), item["signed_by"],
                      signed_at, item["comment"], int(item["amended_since"]))


def _day_to_json(review: DayReview) -> dict[str, Any]:
    return {"day": review.day.isoformat(), "districts": list(review.districts),
            "rows": [_row_to_json(r) for r in review.rows],
            "signoffs": [_signoff_to_json(s) for s in review.signoffs.values()]}


def _day_from_json(item: dict[str, Any]) -> DayReview:
    signoffs = [_signoff_from_json(s) for s in item["signoffs"]]
    return DayReview(day=date.fromisoformat(item["day"]), districts=tuple(item["districts"]),
                     rows=tuple(_row_from_json(r) for r in item["rows"]),
                     signoffs={s.district_code: s for s in signoffs})


@dataclass(frozen=True, slots=True)
class OfflineDecision:
    """A decision made over a package: a case's 確認済 / 差戻し (``kind`` "case", with
    ``consultation_id``, ``decision`` and ``seen_version``) or a day's sign-off ("signoff").
    ``at`` is naive UTC."""

    uid: str
    kind: str
    district_code: str
    day: date
    staff_id: int
    login: str
    name: str
    at: datetime
    comment: str = ""
    consultation_id: int | None = None
    decision: Decision | None = None
    seen_version: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"uid": self.uid, "kind": self.kind, "district_code": self.district_code,
                "day": self.day.isoformat(), "staff_id": self.staff_id, "login": self.login,
                "name": self.name, "at": self.at.isoformat(), "comment": self.comment,
                "consultation_id": self.consultation_id,
                "decision": self.decision.value if self.decision else None,
                "seen_version": self.seen_version}

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> OfflineDecision:
        kind = item["kind"]
        if kind not in ("case", "signoff"):
            raise ValueError(kind)
        return cls(uid=str(uuid.UUID(item["uid"])), kind=kind,
                   district_code=item["district_code"], day=date.fromisoformat(item["day"]),
                   staff_id=int(item["staff_id"]), login=item["login"], name=item["name"],
                   at=datetime.fromisoformat(item["at"]), comment=item["comment"],
                   consultation_id=(int(item["consultation_id"])
                                    if item["consultation_id"] is not None else None),
                   decision=Decision(item["decision"]) if item["decision"] else None,
                   seen_version=(int(item["seen_version"])
                                 if item["seen_version"] is not None else None))


@dataclass(frozen=True, slots=True)
class PackageReviewer:
    """A supervisor who may review (part of) the package offline."""

    staff_id: int
    login: str
    name: str
    role: Role
    org_kind: OrgKind
    organisation_name: str
    district_code: str | None
    area_code: str
    districts: tuple[str, ...]  # the package's districts this supervisor reviews

    def profile(self) -> StaffProfile:
        return StaffProfile(staff_id=self.staff_id, login=self.login, name=self.name,
                            role=self.role, org_kind=self.org_kind,
                            organisation_name=self.organisation_name,
                            district_code=self.district_code, area_code=self.area_code)


@dataclass(frozen=True, slots=True)
class PackageScope:
    kind: str  # "district" | "area"
    code: str
    label: str  # 「池尻地区」「世田谷地域」
    districts: tuple[str, ...]


def resolve_scope(text: str) -> PackageScope:
    """A district or an area, by name or code (「池尻」「池尻地区」「ikejiri」「世田谷地域」)."""
    cleaned = text.strip()
    # 北沢, 砧 and 烏山 name both an area and a district: 「…地域」 always means the area.
    district = None if cleaned.endswith(("地域", "総合支所")) else ref.find_district(cleaned)
    if district is not None:
        return PackageScope("district", district.code, f"{district.name}地区", (district.code,))
    area = ref.AREAS_BY_CODE.get(cleaned) or ref.AREAS_BY_NAME.get(
        cleaned.removesuffix("総合支所").removesuffix("地域"))
    if area is not None:
        return PackageScope("area", area.code, f"{area.name}地域", tuple(
            d.code for d in ref.DISTRICTS if d.area_code == area.code))
    raise ValidationError([FieldProblem("範囲", f"「{text}」は地区でも地域でもありません")])


class Package:
    """An opened package: what was exported, and the decisions made over it since."""

    def __init__(self, payload: dict[str, Any], key: _Key) -> None:
        self._payload = payload
        self._key = key
        try:
            self.package_id: str = str(uuid.UUID(payload["package_id"]))
            self.exported_at: datetime = datetime.fromisoformat(payload["exported_at"])
            self.exported_by: str = payload["exported_by"]["name"]
            self.exported_by_login: str = payload["exported_by"]["login"]
            scope = payload["scope"]
            self.scope = PackageScope(scope["kind"], scope["code"], scope["label"],
                                      tuple(scope["districts"]))
            self.start: date = date.fromisoformat(payload["start"])
            self.end: date = date.fromisoformat(payload["end"])
            self.range_days: tuple[date, ...] = tuple(date.fromisoformat(d)
                                                      for d in payload["range_days"])
            self._days = {r.day: r for r in (_day_from_json(d) for d in payload["days"])}
            self._reviewers: dict[str, PackageReviewer] = {}
            self._hashes: dict[str, str] = {}
            for item in payload["reviewers"]:
                reviewer = PackageReviewer(
                    int(item["staff_id"]), item["login"], item["name"], Role(item["role"]),
                    OrgKind(item["org_kind"]), item["organisation_name"],
                    item["district_code"], item["area_code"], tuple(item["districts"]))
                self._reviewers[reviewer.login] = reviewer
                self._hashes[reviewer.login] = item["password_hash"]
            self._decisions = [OfflineDecision.from_json(d) for d in payload["decisions"]]
        except (KeyError, TypeError, ValueError):
            raise PackageError(CANNOT_OPEN) from None

    @property
    def scope_label(self) -> str:
        return self.scope.label

    @property
    def districts(self) -> tuple[str, ...]:
        return self.scope.districts

    @property
    def decisions(self) -> tuple[OfflineDecision, ...]:
        return tuple(self._decisions)

    def days(self) -> tuple[DayReview, ...]:
        """The packaged days that have consultations (or a sign-off), as exported."""
        return tuple(self._days[d] for d in sorted(self._days))

    def exported_day(self, day: date) -> DayReview | None:
        return self._days.get(day)

    def reviewers(self) -> tuple[PackageReviewer, ...]:
        return tuple(self._reviewers.values())

    def reviewer(self, login: str) -> PackageReviewer | None:
        return self._reviewers.get(login)

    def login(self, login_id: str, password: str) -> StaffProfile:
        """Log in offline with one's own password (checked against the packaged hash).

        There is no lock-out offline: the passphrase protects the file, the password the person.
        """
        login_id = login_id.strip()
        found = self._hashes.get(login_id)
        if found is None:
            verify_password(dummy_hash(), password)  # same time as a wrong password
            raise AuthenticationError(WRONG_CREDENTIALS)
        if not verify_password(found, password):
            raise AuthenticationError(WRONG_CREDENTIALS)
        return self._reviewers[login_id].profile()

    def add_decision(self, decision: OfflineDecision) -> None:
        self._decisions.append(decision)

    def drop_decision(self, decision: OfflineDecision) -> None:
        self._decisions.remove(decision)

    def _current_payload(self) -> dict[str, Any]:
        return {**self._payload, "decisions": [d.to_json() for d in self._decisions]}

    def to_bytes(self, passphrase: str, *, scrypt_n: int | None = None) -> bytes:
        """The package with its decisions, encrypted again (a fresh salt and nonce)."""
        _check_passphrase(passphrase)
        return _seal(self._current_payload(), _new_key(passphrase, scrypt_n or self._key.n))

    def resealed(self) -> bytes:
        """The package with its decisions under the key it was opened with (a fresh nonce):
        saving a decision costs no key derivation."""
        return _seal(self._current_payload(), self._key)


def open_package(data: bytes, passphrase: str) -> Package:
    """Decrypt and read a package; :class:`PackageError` when that is impossible."""
    payload, key = _unseal(data, passphrase)
    return Package(payload, key)


# --- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportResult:
    data: bytes
    package_id: str
    days: tuple[date, ...]  # the days with consultations
    consultations: int


def _days_with_content(session: Session, start: date, end: date,
                       districts: list[str]) -> list[date]:
    found = session.scalars(union(
        select(Consultation.received_on).where(
            Consultation.received_on.between(start, end),
            Consultation.district_code.in_(districts)),
        select(DaySignoff.day).where(DaySignoff.day.between(start, end),
                                     DaySignoff.district_code.in_(districts)))).all()
    return sorted(set(found))


def _reviewers(session: Session, districts: Iterable[str]) -> list[dict[str, Any]]:
    wanted = list(districts)
    found = []
    for staff in session.scalars(select(Staff).where(Staff.role == Role.SUPERVISOR.value,
                                                     Staff.active.is_(True))
                                 .options(selectinload(Staff.organisation)).order_by(Staff.id)):
        profile = profile_of(staff)
        covered = [code for code in reviewable_districts(profile) if code in wanted]
        if not covered:
            continue
        found.append({
            "staff_id": profile.staff_id, "login": profile.login, "name": profile.name,
            "role": profile.role.value, "org_kind": profile.org_kind.value,
            "organisation_name": profile.organisation_name,
            "district_code": profile.district_code, "area_code": profile.area_code,
            "districts": covered, "password_hash": staff.password_hash})
    return found


@use_case
def export_package(db: Database, actor: StaffProfile, start: date, end: date, scope: str,
                   passphrase: str, *, today: date | None = None,
                   scrypt_n: int = SCRYPT_N) -> ExportResult:
    """The package of ``scope`` (a district or an area) from ``start`` to ``end``, encrypted.

    Only a supervisor, within their scope; audited as ``package_export``.
    """
    problems = []
    try:
        where = resolve_scope(scope)
    except ValidationError as error:
        problems += error.problems
        where = None
    if start > end:
        problems.append(FieldProblem("期間", "終わりの日を始めの日より後にしてください"))
    elif (end - start).days + 1 > MAX_DAYS:
        problems.append(FieldProblem("期間", f"{MAX_DAYS}日以内にしてください"))
    problem = passphrase_problem(passphrase)
    if problem:
        problems.append(FieldProblem("パスフレーズ", problem))
    if problems:
        raise ValidationError(problems)
    assert where is not None
    allowed = reviewable_districts(actor)
    if not allowed:
        raise deny(actor, "package_export", NOT_A_REVIEWER)
    if not set(where.districts) <= set(allowed):
        raise deny(actor, "package_export", EXPORT_OUT_OF_SCOPE, entity=where.kind,
                   entity_id=where.code)
    today = today or local_now().date()
    package_id = str(uuid.uuid4())
    districts = list(where.districts)
    exported_at = utc_now()  # before reading: a decision made meanwhile counts as "since"
    with db.transaction() as session:
        days = [read_day(session, day, districts, today)
                for day in _days_with_content(session, start, end, districts)]
        reviewers = _reviewers(session, districts)
        consultations = sum(len(d.rows) for d in days)
        with_cases = tuple(d.day for d in days if d.rows)
        audit.record(session, actor, "package_export", entity="package", entity_id=package_id,
                     detail=f"scope={where.kind}:{where.code} {start.isoformat()}.."
                            f"{end.isoformat()} days={len(with_cases)} "
                            f"consultations={consultations} reviewers={len(reviewers)}")
    payload = {
        "format": FORMAT_VERSION,
        "package_id": package_id,
        "exported_at": exported_at.isoformat(),
        "exported_by": {"login": actor.login, "name": actor.name},
        "scope": {"kind": where.kind, "code": where.code, "label": where.label,
                  "districts": districts},
        "start": start.isoformat(),
        "end": end.isoformat(),
        "range_days": [(start + timedelta(days=i)).isoformat()
                       for i in range((end - start).days + 1)],
        "days": [_day_to_json(d) for d in days],
        "reviewers": reviewers,
        "decisions": [],
    }
    data = _seal(payload, _new_key(passphrase, scrypt_n))
    return ExportResult(data, package_id, with_cases, consultations)


# --- reviewing offline ----------------------------------------------------------------------------


class PackageReviewSource:
    """The review screen over an opened package, as ``actor`` (logged in with
    :meth:`Package.login`). Decisions go into the package file at ``path`` at once."""

    offline = True

    def __init__(self, package: Package, actor: StaffProfile, path: Path,
                 passphrase: str) -> None:
        reviewer = package.reviewer(actor.login)
        if reviewer is None or reviewer.staff_id != actor.staff_id:
            raise PermissionDeniedError(NOT_A_REVIEWER)
        self._package = package
        self._actor = actor
        self._reviewer = reviewer
        self._path = Path(path)
        self._passphrase = passphrase
        self.title = (f"日次パッケージ（オフライン）: {package.scope_label} "
                      f"{package.start:%Y-%m-%d}〜{package.end:%Y-%m-%d}")

    @property
    def package(self) -> Package:
        return self._package

    def districts(self) -> tuple[str, ...]:
        return self._reviewer.districts

    def days(self) -> tuple[date, ...] | None:
        """Every day of the package's range (a quiet day can be signed off too)."""
        return self._package.range_days

    def load(self, day: date, district_code: str | None = None) -> DayReview:
        if not self._package.start <= day <= self._package.end:
            raise ServiceError(f"{day:%Y-%m-%d} はこのパッケージの期間"
                               f"（{self._package.start:%Y-%m-%d}〜{self._package.end:%Y-%m-%d}）"
                               "の外です。")
        if district_code is not None and district_code not in self.districts():
            raise PermissionDeniedError(OUT_OF_SCOPE)
        shown = (district_code,) if district_code else self.districts()
        exported = self._package.exported_day(day)
        rows = [r for r in (exported.rows if exported else ()) if r.district_code in shown]
        signoffs = {code: s for code, s in (exported.signoffs if exported else {}).items()
                    if code in shown}
        latest: dict[int, OfflineDecision] = {}
        for decision in self._package.decisions:
            if decision.day != day or decision.district_code not in shown:
                continue
            if decision.kind == "case" and decision.consultation_id is not None:
                latest[decision.consultation_id] = decision
            elif decision.kind == "signoff":
                signoffs[decision.district_code] = SignoffRow(
                    decision.district_code, day, decision.name, decision.at, decision.comment)
        rows = [self._with(row, latest[row.consultation_id])
                if row.consultation_id in latest else row for row in rows]
        return DayReview(day=day, districts=tuple(shown), rows=tuple(rows), signoffs=signoffs)

    @staticmethod
    def _with(row: ReviewRow, decision: OfflineDecision) -> ReviewRow:
        return ReviewRow(
            consultation_id=row.consultation_id, version=row.version,
            district_code=row.district_code, received_at=row.received_at,
            organisation_name=row.organisation_name, staff_name=row.staff_name,
            person_name=row.person_name, target_labels=row.target_labels,
            main_complaint=row.main_complaint, details=row.details,
            response_label=row.response_label, urgency_labels=row.urgency_labels,
            referral_lines=row.referral_lines, flags=row.flags,
            state=state_of(decision.decision, decision.seen_version, row.version),
            decision=decision.decision, comment=decision.comment, reviewed_by=decision.name,
            reviewed_at=decision.at)

    def _row(self, consultation_id: int) -> ReviewRow:
        for review in self._package.days():
            for row in review.rows:
                if row.consultation_id == consultation_id:
                    return row
        raise ServiceError(f"相談 No.{consultation_id} はこのパッケージにありません。")

    def decide(self, consultation_id: int, decision: Decision, comment: str, *,
               seen_version: int) -> None:
        problem = decision_problem(decision, comment)
        if problem:
            raise ValidationError([FieldProblem("コメント", problem)])
        row = self._row(consultation_id)
        if row.district_code not in self.districts():
            raise PermissionDeniedError(OUT_OF_SCOPE)
        if seen_version != row.version:
            raise ServiceError(STALE)
        self._save(self._decision("case", row.district_code, row.received_at.date(), comment,
                                  consultation_id=consultation_id, decision=decision,
                                  seen_version=seen_version))

    def sign_off(self, day: date, district_code: str, comment: str = "") -> SignoffRow:
        if district_code not in self.districts():
            raise PermissionDeniedError(OUT_OF_SCOPE)
        problem = decision_problem(Decision.CONFIRMED, comment)
        if problem:
            raise ValidationError([FieldProblem("コメント", problem)])
        problem = self.load(day, district_code).signoff_refusal(district_code,
                                                                local_now().date())
        if problem:
            raise ServiceError(problem)
        made = self._decision("signoff", district_code, day, comment)
        self._save(made)
        return SignoffRow(district_code, day, made.name, made.at, made.comment)

    def _decision(self, kind: str, district_code: str, day: date, comment: str,
                  **case: Any) -> OfflineDecision:
        return OfflineDecision(
            uid=str(uuid.uuid4()), kind=kind, district_code=district_code, day=day,
            staff_id=self._actor.staff_id, login=self._actor.login, name=self._actor.name,
            at=datetime.now(UTC).replace(tzinfo=None), comment=comment.strip(), **case)

    def _save(self, decision: OfflineDecision) -> None:
        """Into the file at once, or not at all (the decision is dropped again)."""
        self._package.add_decision(decision)
        try:
            write_atomically(self._path, self._package.resealed())
        except OSError as error:
            self._package.drop_decision(decision)
            raise ServiceError(f"パッケージに保存できませんでした（{error.strerror or error}）。"
                               "判断は記録されていません。") from error


# --- import ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Conflict:
    """A decision of the package not brought into the database, and why (Japanese)."""

    consultation_id: int | None
    district_code: str
    day: date
    reason: str

    @property
    def district_name(self) -> str:
        district = ref.DISTRICTS_BY_CODE.get(self.district_code)
        return district.name if district else self.district_code


@dataclass(frozen=True, slots=True)
class ImportReport:
    package_id: str
    applied: int
    already: int
    conflicts: tuple[Conflict, ...] = field(default_factory=tuple)


def _reviewer_now(session: Session, decision: OfflineDecision) -> StaffProfile | None:
    staff = session.get(Staff, decision.staff_id)
    if staff is None or not staff.active or staff.login != decision.login:
        return None
    profile = profile_of(staff)
    return profile if decision.district_code in reviewable_districts(profile) else None


def _versions(session: Session, day: date, district_code: str) -> dict[int, int]:
    return {cid: version or 1 for cid, version in session.execute(
        select(Consultation.id, ConsultationDetail.version)
        .outerjoin(ConsultationDetail, ConsultationDetail.consultation_id == Consultation.id)
        .where(Consultation.received_on == day, Consultation.district_code == district_code))}


@use_case
def import_package(db: Database, actor: StaffProfile, data: bytes, passphrase: str, *,
                   today: date | None = None) -> ImportReport:
    """Bring the package's offline decisions into the database, in one transaction.

    A decision already imported is counted in ``already``; one that no longer fits is reported
    in ``conflicts`` and not applied; the rest are recorded as made offline (``source``
    "package", the offline reviewer and time).
    """
    package = open_package(data, passphrase)  # a wrong passphrase or a tampered file: nothing
    allowed = reviewable_districts(actor)
    if not allowed:
        raise deny(actor, "package_import", NOT_A_REVIEWER)
    if not set(package.districts) <= set(allowed):
        raise deny(actor, "package_import", IMPORT_OUT_OF_SCOPE, entity="package",
                   entity_id=package.package_id)
    today = today or local_now().date()
    conflicts: list[Conflict] = []
    try:
        with db.transaction() as session:
            applied, already = _apply(session, actor, package, today, conflicts)
    except IntegrityError as error:  # the same package imported, or the day signed, meanwhile
        raise ServiceError("取り込み中に他の操作と重なりました。もう一度取り込んでください"
                           "（取り込み済みの判断は重ねて記録されません）。") from error
    return ImportReport(package.package_id, applied, already, tuple(conflicts))


def _apply(session: Session, actor: StaffProfile, package: Package, today: date,
           conflicts: list[Conflict]) -> tuple[int, int]:
    exported = {row.consultation_id: row for review in package.days() for row in review.rows}
    own_uids = {d.uid for d in package.decisions}
    applied = already = 0
    uids = [d.uid for d in package.decisions]
    known = set(session.scalars(select(CaseReview.decision_uid)
                                .where(CaseReview.decision_uid.in_(uids))))
    known |= set(session.scalars(select(DaySignoff.decision_uid)
                                 .where(DaySignoff.decision_uid.in_(uids))))
    for decision in package.decisions:
        if decision.uid in known:
            already += 1
            continue
        reason = _scope_conflict(actor, package, decision) or (
            _case_conflict(session, decision, exported, package, own_uids)
            if decision.kind == "case"
            else _signoff_conflict(session, decision, exported, today))
        if reason is None and _reviewer_now(session, decision) is None:
            reason = NOT_A_REVIEWER_NOW
        if reason is not None:
            conflicts.append(Conflict(decision.consultation_id, decision.district_code,
                                      decision.day, reason))
            continue
        source = f"package={package.package_id} reviewer={decision.login}"
        if decision.kind == "case":
            assert decision.decision is not None and decision.seen_version is not None
            session.add(CaseReview(
                decision_uid=decision.uid, consultation_id=decision.consultation_id,
                decision=decision.decision.value, comment=decision.comment,
                version=decision.seen_version, reviewed_by=decision.staff_id,
                reviewed_at=decision.at, source="package"))
            audit.record(session, actor, "review_decide", entity="consultation",
                         entity_id=decision.consultation_id, fields=("decision", "comment"),
                         detail=f"{decision.decision.value} {source}")
        else:
            session.add(DaySignoff(
                decision_uid=decision.uid, district_code=decision.district_code,
                day=decision.day, signed_by=decision.staff_id, signed_at=decision.at,
                comment=decision.comment, source="package"))
            audit.record(session, actor, "day_signoff", entity="day",
                         entity_id=decision.day.isoformat(),
                         detail=f"{decision.district_code} {source}")
        session.flush()
        applied += 1
    audit.record(session, actor, "package_import", entity="package",
                 entity_id=package.package_id,
                 detail=f"applied={applied} already={already} conflicts={len(conflicts)}")
    return applied, already


def _scope_conflict(actor: StaffProfile, package: Package, decision: OfflineDecision
                    ) -> str | None:
    """A decision must be about a district of the package that both the importer and the
    packaged reviewer who made it cover (a package edited by hand must not bring in more)."""
    reviewer = package.reviewer(decision.login)
    if (decision.district_code not in package.districts
            or decision.district_code not in reviewable_districts(actor)
            or reviewer is None or reviewer.staff_id != decision.staff_id
            or decision.district_code not in reviewer.districts):
        return OUTSIDE_PACKAGE
    return None


def _case_conflict(session: Session, decision: OfflineDecision, exported: dict[int, ReviewRow],
                   package: Package, own_uids: set[str]) -> str | None:
    cid = decision.consultation_id
    row = exported.get(cid) if cid is not None else None
    case = session.get(Consultation, cid) if cid is not None else None
    if row is None or case is None or case.district_code != decision.district_code:
        return CASE_NOT_FOUND
    detail = session.get(ConsultationDetail, cid)
    current = (detail.version or 1) if detail else 1
    if current != decision.seen_version or current != row.version:
        return AMENDED_SINCE
    since = session.scalars(select(CaseReview.decision_uid).where(
        CaseReview.consultation_id == cid, CaseReview.reviewed_at > package.exported_at)).all()
    if any(uid not in own_uids for uid in since):
        return DECIDED_SINCE
    return None


def _signoff_conflict(session: Session, decision: OfflineDecision,
                      exported: dict[int, ReviewRow], today: date) -> str | None:
    done = session.execute(
        select(DaySignoff, Staff.name).join(Staff, Staff.id == DaySignoff.signed_by)
        .where(DaySignoff.day == decision.day,
               DaySignoff.district_code == decision.district_code)).first()
    if done is not None:
        return f"この日は既に{done[1]}さんが日次確認しているため、取り込みませんでした。"
    packaged = {cid: row.version for cid, row in exported.items()
                if row.district_code == decision.district_code
                and row.received_at.date() == decision.day}
    if _versions(session, decision.day, decision.district_code) != packaged:
        return DAY_CHANGED_SINCE
    review = read_day(session, decision.day, [decision.district_code], today)
    problem = review.signoff_problem(decision.district_code)
    if problem:
        return f"日次確認を取り込めませんでした: {problem}"
    return None


__all__ = [
    "CANNOT_OPEN",
    "NOT_A_PACKAGE",
    "Conflict",
    "ExportResult",
    "ImportReport",
    "OfflineDecision",
    "Package",
    "PackageError",
    "PackageReviewSource",
    "PackageReviewer",
    "PackageScope",
    "export_package",
    "import_package",
    "open_package",
    "passphrase_problem",
    "resolve_scope",
    "write_atomically",
]
