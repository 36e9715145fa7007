"""Where the data lives: the data folder and the database URL.

Precedence: command-line flag, then environment variable, then the default.
- ``--data-dir`` / ``SETACARE_DATA_DIR``: a folder for everything (a throw-away copy for trying
  things out); default: the platform's user-data folder (platformdirs).
- ``--database`` / ``SETACARE_DATABASE_URL``: a SQLAlchemy URL or a plain file path; default:
  ``setacare.db`` (SQLite) in the data folder.
- ``SETACARE_KEEP_BACKUPS``: how many pre-migration backups of a SQLite file to keep (default 5;
  read by ``store.sqlite.backups_to_keep``, where the backup is made).

The log file is ``logs/setacare.log`` in the data folder (``logs.configure``).

The data folder is private (:func:`private_folder`): created 0700 on POSIX, and a folder an older
version created 0755 is tightened at start. On Windows it is under the user's own
``%LOCALAPPDATA%``, whose access list already grants only that user (with SYSTEM and the
administrators); a ``--data-dir`` elsewhere keeps the access list of the folder it is made in.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

APP_NAME = "SetaCareDesktop"
APP_AUTHOR = "Setagaya"
ENV_DATA_DIR = "SETACARE_DATA_DIR"
ENV_DATABASE_URL = "SETACARE_DATABASE_URL"
DATABASE_FILE = "setacare.db"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str

    @classmethod
    def resolve(
        cls,
        *,
        data_dir: str | None = None,
        database: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        env = os.environ if environ is None else environ
        folder_text = data_dir or env.get(ENV_DATA_DIR)
        folder = (
            Path(folder_text).expanduser().resolve()
            if folder_text
            else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
        )
        url_text = database or env.get(ENV_DATABASE_URL)
        url = database_url(url_text) if url_text else database_url(str(folder / DATABASE_FILE))
        return cls(folder, url)


def password_in(url_text: str) -> bool:
    """Whether a database URL carries a password (on a command line every user of the PC can
    read it in the process list; the environment or libpq's pgpass file keep it private)."""
    if "://" not in url_text:
        return False
    try:
        return bool(urlsplit(url_text).password)
    except ValueError:
        return False


def database_url(text: str) -> str:
    """Accept a SQLAlchemy URL (``postgresql+psycopg://…``) or a path to a SQLite file."""
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().resolve())


def private_folder(folder: Path) -> None:
    """Make ``folder`` (and its missing parents) and leave it readable by its owner only (0700).

    An existing folder is tightened only when it is ours and not a shared one: a folder of
    another user, or one with the sticky bit (``/tmp`` given as ``--data-dir``), is left as it is.
    Raises ``OSError`` when the folder cannot be made.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name != "posix":
        return
    info = folder.stat()
    if (info.st_uid == os.getuid() and not info.st_mode & stat.S_ISVTX
            and stat.S_IMODE(info.st_mode) & 0o077):
        # A read-only mount stays as it is: the files themselves are still made 0600.
        with contextlib.suppress(OSError):
            folder.chmod(stat.S_IMODE(info.st_mode) & 0o700)
