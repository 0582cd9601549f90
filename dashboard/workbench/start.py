"""The start page for each role, read from the local copy and the create log
(no call to Seven Time).

Everyone: the records they created lately (the create log), the records changed
lately in Seven Time (the copy's `modified_at`), invoices not yet sent (drafts) and a
"New …" link per create form they may use. Managers (who may see the invoice
overview) also: outstanding and overdue per currency now and a month ago, the
invoices to chase today, and how fresh the copy is.

Figures come from dashboard/overview/figures.py (`compute`) and invoice states from
dashboard/invoice_state.py; "a month ago" is the same `compute` run on the invoices
as they stood then (`as_stood`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from seventime.records import Invoice

from ..api import account_key
from ..entities import RESOURCES
from ..invoice_state import INVOICE_DRAFT, INVOICE_PAID, INVOICE_SENT, InvoiceState, invoice_state, local_day, today
from ..models import CreateAttempt, SyncedRecord
from ..overview.figures import Overview, compute, currency
from ..sync import read

#: How many rows each block shows.
SHOWN = 8
CHASE_SHOWN = 10
MANAGER_PERMISSION = "dashboard.view_invoice_overview"
#: Entities whose copy has modifiedDate (docs/sync.md: work orders and invoices have none).
CHANGED_KINDS = ("customers", "projects", "users")
#: The create log's outcomes that left a record in Seven Time.
MADE = (CreateAttempt.Outcome.CREATED, CreateAttempt.Outcome.FOUND)


@dataclass(frozen=True)
class Entry:
    kind: str  # a resource name: its label template and detail URL
    record: object
    when: dt.datetime | None = None


@dataclass(frozen=True)
class CurrencyFigures:
    currency: str
    outstanding: Decimal
    outstanding_before: Decimal
    overdue: Decimal
    overdue_before: Decimal

    @property
    def outstanding_change(self) -> Decimal:
        return self.outstanding - self.outstanding_before

    @property
    def overdue_change(self) -> Decimal:
        return self.overdue - self.overdue_before


@dataclass(frozen=True)
class Chase:
    invoice: Invoice
    days: int
    outstanding: Decimal

    @property
    def currency(self) -> str:
        return currency(self.invoice)

    @property
    def weight(self) -> Decimal:
        return self.days * self.outstanding


def _allowed(user, kind: str) -> bool:
    return user.has_perm(RESOURCES[kind].permission)


def created_by(user) -> list[Entry]:
    """The records this user created through the dashboard lately, newest first, as the
    copy holds them now (or as the create log has them while the copy has not read them)."""
    attempts = [
        attempt
        for attempt in CreateAttempt.objects.filter(user=user, outcome__in=MADE).exclude(upstream_id="")[: SHOWN * 3]
        if attempt.entity in RESOURCES and _allowed(user, attempt.entity)
    ]
    seen, entries = set(), []
    for attempt in attempts:
        key = (attempt.entity, attempt.upstream_id)
        if key in seen:
            continue
        seen.add(key)
        resource = RESOURCES[attempt.entity]
        record = read.get(resource.copy_entity, attempt.upstream_id)
        if record is None:  # not read into the copy yet: what was sent is enough for a label
            try:
                record = read.record_class(resource.copy_entity).from_api({**attempt.payload, "_id": attempt.upstream_id})
            except (TypeError, ValueError, KeyError):
                continue
        entries.append(Entry(attempt.entity, record, attempt.at))
        if len(entries) == SHOWN:
            break
    return entries


def changed(user) -> list[Entry]:
    """The records changed last in Seven Time (those that carry a modifiedDate)."""
    kinds = [kind for kind in CHANGED_KINDS if _allowed(user, kind) and read.usable(RESOURCES[kind].copy_entity)]
    entities = {RESOURCES[kind].copy_entity: kind for kind in kinds}
    if not entities:
        return []
    rows = (
        SyncedRecord.objects.filter(
            account=account_key(), entity__in=list(entities), gone_at__isnull=True, modified_at__isnull=False
        )
        .order_by("-modified_at", "record_id")
        .values_list("entity", "data", "modified_at")[:SHOWN]
    )
    return [Entry(entities[entity], read.as_records(entity, [data])[0], at) for entity, data, at in rows]


def invoices() -> list[Invoice] | None:
    """Every invoice of the copy, or None while the copy cannot stand in for Seven Time."""
    if not read.usable("invoices"):
        return None
    return read.as_records("invoices", read.live("invoices").values_list("data", flat=True))


def drafts(all_invoices: list[Invoice], on: dt.date) -> tuple[int, list[Invoice]]:
    """(how many invoices are not sent yet, the newest of them)."""
    found = [invoice for invoice in all_invoices if invoice_state(invoice, on) == InvoiceState.DRAFT]
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    found.sort(key=lambda i: (i.create_date or i.invoice_date or oldest, i.id or ""), reverse=True)
    return len(found), found[:SHOWN]


def create_links(user) -> list[tuple[str, str]]:
    """(label, URL) of each create form the user may start."""
    return [
        (resource.verbose_name, reverse(resource.create_url_name))
        for resource in RESOURCES.values()
        if resource.create_form and user.has_perm(resource.add_permission)
    ]


def month_before(day: dt.date) -> dt.date:
    """The same day a month earlier (the month's last day when it has no such day)."""
    first = day.replace(day=1)
    previous_end = first - dt.timedelta(days=1)
    return previous_end.replace(day=min(day.day, previous_end.day))


def as_stood(invoice: Invoice, day: dt.date) -> Invoice | None:
    """The invoice as it stood at the end of `day` (Stockholm), from its dates: None if
    it did not exist yet; not sent, not paid, not archived if that happened later; only
    the part payments made by then. Credits carry no date: an invoice credited since
    counts as credited then too (docs/start-page.md)."""
    made = invoice.create_date or invoice.invoice_date
    if made and local_day(made) > day:
        return None

    def after(moment):
        return moment is not None and local_day(moment) > day

    changes: dict = {}
    # Seven Time's status code moves with the dates (1 draft, 2 sent, 3 paid): rolled back with them.
    if after(invoice.sent_date):
        changes["sent_date"] = None
        if invoice.invoice_status in (INVOICE_SENT, INVOICE_PAID):
            changes["invoice_status"] = INVOICE_DRAFT
    if after(invoice.payment_date):
        changes["payment_date"] = None
        if invoice.invoice_status == INVOICE_PAID and "invoice_status" not in changes:
            changes["invoice_status"] = INVOICE_SENT
    if invoice.archived and after(invoice.archived_date):
        changes["archived"] = False
    payments = tuple(p for p in invoice.partial_payments if not after(p.payment_date))
    if len(payments) != len(invoice.partial_payments):
        changes["partial_payments"] = payments
        changes["partially_paid"] = bool(payments)
    return dataclasses.replace(invoice, **changes) if changes else invoice


def money_figures(all_invoices: list[Invoice], on: dt.date) -> tuple[Overview, list[CurrencyFigures]]:
    """The overview's figures today and a month ago, per currency."""
    now = compute(all_invoices, on)
    before_day = month_before(on)
    before = compute([i for i in (as_stood(i, before_day) for i in all_invoices) if i is not None], before_day)
    codes = sorted(
        set(now.outstanding.amounts) | set(before.outstanding.amounts),
        key=lambda code: (code != "SEK", code),
    )
    return now, [
        CurrencyFigures(
            code,
            now.outstanding.in_currency(code),
            before.outstanding.in_currency(code),
            now.overdue.in_currency(code),
            before.overdue.in_currency(code),
        )
        for code in codes
    ]


def to_chase(overview: Overview) -> list[Chase]:
    """The overdue invoices, most days late times amount left first (each in its own
    currency: amounts are never converted); ties by number."""
    rows = [Chase(row.invoice, row.days, row.outstanding) for row in overview.overdue_rows]
    rows.sort(key=lambda row: (-row.weight, -row.days, row.invoice.invoice_number))
    return rows[:CHASE_SHOWN]


def freshness(user) -> list[tuple[str, read.CopyState]]:
    """(list name, its copy's state) of each list the user may browse."""
    return [
        (str(resource.verbose_name_plural).capitalize(), read.state(resource.copy_entity))
        for resource in RESOURCES.values()
        if user.has_perm(resource.permission)
    ]


def context(user) -> dict:
    """Everything the start page's blocks show for this user."""
    on = today()
    data: dict = {
        "created": created_by(user),
        "changed": changed(user),
        "new_links": create_links(user),
        "is_manager": user.has_perm(MANAGER_PERMISSION),
        "today": on,
        "before_day": month_before(on),
    }
    can_see_invoices = user.has_perm(RESOURCES["invoices"].permission)
    all_invoices = invoices() if can_see_invoices or data["is_manager"] else None
    data["invoices_copied"] = all_invoices is not None
    if can_see_invoices and all_invoices is not None:
        data["draft_count"], data["drafts"] = drafts(all_invoices, on)
    if data["is_manager"]:
        data["freshness"] = freshness(user)
        if all_invoices is not None:
            overview, data["money"] = money_figures(all_invoices, on)
            data["chase"] = to_chase(overview)
            data["overdue_count"] = overview.overdue.count
    return data

