"""Lighthouse scores of the main page kinds: python -m benchmark.lighthouse [--min 95]
(`make lighthouse`; `.ci/run` runs it).

Lighthouse 12.2.3 (npm, installed once into ~/.cache/dashboard-lighthouse with the
machine's Node.js and npm) drives Debian's chromium against the production server
(gunicorn, DEBUG off, collected static files) on loopback, on the sandbox with its demo
data read from a complete local copy, signed in as the demo manager. For the start
page, a list, a detail page, a create form and the overview it prints the scores for
accessibility, best practices and performance (Lighthouse's default: a mid-range phone
on a throttled network), and exits 1 when one is below `--min` (95).

The database is a throwaway SQLite file; nothing of the project's own is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
VERSION = "12.2.3"
CATEGORIES = ("accessibility", "best-practices", "performance")
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / f"dashboard-lighthouse-{VERSION}"


def lighthouse_binary() -> Path:
    binary = CACHE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if not shutil.which("npm"):
            sys.exit("npm is needed for Lighthouse (apt-get install nodejs npm)")
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"Installing lighthouse@{VERSION} into {CACHE} ...", flush=True)
        subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(CACHE), f"lighthouse@{VERSION}"],
            check=True,
        )
    return binary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    sys.exit(f"the server did not start on port {port}")


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def demo_env(work: Path, port: int, purpose: str) -> dict:
    """Settings for a production server (gunicorn, DEBUG off) on the sandbox's demo data in
    a throwaway SQLite database under `work`, with no rate limit (set-up goes fast)."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SANDBOX_ENABLED": "true",
        "SECRET_KEY": f"{purpose}-only-throwaway-key-not-used-for-anything-else",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "TASK_QUEUE_URL": f"sqlite:///{work / 'queue.sqlite3'}",
        "SEVENTIME_RATE_LIMIT": "0",
        "SANDBOX_RATE_LIMIT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }


def prepare_demo(env: dict) -> None:
    """The database, static files, demo data and logins, and a complete local copy."""
    for command in (("migrate", "--noinput"), ("collectstatic", "--noinput"), ("demo_setup",), ("sync", "--full")):
        manage(env, *command)


def start_gunicorn(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:dashboard.gunicorn", "dashboard.wsgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def give_cookies(debug_port: int, base: str, cookies) -> None:
    """Put the signed-in session's cookies into the running chromium's own jar."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{debug_port}")
        browser.contexts[0].add_cookies([{"name": c.name, "value": c.value, "url": base} for c in cookies])
        browser.close()  # only the connection: the browser and its default context stay


def scores_of(name: str, report: Path, keep: Path | None) -> dict:
    data = json.loads(report.read_text())
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(report, keep / report.name)
    if data.get("runtimeError"):
        sys.exit(f"{name}: Lighthouse failed: {data['runtimeError'].get('message')}")
    if urlsplit(data.get("finalDisplayedUrl", "")).path.rstrip("/").endswith("/login"):
        sys.exit(f"{name}: Lighthouse was sent to the login page")
    scores = {key: round(100 * (data["categories"][key]["score"] or 0)) for key in CATEGORIES}
    failed = [a["id"] for a in data["audits"].values() if a.get("score") is not None and a["score"] < 1
              and a.get("scoreDisplayMode") == "binary"]  # fmt: skip
    if failed:
        scores["failed audits"] = ", ".join(sorted(failed))
    shift = data["audits"].get("cumulative-layout-shift", {}).get("numericValue")
    if shift:
        scores["layout shift"] = round(shift, 3)
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min", type=int, default=95, help="the lowest score that passes (default 95)")
    parser.add_argument(
        "--min-performance", type=int, help="the lowest performance score that passes (default: --min); "
        "CI allows a little for a shared machine's noise, the other two categories get none"
    )
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's JSON reports in this directory")
    options = parser.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("Debian's chromium is needed (make browser)")
    binary = lighthouse_binary()

    work = Path(tempfile.mkdtemp(prefix="dashboard-lighthouse-"))
    port = free_port()
    env = demo_env(work, port, "lighthouse")
    prepare_demo(env)
    server = start_gunicorn(env)
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        session = requests.Session()
        session.trust_env = False
        login = session.get(f"{base}/login/", timeout=60).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
        session.post(f"{base}/login/", timeout=60, headers={"Referer": f"{base}/login/"},
                     data={"csrfmiddlewaretoken": token, "username": "manager", "password": "manager-demo"})  # fmt: skip
        customers = session.get(f"{base}/customers/", timeout=60).text
        customer = re.search(r'href="(/customers/[0-9a-f]{24}/)"', customers).group(1)
        pages = {
            "start page": "/",
            "invoice list": "/invoices/",
            "customer page": customer,
            "create form": "/customers/new/",
            "overview": "/overview/",
        }
        # The session goes into the browser's cookie jar, not into an extra header: a
        # Cookie header set for Lighthouse reaches the page's own navigation but not its
        # scripts' requests (a forbidden header for fetch/XHR), so a detail page's
        # background check came back as the login page.
        debug_port = free_port()
        profile = work / "chromium-profile"
        chrome = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             f"--remote-debugging-port={debug_port}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        results = {}
        try:
            wait_for(debug_port)
            give_cookies(debug_port, base, session.cookies)
            for name, path in pages.items():
                report = work / f"{name.replace(' ', '-')}.json"
                # Lighthouse now and then fails to record the page load's trace ("NO_NAVSTART:
                # Please run Lighthouse again", seen once in CI): it gets three tries.
                for attempt in range(1, 4):
                    answer = subprocess.run(
                        [str(binary), f"{base}{path}", "--quiet", "--output=json", f"--output-path={report}",
                         "--only-categories=" + ",".join(CATEGORIES), f"--port={debug_port}"],
                        timeout=300,
                    )  # fmt: skip
                    if answer.returncode == 0 and not json.loads(report.read_text()).get("runtimeError"):
                        break
                    print(f"{name}: Lighthouse failed (try {attempt} of 3)", flush=True)
                else:
                    sys.exit(f"{name}: Lighthouse failed three times")
                results[name] = scores_of(name, report, options.reports)
        finally:
            stop(chrome)
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nLighthouse {VERSION} (Debian chromium, default mobile settings), signed in as the demo manager:")
    print(f"{'page':<16}" + "".join(f"{key:>16}" for key in CATEGORIES))
    below = []
    for name, scores in results.items():
        print(f"{name:<16}" + "".join(f"{scores[key]:>16}" for key in CATEGORIES))
        floors = {key: options.min for key in CATEGORIES}
        floors["performance"] = options.min if options.min_performance is None else options.min_performance
        below += [f"{name}: {key} {scores[key]}" for key in CATEGORIES if scores[key] < floors[key]]
    for name, scores in results.items():
        if "failed audits" in scores:
            print(f"  {name}: failed audits: {scores['failed audits']}")
        if "layout shift" in scores:
            print(f"  {name}: cumulative layout shift {scores['layout shift']}")
    if below:
        print("\nBelow the floor: " + "; ".join(below))
        return 1
    lowest = min(scores[key] for scores in results.values() for key in CATEGORIES)
    print(f"\nEvery score is at its floor or above; the lowest is {lowest}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
