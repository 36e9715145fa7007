"""The package's cryptography: a key from a passphrase (scrypt) and AES-256-GCM, nothing else.

Kept apart so that the few lines deciding how personal data is protected at rest can be read,
reviewed and benchmarked on their own (``bench/package_bench.py`` times :func:`new_key`), with
no JSON, file layout or database in sight. The primitives are ``cryptography``'s audited ones;
this module only chooses their parameters, bounds the parameters a file may ask for, and states
the rule a passphrase must meet. See docs/package.md, "Threat model".
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from setacare_desktop.services.errors import Problem, ValidationError

CIPHER = "AES-256-GCM"
KDF = "scrypt"
#: scrypt's cost by default: 64 MiB of memory and a fraction of a second per key.
SCRYPT_N = 2**16
SCRYPT_R = 8
SCRYPT_P = 1
#: The most a file may ask of scrypt (a header is read before it can be authenticated).
SCRYPT_N_MAX = 2**20
SCRYPT_MEMORY_MAX = 1 << 30
SALT_BYTES = 16
NONCE_BYTES = 12
PASSPHRASE_MIN = 10


def passphrase_problem(passphrase: str) -> str | None:
    """Why ``passphrase`` is too weak to protect a package, or None."""
    if len(passphrase) < PASSPHRASE_MIN:
        return f"{PASSPHRASE_MIN}文字以上にしてください（推測されにくい長い文にしてください）"
    return None


def check_passphrase(passphrase: str) -> None:
    problem = passphrase_problem(passphrase)
    if problem:
        raise ValidationError([Problem("パスフレーズ", problem)])


def derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    """The 32-byte AES key: scrypt(passphrase UTF-8, salt, n, r, p)."""
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def acceptable_kdf(n: object, r: object, p: object, salt: bytes) -> bool:
    """Whether scrypt parameters read from a file are sane: integers, n a power of two, and
    no more than 1 GiB of memory (a crafted header must not make us allocate absurdly)."""
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (n, r, p)):
        return False
    assert isinstance(n, int) and isinstance(r, int) and isinstance(p, int)
    return (2 <= n <= SCRYPT_N_MAX and not n & (n - 1) and 1 <= r <= 32 and 1 <= p <= 16
            and 128 * n * r * p <= SCRYPT_MEMORY_MAX and len(salt) >= 8)


@dataclass(frozen=True, slots=True)
class Key:
    """A derived key with the parameters that derive it again (they go into the header)."""

    salt: bytes
    n: int
    r: int
    p: int
    key: bytes


def new_key(passphrase: str, n: int = SCRYPT_N) -> Key:
    """A key under a fresh random salt."""
    salt = secrets.token_bytes(SALT_BYTES)
    return Key(salt, n, SCRYPT_R, SCRYPT_P, derive(passphrase, salt, n, SCRYPT_R, SCRYPT_P))


def key_for(passphrase: str, salt: bytes, n: int, r: int, p: int) -> Key:
    """The key of an existing file (its header's salt and parameters)."""
    return Key(salt, n, r, p, derive(passphrase, salt, n, r, p))


def new_nonce() -> bytes:
    """A fresh GCM nonce: every save uses one, never a nonce twice under one key."""
    return secrets.token_bytes(NONCE_BYTES)


def encrypt(key: Key, nonce: bytes, plain: bytes, associated: bytes) -> bytes:
    """AES-256-GCM: the ciphertext with its 16-byte tag, binding ``associated`` too."""
    return AESGCM(key.key).encrypt(nonce, plain, associated)


def decrypt(key: Key, nonce: bytes, sealed: bytes, associated: bytes) -> bytes | None:
    """The plaintext, or None when the tag does not match (wrong passphrase, damaged or tampered
    file: GCM cannot tell these apart)."""
    try:
        return AESGCM(key.key).decrypt(nonce, sealed, associated)
    except InvalidTag:
        return None
