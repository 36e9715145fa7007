"""Errors a user is meant to read: every message is Japanese and names the problem."""

from __future__ import annotations

from setacare_desktop.domain.errors import ServiceError
from setacare_desktop.domain.problems import Problem
from setacare_desktop.store.errors import DatabaseError

__all__ = ["AuthenticationError", "DatabaseError", "NotFoundError",
           "PermissionDeniedError", "Problem", "ServiceError", "ValidationError"]


class AuthenticationError(ServiceError):
    """Wrong login or password, or a locked account."""


class PermissionDeniedError(ServiceError):
    """The caller's role or scope does not allow this. Always audited."""


class NotFoundError(ServiceError):
    pass


class ValidationError(ServiceError):
    """One or more fields are wrong; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
