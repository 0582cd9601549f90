"""The background worker (huey) and the Sync page: settings, the schedule, "Sync
now" handing runs to the worker, the page's permissions, counts, progress and
failures, and two real worker processes never running two syncs of one account."""

from __future__ import annotations

import datetime as dt
import logging
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from dashboard.fetch import account_key
from dashboard.models import CopyStatus, SyncRun
from dashboard.settings import task_queue
from dashboard.sync import engine, tasks
from dashboard.sync.views import ENTITIES

from seventime import Unavailable
from tests.conftest import run_queued_tasks

SYNC = "/sync/"


# --- settings ---


def test_the_queue_is_a_sqlite_file_by_default_and_redis_or_postgres_when_asked_for(tmp_path):
    sqlite = task_queue(f"sqlite:///{tmp_path / 'queue.sqlite3'}", 1)
    assert sqlite["huey_class"] == "huey.SqliteHuey" and sqlite["filename"] == str(tmp_path / "queue.sqlite3")
    assert task_queue("sqlite:///queue.sqlite3", 1)["filename"] == "queue.sqlite3"
    redis = task_queue("redis://127.0.0.1:6379/2", 3)
    assert redis["huey_class"] == "huey.RedisHuey" and redis["url"] == "redis://127.0.0.1:6379/2"
    assert redis["consumer"]["workers"] == 3
    postgres = task_queue("postgres://u:p@db/dashboard", 1)
    assert postgres["huey_class"] == "huey.PostgresHuey" and postgres["dsn"] == "postgresql://u:p@db/dashboard"
    # Never djhuey's default of running tasks inside the request under DEBUG.
    assert all(config["immediate"] is False for config in (sqlite, redis, postgres))
    with pytest.raises(ImproperlyConfigured, match="TASK_QUEUE_URL"):
        task_queue("amqp://broker", 1)


def test_the_default_queue_file_lies_beside_the_database(monkeypatch):
    import importlib

    import dashboard.settings as project_settings

    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/dashboard/db.sqlite3")
    monkeypatch.setenv("TASK_QUEUE_URL", "")
    monkeypatch.setenv("SECRET_KEY", "x")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.HUEY["filename"] == "/srv/dashboard/queue.sqlite3"
        assert reloaded.HUEY["huey_class"] == "huey.SqliteHuey"
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


# --- the tasks ---


class FakeEngine:
    """engine.sync stand-in: records its calls; raises what it is told to."""

    def __init__(self, raises=None):
        self.calls: list[bool] = []
        self.raises = raises

    def __call__(self, *, full=False, on_progress=None, entities=None):
        self.calls.append(full if entities is None else (full, entities))
        if self.raises:
            raise self.raises
        now = timezone.now()
        run = SyncRun.objects.create(
            account=account_key(), kind="full" if full else "incremental", started_at=now, finished_at=now,
            complete=True, api_calls=3,
        )
        if on_progress:
            on_progress(run, {})
        return run


@pytest.fixture
def fake_engine(monkeypatch):
    fake = FakeEngine()
    monkeypatch.setattr(engine, "sync", fake)
    return fake


def test_the_schedule_runs_a_pass_of_the_engine_every_minute(db, fake_engine):
    minute = dt.datetime(2026, 12, 5, 10, 17)
    assert all(tasks.scheduled_sync.s().validate_datetime(minute + dt.timedelta(minutes=m)) for m in range(60))
    tasks.scheduled_sync.call_local()
    assert fake_engine.calls == [False]  # the engine decides whether a full sweep is due


def test_the_minute_enqueues_the_plans_further_passes_when_it_wants_them_more_often(db, fake_engine, monkeypatch):
    monkeypatch.setattr(tasks, "pass_seconds", lambda: 20)
    tasks.scheduled_sync.call_local()
    assert fake_engine.calls == [False]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    delays = sorted((task.eta - now).total_seconds() for task in HUEY.pending())  # a worker holds them until their time
    assert [round(delay / 20) for delay in delays] == [1, 2]  # the passes at :20 and :40


