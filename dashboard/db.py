"""Database helpers: writes that must not be lost, and documents every database can store."""

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import OperationalError

T = TypeVar("T")


def retry_when_locked(write: Callable[[], T], *, tries: int = 10, pause: float = 0.1) -> T:
    """Run a write that must not be lost. SQLite can refuse a write for a moment
    while another request reads or writes ("database is locked"); try a few times."""
    for attempt in range(tries):
        try:
            return write()
        except OperationalError:
            if attempt == tries - 1:
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")


def storable(value: Any) -> Any:
    """A document as the copy stores it: the same, but with any NUL character
    (U+0000) in its texts and keys replaced by U+FFFD, the sign for a character
    that could not be kept. PostgreSQL's JSON refuses NUL ("unsupported Unicode
    escape sequence") and would fail the whole sync over one bad name; SQLite
    stores it, so that both databases keep the same copy."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value
