"""The sandbox told to fail as Seven Time does (seventime/sandbox/faults.py): each
mode gives the client the typed error a real failure gives, in-process (the
transport the dashboard uses) and over HTTP (the views curl and the benchmark
use), set by the SANDBOX_FAULT setting or by `manage.py sandbox_fault`.

No test sleeps: the slow mode's sleep is replaced by one that records and returns.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from dashboard.api import get_client
from seventime import (
    BadResponse,
    ConnectionFailed,
    RateLimited,
    ServerError,
    SevenTimeClient,
    Timeout,
)
from seventime.ratelimit import NoLimit
from seventime.sandbox import BASE_URL, faults, store
from seventime.sandbox.models import Fault as FaultRow
from seventime.sandbox.transport import SandboxAdapter

from .cases import SECRET

HTTP_BASE = "/sandbox/api/1/"
AUTH = {"HTTP_CLIENT_SECRET": SECRET}

#: Each mode and the error a real Seven Time failure of that kind gives the client.
TYPED = [
    ("error", ServerError),
    ("ratelimit", RateLimited),
    ("down", ConnectionFailed),
    ("malformed", BadResponse),
]


@pytest.fixture
def slept(monkeypatch):
    """The slow mode's waits, in seconds, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(faults, "_sleep", waits.append)
    return waits


def in_process(**kwargs) -> SevenTimeClient:
    """A client on the in-process sandbox, as dashboard/api.py builds it (without the
    limiter: a 429 must not make the next test's call wait)."""
    return SevenTimeClient(BASE_URL, SECRET, transport=SandboxAdapter(), limiter=NoLimit(), **kwargs)


def fault(*args: str) -> str:
    """Run `manage.py sandbox_fault` with `args`: its output."""
    from io import StringIO

    out = StringIO()
    call_command("sandbox_fault", *args, stdout=out)
    return out.getvalue()


# --- in-process: the transport the dashboard uses ---


@pytest.mark.parametrize("mode, expected", TYPED)
def test_each_mode_gives_the_in_process_client_the_error_a_real_failure_gives(db, slept, mode, expected):
    fault(mode)

    with pytest.raises(expected):
        in_process().list_customers()
    with pytest.raises(expected):
        in_process().get_customer(store.all("customers")[0]["_id"])


def test_error_is_a_503_the_client_reports_as_a_server_error(db):
    fault("error")

    with pytest.raises(ServerError) as caught:
        in_process().list_invoices()

    assert caught.value.status == 503 and caught.value.retryable


def test_ratelimit_is_a_429_whose_retry_after_is_the_seconds_asked_for(db):
    fault("ratelimit", "--seconds", "30")

    with pytest.raises(RateLimited) as caught:
        in_process().list_work_orders()

    assert caught.value.retry_after == 30


def test_down_is_the_connection_error_of_a_refused_connection(db):
    fault("down")

    with pytest.raises(ConnectionFailed, match="Could not connect to Seven Time"):
        in_process().list_users()


def test_slow_beyond_the_read_timeout_times_out_after_the_read_timeout(db, slept):
    fault("slow", "--seconds", "10")

    with pytest.raises(Timeout):
        in_process(read_timeout=8).list_customers()

    assert slept == [8]  # it waited as long as the client would, not the 10 s


def test_slow_within_the_read_timeout_answers_normally_after_the_wait(db, slept):
    fault("slow", "--seconds", "2")

    customers = in_process(read_timeout=8).list_customers()

    assert slept == [2]
    assert [customer.id for customer in customers] == [doc["_id"] for doc in store.all("customers")[:100]]


def test_the_dashboards_own_client_meets_the_fault(db):
    fault("error")

    with pytest.raises(ServerError):
        get_client().list_customers()


def test_a_create_refused_by_the_fault_creates_nothing(db):
    before = len(store.all("customers"))
    fault("error")

    with pytest.raises(ServerError):
        in_process().create_customer({"name": "Felande Kund AB"})

    fault("off")
    assert len(store.all("customers")) == before


def test_the_fault_answers_before_any_data_is_read_or_the_secret_checked(db, client, monkeypatch):
    def no_reading(*args, **kwargs):
        raise AssertionError("the sandbox read its data")

    monkeypatch.setattr(store, "get", no_reading)
    monkeypatch.setattr(store, "all", no_reading)
    fault("error")

    with pytest.raises(ServerError):
        in_process().get_customer("ffffffffffffffffffffffff")
    with pytest.raises(ServerError):
        SevenTimeClient(BASE_URL, "wrong-secret", transport=SandboxAdapter(), limiter=NoLimit()).list_customers()
    assert client.get(HTTP_BASE + "customers").status_code == 503  # no secret at all


# --- over HTTP: the views behind /sandbox/api/1/ ---


def test_error_over_http_is_a_503_with_an_error_message(db, client):
    fault("error")

    response = client.get(HTTP_BASE + "customers", **AUTH)

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["errorMessage"]


