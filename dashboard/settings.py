"""Django settings, configured from the environment (12-factor) with django-environ.

Every variable is documented in `.env.example` and the README. A `.env` file in the
project root is read when present; real environment variables win over it.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]"]),
    SEVENTIME_API_URL=(str, ""),
    SEVENTIME_CLIENT_SECRET=(str, ""),
    SEVENTIME_CONNECT_TIMEOUT=(float, 3.05),
    SEVENTIME_READ_TIMEOUT=(float, 8.0),
    SEVENTIME_TOTAL_TIMEOUT=(float, 15.0),
    SEVENTIME_LOOKUP_CACHE_SECONDS=(int, 600),
    SEVENTIME_RATE_LIMIT=(float, 4.0),
    SANDBOX_LATENCY_MS=(int, 0),
    SANDBOX_RATE_LIMIT=(float, 4.0),
    SANDBOX_FAULT=(str, "off"),
    LOGIN_FAILURE_LIMIT=(int, 5),
    LOGIN_COOLOFF_MINUTES=(int, 15),
    TRUSTED_PROXY_COUNT=(int, 0),
    TIME_ZONE=(str, "Europe/Stockholm"),
    TASK_QUEUE_URL=(str, ""),
    TASK_WORKERS=(int, 1),
)
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env("DEBUG")

# With DEBUG off a missing SECRET_KEY must stop the start-up: a default key in
# production would let anyone forge sessions.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env "
            "(or set DEBUG=true for local development)."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "seventime.sandbox",
    "dashboard",
    "axes",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dashboard.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dashboard.middleware.PrivateAnswersMiddleware",
    "dashboard.middleware.LoginRequiredMiddleware",  # Django's, sending htmx requests to the login page whole
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.middleware.SevenTimeErrorMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "dashboard.wsgi.application"

# An empty value (as in .env.example) means the default.
DATABASES = {"default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests write at once (threads of one server, or several processes).
    # SQLite refuses at once, without waiting, a transaction that read and then
    # wants to write while another writes ("database is locked"): immediate
    # transactions take the write lock when they begin, so they queue instead.
    # WAL lets reads go on during a write; the timeout is how long a write queues
    # (seconds). Options given in DATABASE_URL (?timeout=60) win.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
    # Kept for the next request of the same server thread (gunicorn's threads live on):
    # opening one and running the pragmas above costs ~1.5 ms of CPU a request, 10 % of
    # a list page read from the copy (docs/performance.md). The threads of runserver and
    # of the test servers end with their request, so there nothing changes.
    DATABASES["default"].setdefault("CONN_MAX_AGE", int(env.str("DATABASE_CONN_MAX_AGE", default="") or 600))
else:
    # Persistent connections: a fresh PostgreSQL connection per request costs about
    # 10 ms of the page and as much CPU again. Checked before reuse, so a connection
    # the server closed meanwhile is replaced rather than failing a request.
    DATABASES["default"].setdefault("CONN_MAX_AGE", int(env.str("DATABASE_CONN_MAX_AGE", default="") or 600))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CACHES = {"default": env.cache_url_config(env.str("CACHE_URL", default="") or "locmemcache://")}
# Sessions: with a cache every process shares (Redis), read from it and written through to
# the database, which saves every page a database query. A cache local to each process is
# not used for them: a session ended in one process (a log-out) would stay valid in the
# others' caches.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.db"
    if CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    else "django.contrib.sessions.backends.cached_db"
)

# The background worker's queue (huey; see docs/sync.md, "Background worker"). By
# default a SQLite file beside the database (or in the project when the database is
# not SQLite): no extra service. redis://... or postgres://... when several machines
# run workers. `python manage.py run_huey` is the worker (`make run` starts one).
_database_dir = (
    Path(DATABASES["default"]["NAME"]).parent
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and DATABASES["default"]["NAME"] != ":memory:"
    else BASE_DIR
)
TASK_QUEUE_URL = env("TASK_QUEUE_URL") or f"sqlite:///{_database_dir / 'queue.sqlite3'}"


def task_queue(url: str, workers: int) -> dict:
    """huey's settings (`HUEY`) for a queue address: sqlite:///path, redis://...,
    rediss://..., postgres://... (postgresql://), or memory:// (one process only)."""
    scheme, _, rest = url.partition("://")
    scheme = scheme.lower()
    # `immediate` is given: djhuey would otherwise run every task inside the request under DEBUG.
    # No result store: nothing reads what a task returns (the SyncRun rows say it all).
    config = {"name": "seventime-dashboard", "immediate": False, "utc": True, "results": False}
    if scheme == "sqlite":
        config.update(huey_class="huey.SqliteHuey", filename=rest[1:] if rest.startswith("/") else rest)
    elif scheme in ("redis", "rediss"):
        config.update(huey_class="huey.RedisHuey", url=url)
    elif scheme in ("postgres", "postgresql", "pgsql"):
        config.update(huey_class="huey.PostgresHuey", dsn=f"postgresql://{rest}")
    elif scheme == "memory":
        config.update(huey_class="huey.MemoryHuey")
    else:
        raise ImproperlyConfigured(
            f"TASK_QUEUE_URL must start with sqlite://, redis://, rediss://, postgres:// or memory://, not {scheme}://"
        )
    # Threads: a sync waits on the API most of the time. One worker runs one task at a
    # time; more let "Sync now" start while a long pass of another account runs.
    config["consumer"] = {"workers": workers, "worker_type": "thread", "check_worker_health": True}
    return config


