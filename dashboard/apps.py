from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class DashboardConfig(AppConfig):
    name = "dashboard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        checks.register(check_api_configured)


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
