"""The background worker's tasks (huey): the sync schedule and "Sync now".

The worker is `python manage.py run_huey` (`make run` starts one beside the web
server). Every minute its scheduler enqueues the passes of the coming minute
(`PASS_SECONDS` apart); each pass is `engine.sync()`, which makes it incremental
or a full sweep as the schedule says (dashboard/sync/schedule.py). One sync per
account at a time is the engine's: its running SyncRun row is unique per account
in the database every worker and web server shares, so a pass that finds another
running (on this worker or on another machine) is skipped and logged at info.

See docs/sync.md, "Background worker".
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from seventime import SevenTimeError

log = logging.getLogger(__name__)

#: Seconds between two scheduled passes. huey's schedule is per minute: a pass
#: every minute at most, unless the engine's plan asks for more often, in which case
#: the minute's task enqueues the others with a delay.
PASS_SECONDS = 60
#: A scheduled pass still waiting this long (a long full sweep holds the worker) is
#: dropped: the next minute's pass does the same work, passes do not pile up.
PASS_EXPIRES = dt.timedelta(seconds=55)


def pass_seconds() -> int:
    """How often the engine's plan wants a pass (`schedule.INCREMENTAL_EVERY`), at
    least 5 seconds and at most a minute."""
    from . import schedule

    seconds = schedule.INCREMENTAL_EVERY.total_seconds()
    return max(5, min(PASS_SECONDS, int(seconds)))


#: Set by "Sync now" in the queue's storage (shared by web servers and workers) until
#: the run it asked for has its SyncRun row: between the worker taking the task and
#: the row, the task is neither waiting nor running, and the page would stop looking.
ASKED = "sync-asked"
#: A request older than this is forgotten (its worker was stopped before it started).
ASKED_FOR_AT_MOST = 600


def run_pass(*, full: bool = False, entities: list[str] | None = None, on_start=None):
    """One pass of the engine, here and now. Returns its SyncRun, or None when
    another run of the account was going on (normal with several workers) or the
    API failed (the run and the copy's status say so; the next pass tries again).
    `entities` narrows the pass (the overview's "Sync now": the invoices only).
    `on_start` is called once, when the run's row exists."""
    from . import engine

    started = []

    def on_progress(run, progress):
        if on_start and not started:
            started.append(run)
            on_start()

    try:
        run = engine.sync(full=full, on_progress=on_progress, entities=entities)
    except engine.SyncRunning as running:
        since = running.run.started_at if running.run else None
        log.info("Sync not started: another run of this account is going on%s.", f" (since {timezone.localtime(since):%H:%M:%S})" if since else "")
        return None
    except SevenTimeError as error:
        log.warning("Sync failed: %s", error.message)
        return None
    log.info(
        "Sync %s: %s, %d API calls.",
        run.kind,
        "complete" if run.complete else "not complete",
        run.api_calls,
    )
    return run


def _forget_request() -> None:
    HUEY.delete(ASKED)


@db_task(name="sync")
def sync_task(full: bool = False, entities: list[str] | None = None) -> int | None:
    try:
        run = run_pass(full=full, entities=entities, on_start=_forget_request)
    finally:
        _forget_request()
    return run.pk if run is not None else None


@db_periodic_task(crontab(minute="*"), expires=PASS_EXPIRES, name="scheduled_sync")
def scheduled_sync() -> None:
    """This minute's passes: one now, the others `pass_seconds()` apart."""
    seconds = pass_seconds()
    for delay in range(seconds, 60, seconds):
        sync_task.schedule(delay=delay, expires=PASS_EXPIRES + dt.timedelta(seconds=delay))
    run_pass()


def start_sync(full: bool = False, entities: list[str] | None = None):
    """Enqueue a pass in the worker and return at once ("Sync now")."""
    HUEY.put(ASKED, time.time())
    return sync_task(full, entities)


def waiting() -> bool:
    """Whether a run was asked for that has not started yet (False when the queue
    cannot be read: the page still shows the copy)."""
    try:
        asked = HUEY.get(ASKED, peek=True)
        return bool(HUEY.pending_count()) or (asked is not None and time.time() - asked < ASKED_FOR_AT_MOST)
    except Exception:
        log.warning("The task queue could not be read.", exc_info=True)
        return False
