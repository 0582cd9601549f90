"""The Seven Time client the dashboard uses, built from Django settings: the API
at SEVENTIME_API_URL, else the in-process sandbox when it is switched on.

The one place that joins `seventime` to Django and to the sandbox, so that the
client package needs neither."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings

from seventime import NotConfigured, SevenTimeClient
from seventime.sandbox import BASE_URL as SANDBOX_BASE_URL

from .ratelimit import limiter_for


def account_key() -> str:
    """The configured Seven Time account (API URL and client secret), as an HMAC
    keyed with SECRET_KEY: never the secret itself, and not guessable offline."""
    account = f"{settings.SEVENTIME_API_URL}|{settings.SEVENTIME_CLIENT_SECRET}"
    return hmac.new(settings.SECRET_KEY.encode(), account.encode(), hashlib.sha256).hexdigest()[:32]


@lru_cache(maxsize=8)
def _build_client(
    base_url: str,
    secret: str,
    connect_timeout: float,
    read_timeout: float,
    total_timeout: float = 15.0,
    rate_limit: float = 0,
    account: str = "",
) -> SevenTimeClient:
    transport = None
    if base_url == SANDBOX_BASE_URL:
        # Imported only here: the sandbox's models exist only when it is switched on.
        from seventime.sandbox.transport import SandboxAdapter

        transport = SandboxAdapter()
    return SevenTimeClient(
        base_url,
        secret,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        total_timeout=total_timeout,
        transport=transport,
        # One limiter per API key, shared through the database (SEVENTIME_RATE_LIMIT).
        limiter=limiter_for(account, rate_limit),
    )


def get_client() -> SevenTimeClient:
    """The client configured from Django settings: the API at SEVENTIME_API_URL, else
    the in-process sandbox when it is switched on (SANDBOX_ENABLED), else none.

    Clients are shared per configuration so that connections are reused.
    """
    if settings.SEVENTIME_API_URL:
        base_url, secret = settings.SEVENTIME_API_URL, settings.SEVENTIME_CLIENT_SECRET
    elif settings.SANDBOX_ENABLED:
        base_url, secret = SANDBOX_BASE_URL, settings.SANDBOX_CLIENT_SECRET
    else:
        # Never the sandbox by default: a production start that forgot the API's
        # address must not quietly serve demo data (and accept writes to it).
        raise NotConfigured("SEVENTIME_API_URL is not set and the sandbox is off.")
    return _build_client(
        base_url,
        secret,
        settings.SEVENTIME_CONNECT_TIMEOUT,
        settings.SEVENTIME_READ_TIMEOUT,
        settings.SEVENTIME_TOTAL_TIMEOUT,
        settings.SEVENTIME_RATE_LIMIT,
        account_key(),
    )
