"""Settings for the test suite: the project's settings with test-only values.

pytest-django imports settings before any conftest runs, so the environment
defaults that tests need are set here rather than in conftest.py.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ["SEVENTIME_API_URL"] = ""  # tests use the sandbox or `responses`, never a real API
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside live_server

from dashboard.settings import *  # noqa: E402,F403

# Tests run with DEBUG off, where the sandbox is off unless asked for.
SANDBOX_ENABLED = True
# Both rate limits off, so that the suite neither waits nor writes a row per call; the
# rate-limit tests (tests/test_ratelimit.py) turn them on with a fake clock.
SEVENTIME_RATE_LIMIT = 0
SANDBOX_RATE_LIMIT = 0

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1... when the suite runs in parallel
if os.environ.get("CACHE_URL", "").startswith("redis") and _worker.startswith("gw"):
    # Each test clears the cache, and Redis clears a whole database: one database per
    # parallel worker (1, 2, ...), so that workers never clear each other's.
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(os.environ["CACHE_URL"])
    CACHES["default"]["LOCATION"] = urlunsplit(_url._replace(path=f"/{1 + int(_worker[2:])}"))  # noqa: F405
if not os.environ.get("CACHE_URL"):
    # Local memory unless the run asks for a shared cache (the production run of
    # `make test-production` sets CACHE_URL to its Redis).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
WHITENOISE_AUTOREFRESH = True  # serve from the finders; no collectstatic in tests
STATIC_ROOT = None  # nothing is collected in tests
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's in-memory test database: the live server's threads then
    # each have their own connection and SQLite locks between them as it does in
    # production (in memory they would share the test's one connection). One file
    # per run, so that runs side by side do not meet.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"seventime-tests-{os.getpid()}.sqlite3")
    }

# The task queue in memory, not run by itself: a test that enqueues sees the task
# waiting (`tests.conftest.run_queued_tasks` runs them, as a worker would). The servers
# of tests/test_two_servers.py are given a Redis queue (TASK_QUEUE_URL=redis://) and keep it.
if not os.environ.get("TASK_QUEUE_URL", "").startswith("redis"):
    HUEY = task_queue("memory://", 1)  # noqa: F405
