"""What an opened package holds: the exported days and audit rows, its reviewers, and the
decisions made over it.

:func:`open_package` decrypts a file (``codec``) and :class:`Package` reads the payload into
typed values, refusing any payload of the wrong shape as a damaged file. The offline review
(``source``) adds decisions to a :class:`Package` and reseals it; the import (``importing``)
reads them. Kept apart from the codec so that the file's bytes and the review's vocabulary
(reviewers, offline logins, decisions) change independently. No database here.

A reviewer logs in offline by unwrapping their reviewer token with their own password
(``proof``); the package holds no password hash. Each decision made offline is signed with the
token of the reviewer who made it.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from setacare_desktop.domain.reference import OrgKind
from setacare_desktop.domain.review import Decision
from setacare_desktop.domain.roles import Role, StaffProfile
from setacare_desktop.services.auth import WRONG_CREDENTIALS
from setacare_desktop.services.errors import AuthenticationError, PermissionDeniedError
from setacare_desktop.services.package import codec, crypto, proof
from setacare_desktop.services.package.auditrows import AuditRow
from setacare_desktop.services.package.codec import CANNOT_OPEN, Binding, PackageError
from setacare_desktop.services.review import DayReview

NOT_LOGGED_IN = "このパッケージにログインしていないため、判断を記録できません。"


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
    #: HMAC of the rest under the reviewer's token (``proof.sign``); checked on import.
    proof: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"uid": self.uid, "kind": self.kind, "district_code": self.district_code,
                "day": self.day.isoformat(), "staff_id": self.staff_id, "login": self.login,
                "name": self.name, "at": self.at.isoformat(), "comment": self.comment,
                "consultation_id": self.consultation_id,
                "decision": self.decision.value if self.decision else None,
                "seen_version": self.seen_version, "proof": self.proof}

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
                                 if item["seen_version"] is not None else None),
                   proof=str(item.get("proof") or ""))


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
    organisation_id: int = 0

    def profile(self) -> StaffProfile:
        return StaffProfile(staff_id=self.staff_id, login=self.login, name=self.name,
                            role=self.role, org_kind=self.org_kind,
                            organisation_name=self.organisation_name,
                            district_code=self.district_code, area_code=self.area_code,
                            organisation_id=self.organisation_id)

    def to_json(self) -> dict[str, Any]:
        return {"staff_id": self.staff_id, "login": self.login, "name": self.name,
                "role": self.role.value, "org_kind": self.org_kind.value,
                "organisation_name": self.organisation_name,
                "organisation_id": self.organisation_id, "district_code": self.district_code,
                "area_code": self.area_code, "districts": list(self.districts)}

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> PackageReviewer:
        return cls(int(item["staff_id"]), str(item["login"]), str(item["name"]),
                   Role(item["role"]), OrgKind(item["org_kind"]), str(item["organisation_name"]),
                   item["district_code"], str(item["area_code"]),
                   tuple(str(d) for d in item["districts"]), int(item["organisation_id"]))


@dataclass(frozen=True, slots=True)
class PackageScope:
    kind: str  # "district" | "area"
    code: str
    label: str  # 「池尻地区」「世田谷地域」
    districts: tuple[str, ...]


class Package:
    """An opened package: what was exported, and the decisions made over it since."""

    def __init__(self, binding: Binding, payload: dict[str, Any], key: crypto.Key) -> None:
        self._binding = binding
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
            self.masked: int = int(payload["masked"])
            self._days = {r.day: r for r in (codec.day_from_json(d) for d in payload["days"])}
            self._audit = tuple(AuditRow.from_json(a) for a in payload["audit"])
            self._reviewers: dict[str, PackageReviewer] = {}
            self._wrapped: dict[str, proof.WrappedToken] = {}
            for item in payload["reviewers"]:
                reviewer = PackageReviewer.from_json(item)
                self._reviewers[reviewer.login] = reviewer
                self._wrapped[reviewer.login] = proof.WrappedToken.from_json(item["token"])
            self._decisions = [OfflineDecision.from_json(d) for d in payload["decisions"]]
        except (KeyError, TypeError, ValueError, AttributeError):
            raise PackageError(CANNOT_OPEN) from None
        self._tokens: dict[str, bytes] = {}  # the reviewers logged in (unwrapped tokens)

    @property
    def binding(self) -> Binding:
        return self._binding

    @property
    def database_id(self) -> str:
        return self._binding.database_id

    @property
    def expires_at(self) -> datetime:
        """Naive UTC; :func:`codec.expiry_text` shows it in the ward's time and era."""
        return self._binding.expires_at

    @property
    def scope_label(self) -> str:
        return self.scope.label

    @property
    def districts(self) -> tuple[str, ...]:
        return self.scope.districts

    @property
    def decisions(self) -> tuple[OfflineDecision, ...]:
        return tuple(self._decisions)

    def decision_json(self) -> list[dict[str, Any]]:
        """The decisions as stored (what the import checks each proof against)."""
        return [d.to_json() for d in self._decisions]

    def days(self) -> tuple[DayReview, ...]:
        """The packaged days that have consultations (or a sign-off), as exported."""
        return tuple(self._days[d] for d in sorted(self._days))

    def exported_day(self, day: date) -> DayReview | None:
        return self._days.get(day)

    def audit_rows(self, districts: tuple[str, ...] | None = None,
                   *, area_rows: bool = True) -> tuple[AuditRow, ...]:
        """The packaged audit rows (操作記録) of ``districts`` (all by default); ``area_rows``:
        with the area branch's own rows."""
        return tuple(r for r in self._audit
                     if (r.district_code is None and area_rows)
                     or (r.district_code is not None
                         and (districts is None or r.district_code in districts)))

    def reviewers(self) -> tuple[PackageReviewer, ...]:
        return tuple(self._reviewers.values())

    def reviewer(self, login: str) -> PackageReviewer | None:
        return self._reviewers.get(login)

    def login(self, login_id: str, password: str) -> StaffProfile:
        """Log in offline with one's own password: it unwraps the reviewer's token.

        There is no lock-out offline: the passphrase protects the file, the password the person
        (and the decisions made in their name).
        """
        login_id = login_id.strip()
        wrapped = self._wrapped.get(login_id)
        reviewer = self._reviewers.get(login_id)
        if wrapped is None or reviewer is None:
            proof.waste_time(password)  # as long as a wrong password
            raise AuthenticationError(WRONG_CREDENTIALS)
        token = proof.unwrap(wrapped, password, self.package_id, reviewer.staff_id, login_id)
        if token is None:
            raise AuthenticationError(WRONG_CREDENTIALS)
        self._tokens[login_id] = token
        return reviewer.profile()

    def signed(self, decision: OfflineDecision) -> OfflineDecision:
        """``decision`` with its proof, made with the token of the reviewer who made it (who
        must have logged in to this package)."""
        token = self._tokens.get(decision.login)
        if token is None:
            raise PermissionDeniedError(NOT_LOGGED_IN)
        unsigned = dataclasses.replace(decision, proof="")
        return dataclasses.replace(
            unsigned, proof=proof.sign(token, self.package_id, unsigned.to_json()))

    def add_decision(self, decision: OfflineDecision) -> None:
        self._decisions.append(decision)

    def drop_decision(self, decision: OfflineDecision) -> None:
        self._decisions.remove(decision)

    def _current_payload(self) -> dict[str, Any]:
        return {**self._payload, "decisions": self.decision_json()}

    def to_bytes(self, passphrase: str, *, scrypt_n: int | None = None) -> bytes:
        """The package with its decisions, encrypted again (a fresh salt and nonce)."""
        crypto.check_passphrase(passphrase)
        return codec.seal(self._current_payload(),
                          crypto.new_key(passphrase, scrypt_n or self._key.n), self._binding)

    def resealed(self) -> bytes:
        """The package with its decisions under the key it was opened with (a fresh nonce):
        saving a decision costs no key derivation."""
        return codec.seal(self._current_payload(), self._key, self._binding)


def open_package(data: bytes, passphrase: str, *, now: datetime | None = None) -> Package:
    """Decrypt and read a package; :class:`PackageError` when that is impossible, and
    :class:`codec.PackageExpiredError` once it has expired (``now``: naive UTC, by default
    ``clock.utc_now()``)."""
    binding, payload, key = codec.unseal(data, passphrase, now)
    return Package(binding, payload, key)
