from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "seventime.sandbox"
    label = "sandbox"
    verbose_name = "Seven Time sandbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from .faults import parse

        try:
            parse(getattr(settings, "SANDBOX_FAULT", ""))
        except ValueError as wrong:
            raise ImproperlyConfigured(str(wrong)) from None
