"""The create log: one row per attempt to create a record through the dashboard
(the Managers' page that lists them is audit_views.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..db import retry_when_locked
from ..models import CreateAttempt

#: Keys whose values never reach the log.
SECRET_KEYS = {"password"}
#: Personal identity numbers are kept only as their last four digits: enough to
#: tell people apart in the log, not enough to identify them.
MASKED_KEYS = {"personalNumber"}


def scrub(value: Any) -> Any:
    """The payload as it may be stored: passwords removed, personal numbers masked."""
    if isinstance(value, Mapping):
        return {
            key: _mask(item) if key in MASKED_KEYS else scrub(item)
            for key, item in value.items()
            if key not in SECRET_KEYS
        }
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    return value


def _mask(value: Any) -> str:
    text = str(value or "")
    return "•" * max(0, len(text) - 4) + text[-4:]


def record(
    user, entity: str, token: str, payload: Mapping[str, Any], outcome: str, *, upstream_id="", error=""
) -> None:
    retry_when_locked(
        lambda: CreateAttempt.objects.create(
            user=user,
            username=user.get_username(),
            entity=entity,
            token=token,
            outcome=outcome,
            upstream_id=upstream_id or "",
            error=error or "",
            payload=scrub(payload),
        )
    )
