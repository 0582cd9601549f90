"""Rate limiting for the Seven Time client: the protocol the client calls before
every request, whether a call is made for a person or in the background, and two
limiters that live in one process. The shared limiter (one per API key, across
processes and machines) is the dashboard's, in dashboard/ratelimit.py: this
package knows nothing of Django.

Seven Time allows each API key 4 requests a second and answers 429 with
Retry-After beyond that (docs/api-assumptions.md). The client therefore

* calls `limiter.acquire(priority)` before every request it sends, retries
  included: it returns when the request may go (or raises RateLimited when it
  would have to wait longer than the limiter allows);
* calls `limiter.pause(seconds)` when Seven Time answers 429: no call with the
  key goes before that time, whoever makes it.

Calls are interactive (a person waits on a page) unless made inside
`with background():` (the sync engine's): a limiter lets interactive calls go
first.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Protocol

from .errors import RateLimited

INTERACTIVE = "interactive"
BACKGROUND = "background"
#: A call worth making only when the limit has room now (a detail page's check of its
#: record): it never waits, so it never delays anyone; RateLimited when there is no room.
SPARE = "spare"

_priority: ContextVar[str] = ContextVar("seventime_call_priority", default=INTERACTIVE)


@contextlib.contextmanager
def background() -> Iterator[None]:
    """Calls made inside are background calls (the sync's): a limiter lets every
    waiting interactive call go before them. Thread pools do not carry it over by
    themselves: run work in other threads with `contextvars.copy_context().run`."""
    token = _priority.set(BACKGROUND)
    try:
        yield
    finally:
        _priority.reset(token)


@contextlib.contextmanager
def spare() -> Iterator[None]:
    """Calls made inside go only if a call may go now, else raise RateLimited at once."""
    token = _priority.set(SPARE)
    try:
        yield
    finally:
        _priority.reset(token)


def current_priority() -> str:
    """INTERACTIVE, or BACKGROUND inside `with background():`."""
    return _priority.get()


class Limiter(Protocol):
    def acquire(self, priority: str = INTERACTIVE) -> float | None:
        """Return when one request may be sent (the time it was granted, by the
        limiter's clock, or None), or raise RateLimited."""

    def pause(self, seconds: float) -> None:
        """Seven Time answered 429: send nothing with this key for `seconds`."""


class NoLimit:
    """Lets every call go at once and ignores pauses: for code that must never
    wait. The client's default is `LocalLimiter()`, which still honours a 429."""

    def acquire(self, priority: str = INTERACTIVE) -> None:
        return None

    def pause(self, seconds: float) -> None:
        return None


def too_busy(wait: float) -> RateLimited:
    return RateLimited(
        "Seven Time is receiving too many requests; try again shortly.", retry_after=max(1, math.ceil(wait))
    )


class ScheduledLimiter:
    """Calls spaced at least 1/rate seconds apart, as the strictest reading of
    "N requests a second" asks (and so within every other: a sliding or fixed
    window, a token bucket). The state is two times: when the next call may go
    (`next_at`) and the end of a pause (`paused_until`). Subclasses keep them
    (in memory, in the database) and change them atomically in `_claim`.

    An interactive call takes the first free time, now or later, and waits for it
    (calls queue in the order they came). A background call goes only when a call
    may go now; otherwise it waits until then and asks again, so interactive calls
    that came meanwhile go first. A call that would wait longer than `max_wait`
    (interactive) or `background_max_wait` raises RateLimited instead.
    """

    def __init__(
        self,
        rate: float = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 10.0,
        background_max_wait: float = 60.0,
    ):
        if rate < 0:
            raise ValueError("rate must be 0 (no spacing) or more")
        self.rate = rate
        self.interval = 1 / rate if rate else 0.0
        self.clock = clock
        self.sleep = sleep
        self.max_wait = max_wait
        self.background_max_wait = background_max_wait

    def acquire(self, priority: str | None = None) -> float:
        priority = priority or current_priority()
        limit = self.background_max_wait if priority == BACKGROUND else self.max_wait
        give_up_at = self.clock() + limit
        while True:
            granted, ready = self._claim(priority, give_up_at)
            now = self.clock()
            if granted is None:
                if priority == SPARE or ready > give_up_at:
                    raise too_busy(ready - now)
                self.sleep(max(0.0, ready - now))
                continue
            if granted > now:
                self.sleep(granted - now)
                # A pause that began while this call waited holds it back too.
                if self._paused_until() > granted:
                    continue
            return granted

    def _claim(self, priority: str, give_up_at: float) -> tuple[float | None, float]:
        """Atomically: (the time this call may go, or None; when a call may go)."""
        raise NotImplementedError

    def _paused_until(self) -> float:
        raise NotImplementedError

    def decide(self, priority: str, now: float, next_at: float, paused_until: float, give_up_at: float):
        """(granted time or None, ready time, new next_at): the rule `_claim` applies
        to the state it holds locked."""
        ready = max(now, next_at, paused_until)
        if (priority in (BACKGROUND, SPARE) and ready > now) or ready > give_up_at:
            return None, ready, next_at
        return ready, ready, ready + self.interval


class LocalLimiter(ScheduledLimiter):
    """The schedule in this process's memory: for one process, and the client's
    default (rate 0: no spacing, but a 429 holds back this client's next calls)."""

    def __init__(self, rate: float = 0, **kwargs):
        super().__init__(rate, **kwargs)
        self._lock = threading.Lock()
        self._next_at = -math.inf
        self._pause_end = -math.inf

    def _claim(self, priority, give_up_at):
        with self._lock:
            granted, ready, self._next_at = self.decide(
                priority, self.clock(), self._next_at, self._pause_end, give_up_at
            )
            return granted, ready

    def _paused_until(self) -> float:
        return self._pause_end

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._pause_end = max(self._pause_end, self.clock() + seconds)
