"""The production parts: what settings a PostgreSQL or Redis address gives, and the
warnings a production start shows. (The whole suite also runs on a real PostgreSQL
and Redis: `make test-production`, which CI runs.)"""

import json
import subprocess
import sys

from .test_hardening import ROOT, _manage, _outside_tests

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({"engine": db["ENGINE"], "max_age": db.get("CONN_MAX_AGE"), "health": db.get("CONN_HEALTH_CHECKS"),
                  "mode": db.get("OPTIONS", {}).get("transaction_mode"), "cache": settings.CACHES["default"]["BACKEND"],
                  "sessions": settings.SESSION_ENGINE}))
"""


def _settings(**env: str) -> dict:
    environment = {**_outside_tests(), "DJANGO_SETTINGS_MODULE": "dashboard.settings", "SECRET_KEY": "probe",
                   "DEBUG": "false", "PYTHONPATH": str(ROOT), "DATABASE_URL": "", "CACHE_URL": "", **env}
    probe = subprocess.run([sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT / "docs", env=environment,
                           capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    return json.loads(probe.stdout)


def test_postgresql_connections_are_kept_and_checked_before_reuse():
    found = _settings(DATABASE_URL="postgres://dashboard:pw@127.0.0.1:5432/dashboard")
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["max_age"] == 600 and found["health"] is True


def test_the_connection_lifetime_can_be_set():
    found = _settings(DATABASE_URL="postgres://dashboard:pw@127.0.0.1:5432/dashboard", DATABASE_CONN_MAX_AGE="0")
    assert found["max_age"] == 0


def test_sqlite_keeps_immediate_transactions():
    found = _settings()
    assert found["engine"] == "django.db.backends.sqlite3" and found["mode"] == "IMMEDIATE"


def test_sqlite_connections_are_kept_for_the_threads_next_request():
    assert _settings()["max_age"] == 600
    assert _settings(DATABASE_CONN_MAX_AGE="0")["max_age"] == 0


def test_a_redis_address_gives_the_shared_cache():
    assert _settings(CACHE_URL="redis://127.0.0.1:6379/1")["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_sessions_are_read_from_a_shared_cache_but_never_from_one_local_to_a_process():
    assert _settings(CACHE_URL="redis://127.0.0.1:6379/1")["sessions"] == "django.contrib.sessions.backends.cached_db"
    # A log-out in one process would not reach the local caches of the others.
    assert _settings()["sessions"] == "django.contrib.sessions.backends.db"


def test_production_without_a_shared_cache_is_warned_about():
    check = _manage("check", DEBUG="false", SECRET_KEY="check-probe", SANDBOX_ENABLED="true", CACHE_URL="")
    assert "dashboard.W002" in check.stderr and "CACHE_URL" in check.stderr


def test_a_shared_cache_or_debug_is_not_warned_about():
    shared = _manage("check", DEBUG="false", SECRET_KEY="check-probe", SANDBOX_ENABLED="true",
                     CACHE_URL="redis://127.0.0.1:6379/1")
    debug = _manage("check", DEBUG="true", CACHE_URL="")
    assert "dashboard.W002" not in shared.stderr and "dashboard.W002" not in debug.stderr


def test_a_nul_character_is_stored_as_the_replacement_sign_everywhere_in_a_document():
    from dashboard.db import storable

    document = {"name": "A\x00B", "rows": [{"text\x00": "x\x00"}], "amount": 5, "ok": "plain"}
    assert storable(document) == {"name": "A\ufffdB", "rows": [{"text\ufffd": "x\ufffd"}], "amount": 5, "ok": "plain"}


def test_gunicorn_runs_threaded_workers_sized_from_the_cores_or_the_environment(monkeypatch):
    import importlib
    import os

    from dashboard import gunicorn as config

    for name in ("WEB_WORKERS", "WEB_THREADS", "WEB_KEEPALIVE", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    default = importlib.reload(config)
    assert (default.workers, default.threads, default.worker_class, default.bind) == (6, 8, "gthread", "127.0.0.1:8000")
    # Longer than a load balancer's idle timeout (60 s by default on AWS and nginx), not gunicorn's 2 s.
    assert default.keepalive == 75
    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.setenv("WEB_THREADS", "16")
    monkeypatch.setenv("WEB_KEEPALIVE", "30")
    monkeypatch.setenv("PORT", "9000")
    chosen = importlib.reload(config)
    assert (chosen.workers, chosen.threads, chosen.keepalive, chosen.bind) == (3, 16, 30, "127.0.0.1:9000")
