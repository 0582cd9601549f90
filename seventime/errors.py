"""One flat hierarchy of API errors, chosen from the HTTP status in one place.

Messages are safe to show and to log: they never contain the client secret (the
client only ever puts the API's own `errorMessage`, a status and a path in them).

Each class also says what the error means for whoever asked:

* `retryable`: the same request may well succeed later (a timeout, a 5xx, a busy
  API), so offering "Try again" makes sense; a rejected or unauthorised request
  would only be rejected again.
* `may_have_created`: a write (POST) that ended this way may have created the
  record all the same (no answer, a 5xx, an unreadable answer); one the API
  answered with a 4xx did not.

What a person reads about an error is the dashboard's business (dashboard/api_errors.py).
"""

from __future__ import annotations

import re

#: The field path an API error message starts with: "name", "billingSettings.invoiceEmail",
#: "invoiceItems[1].unitPrice" (the API names the input it blames first).
FIELD_PATH = r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+|\[\d+\])*"


def leading_field_path(message: str | None) -> str | None:
    """The field path `message` starts with, or None ("" and None give None)."""
    match = re.match(FIELD_PATH, message or "")
    return match.group(0) if match else None


def field_path_parts(path: str) -> tuple[list[str], int | None]:
    """The names in a field path and the first list position in it:
    "billingSettings.deductionDistribution[0].userName" gives
    (["billingSettings", "deductionDistribution", "userName"], 0)."""
    parts = re.findall(r"[A-Za-z][A-Za-z0-9]*|\[\d+\]", path)
    index = next((int(part[1:-1]) for part in parts if part.startswith("[")), None)
    return [part for part in parts if not part.startswith("[")], index


class SevenTimeError(Exception):
    """Base class: anything that went wrong talking to Seven Time."""

    status: int | None = None
    #: Unknown errors are taken at their worst: worth another try, and a write may have happened.
    retryable: bool = True
    may_have_created: bool = True

    def __init__(self, message: str, *, status: int | None = None, path: str = ""):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.path = path


class AuthenticationError(SevenTimeError):
    """401/403: the client secret is missing, wrong or lacks access."""

    retryable = False
    may_have_created = False


class NotFound(SevenTimeError):
    """404: no record with that id."""

    status = 404
    retryable = False
    may_have_created = False


class ValidationError(SevenTimeError):
    """400: the API rejected the request; `field` names the input it blamed, if any."""

    status = 400
    retryable = False
    may_have_created = False

    def __init__(self, message: str, *, field: str | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.field = field


class RateLimited(SevenTimeError):
    """429: too many requests; `retry_after` is in seconds when the API said."""

    status = 429
    retryable = True  # after the wait
    may_have_created = False  # refused before anything was done

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(SevenTimeError):
    """5xx (or any other unexpected status) from the API."""

    retryable = True
    may_have_created = True  # the API may have done its part before it failed


class Unavailable(SevenTimeError):
    """The API could not be reached or did not answer in time."""

    retryable = True
    may_have_created = True  # the request may have arrived and been carried out


class Timeout(Unavailable):
    """No answer within the configured timeout."""


class ConnectionFailed(Unavailable):
    """The connection could not be made or broke."""


class NotConfigured(SevenTimeError):
    """No API address is set and the sandbox is not switched on: there is nothing to ask."""

    retryable = False
    may_have_created = False  # nothing was sent


class BadResponse(SevenTimeError):
    """An answer that is not JSON or not of the expected shape."""

    retryable = True
    may_have_created = True  # the API may have done its part before it failed
