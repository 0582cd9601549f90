"""Helpers for tests that need a local copy without calling the API."""

from __future__ import annotations

from django.utils import timezone

from dashboard.fetch import account_key
from dashboard.models import CopyStatus
from dashboard.overview import sync as invoice_sync
from dashboard.sync import copy


def make_invoice_copy(docs, *, complete=True, calls=11):
    """The invoices' copy holding exactly `docs`, as a full sweep that made `calls` calls
    would leave it; returns what the overview reads of it."""
    account, moment = account_key(), timezone.now()
    copy.live(account, "invoices").delete()
    status = copy.status(account, "invoices")
    copy.put(account, "invoices", docs, moment)
    status.refresh_from_db()
    status.complete = complete
    status.incomplete_reason = "" if complete else "Seven Time ignores the filter."
    status.last_full_at = moment
    status.last_complete_at = moment if complete else None
    status.full_sweep_calls = calls
    status.count = len({d["_id"] for d in docs})
    status.save()
    return invoice_sync.latest_sync()


def invoice_status() -> CopyStatus:
    return CopyStatus.objects.get(account=account_key(), entity="invoices")
