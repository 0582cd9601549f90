"""The list, filter and search pages read from the local copy (issue 14):
python -m benchmark --copy [--scale N] [--requests N] [--sync] (`make benchmark-copy`).

The sandbox's data (`--scale N`: `sandbox_reset --scale N` first, N times the demo
company, in the configured database: point DATABASE_URL at a scratch one) is put into
the copy as a complete sync leaves it: by default straight from the sandbox's tables
(each document as the client decodes the sandbox's JSON, through `copy.upsert`, the
code a sweep's end runs), or with `--sync` by a real full sync in this process (~4 s
on the demo data, ~7 minutes at --scale 30). Then every entity's copy is usable and
the pages read it.

The dashboard runs as in `benchmark/run.py` (its production WSGI application in a
threaded server in this process, DEBUG off under make), Seven Time is the sandbox in
a process of its own with 100 ms latency, so that a page that still asked it would
show. Each page is requested once (warm-up), then in `--requests` rounds of every
page once. For each page: the server's time (from the WSGI call to the last byte of
the body, without the HTTP client's), median and p95, the round trip's median, the
calls the page made to Seven Time (the dashboard's client counts them; the sandbox's
own count over the whole run is printed too), the bytes, and the ratio of the
median to the baseline measured in the same rounds (a signed-in request for a page
that does not exist: sessions, authentication, middleware and a small template),
which moves less than the absolute figures on a shared machine.

Targets (issue 14): 0 calls; median server time ≤ 20 ms on the demo data, p95 ≤ 50 ms
on --scale 30.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from urllib.parse import quote
from urllib.request import urlopen

from django.contrib.auth import get_user_model
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from benchmark.run import SECONDS_PATH, Benchmark, QuietHandler, start_sandbox, table_head
from dashboard.api import account_key, get_client
from dashboard.models import CopyStatus, SyncedRecord, SyncRun
from dashboard.sync import copy, engine
from dashboard.sync.entities import ENTITIES
from seventime.sandbox import store

#: The sandbox's collection of each copied entity.
COLLECTIONS = {
    "customers": "customers",
    "contact_persons": "contactPersons",
    "users": "users",
    "departments": "departments",
    "projects": "projects",
    "work_orders": "workOrders",
    "invoices": "invoices",
    "project_statuses": "projectStatuses",
    "project_types": "projectTypes",
    "project_tags": "projectTags",
    "work_order_statuses": "workOrderStatuses",
    "work_order_types": "workOrderTypes",
    "work_order_tags": "workOrderTags",
    "invoice_tags": "invoiceTags",
    "user_roles": "userRoles",
    "price_lists": "priceLists",
    "salary_types": "defaultSalaryTypes",
    "user_skills": "userSkills",
}
BASELINE = "baseline: signed-in page not found"
#: Server time of each request, by the id the benchmark sends (X-Benchmark-Id): (wall ms,
#: CPU ms of the thread that served it: what the page cost this process, which a busy
#: machine inflates far less than the wall time; SQLite's work is in it, PostgreSQL's not).
SERVER_MS: dict[str, tuple[float, float]] = {}


def fill_copy() -> dict[str, int]:
    """The copy as a complete sync leaves it, from the sandbox's tables: every entity usable."""
    account = account_key()
    SyncedRecord.objects.filter(account=account).delete()
    CopyStatus.objects.filter(account=account).delete()
    SyncRun.objects.filter(account=account).delete()
    now = timezone.now()
    counts = {}
    for name, collection in COLLECTIONS.items():
        entity = ENTITIES[name]
        # As the client decodes the sandbox's answer: JSON, numbers as Decimal.
        docs = json.loads(store.encode(collection, store.all(collection)), parse_float=Decimal)
        records = [(str(doc.get("_id") or doc.get("userRoleId")), doc) for doc in docs]
        for start in range(0, len(records), copy.BATCH):
            copy.upsert(account, entity, records[start : start + copy.BATCH], now)
        counts[name] = copy.count(account, name)
        CopyStatus.objects.update_or_create(
            account=account,
            entity=name,
            defaults={
                "count": counts[name],
                "complete": True,
                "last_complete_at": now,
                "last_full_at": now,
                "last_incremental_at": now,
                "columns_version": copy.columns_version(),
            },
        )
    copy.analyze()  # as the engine does after a full sweep
    return counts


def forget_copy(api_url: str) -> None:
    """Remove the copy of the benchmark's account (its key names the sandbox's port, new every run)."""
    with override_settings(SEVENTIME_API_URL=api_url, SEVENTIME_CLIENT_SECRET="sandbox-secret"):
        account = account_key()
    SyncedRecord.objects.filter(account=account).delete()
    CopyStatus.objects.filter(account=account).delete()
    SyncRun.objects.filter(account=account).delete()