def test_another_run_going_on_is_logged_at_info_not_as_an_error(db, monkeypatch, caplog):
    running = SyncRun.objects.create(account=account_key(), kind="full", started_at=timezone.now())
    fake = FakeEngine(raises=engine.SyncRunning(running))
    monkeypatch.setattr(engine, "sync", fake)
    with caplog.at_level(logging.INFO, logger="dashboard.sync.tasks"):
        assert tasks.run_pass() is None
        tasks.scheduled_sync.call_local()
    assert fake.calls == [False, False]
    assert [record.levelno for record in caplog.records] == [logging.INFO, logging.INFO]
    assert "another run" in caplog.records[0].getMessage()


def test_start_sync_enqueues_and_returns_without_syncing(db, fake_engine):
    tasks.start_sync()
    tasks.start_sync(full=True)
    assert fake_engine.calls == [] and HUEY.pending_count() == 2
    assert run_queued_tasks() == 2
    assert fake_engine.calls == [False, True]


# --- the Sync page ---


def test_the_sync_page_is_for_managers(db, office_user, manager_user):
    from django.test import Client

    office_client, manager_client = Client(), Client()
    office_client.force_login(office_user)
    manager_client.force_login(manager_user)
    assert office_client.get(SYNC).status_code == 403
    assert office_client.post(reverse("sync_now")).status_code == 403
    assert HUEY.pending_count() == 0
    assert manager_client.get(SYNC).status_code == 200
    assert 'href="/sync/"' in manager_client.get("/").content.decode()
    assert 'href="/sync/"' not in office_client.get("/").content.decode()
    assert Permission.objects.get(codename="view_sync").group_set.filter(name="Managers").exists()


def test_the_page_lists_every_entity_with_its_count_completeness_and_calls(manager_client):
    now = timezone.now()
    CopyStatus.objects.create(
        account=account_key(), entity="invoices", count=612, complete=True, last_complete_at=now,
        full_sweep_calls=123, incremental_calls=2,
    )
    CopyStatus.objects.create(
        account=account_key(), entity="customers", count=340, complete=False,
        incomplete_reason="100 customers named Anders", last_error="Seven Time is not answering",
        last_error_at=now,
    )
    page = manager_client.get(SYNC).content.decode()
    for label in ENTITIES.values():
        assert f"<th scope=\"row\">{label}</th>" in page
    invoices = page.split('data-entity="invoices"')[1].split("</tr>")[0]
    assert ">612<" in invoices and "Complete" in invoices and ">123 / 2<" in invoices
    assert timezone.localtime(now).strftime("%Y-%m-%d %H:%M") in invoices
    customers = page.split('data-entity="customers"')[1].split("</tr>")[0]
    assert "Not complete" in customers and "100 customers named Anders" in customers
    assert "Seven Time is not answering" in customers
    assert "Every entity is complete." not in page
    assert "hx-trigger" not in page  # nothing running, nothing waiting: no polling


