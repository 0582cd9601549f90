"""Database helpers shared by the create flow."""

import time
from collections.abc import Callable
from typing import TypeVar

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