def timed(application):
    """The WSGI application, timing each request from the call to the body's last byte
    (rendering included: a template response renders as its body is read)."""

    def app(environ, start_response):
        started, cpu = time.perf_counter(), time.thread_time()
        answered = {}

        def keep(status, headers, exc_info=None):
            answered["head"] = (status, headers, exc_info)
            return lambda data: None

        result = application(environ, keep)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        elapsed = (time.perf_counter() - started) * 1000
        if key := environ.get("HTTP_X_BENCHMARK_ID"):
            SERVER_MS[key] = (elapsed, (time.thread_time() - cpu) * 1000)
        status, headers, exc_info = answered["head"]
        start_response(status, headers, exc_info)
        return [body]

    return app


def serve() -> ThreadedWSGIServer:
    from dashboard.wsgi import application

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(timed(application))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def sample_values() -> dict[str, str]:
    """Filter values that match some records of whatever account the sandbox holds."""
    customers = store.all("customers")
    invoices = store.all("invoices")
    work_orders = store.all("workOrders")
    city = Counter((doc.get("city") or "")[:4] for doc in customers if doc.get("city")).most_common(1)[0][0]
    name = next(doc["name"] for doc in customers if len(doc.get("name") or "") > 8)
    status = Counter(doc.get("statusRef") or doc.get("status") for doc in work_orders).most_common(1)[0][0]
    status = status.get("_id") if isinstance(status, dict) else status
    number = Counter(doc.get("customerNumber") for doc in invoices if doc.get("customerNumber")).most_common(1)[0][0]
    today = dt.date.today()
    return {
        "city": city,
        "name": name[1:7],
        "status": str(status or ""),
        "customer_number": str(number),
        "date_from": (today - dt.timedelta(days=90)).isoformat(),
        "date_to": today.isoformat(),
        "project_customer": (next(doc.get("customerName") for doc in store.all("projects") if doc.get("customerName")) or "a")[:3],
    }


def pages(browser, base: str, search: bool = False) -> list[tuple[str, str, dict]]:
    """(label, path, headers): each list, filter, sort and text filter as a whole page
    and as the htmx partial a changed filter asks for; the start page's search."""
    values = sample_values()
    heads = {}
    for kind in ("customers", "projects", "workorders", "users", "invoices"):
        heads[kind] = table_head(browser.get(f"{base}/{kind}/").text)
    q = {key: quote(value) for key, value in values.items()}
    lists = [
        ("customers list", "customers", ""),
        ("customers city filter", "customers", f"city={q['city']}"),
        ("customers name typed", "customers", f"name={q['name']}"),
        ("customers by active", "customers", "active=true&sort=active&dir=descending"),
        ("projects list", "projects", ""),
        ("projects customer typed, by customer", "projects", f"customer={q['project_customer']}&sort=customer"),
        ("work orders list", "workorders", ""),
        ("work orders status, by customer", "workorders", f"status={q['status']}&sort=customer"),
        ("users list", "users", ""),
        ("users name typed (Python)", "users", "name=an"),
        ("invoices list", "invoices", ""),
        ("invoices overdue", "invoices", "state=overdue"),
        ("invoices overdue by due date", "invoices", "state=overdue&sort=due_date&dir=ascending"),
        ("invoices sent SEK by amount", "invoices", "state=sent&currency=SEK&sort=total&dir=descending"),
        ("invoices customer number", "invoices", f"customer_number={q['customer_number']}"),
        ("invoices period, by project", "invoices", f"date_from={q['date_from']}&date_to={q['date_to']}&sort=project"),
        ("invoices page 10", "invoices", "page=10"),
    ]
    found = []
    for label, kind, query in lists:
        path = f"/{kind}/" + (f"?{query}" if query else "")
        found.append((f"{label} (full page)", path, {}))
        partial = {"HX-Request": "true", "HX-Target": "results", "HX-Trigger": "filters", "X-Table-Head": heads[kind]}
        found.append((f"{label} (htmx partial)", path, partial))
    if search:
        found.append(("start page search (asks Seven Time until it reads the copy)", "/?q=12", {}))
    found.append((BASELINE, "/benchmark-no-such-page/", {}))
    return found


