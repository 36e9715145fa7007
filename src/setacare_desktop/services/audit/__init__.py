"""The audit trail: writing it (``record``, in the caller's transaction), checking its hash chain
and its append-only protection.

``from setacare_desktop.services import audit; audit.record(session, actor, "…")`` stays the one
way to write a row.
"""

from setacare_desktop.services.audit.chain import (
    STEP_ROWS,
    ChainCheck,
    ProtectionReport,
    chain_status,
    check_step,
    restore_protection,
    start_check,
    start_notice,
    verify,
)
from setacare_desktop.services.audit.trail import (
    SYSTEM_LOGIN,
    AuditSessionError,
    chain_head,
    recent,
    record,
)

__all__ = [
    "STEP_ROWS",
    "SYSTEM_LOGIN",
    "AuditSessionError",
    "ChainCheck",
    "ProtectionReport",
    "chain_head",
    "chain_status",
    "check_step",
    "recent",
    "record",
    "restore_protection",
    "start_check",
    "start_notice",
    "verify",
]