HUEY = task_queue(TASK_QUEUE_URL, env("TASK_WORKERS"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes). Its backend goes first: it refuses a locked-out
# login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # shared by every worker process
AXES_FAILURE_LIMIT = env("LOGIN_FAILURE_LIMIT")
AXES_COOLOFF_TIME = timedelta(minutes=env("LOGIN_COOLOFF_MINUTES"))
# Either is locked on its own: a username tried from many addresses, and an address
# trying many usernames.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked out do not push the end further: the time the page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "dashboard.lockout.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# The address a login comes from: the connection's, or behind TRUSTED_PROXY_COUNT reverse
# proxies the one the outermost saw (X-Forwarded-For; dashboard.lockout.client_address).
TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT")
AXES_CLIENT_IP_CALLABLE = "dashboard.lockout.client_address"
# Failures are what throttling needs; a row per successful login would only grow.
AXES_DISABLE_ACCESS_LOG = True

# An invoice may have 200 rows of 9 fields (the most the form accepts, see
# dashboard/entities/invoices.py): Django's default of 1,000 fields a POST would refuse one of
# about 110 rows. Larger row counts are refused before any form is built.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2500

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Tests and `runserver` serve files straight from the finders; production uses
# `collectstatic` and the manifest above.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Seven Time API. With SEVENTIME_API_URL unset the client talks to the built-in
# sandbox in-process (no socket, so it works under a single synchronous worker).
SEVENTIME_API_URL = env("SEVENTIME_API_URL")
SEVENTIME_CLIENT_SECRET = env("SEVENTIME_CLIENT_SECRET")
SEVENTIME_CONNECT_TIMEOUT = env("SEVENTIME_CONNECT_TIMEOUT")
SEVENTIME_READ_TIMEOUT = env("SEVENTIME_READ_TIMEOUT")
SEVENTIME_TOTAL_TIMEOUT = env("SEVENTIME_TOTAL_TIMEOUT")
SEVENTIME_LOOKUP_CACHE_SECONDS = env("SEVENTIME_LOOKUP_CACHE_SECONDS")
# Calls a second per API key, for every process and machine sharing the database
# (dashboard/ratelimit.py); Seven Time allows 4. 0 turns the limiter off.
SEVENTIME_RATE_LIMIT = env("SEVENTIME_RATE_LIMIT")

# The sandbox (its API under /sandbox/api/1/, the dashboard running on its demo data,
# the demo logins) only when asked for: SANDBOX_ENABLED=true, or DEBUG on without an
# API address (`make run`). Its secret is published and it accepts writes: with DEBUG
# off and no address the dashboard says it is not configured instead (NotConfigured).
_sandbox_enabled = env.str("SANDBOX_ENABLED", default="").strip().lower()
SANDBOX_ENABLED = (
    _sandbox_enabled in ("1", "true", "yes", "on") if _sandbox_enabled else DEBUG and not SEVENTIME_API_URL
)
# The sandbox's own secret, published in the README so the reference's curl
# examples work against /sandbox/api/1/. It guards demo data only.
SANDBOX_CLIENT_SECRET = "sandbox-secret"
# Artificial delay added to every sandbox API answer, for the benchmark.
SANDBOX_LATENCY_MS = env("SANDBOX_LATENCY_MS")
# The sandbox answers 429 with Retry-After beyond this many calls a second per client
# secret, as Seven Time does (a token bucket of that many, refilled at that rate). 0: no limit.
SANDBOX_RATE_LIMIT = env("SANDBOX_RATE_LIMIT")
# The sandbox fails as Seven Time does, to try the dashboard's stale mode by hand:
# off, error (503), slow (answers after N s: "slow:30"; 10 s by default), ratelimit
# (429, Retry-After N s), down (no connection), malformed (200, not JSON).
# `manage.py sandbox_fault` overrides it while running (seventime/sandbox/faults.py).
SANDBOX_FAULT = env("SANDBOX_FAULT")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
    # HTTPS only, for production behind TLS (README, "Production"). Off by default so
    # that a plain-HTTP start on 127.0.0.1 keeps working.
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    # "HTTP_X_FORWARDED_PROTO,https" behind a proxy that ends TLS and sets that header
    # (and strips it from what clients send): without it every request looks like
    # plain HTTP and SECURE_SSL_REDIRECT would redirect forever.
    _proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
    if _proxy_ssl_header:
        if len(_proxy_ssl_header) != 2:
            raise ImproperlyConfigured(
                "SECURE_PROXY_SSL_HEADER must be a header and a value, e.g. HTTP_X_FORWARDED_PROTO,https"
            )
        SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)

# Django's own logging sends request errors (500s with their traceback) only to
# mail_admins with DEBUG off, and no ADMINS are set: they would leave no trace. They go
# to standard error here, whatever mail is set up. With DEBUG on, Django's own console
# handler prints them already, hence the filter (no line twice under `make run`).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "errors": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "loggers": {
        "seventime": {"handlers": ["console"], "level": env("SEVENTIME_LOG_LEVEL", default="INFO")},
        "dashboard": {"handlers": ["console"], "level": "INFO"},
        "huey": {"handlers": ["console"], "level": "INFO"},
        "django.request": {"handlers": ["errors"]},
    },
}
