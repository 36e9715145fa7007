"""The audit trail: writing it (``record``, in the caller's transaction), checking its hash chain
and its append-only protection, and 操作記録の確認 (the listing with its flags).

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
from setacare_desktop.services.audit.listing import (
    MAX_PERIOD_DAYS,
    AuditListing,
    AuditQuery,
    AuditRow,
    check_query,
    export_csv,
    list_events,
    save_csv,
)
from setacare_desktop.services.audit.trail import (
    SYSTEM_LOGIN,
    AuditSessionError,
    chain_head,
    recent,
    record,
)

__all__ = [
    "MAX_PERIOD_DAYS",
    "STEP_ROWS",
    "SYSTEM_LOGIN",
    "AuditListing",
    "AuditQuery",
    "AuditRow",
    "AuditSessionError",
    "ChainCheck",
    "ProtectionReport",
    "chain_head",
    "chain_status",
    "check_query",
    "check_step",
    "export_csv",
    "list_events",
    "recent",
    "record",
    "restore_protection",
    "save_csv",
    "start_check",
    "start_notice",
    "verify",
]
