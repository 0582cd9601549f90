"""Load test: python -m benchmark.load [--users 1,10,50] [--seconds 10] [--latency 100]
(`make loadtest`, production settings; `ARGS="--seconds 30"`).

The production server as `make serve` runs it: gunicorn with dashboard/gunicorn.py
(its workers and threads, WEB_WORKERS and WEB_THREADS), DEBUG off, on loopback, and
the background worker (`manage.py run_huey`) beside it (`--no-worker` leaves it out).
Seven Time is the sandbox API in a process of its own (benchmark/run.py's, answering
after `--latency` ms) with its rate limit ON, as users have it: SANDBOX_RATE_LIMIT and
the dashboard's SEVENTIME_RATE_LIMIT from the environment, 4 a second by default.

Every simulated user signs in through the login form (once, before the first level)
and then, with no think time, asks for the pages of `make benchmark` in turn, each
user from its own place in the list, over its own keep-alive connection (requests; both
urllib3 and gunicorn set TCP_NODELAY, so no Nagle delays are measured): the five list
pages, the detail page of each kind, filters as a full page and as the htmx partial
(HX-Request), and the start page's search. A redirect counts as an error (not followed).

For each level (1, 10 and 50 users, `--seconds` each) it prints pages a second (pages
finished within the time), p50/p95/p99 of the pages begun within it (the last ones
are waited for), the errors (any status but 200, or no answer), and the calls that
reached the sandbox: a second on average and at most in one second, and the 429s it
answered; then whether those stayed at or below the rate limit. The resident memory
of gunicorn's master and workers is printed at the start and the end of each level,
and sampled every tenth of it.

The database and cache are the environment's (DATABASE_URL, CACHE_URL; SQLite and
local memory by default): the sandbox's data lives there too, created if it is empty.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.request import urlopen

import django

ROOT = Path(__file__).resolve().parent.parent
#: How long a simulated user waits for a page before counting it an error (gunicorn's own timeout is 60 s).
PAGE_TIMEOUT = 90


# --- the arithmetic (tests/benchmark/test_load.py) --------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `fraction` of all
    values at or below it (p50 of 1..4 is 2, p95 of 1..100 is 95). NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def per_second(count: int, seconds: float) -> float:
    """`count` events over `seconds` as a rate (0 when no time passed)."""
    return count / seconds if seconds > 0 else 0.0


def counts_between(before: dict, after: dict) -> Counter:
    """Per-second counts (epoch second -> count, keys as str or int) added between two
    snapshots of the same counter: only what happened in between, whichever seconds
    the snapshots fell in."""
    earlier = {int(second): count for second, count in before.items()}
    added = Counter()
    for second, count in after.items():
        grown = count - earlier.get(int(second), 0)
        if grown > 0:
            added[int(second)] = grown
    return added


def most_in_window(times: list[float], window: float = 1.0) -> int:
    """The most of `times` (seconds) that fall in any `window` seconds, wherever the
    window starts (a sliding second, where the calendar second of `counts_between`
    is fixed): a call counts with the ones less than `window` after it."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


def closest(times: list[float]) -> float:
    """The shortest time between two of `times` (inf with fewer than two)."""
    ordered = sorted(times)
    return min((later - earlier for earlier, later in zip(ordered, ordered[1:])), default=math.inf)


@dataclass
class Page:
    """One page asked for: when it began and ended (time.time()), its status (0: no answer)."""

    label: str
    began: float
    ended: float
    status: int
    failure: str = ""  # why there was no answer (status 0): the exception, as requests raised it

    @property
    def ms(self) -> float:
        return (self.ended - self.began) * 1000


