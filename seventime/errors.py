"""One flat hierarchy of API errors, chosen from the HTTP status in one place.

Messages are safe to show and to log: they never contain the client secret (the
client only ever puts the API's own `errorMessage`, a status and a path in them).
"""

from __future__ import annotations


class SevenTimeError(Exception):
    """Base class: anything that went wrong talking to Seven Time."""

    status: int | None = None

    def __init__(self, message: str, *, status: int | None = None, path: str = ""):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.path = path


class AuthenticationError(SevenTimeError):
    """401/403: the client secret is missing, wrong or lacks access."""


class NotFound(SevenTimeError):
    """404: no record with that id."""

    status = 404


class ValidationError(SevenTimeError):
    """400: the API rejected the request; `field` names the input it blamed, if any."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.field = field


class RateLimited(SevenTimeError):
    """429: too many requests; `retry_after` is in seconds when the API said."""

    status = 429

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(SevenTimeError):
    """5xx (or any other unexpected status) from the API."""


class Unavailable(SevenTimeError):
    """The API could not be reached or did not answer in time."""


class Timeout(Unavailable):
    """No answer within the configured timeout."""


class ConnectionFailed(Unavailable):
    """The connection could not be made or broke."""


class NotConfigured(SevenTimeError):
    """No API address is set and the sandbox is not switched on: there is nothing to ask."""


class BadResponse(SevenTimeError):
    """An answer that is not JSON or not of the expected shape."""
