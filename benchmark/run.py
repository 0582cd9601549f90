"""Measure page speed against the sandbox over real HTTP with injected latency.

The sandbox API runs in its own process (as the real API is on its own server),
answering on loopback after waiting `--latency` ms (the same handler as the
sandbox's /sandbox/api/1/ URLs, on a plain HTTP/1.1 server); the dashboard runs in a
threaded HTTP server in this process and calls the sandbox over real HTTP.
For each page kind it prints the median and p95 time, the upstream calls a view
makes, and the ratio of the median to the floor: the injected latency times the
sequential rounds a page needs (one, once the lookup lists are cached).

Both rate limits are off here (SEVENTIME_RATE_LIMIT, SANDBOX_RATE_LIMIT): pages
still ask Seven Time live, so at 4 calls a second the figures would measure the
limit, not the pages. The last lines give the peak calls a second the sandbox saw.
"""

import datetime as dt
import json
import logging
import multiprocessing
import re
import socket
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit
from urllib.request import urlopen

import requests
from django.contrib.auth import get_user_model
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connections
from django.test.utils import override_settings

from dashboard.api import get_client
from seventime.sandbox import api, demo, store
from seventime.sandbox.transport import PREFIX as SANDBOX_PREFIX


def table_head(page: str) -> str:
    """What the table head of a list page shows, as dashboard.js reads it (data-head)."""
    return re.search(r'<thead id="list-head"[^>]* data-head="([^"]+)"', page)[1]


class QuietHandler(WSGIRequestHandler):
    def setup(self):
        super().setup()
        # The WSGI server writes headers and body separately; without NODELAY,
        # Nagle's algorithm and delayed ACKs add ~40 ms per request on loopback,
        # which would measure the test server, not the dashboard.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        pass


