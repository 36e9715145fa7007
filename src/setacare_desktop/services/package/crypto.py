"""The package's cryptography: a key from a passphrase (scrypt) and AES-256-GCM, nothing else.

Kept apart so that the few lines deciding how personal data is protected at rest can be read,
reviewed and benchmarked on their own (``bench/package_bench.py`` times :func:`new_key`), with
no JSON, file layout or database in sight. The primitives are ``cryptography``'s audited ones;
this module only chooses their parameters, bounds the parameters a file may ask for, and states
the rule a passphrase must meet (zxcvbn's estimate, not a length alone). See docs/package.md,
"Threat model".
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
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
#: zxcvbn's score (0–4) a passphrase must reach: 3 is "safely unguessable" against an offline
#: attack slowed down by a strong KDF (about 10**8 guesses and more), which scrypt is.
PASSPHRASE_SCORE = 3
#: zxcvbn refuses longer inputs; the first 72 characters are what it scores.
_ZXCVBN_MAX = 72

#: zxcvbn's feedback (4.5), in Japanese; feedback not listed here is left out (the plain hint
#: at the end of the message is always given).
_FEEDBACK = {
    'Repeats like "aaa" are easy to guess.': "「aaa」のような繰り返しは推測されやすいです。",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        "「abcabcabc」のような繰り返しは「abc」とほとんど変わりません。",
    'Sequences like "abc" or "6543" are easy to guess.':
        "「abc」「6543」のような並びは推測されやすいです。",
    "Straight rows of keys are easy to guess.": "キーボードの1列をなぞった文字は推測されやすいです。",
    "Short keyboard patterns are easy to guess.": "短いキーボードの並びは推測されやすいです。",
    "Recent years are easy to guess.": "最近の年は推測されやすいです。",
    "Dates are often easy to guess.": "日付は推測されやすいです。",
    "This is a top-10 common password.": "よく使われるパスワードの上位10位に入っています。",
    "This is a top-100 common password.": "よく使われるパスワードの上位100位に入っています。",
    "This is a very common password.": "非常によく使われるパスワードです。",
    "This is similar to a commonly used password.": "よく使われるパスワードに似ています。",
    "A word by itself is easy to guess.": "単語1つだけでは推測されやすいです。",
    "Names and surnames by themselves are easy to guess.": "名前や名字だけでは推測されやすいです。",
    "Common names and surnames are easy to guess.": "よくある名前や名字は推測されやすいです。",
    "Reversed words aren't much harder to guess.": "単語を逆さにしても推測されやすさは変わりません。",
    "Capitalization doesn't help very much.": "大文字にしてもあまり強くなりません。",
    "Avoid repeated words and characters.": "同じ単語や文字の繰り返しを避けてください。",
    "Avoid sequences.": "連続した並びを避けてください。",
    "Avoid recent years.": "最近の年を避けてください。",
    "Avoid years that are associated with you.": "自分に関係のある年を避けてください。",
    "Avoid dates and years that are associated with you.": "自分に関係のある日付や年を避けてください。",
    "Use a longer keyboard pattern with more turns.": "キーボードの並びに頼らないでください。",
}
WEAK_PASSPHRASE = "推測されやすいパスフレーズです。"
PASSPHRASE_HINT = ("単語を4つ以上、関係のない言葉どうしでつないだ長い文にしてください"
                   "（例: 「夜の図書館で青い傘を3本」）。")


def passphrase_problem(passphrase: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``passphrase`` is too weak to protect a package (Japanese), or None.

    zxcvbn estimates how many guesses it takes (dictionaries, repeats, sequences, dates, keyboard
    patterns, and ``user_inputs``: the exporter's login and name, which an attacker would try
    first); a score below :data:`PASSPHRASE_SCORE` is refused with zxcvbn's own feedback in
    Japanese and a plain hint. Fewer than :data:`PASSPHRASE_MIN` characters is refused outright.
    """
    if len(passphrase) < PASSPHRASE_MIN:
        return f"{PASSPHRASE_MIN}文字以上にしてください。{PASSPHRASE_HINT}"
    # Imported here: its word lists take ~0.1 s to load, which every start would pay otherwise.
    from zxcvbn import zxcvbn

    words = [w for w in user_inputs if w]
    result = zxcvbn(passphrase[:_ZXCVBN_MAX], user_inputs=[*words, "setacare", "setagaya"])
    if result["score"] >= PASSPHRASE_SCORE:
        return None
    feedback = result["feedback"]
    said = [_FEEDBACK[text] for text in (feedback["warning"], *feedback["suggestions"])
            if text in _FEEDBACK]
    return WEAK_PASSPHRASE + "".join(dict.fromkeys(said)) + PASSPHRASE_HINT


def check_passphrase(passphrase: str, user_inputs: Iterable[str] = ()) -> None:
    problem = passphrase_problem(passphrase, user_inputs)
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
