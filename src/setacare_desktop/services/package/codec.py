"""The package file's format: its layout, its version, and what is accepted when one is read.

Everything that turns a package into bytes or bytes back into a package is here, so that a change
of the format (a new field, a version 2) is made in one place and checked against one test file.
Nothing here touches the database; what is read is not trusted: a header is bounded before any key
is derived, and a payload that does not have the expected shape is refused as a damaged file.

File format (version 2; docs/package.md)::

    MAGIC            16 bytes  b"SETACARE-DAYPKG\\n"
    header length     4 bytes  unsigned, big-endian
    header            JSON (UTF-8): {"format": 2,
                                     "kdf": {"name": "scrypt", "salt": hex, "n": .., "r": .., "p": ..},
                                     "cipher": "AES-256-GCM", "nonce": hex,
                                     "database_id": uuid, "expires_at": ISO (UTC),
                                     "audit_chain_head": null}
    ciphertext        the rest: AES-256-GCM of zlib(JSON payload), with its 16-byte tag

Everything before the ciphertext (magic, length and header) is the GCM associated data, so a change
anywhere in the file is detected: the database the package is bound to and its expiry cannot be
changed without the file becoming unreadable. The header holds no personal data. An expired
package is refused before any key is derived (an earlier expiry written into the header only makes
the file refuse sooner; a later one fails the tag).
"""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from setacare_desktop.domain.jpdate import to_wareki, utc_to_local
from setacare_desktop.domain.review import Decision, Flag, ReviewState
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.services.package import clock, crypto
from setacare_desktop.services.package.crypto import CIPHER, KDF, NONCE_BYTES, Key
from setacare_desktop.services.review import DayReview, ReviewRow, SignoffRow

MAGIC = b"SETACARE-DAYPKG\n"
FORMAT_VERSION = 2
HEADER_MAX = 4096

NOT_A_PACKAGE = "このファイルは日次パッケージではありません。"
CANNOT_OPEN = ("パッケージを開けません。パスフレーズが違うか、ファイルが壊れているか改ざんされて"
               "います。")


class PackageError(ServiceError):
    """The file cannot be opened: not a package, a wrong passphrase, damaged or tampered with."""


class PackageExpiredError(PackageError):
    """The package's expiry has passed: it opens nowhere any more."""


@dataclass(frozen=True, slots=True)
class Binding:
    """What the authenticated header binds the package to."""

    database_id: str  # the database it was exported from (services.database_identity)
    expires_at: datetime  # naive UTC: after it the package refuses to open
    #: The head of the audit trail's hash chain at export. Always None for now: the chain
    #: (``audit.chain_head``) is being added separately; the field is in the format already.
    audit_chain_head: str | None = None


def expiry_text(expires_at: datetime) -> str:
    """「令和8年11月27日 16:00」: the expiry in the ward's time."""
    local = utc_to_local(expires_at)
    return f"{to_wareki(local.date())} {local:%H:%M}"


def expired_message(expires_at: datetime) -> str:
    return (f"この日次パッケージは有効期限（{expiry_text(expires_at)}）を過ぎているため、開けません。"
            "必要なら、監督者が事務所でもう一度書き出してください。")


def check_not_expired(binding: Binding, now: datetime | None = None) -> None:
    if (now or clock.utc_now()) >= binding.expires_at:
        raise PackageExpiredError(expired_message(binding.expires_at))


# --- the file -------------------------------------------------------------------------------------


def seal(payload: dict[str, Any], key: Key, binding: Binding) -> bytes:
    """The package file: magic, header (with ``binding``), and the payload encrypted under
    ``key`` (a fresh nonce)."""
    nonce = crypto.new_nonce()
    header = json.dumps({
        "format": FORMAT_VERSION,
        "kdf": {"name": KDF, "salt": key.salt.hex(), "n": key.n, "r": key.r, "p": key.p},
        "cipher": CIPHER,
        "nonce": nonce.hex(),
        "database_id": binding.database_id,
        "expires_at": binding.expires_at.isoformat(),
        "audit_chain_head": binding.audit_chain_head,
    }, separators=(",", ":")).encode("ascii")
    prefix = MAGIC + struct.pack(">I", len(header)) + header
    plain = zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                          .encode("utf-8"), 6)
    return prefix + crypto.encrypt(key, nonce, plain, prefix)