def test_a_running_run_shows_its_progress_and_the_partial_keeps_polling_until_it_ends(manager_client):
    run = SyncRun.objects.create(
        account=account_key(), kind="full", started_at=timezone.now(), api_calls=17,
        progress={
            "customers": {"done": 340, "total": 340, "calls": 12, "state": "done"},
            "invoices": {"done": 150, "total": 600, "calls": 5, "state": "running"},
        },
    )
    page = manager_client.get(SYNC).content.decode()
    assert 'hx-trigger="every 1s"' in page and "Full sweep" in page and "17 API calls so far" in page
    assert '<progress id="run-bar" value="62" max="100"' in page  # (1 + 150/600) / 2
    assert 'value="150" max="600"' in page
    partial = manager_client.get(SYNC, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="sync-status"') and "<html" not in partial
    assert 'hx-trigger="every 1s"' in partial

    SyncRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), complete=True)
    for entity in ENTITIES:
        CopyStatus.objects.create(account=account_key(), entity=entity, count=1, complete=True)
    partial = manager_client.get(SYNC, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial and "Every entity is complete." in partial
    assert "No sync is running." in partial


def test_every_failure_is_listed_with_its_time_and_message(manager_client):
    started = timezone.now() - dt.timedelta(hours=2)
    for n in range(25):
        SyncRun.objects.create(
            account=account_key(), started_at=started + dt.timedelta(minutes=n), finished_at=started + dt.timedelta(minutes=n, seconds=30),
            error=f"SevenTimeUnavailable: failure number {n}",
        )
    SyncRun.objects.create(account="another-account", started_at=started, finished_at=started, error="not ours")
    first = manager_client.get(SYNC).content.decode()
    second = manager_client.get(SYNC, {"page": 2}).content.decode()
    shown = first + second
    assert all(f"failure number {n}<" in shown for n in range(25))
    assert "not ours" not in shown
    assert timezone.localtime(started + dt.timedelta(minutes=24)).strftime("%Y-%m-%d %H:%M:%S") in first


def test_sync_now_hands_a_run_to_the_worker_and_returns_at_once(manager_client, fake_engine):
    response = manager_client.post(reverse("sync_now"))
    assert response.status_code == 302 and response["Location"] == SYNC
    assert fake_engine.calls == []  # not synced in the request
    assert HUEY.pending_count() == 1
    page = manager_client.get(SYNC).content.decode()
    assert "A sync was handed to the worker" in page
    assert "waiting for the worker" in page and 'hx-trigger="every 2s"' in page

    run_queued_tasks()
    assert fake_engine.calls == [False]
    page = manager_client.get(SYNC).content.decode()
    assert "hx-trigger" not in page and "The last run, an incremental pass, ended" in page

    manager_client.post(reverse("sync_now"), {"full": "1"})
    run_queued_tasks()
    assert fake_engine.calls == [False, True]


def test_the_page_keeps_looking_while_the_worker_has_taken_the_task_but_not_yet_started_the_run(
    manager_client, fake_engine
):
    manager_client.post(reverse("sync_now"))
    task = HUEY.dequeue()  # the worker took it; no SyncRun row yet
    assert HUEY.pending_count() == 0
    assert 'hx-trigger="every 2s"' in manager_client.get(SYNC).content.decode()
    with mock.patch("huey.contrib.djhuey.close_old_connections", lambda: None):  # the test's connection
        task.execute()
    assert "hx-trigger" not in manager_client.get(SYNC).content.decode()


def test_a_run_asked_for_that_did_not_start_is_forgotten_when_told_another_is_running(manager_client, monkeypatch):
    running = SyncRun.objects.create(account=account_key(), started_at=timezone.now(), finished_at=timezone.now())
    monkeypatch.setattr(engine, "sync", FakeEngine(raises=engine.SyncRunning(running)))
    manager_client.post(reverse("sync_now"))
    run_queued_tasks()
    assert "hx-trigger" not in manager_client.get(SYNC).content.decode()


def test_sync_now_while_a_run_is_going_on_says_so_and_enqueues_nothing(manager_client, fake_engine):
    SyncRun.objects.create(account=account_key(), started_at=timezone.now())
    response = manager_client.post(reverse("sync_now"), follow=True)
    assert "A sync is running already" in response.content.decode()
    assert HUEY.pending_count() == 0 and fake_engine.calls == []


def test_sync_now_needs_a_post_with_the_csrf_token(db, manager_user, fake_engine):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    assert client.get(reverse("sync_now")).status_code == 405
    assert client.post(reverse("sync_now")).status_code == 403
    assert HUEY.pending_count() == 0


def test_the_sync_page_in_swedish(manager_client):
    manager_client.post("/i18n/setlang/", {"language": "sv", "next": SYNC})
    page = manager_client.get(SYNC).content.decode()
    assert "Synkronisering med Seven Time" in page and "Fakturataggar" in page and "Synkronisera nu" in page


# --- two real workers at once ---


def _database_url(settings_dict: dict) -> str:
    """The test database as a DATABASE_URL another process can open."""
    if settings_dict["ENGINE"].endswith("postgresql"):
        db = settings_dict
        return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{settings_dict['NAME']}"


def _events(n: int, process, found: "queue.Queue") -> None:
    """Hand on what worker `n` logs about its task: that it started one (huey's
    "Executing"), and that it was told another run is going on (a thread per worker:
    the test waits on the queue, never by sleeping)."""
    for line in process.stdout:
        if "Executing" in line:
            found.put((n, "started"))
        elif "another run of this account is going on" in line:
            found.put((n, "told running"))


@pytest.mark.django_db(transaction=True)
def test_two_workers_started_at_once_never_run_two_syncs_of_one_account(sandbox_data, tmp_path):
    """Two `manage.py run_huey` processes against one database (SQLite, or PostgreSQL
    in the production run) and one SQLite queue, each taking one of two "Sync now" tasks at once: one syncs, the other is
    told a run is going on and makes no run of its own."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import queue
    import threading

    from django.db import connection

    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DEBUG": "false",
        "SECRET_KEY": "tests-only-not-a-secret",
        "SANDBOX_ENABLED": "true",
        "SEVENTIME_API_URL": "",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "TASK_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        "SANDBOX_LATENCY_MS": "30",  # a run long enough for both workers to meet it
    }
    manage = [sys.executable, str(root / "manage.py")]
    subprocess.run(
        manage + ["shell", "-c", "from dashboard.sync.tasks import start_sync; start_sync(); start_sync()"],
        env=env, cwd=root, check=True, timeout=60,
    )
    found: queue.Queue = queue.Queue()
    workers = [
        subprocess.Popen(
            manage + ["run_huey", "--workers", "1", "--no-periodic"],
            env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for _n in range(2)
    ]
    readers = [
        threading.Thread(target=_events, args=(n, worker, found), daemon=True) for n, worker in enumerate(workers)
    ]
    for reader in readers:
        reader.start()
    events = []
    try:
        # Both took a task, and one was told that the other's run is going on: the
        # other is syncing (at 4 calls a second, for a minute or two: not waited for).
        while not (
            {n for n, what in events if what == "started"} == {0, 1}
            and any(what == "told running" for _n, what in events)
        ):
            events.append(found.get(timeout=120))
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=30)
    told = {n for n, what in events if what == "told running"}
    assert len(told) == 1, events  # the other one is the one syncing
    assert SyncRun.objects.count() == 1


def test_failures_are_worded_in_the_pages_language_with_the_stored_detail_beside(manager_client):
    started = timezone.now() - dt.timedelta(hours=1)
    detail = engine._describe(Unavailable("Connection refused by api.example"))
    SyncRun.objects.create(
        account=account_key(), started_at=started, finished_at=started, error=f"invoices: {detail}\nwork_orders: ValueError: bad date"
    )
    SyncRun.objects.create(account=account_key(), started_at=started, finished_at=started, error=engine.ABANDONED)
    CopyStatus.objects.create(account=account_key(), entity="customers", last_error=detail, last_error_at=started)

    english = manager_client.get(SYNC).content.decode()
    manager_client.post("/i18n/setlang/", {"language": "sv", "next": SYNC})
    swedish = manager_client.get(SYNC).content.decode()

    assert english.count("Seven Time is not answering") == 2  # the run, and the customers' last error
    assert "Invoices: <span" in english and "Work orders: <span" in english
    assert "Seven Time sent a record the dashboard could not read." in english
    assert "The run stopped: its process gave no sign of life for 5 minutes." in english
    assert swedish.count("Seven Time svarar inte") == 2
    assert "Fakturor: <span" in swedish
    assert "Seven Time skickade en post som dashboarden inte kunde läsa." in swedish
    assert "Körningen avbröts: dess process har inte hörts av på 5 minuter." in swedish
    # The stored detail stays, for administrators.
    assert "Unavailable: Connection refused by api.example" in swedish
    assert "Seven Time is not answering" not in swedish
