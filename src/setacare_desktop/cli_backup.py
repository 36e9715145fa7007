"""``setacare backup --out FILE`` and ``setacare restore FILE``: the SQLite database, copied.

Both act as an administrator (``--as LOGIN``), like the window's account management; the work
and its audit rows are in ``services/backup.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from setacare_desktop.cli_common import (
    EXIT_OK,
    acting_as,
    acting_parser,
    login_password,
    opened,
    out,
)
from setacare_desktop.services import auth, backup
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.settings import Settings


def add_commands(commands: Any, location: argparse.ArgumentParser) -> None:
    acting = acting_parser()
    p = commands.add_parser(
        "backup", parents=[location, acting], help="データベースをバックアップする（管理者）",
        description="SQLite のデータベースをファイルにコピーします（ウィンドウを開いたままでも可）。"
                    "コピーは検査（integrity_check）してから書き出し、本人だけが読めるファイルに"
                    "します。PostgreSQL のデータベースはサーバーの pg_dump を使ってください。",
        epilog="例: setacare backup --out E:\\setacare-2026-11-30.db --as kanri\n"
               "    setacare backup --reminder-days 14 --as kanri")
    p.add_argument("--out", metavar="FILE", help="書き出すファイル")
    p.add_argument("--reminder-days", metavar="N",
                   help=f"{backup.REMINDER_FIELD}（1〜365、既定 {backup.DEFAULT_REMINDER_DAYS}）を"
                        "設定する。ウィンドウは最後のバックアップからこの日数がたつと管理者に知らせる")
    p.add_argument("--force", action="store_true", help="既にあるファイルを上書きする")
    p = commands.add_parser(
        "restore", parents=[location, acting], help="バックアップからデータベースを戻す（管理者）",
        description="setacare backup で作成したファイルからデータベースを戻します。ファイルを検査し"
                    "（SetaCare Desktop のデータベースであること、壊れていないこと、新しい版の"
                    "プログラムで書かれていないこと）、現在のデータベースを <名前>.before-restore-"
                    "<日時> として残してから戻します。実行前に、ほかのウィンドウを閉じてください。")
    p.add_argument("file", metavar="FILE", help="バックアップのファイル")


def run(args: argparse.Namespace, settings: Settings) -> int:
    password = login_password(args, sys.stdin)
    db = opened(settings)
    try:
        if args.command == "backup":
            if args.out is None and args.reminder_days is None:
                raise ValidationError([Problem("--out", "書き出すファイルを指定してください")])
            with acting_as(db, args.as_login, password) as actor:
                if args.reminder_days is not None:
                    days = backup.set_reminder_days(db, actor, args.reminder_days)
                    out(f"{backup.REMINDER_FIELD}を {days} 日にしました。")
                if args.out is None:
                    return EXIT_OK
                made = backup.backup(db, actor, Path(args.out), force=args.force)
            out(f"バックアップを作成しました: {made.path}（{made.size:,} バイト、"
                f"スキーマ {made.revision or '（なし）'}、検査: 問題なし）")
            return EXIT_OK
        actor = auth.login(db, args.as_login, password)
        try:
            restored = backup.restore(db, actor, Path(args.file))
        except BaseException:
            auth.logout(db, actor)  # nothing was replaced: the session ends where it began
            raise
        # Replaced: the session's database is the copy kept aside, where the restore is recorded.
    finally:
        db.close()
    out(f"データベースを戻しました（バックアップのスキーマ {restored.restored_revision or '（なし）'}、"
        f"現在 {restored.revision}）。")
    out(f"戻す前のデータベース: {restored.set_aside}")
    return EXIT_OK
