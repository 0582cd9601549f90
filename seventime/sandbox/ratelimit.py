"""The sandbox keeps Seven Time's rate limit (SANDBOX_RATE_LIMIT calls a second per
client secret, 4 by default; 0: none): beyond it, 429 with Retry-After and an
`errorMessage`, as the API answers.

"4 requests a second" is read as a token bucket: it holds at most 4 calls and
refills at 4 a second, so 4 calls may come at once and then one every 250 ms. The
bucket is a row in the database, changed in one transaction with the row locked,
so that every process serving the sandbox (the web server and the worker, each
with the in-process transport) counts together. While the limit is on, each
second's served and refused calls are kept for an hour (`RateSecond`): `peak()`
gives the most requests a second the sandbox saw.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum

from .models import RateBucket, RateSecond

KEEP_SECONDS = 3600

# The sandbox's clock (tests replace it, together with the dashboard limiter's).
_clock = time.time


def key_for(secret: str) -> str:
    """The bucket of a client secret: a hash, never the secret."""
    return hashlib.sha256(b"sandbox-rate|" + secret.encode()).hexdigest()[:32]


def take(secret: str) -> float | None:
    """Count one call with `secret`: None when it may be served, else the seconds
    to wait before one may (the 429's Retry-After)."""
    rate = getattr(settings, "SANDBOX_RATE_LIMIT", 0)
    if not rate or rate <= 0:
        return None
    key = key_for(secret)
    with transaction.atomic():
        now = _clock()
        bucket = _locked_bucket(key, capacity=rate, now=now)
        tokens = min(rate, bucket.tokens + max(0.0, now - bucket.updated) * rate)
        wait = None
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / rate
        bucket.tokens, bucket.updated = tokens, max(now, bucket.updated)
        bucket.save(update_fields=["tokens", "updated"])
        _count(key, int(now), served=wait is None)
    return wait


def retry_after_header(wait: float) -> str:
    """Whole seconds, as HTTP's Retry-After has them: rounded up, at least 1."""
    return str(max(1, math.ceil(wait)))


def peak(secret: str | None = None, since: float | None = None) -> dict[str, int]:
    """{"peak": most calls served in one second, "served": all served, "refused": all
    429s} since `since` (seconds since the epoch), of one secret or of all."""
    rows = RateSecond.objects.all()
    if secret is not None:
        rows = rows.filter(key=key_for(secret))
    if since is not None:
        rows = rows.filter(second__gte=int(since))
    totals = rows.aggregate(peak=Max("served"), served=Sum("served"), refused=Sum("refused"))
    return {name: value or 0 for name, value in totals.items()}


def forget() -> None:
    """Empty the buckets and the record (a sandbox reset, a test)."""
    RateBucket.objects.all().delete()
    RateSecond.objects.all().delete()


def _locked_bucket(key: str, *, capacity: float, now: float) -> RateBucket:
    buckets = RateBucket.objects.select_for_update()
    bucket = buckets.filter(key=key).first()
    if bucket is not None:
        return bucket
    try:
        with transaction.atomic():
            return RateBucket.objects.create(key=key, tokens=capacity, updated=now)
    except IntegrityError:
        return buckets.get(key=key)


def _count(key: str, second: int, *, served: bool) -> None:
    field = "served" if served else "refused"
    if RateSecond.objects.filter(key=key, second=second).update(**{field: F(field) + 1}):
        return
    # The first call of this second (the bucket's row lock keeps this the only writer).
    RateSecond.objects.create(key=key, second=second, **{field: 1})
    RateSecond.objects.filter(second__lt=second - KEEP_SECONDS).delete()
