"""A complete local copy of the account's invoices, for the invoice overview.

The API returns at most 100 invoices per call and has no paging, so a total over
"the first 100" would be wrong without saying so. We enumerate every invoice by
covering the invoice-number space with `invoiceNumber` filter queries: first the
ten digits, then, for any query that hit the cap, that query plus one more digit.
Every invoice number starts with some digit d0, continues d1, ..., so the chain
"d0", "d0d1", ... reaches each number in full unless a shorter query already
returned it uncapped. That holds whether the API matches a substring (as our
sandbox does) or a prefix. An unfiltered call adds invoices that have no number
yet (drafts). If a query that is the *whole* number still comes back capped (100
invoices containing "24581"), the copy cannot be proven complete and the sync
run says so.

The copy lives in the database (one row per invoice) with the sync run that made
it, so the overview can state exactly what its figures cover and when they were
taken. `python manage.py sync_invoices` refreshes it (run it on a schedule); the
overview offers "Sync now" and syncs by itself when no copy exists yet.

One sync per account at a time: a run is a row without a finish time until it
ends, and the database allows one such row per account (`one_running_invoice_sync`),
so the insert that starts a run is the lock, across processes, on SQLite and on
PostgreSQL alike. A second sync is told that one is running (`SyncRunning`). A run
whose process was killed never finishes: once it is `STALE_AFTER` old it is closed
as abandoned and the next sync may start.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from seventime.records import Invoice

from ..api import get_client
from ..db import storable
from ..fetch import account_key, run_concurrently
from ..models import InvoiceSync, SyncedInvoice

DIGITS = "0123456789"
MAX_QUERY_LENGTH = 12  # invoice numbers are far shorter; a guard against a runaway search
#: Far longer than a sync takes (seconds on the sandbox, a minute or so for a large
#: account: every call is bounded by the API timeouts).
STALE_AFTER = dt.timedelta(minutes=10)
ABANDONED = "Abandoned: it did not finish within 10 minutes (its process was stopped?)."


class SyncRunning(Exception):
    """Another sync of this account is running; `run` is it (None if it ended just now)."""

    def __init__(self, run: InvoiceSync | None):
        super().__init__("Another sync of the invoices is running.")
        self.run = run


def fetch_all_invoices() -> tuple[dict[str, dict], int, bool]:
    """Every invoice document by id, the number of API calls made, and whether
    the enumeration is known to be complete."""
    client = get_client()
    documents: dict[str, dict] = {}
    found_by_number: set[str] = set()
    calls, complete = 0, True
    # Two unfiltered calls: the default order, and newest first (invoices without
    # a number yet are drafts, the newest invoices).
    unfiltered = [client.list_invoices(), client.list_invoices(sort_by="createDate", sort_direction="descending")]
    calls += 2
    # Each round: (query, the ids its parent query returned).
    queries: list[tuple[str, frozenset[str] | None]] = [(digit, None) for digit in DIGITS]
    while queries:
        answers = run_concurrently(
            {query: partial(client.list_invoices, invoice_number=query) for query, _parent in queries}
        )
        calls += len(queries)
        refine, children_same_as_parent = [], {}
        for query, parent_ids in queries:
            page = answers[query]
            ids = frozenset(str(doc.get("_id")) for doc in page.documents)
            found_by_number |= ids
            documents.update((str(doc.get("_id")), doc) for doc in page.documents)
            if parent_ids is not None:
                same = children_same_as_parent.setdefault(query[:-1], [])
                same.append(ids == parent_ids)
            if page.maybe_truncated:
                if len(query) >= MAX_QUERY_LENGTH:
                    complete = False
                else:
                    refine.extend((query + digit, ids) for digit in DIGITS)
        # If adding any digit gives back the parent's answer every time, the API
        # ignores the filter: refining further would never end.
        ignored = {parent for parent, same in children_same_as_parent.items() if len(same) == len(DIGITS) and all(same)}
        if ignored:
            complete = False
            refine = [(query, parent) for query, parent in refine if query[:-2] not in ignored]
        queries = refine
    for page in unfiltered:
        documents.update((str(doc.get("_id")), doc) for doc in page.documents)
        numbered = [doc for doc in page.documents if str(doc.get("invoiceNumber") or "")]
        # Every numbered invoice must also have been found by the number queries;
        # if not, the API matches invoice numbers some other way (exactly, say).
        if any(str(doc.get("_id")) not in found_by_number for doc in numbered):
            complete = False
        # Invoices without a number are only reachable through unfiltered calls:
        # if one was capped and held some, others may lie beyond the cap.
        if page.maybe_truncated and len(numbered) < len(page.documents):
            complete = False
    return documents, calls, complete


def sync_invoices() -> InvoiceSync:
    """Replace the local copy with every invoice the API has now. Raises
    SyncRunning, without calling the API, while another sync of the account runs."""
    run = _start(account_key())
    try:
        documents, calls, complete = fetch_all_invoices()
        # Fields are converted when read: check them all now, so that a malformed
        # invoice fails this sync (the overview keeps the last good copy) instead of
        # being stored and breaking every overview page after it.
        for doc in documents.values():
            Invoice.from_api(doc).validate()
        now = timezone.now()
        with transaction.atomic():
            finished = InvoiceSync.objects.filter(pk=run.pk, finished_at__isnull=True).update(
                finished_at=now, invoice_count=len(documents), api_calls=calls, complete=complete
            )
            if not finished:
                # Taken for abandoned meanwhile: a newer run may have written the copy.
                raise SyncRunning(None)
            SyncedInvoice.objects.filter(account=run.account).delete()
            SyncedInvoice.objects.bulk_create(
                SyncedInvoice(account=run.account, invoice_id=invoice_id, data=storable(doc), synced_at=now)
                for invoice_id, doc in documents.items()
            )
    except BaseException as error:
        # Whatever ended the run (the API, a malformed invoice, the database while
        # writing, an interrupt) is written down, and the run no longer blocks others.
        text = getattr(error, "message", "") or str(error)
        InvoiceSync.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            finished_at=timezone.now(), error=f"{type(error).__name__}: {text}"[:500]
        )
        raise
    run.refresh_from_db()
    return run


def _start(account: str) -> InvoiceSync:
    for _attempt in range(2):
        now = timezone.now()
        InvoiceSync.objects.filter(account=account, finished_at__isnull=True, started_at__lt=now - STALE_AFTER).update(
            finished_at=now, error=ABANDONED
        )
        try:
            with transaction.atomic():
                return InvoiceSync.objects.create(account=account, started_at=now)
        except IntegrityError:
            running = InvoiceSync.objects.filter(account=account, finished_at__isnull=True).first()
            if running is not None:
                raise SyncRunning(running) from None
        # The other run ended between the insert and the look: start again.
    raise SyncRunning(None)


def latest_sync() -> InvoiceSync | None:
    return (
        InvoiceSync.objects.filter(account=account_key(), finished_at__isnull=False, error="")
        .order_by("-finished_at")
        .first()
    )


def synced_invoices() -> list[Invoice]:
    return [Invoice.from_api(data) for data in SyncedInvoice.objects.filter(account=account_key()).values_list("data", flat=True)]
