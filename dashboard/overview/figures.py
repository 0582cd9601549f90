"""The invoice overview's figures, computed from the complete local invoice copy.

Rules (also in docs/invoice-overview.md):

* Amounts are invoice totals including VAT (`totalAmountInclTax`), always per
  currency: EUR is never added to SEK.
* Outstanding: invoices that are sent and not paid, voided, credited or archived
  (states sent, overdue, partially paid); the amount is the total minus the
  partial payments registered on it.
* Overdue: outstanding invoices whose due date (a day in Stockholm) is before
  today in Stockholm - partially paid ones included, with what is left to pay.
  Aging buckets count whole days past the due date: 1-30, 31-60, 61-90, over 90.
* Invoiced per month: every invoice that is neither a draft nor voided, by its
  invoice date in Stockholm; credit notes count with their (negative) amounts in
  their month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from seventime.records import Invoice

from ..invoice_state import RECEIVABLE_STATES, InvoiceState, days_overdue, invoice_state, local_day

ZERO = Decimal(0)
OUTSTANDING_STATES = RECEIVABLE_STATES
#: States whose invoices were never invoiced in effect: left out of "invoiced" figures.
NOT_INVOICED_STATES = (InvoiceState.DRAFT, InvoiceState.VOIDED)


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    low: int
    high: int | None  # inclusive; None: no upper bound

    def holds(self, days: int) -> bool:
        return days >= self.low and (self.high is None or days <= self.high)


AGING_BUCKETS = (
    Bucket("1-30", _("1–30 days"), 1, 30),
    Bucket("31-60", _("31–60 days"), 31, 60),
    Bucket("61-90", _("61–90 days"), 61, 90),
    Bucket("90+", _("Over 90 days"), 91, None),
)
BUCKETS = {bucket.key: bucket for bucket in AGING_BUCKETS}


def amount(invoice: Invoice) -> Decimal:
    return invoice.total_amount_incl_tax or ZERO


def currency(invoice: Invoice) -> str:
    return (invoice.currency_code or "SEK").upper()


def part_payments(invoice: Invoice) -> Decimal:
    """What the part payments registered on an invoice add up to."""
    return sum((payment.amount or ZERO for payment in invoice.partial_payments), ZERO)


def outstanding(invoice: Invoice, today: dt.date) -> Decimal:
    """What is left to pay on an invoice (0 unless it is sent and unpaid)."""
    if invoice_state(invoice, today) not in OUTSTANDING_STATES:
        return ZERO
    return max(amount(invoice) - part_payments(invoice), ZERO)


def overdue_days(invoice: Invoice, today: dt.date) -> int:
    """Days past due for an outstanding invoice, else 0."""
    return days_overdue(invoice, today) if outstanding(invoice, today) else 0


@dataclass
class Sums:
    """A count and an amount per currency."""

    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))

    def add(self, currency_code: str, value: Decimal) -> None:
        self.count += 1
        self.amounts[currency_code] += value

    def per_currency(self) -> list[tuple[str, Decimal]]:
        """(currency, amount), SEK first, then the others alphabetically."""
        return sorted(self.amounts.items(), key=lambda item: (item[0] != "SEK", item[0]))

    def in_currency(self, currency_code: str) -> Decimal:
        # Not __getitem__: templates would then read sums.count as sums["count"].
        return self.amounts.get(currency_code, ZERO)


@dataclass
class OverdueRow:
    invoice: Invoice
    days: int
    outstanding: Decimal


@dataclass
class Overview:
    invoices: list[Invoice]
    today: dt.date
    currencies: list[str]
    by_state: list[tuple[InvoiceState, Sums]]
    total: Sums
    outstanding: Sums
    overdue: Sums
    #: The overdue invoices that the state table counts as partially paid, not overdue.
    overdue_part_paid: Sums
    aging: list[tuple[Bucket, Sums]]
    months: list[tuple[dt.date, Sums]]
    top_customers: dict[str, list[tuple[str, str, Decimal]]]  # currency -> (customer id, name, amount)
    overdue_rows: list[OverdueRow]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_months(today: dt.date, count: int = 12) -> list[dt.date]:
    months, month = [], month_start(today)
    for _index in range(count):
        months.append(month)
        month = month_start(month - dt.timedelta(days=1))
    return months[::-1]


def period_months(start: dt.date | None, end: dt.date | None, today: dt.date) -> list[dt.date]:
    """The months the "per month" figures show for an invoice-date period: those it
    touches; with no end, up to this month (or the start's, if later); with no start,
    the 12 up to its end; with neither, the last 12."""
    if start is None:
        return last_months(end or today)
    last = month_start(end) if end else max(month_start(today), month_start(start))
    months, month = [], month_start(start)
    while month <= last:
        months.append(month)
        month = month_start(month + dt.timedelta(days=31))
    return months


def compute(invoices: list[Invoice], today: dt.date, months: list[dt.date] | None = None) -> Overview:
    """The overview's figures; `months` the months of the per-month figures (by
    default the last 12, see period_months)."""
    by_state = {state: Sums() for state in InvoiceState}
    total, owed, late, late_part_paid = Sums(), Sums(), Sums(), Sums()
    aging = {bucket.key: Sums() for bucket in AGING_BUCKETS}
    months = {month: Sums() for month in (last_months(today) if months is None else months)}
    per_customer: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    names: dict[str, str] = {}
    overdue_rows = []
    for invoice in invoices:
        code, value = currency(invoice), amount(invoice)
        state = invoice_state(invoice, today)
        by_state[state].add(code, value)
        total.add(code, value)
        left = outstanding(invoice, today)
        if left:
            owed.add(code, left)
            customer_key = invoice.customer or f"number:{invoice.customer_number}"
            per_customer[code][customer_key] += left
            names.setdefault(customer_key, invoice.customer_name or invoice.customer_number)
            days = days_overdue(invoice, today)
            if days > 0:
                late.add(code, left)
                if state == InvoiceState.PARTIALLY_PAID:
                    late_part_paid.add(code, left)
                overdue_rows.append(OverdueRow(invoice, days, left))
                for bucket in AGING_BUCKETS:
                    if bucket.holds(days):
                        aging[bucket.key].add(code, left)
        if state not in NOT_INVOICED_STATES and invoice.invoice_date:
            month = month_start(local_day(invoice.invoice_date))
            if month in months:
                months[month].add(code, value)
    overdue_rows.sort(key=lambda row: (-row.days, row.invoice.invoice_number))
    top = {
        code: sorted(
            ((key, names[key], value) for key, value in customers.items()),
            key=lambda item: (-item[2], item[1]),
        )[:10]
        for code, customers in per_customer.items()
    }
    return Overview(
        invoices=invoices,
        today=today,
        currencies=sorted(total.amounts, key=lambda code: (code != "SEK", code)),
        by_state=[(state, by_state[state]) for state in InvoiceState],
        total=total,
        outstanding=owed,
        overdue=late,
        overdue_part_paid=late_part_paid,
        aging=[(bucket, aging[bucket.key]) for bucket in AGING_BUCKETS],
        months=list(months.items()),
        top_customers=top,
        overdue_rows=overdue_rows,
    )

