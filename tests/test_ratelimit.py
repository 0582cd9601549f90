"""The rate limit: the dashboard's shared limiter (dashboard/ratelimit.py), the
client's use of it, and the sandbox's own enforcement (429 with Retry-After).

The suite runs with both limits off (tests/settings.py); these tests turn them on
with one fake clock shared by the limiter and the sandbox, so nothing sleeps for
real - except the two-process test, which runs real processes on the real clock
and asserts only what the limiter and the sandbox recorded, never durations.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

import dashboard.fetch as dashboard_fetch
import dashboard.ratelimit as dashboard_ratelimit
import seventime.sandbox.ratelimit as sandbox_ratelimit
from dashboard.api import get_client
from dashboard.fetch import account_key
from dashboard.ratelimit import DatabaseLimiter
from seventime import RateLimited
from seventime.ratelimit import BACKGROUND, INTERACTIVE, LocalLimiter, NoLimit, background, current_priority

from .conftest import API, SECRET

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SANDBOX_API = "/sandbox/api/1/"
#: The shared limiter's spacing at 4 a second: a quarter second and its margin.
STEP = 0.25 + dashboard_ratelimit.MARGIN


def steps(*counts: float) -> list:
    return [pytest.approx(n * STEP) for n in counts]


class FakeClock:
    """Seconds since the epoch; sleeping moves it on at once."""

    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now
        self.slept = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch, settings):
    """Both limits on at 4 a second, on one fake clock."""
    fake = FakeClock()
    monkeypatch.setattr(dashboard_ratelimit, "_clock", fake.time)
    monkeypatch.setattr(dashboard_ratelimit, "_sleep", fake.sleep)
    monkeypatch.setattr(sandbox_ratelimit, "_clock", fake.time)
    settings.SEVENTIME_RATE_LIMIT = 4
    settings.SANDBOX_RATE_LIMIT = 4
    return fake


def limiter(clock, rate=4, account="a" * 32, **kwargs):
    return DatabaseLimiter(account, rate, **{"clock": clock.time, "sleep": clock.sleep, **kwargs})


# --- the limiter itself ---------------------------------------------------------


def test_the_limiter_spaces_calls_at_four_a_second(db, clock):
    start = clock.now

    granted = [limiter(clock).acquire(INTERACTIVE) for _ in range(8)]

    assert [t - start for t in granted] == steps(0, 1, 2, 3, 4, 5, 6, 7)
    assert clock.now - start == pytest.approx(7 * STEP)  # each call waited for its time


def test_five_calls_never_fit_in_one_second_even_with_a_few_milliseconds_of_jitter(db, clock):
    # Exactly 1/rate apart, the 1st and the 5th call are one second apart: should the
    # 1st reach Seven Time 5 ms late and the 5th 5 ms early, its sliding second holds 5.
    jitter = 0.005
    granted = [limiter(clock).acquire(INTERACTIVE) for _ in range(12)]

    assert all(granted[i + 4] - granted[i] - 2 * jitter > 1.0 for i in range(len(granted) - 4))


def test_an_idle_key_lets_a_call_go_at_once(db, clock):
    limiter(clock).acquire(INTERACTIVE)
    clock.now += 5

    limiter(clock).acquire(INTERACTIVE)

    assert clock.slept == []


def test_two_limiters_of_one_key_share_the_schedule_and_other_keys_do_not(db, clock):
    web, worker, other = limiter(clock), limiter(clock), limiter(clock, account="b" * 32)
    start = clock.now

    assert web.acquire(INTERACTIVE) - start == 0
    assert worker.acquire(INTERACTIVE) - start == pytest.approx(STEP)
    assert other.acquire(INTERACTIVE) - start == pytest.approx(STEP)  # its own key: free at once (the clock moved on)
    assert web.acquire(INTERACTIVE) - start == pytest.approx(2 * STEP)


def test_background_calls_wait_while_interactive_calls_are_queued(db, clock):
    start = clock.now
    # Three people's calls queue (made elsewhere: that process's sleep is not ours).
    people = limiter(clock)
    people.sleep = lambda seconds: None
    queued = [people.acquire(INTERACTIVE) - start for _ in range(3)]
    later = []

    def sync_sleeps(seconds):
        # While the sync waits, one more person's call comes: it goes first too.
        if not later:
            later.append(people.acquire(INTERACTIVE) - start)
        clock.sleep(seconds)

    sync = limiter(clock, sleep=sync_sleeps)
    with background():
        went = sync.acquire(current_priority()) - start

    assert queued == steps(0, 1, 2)
    assert later == steps(3)
    assert went == pytest.approx(4 * STEP)  # after every interactive call, the one that came while it waited included


def test_an_interactive_call_goes_before_a_waiting_background_call_but_never_before_a_running_one(db, clock):
    start = clock.now
    sync = limiter(clock)

    assert sync.acquire(BACKGROUND) - start == 0  # nothing queued: the sync's call goes now
    assert limiter(clock).acquire(INTERACTIVE) - start == pytest.approx(STEP)  # spaced after it


def test_a_429s_pause_holds_back_every_caller_of_the_key(db, clock):
    start = clock.now
    limiter(clock).pause(3)

    assert limiter(clock).acquire(INTERACTIVE) - start == 3
    assert limiter(clock).acquire(BACKGROUND) - start == pytest.approx(3 + STEP)


def test_a_pause_that_begins_while_a_call_waits_holds_it_back_too(db, clock):
    start = clock.now
    first = limiter(clock)
    first.acquire(INTERACTIVE)
    other = limiter(clock)

    def sleep_while_a_429_comes(seconds):
        if not clock.slept:
            first.pause(2)  # another caller is answered 429 meanwhile
        clock.sleep(seconds)

    other.sleep = sleep_while_a_429_comes

    assert other.acquire(INTERACTIVE) - start == 2  # its time (0.25) is given up: it goes when the pause ends


def test_a_call_that_would_wait_longer_than_the_limit_is_refused_at_once(db, clock):
    limiter(clock).pause(60)

    with pytest.raises(RateLimited) as caught:
        limiter(clock, max_wait=10).acquire(INTERACTIVE)

    assert caught.value.retry_after == 60
    assert clock.slept == []


def test_a_database_that_fails_the_limiter_lets_the_call_go_rather_than_failing_the_page(db, clock, monkeypatch):
    from django.db import OperationalError

    def locked(self):
        raise OperationalError("database is locked")

    monkeypatch.setattr(DatabaseLimiter, "_locked_row", locked)
    failing = limiter(clock)
    failing.pause(5)

    assert failing.acquire(INTERACTIVE) == clock.now
    assert clock.slept == []


def test_local_limiter_keeps_the_same_rule_in_memory():
    fake = FakeClock()
    local = LocalLimiter(4, clock=fake.time, sleep=fake.sleep)
    start = fake.now

    assert [local.acquire(INTERACTIVE) - start for _ in range(3)] == [0, 0.25, 0.5]
    local.pause(2)
    assert local.acquire(BACKGROUND) - start == 2.5


def test_off_means_no_spacing_but_a_429_is_still_waited_out():
    fake = FakeClock()
    local = LocalLimiter(clock=fake.time, sleep=fake.sleep)
    start = fake.now

    assert [local.acquire(INTERACTIVE) - start for _ in range(3)] == [0, 0, 0]
    local.pause(1.5)
    assert local.acquire(INTERACTIVE) - start == 1.5
    assert NoLimit().acquire(INTERACTIVE) is None  # and the no-op waits for nothing at all


def test_background_marks_calls_in_its_block_only():
    assert current_priority() == INTERACTIVE
    with background():
        assert current_priority() == BACKGROUND
    assert current_priority() == INTERACTIVE


def test_calls_run_concurrently_in_the_background_stay_background_calls():
    from dashboard.fetch import run_concurrently

    with background():
        seen = run_concurrently({"a": current_priority, "b": current_priority})
    assert seen == {"a": BACKGROUND, "b": BACKGROUND}
    assert run_concurrently({"a": current_priority, "b": current_priority}) == {"a": INTERACTIVE, "b": INTERACTIVE}


# --- the dashboard's client ------------------------------------------------------


def test_the_dashboards_client_uses_the_shared_limiter_of_its_key(db, settings):
    settings.SEVENTIME_RATE_LIMIT = 4
    client = get_client()

    assert isinstance(client.limiter, DatabaseLimiter)
    assert client.limiter.account == account_key() and len(client.limiter.account) == 32
    assert settings.SANDBOX_CLIENT_SECRET not in client.limiter.account


def test_with_the_limit_off_the_client_writes_nothing(db, settings, django_assert_num_queries):
    settings.SEVENTIME_RATE_LIMIT = 0
    client = get_client()

    assert isinstance(client.limiter, LocalLimiter)
    with django_assert_num_queries(0):
        client.limiter.acquire(INTERACTIVE)


def test_a_429_to_one_caller_pauses_the_key_for_the_others(db, clock, api):
    api.add("POST", API + "customers", status=429, headers={"Retry-After": "2"}, json={"errorMessage": "Slow down"})
    api.add("GET", API + "customers", json=[])
    start = clock.now

    with pytest.raises(RateLimited):
        get_client().create_customer({"name": "Tommy Hellström"})  # a POST is never retried
    worker = DatabaseLimiter(account_key(), 4, clock=clock.time, sleep=clock.sleep)  # another process
    with background():
        went = worker.acquire(current_priority())

    assert went - start == 2
    assert [call.request.method for call in api.calls] == ["POST"]
    assert SECRET not in worker.account


@pytest.fixture
def browser(client, django_user_model, transactional_db):
    """A logged-in person who may browse everything. Transactional: the page's calls
    run in other threads, whose limiter and sandbox writes must not wait for the
    test's own open transaction (transactional tests empty the migrations' groups,
    hence permissions of the user's own)."""
    user = django_user_model.objects.create_user("hastig")
    user.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client.force_login(user)
    return client


