"""The shared rate limiter: one per API key, in the database, so that every
process and machine using the same database (web servers, the worker) keeps
Seven Time's limit together (SEVENTIME_RATE_LIMIT, 4 calls a second by default).

The rule is seventime.ratelimit.ScheduledLimiter's: calls at least 1/rate
seconds apart (plus MARGIN, against network jitter), interactive calls queue for the first free time, background calls
(`with seventime.ratelimit.background():`) go only when a call may go now, and a
429's Retry-After pauses the key for everyone. Its state is one row per key
(`RateLimitState`: when the next call may go, when a pause ends), read and
changed in one transaction with the row locked: `select_for_update` on
PostgreSQL; on SQLite the settings make every transaction take the write lock
when it begins (IMMEDIATE), so claims queue behind each other (up to the busy
timeout). Nothing accumulates: there is nothing to clean up.

Times are the machines' clocks (seconds since the epoch): machines sharing a
database keep their clocks in step (NTP), as they do anyway.
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError, IntegrityError, transaction

from seventime.ratelimit import LocalLimiter, ScheduledLimiter

from .models import RateLimitState

logger = logging.getLogger(__name__)

#: Added to 1/rate between two calls of a key. Calls spaced exactly 1/rate apart
#: put the 1st and the 5th of them exactly a second apart: a few milliseconds of
#: network jitter (the 1st late, the 5th early) lands 5 calls in one sliding second
#: at Seven Time, and a 429. 5 ms a call costs 2 % of the rate.
MARGIN = 0.005

# The limiter's clock and sleep (tests replace them: no test sleeps for real).
_clock = time.time
_sleep = time.sleep


def _now() -> float:
    return _clock()


def _wait(seconds: float) -> None:
    _sleep(seconds)


class DatabaseLimiter(ScheduledLimiter):
    """The limiter of one API key (`account`, a hash: never the secret), shared
    through the database."""

    def __init__(self, account: str, rate: float, **kwargs):
        kwargs.setdefault("clock", _now)
        kwargs.setdefault("sleep", _wait)
        super().__init__(rate, **kwargs)
        self.interval = 1 / rate + MARGIN
        self.account = account

    def acquire(self, priority=None):
        try:
            return super().acquire(priority)
        except DatabaseError:
            # The database failed us (SQLite still busy after its timeout, say): the call
            # goes rather than the page failing; should Seven Time answer 429, the client
            # waits that out as it would anyway.
            logger.warning("Rate limiter: the database failed; this call goes unspaced", exc_info=True)
            return self.clock()

    def _claim(self, priority, give_up_at):
        with transaction.atomic():
            row = self._locked_row()
            granted, ready, next_at = self.decide(priority, self.clock(), row.next_at, row.paused_until, give_up_at)
            if granted is not None:
                row.next_at = next_at
                row.save(update_fields=["next_at"])
            return granted, ready

    def _paused_until(self) -> float:
        paused = RateLimitState.objects.filter(account=self.account).values_list("paused_until", flat=True).first()
        return paused or 0.0

    def pause(self, seconds: float) -> None:
        try:
            with transaction.atomic():
                row = self._locked_row()
                until = self.clock() + seconds
                if until > row.paused_until:
                    row.paused_until = until
                    row.save(update_fields=["paused_until"])
        except DatabaseError:
            logger.warning("Rate limiter: the database failed; the pause is not shared", exc_info=True)

    def _locked_row(self) -> RateLimitState:
        """The key's row, locked until the transaction ends (made on first use)."""
        rows = RateLimitState.objects.select_for_update()
        row = rows.filter(account=self.account).first()
        if row is not None:
            return row
        try:
            with transaction.atomic():  # a savepoint: a lost race leaves the transaction usable
                return RateLimitState.objects.create(account=self.account)
        except IntegrityError:  # made by another process meanwhile
            return rows.get(account=self.account)


def limiter_for(account: str, rate: float) -> ScheduledLimiter:
    """The limiter a client of `account` uses: shared through the database, or,
    with the limit off (rate 0), one that only makes this process's calls wait
    out a 429's Retry-After."""
    if rate > 0:
        return DatabaseLimiter(account, rate)
    return LocalLimiter(clock=_now, sleep=_wait)
