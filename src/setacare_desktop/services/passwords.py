"""argon2id password hashing (argon2-cffi). Passwords are never logged or audited."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def dummy_hash() -> str:
    """Verified against when the login does not exist, so that an unknown login takes as long
    as a wrong password and cannot be told apart by timing. Made on first use, not at import
    (it costs ~90 ms of start-up)."""
    return _hasher.hash("setacare-dummy-password")
