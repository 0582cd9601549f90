"""Hardening (issue 11): login throttling, error logging, a deadline for slow answers,
the deploy check, private caching of answers, and the sandbox only when asked for."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import socket
import socketserver
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from dashboard.api import get_client
from seventime import SevenTimeClient, Timeout
from tests.conftest import SECRET

ROOT = Path(__file__).resolve().parent.parent
HTMX = {"HX-Request": "true"}


def _outside_tests() -> dict[str, str]:
    """The environment without what tests/settings.py adds for the test run."""
    return {key: value for key, value in os.environ.items() if key not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY")}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """manage.py with the production settings module and the given environment."""
    # A developer's .env must not decide these tests: every variable they read is set here.
    defaults = {"SEVENTIME_API_URL": "", "SANDBOX_ENABLED": "", "SECURE_SSL_REDIRECT": "false",
                "SECURE_HSTS_SECONDS": "0", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "false", "SECURE_HSTS_PRELOAD": "false",
                "SECURE_PROXY_SSL_HEADER": "", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false"}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env={**_outside_tests(), **defaults, "DJANGO_SETTINGS_MODULE": "dashboard.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- 17: errors reach standard error with their traceback ---


def test_a_500_with_debug_off_writes_its_traceback_to_standard_error():
    script = (
        "import django; django.setup()\n"
        "from django.test import Client, override_settings\n"
        "with override_settings(ROOT_URLCONF='tests.failing_urls', ALLOWED_HOSTS=['testserver']):\n"
        "    print(Client(raise_request_exception=False).get('/boom/').status_code)\n"
    )
    probe = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dashboard.settings", "DEBUG": "false",
             "SECRET_KEY": "logging-test-only", "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=60,
    )
    assert probe.stdout.strip() == "500", probe.stderr
    assert "ERROR django.request: Internal Server Error: /boom/" in probe.stderr
    assert "Traceback (most recent call last)" in probe.stderr
    assert "RuntimeError: the failure a test provokes" in probe.stderr


# --- 19: check --deploy can be made clean ---


def readme_production_values() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- production-values -->\s*```sh\n(.*?)```", readme, re.S)
    assert block, "README.md has no production values block"
    pairs = [line.split("=", 1) for line in block[1].splitlines() if line.strip() and not line.startswith("#")]
    return {name.strip(): value.strip() for name, value in pairs}


def test_the_deploy_check_is_clean_with_the_readme_production_values():
    values = readme_production_values()
    assert {"SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER"} <= set(values)
    secret = secrets.token_urlsafe(50)
    check = _manage("check", "--deploy", "--fail-level", "WARNING", **{**values, "SECRET_KEY": secret})
    assert check.returncode == 0, check.stdout + check.stderr
    assert "System check identified no issues (0 silenced)." in check.stdout


def test_the_deploy_check_warns_without_them():
    check = _manage("check", "--deploy", DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50),
                    SEVENTIME_API_URL="https://api.example.test/api/1/")
    assert "security.W004" in check.stderr and "security.W008" in check.stderr


def test_the_proxy_ssl_header_is_read_from_the_environment():
    script = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    probe = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "dashboard.settings", "DEBUG": "false",
             "SECRET_KEY": "x", "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https"},
    )
    assert probe.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", probe.stderr


# --- 20: answers to a signed-in person are private and not stored ---


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize(
    "url, headers",
    [
        ("/", {}),
        ("/customers/", {}),
        ("/customers/?city=Malm%C3%B6", HTMX),
        ("/invoices/?export=csv", {}),
        ("/customers/?export=xlsx", {}),
        ("/overview/?export=xlsx", {}),
        ("/customers/no-such-customer/", {}),
        ("/audit/", {}),
        ("/sync/", {}),
        ("/sync/", HTMX),
    ],
)
def test_every_answer_to_a_signed_in_person_is_private_and_never_stored(manager_client, url, headers):
    response = manager_client.get(url, headers=headers)
    # 503: a download while the worker makes the first copy of the invoices ("ask again").
    assert response.status_code in (200, 302, 404, 503)
    assert {"private", "no-store"} <= cache_control(response), response.get("Cache-Control")
    assert "public" not in cache_control(response)


def test_static_files_keep_their_own_caching(manager_client):
    response = manager_client.get("/static/css/dashboard.css")
    assert response.status_code == 200
    assert "no-store" not in cache_control(response) and "private" not in cache_control(response)


# --- 21: the sandbox only when asked for ---

PROBE_SANDBOX = (
    "import django; django.setup()\n"
    "from django.conf import settings\n"
    "from django.urls import Resolver404, resolve\n"
    "try:\n"
    "    served = resolve('/sandbox/api/1/users').url_name == 'api'\n"
    "except Resolver404:\n"
    "    served = False\n"
    "print(settings.SANDBOX_ENABLED, 'served' if served else 'not served')\n"
)


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"DEBUG": "false"}, "False not served"),
        ({"DEBUG": "false", "SANDBOX_ENABLED": "true"}, "True served"),
        ({"DEBUG": "true"}, "True served"),  # `make run`
        ({"DEBUG": "true", "SEVENTIME_API_URL": "https://api.example.test/api/1/"}, "False not served"),
    ],
)
def test_the_sandbox_api_answers_only_when_asked_for_or_under_debug(env, expected):
    environment = {**_outside_tests(), "SEVENTIME_API_URL": "", "SANDBOX_ENABLED": "", "SECRET_KEY": "sandbox-probe",
                   "DJANGO_SETTINGS_MODULE": "dashboard.settings", "PYTHONPATH": str(ROOT), **env}
    probe = subprocess.run([sys.executable, "-c", PROBE_SANDBOX], cwd=ROOT / "docs", env=environment,
                           capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip() == expected, probe.stderr


def test_without_an_api_address_or_the_sandbox_pages_say_the_dashboard_is_not_configured(office_client, settings):
    settings.SEVENTIME_API_URL = ""
    settings.SANDBOX_ENABLED = False
    response = office_client.get("/customers/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "The dashboard is not connected to Seven Time" in page and "SEVENTIME_API_URL" in page
    assert "Traceback" not in page
    assert 'class="results' not in page and "<tbody" not in page  # no sandbox data


def test_the_check_warns_when_neither_the_api_nor_the_sandbox_is_set():
    check = _manage("check", DEBUG="false", SECRET_KEY="check-probe")
    assert "dashboard.W001" in check.stderr


def test_demo_logins_are_not_created_while_the_sandbox_is_off(db, settings, django_user_model, capsys):
    from django.core.management import call_command

    settings.SEVENTIME_API_URL = ""
    settings.SANDBOX_ENABLED = False
    call_command("demo_setup")
    assert not django_user_model.objects.filter(username__in=["office", "manager", "admin"]).exists()
    assert "The sandbox is off" in capsys.readouterr().out


# --- 18: one deadline for the whole answer ---

DRIP_BODY = b'[{"_id": "c1", "name": "Droppande AB", "customerNumber": "1"}]'.ljust(1000)


class DripServer(socketserver.ThreadingTCPServer):
    """An API on 127.0.0.1 that answers 200 at once, then sends its body one byte at a
    time, each a few milliseconds after the last: the read timeout never fires."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.stop = threading.Event()
        self.bytes_sent = 0
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                received = b""
                while b"\r\n\r\n" not in received:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    received += chunk
                head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(DRIP_BODY)}\r\n\r\n"
                try:
                    self.request.sendall(head.encode())
                    for byte in DRIP_BODY:
                        if server.stop.wait(0.005):  # the server's pace, not the test's
                            return
                        self.request.sendall(bytes([byte]))
                        server.bytes_sent += 1
                except OSError:  # the client gave up and closed the connection
                    return

        super().__init__(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}/api/1/"