class CopyBenchmark:
    def __init__(self, stdout=sys.stdout):
        self.stdout = stdout

    def write(self, line: str = "") -> None:
        self.stdout.write(line + "\n")
        self.stdout.flush()

    def run(
        self,
        requests: int,
        latency: int = 100,
        scale: int | None = None,
        sync: bool = False,
        keep: bool = False,
        search: bool = False,
    ) -> None:
        from django.core.management import call_command

        logging.getLogger("seventime").setLevel(logging.WARNING)
        logging.getLogger("django.request").setLevel(logging.ERROR)
        started = time.monotonic()
        self.search = search
        if scale and not keep:
            call_command("sandbox_reset", scale=scale)
            self.write(f"sandbox_reset --scale {scale}: {time.monotonic() - started:.0f} s")
        elif store.is_empty():
            store.reset()
        user = get_user_model().objects.create_superuser(f"bench-{uuid.uuid4().hex[:8]}", password=uuid.uuid4().hex)
        sandbox, upstream_port = start_sandbox(latency, rate_limit=0)
        server = serve()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with override_settings(
                SEVENTIME_API_URL=f"http://127.0.0.1:{upstream_port}/sandbox/api/1/",
                SEVENTIME_CLIENT_SECRET="sandbox-secret",
                SEVENTIME_RATE_LIMIT=0,
                ALLOWED_HOSTS=["127.0.0.1"],
            ):
                self.fill(sync)
                before = self.sandbox_calls(upstream_port)
                rows = self.measure(base, user, requests)
                sandbox_calls = self.sandbox_calls(upstream_port) - before
        finally:
            server.shutdown()
            sandbox.terminate()
            user.delete()
            forget_copy(f"http://127.0.0.1:{upstream_port}/sandbox/api/1/")
        self.print_table(rows, requests, sandbox_calls, scale)

    def fill(self, sync: bool) -> None:
        """The copy of the account the pages read (its key names the sandbox's address)."""
        started = time.monotonic()
        if sync:
            run = engine.sync(full=True)
            how = f"a full sync ({run.api_calls} calls, complete: {run.complete})"
        else:
            fill_copy()
            how = "the sandbox's tables (as a complete sync leaves it)"
        sizes = ", ".join(
            f"{entity} {CopyStatus.objects.get(account=account_key(), entity=entity).count:,}"
            for entity in ("customers", "projects", "work_orders", "users", "invoices")
        )
        self.write(f"copy filled from {how} in {time.monotonic() - started:.0f} s: {sizes}")


    def sandbox_calls(self, port: int) -> int:
        with urlopen(f"http://127.0.0.1:{port}{SECONDS_PATH}", timeout=10) as answer:
            return sum(json.loads(answer.read())["calls"].values())

    def measure(self, base: str, user, count: int) -> list[tuple]:
        browser = Benchmark(self.stdout).login(base, user)
        client = get_client()
        found = pages(browser, base, search=self.search)
        server = {label: [] for label, _path, _headers in found}
        trip = {label: [] for label in server}
        cpu = {label: [] for label in server}
        calls = dict.fromkeys(server, 0)
        sizes = {}
        for _label, path, headers in found:  # warm-up
            browser.get(base + path, headers=headers)
        for _ in range(count):
            for label, path, headers in found:
                key = uuid.uuid4().hex
                calls_before = client.calls
                started = time.perf_counter()
                response = browser.get(base + path, headers=headers | {"X-Benchmark-Id": key})
                trip[label].append((time.perf_counter() - started) * 1000)
                calls[label] += client.calls - calls_before
                wall, used = SERVER_MS.pop(key)
                server[label].append(wall)
                cpu[label].append(used)
                if label != BASELINE and not path.startswith("/?q="):
                    response.raise_for_status()
                sizes[label] = len(response.content)
        baseline = statistics.median(server[BASELINE])
        rows = []
        for label in server:
            values = server[label]
            median = statistics.median(values)
            p95 = statistics.quantiles(values, n=20)[-1] if count >= 2 else values[0]
            rows.append(
                (
                    label,
                    median,
                    p95,
                    statistics.median(cpu[label]),
                    statistics.median(trip[label]),
                    calls[label] / count,
                    median / baseline,
                    sizes[label],
                )
            )
        return rows

    def print_table(self, rows, count: int, sandbox_calls: int, scale: int | None) -> None:
        import os

        load = os.getloadavg()
        self.write(
            f"\nPages read from the copy; database {connection.vendor}; account: "
            f"{'demo data' if not scale else f'--scale {scale}'}; {count} rounds of one timed request per page after one "
            f"warm-up; load average {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} (2 cores shared: absolute figures are pessimistic)\n"
        )
        self.write(
            "| page | server median ms | server p95 ms | server CPU median ms | round trip median ms "
            "| calls to Seven Time | median / baseline | bytes |"
        )
        self.write("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label, median, p95, cpu, trip, calls, ratio, size in rows:
            self.write(
                f"| {label} | {median:.1f} | {p95:.1f} | {cpu:.1f} | {trip:.1f} | {calls:g} | {ratio:.2f} | {size:,} |"
            )
        listed = [row for row in rows if row[0] != BASELINE and not row[0].startswith("start page")]
        worst_median = max(listed, key=lambda row: row[1])
        worst_p95 = max(listed, key=lambda row: row[2])
        calls = sum(row[5] for row in listed)
        worst_cpu = max(listed, key=lambda row: row[3])
        self.write("")
        self.write(f"list, filter and sort pages: calls to Seven Time {calls:g} a round (target 0); the sandbox saw "
                   f"{sandbox_calls} calls in the whole run (the start page's search included)")  # fmt: skip
        self.write(f"worst median: {worst_median[1]:.1f} ms ({worst_median[0]}; target ≤ 20 ms on the demo data), "
                   f"{worst_median[6]:.2f} x the baseline")  # fmt: skip
        self.write(f"worst server CPU median: {worst_cpu[3]:.1f} ms ({worst_cpu[0]})")
        self.write(f"worst p95: {worst_p95[2]:.1f} ms ({worst_p95[0]}; target ≤ 50 ms on --scale 30)")
