"""The sync engine: one local copy of every Seven Time entity (docs/sync.md).

`sync()` runs one pass in the calling thread. For each entity it runs the
incremental calls (newest changes first, a few calls) and, when the entity's full
sweep is due by the schedule (or asked for, or no complete copy exists yet), a
full sweep that re-reads every record (sweep.py). A sweep streams into the
staging table and is moved into the copy in one transaction at its end; a sweep
that fails never touches the copy, one that cannot prove completeness adds and
refreshes what it saw but marks nothing gone.

One sync per account at a time: a run is a SyncRun row without a finish time
until it ends, and the database allows one such row per account
(`one_running_sync`), so the insert that starts a run is the lock, across
processes and machines. A second sync raises `SyncRunning` without calling the
API. A run whose heartbeat stopped `STALE_AFTER` ago (its process was killed) is
closed as abandoned, and the next run starts again cleanly (each sweep empties
its staging rows first).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from functools import partial

from django.db import IntegrityError, reset_queries, transaction
from django.utils import timezone

from seventime.errors import SevenTimeError
from seventime.ratelimit import background
from seventime.records import Invoice

from .. import api_errors
from ..api import get_client
from ..fetch import account_key, run_concurrently
from ..models import CopyStatus, SyncRun
from . import copy, schedule
from .entities import ENTITIES, ORDER, Entity
from .sweep import Answer, SweepResult, per_customer, plan_queries, sweep

logger = logging.getLogger(__name__)

#: A run whose heartbeat is older than this is taken for dead (its process was stopped).
#: Heartbeats are written every few seconds; one call is bounded by the client's timeouts.
STALE_AFTER = dt.timedelta(minutes=5)
HEARTBEAT_EVERY = 2.0  # seconds between progress writes
ABANDONED = f"{api_errors.ABANDONED_KIND}: its heartbeat stopped for 5 minutes (its process was stopped?)."
#: Attempts per call before the entity's sweep fails (the client retries too over HTTP).
ATTEMPTS = 3
RETRY_PAUSE = 1.0  # seconds, doubled per attempt
#: Contact persons re-read per incremental pass for customers that changed; beyond it,
#: the contact persons' next full sweep catches up.
MAX_CONTACT_REFRESH = 10

# Injected by tests (no real sleeping, a clock that moves).
sleep = time.sleep
now = timezone.now
monotonic = time.monotonic


class SyncRunning(Exception):
    """Another sync of this account is running; `run` is it (None if it ended just now)."""

    def __init__(self, run: SyncRun | None):
        super().__init__("Another sync of this account is running.")
        self.run = run


class _Abandoned(Exception):
    """This run was closed as abandoned by another while it ran."""


# --- calling the API ---


def _answer(entity: Entity, page) -> Answer:
    records = []
    for item, doc in zip(page.items, page.documents):
        if entity.name == "invoices":
            # Fields are converted when read: check them all now, so that a malformed
            # invoice fails the sweep (the copy keeps its last good state) instead of
            # being stored and breaking every overview page after it.
            Invoice.from_api(doc).validate()
        records.append((str(item.id), doc))
    return Answer(records, page.limit)


def _call(entity: Entity, params: dict) -> Answer:
    method = getattr(get_client(), entity.method)
    for attempt in range(ATTEMPTS):
        try:
            with background():  # a person's calls go first (seventime/ratelimit.py)
                return _answer(entity, method(**params))
        except SevenTimeError as error:
            if not error.retryable or attempt == ATTEMPTS - 1:
                raise
            pause = RETRY_PAUSE * 2**attempt
            if getattr(error, "retry_after", None):  # a 429 that said how long
                pause = max(pause, min(error.retry_after, 30.0))
            logger.info("Sync: %s %s failed (%s), retrying in %.1f s", entity.name, params, error, pause)
            sleep(pause)
    raise AssertionError("unreachable")


def _caller(entity: Entity) -> Callable[[list[dict]], list[Answer]]:
    def call(batch: list[dict]) -> list[Answer]:
        if get_client().in_process:
            # The built-in sandbox answers in this thread: no network to wait for, and
            # its answers come from this thread's database connection (transaction).
            return [_call(entity, params) for params in batch]
        answers = run_concurrently({str(i): partial(_call, entity, params) for i, params in enumerate(batch)})
        return [answers[str(i)] for i in range(len(batch))]

    return call


# --- the run ---


class _Run:
    """The SyncRun row, its progress and heartbeat."""

    def __init__(self, run: SyncRun, entities: list[str], on_progress):
        self.run = run
        self.on_progress = on_progress
        self.progress = {name: {"done": 0, "total": None, "calls": 0, "state": "waiting"} for name in entities}
        self.calls_before: dict[str, int] = {}
        self.last_write = 0.0
        self.save(force=True)

    def update(self, entity: str, *, force: bool = False, **changes) -> None:
        self.progress[entity].update(changes)
        self.save(force=force)

    def save(self, force: bool = False) -> None:
        if self.on_progress:
            self.on_progress(self.run, self.progress)
        moment = time.monotonic()
        if not force and moment - self.last_write < HEARTBEAT_EVERY:
            return
        self.last_write = moment
        # With DEBUG on (make run), Django logs every query of a connection until the next
        # web request: a sweep's batches of documents would pile up there (GBs at scale).
        reset_queries()
        calls = sum(entry["calls"] for entry in self.progress.values())
        alive = SyncRun.objects.filter(pk=self.run.pk, finished_at__isnull=True).update(
            progress=self.progress, heartbeat_at=now(), api_calls=calls
        )
        if not alive:
            raise _Abandoned
        self.run.progress, self.run.api_calls = self.progress, calls


def _start(account: str, kind: str) -> SyncRun:
    for _attempt in range(2):
        moment = now()
        stale = moment - STALE_AFTER
        for run in SyncRun.objects.filter(account=account, finished_at__isnull=True):
            if (run.heartbeat_at or run.started_at) < stale:
                SyncRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(finished_at=moment, error=ABANDONED)
        try:
            with transaction.atomic():
                return SyncRun.objects.create(account=account, kind=kind, started_at=moment, heartbeat_at=moment)
        except IntegrityError:
            running = SyncRun.objects.filter(account=account, finished_at__isnull=True).first()
            if running is not None:
                raise SyncRunning(running) from None
        # The other run ended between the insert and the look: start again.
    raise SyncRunning(None)


def _measured(account: str) -> dict[str, int]:
    """The calls each entity's last full sweep made: what paces the next ones."""
    return dict(CopyStatus.objects.filter(account=account).values_list("entity", "full_sweep_calls"))


