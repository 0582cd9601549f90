"""Several people (or processes) at the same moment: creates, and syncs of the
invoice copy. Requests go to a live server on the SQLite file database the tests
run on (tests/settings.py): each request and each thread has its own connection,
as under `make run`, so SQLite locks as it does in production. Overlaps are forced
with events and barriers, never with sleeps."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import IntegrityError, OperationalError, connections
from django.test import Client
from django.utils import timezone

from dashboard.overview import sync as invoice_sync
from dashboard.fetch import account_key
from dashboard.models import CopyStatus, SyncedRecord, SyncRun
from dashboard.sync import engine
from dashboard.sync.sweep import SweepResult
from seventime import ServerError
from seventime.sandbox import store
from tests.sandbox.cases import SECRET
from tests.create.test_forms import fill, form_values, input_value, open_form, submit
from tests.overview.test_overview import coverage, doc, parse
from tests.test_project import run_settings
from tests.conftest import run_queued_tasks

AT_ONCE = 5
DETAIL = re.compile(r"/customers/([0-9a-f]{24})/$")


def browser_for(live_server, user) -> requests.Session:
    """A requests session logged in as `user` (the session cookie of a forced login)."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.trust_env = False  # loopback only, whatever proxy the environment names
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def open_customer_form(live_server, session: requests.Session) -> dict[str, list[str]]:
    answer = session.get(f"{live_server.url}/customers/new/", timeout=30)
    assert answer.status_code == 200
    return form_values(answer.text)


def post_all_at_once(live_server, posts: list[tuple[requests.Session, dict]]) -> list[requests.Response]:
    """Every submit leaves at the same moment (a barrier), each on its own connection."""
    barrier = threading.Barrier(len(posts), timeout=30)

    def post(item):
        session, data = item
        barrier.wait()
        return session.post(
            f"{live_server.url}/customers/new/",
            data=data,
            headers={"Referer": f"{live_server.url}/customers/new/"},
            timeout=60,
        )

    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(post, posts))


def customers_named(name: str) -> list[dict]:
    return [doc for doc in store.all("customers") if doc.get("name") == name]


@pytest.fixture
def office(django_user_model, sandbox_data):
    # Transactional tests empty the tables, the groups of the migrations included.
    user = django_user_model.objects.create_user("samtidig")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_customers", "add_customers"]))
    return user


@pytest.mark.django_db(transaction=True)
def test_five_people_creating_customers_at_the_same_moment_all_succeed(live_server, office):
    """Before immediate transactions, most of them answered a bare 500 ("database is
    locked") and their customers were never created."""
    posts = []
    for n in range(AT_ONCE):
        session = browser_for(live_server, office)
        posts.append((session, fill(open_customer_form(live_server, session), name=f"Samtidig Kund {n}")))

    answers = post_all_at_once(live_server, posts)

    assert [answer.status_code for answer in answers] == [200] * AT_ONCE
    created = []
    for n, answer in enumerate(answers):
        assert DETAIL.search(answer.url), answer.url  # each lands on its customer's page
        [customer] = customers_named(f"Samtidig Kund {n}")  # exactly once
        assert f"Customer “Samtidig Kund {n} ({customer['customerNumber']})” was created." in answer.text
        assert DETAIL.search(answer.url).group(1) == customer["_id"]
        created.append(customer["customerNumber"])
    assert len(set(created)) == AT_ONCE  # each got its own number


@pytest.mark.django_db(transaction=True)
def test_one_form_submitted_five_times_at_the_same_moment_creates_one_customer(live_server, office):
    session = browser_for(live_server, office)
    data = fill(open_customer_form(live_server, session), name="Dubbelklick AB")
    clicks = []
    for _n in range(AT_ONCE):
        click = requests.Session()
        click.trust_env = False
        click.cookies.update(session.cookies)
        clicks.append((click, data))

    answers = post_all_at_once(live_server, clicks)

    [customer] = customers_named("Dubbelklick AB")
    assert [answer.status_code for answer in answers] == [200] * AT_ONCE
    # Every answer is the one customer's page: none lost the form to an error page.
    assert {answer.url for answer in answers} == {f"{live_server.url}/customers/{customer['_id']}/"}
    created = f"Customer “Dubbelklick AB ({customer['customerNumber']})” was created."
    assert all(created in answer.text for answer in answers)


