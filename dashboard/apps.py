from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        checks.register(check_api_configured)
        checks.register(check_shared_cache, deploy=False)


def check_api_configured(app_configs, **kwargs):
    """Said at start-up (migrate, runserver, check) rather than only on the first page."""
    if settings.SEVENTIME_API_URL or settings.SANDBOX_ENABLED:
        return []
    return [
        checks.Warning(
            "SEVENTIME_API_URL is not set and the sandbox is off: every page will say that the "
            "dashboard is not connected to Seven Time.",
            hint="Set SEVENTIME_API_URL and SEVENTIME_CLIENT_SECRET, or SANDBOX_ENABLED=true for a trial on demo data.",
            id="dashboard.W001",
        )
    ]


LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def check_shared_cache(app_configs, **kwargs):
    """Production runs several processes (gunicorn's workers, the sync worker), and each
    keeps its own local-memory cache: what one process drops after a create (the lookup
    lists a form offers) the others would go on showing."""
    if settings.DEBUG or settings.CACHES["default"]["BACKEND"] not in LOCAL_CACHES:
        return []
    return [
        checks.Warning(
            "The cache is local to each process (CACHE_URL is not set) while DEBUG is off: with several "
            "processes, a record created through one of them is missing from the others' forms until "
            "their cached lookup lists expire.",
            hint="Set CACHE_URL to a cache every process shares, e.g. redis://127.0.0.1:6379/1 "
            "(README, \"Deploying\"). One process alone may ignore this warning.",
            id="dashboard.W002",
        )
    ]
