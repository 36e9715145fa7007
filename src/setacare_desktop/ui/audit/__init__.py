"""操作記録 (the audit trail) in the window: the page, and the chain check after login."""

from setacare_desktop.ui.audit.chain_check import ChainChecker, check_at_start
from setacare_desktop.ui.audit.page import AuditPage

__all__ = ["AuditPage", "ChainChecker", "check_at_start"]