class FakeClock:
    """Every reading is two seconds after the last: each read of the answer seems to
    take as long as the slow API of the issue takes per byte."""

    def __init__(self, step: float = 2.0):
        self.now = 1000.0
        self.step = step
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            self.now += self.step
            return self.now


@pytest.fixture
def drip_api():
    server = DripServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.stop.set()
    server.shutdown()
    server.server_close()


def test_an_answer_that_trickles_in_ends_at_the_deadline(drip_api):
    clock = FakeClock()
    client = SevenTimeClient(drip_api.base_url, SECRET, read_timeout=8, total_timeout=15, clock=clock)
    with pytest.raises(Timeout, match="did not send its whole answer within 15 seconds"):
        client.list_customers()
    assert drip_api.bytes_sent < len(DRIP_BODY)  # given up long before the end
    assert clock.now - 1000.0 <= 15 + 2 * clock.step  # no read past the deadline


def test_a_page_whose_answer_trickles_in_shows_seven_time_is_not_answering(office_client, settings, drip_api):
    settings.SEVENTIME_API_URL = drip_api.base_url
    settings.SEVENTIME_CLIENT_SECRET = SECRET
    settings.SEVENTIME_TOTAL_TIMEOUT = 15
    get_client().clock = FakeClock()
    response = office_client.get("/customers/")
    page = response.content.decode()
    assert response.status_code == 504
    assert "Seven Time is not answering" in page and "Try again" in page
    assert "Droppande AB" not in page


