"""The invoice overview's view of the local copy: the invoices of the sync engine's
copy (dashboard.sync, docs/sync.md) and how complete and how old they are.

Before the engine existed the overview kept its own copy of the invoices here; now
it reads the one copy every page shares, so its figures and the lists agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from seventime.records import Invoice

from ..fetch import account_key
from ..models import CopyStatus
from ..sync import copy, engine
from ..sync.engine import SyncRunning

__all__ = ["SyncRunning", "latest_sync", "sync_invoices", "synced_invoices", "InvoiceCopy"]


@dataclass(frozen=True)
class InvoiceCopy:
    """What the overview says about its figures: as of when, complete or not, how many."""

    finished_at: dt.datetime
    complete: bool
    invoice_count: int


def latest_sync() -> InvoiceCopy | None:
    """The invoices' copy, or None before the first full sweep made one."""
    status = CopyStatus.objects.filter(account=account_key(), entity="invoices", last_full_at__isnull=False).first()
    if status is None:
        return None
    as_of = max(moment for moment in (status.last_full_at, status.last_incremental_at) if moment)
    return InvoiceCopy(finished_at=as_of, complete=status.complete, invoice_count=status.count)


def sync_invoices() -> InvoiceCopy:
    """A full sweep of the invoices now, in this thread (`manage.py sync_invoices`; the
    overview's "Sync now" and first visit hand the same sweep to the worker instead).
    Raises SyncRunning while another sync of the account runs, the sweep's error when
    it failed."""
    run = engine.sync(full=True, entities=["invoices"])
    if "invoices" in run.failures:
        raise run.failures["invoices"]
    copy_now = latest_sync()
    assert copy_now is not None
    return copy_now


def synced_invoices() -> list[Invoice]:
    return [Invoice.from_api(data) for data in copy.live(account_key(), "invoices").values_list("data", flat=True)]
