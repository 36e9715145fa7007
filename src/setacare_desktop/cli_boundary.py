"""The command line's one error boundary: every command ends with a Japanese message and an exit
code, never a traceback.

- a :class:`ValidationError`: one line per field (``入力エラー: 項目: 理由``), exit 2;
- any other :class:`ServiceError` (a refusal, a database or file failure): its message, exit 1;
- Ctrl+C: 「中断しました」, exit 130;
- a reader that went away (``setacare user list | head``): quietly, exit 1;
- anything else is a bug: its type and stack (never its message) go to the log
  (:func:`logs.log_unexpected`), and the user reads what happened, what to do and where the log is.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from setacare_desktop import logs
from setacare_desktop.domain.errors import ServiceError

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


#: The problems printed one per line; a file with a million bad records lists the first ones.
MAX_PROBLEM_LINES = 100


def say(text: str) -> None:
    """A line on standard error that cannot itself fail (a closed or non-UTF-8 stream)."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text + "\n")
        stream.flush()
    except UnicodeEncodeError:
        try:
            stream.buffer.write((text + "\n").encode("utf-8", "backslashreplace"))
            stream.buffer.flush()
        except (AttributeError, OSError, ValueError):
            pass
    except (OSError, ValueError):
        pass


def unexpected_message() -> str:
    where = logs.log_path()
    log_line = (f"詳しい記録（個人情報を含みません）: {where}" if where is not None
                else "記録ファイルは作成できませんでした（データフォルダーを確認してください）。")
    return ("予期しないエラーが発生しました。この操作は完了していません（データベースへの保存は、"
            "完了したものだけが残ります）。もう一度操作し、続く場合はシステム管理者に連絡して"
            "ください。\n" + log_line)


def _silence_stdout() -> None:
    """Python's documented recipe after a broken pipe: no second failure at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def guarded(where: str, run: Callable[[], int]) -> int:
    """Run a command; whatever happens, return its exit code with a message already shown."""
    try:
        return run()
    except ServiceError as error:
        # Imported here, not at the top: the window's start-up imports this module and must not
        # load the services (SQLAlchemy) before its login dialog is shown.
        from setacare_desktop.services.errors import ValidationError

        if not isinstance(error, ValidationError):
            say(f"エラー: {error.message}")
            return EXIT_REFUSED
        for problem in error.problems[:MAX_PROBLEM_LINES]:
            say(f"入力エラー: {problem}")
        if len(error.problems) > MAX_PROBLEM_LINES:
            say(f"入力エラー: ほか {len(error.problems) - MAX_PROBLEM_LINES:,} 件の問題があります"
                "（最初の問題から直してください）")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        say("中断しました。完了していない操作は保存されていません。")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_REFUSED
    except SystemExit:
        raise  # argparse's own exit (--help, a usage error): its code and message stand
    except BaseException as error:  # the boundary: a bug is logged, never shown
        logs.log_unexpected(where, error)
        say(unexpected_message())
        return EXIT_REFUSED
