"""Errors a user is meant to read: every message is Japanese and names the problem."""

from __future__ import annotations

from dataclasses import dataclass


class ServiceError(Exception):
    """A refusal the user can act on (as opposed to a bug)."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class AuthenticationError(ServiceError):
    """Wrong login or password, or a locked account."""


class PermissionDeniedError(ServiceError):
    """The caller's role or scope does not allow this. Always audited."""


class NotFoundError(ServiceError):
    pass


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str  # the Japanese field label, e.g. 「ログインID」
    problem: str

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}"


class ValidationError(ServiceError):
    """One or more fields are wrong; nothing was written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
