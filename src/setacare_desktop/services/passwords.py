"""argon2id password hashing (argon2-cffi). Passwords are never logged or audited."""

from __future__ import annotations

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


#: Verified against when the login does not exist, so that an unknown login takes as long as a
#: wrong password and cannot be told apart by timing.
DUMMY_HASH = _hasher.hash("setacare-dummy-password")