def test_ratelimit_over_http_is_a_429_with_retry_after(db, client):
    fault("ratelimit", "--seconds", "2.5")

    response = client.get(HTTP_BASE + "invoices", **AUTH)

    assert response.status_code == 429
    assert response["Retry-After"] == "3"  # whole seconds, rounded up
    assert json.loads(response.content)["errorMessage"]


def test_malformed_over_http_is_a_200_that_is_not_json(db, client):
    fault("malformed")

    response = client.get(HTTP_BASE + "customers", **AUTH)

    assert response.status_code == 200
    with pytest.raises(ValueError):
        json.loads(response.content)


def test_slow_over_http_answers_normally_after_the_seconds(db, client, slept):
    fault("slow", "--seconds", "12")

    response = client.get(HTTP_BASE + "userRoles", **AUTH)

    assert slept == [12]  # the HTTP client's own read timeout is what gives up on it
    assert response.status_code == 200
    assert len(response.json()) == len(store.all("userRoles"))


def test_down_without_a_connection_to_drop_answers_503(db, client):
    # Django's test client has no socket: the view can only say so.
    fault("down")

    response = client.get(HTTP_BASE + "customers", **AUTH)

    assert response.status_code == 503
    assert "down" in json.loads(response.content)["errorMessage"]


@pytest.fixture
def over_http(live_server):
    """A client of the sandbox over a real HTTP server (Django's, as runserver's)."""

    def build() -> SevenTimeClient:
        # No retries: a 503 is asked once (urllib3 would back off for real between tries).
        return SevenTimeClient(live_server.url + HTTP_BASE, SECRET, retries=0, limiter=NoLimit())

    return build


@pytest.mark.parametrize("mode, expected", TYPED)
def test_each_mode_gives_a_client_over_http_the_error_a_real_failure_gives(over_http, slept, mode, expected):
    fault(mode)

    with pytest.raises(expected):
        over_http().list_user_roles()


def test_down_over_http_drops_the_connection_and_the_server_serves_on(over_http):
    fault("down")
    with pytest.raises(ConnectionFailed):
        over_http().list_user_roles()

    fault("off")
    assert over_http().list_user_roles() is not None


# --- the command and the setting ---


def test_command_turns_the_fault_on_and_off(db):
    assert "error: every answer is a 503" in fault("error")
    with pytest.raises(ServerError):
        in_process().list_customers()

    assert "off: the sandbox answers normally" in fault("off")
    assert len(in_process().list_customers()) == min(100, len(store.all("customers")))


def test_command_without_a_mode_says_what_is_in_force(db):
    assert "off" in fault()
    fault("ratelimit", "--seconds", "4", "--only", "invoices")
    assert fault() == "Sandbox fault: ratelimit: every answer is a 429 with Retry-After 4 s (only under /invoices); set by sandbox_fault.\n"


@pytest.mark.parametrize("args", [("broken",), ("slow", "--seconds", "-1"), ("off", "--only", "invoices")])
def test_command_refuses_what_it_cannot_do(db, args):
    with pytest.raises(CommandError):
        fault(*args)
    assert not FaultRow.objects.exists()


def test_setting_alone_makes_the_sandbox_fail(db, settings):
    settings.SANDBOX_FAULT = "down"

    with pytest.raises(ConnectionFailed):
        in_process().list_customers()


def test_setting_off_by_default_answers_normally(db):
    assert faults.current() == faults.Fault("off")
    assert in_process().list_user_roles()


def test_setting_carries_the_seconds_of_the_slow_mode(db, settings, slept):
    settings.SANDBOX_FAULT = "slow:3"

    in_process(read_timeout=8).list_user_roles()

    assert slept == [3]


def test_command_overrides_the_setting_until_told_to_follow_it_again(db, settings):
    settings.SANDBOX_FAULT = "error"
    fault("off")
    assert in_process().list_user_roles()

    fault("malformed")
    with pytest.raises(BadResponse):
        in_process().list_user_roles()

    assert "from SANDBOX_FAULT" in fault("setting")
    with pytest.raises(ServerError):
        in_process().list_user_roles()


@pytest.mark.parametrize("value", ["bogus", "slow:soon", "slow:-5"])
def test_a_wrong_setting_is_named_at_start(value):
    with pytest.raises(ValueError, match="SANDBOX_FAULT|seconds"):
        faults.parse(value)


# --- only some paths ---


def test_only_limits_the_fault_to_the_paths_under_the_prefix(db):
    fault("error", "--only", "invoices")
    client = in_process()
    invoice_id = store.all("invoices")[0]["_id"]

    with pytest.raises(ServerError):
        client.list_invoices()
    with pytest.raises(ServerError):
        client.get_invoice(invoice_id)
    # Whole path segments: invoiceTags is not under invoices.
    assert client.list_invoice_tags() is not None
    assert len(client.list_customers()) == min(100, len(store.all("customers")))


def test_only_takes_several_prefixes(db, client):
    fault("down", "--only", "customers, /workOrders/")

    assert client.get(HTTP_BASE + "customers", **AUTH).status_code == 503
    assert client.get(HTTP_BASE + "workOrders", **AUTH).status_code == 503
    assert client.get(HTTP_BASE + "projects", **AUTH).status_code == 200