# --- 14: logins are throttled per username and per address ---

#: 09:00 UTC is 10:00 in Stockholm (winter time), the zone the pages use.
MONDAY_NINE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def wrong_logins(client, url, username, count, **extra):
    return [client.post(url, {"username": username, "password": "not-the-password"}, **extra) for _ in range(count)]


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def office(db, django_user_model):
    return django_user_model.objects.create_user("office", password="the-right-password")


def test_after_failed_logins_the_right_password_is_refused_until_the_cool_off_has_passed(client, office, settings):
    limit = settings.AXES_FAILURE_LIMIT
    with time_machine.travel(MONDAY_NINE, tick=False):
        before = wrong_logins(client, "/login/", "office", limit - 1)
        assert all(r.status_code == 200 and "Please enter a correct username" in text_of(r) for r in before)
        last = wrong_logins(client, "/login/", "office", 1)[0]
        assert last.status_code == 429
        assert "You can try again at 10:15 (in 15 minutes)." in text_of(last)
        refused = client.post("/login/", {"username": "office", "password": "the-right-password"})
        assert refused.status_code == 429
        assert "Too many failed logins" in text_of(refused) and 'value="office"' in text_of(refused)
        assert client.get("/").status_code == 302  # not logged in
    with time_machine.travel(MONDAY_NINE + timedelta(minutes=10), tick=False):
        still = client.post("/login/", {"username": "office", "password": "the-right-password"})
        assert still.status_code == 429 and "at 10:15 (in 5 minutes)" in text_of(still)
    with time_machine.travel(MONDAY_NINE + timedelta(minutes=15, seconds=1), tick=False):
        response = client.post("/login/", {"username": "office", "password": "the-right-password"})
        assert response.status_code == 302 and response["Location"] == "/"
        assert client.get("/").status_code == 200


def test_the_lockout_message_is_in_swedish_for_a_swedish_browser(client, office, settings):
    with time_machine.travel(MONDAY_NINE, tick=False):
        wrong_logins(client, "/login/", "office", settings.AXES_FAILURE_LIMIT)
        response = client.post("/login/", {"username": "office", "password": "the-right-password"},
                               headers={"Accept-Language": "sv"})
    assert response.status_code == 429
    assert "Du kan försöka igen kl. 10:15 (om 15 minuter)." in text_of(response)