def unseal(data: bytes, passphrase: str, now: datetime | None = None
           ) -> tuple[Binding, dict[str, Any], Key]:
    """The binding, payload and key of a package file; :class:`PackageError` when the file is
    not a package, is of another version, has expired (:class:`PackageExpiredError`, checked
    before any key is derived) or cannot be decrypted."""
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
    if version < FORMAT_VERSION:
        raise PackageError(f"このパッケージは古い形式（形式 {version}）のため開けません（有効期限と"
                           "書き出し元のデータベースの記録がありません）。書き出し直してください。")
    binding = _binding(header)
    if (binding is None or name != KDF or cipher != CIPHER
            or not crypto.acceptable_kdf(n, r, p, salt) or len(nonce) != NONCE_BYTES):
        raise PackageError(CANNOT_OPEN)
    check_not_expired(binding, now)
    key = crypto.key_for(passphrase, salt, n, r, p)
    try:
        plain = crypto.decrypt(key, nonce, data[start + length:], prefix)
        payload = json.loads(zlib.decompress(plain).decode("utf-8")) if plain is not None else None
    except (ValueError, zlib.error):
        raise PackageError(CANNOT_OPEN) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_VERSION:
        raise PackageError(CANNOT_OPEN)
    return binding, payload, key


def _binding(header: dict[str, Any]) -> Binding | None:
    """The header's binding, or None when it is missing or malformed (not yet authenticated:
    the tag decides whether it is genuine)."""
    try:
        head = header.get("audit_chain_head")
        if head is not None and not isinstance(head, str):
            return None
        expires_at = datetime.fromisoformat(header["expires_at"])
        if expires_at.tzinfo is not None:
            return None
        return Binding(str(uuid.UUID(header["database_id"])), expires_at, head)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


# --- the payload ----------------------------------------------------------------------------------
# A malformed item raises KeyError, TypeError or ValueError; the caller turns that into
# PackageError(CANNOT_OPEN) (see contents.Package).


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def row_to_json(row: ReviewRow) -> dict[str, Any]:
    return {
        "consultation_id": row.consultation_id, "version": row.version,
        "district_code": row.district_code, "received_at": iso(row.received_at),
        "organisation_name": row.organisation_name, "staff_name": row.staff_name,
        "person_name": row.person_name, "target_labels": list(row.target_labels),
        "main_complaint": row.main_complaint, "details": row.details,
        "response_label": row.response_label, "urgency_labels": list(row.urgency_labels),
        "referral_lines": list(row.referral_lines), "flags": [f.value for f in row.flags],
        "state": row.state.value, "decision": row.decision.value if row.decision else None,
        "comment": row.comment, "reviewed_by": row.reviewed_by,
        "reviewed_at": iso(row.reviewed_at),
    }


def row_from_json(item: dict[str, Any]) -> ReviewRow:
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
        reviewed_at=moment(item["reviewed_at"]))


def signoff_to_json(signoff: SignoffRow) -> dict[str, Any]:
    return {"district_code": signoff.district_code, "day": signoff.day.isoformat(),
            "signed_by": signoff.signed_by, "signed_at": iso(signoff.signed_at),
            "comment": signoff.comment, "amended_since": signoff.amended_since}


def signoff_from_json(item: dict[str, Any]) -> SignoffRow:
    signed_at = moment(item["signed_at"])
    assert signed_at is not None
    return SignoffRow(item["district_code"], date.fromisoformat(item["day"]), item["signed_by"],
                      signed_at, item["comment"], int(item["amended_since"]))


def day_to_json(review: DayReview) -> dict[str, Any]:
    return {"day": review.day.isoformat(), "districts": list(review.districts),
            "rows": [row_to_json(r) for r in review.rows],
            "signoffs": [signoff_to_json(s) for s in review.signoffs.values()]}


def day_from_json(item: dict[str, Any]) -> DayReview:
    signoffs = [signoff_from_json(s) for s in item["signoffs"]]
    return DayReview(day=date.fromisoformat(item["day"]), districts=tuple(item["districts"]),
                     rows=tuple(row_from_json(r) for r in item["rows"]),
                     signoffs={s.district_code: s for s in signoffs})