@dataclass
class Level:
    """What one level measured, and the figures printed for it."""

    users: int
    began: float
    deadline: float
    ended: float  # the last page begun before the deadline answered
    pages: list[Page]
    calls: Counter = field(default_factory=Counter)  # calls that reached the sandbox, per second
    refused: Counter = field(default_factory=Counter)  # of them, answered 429
    arrivals: list[float] = field(default_factory=list)  # when each reached the sandbox (time.time())
    memory_start: dict[int, tuple[int, int]] = field(default_factory=dict)  # pid -> kB (RSS, PSS)
    memory_end: dict[int, tuple[int, int]] = field(default_factory=dict)
    memory_during: list[float] = field(default_factory=list)  # gunicorn's RSS in MB, every tenth of `seconds`

    @property
    def seconds(self) -> float:
        return self.deadline - self.began

    @property
    def pages_per_second(self) -> float:
        return per_second(sum(page.ended <= self.deadline for page in self.pages), self.seconds)

    def latency(self, fraction: float) -> float:
        return percentile([page.ms for page in self.pages], fraction)

    @property
    def errors(self) -> Counter:
        return Counter(page.status for page in self.pages if page.status != 200)

    @property
    def calls_per_second(self) -> float:
        return per_second(sum(self.calls.values()), self.ended - self.began)

    @property
    def peak_calls(self) -> int:
        return max(self.calls.values(), default=0)

    def within(self, limit: float) -> bool:
        """The sandbox never saw more calls in one second than the limit (0: no limit), and refused none."""
        return (not limit or self.peak_calls <= limit) and not sum(self.refused.values())


