"""The sandbox can be told to fail as Seven Time does, so that anyone can see what
the dashboard does then (its stale mode) without a real outage.

Modes:

* ``off``: answer normally (the default).
* ``error``: 503 with an ``errorMessage``, as Seven Time's own failures answer.
* ``slow``: every answer comes only after ``seconds`` (10 by default: beyond the
  client's read timeout of 8 s, so the caller times out).
* ``ratelimit``: 429 with ``Retry-After: seconds`` and an ``errorMessage``.
* ``down``: no answer at all. In-process the transport raises the ConnectionError
  requests raises for a refused connection; over HTTP the view drops the
  connection without answering (see views.py).
* ``malformed``: 200 with a body that is not JSON (an answer cut off halfway).

The mode comes from the SANDBOX_FAULT setting ("slow" or "slow:30", with the
seconds) unless ``manage.py sandbox_fault`` has set one: that is a row in the
database (models.Fault), read on every call, so that every process sharing the
database (the web server and the worker) fails alike, and it overrides the
setting ("off" included) until ``sandbox_fault setting`` forgets it.

A fault may be limited to some paths (``only``): whole leading path segments, so
"invoices" matches /invoices and /invoices/<id> but not /invoiceTags.

Every fault is decided before the request is authenticated, counted against the
rate limit or any data is read (api.handle): a Seven Time that is down does not
look at the request either.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings

MODES = ("off", "error", "slow", "ratelimit", "down", "malformed")
DEFAULT_SECONDS = 10.0

#: How the slow mode waits (tests replace it: no test sleeps for real).
_sleep = time.sleep

#: How long whoever asked waits for an answer (its read timeout); None: for ever.
_wait_limit: contextvars.ContextVar[float | None] = contextvars.ContextVar("sandbox_wait_limit", default=None)


class Down(Exception):
    """The sandbox plays a Seven Time that cannot be reached: there is no answer.
    Whoever serves the request turns this into a failed connection."""


class TooSlow(Exception):
    """The slow mode outlasted what the caller waits for an answer (its read
    timeout): the caller gets the timeout it would get from a slow server."""

    def __init__(self, waited: float):
        super().__init__(f"No answer within {waited:g} seconds (sandbox fault: slow).")
        self.waited = waited


@dataclass(frozen=True)
class Fault:
    mode: str = "off"
    seconds: float = DEFAULT_SECONDS
    only: tuple[str, ...] = ()
    #: Where it comes from: "setting" (SANDBOX_FAULT) or "command" (sandbox_fault).
    source: str = "setting"

    def applies_to(self, path: str) -> bool:
        if self.mode == "off":
            return False
        if not self.only:
            return True
        parts = _segments(path)
        return any(parts[: len(prefix)] == prefix for prefix in map(_segments, self.only))

    def describe(self) -> str:
        """In a sentence, for the command's output (English, like every management command's)."""
        from .ratelimit import retry_after_header

        if self.mode == "off":
            text = "off: the sandbox answers normally"
        else:
            text = {
                "error": "error: every answer is a 503",
                "slow": f"slow: every answer takes {self.seconds:g} s",
                "ratelimit": f"ratelimit: every answer is a 429 with Retry-After {retry_after_header(self.seconds)} s",
                "down": "down: no answer, the connection fails",
                "malformed": "malformed: every answer is a 200 that is not JSON",
            }[self.mode]
            if self.only:
                text += " (only under " + ", ".join(f"/{prefix}" for prefix in self.only) + ")"
        origin = "set by sandbox_fault" if self.source == "command" else "from SANDBOX_FAULT"
        return f"{text}; {origin}."


def parse(text: str) -> Fault:
    """A SANDBOX_FAULT value: a mode, optionally with seconds ("slow:30");
    empty means off. ValueError names what is wrong."""
    mode, _, seconds = (text or "off").strip().lower().partition(":")
    mode = mode.strip() or "off"
    if mode not in MODES:
        raise ValueError(f"SANDBOX_FAULT={text!r}: the mode must be one of {', '.join(MODES)}.")
    if not seconds.strip():
        return Fault(mode)
    try:
        value = float(seconds)
    except ValueError:
        raise ValueError(f"SANDBOX_FAULT={text!r}: the seconds after ':' must be a number.") from None
    check_seconds(value)
    return Fault(mode, value)


def check_seconds(seconds: float) -> None:
    if not 0 <= seconds <= 3600:
        raise ValueError("The seconds must be between 0 and 3600.")


def only_prefixes(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """Path prefixes from "invoices, customers/" (or a list of them): without slashes around."""
    items = text.split(",") if isinstance(text, str) else (text or ())
    return tuple(prefix for prefix in ("/".join(_segments(item)) for item in items) if prefix)


def current() -> Fault:
    """The fault in force: the command's if it set one, else the setting's."""
    from .models import Fault as FaultRow

    row = FaultRow.objects.filter(pk=1).first()
    if row is not None:
        return Fault(row.mode, row.seconds, only_prefixes(row.only), source="command")
    return parse(getattr(settings, "SANDBOX_FAULT", "") or "off")


def set_fault(mode: str, *, seconds: float | None = None, only: Iterable[str] = ()) -> Fault:
    """Play `mode` from now on, in every process using the database, whatever SANDBOX_FAULT says."""
    from .models import Fault as FaultRow

    if mode not in MODES:
        raise ValueError(f"The mode must be one of {', '.join(MODES)}.")
    seconds = DEFAULT_SECONDS if seconds is None else seconds
    check_seconds(seconds)
    prefixes = only_prefixes(only)
    FaultRow.objects.update_or_create(pk=1, defaults={"mode": mode, "seconds": seconds, "only": ",".join(prefixes)})
    return current()


def follow_setting() -> Fault:
    """Forget what the command set: SANDBOX_FAULT decides again."""
    from .models import Fault as FaultRow

    FaultRow.objects.all().delete()
    return current()


@contextmanager
def waiting_at_most(seconds: float | None) -> Iterator[None]:
    """Within: the caller gives up after `seconds` without an answer (the in-process
    transport says so with the client's read timeout; over HTTP the client's socket does)."""
    token = _wait_limit.set(seconds)
    try:
        yield
    finally:
        _wait_limit.reset(token)


def wait(fault: Fault) -> None:
    """The slow mode's delay; TooSlow once the caller would have given up."""
    wait_limit = _wait_limit.get()
    if wait_limit is not None and fault.seconds > wait_limit:
        _sleep(wait_limit)
        raise TooSlow(wait_limit)
    _sleep(fault.seconds)


def _segments(path: str) -> tuple[str, ...]:
    return tuple(part for part in path.strip().split("/") if part)
