"""Preferences that apply to every PC on the database, set by an administrator.

Kept in the ``preference`` table (migration 0011) so that one change reaches every counter PC
(each reads them when a staff member logs in and after an unlock): the idle time after which
the window locks itself (``ui.idle_lock``), 5 minutes unless changed; the days after which
administrators are reminded to back up (``services.backup``). Whole numbers, typed as text,
checked here (:func:`whole_number`), stored and audited through :func:`store_number`.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.orm import Session

from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services import audit, guard
from setacare_desktop.services.errors import Problem, ValidationError
from setacare_desktop.services.unit import use_case
from setacare_desktop.store.database import Database
from setacare_desktop.store.models import Preference, utc_now

IDLE_LOCK_KEY = "idle_lock_minutes"
IDLE_LOCK_DEFAULT = 5
IDLE_LOCK_MIN = 1
IDLE_LOCK_MAX = 60
#: The field's name in messages and on the administrator's page.
IDLE_LOCK_FIELD = "画面ロックまでの時間（分）"

_WHOLE_NUMBER = re.compile(r"[0-9]+")


def whole_number(text: str, field: str, low: int, high: int, unit: str) -> int:
    """A whole number typed (half- or full-width digits) within ``low``–``high``, or
    ValidationError naming ``field``; ``unit`` is what it counts (分, 日)."""
    typed = unicodedata.normalize("NFKC", text).strip()
    if not typed:
        raise ValidationError([Problem(field, f"{unit}数を入力してください")])
    if not _WHOLE_NUMBER.fullmatch(typed):
        raise ValidationError([Problem(
            field, f"「{text.strip()[:10]}」は{unit}数ではありません。{low}〜{high} の整数で入力してください")])
    number = int(typed)
    if not low <= number <= high:
        raise ValidationError([Problem(
            field, f"{low}〜{high} {unit}の範囲で入力してください（入力: {number} {unit}）")])
    return number


def parse_idle_lock_minutes(text: str) -> int:
    """The minutes typed (half- or full-width digits), or ValidationError naming the field."""
    return whole_number(text, IDLE_LOCK_FIELD, IDLE_LOCK_MIN, IDLE_LOCK_MAX, "分")


def stored_number(session: Session, key: str, default: int, low: int, high: int) -> int:
    """The number the table holds under ``key``, or ``default`` when it holds nothing usable."""
    row = session.get(Preference, key)
    value = row.value if row is not None else None
    if value is None or not _WHOLE_NUMBER.fullmatch(value):
        return default
    number = int(value)
    return number if low <= number <= high else default


def store_number(session: Session, actor: StaffProfile, key: str, number: int,
                 before: int) -> None:
    """Keep ``number`` under ``key``, audited with the old and the new value (settings are no
    one's personal data)."""
    row = session.get(Preference, key)
    if row is None:
        row = Preference(key=key, value=str(number))
        session.add(row)
    row.value = str(number)
    row.updated_at = utc_now()
    row.updated_by = actor.staff_id
    audit.record(session, actor, "preference_change", entity="preference", entity_id=key,
                 fields=[key], detail=f"{before} -> {number}")


@use_case
def idle_lock_minutes(db: Database) -> int:
    """Minutes without input after which the window locks (any staff member's window reads
    it at login; it is no one's personal data, so reading it is not audited)."""
    with db.read() as session:
        return stored_number(session, IDLE_LOCK_KEY, IDLE_LOCK_DEFAULT, IDLE_LOCK_MIN,
                             IDLE_LOCK_MAX)


@use_case
def set_idle_lock_minutes(db: Database, actor: StaffProfile, text: str) -> int:
    """An administrator sets the idle lock's minutes (typed text, 1–60); returns them.

    Refused (and audited) for anyone who does not manage accounts; audited with the old and
    the new value (minutes are no one's personal data)."""
    with db.transaction() as session:
        guard.require_account_manager(actor, "preference_change")
        minutes = parse_idle_lock_minutes(text)
        before = stored_number(session, IDLE_LOCK_KEY, IDLE_LOCK_DEFAULT, IDLE_LOCK_MIN,
                               IDLE_LOCK_MAX)
        store_number(session, actor, IDLE_LOCK_KEY, minutes, before)
        return minutes