# --- when the sandbox's database fails all the same (busy beyond the timeout) ---


def locked(*args, **kwargs):
    raise OperationalError("database is locked")


def test_a_database_error_in_the_sandbox_is_a_503_answer_and_creates_nothing(client, db, monkeypatch):
    before = len(store.all("customers"))
    monkeypatch.setattr(store, "add", locked)
    answer = client.post(
        "/sandbox/api/1/customers", '{"name": "Låst AB"}', content_type="application/json", HTTP_CLIENT_SECRET=SECRET
    )
    assert answer.status_code == 503
    assert answer.json() == {"errorMessage": "The sandbox's database is busy. Try again."}
    assert len(store.all("customers")) == before


def test_a_database_error_in_the_sandbox_gives_the_create_form_back_with_everything_typed(
    office_client, monkeypatch
):
    data = fill(form_values(open_form(office_client, "customers")), name="Låst AB", city="Västra Karup")
    monkeypatch.setattr(store, "add", locked)

    answer = submit(office_client, "customers", data)

    page = answer.content.decode()
    assert answer.status_code == 502
    assert "Seven Time did not confirm whether the customer was created. Nothing you typed is lost." in page
    assert '<button type="submit" form="create-form" class="retry">Try again</button>' in page
    assert (input_value(page, "name"), input_value(page, "city")) == ("Låst AB", "Västra Karup")

    monkeypatch.undo()  # "Try again" once the database answers
    again = office_client.post("/customers/new/", data, follow=True)
    assert again.redirect_chain and "Customer “Låst AB" in again.content.decode()


# --- the invoice copy: one sync per account at a time ---


class HeldSync:
    """Stands in for the full sweep of the API's invoices: a sync that gets there
    holds until the test releases it, so that a second one starts meanwhile."""

    def __init__(self, *numbers: str):
        self.documents = {f"inv-{n}": doc(n) for n in numbers}
        self.in_fetch, self.release = threading.Event(), threading.Event()
        self.fetches = 0

    def __call__(self, entity, caller, emit, *, on_calls=None, **_planning):
        self.fetches += 1
        self.in_fetch.set()
        assert self.release.wait(10), "the test never released the sync"
        emit(list(self.documents.items()))
        return SweepResult(calls=12, seen=len(self.documents))


def fixed_sweep(documents: dict):
    """A full sweep that finds exactly these invoices (no API calls)."""

    def sweep(entity, caller, emit, *, on_calls=None, **_planning):
        emit(list(documents.items()))
        return SweepResult(calls=12, seen=len(documents))

    return sweep


def copied_invoices() -> list[str]:
    return sorted(
        SyncedRecord.objects.filter(entity="invoices", gone_at__isnull=True).values_list("record_id", flat=True)
    )


def invoice_full_sweep():
    return engine.sync(full=True, entities=["invoices"])


class InThread:
    """Work in a thread of its own (its own database connection), its result or error kept."""

    def __init__(self, work: Callable):
        self.result, self.error = None, None
        self.thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self.thread.start()

    def _run(self, work):
        try:
            self.result = work()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            self.error = error
        finally:
            connections.close_all()

    def join(self) -> InThread:
        self.thread.join(10)
        assert not self.thread.is_alive(), "still running: it waited for the other sync instead of being told"
        return self


@pytest.fixture
def held(monkeypatch):
    sync = HeldSync("1001", "1002", "1003")
    monkeypatch.setattr("dashboard.sync.engine.sweep", sync)
    yield sync
    sync.release.set()  # never leave a thread waiting, whatever the test did


@pytest.fixture
def manager(django_user_model, sandbox_data):
    user = django_user_model.objects.create_user("chef")
    user.user_permissions.add(Permission.objects.get(codename="view_invoice_overview"))
    return user