def test_a_page_whose_calls_would_wait_too_long_says_seven_time_is_busy(browser, clock, api):
    DatabaseLimiter(account_key(), 4, clock=clock.time, sleep=clock.sleep).pause(120)

    response = browser.get("/customers/")

    assert response.status_code == 503
    assert "Seven Time is receiving too many requests. Wait 120 seconds." in response.content.decode()
    assert len(api.calls) == 0  # nothing was sent


# --- the sandbox -------------------------------------------------------------------


def sandbox_get(client, path="customers?name=Berg", secret="sandbox-secret"):
    return client.get(SANDBOX_API + path, headers={"Client-Secret": secret})


def test_the_sandbox_answers_429_with_retry_after_beyond_its_limit(db, client, clock):
    answers = [sandbox_get(client) for _ in range(5)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    refused = answers[-1]
    assert refused["Retry-After"] == "1"
    assert refused.json() == {"errorMessage": "Too many requests: at most 4 a second. Try again later."}
    clock.now += 0.25  # one call's worth of refill
    assert sandbox_get(client).status_code == 200
    # A bucket of 4 lets 4 go at once and one more each 250 ms: 5 in this second.
    assert sandbox_ratelimit.peak() == {"peak": 5, "served": 5, "refused": 1}


def test_the_sandbox_counts_each_client_secret_and_only_known_ones(db, client, clock, settings):
    settings.SANDBOX_RATE_LIMIT = 1

    assert sandbox_get(client, secret="wrong").status_code == 401  # refused before it counts
    assert sandbox_get(client).status_code == 200
    assert sandbox_get(client).status_code == 429
    assert sandbox_ratelimit.peak("sandbox-secret")["refused"] == 1


def test_the_sandbox_keeps_no_limit_when_it_is_off(db, client, settings):
    settings.SANDBOX_RATE_LIMIT = 0

    assert {sandbox_get(client).status_code for _ in range(10)} == {200}
    assert sandbox_ratelimit.peak() == {"peak": 0, "served": 0, "refused": 0}


def _one_after_another(calls, executor=None):
    """dashboard.fetch._start, but each call run at once in this thread: with a fake clock,
    threads that sleep at the same time move it on in an order no test controls (a call
    granted for t could reach the sandbox when another thread had moved the clock past it)."""
    futures = {}
    for name, call in calls.items():
        future = Future()
        try:
            future.set_result(call())
        except Exception as error:
            future.set_exception(error)
        futures[name] = future
    return futures


def test_the_dashboard_meets_no_429_from_the_sandbox_with_its_limiter_on(sandbox_data, browser, clock, monkeypatch):
    monkeypatch.setattr(dashboard_fetch, "_start", _one_after_another)
    client = get_client()
    start = clock.now

    for _ in range(12):
        client.list_customers(name="Berg")
    assert sandbox_ratelimit.peak(since=start) == {"peak": 4, "served": 12, "refused": 0}

    # Pages, with several calls each (the search: 8); the limiter across threads and
    # processes is tested with real time below (test_the_limiter_holds_across_two_processes).
    assert browser.get("/?q=12").status_code == 200
    assert browser.get("/customers/").status_code == 200
    seen = sandbox_ratelimit.peak(since=start)
    assert seen["refused"] == 0
    assert seen["served"] == client.calls


def test_without_the_dashboards_limiter_the_sandbox_refuses_a_burst_and_the_client_waits_it_out(
    sandbox_data, browser, clock, settings
):
    settings.SEVENTIME_RATE_LIMIT = 0

    response = browser.get("/?q=12")  # 8 calls at once, against 4 a second

    assert sandbox_ratelimit.peak()["refused"] >= 1
    assert 1 in clock.slept  # Retry-After: 1, waited out before the GETs were asked again
    assert response.status_code == 200


# --- across processes ------------------------------------------------------------

CALLER = r"""
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
from django.conf import settings
settings.DATABASES["default"]["NAME"] = sys.argv[1]
import django
django.setup()
settings.SEVENTIME_RATE_LIMIT = settings.SANDBOX_RATE_LIMIT = float(sys.argv[2])
from dashboard.api import get_client
client = get_client()
acquire = client.limiter.acquire
granted = []
def recording(priority=None):
    granted.append(acquire(priority))
    return granted[-1]
client.limiter.acquire = recording
print("ready", flush=True)
sys.stdin.readline()  # go
errors = []
for n in range(int(sys.argv[3])):
    try:
        client.list_customers(name="Berg")
    except Exception as error:
        errors.append(type(error).__name__)
print(json.dumps({"granted": granted, "errors": errors, "calls": client.calls}), flush=True)
"""


def test_the_limiter_holds_across_two_processes(sandbox_data):
    """Two OS processes (say the web server and the worker) call through the shared
    limiter at once, on the real clock, at 40 a second to keep it short (the rule is
    the same at 4). Together they never exceed the rate by the limiter's own clock,
    and the sandbox, which counts both, refuses none."""
    rate, calls = 40, 20
    database = connection.settings_dict["NAME"]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CALLER, database, str(rate), str(calls)],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        for process in processes:  # both go at once
            process.stdin.write("go\n")
            process.stdin.flush()
        results = [json.loads(process.communicate(timeout=60)[0]) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()

    assert [result["errors"] for result in results] == [[], []]
    first, second = (result["granted"] for result in results)
    assert min(max(first), max(second)) > max(min(first), min(second))  # they did run at the same time
    granted = sorted(first + second)
    assert len(granted) == 2 * calls
    gaps = [later - earlier for earlier, later in zip(granted, granted[1:])]
    assert min(gaps) >= 1 / rate - 1e-6
    # No one-second window holds more than `rate` calls.
    assert all(granted[i + rate] - granted[i] >= 1 - 1e-6 for i in range(len(granted) - rate))
    seen = sandbox_ratelimit.peak()
    assert seen["refused"] == 0 and seen["served"] == 2 * calls
