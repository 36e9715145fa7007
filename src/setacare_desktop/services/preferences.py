"""Preferences that apply to every PC on the database, set by an administrator.

Kept in the ``preference`` table (migration 0011) so that one change reaches every counter PC
(each reads them when a staff member logs in and after an unlock). For now there is one: the
idle time after which the window locks itself (``ui.idle_lock``), 5 minutes unless changed.
"""

from __future__ import annotations

import re
import unicodedata

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


def parse_idle_lock_minutes(text: str) -> int:
    """The minutes typed (half- or full-width digits), or ValidationError naming the field."""
    typed = unicodedata.normalize("NFKC", text).strip()
    if not typed:
        raise ValidationError([Problem(IDLE_LOCK_FIELD, "分数を入力してください")])
    if not _WHOLE_NUMBER.fullmatch(typed):
        raise ValidationError([Problem(
            IDLE_LOCK_FIELD,
            f"「{text.strip()[:10]}」は分数ではありません。"
            f"{IDLE_LOCK_MIN}〜{IDLE_LOCK_MAX} の整数で入力してください")])
    minutes = int(typed)
    if not IDLE_LOCK_MIN <= minutes <= IDLE_LOCK_MAX:
        raise ValidationError([Problem(
            IDLE_LOCK_FIELD,
            f"{IDLE_LOCK_MIN}〜{IDLE_LOCK_MAX} 分の範囲で入力してください（入力: {minutes} 分）")])
    return minutes


def _stored_minutes(value: str | None) -> int:
    """What the table holds, or the default when it holds nothing usable."""
    if value is None or not _WHOLE_NUMBER.fullmatch(value):
        return IDLE_LOCK_DEFAULT
    minutes = int(value)
    return minutes if IDLE_LOCK_MIN <= minutes <= IDLE_LOCK_MAX else IDLE_LOCK_DEFAULT


@use_case
def idle_lock_minutes(db: Database) -> int:
    """Minutes without input after which the window locks (any staff member's window reads
    it at login; it is no one's personal data, so reading it is not audited)."""
    with db.read() as session:
        row = session.get(Preference, IDLE_LOCK_KEY)
        return _stored_minutes(row.value if row is not None else None)


@use_case
def set_idle_lock_minutes(db: Database, actor: StaffProfile, text: str) -> int:
    """An administrator sets the idle lock's minutes (typed text, 1–60); returns them.

    Refused (and audited) for anyone who does not manage accounts; audited with the old and
    the new value (minutes are no one's personal data)."""
    with db.transaction() as session:
        guard.require_account_manager(actor, "preference_change")
        minutes = parse_idle_lock_minutes(text)
        row = session.get(Preference, IDLE_LOCK_KEY)
        before = _stored_minutes(row.value if row is not None else None)
        if row is None:
            row = Preference(key=IDLE_LOCK_KEY, value=str(minutes))
            session.add(row)
        row.value = str(minutes)
        row.updated_at = utc_now()
        row.updated_by = actor.staff_id
        audit.record(session, actor, "preference_change", entity="preference",
                     entity_id=IDLE_LOCK_KEY, fields=[IDLE_LOCK_KEY],
                     detail=f"{before} -> {minutes}")
        return minutes