def _wants_early(status: CopyStatus) -> bool:
    """The copy could not be proven complete, or an incremental pass saw more changes
    than one answer holds: a sweep before the interval, if the budget has room."""
    return not status.complete or bool(status.sweep.get("due"))


def _full_due(
    entity: Entity, status: CopyStatus, moment: dt.datetime, measured: dict[str, int], early: int = 1
) -> bool:
    """Whether the entity's full sweep is due. Never swept: now. Else at the schedule's
    interval (within the budget by construction); one that wants a sweep sooner
    (`_wants_early`) gets it only as often as the spare budget pays for, so that
    an entity whose copy can never be proven complete is not swept at every pass."""
    if status.last_full_at is None:
        return True
    since = moment - status.last_full_at
    if since >= schedule.full_every(entity.name, measured):
        return True
    if _wants_early(status):
        every = schedule.early_every(measured.get(entity.name) or status.full_sweep_calls, measured, early)
        return every is not None and since >= every
    return False


def sync(*, full: bool = False, on_progress=None, entities: list[str] | None = None) -> SyncRun:
    """One pass over every entity (or the given ones); see the module's docstring.
    Returns the finished SyncRun; raises SyncRunning, without calling the API, while
    another sync of the account runs."""
    account = account_key()
    names = [name for name in ORDER if entities is None or name in entities]
    moment = now()
    statuses = {name: copy.status(account, name) for name in names}
    measured = _measured(account)
    early = sum(1 for status in statuses.values() if status.last_full_at is not None and _wants_early(status))
    sweeps = {name for name in names if full or _full_due(ENTITIES[name], statuses[name], moment, measured, early)}
    kind = SyncRun.Kind.FULL if sweeps and (full or len(sweeps) == len(names)) else SyncRun.Kind.INCREMENTAL
    run = _start(account, kind)
    tracker = None
    failures, errors = [], {}
    try:
        tracker = _Run(run, names, on_progress)
        # Columns computed by older rules (a new invoice state rule, say) first: docs/sync.md.
        copy.refresh_columns(account, names)
        changed_customers: list[str] = []

        def guarded(name: str, work) -> bool:
            try:
                work()
            except (SevenTimeError, ValueError) as error:
                if isinstance(error, SevenTimeError) and not error.retryable:
                    raise  # wrong secret, unknown endpoint...: every entity would fail the same way
                text = _describe(error)
                failures.append(f"{name}: {text}")
                errors[name] = error
                _discard(account, ENTITIES[name], statuses[name])
                CopyStatus.objects.filter(pk=statuses[name].pk).update(last_error=text, last_error_at=now())
                tracker.update(name, state="failed", force=True)
                logger.warning("Sync of %s failed: %s", name, text)
                return False
            return True

        last_incremental = [monotonic()]

        def incremental_round(interleaved: bool = False) -> None:
            for name in names:
                entity = ENTITIES[name]
                if name in errors or not (entity.incremental or entity.per_customer):
                    continue
                if not interleaved:
                    tracker.update(name, state="running", force=True)
                ok = guarded(name, partial(_incremental_pass, account, entity, statuses[name], tracker, changed_customers))
                if ok and not interleaved and name not in sweeps:
                    tracker.update(name, state="done", force=True)
            last_incremental[0] = monotonic()

        def interleave() -> None:
            # A full sweep of a large entity takes minutes: new records still come in
            # every INCREMENTAL_EVERY meanwhile.
            if monotonic() - last_incremental[0] >= schedule.INCREMENTAL_EVERY.total_seconds():
                incremental_round(interleaved=True)

        # First the incremental passes (a few calls): new and changed records come first.
        incremental_round()
        swept = False
        for name in names:
            if name in errors:
                continue
            if name not in sweeps:
                tracker.update(name, state="done", force=True)
                continue
            tracker.update(name, state="running", force=True)
            if guarded(name, partial(_full, account, ENTITIES[name], statuses[name], tracker, interleave)):
                tracker.update(name, state="done", force=True)
                swept = True
        if swept:
            copy.analyze()  # PostgreSQL: plans for the new rows now, not when autovacuum comes by
        complete = all(status.complete for status in CopyStatus.objects.filter(account=account, entity__in=names))
        SyncRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            finished_at=now(),
            heartbeat_at=now(),
            complete=complete and not failures,
            progress=tracker.progress,
            api_calls=sum(entry["calls"] for entry in tracker.progress.values()),
            error="\n".join(failures)[:2000],
        )
    except _Abandoned:
        raise SyncRunning(None) from None
    except BaseException as error:
        # Whatever ended the run (the API, the database while writing, an interrupt)
        # is written down, and the run no longer blocks others.
        SyncRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            finished_at=now(), error=_describe(error)[:2000], progress=tracker.progress if tracker else {}
        )
        if isinstance(error, Exception):
            for name in names:
                _discard(account, ENTITIES[name], statuses[name])
        # Interrupted (KeyboardInterrupt, SystemExit): a sweep's staging rows and
        # checkpoint stay, and the next sync resumes it (`_resumable`).
        if isinstance(error, SevenTimeError):
            CopyStatus.objects.filter(account=account, entity__in=names).update(
                last_error=_describe(error), last_error_at=now()
            )
        raise
    run.refresh_from_db()
    #: The error that failed each entity that failed (not stored: for callers of this pass).
    run.failures = errors
    return run


