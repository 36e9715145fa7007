"""The lock-out rule for repeated failed logins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_FAILED_ATTEMPTS = 5
LOCK_DURATION = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class LockState:
    failed_attempts: int
    locked_until: datetime | None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def after_failure(state: LockState, now: datetime) -> LockState:
    """Count a failed attempt; the fifth in a row locks the account for a while."""
    attempts = 0 if state.locked_until is not None and now >= state.locked_until else (
        state.failed_attempts
    )
    attempts += 1
    if attempts >= MAX_FAILED_ATTEMPTS:
        return LockState(0, now + LOCK_DURATION)
    return LockState(attempts, None)


def after_success() -> LockState:
    return LockState(0, None)
