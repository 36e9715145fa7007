"""The root of every error a user is meant to read.

It lives in the domain so that each layer (the store's database errors, the services' refusals)
can raise a member of the one family that the window and the command line show as a Japanese
message; anything outside the family is a bug and goes to the error boundary and the log.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal or a failure the user can act on (as opposed to a bug).

    ``args[0]`` is the Japanese message shown as it is: it must never carry personal data that
    the user who sees it may not see, nor SQL, nor a Python type name.
    """

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""
