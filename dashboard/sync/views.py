"""The Sync page (managers): the local copy entity by entity, the run going on
with its progress (polled by htmx while a run is active or asked for), every
failed run, and "Sync now", which hands a run to the worker and returns at once."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..api_errors import sync_failures
from ..fetch import account_key
from ..models import CopyStatus, SyncRun
from ..pages import require
from .tasks import start_sync, waiting

PERMISSION = "dashboard.view_sync"
#: Every entity of the copy, in the order the page lists them, with its name.
ENTITIES = {
    "customers": gettext_lazy("Customers"),
    "contact_persons": gettext_lazy("Contact persons"),
    "users": gettext_lazy("Users"),
    "departments": gettext_lazy("Departments"),
    "projects": gettext_lazy("Projects"),
    "work_orders": gettext_lazy("Work orders"),
    "invoices": gettext_lazy("Invoices"),
    "project_statuses": gettext_lazy("Project statuses"),
    "project_types": gettext_lazy("Project types"),
    "project_tags": gettext_lazy("Project tags"),
    "work_order_statuses": gettext_lazy("Work order statuses"),
    "work_order_types": gettext_lazy("Work order types"),
    "work_order_tags": gettext_lazy("Work order tags"),
    "invoice_tags": gettext_lazy("Invoice tags"),
    "user_roles": gettext_lazy("User roles"),
    "price_lists": gettext_lazy("Price lists"),
    "salary_types": gettext_lazy("Salary types"),
    "user_skills": gettext_lazy("User skills"),
}
STATES = {
    "waiting": gettext_lazy("Waiting"),
    "running": gettext_lazy("Running"),
    "done": gettext_lazy("Done"),
    "failed": gettext_lazy("Failed"),
}
FAILURES_PER_PAGE = 20
#: Seconds between two looks at a run going on, and at one waiting for the worker.
POLL_RUNNING, POLL_WAITING = 1, 2


@dataclass
class EntityRow:
    name: str
    label: str
    status: CopyStatus | None
    progress: dict | None  # this entity in the current run

    @property
    def state(self) -> str:
        return STATES.get((self.progress or {}).get("state", ""), "")

    @property
    def last_error(self):
        """The entity's last failure in the page's language (None when there is none)."""
        failures = sync_failures(self.status.last_error if self.status else "")
        return failures[0] if failures else None

    @property
    def fraction(self) -> float:
        """How far the current run is with this entity, 0 to 1."""
        progress = self.progress or {}
        if progress.get("state") in ("done", "failed"):
            return 1.0
        done, total = progress.get("done") or 0, progress.get("total")
        return min(1.0, done / total) if total else 0.0


def _context(request) -> dict:
    account = account_key()
    current = SyncRun.objects.filter(account=account, finished_at__isnull=True).order_by("-started_at").first()
    progress = (current.progress or {}) if current else {}
    statuses = {status.entity: status for status in CopyStatus.objects.filter(account=account)}
    names = list(ENTITIES) + sorted((set(statuses) | set(progress)) - set(ENTITIES))
    rows = [EntityRow(name, ENTITIES.get(name, name), statuses.get(name), progress.get(name)) for name in names]
    percent = round(100 * sum(row.fraction for row in rows if row.progress) / len(progress)) if progress else 0
    failures = Paginator(
        SyncRun.objects.filter(account=account).exclude(error="").order_by("-started_at"), FAILURES_PER_PAGE
    ).get_page(request.GET.get("page"))
    for run in failures:
        run.failures = [
            (str(ENTITIES.get(failure.entity, failure.entity)), failure)
            for failure in sync_failures(run.error, set(ENTITIES))
        ]
    last = SyncRun.objects.filter(account=account, finished_at__isnull=False).order_by("-finished_at").first()
    asked = False if current else waiting()
    return {
        "rows": rows,
        "current": current,
        "percent": percent,
        "last": last,
        "waiting": asked,
        "poll": POLL_RUNNING if current else POLL_WAITING if asked else None,
        "everything_complete": all(row.status and row.status.complete for row in rows),
        "page_obj": failures,
    }


def sync_page(request):
    require(request, PERMISSION)
    template = "sync/page.html#status" if request.htmx and not request.htmx.history_restore_request else "sync/page.html"
    return render(request, template, _context(request))


@require_POST
def sync_now(request):
    require(request, PERMISSION)
    running = SyncRun.objects.filter(account=account_key(), finished_at__isnull=True).first()
    if running is not None:
        messages.info(
            request,
            _("A sync is running already (started %(time)s): its progress is shown below.")
            % {"time": time_format(timezone.localtime(running.started_at), "H:i")},
        )
    else:
        full = request.POST.get("full") == "1"
        start_sync(full=full)
        messages.success(
            request,
            _("A full sweep was handed to the worker: its progress is shown below.")
            if full
            else _("A sync was handed to the worker: its progress is shown below."),
        )
    return redirect("sync")