@pytest.mark.django_db(transaction=True)
def test_a_second_sync_while_one_runs_is_told_so_and_the_copy_is_made_once(held):
    first = InThread(invoice_full_sweep)
    assert held.in_fetch.wait(10)

    second = InThread(invoice_full_sweep).join()
    held.release.set()
    first.join()

    assert first.error is None and CopyStatus.objects.get(entity="invoices").count == 3
    assert isinstance(second.error, engine.SyncRunning) and isinstance(second.error, invoice_sync.SyncRunning)
    assert second.error.run.pk == first.result.pk  # it names the run in progress
    assert held.fetches == 1  # the API was enumerated once
    [run] = SyncRun.objects.all()
    assert run.finished_at is not None and run.error == "" and run.complete
    assert copied_invoices() == ["inv-1001", "inv-1002", "inv-1003"]


@pytest.mark.django_db(transaction=True)
def test_the_command_says_a_sync_is_running_and_exits_with_tempfail(held):
    first = InThread(invoice_sync.sync_invoices)
    assert held.in_fetch.wait(10)
    started = timezone.localtime(SyncRun.objects.get().started_at)

    command = InThread(lambda: call_command("sync_invoices")).join()
    held.release.set()
    first.join()

    assert isinstance(command.error, CommandError)
    assert command.error.returncode == os.EX_TEMPFAIL == 75
    assert str(command.error) == (
        f"Another sync of these invoices is running (started {started:%Y-%m-%d %H:%M:%S}); nothing was done. "
        "Try again when it has finished."
    )
    assert held.fetches == 1 and first.result.invoice_count == 3


@pytest.mark.django_db(transaction=True)
def test_two_first_visits_of_the_overview_at_once_ask_the_worker_once_and_both_get_a_page(live_server, manager, held):
    """With no copy yet, the first visits hand the copy to the worker (once) and say
    so; their pages look again by itself and show the figures once it is made."""
    from huey.contrib.djhuey import HUEY

    first_browser, second_browser = browser_for(live_server, manager), browser_for(live_server, manager)
    overview = f"{live_server.url}/overview/"
    with ThreadPoolExecutor(2) as pool:
        visits = list(pool.map(lambda browser: browser.get(overview, timeout=30), [first_browser, second_browser]))
    for visit in visits:
        assert visit.status_code == 200
        assert "The invoices are being copied" in visit.text
        assert '<meta http-equiv="refresh" content="5">' in visit.text
    assert HUEY.pending_count() == 1 and held.fetches == 0  # nothing copied in a request

    worker = InThread(run_queued_tasks)
    assert held.in_fetch.wait(10)
    started = timezone.localtime(SyncRun.objects.get().started_at)
    meanwhile = second_browser.get(overview, timeout=30)
    held.release.set()
    worker.join()

    assert worker.error is None
    assert f"It started at {started:%H:%M}." in meanwhile.text
    again = second_browser.get(overview, timeout=30)  # what the reload shows
    assert "all 3 invoices" in coverage(parse(again))
    assert held.fetches == 1
    assert SyncRun.objects.filter(finished_at__isnull=True).count() == 0


