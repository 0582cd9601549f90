"""Everything that speaks to the Seven Time REST API (v1): the client, its errors,
the records it returns and the built-in sandbox. Knows nothing about pages."""

from .client import Page, SevenTimeClient, get_client
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
    "get_client",
]