def serve() -> ThreadedWSGIServer:
    """The dashboard's production WSGI application (dashboard/wsgi.py) on a threaded server."""
    from dashboard.wsgi import application

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(application)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class SandboxHandler(BaseHTTPRequestHandler):
    """The sandbox API (`api.handle`, the code behind /sandbox/api/1/) on a plain
    HTTP/1.1 server with keep-alive. Like a real API server it answers in one
    write without going through the dashboard's own middleware, so the figures
    measure the dashboard: the upstream's time is the injected latency."""

    protocol_version = "HTTP/1.1"
    #: Calls that reached the sandbox in each second (by the epoch), for the peak calls
    #: a second, and of them those refused with 429 (its rate limit, when it is on).
    seconds = Counter()
    refused = Counter()
    #: When each call reached it (time.time()), for the load test's sliding second.
    arrivals = []
    seconds_lock = threading.Lock()

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == PEAK_PATH:
            self.answer_peak()
            return
        if url.path == SECONDS_PATH:
            self.answer_seconds()
            return
        arrived = time.time()
        second = int(arrived)
        with self.seconds_lock:
            self.seconds[second] += 1
            self.arrivals.append(arrived)
        if not url.path.startswith(SANDBOX_PREFIX):
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        answer = api.handle(self.command, url.path[len(SANDBOX_PREFIX):], dict(parse_qsl(url.query)), self.headers, body)
        status, headers, content = answer.encode()
        if status == 429:
            with self.seconds_lock:
                self.refused[second] += 1
        head = [f"HTTP/1.1 {status} {'OK' if status < 400 else 'Error'}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head += [f"Content-Length: {len(content)}", "", ""]
        self.wfile.write("\r\n".join(head).encode("latin-1") + content)

    do_POST = do_GET

    def answer_peak(self):
        with self.seconds_lock:
            body = str(max(self.seconds.values(), default=0)).encode()
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    def answer_seconds(self):
        with self.seconds_lock:
            body = json.dumps({"calls": self.seconds, "refused": self.refused, "arrivals": self.arrivals}).encode()
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    def finish(self):
        try:
            super().finish()
        finally:
            # One thread per client connection, each with its own database connection:
            # closed with it, or a long run holds hundreds open (PostgreSQL runs out).
            connections.close_all()

    def log_message(self, *args):
        pass


#: The benchmark's own questions to its sandbox process: the most calls it answered in
#: one second; the calls that reached it in each second, those refused, and when each came (JSON).
PEAK_PATH = "/benchmark/peak"
SECONDS_PATH = "/benchmark/seconds"


def _run_sandbox(latency: int, rate_limit: float, ready) -> None:
    from django.conf import settings

    settings.SANDBOX_LATENCY_MS = latency
    settings.SANDBOX_RATE_LIMIT = rate_limit
    server = ThreadingHTTPServer(("127.0.0.1", 0), SandboxHandler)
    server.daemon_threads = True
    ready.put(server.server_address[1])
    server.serve_forever()


def start_sandbox(latency: int, rate_limit: float = 0) -> tuple[multiprocessing.Process, int]:
    """Fork a process serving the sandbox API with the injected latency and rate limit
    (0: none); the process and its port."""
    connections.close_all()  # the child must not share the parent's database connection
    ready = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(
        target=_run_sandbox, args=(latency, rate_limit, ready), daemon=True
    )
    process.start()
    return process, ready.get(timeout=30)


class Benchmark:
    def __init__(self, stdout=sys.stdout):
        self.stdout = stdout

    def write(self, line: str) -> None:
        self.stdout.write(line + "\n")

    def run(self, latency: int, requests: int) -> None:
        logging.getLogger("seventime").setLevel(logging.WARNING)
        if store.is_empty():
            store.reset()
        user = get_user_model().objects.create_superuser(f"bench-{uuid.uuid4().hex[:8]}", password=uuid.uuid4().hex)
        upstream_port = self.start_sandbox(latency)
        server = serve()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with override_settings(
                SEVENTIME_API_URL=f"http://127.0.0.1:{upstream_port}/sandbox/api/1/",
                SEVENTIME_CLIENT_SECRET="sandbox-secret",
                SEVENTIME_RATE_LIMIT=0,
                ALLOWED_HOSTS=["127.0.0.1"],
            ):
                rows, empty_round = self.measure(base, user, latency, requests)
            with urlopen(f"http://127.0.0.1:{upstream_port}{PEAK_PATH}", timeout=10) as answer:
                peak = int(answer.read())
        finally:
            server.shutdown()
            self.sandbox.terminate()
            user.delete()
        self.print_table(rows, empty_round, latency, requests)
        self.write(
            f"rate limits off for this measurement (SEVENTIME_RATE_LIMIT=0, SANDBOX_RATE_LIMIT=0); peak calls a second "
            f"the sandbox answered: {peak} (Seven Time allows 4)"
        )
        self.time_demo_data()

    def start_sandbox(self, latency: int) -> int:
        """The sandbox's process, rate limit off (page speed, not the limit: see the module's docstring)."""
        self.sandbox, port = start_sandbox(latency, rate_limit=0)
        return port

    def login(self, base, user) -> requests.Session:
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore

        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        browser = requests.Session()
        browser.cookies.set(settings.SESSION_COOKIE_NAME, session.session_key)
        return browser

    def pages(self, browser, base) -> list[tuple[str, str, dict]]:
        first, heads = {}, {}
        for kind in ("customers", "projects", "workorders", "users", "invoices"):
            html = browser.get(f"{base}/{kind}/").text
            marker = f'href="/{kind}/'
            start = html.index(marker, html.index("<tbody>")) + len(marker)
            first[kind] = html[start : html.index("/", start)]
            heads[kind] = table_head(html)
        # What the browser sends when a filter changes: htmx's headers and, from
        # dashboard.js, the sort of the table head the list page shows.
        partial = {
            kind: {"HX-Request": "true", "HX-Target": "results", "HX-Trigger": "filters", "X-Table-Head": head}
            for kind, head in heads.items()
            if kind in ("customers", "invoices")
        }
        return [
            ("customers list", "/customers/", {}),
            ("projects list", "/projects/", {}),
            ("work orders list", "/workorders/", {}),
            ("users list", "/users/", {}),
            ("invoices list", "/invoices/", {}),
            ("customer detail", f"/customers/{first['customers']}/", {}),
            ("project detail", f"/projects/{first['projects']}/", {}),
            ("work order detail", f"/workorders/{first['workorders']}/", {}),
            ("user detail", f"/users/{first['users']}/", {}),
            ("invoice detail", f"/invoices/{first['invoices']}/", {}),
            ("customers filter (full page)", "/customers/?city=Malm", {}),
            ("customers filter (htmx partial)", "/customers/?city=Malm", partial["customers"]),
            ("customers name typed (full page)", "/customers/?name=bergstr", {}),
            ("customers name typed (htmx partial)", "/customers/?name=bergstr", partial["customers"]),
            ("invoices filter (full page)", "/invoices/?state=overdue", {}),
            ("invoices filter (htmx partial)", "/invoices/?state=overdue", partial["invoices"]),
            ("search (4 kinds, 8 calls)", "/?q=12", {}),
        ]

    def measure(self, base, user, latency, count):
        """Each page once to warm the lookup cache, then `count` rounds in which every
        page is requested once: a busy moment on a shared machine falls on every page
        kind alike instead of on whichever page was being measured then."""
        browser = self.login(base, user)
        client = get_client()
        pages = self.pages(browser, base)
        timings = {label: [] for label, _path, _headers in pages}
        calls = dict.fromkeys(timings, 0)
        sizes = {}
        for _label, path, headers in pages:
            browser.get(base + path, headers=headers)
        # The round itself, with nothing to decode or show: an empty answer through the
        # dashboard's client, measured in the same rounds (what no page can go below here).
        empty_round = []
        for _ in range(count):
            started = time.perf_counter()
            client.list_customers(name="no customer has this name")
            empty_round.append((time.perf_counter() - started) * 1000)
            for label, path, headers in pages:
                calls_before = client.calls
                started = time.perf_counter()
                response = browser.get(base + path, headers=headers)
                timings[label].append((time.perf_counter() - started) * 1000)
                calls[label] += client.calls - calls_before
                response.raise_for_status()
                sizes[label] = len(response.content)
        rows = []
        for label, values in timings.items():
            median = statistics.median(values)
            p95 = statistics.quantiles(values, n=20)[-1] if count >= 2 else values[0]
            ratio = median / latency if latency else float("nan")
            rows.append((label, median, p95, calls[label] / count, ratio, sizes[label]))
        return rows, empty_round

    def print_table(self, rows, empty_round, latency, count):
        self.write(
            f"Injected upstream latency {latency} ms; {count} rounds of one timed request per page, after one warm-up; "
            "floor = latency x 1 round.\n"
        )
        self.write("| page | median ms | p95 ms | upstream calls | median / floor | bytes |")
        self.write("| --- | ---: | ---: | ---: | ---: | ---: |")
        for label, median, p95, calls, ratio, size in rows:
            self.write(f"| {label} | {median:.0f} | {p95:.0f} | {calls:g} | {ratio:.2f} | {size:,} |")
        sizes = {label: size for label, *_rest, size in rows}
        self.write("")
        for kind, rows_shown in (
            ("customers name typed", "8 rows"),
            ("customers filter", "25 rows"),
            ("invoices filter", "25 rows"),
        ):
            full, part = sizes[f"{kind} (full page)"], sizes[f"{kind} (htmx partial)"]
            self.write(f"{kind} ({rows_shown}): htmx partial / full page bytes = {part / full:.2f}")
        self.write("target for a filter partial: <= 0.25 of the full page")
        worst = max(ratio for _label, _m, _p, _c, ratio, _s in rows)
        self.write(f"worst median / floor: {worst:.2f} (target <= 1.25)")
        empty = statistics.median(empty_round)
        worst_ms = max(median for _label, median, *_rest in rows)
        self.write(
            f"an empty answer through the client (one round with nothing to decode or show): {empty:.1f} ms median; "
            f"worst page median / that: {worst_ms / empty:.2f}"
        )

    def time_demo_data(self):
        """Generating the sandbox's demo data (every sandbox reset, the tests' included):
        the better of two runs, so that a busy moment does not count."""
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            demo.generate(dt.date.today(), seed=11)
            timings.append((time.perf_counter() - started) * 1000)
        self.write(f"demo data generated in {min(timings):.0f} ms (target < 2000 ms)")
