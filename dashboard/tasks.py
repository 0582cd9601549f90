"""Found by the worker (`manage.py run_huey` imports each app's `tasks` module)."""

from .sync.tasks import scheduled_sync, sync_task  # noqa: F401
