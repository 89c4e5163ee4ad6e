"""The four errors a service may raise; the UI shows their message as is.

Every service call either succeeds completely or raises one of these with nothing
written, so screens can catch ``FrontdeskError`` and show ``str(error)``.
"""

from __future__ import annotations


class FrontdeskError(Exception):
    """Base of every error a user is meant to read."""


class ValidationError(FrontdeskError):
    """Bad input; ``field`` names the form field so the screen can mark it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(ValidationError):
    """A referenced record does not exist (a kind of bad input)."""


class PermissionDenied(FrontdeskError):
    """The user's role may not do this."""


class IllegalTransition(FrontdeskError):
    """The order or job is not in a state that allows this step."""


class ConflictError(FrontdeskError):
    """Someone else changed the record since this terminal read it: reload and retry."""