# --- the processes --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def proc_kb(pid: int, file: str, key: str) -> int:
    """A figure in kB of /proc/<pid>/<file> (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kb(pid: int) -> int:
    """A process's resident size in kB."""
    return proc_kb(pid, "status", "VmRSS:")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # pid (comm) state ppid ...: comm may hold spaces, so split after its ")".
            if int(stat.read_text().rpartition(")")[2].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    return sorted(found)


def server_memory(master: int) -> dict[int, tuple[int, int]]:
    """kB resident (RSS) and proportional (PSS) of gunicorn's master (first) and of each
    of its workers: the workers share the pages they forked with (preload_app), which
    every RSS counts in full and PSS divides among them."""
    return {pid: (rss_kb(pid), proc_kb(pid, "smaps_rollup", "Pss:")) for pid in [master, *children(master)]}


def rss_mb(memory: dict[int, tuple[int, int]]) -> float:
    return sum(rss for rss, _pss in memory.values()) / 1024


def memory_words(memory: dict[int, tuple[int, int]]) -> str:
    sizes = [rss / 1024 for rss, _pss in memory.values()]
    if not sizes:
        return "n/a"
    workers = " + ".join(f"{size:.0f}" for size in sizes[1:])
    pss = sum(pss for _rss, pss in memory.values()) / 1024
    return f"RSS {sum(sizes):.0f} MB (master {sizes[0]:.0f} + workers {workers}); PSS {pss:.0f} MB in all"


def sample_memory(master: int, every: float, into: list[float], stop: threading.Event) -> None:
    """gunicorn's RSS in MB into `into` every `every` seconds until `stop` is set."""
    while not stop.wait(every):
        into.append(rss_mb(server_memory(master)))


class Server:
    """gunicorn as `make serve` starts it (and the background worker), against the sandbox at `api`."""

    def __init__(self, api: str, log: Path, worker: bool):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DEBUG": "false",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "SEVENTIME_API_URL": api,
            "SEVENTIME_CLIENT_SECRET": "sandbox-secret",
        }
        self.log = log.open("ab")
        command = [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.gunicorn", "dashboard.wsgi:application"]
        self.gunicorn = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.worker = None
        if worker:
            self.worker = subprocess.Popen(
                [sys.executable, "manage.py", "run_huey"], cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, seconds: float = 60) -> None:
        give_up = time.monotonic() + seconds
        while time.monotonic() < give_up:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn ended with {self.gunicorn.returncode}: see {self.log.name}")
            try:
                with urlopen(f"{self.base}/login/", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {seconds:.0f} s: see {self.log.name}")

    def stop(self) -> None:
        for process in (self.worker, self.gunicorn):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (self.worker, self.gunicorn):
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.log.close()


# --- the simulated users -------------------------------------------------------------


def sign_in(base: str, username: str, password: str):
    """A keep-alive session signed in through the login form, as a person does."""
    import requests

    browser = requests.Session()
    form = browser.get(f"{base}/login/", timeout=PAGE_TIMEOUT)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    answer = browser.post(
        f"{base}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        timeout=PAGE_TIMEOUT,
        allow_redirects=False,  # the start page it leads to is not what is measured here
    )
    if answer.status_code != 302 or "/login/" in answer.headers.get("Location", "/login/"):
        raise RuntimeError(f"signing in failed ({answer.status_code})")
    return browser


def run_level(base: str, sessions: list, pages: list, seconds: float) -> tuple[float, float, float, list[Page]]:
    """Each session asks for pages one after another, with no pause, until `seconds`
    have passed; the pages begun by then are waited for. (began, deadline, ended, pages)."""
    import requests

    done: list[Page] = []
    lock = threading.Lock()
    began = time.time()
    deadline = began + seconds

    def user(number: int, browser) -> None:
        turn = number * 3  # users start at different pages
        mine = []
        while time.time() < deadline:
            label, path, headers = pages[turn % len(pages)]
            turn += 1
            started = time.time()
            failure = ""
            try:
                # A redirect (to the login, say) is not the page: it counts as an error.
                answer = browser.get(base + path, headers=headers, timeout=PAGE_TIMEOUT, allow_redirects=False)
                status = answer.status_code
            except requests.RequestException as error:
                status, failure = 0, f"{type(error).__name__}: {error} ({label}, {started - began:.1f} s into the level)"
            mine.append(Page(label, started, time.time(), status, failure))
        with lock:
            done.extend(mine)

    threads = [threading.Thread(target=user, args=(number, browser)) for number, browser in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return began, deadline, time.time(), done


def copy_pages(browser, base: str) -> list[tuple[str, str, dict]]:
    """The copy benchmark's filters and sorts (benchmark/copy_pages.py), but not its baseline."""
    from benchmark.copy_pages import BASELINE, pages

    return [page for page in pages(browser, base) if page[0] != BASELINE and not page[1].startswith("/?q=")]


def sandbox_seconds(port: int) -> dict:
    from benchmark.run import SECONDS_PATH

    with urlopen(f"http://127.0.0.1:{port}{SECONDS_PATH}", timeout=10) as answer:
        return json.loads(answer.read())


# --- the run -------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmark.load",
        description="Simulated users against the production server (gunicorn) on the rate-limited sandbox.",
    )
    parser.add_argument("--users", default="1,10,50", help="Users of each level, comma-separated (1,10,50).")
    parser.add_argument("--seconds", type=float, default=10, help="Seconds each level lasts (10).")
    parser.add_argument("--latency", type=int, default=100, help="Injected upstream latency in ms (100).")
    parser.add_argument("--no-worker", action="store_true", help="Leave the background worker (run_huey) out.")
    parser.add_argument(
        "--live",
        action="store_true",
        help="Leave the local copy empty: pages ask Seven Time as before the copy (the earlier figures).",
    )
    parser.add_argument(
        "--with-search",
        action="store_true",
        help="Put the start page's search in the mix (it still asks Seven Time, 8 calls, until it reads the copy).",
    )
    options = parser.parse_args()
    levels = [int(users) for users in options.users.split(",") if users.strip()]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    django.setup()
    LoadTest().run(
        levels,
        options.seconds,
        options.latency,
        worker=not options.no_worker,
        copy=not options.live,
        search=options.with_search or options.live,
    )


class LoadTest:
    def __init__(self, stdout=sys.stdout):
        self.stdout = stdout

    def write(self, line: str = "") -> None:
        self.stdout.write(line + "\n")
        self.stdout.flush()

    def run(
        self, levels: list[int], seconds: float, latency: int, worker: bool = True, copy: bool = True, search: bool = False
    ) -> None:
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import connection

        from benchmark.run import Benchmark, start_sandbox
        from seventime.sandbox import ratelimit, store

        if store.is_empty():
            store.reset()
        sandbox_limit = settings.SANDBOX_RATE_LIMIT
        # What Seven Time (the sandbox here) allows; the dashboard's own limiter's if the sandbox has none.
        limit = sandbox_limit or settings.SEVENTIME_RATE_LIMIT
        username, password = f"load-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
        user = get_user_model().objects.create_superuser(username, password=password)
        sandbox, sandbox_port = start_sandbox(latency, rate_limit=sandbox_limit)
        api_url = f"http://127.0.0.1:{sandbox_port}/sandbox/api/1/"
        if copy:
            self.fill_copy(api_url)
        log = Path(tempfile.mkstemp(prefix="loadtest-", suffix=".log")[1])
        server = Server(api_url, log, worker)
        results = []
        try:
            server.wait_ready()
            self.write(
                f"gunicorn (dashboard/gunicorn.py: {server.env.get('WEB_WORKERS') or os.cpu_count()} workers x "
                f"{server.env.get('WEB_THREADS') or 8} threads) at {server.base}, DEBUG off, "
                f"{'with' if worker else 'without'} the background worker; database {connection.vendor}, "
                f"cache {settings.CACHES['default']['BACKEND'].rpartition('.')[2]}; sandbox on port {sandbox_port}: "
                f"{latency} ms latency, rate limit {sandbox_limit:g}/s; dashboard's limiter "
                f"{settings.SEVENTIME_RATE_LIMIT:g}/s. Log: {log}"
            )
            started = time.monotonic()
            with ThreadPoolExecutor(8) as pool:
                sessions = list(pool.map(lambda _: sign_in(server.base, username, password), range(max(levels))))
            self.write(f"{len(sessions)} users signed in through the login form in {time.monotonic() - started:.1f} s")
            started = time.monotonic()
            pages = Benchmark(self.stdout).pages(sessions[0], server.base)
            if copy:
                pages += [page for page in copy_pages(sessions[0], server.base) if page[0] not in {p[0] for p in pages}]
            if not search:
                pages = [page for page in pages if not page[1].startswith("/?q=")]
            self.write(
                f"{len(pages)} pages in the mix (found the detail pages and warmed the lookups in "
                f"{time.monotonic() - started:.1f} s): " + ", ".join(label for label, _path, _headers in pages)
            )
            for users in levels:
                memory_start = server_memory(server.gunicorn.pid)
                counted = sandbox_seconds(sandbox_port)
                sampled, stop_sampling = [], threading.Event()
                sampler = threading.Thread(
                    target=sample_memory, args=(server.gunicorn.pid, seconds / 10, sampled, stop_sampling), daemon=True
                )
                sampler.start()
                began, deadline, ended, done = run_level(server.base, sessions[:users], pages, seconds)
                stop_sampling.set()
                sampler.join()
                now = sandbox_seconds(sandbox_port)
                level = Level(
                    users,
                    began,
                    deadline,
                    ended,
                    done,
                    calls=counts_between(counted["calls"], now["calls"]),
                    refused=counts_between(counted["refused"], now["refused"]),
                    arrivals=now["arrivals"][len(counted["arrivals"]) :],
                    memory_start=memory_start,
                    memory_end=server_memory(server.gunicorn.pid),
                    memory_during=sampled,
                )
                record = ratelimit.peak(settings.SANDBOX_CLIENT_SECRET, since=began)
                results.append(level)
                self.print_level(level, limit, record)
        finally:
            server.stop()
            sandbox.terminate()
            user.delete()
            if copy:
                from benchmark.copy_pages import forget_copy

                forget_copy(api_url)
        self.print_table(results, limit, seconds, latency)
        if results and results[0].users == 1:
            self.print_pages(results[0])

    def fill_copy(self, api_url: str) -> None:
        """The copy of the account gunicorn serves, complete (benchmark/copy_pages.py): pages read it."""
        from django.test.utils import override_settings

        from benchmark.copy_pages import fill_copy

        started = time.monotonic()
        with override_settings(SEVENTIME_API_URL=api_url, SEVENTIME_CLIENT_SECRET="sandbox-secret"):
            counts = fill_copy()
        self.write(
            f"local copy filled from the sandbox's tables in {time.monotonic() - started:.0f} s "
            f"({counts['invoices']:,} invoices, {counts['customers']:,} customers): list, filter and detail pages read it"
        )

    def print_pages(self, level: Level) -> None:
        """Each page's median and p95 with one user (issue 15: within the benchmark's targets)."""
        timings = {}
        for page in level.pages:
            timings.setdefault(page.label, []).append(page.ms)
        self.write(f"\nOne user, each page (round trip, ms; {len(level.pages)} pages):\n")
        self.write("| page | pages | median ms | p95 ms |")
        self.write("| --- | ---: | ---: | ---: |")
        for label, values in timings.items():
            self.write(f"| {label} | {len(values)} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} |")

    def print_level(self, level: Level, limit: float, record: dict) -> None:
        errors = ", ".join(f"{status or 'no answer'} x{count}" for status, count in sorted(level.errors.items()))
        self.write(
            f"\n{level.users} user{'s' if level.users != 1 else ''}: {len(level.pages)} pages begun in {level.seconds:.0f} s (the last answered "
            f"{level.ended - level.deadline:.1f} s after); errors: {errors or 'none'}"
        )
        for failure, count in Counter(page.failure for page in level.pages if page.failure).most_common(5):
            self.write(f"  no answer x{count}: {failure}")
        self.write(f"  gunicorn memory at the start: {memory_words(level.memory_start)}")
        self.write(f"  gunicorn memory at the end:   {memory_words(level.memory_end)}")
        self.write(
            f"  gunicorn RSS every {level.seconds / 10:g} s (until the last page answered), MB: "
            + ", ".join(f"{mb:.0f}" for mb in level.memory_during)
        )
        self.write(
            f"  sandbox: {sum(level.calls.values())} calls over {level.ended - level.began:.1f} s, "
            f"{level.calls_per_second:.2f}/s, at most {level.peak_calls} in one second, "
            f"{sum(level.refused.values())} refused (429); its own record since the level began: "
            f"at most {record['peak']} served in one second, {record['refused']} refused"
        )
        self.write(
            f"  in any 1 s window (sliding) at most {most_in_window(level.arrivals)} calls; the closest two "
            f"{closest(level.arrivals) * 1000:.0f} ms apart (the dashboard's limiter releases them "
            f"{1000 / limit if limit else 0:.0f} ms apart)"
        )
        slowest = {}
        for page in level.pages:
            slowest.setdefault(page.label, []).append(page.ms)
        medians = sorted(((percentile(values, 0.5), label) for label, values in slowest.items()), reverse=True)
        self.write("  slowest medians: " + ", ".join(f"{label} {ms:.0f} ms" for ms, label in medians[:3]))
        verdict = "OK" if level.within(limit) else "OVER THE LIMIT"
        self.write(
            f"  calls that reached the sandbox at or below {limit:g} in every second, none refused: {verdict}"
            + ("" if level.within(limit) or sum(level.refused.values()) else " (its token bucket still refused none)")
        )

    def print_table(self, levels: list[Level], limit: float, seconds: float, latency: int) -> None:
        self.write(
            f"\n{seconds:g} s a level, no think time, {latency} ms upstream latency, rate limit {limit:g} calls a second; "
            f"≤ {limit:g}/s: at most {limit:g} calls reached the sandbox in every clock second and it refused none\n"
        )
        self.write(
            "| users | pages/s | p50 ms | p95 ms | p99 ms | pages | errors | sandbox calls/s | most in a clock second "
            f"| most in any 1 s | 429s | ≤ {limit:g}/s | RSS start MB | RSS end MB |"
        )
        self.write("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
        for level in levels:
            self.write(
                f"| {level.users} | {level.pages_per_second:.1f} | {level.latency(0.5):.0f} | {level.latency(0.95):.0f} "
                f"| {level.latency(0.99):.0f} | {len(level.pages)} | {sum(level.errors.values())} "
                f"| {level.calls_per_second:.2f} | {level.peak_calls} | {most_in_window(level.arrivals)} "
                f"| {sum(level.refused.values())} "
                f"| {'yes' if level.within(limit) else 'NO'} | {rss_mb(level.memory_start):.0f} "
                f"| {rss_mb(level.memory_end):.0f} |"
            )


if __name__ == "__main__":
    main()