def _describe(error: BaseException) -> str:
    """A failure as stored: "kind: detail", the kind worded for people by
    api_errors.sync_failures in the page's language, the detail for administrators."""
    text = getattr(error, "message", "") or str(error)
    return f"{api_errors.failure_kind(error)}: {text}"


def _incremental_pass(account, entity, status, tracker, changed_customers) -> None:
    if entity.incremental:
        calls = _incremental(account, entity, status, tracker, changed_customers)
    elif entity.per_customer and status.last_full_at is not None:
        calls = _refresh_contacts(account, entity, changed_customers, tracker)
        changed_customers.clear()
    else:
        return
    status.last_incremental_at = now()
    status.incremental_calls = calls
    status.count = copy.count(account, entity.name)
    status.save(update_fields=["last_incremental_at", "incremental_calls", "count", "watermark", "sweep"])


def _incremental(account, entity, status, tracker, changed_customers) -> int:
    """The newest records by each incremental sort, written straight into the copy."""
    params = [{"sort_by": inc.sort_by, "sort_direction": "descending"} for inc in entity.incremental]
    answers = _caller(entity)(params)
    tracker.update(entity.name, calls=tracker.progress[entity.name]["calls"] + len(params))
    moment = now()
    for inc, answer in zip(entity.incremental, answers):
        copy.upsert(account, entity, answer.records, moment)
        if not inc.tracks_watermark:
            continue
        values = [doc.get(inc.sort_by) for _rid, doc in answer.records if doc.get(inc.sort_by) not in (None, "")]
        key = _number_key if inc.numeric else str
        values = sorted((str(value) for value in values), key=key)
        old = status.watermark
        if values:
            if old and answer.capped and key(values[0]) > key(old):
                # More changed since the last pass than one answer holds: sweep soon.
                status.sweep = {**status.sweep, "due": True}
            if entity.name == "customers":
                changed_customers.extend(
                    rid for rid, doc in answer.records if old and key(str(doc.get(inc.sort_by) or "")) > key(old)
                )
            if not old or key(values[-1]) > key(old):
                status.watermark = values[-1][:64]
    tracker.update(entity.name, done=copy.count(account, entity.name))
    return len(params)


