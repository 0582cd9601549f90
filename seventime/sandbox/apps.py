from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "seventime.sandbox"
    label = "sandbox"
    verbose_name = "Seven Time sandbox"
    default_auto_field = "django.db.models.BigAutoField"
