"""Create each record once, however often its form is submitted.

Every rendered create form carries a one-time token. The first request that
submits it inserts the token's row (the unique constraint decides the winner,
also between app servers) and is the only one to call the API; a second request
with the same token - a double click, back-and-resubmit - waits for that outcome
and shows it. Outcomes are kept in the database, so a resubmit after a restart
still lands on the record that was created.

When an attempt ends without an answer (timeout, broken connection, 5xx, an
unreadable answer) the API may have created the record. The token then remembers
`maybe_created`, and every later attempt first asks the API for a record that
attempt would have created (the form's `find_existing`) before posting again.
See docs/creating-records.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from seventime import SevenTimeError

from ..db import retry_when_locked
from ..models import CreateAttempt, CreateToken
from . import audit

logger = logging.getLogger("dashboard")

Status = CreateToken.Status
Outcome = CreateAttempt.Outcome

#: A pending attempt older than this is taken to have died with its server (the
#: API call itself gives up after the connect and read timeouts, ~11 s).
STALE_AFTER = dt.timedelta(seconds=60)
POLL_SECONDS = 0.2
FINISH_TRIES = 10
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def valid_token(token: str) -> bool:
    return bool(TOKEN.match(token or ""))


def wait_seconds() -> float:
    """How long a second submit waits for the first: as long as the first can take."""
    return settings.SEVENTIME_CONNECT_TIMEOUT + settings.SEVENTIME_READ_TIMEOUT + 2


@dataclass(frozen=True)
class Result:
    """What became of a submit.

    kind: "created" (this request created it), "found" (an earlier attempt had),
    "duplicate" (already created by an earlier submit of the same form), "failed"
    (not created; `error` says why), "unknown" (no answer: may have been created),
    "busy" (another submit of the form is still running), "foreign" (the token
    belongs to another person's or another entity's form).
    """

    kind: str
    upstream_id: str = ""
    label: str = ""
    error: SevenTimeError | None = None

    @property
    def succeeded(self) -> bool:
        return self.kind in ("created", "found", "duplicate")


def outcome_so_far(token: str, *, user, entity: str) -> CreateToken | None:
    """The token's row once no request is working on it (waiting while one is),
    or None when the form was never submitted."""
    row = CreateToken.objects.filter(token=token).first()
    if row is not None and row.status == Status.PENDING:
        row = _wait(token)
    return row


def submit(
    token: str,
    *,
    user,
    entity: str,
    payload: Mapping[str, Any],
    create: Callable[[Mapping[str, Any]], Any],
    find_existing: Callable[[Mapping[str, Any], dt.datetime], Any],
    describe: Callable[[Any], str],
) -> Result:
    """Create the record for this token at most once; see the module docstring."""
    for _round in range(2):
        row, won = retry_when_locked(lambda: _claim(token, user=user, entity=entity), pause=POLL_SECONDS)
        if row is None:
            return Result("foreign")
        if won:
            return _attempt(row, user, payload, create, find_existing, describe)
        row = _wait(token)
        if row.status == Status.SUCCEEDED:
            audit.record(user, entity, token, payload, Outcome.DUPLICATE, upstream_id=row.upstream_id)
            return Result("duplicate", row.upstream_id, row.label)
        if row.status == Status.PENDING:
            return Result("busy")
        # The other submit ended without creating anything: this one tries again.
    return Result("busy")


def _claim(token: str, *, user, entity: str) -> tuple[CreateToken | None, bool]:
    """(the row, whether this request may call the API)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            row = CreateToken.objects.create(
                token=token, user=user, entity=entity, attempts=1, created_at=now, updated_at=now
            )
        return row, True
    except IntegrityError:
        pass
    mine = CreateToken.objects.filter(token=token, user=user, entity=entity)
    # Each UPDATE is atomic and conditional: of two requests only one changes the row.
    retried = mine.filter(status__in=[Status.FAILED, Status.UNKNOWN]).update(
        status=Status.PENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not retried:
        retried = mine.filter(status=Status.PENDING, updated_at__lt=now - STALE_AFTER).update(
            maybe_created=True, attempts=F("attempts") + 1, updated_at=now
        )
    return mine.first(), bool(retried)


def _wait(token: str) -> CreateToken:
    """The token's row once its attempt has ended, or as it is after waiting as
    long as an attempt can take."""
    deadline = time.monotonic() + wait_seconds()
    while True:
        try:
            row = CreateToken.objects.get(token=token)
            if row.status != Status.PENDING or time.monotonic() >= deadline:
                return row
        except OperationalError:
            # SQLite refuses reads for a moment while the other request writes.
            if time.monotonic() >= deadline:
                raise
        time.sleep(POLL_SECONDS)


def _attempt(row: CreateToken, user, payload, create, find_existing, describe) -> Result:
    entity, token = row.entity, row.token
    try:
        if row.maybe_created:
            try:
                existing = find_existing(payload, row.created_at)
            except SevenTimeError as error:
                _finish(row, Status.UNKNOWN, error=error.message)
                return Result("unknown", error=error)
            if existing is not None:
                label = describe(existing)
                _finish(row, Status.SUCCEEDED, upstream_id=existing.id, label=label)
                audit.record(user, entity, token, payload, Outcome.FOUND, upstream_id=existing.id)
                return Result("found", existing.id, label)
        try:
            record = create(payload)
        except SevenTimeError as error:
            return _failed(row, user, payload, error)
        label = describe(record)
        _finish(row, Status.SUCCEEDED, upstream_id=record.id, label=label)
        audit.record(user, entity, token, payload, Outcome.CREATED, upstream_id=record.id)
        return Result("created", record.id, label)
    except BaseException:
        # A bug of ours after the claim: never leave the token pending, and let a
        # retry look for the record first.
        if CreateToken.objects.filter(pk=row.pk, status=Status.PENDING).exists():
            _finish(row, Status.UNKNOWN, error="Interrupted.", maybe_created=True)
        raise


def _failed(row: CreateToken, user, payload, error: SevenTimeError) -> Result:
    """A create that raised: "failed" when the API answered that it created nothing
    (safe to simply try again), else "unknown" (no answer, a 5xx or an unreadable
    answer: the record may exist now, and the next attempt looks for it first)."""
    entity, token = row.entity, row.token
    if not error.may_have_created:
        _finish(row, Status.FAILED, error=error.message)
        audit.record(user, entity, token, payload, Outcome.REJECTED, error=error.message)
        return Result("failed", error=error)
    _finish(row, Status.UNKNOWN, error=error.message, maybe_created=True)
    outcome = Outcome.UNKNOWN if error.status is None else Outcome.FAILED
    audit.record(user, entity, token, payload, outcome, error=error.message)
    return Result("unknown", error=error)


def _finish(row: CreateToken, status: str, *, upstream_id="", label="", error="", maybe_created=None) -> None:
    changes = {
        "status": status,
        "upstream_id": upstream_id,
        "label": label[:200],
        "error": error,
        "updated_at": timezone.now(),
    }
    if maybe_created is not None:
        changes["maybe_created"] = maybe_created
    # The one write that must not be lost: the record may exist now.
    retry_when_locked(lambda: CreateToken.objects.filter(pk=row.pk).update(**changes), tries=FINISH_TRIES, pause=POLL_SECONDS)
    logger.info("Create %s %s: %s %s", row.entity, row.token[:8], status, upstream_id or error)