def test_a_username_is_locked_whatever_the_address(client, office, settings):
    with time_machine.travel(MONDAY_NINE, tick=False):
        for n in range(settings.AXES_FAILURE_LIMIT):
            wrong_logins(client, "/login/", "office", 1, REMOTE_ADDR=f"10.0.0.{n + 1}")
        response = client.post("/login/", {"username": "office", "password": "the-right-password"},
                               REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 429


def test_an_address_is_locked_whatever_the_username(client, office, settings):
    with time_machine.travel(MONDAY_NINE, tick=False):
        for n in range(settings.AXES_FAILURE_LIMIT):
            wrong_logins(client, "/login/", f"someone-{n}", 1, REMOTE_ADDR="192.0.2.66")
        from_there = client.post("/login/", {"username": "office", "password": "the-right-password"},
                                 REMOTE_ADDR="192.0.2.66")
        elsewhere = client.post("/login/", {"username": "office", "password": "the-right-password"},
                                REMOTE_ADDR="192.0.2.67")
    assert from_there.status_code == 429
    assert elsewhere.status_code == 302


def test_behind_a_trusted_proxy_the_address_is_the_clients_from_x_forwarded_for(client, office, settings):
    """Every login arrives from the proxy's address (10.0.0.9); the proxy appends the
    client's to X-Forwarded-For. One client's failures must not lock the others out,
    and a forged entry to the left of the proxy's does not give a fresh address."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.9"}
    with time_machine.travel(MONDAY_NINE, tick=False):
        for n in range(settings.AXES_FAILURE_LIMIT):
            wrong_logins(client, "/login/", f"someone-{n}", 1, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 192.0.2.66",
                         **proxy)
        from_there = client.post("/login/", {"username": "office", "password": "the-right-password"},
                                 HTTP_X_FORWARDED_FOR="192.0.2.66", **proxy)
        colleague = client.post("/login/", {"username": "office", "password": "the-right-password"},
                                HTTP_X_FORWARDED_FOR="192.0.2.67", **proxy)
    assert from_there.status_code == 429
    assert colleague.status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, office, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    with time_machine.travel(MONDAY_NINE, tick=False):
        for n in range(settings.AXES_FAILURE_LIMIT):
            # A client that forges a new address each time is still locked by its own.
            wrong_logins(client, "/login/", f"someone-{n}", 1, REMOTE_ADDR="192.0.2.66",
                         HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        response = client.post("/login/", {"username": "office", "password": "the-right-password"},
                               REMOTE_ADDR="192.0.2.66", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert response.status_code == 429


@pytest.mark.parametrize("header", ["", "not-an-address", "192.0.2.1, <script>"])
def test_a_missing_or_malformed_forwarded_address_falls_back_to_the_connections(rf, settings, header):
    from dashboard.lockout import client_address

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/login/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=header)
    assert client_address(request) == "10.0.0.9"


def test_the_admin_login_is_throttled_the_same_way(client, django_user_model, settings):
    django_user_model.objects.create_superuser("boss", password="the-boss-password")
    form = {"username": "boss", "password": "the-boss-password", "next": "/admin/"}
    with time_machine.travel(MONDAY_NINE, tick=False):
        wrong_logins(client, "/admin/login/", "boss", settings.AXES_FAILURE_LIMIT)
        refused = client.post("/admin/login/", form)
        assert refused.status_code == 429
        page = text_of(refused)
        assert "You can try again at 10:15 (in 15 minutes)." in page and 'class="errornote"' in page
        assert "Seven Time dashboard: administration" in page  # the admin's own page, in the dashboard's name
    with time_machine.travel(MONDAY_NINE + timedelta(minutes=16), tick=False):
        response = client.post("/admin/login/", form)
        assert response.status_code == 302 and response["Location"] == "/admin/"


# --- a page whose session has ended ---


def test_an_htmx_request_after_the_session_ended_sends_the_whole_page_to_the_login_form(client):
    """Without this, htmx swapped the login page into the list's rows or a detail page's
    check line (seen by Lighthouse as a 355 px shift of the customer page)."""
    response = client.get(
        "/customers/?q=ab",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/customers/?q=a&sort=name",
    )
    assert response.status_code == 204 and not response.content
    assert response["HX-Redirect"] == "/login/?next=/customers/%3Fq%3Da%26sort%3Dname"
    assert "HX-Request" in response["Vary"]


def test_the_login_form_never_sends_back_to_another_site(client):
    response = client.get("/customers/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/customers/")
    assert response["HX-Redirect"] == "/login/?next=/"


def test_a_path_that_names_another_site_is_not_where_the_login_form_sends(client):
    response = client.get("/customers/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver//evil.example/")
    assert response["HX-Redirect"] == "/login/?next=/"


def test_a_page_restored_from_history_gets_djangos_redirect_which_the_browser_follows(client):
    """htmx swaps a history restore's answer into the body whatever its headers say."""
    response = client.get(
        "/customers/?q=ab", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/customers/?q=ab",
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/login/?next=/customers/%3Fq%3Dab"


def test_without_htmx_the_login_redirect_is_djangos(client):
    response = client.get("/customers/?q=ab")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/customers/%3Fq%3Dab"
