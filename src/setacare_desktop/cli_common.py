"""What every command shares: the Japanese argument parser, exit codes, acting as a staff
member (``--as LOGIN``), opening the database and plain-text tables."""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, NoReturn

from setacare_desktop import cli_input
from setacare_desktop.services import Database, StaffProfile, audit, auth, system
from setacare_desktop.settings import Settings

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2

# --- argparse in Japanese -----------------------------------------------------------------------

#: argparse's own messages (Python 3.11–3.13), translated by prefix.
_ARGPARSE_MESSAGES: tuple[tuple[str, str], ...] = (
    ("the following arguments are required: ", "次の引数が必要です: "),
    ("unrecognized arguments: ", "不明な引数です: "),
    ("expected one argument", "値を1つ指定してください"),
    ("expected at most one argument", "値は1つまでです"),
    ("expected at least one argument", "値を1つ以上指定してください"),
    ("ignored explicit argument ", "値は指定できません: "),
    ("invalid choice: ", "選べない値です: "),
    ("invalid int value: ", "整数ではありません: "),
    ("not allowed with argument ", "次の引数と同時には指定できません: "),
    ("ambiguous option: ", "あいまいなオプションです: "),
)


def _translate(message: str) -> str:
    """Translate argparse's English message (``argument --cases: invalid int value: 'x'``)."""
    one_of = re.fullmatch(r"one of the arguments (.+) is required", message)
    if one_of:
        return f"次の引数のどれか1つが必要です: {one_of[1]}"
    lead = ""
    if message.startswith("argument "):
        name, sep, rest = message[len("argument "):].partition(": ")
        if sep:
            lead, message = f"引数 {name}: ", rest
    for english, japanese in _ARGPARSE_MESSAGES:
        if message.startswith(english):
            rest = message[len(english):]
            rest = rest.replace(" (choose from ", "（選択肢: ").replace(" could match ", " 候補: ")
            if rest.endswith(")") and "（選択肢: " in rest:
                rest = rest[:-1] + "）"
            return lead + japanese + rest
    return lead + message


class _JapaneseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action],
                  groups: Iterable[Any], prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "使い方: " if prefix is None else prefix)


class JapaneseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help, usage and errors are in Japanese; errors exit with 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _JapaneseHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="この説明を表示して終了する")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"入力エラー: {_translate(message)}\n"
                                  f"（詳しくは {self.prog} --help）\n")


def acting_parser() -> argparse.ArgumentParser:
    """``--as LOGIN [--password-stdin]``: the staff member a case command acts as."""
    acting = JapaneseArgumentParser(add_help=False)
    group = acting.add_argument_group("職員（この職員としてログインして実行し、監査記録に残す）")
    group.add_argument("--as", dest="as_login", required=True, metavar="LOGIN",
                       help="職員のログインID。パスワードは画面に表示せずに入力する")
    group.add_argument("--password-stdin", action="store_true",
                       help="パスワードを標準入力の1行目から読む（--json - なら2行目以降が JSON）")
    return acting


def login_password(args: argparse.Namespace, stdin: IO[str]) -> str:
    """The password of ``--as``: the first line of standard input, or typed at a prompt."""
    if args.password_stdin:
        return cli_input.stdin_line(stdin, "パスワード")
    return cli_input.secret(f"{args.as_login} のパスワード: ", "--password-stdin", "パスワード")


@contextmanager
def acting_as(db: Database, login: str, password: str) -> Iterator[StaffProfile]:
    """Log in as the window does (audited, lock-out counted), and log out afterwards."""
    actor = auth.login(db, login, password)
    try:
        yield actor
    finally:
        auth.logout(db, actor)


def out(text: str = "") -> None:
    print(text, file=sys.stdout)


def opened(settings: Settings, *, migrate: bool = True) -> Database:
    db = system.open_database(settings, migrate=migrate)
    notice = audit.start_notice(db)  # the audit table's protection was found removed
    if notice:
        print(f"警告: {notice}", file=sys.stderr)
    return db



# --- plain-text tables ----------------------------------------------------------------------------


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal: full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True) -> str:
    lines = [list(headers), *[list(r) for r in rows]] if header else [list(r) for r in rows]
    widths = [max(width(line[i]) for line in lines) for i in range(len(headers))]

    def render(cells: list[str]) -> str:
        padded = [c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True)]
        return "  ".join(padded).rstrip()

    out = [render(line) for line in lines]
    if header:
        out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)
