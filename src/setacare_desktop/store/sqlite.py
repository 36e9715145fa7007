"""SQLite-only code. **The one module allowed to use SQLite-specific SQL.**

Connection pragmas (WAL, foreign keys, busy timeout), the pre-migration file backup, and the
append-only triggers of the audit table (and their check at every start). The database file, its
``-wal``/``-shm`` and every backup are readable by their owner only (0600 on POSIX:
:func:`make_private`).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from setacare_desktop.domain.kana import query_grams
from setacare_desktop.store.errors import DatabaseCorruptError, DiskFullError, translate
from setacare_desktop.store.start_errors import (
    BackupError,
    BackupSpaceError,
    EmptyDatabaseFileError,
    NotADatabaseFileError,
)

#: How long a writer waits for another writer's transaction before giving up (SQLITE_BUSY).
log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
#: The execution option that ``Database.transaction`` sets: begin IMMEDIATE, not deferred.
WRITE_OPTION = "setacare_write"
#: A look (``Database.look``): its commit, which writes only audit rows, skips the fsync.
LOOK_OPTION = "setacare_look"
#: The driver's own error (raised where SQLAlchemy does not wrap it, e.g. the file backup).
Error = sqlite3.Error

#: The append-only triggers of the audit table, by name (created by migration 0001; recreated at
#: every start if they were dropped or replaced: see :func:`audit_protection_problems`).
AUDIT_TRIGGERS: dict[str, str] = {
    "audit_event_no_update": """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END
    """,
    "audit_event_no_delete": """
    CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END
    """,
}
AUDIT_APPEND_ONLY_DDL = tuple(AUDIT_TRIGGERS.values())


def _normalised(sql: str | None) -> str:
    return " ".join((sql or "").split()).rstrip(";").strip().lower()


def audit_protection_problems(connection: Any) -> list[str]:
    """Names of the audit triggers that are missing or not ours (a same-named trigger that does
    nothing protects nothing)."""
    present = dict(connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
    ).all())
    return [name for name, ddl in AUDIT_TRIGGERS.items()
            if _normalised(present.get(name)) != _normalised(ddl)]


def restore_audit_protection(connection: Any, names: list[str]) -> None:
    """Create these audit triggers again (in the caller's write transaction)."""
    for name in names:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        connection.exec_driver_sql(AUDIT_TRIGGERS[name])


def install_pragmas(engine: Engine) -> None:
    """Every connection: WAL journal, enforced foreign keys, a busy timeout.

    pysqlite's own transaction handling is switched off so that SQLAlchemy's BEGIN is the one
    that counts (the documented recipe). A writing transaction (``WRITE_OPTION``) begins
    IMMEDIATE, so two writers queue on the busy timeout instead of failing with "database is
    locked" half-way through a save; a read begins deferred, so it never takes the write lock
    and never makes a save wait (WAL lets readers and one writer run side by side).
    """

    path = database_file(engine)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # FULL: a committed save (or draft) survives a power cut, not only a crash (set again
        # at each transaction's beginning, see below).
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()
        # After WAL mode wrote the header (a new file is zero-length until then, and a second
        # program starting at that moment refuses a zero-length file): the file and the -wal and
        # -shm just made; SQLite gives later ones the file's own mode.
        if path is not None:
            make_private(path)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if not options.get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN")
            return
        # Every write is FULL but a look's (``Database.look``: its audit rows survive a crash,
        # and the next FULL commit syncs them too). Set at each beginning, so that a save on a
        # connection that served a look is FULL again.
        level = "NORMAL" if options.get(LOOK_OPTION) else "FULL"
        connection.exec_driver_sql(f"PRAGMA synchronous = {level}")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def compact_if_mostly_free(engine: Engine) -> None:
    """Give back what a migration freed (0020 drops ~2 GB of search copy at ward scale):
    ``VACUUM`` when over a quarter of the file is free pages. SQLite reuses free pages anyway, so
    a VACUUM that cannot run now (another program has the file open, too little disk for its
    copy) is logged and skipped: the data is never at stake."""
    # The driver's own connection: VACUUM cannot run inside the BEGIN that SQLAlchemy's
    # connections issue (``install_pragmas`` turns pysqlite's implicit transactions off).
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        free = cursor.execute("PRAGMA freelist_count").fetchone()[0]
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        if pages and free * 4 >= pages:
            log.info("compacting the database (%d of %d pages free)", free, pages)
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    except Error as error:
        log.warning("the database was not compacted: %s", type(error).__name__)
    finally:
        raw.close()


def database_file(engine: Engine) -> Path | None:
    """The file behind a SQLite engine, or None for an in-memory database."""
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file::memory:"):
        return None
    return Path(name)


def make_private(path: Path) -> None:
    """Leave the database file and the files SQLite keeps beside it (and a backup) readable and
    writable by their owner only (POSIX; a file of another owner is left as it is)."""
    if os.name != "posix":
        return
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"):
        with contextlib.suppress(OSError):
            companion = path.with_name(name)
            if not companion.is_symlink():
                companion.chmod(0o600)


# --- safe start: the file where the database should be, and the pre-migration backup ----------

#: The first 16 bytes of every SQLite database file (https://sqlite.org/fileformat.html).
SQLITE_HEADER = b"SQLite format 3\x00"
#: How many pre-migration backups to keep beside the database (the newest; default 5).
ENV_KEEP_BACKUPS = "SETACARE_KEEP_BACKUPS"
DEFAULT_KEEP_BACKUPS = 5
#: Free space asked for beyond the copy itself: the migration writes too (WAL, new indexes).
BACKUP_MARGIN_BYTES = 4 * 1024 * 1024


def check_database_file(path: Path) -> None:
    """Refuse what cannot be our database; a path that does not exist yet is a new database.

    A zero-length file is refused (never silently migrated into an empty database: it is what a
    failed copy or a full disk leaves behind); so is a file that does not start with the SQLite
    header. Both are left as they are, named in the message.
    """
    if not path.exists():
        create_database_file(path)
        return
    if not path.is_file():  # a folder, a pipe (which would block the open forever), a device
        raise NotADatabaseFileError(path)
    try:
        with open(path, "rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError:
        return  # unreadable: the driver's own error (permissions …) says more
    if not header:
        raise EmptyDatabaseFileError(path)
    if header != SQLITE_HEADER:
        raise NotADatabaseFileError(path)


def create_database_file(path: Path) -> None:
    """Make a new, empty SQLite database at ``path`` whole: built under a private temporary name
    (WAL mode writes its header), then linked into place. Another program starting at the same
    moment so never sees the zero-length file that ``sqlite3.connect`` leaves until its first
    write (and refuses as a lost database); whoever links second uses the one already there."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary_name = tempfile.mkstemp(prefix=f".{path.name}.new-", dir=path.parent)
        os.close(fd)
    except OSError:
        return  # a folder that cannot be made or written: the driver's own open says which
    temporary = Path(temporary_name)
    try:
        connection = sqlite3.connect(temporary)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
        finally:
            connection.close()
        make_private(temporary)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    except OSError:
        return  # the driver's own open reports what is wrong with the place
    finally:
        for leftover in (temporary, temporary.with_name(temporary.name + "-wal"),
                         temporary.with_name(temporary.name + "-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink()


def backups_to_keep(environ: dict[str, str] | None = None) -> int:
    """``SETACARE_KEEP_BACKUPS`` (a whole number, at least 1), else 5."""
    text = (os.environ if environ is None else environ).get(ENV_KEEP_BACKUPS, "").strip()
    try:
        return max(1, int(text)) if text else DEFAULT_KEEP_BACKUPS
    except ValueError:
        return DEFAULT_KEEP_BACKUPS


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal"))
               if p.exists())


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut (POSIX; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_file(path: Path, label: str, *, keep: int | None = None) -> Path:
    """Copy the database aside before a migration; whole, or a :class:`BackupError` and nothing.

    The free space is checked first (the file, its WAL, and a margin for the migration); the copy
    (SQLite's online backup: consistent even in WAL mode) is written under a ``.part`` name,
    fsynced, then renamed, so no partial or empty ``.bak`` is ever left. Older backups beyond
    ``keep`` (``SETACARE_KEEP_BACKUPS``, default 5) are removed afterwards.
    """
    needed = _size(path) + max(_size(path) // 10, BACKUP_MARGIN_BYTES)
    free = shutil.disk_usage(path.parent).free
    if free < needed:
        raise BackupSpaceError(path, needed, free)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bak-{label}-{stamp}")
    serial = 1
    while target.exists():
        serial += 1
        target = path.with_name(f"{path.name}.bak-{label}-{stamp}-{serial}")
    partial = target.with_name(target.name + ".part")
    try:
        _copy(path, partial)
        os.replace(partial, target)
        fsync_folder(path.parent)
    except BaseException as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            partial.with_name(partial.name + "-journal").unlink(missing_ok=True)
        if isinstance(error, sqlite3.Error | OSError):
            raise _backup_error(path, error) from error
        raise
    prune_backups(path, backups_to_keep() if keep is None else keep)
    return target


def _copy(path: Path, partial: Path) -> None:
    partial.unlink(missing_ok=True)  # a leftover of a crash would be appended to
    # Created first, exclusively and private: SQLite then writes into it (and gives its journal
    # the same mode) instead of creating it world-readable.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600))
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    with open(partial, "rb+") as copy:
        os.fsync(copy.fileno())


def _backup_error(path: Path, error: BaseException) -> BackupError | DatabaseCorruptError:
    if isinstance(error, OSError):
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return BackupError(path, "ディスクの空き容量が足りません")
        return BackupError(path, f"書き込めません（{error.strerror or '入出力エラー'}）")
    translated = translate(error)
    if isinstance(translated, DatabaseCorruptError):
        return translated  # the database itself is damaged: that is the message
    if isinstance(translated, DiskFullError):
        return BackupError(path, "ディスクの空き容量が足りません")
    return BackupError(path, "データベースを読めないか、書き込めません")


def prune_backups(path: Path, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest backups of ``path``, empty ones and leftover parts."""
    removed: list[Path] = []
    found = [p for p in path.parent.glob(f"{path.name}.bak-*") if p.is_file()]
    partial = [p for p in found if p.name.endswith((".part", ".part-journal"))]
    whole = [p for p in found if p not in partial]
    empty = [p for p in whole if p.stat().st_size == 0]
    kept = sorted((p for p in whole if p not in empty),
                  key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    for old in partial + empty + kept[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()
            removed.append(old)
    return removed


# --- search index (FTS5) -------------------------------------------------------------------------
# A contentless FTS5 table over our own unigram/bigram tokens (domain.kana.grams); the 'ascii'
# tokenizer splits on ASCII spaces only and keeps every Japanese character as part of a token.
# Contentless keeps the index small; a delete replays the old tokens, which search_text keeps.

SEARCH_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(d, g1, g2, content='', tokenize='ascii')",
)


def search_add(session: Any, rows: list[tuple[int, str, str, str]]) -> None:
    """Index (rowid, district, unigrams, bigrams) rows with one executemany."""
    session.connection().exec_driver_sql(
        "INSERT INTO search_fts (rowid, d, g1, g2) VALUES (?, ?, ?, ?)", rows)


def search_remove(session: Any, rowid: int, district: str, unigrams: str, bigrams: str) -> None:
    session.connection().exec_driver_sql(
        "INSERT INTO search_fts (search_fts, rowid, d, g1, g2) VALUES ('delete', ?, ?, ?, ?)",
        (rowid, district, unigrams, bigrams))


def _phrase(tokens: list[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'


def search_match_expression(words: list[str], districts: list[str]) -> str:
    parts = ["d : (" + " OR ".join(_phrase([d]) for d in districts) + ")"]
    for word in words:
        column, tokens = query_grams(word)
        parts.append(f"{'g1' if column == 'uni' else 'g2'} : {_phrase(tokens)}")
    return " AND ".join(parts)


def search_ids(session: Any, words: list[str], districts: list[str], limit: int,
               before_id: int | None) -> list[int]:
    sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH ?"
    params: list[Any] = [search_match_expression(words, districts)]
    if before_id is not None:
        sql += " AND rowid < ?"
        params.append(before_id)
    sql += " ORDER BY rowid DESC LIMIT ?"
    params.append(limit)
    return [r[0] for r in session.connection().exec_driver_sql(sql, tuple(params))]
