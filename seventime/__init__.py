"""Everything that speaks to the Seven Time REST API (v1): the client, its errors,
the records it returns. Knows nothing about pages, Django or the built-in sandbox
(seventime/sandbox), which the dashboard plugs in from outside (dashboard/api.py)."""

from .client import Page, SevenTimeClient
from .errors import (
    AuthenticationError,
    BadResponse,
    ConnectionFailed,
    NotConfigured,
    NotFound,
    RateLimited,
    ServerError,
    SevenTimeError,
    Timeout,
    Unavailable,
    ValidationError,
)

__all__ = [
    "AuthenticationError",
    "BadResponse",
    "ConnectionFailed",
    "NotConfigured",
    "NotFound",
    "Page",
    "RateLimited",
    "ServerError",
    "SevenTimeClient",
    "SevenTimeError",
    "Timeout",
    "Unavailable",
    "ValidationError",
]
