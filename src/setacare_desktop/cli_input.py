"""What the command line reads, checked before any command runs: arguments, standard input and
secrets typed at a prompt, and the ``--out`` file a command is about to write.

Every refusal here is a :class:`ValidationError` naming the option or field (exit 2): nothing has
been written, no password asked for, no database opened.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import IO

from setacare_desktop.domain.intake import MAX_RECORD_ID
from setacare_desktop.domain.text import is_utf8_text
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.files import (
    FileExistsTargetError,
    FileTargetError,
    check_folder_target,
    check_target,
)

#: The option that lets a command replace an existing file (``add_force``).
FORCE = "--force"


def bounded_int(text: str, *, low: int, high: int) -> int:
    """An integer in ``low..high`` for argparse (``type=``), refused in Japanese otherwise."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"整数ではありません: {text}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{low:,}〜{high:,} の整数にしてください: {text}")
    return value


def record_id(text: str) -> int:
    """A consultation's or referral's number (1 … 2,147,483,647)."""
    return bounded_int(text, low=1, high=MAX_RECORD_ID)


#: The most a consultation's JSON may hold (one intake; 相談内容 is at most 20,000 characters).
MAX_JSON_BYTES = 10 * 1024 * 1024


def stdin_text(stdin: IO[str], what: str) -> str:
    """The rest of standard input, refused by name unless it is UTF-8 text."""
    try:
        text = stdin.read(MAX_JSON_BYTES + 1)
    except UnicodeDecodeError:
        text = None
    if text is not None and len(text) > MAX_JSON_BYTES:
        raise ValidationError([Problem(what, "標準入力が大きすぎます（上限 10 MB）")])
    return _checked(text, what)


def stdin_line(stdin: IO[str], what: str) -> str:
    """One line of standard input (a password, a passphrase), without its line end."""
    try:
        line = stdin.readline()
    except UnicodeDecodeError:
        line = None
    return _checked(line, what).rstrip("\r\n")


def _checked(text: str | None, what: str) -> str:
    if text is None or not is_utf8_text(text):
        raise ValidationError([Problem(what, "標準入力が UTF-8 のテキストではありません")])
    return text


def has_terminal() -> bool:
    """Whether a prompt can be typed at without echo: a controlling terminal (or a console)."""
    if os.name == "nt":
        return sys.stdin is not None and sys.stdin.isatty()
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


def secret(prompt: str, option: str, what: str) -> str:
    """Typed at a prompt that does not echo; refused (naming ``option``) without a terminal.

    Without a terminal ``getpass`` would read standard input and print the typed secret back,
    or fail with a bare EOFError: a script must say ``option`` instead.
    """
    if not has_terminal():
        raise ValidationError([Problem(
            what, f"端末がないため入力できません。{option} を指定して標準入力から渡してください")])
    try:
        value = getpass.getpass(prompt)
    except EOFError:
        raise ValidationError([Problem(what, "入力が終わりました（何も入力されていません）")]
                              ) from None
    return _checked(value, what)


def add_force(parser: argparse.ArgumentParser) -> None:
    """``--force``: every command that writes a file replaces an existing one only when told."""
    parser.add_argument(FORCE, action="store_true",
                        help="書き出すファイルが既にあれば置き換える（指定しなければ上書きせずに終了する）")


def out_target(text: str, option: str = "--out", *, replace: bool = True) -> Path:
    """The file a command will write, checked before any work: a folder, a missing folder, a
    read-only place, an empty name, a link or a device are refused naming the path, and so is an
    existing file unless ``replace`` (pass ``replace=args.force``: see :func:`add_force`)."""
    try:
        return check_target(text, replace=replace)
    except FileTargetError as error:
        raise ValidationError([Problem(option, _message(error))]) from None


def out_folder(text: str, option: str = "--out", *, names: tuple[str, ...] = (),
               replace: bool = True) -> Path:
    """A folder a command will write the files ``names`` into (it may not exist yet); those
    that exist are refused unless ``replace``."""
    try:
        return check_folder_target(text, names=names, replace=replace)
    except FileTargetError as error:
        raise ValidationError([Problem(option, _message(error))]) from None


def _message(error: FileTargetError) -> str:
    if isinstance(error, FileExistsTargetError):
        return f"{error.path} は既にあります。置き換えるには {FORCE} を指定してください"
    return error.message