def _number_key(text: str):
    digits = "".join(ch for ch in text if ch.isdigit())
    return (len(digits), digits, text)


def _refresh_contacts(account, entity, customer_ids, tracker) -> int:
    """Contact persons of customers that changed since the last pass, one call each;
    a customer's contact persons no longer listed are marked gone."""
    ids = list(dict.fromkeys(customer_ids))[:MAX_CONTACT_REFRESH]
    if not ids:
        return 0
    answers = _caller(entity)([{"customer_id": cid} for cid in ids])
    moment = now()
    for cid, answer in zip(ids, answers):
        copy.upsert(account, entity, answer.records, moment)
        if not answer.capped:
            listed = set(answer.ids)
            missing = copy.live(account, entity.name).filter(customer_id=cid).exclude(record_id__in=listed)
            copy.mark_gone(account, entity, missing.values_list("record_id", flat=True), moment)
    tracker.update(entity.name, calls=tracker.progress[entity.name]["calls"] + len(ids))
    return len(ids)


def _plan(account: str, entity: Entity, status: CopyStatus) -> list[str] | None:
    """The planned sweep's first queries (sweep.plan_queries) once the copy is complete;
    None for the first sweep (or after one that could not prove completeness)."""
    if not entity.refine_field or not status.complete or status.last_complete_at is None:
        return None
    numbers = copy.live(account, entity.name).values_list(f"data__{entity.refine_field}", flat=True)
    return plan_queries(entity, (str(n) for n in numbers.iterator(chunk_size=2000) if n), status.sweep.get("matching"))


def _discard(account: str, entity: Entity, status: CopyStatus | None = None) -> None:
    """Drop a sweep's staging rows, and with them the checkpoint it could resume from."""
    copy.discard_stage(account, entity)
    status = status or CopyStatus.objects.filter(account=account, entity=entity.name).first()
    if status is not None and "resume" in status.sweep:
        status.sweep = {key: value for key, value in status.sweep.items() if key != "resume"}
        CopyStatus.objects.filter(pk=status.pk).update(sweep=status.sweep)


def _resumable(account: str, entity: Entity, status: CopyStatus, moment: dt.datetime, measured) -> dict | None:
    """The checkpoint of a sweep of this entity that was stopped (its process killed or
    interrupted), if it can go on: begun within the entity's interval (else what it
    read is too old to count as re-read), its staging rows still there."""
    state = status.sweep.get("resume")
    if entity.per_customer or not isinstance(state, dict) or not state.get("done"):
        return None
    try:
        started = dt.datetime.fromisoformat(state["started"])
    except (KeyError, TypeError, ValueError):
        return None
    if moment - started > schedule.full_every(entity.name, measured):
        return None
    if not copy.staged(account, entity).exists():
        return None
    return {**state, "started": started}


