"""The one place the package reads the time from (naive UTC), so tests can fake it.

Expiry (``codec``), the time of an export and of each offline decision all ask :func:`utc_now`;
a test replaces it with ``monkeypatch.setattr(clock, "utc_now", lambda: ...)``.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
