"""Who made an offline decision: a reviewer token wrapped under the reviewer's own password.

The package carries no password hash. Instead, for each offline reviewer:

- the database derives a **reviewer token**, ``HMAC-SHA256(package_key, package id, staff id,
  login)``, from a key that never leaves the database (``services.database_identity``);
- the token is **wrapped** (AES-256-GCM) under a key derived from the reviewer's password by
  scrypt at a high cost (:data:`WRAP_N`: 256 MiB, about half a second) with a salt of its own,
  fresh in every package; the package id, staff id and login are the associated data;
- logging in offline unwraps the token (a wrong password fails the tag), and every decision made
  offline carries ``HMAC-SHA256(token, the decision)``;
- the import derives the token again from the database's key and checks each decision's
  proof, so a decision written into the payload by someone who knows the passphrase but not the
  reviewer's password is never applied.

What an attacker holding the file and the passphrase can still do is guess the reviewer's
password offline, one scrypt of 256 MiB per guess, for this one package (docs/package.md,
"Threat model"). Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from setacare_desktop.services.package import crypto

#: scrypt's cost for the password-wrapping key: 2**18 × 8 × 128 bytes = 256 MiB per guess
#: (argon2-cffi's login hashes cost 64 MiB).
WRAP_N = 2**18
TOKEN_BYTES = 32
_TOKEN_LABEL = b"setacare-package-reviewer\x00"


def reviewer_token(package_key: bytes, package_id: str, staff_id: int, login: str) -> bytes:
    """The reviewer's token for one package: only the database that holds ``package_key`` (at
    export and import) and the reviewer who knows the password (offline) have it."""
    message = _TOKEN_LABEL + f"{package_id}\x00{staff_id}\x00{login}".encode()
    return hmac.new(package_key, message, hashlib.sha256).digest()


def _context(package_id: str, staff_id: int, login: str) -> bytes:
    return f"setacare-package-wrap\x00{package_id}\x00{staff_id}\x00{login}".encode()


@dataclass(frozen=True, slots=True)
class WrappedToken:
    """A reviewer token encrypted under a key derived from the reviewer's password."""

    salt: bytes
    n: int
    r: int
    p: int
    nonce: bytes
    sealed: bytes

    def to_json(self) -> dict[str, Any]:
        return {"kdf": crypto.KDF, "salt": self.salt.hex(), "n": self.n, "r": self.r,
                "p": self.p, "nonce": self.nonce.hex(), "sealed": self.sealed.hex()}

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> WrappedToken:
        if item["kdf"] != crypto.KDF:
            raise ValueError(item["kdf"])
        wrapped = cls(bytes.fromhex(item["salt"]), item["n"], item["r"], item["p"],
                      bytes.fromhex(item["nonce"]), bytes.fromhex(item["sealed"]))
        if (not crypto.acceptable_kdf(wrapped.n, wrapped.r, wrapped.p, wrapped.salt)
                or len(wrapped.nonce) != crypto.NONCE_BYTES):
            raise ValueError("unacceptable wrapping parameters")
        return wrapped


def wrap(token: bytes, password: str, package_id: str, staff_id: int, login: str,
         n: int = WRAP_N) -> WrappedToken:
    """``token`` under a key from ``password`` (a fresh salt: the work of guessing the password
    is not shared with any other package, nor with the database's login hash)."""
    key = crypto.new_key(password, n)
    nonce = crypto.new_nonce()
    sealed = crypto.encrypt(key, nonce, token, _context(package_id, staff_id, login))
    return WrappedToken(key.salt, key.n, key.r, key.p, nonce, sealed)


def unwrap(wrapped: WrappedToken, password: str, package_id: str, staff_id: int,
           login: str) -> bytes | None:
    """The token, or None when ``password`` is not the reviewer's."""
    key = crypto.key_for(password, wrapped.salt, wrapped.n, wrapped.r, wrapped.p)
    token = crypto.decrypt(key, wrapped.nonce, wrapped.sealed,
                           _context(package_id, staff_id, login))
    return token if token is not None and len(token) == TOKEN_BYTES else None


def waste_time(password: str, n: int = WRAP_N) -> None:
    """As long as :func:`unwrap` takes, for a login that is not in the package (so it cannot
    be told apart by timing)."""
    crypto.derive(password, secrets.token_bytes(crypto.SALT_BYTES), n, crypto.SCRYPT_R,
                  crypto.SCRYPT_P)


def _message(package_id: str, decision: dict[str, Any]) -> bytes:
    signed = {k: v for k, v in decision.items() if k != "proof"}
    return json.dumps({"package_id": package_id, "decision": signed}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(token: bytes, package_id: str, decision: dict[str, Any]) -> str:
    """The proof of a decision (its JSON without ``proof``): HMAC-SHA256 under the token."""
    return hmac.new(token, _message(package_id, decision), hashlib.sha256).hexdigest()


def verify(token: bytes, package_id: str, decision: dict[str, Any]) -> bool:
    proof = decision.get("proof")
    return isinstance(proof, str) and hmac.compare_digest(
        proof, sign(token, package_id, decision))