def _full(account, entity, status, tracker, interleave=lambda: None) -> None:
    resume = _resumable(account, entity, status, now(), _measured(account))
    if resume:
        # A stopped sweep goes on after its last finished batch of first queries, with
        # what it staged; it began when the stopped one began (what is gone is what no
        # read since then saw).
        started, done, calls_earlier = resume["started"], set(resume["done"]), int(resume.get("calls", 0))
        seen_ids = set(copy.staged(account, entity).values_list("record_id", flat=True))
        logger.info("Sync: resuming the full sweep of %s begun %s (%d first queries done)", entity.name, started, len(done))
    else:
        _discard(account, entity, status)  # what an abandoned run left behind
        started, done, calls_earlier, seen_ids = now(), set(), 0, set()
    calls_before = tracker.progress[entity.name]["calls"]
    caller = _caller(entity)
    made = [0]

    def checkpoint(units: list[str]) -> None:
        done.update(units)
        state = {"started": started.isoformat(), "done": sorted(done), "calls": calls_earlier + made[0]}
        status.sweep = {**status.sweep, "resume": state}
        CopyStatus.objects.filter(pk=status.pk).update(sweep=status.sweep)

    def emit(records):
        copy.stage(account, entity, records, now())

    def on_calls(count):
        made[0] = count
        tracker.update(entity.name, calls=calls_before + count)
        interleave()

    def emit_counting(records):
        emit(records)
        tracker.update(entity.name, done=tracker.progress[entity.name]["done"] + len(records))

    # The last full sweep's count is the best guess of the total (an incremental pass's is not).
    tracker.update(entity.name, done=0, total=(status.count or None) if status.last_full_at else None)
    if entity.per_customer:
        customers = copy.live(account, "customers").order_by("pk").values_list("record_id", flat=True)
        tracker.update(entity.name, total=None)
        result = per_customer(customers.iterator(chunk_size=500), caller, emit_counting, on_calls=on_calls)
        if not CopyStatus.objects.filter(account=account, entity="customers", complete=True).exists():
            result.reasons.append("The customers' copy is not complete, so neither is the contact persons'.")
    else:
        plan = _plan(account, entity, status)
        result: SweepResult = sweep(
            entity, caller, emit_counting, on_calls=on_calls, plan=plan,
            done=done, seen_ids=seen_ids, on_unit_done=checkpoint,
        )  # fmt: skip
    finished = now()
    with transaction.atomic():
        if not SyncRun.objects.filter(pk=tracker.run.pk, finished_at__isnull=True).update(heartbeat_at=finished):
            raise _Abandoned
        gone = copy.finalize(account, entity, started=started, now=finished, proven=result.complete)
        status.count = copy.count(account, entity.name)
        status.last_full_at = started
        status.full_sweep_calls = calls_earlier + result.calls
        status.complete = result.complete
        status.incomplete_reason = "\n".join(result.reasons)[:2000]
        status.sweep = {key: value for key, value in status.sweep.items() if key != "resume"}
        if result.matching:
            status.sweep = {**status.sweep, "matching": result.matching}
        if result.complete:
            status.last_complete_at = started
            status.sweep = {key: value for key, value in status.sweep.items() if key != "due"}
        status.save()
    tracker.update(entity.name, done=status.count, total=status.count)
    if gone:
        logger.info("Sync: %d %s no longer in Seven Time", gone, entity.name)


# --- freshness ---


def copy_is_fresh(at: dt.datetime | None = None) -> bool:
    """Every entity's copy is complete, its last complete sweep within the schedule's
    interval (with slack), and entities with incremental passes were read lately."""
    return not stale_entities(at)


def stale_entities(at: dt.datetime | None = None) -> list[str]:
    """Why the copy is not complete and fresh, one line per entity (empty when it is)."""
    account = account_key()
    moment = at or now()
    statuses = {status.entity: status for status in CopyStatus.objects.filter(account=account)}
    measured = {name: status.full_sweep_calls for name, status in statuses.items()}
    problems = []
    for name, entity in ENTITIES.items():
        status = statuses.get(name)
        if status is None or status.last_full_at is None:
            problems.append(f"{name}: never copied")
        elif not status.complete or status.last_complete_at is None:
            problems.append(f"{name}: not proven complete ({status.incomplete_reason or status.last_error or 'unknown'})")
        elif moment - status.last_complete_at > schedule.full_every(name, measured) + schedule.FRESH_SLACK:
            problems.append(f"{name}: last complete {status.last_complete_at:%Y-%m-%d %H:%M}")
        elif entity.incremental:
            read = max(filter(None, (status.last_incremental_at, status.last_full_at)))
            if moment - read > schedule.INCREMENTAL_EVERY + schedule.FRESH_SLACK:
                problems.append(f"{name}: last read {read:%Y-%m-%d %H:%M}")
    return problems


def running_run() -> SyncRun | None:
    return SyncRun.objects.filter(account=account_key(), finished_at__isnull=True).first()