def sync_form(session: requests.Session, live_server) -> dict:
    page = session.get(f"{live_server.url}/overview/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return {"csrfmiddlewaretoken": token, "next": "/overview/"}


@pytest.mark.django_db(transaction=True)
def test_sync_now_while_a_sync_runs_says_so_and_shows_the_last_copy(live_server, manager, monkeypatch):
    monkeypatch.setattr("dashboard.sync.engine.sweep", fixed_sweep({"inv-1": doc("1")}))
    # Only the (stand-in) full sweeps: the incremental calls would read the sandbox's invoices.
    monkeypatch.setattr("dashboard.sync.engine._incremental", lambda *args: 0)
    invoice_sync.sync_invoices()  # the copy the overview shows until the new one is made
    held = HeldSync("1001", "1002", "1003")
    monkeypatch.setattr("dashboard.sync.engine.sweep", held)
    browsers = [browser_for(live_server, manager) for _ in range(2)]
    forms = [sync_form(browser, live_server) for browser in browsers]

    def click(n):
        return browsers[n].post(
            f"{live_server.url}/overview/sync/", data=forms[n], headers={"Referer": live_server.url}, timeout=30
        )

    first = click(0)  # hands the sweep to the worker and returns at once
    assert first.status_code == 200 and held.fetches == 0
    assert "Every invoice is being fetched from Seven Time again, in the background." in first.text
    worker = InThread(run_queued_tasks)
    try:
        assert held.in_fetch.wait(10)
        started = timezone.localtime(SyncRun.objects.get(finished_at__isnull=True).started_at)
        second = click(1)
    finally:
        held.release.set()
    worker.join()

    assert second.status_code == 200 and second.url == f"{live_server.url}/overview/"
    assert f"Another sync of the invoices is running (started {started:%H:%M})." in second.text
    assert "The figures are updated when it is done: reload the page in a moment." in second.text
    assert "cover the 1 invoice in Seven Time" in coverage(parse(second))
    assert worker.error is None
    assert "all 3 invoices" in coverage(parse(browsers[0].get(f"{live_server.url}/overview/", timeout=30)))
    assert held.fetches == 1


def test_a_sync_that_fails_while_writing_records_its_error_and_keeps_the_last_copy(db, monkeypatch):
    monkeypatch.setattr("dashboard.sync.engine.sweep", fixed_sweep({"inv-1": doc("1")}))
    before = invoice_sync.sync_invoices()

    def clash(*args, **kwargs):
        raise IntegrityError('duplicate key value violates unique constraint "unique_synced_record"')

    monkeypatch.setattr(SyncedRecord.objects, "bulk_create", clash)
    with pytest.raises(IntegrityError):
        invoice_sync.sync_invoices()

    failed = SyncRun.objects.latest("started_at")
    assert failed.finished_at is not None
    assert failed.error == 'IntegrityError: duplicate key value violates unique constraint "unique_synced_record"'
    assert invoice_sync.latest_sync() == before
    assert copied_invoices() == ["inv-1"]
    monkeypatch.undo()
    monkeypatch.setattr("dashboard.sync.engine.sweep", fixed_sweep({"inv-2": doc("2")}))
    assert invoice_sync.sync_invoices().invoice_count == 1  # the failed run blocks nothing


def test_a_sync_whose_process_was_killed_blocks_others_until_its_heartbeat_is_five_minutes_old(db, monkeypatch):
    monkeypatch.setattr("dashboard.sync.engine.sweep", fixed_sweep({"inv-1": doc("1")}))
    now = timezone.now()
    started = now - dt.timedelta(hours=1)
    killed = SyncRun.objects.create(
        account=account_key(), started_at=started, heartbeat_at=now - dt.timedelta(minutes=4)
    )
    with pytest.raises(invoice_sync.SyncRunning):
        invoice_sync.sync_invoices()

    SyncRun.objects.filter(pk=killed.pk).update(heartbeat_at=now - dt.timedelta(minutes=5, seconds=1))
    run = invoice_sync.sync_invoices()

    assert run.invoice_count == 1
    killed.refresh_from_db()
    assert killed.finished_at is not None
    assert killed.error == "Abandoned: its heartbeat stopped for 5 minutes (its process was stopped?)."


def test_the_command_exits_with_1_and_the_reason_when_the_sync_fails(db, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ServerError("Seven Time had an internal problem (HTTP 500).", status=500)

    monkeypatch.setattr("dashboard.sync.engine.sweep", unreachable)
    with pytest.raises(CommandError) as caught:
        call_command("sync_invoices")
    assert caught.value.returncode == 1
    assert str(caught.value) == "The invoices could not be synced: Seven Time had an internal problem (HTTP 500)."
    assert SyncRun.objects.get().error == "invoices: ServerError: Seven Time had an internal problem (HTTP 500)."
    status = CopyStatus.objects.get(entity="invoices")
    assert status.last_error == "ServerError: Seven Time had an internal problem (HTTP 500)." and status.last_error_at


SHOW_DATABASE = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"


@pytest.mark.parametrize(
    ("url", "options"),
    [
        (
            "",
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            },
        ),
        (
            "sqlite:////srv/dashboard/db.sqlite3?timeout=60",
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 60,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            },
        ),
        ("postgres://dash:pw@127.0.0.1:5432/dashboard", {}),  # SQLite's options would stop psycopg
    ],
)
def test_sqlite_gets_immediate_transactions_wal_and_a_busy_timeout(url, options):
    result = run_settings(SHOW_DATABASE, DEBUG="true", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == options
