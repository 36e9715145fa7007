"""Use cases a user performs. Each call is one transaction (``services.unit.use_case``, checked in
the test suite), checks the caller's role and scope, and writes its audit rows in that same
transaction; a refusal is audited after the rollback, in a short transaction of its own.

Callers (the window, the command line) pass the :class:`Database` they were handed and the
:class:`StaffProfile` of whoever is logged in; they never open a session themselves.
"""

from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.services.errors import (
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    ValidationError,
)
from setacare_desktop.store import Database, SchemaTooNewError

__all__ = [
    "AuthenticationError",
    "Database",
    "NotFoundError",
    "PermissionDeniedError",
    "SchemaTooNewError",
    "ServiceError",
    "StaffProfile",
    "ValidationError",
]
