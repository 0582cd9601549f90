"""One clear state per invoice, derived from its fields (see docs/invoice-states.md).

Seven Time's own `invoiceStatus` codes (its published API documentation; the
reference's invoice example agrees): 1 Draft, 2 Sent, 3 Paid, 4 Obliterated (voided;
"Paid" and "Obliterated" only on a sent invoice). The code is read together with the
dates and flags. The rules are checked in this order; the first that holds gives the
state:

1. voided           `invoiceStatus` is 4 (Obliterated), whatever the dates say
2. credit note      `isCreditInvoice` is true (the invoice credits another one)
3. credited         `isCredited` is true or `creditInvoice` is set
4. archived         `archived` is true
5. paid             `paymentDate` is set, or `invoiceStatus` is 3 (Paid)
6. not sent         neither `sentDate` nor a code saying it was sent (2, 3, 4)
7. partially paid   `partiallyPaid` is true, or part payments are registered
8. overdue          `dueDate`, as a day in Stockholm, is before today in Stockholm
9. sent             otherwise: sent and not yet due

Where the code and the dates disagree, what records that something happened wins:
a payment date makes an invoice paid even with code 2, a sent date makes it sent even
with code 1 (the sandbox's old codes used 1 for sent), and code 2 or 3 makes it sent
even without a sent date. Code 4 always wins: a voided invoice is owed by nobody.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seventime.invoicing import INVOICE_DRAFT, INVOICE_PAID, INVOICE_SENT, INVOICE_VOIDED
from seventime.records import Invoice

__all__ = [
    "INVOICE_DRAFT",
    "INVOICE_PAID",
    "INVOICE_SENT",
    "INVOICE_VOIDED",
    "RECEIVABLE_STATES",
    "InvoiceState",
    "STATE_RULES",
    "days_overdue",
    "invoice_state",
    "is_receivable",
    "local_day",
    "today",
]


class InvoiceState(models.TextChoices):
    DRAFT = "draft", _("Not sent")
    SENT = "sent", _("Sent, not yet due")
    OVERDUE = "overdue", _("Overdue")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Credited")
    CREDIT_NOTE = "credit_note", _("Credit note")
    ARCHIVED = "archived", _("Archived")
    VOIDED = "voided", _("Voided")

    @property
    def description(self) -> str:
        return STATE_RULES[self]


STATE_RULES = {
    InvoiceState.VOIDED: _("Voided in Seven Time (status Obliterated): nobody owes it, whatever its dates say."),
    InvoiceState.CREDIT_NOTE: _("A credit invoice: it cancels all or part of another invoice."),
    InvoiceState.CREDITED: _("This invoice has been cancelled by a credit invoice."),
    InvoiceState.ARCHIVED: _("Archived in Seven Time."),
    InvoiceState.PAID: _("A payment date is registered, or Seven Time's status says Paid."),
    InvoiceState.DRAFT: _("Not sent to the customer yet."),
    InvoiceState.PARTIALLY_PAID: _("Part of the amount has been paid."),
    InvoiceState.OVERDUE: _("Sent and unpaid, and the due date has passed (in Stockholm time)."),
    InvoiceState.SENT: _("Sent and unpaid, not yet due."),
}

#: The states of invoices that are owed: sent and not paid, voided, credited or archived.
RECEIVABLE_STATES = (InvoiceState.SENT, InvoiceState.OVERDUE, InvoiceState.PARTIALLY_PAID)


def local_day(moment: dt.datetime | None) -> dt.date | None:
    """The calendar day of an API timestamp in the configured zone (Stockholm)."""
    return timezone.localtime(moment).date() if moment else None


def today() -> dt.date:
    return timezone.localdate()


def invoice_state(invoice: Invoice, on: dt.date | None = None) -> InvoiceState:
    on = on or today()
    status = invoice.invoice_status
    if status == INVOICE_VOIDED:
        return InvoiceState.VOIDED
    if invoice.is_credit_invoice:
        return InvoiceState.CREDIT_NOTE
    if invoice.is_credited or invoice.credit_invoice:
        return InvoiceState.CREDITED
    if invoice.archived:
        return InvoiceState.ARCHIVED
    if invoice.payment_date or status == INVOICE_PAID:
        return InvoiceState.PAID
    if not invoice.sent_date and status != INVOICE_SENT:
        return InvoiceState.DRAFT
    if invoice.partially_paid or invoice.partial_payments:
        return InvoiceState.PARTIALLY_PAID
    due = local_day(invoice.due_date)
    if due and due < on:
        return InvoiceState.OVERDUE
    return InvoiceState.SENT


def is_receivable(invoice: Invoice, on: dt.date | None = None) -> bool:
    """Whether anything may be owed on the invoice (its state is sent, overdue or partially paid)."""
    return invoice_state(invoice, on) in RECEIVABLE_STATES


def days_overdue(invoice: Invoice, on: dt.date | None = None) -> int:
    """Whole days past the due date (0 when not due yet or without a due date)."""
    due = local_day(invoice.due_date)
    if not due:
        return 0
    return max(0, ((on or today()) - due).days)


# --- Open invoices and what is left on them (the receivables pages; the overview's
# figures agree: dashboard/overview/figures.py) -------------------------------------

#: The states in which an invoice is owed: sent and not settled.
OPEN_STATES = (InvoiceState.SENT, InvoiceState.OVERDUE, InvoiceState.PARTIALLY_PAID)
#: The states of an invoice that was sent to be paid (whether it still is owed or not):
#: drafts, credit notes and any state not listed (voided) never were receivables.
SENT_STATES = (*OPEN_STATES, InvoiceState.PAID, InvoiceState.ARCHIVED, InvoiceState.CREDITED)


def is_open(invoice: Invoice, on: dt.date | None = None) -> bool:
    """Whether the invoice is owed now: sent and not paid, credited, archived or voided."""
    return invoice_state(invoice, on) in OPEN_STATES


def paid_in_part(invoice: Invoice, on: dt.date | None = None) -> Decimal:
    """What the part payments registered on the invoice add up to; with `on`, only
    those paid on or before that Stockholm day (a part payment without a date counts
    whatever the day: when it came is unknown)."""
    total = Decimal(0)
    for payment in invoice.partial_payments:
        day = local_day(payment.payment_date)
        if on is None or day is None or day <= on:
            total += payment.amount or Decimal(0)
    return total


def amount_left(invoice: Invoice, on: dt.date | None = None) -> Decimal:
    """What is left to pay on an open invoice now (0 when it is not open)."""
    if not is_open(invoice, on):
        return Decimal(0)
    return max((invoice.total_amount_incl_tax or Decimal(0)) - paid_in_part(invoice), Decimal(0))


def paid_on(invoice: Invoice) -> dt.date | None:
    """The Stockholm day an invoice was paid in full; None unless it is paid (or
    archived after being paid)."""
    if invoice_state(invoice) not in (InvoiceState.PAID, InvoiceState.ARCHIVED):
        return None
    return local_day(invoice.payment_date)


def left_on(invoice: Invoice, day: dt.date, credited_on: dt.date | None = None) -> Decimal:
    """What was left to pay on the invoice as it stood at the end of Stockholm day `day`
    (0 if it was not owed then): it was sent on or before that day, was not yet paid
    in full (its payment date is later) nor credited (`credited_on`, the credit note's
    invoice date, is later; unknown: never owed), and part payments count from their
    dates. Drafts, credit notes and voided invoices never count."""
    state = invoice_state(invoice, day)
    if state not in SENT_STATES:
        return Decimal(0)
    sent = local_day(invoice.sent_date)
    if sent is None or sent > day:
        return Decimal(0)
    paid = local_day(invoice.payment_date)
    if paid is not None and paid <= day:
        return Decimal(0)
    if state == InvoiceState.CREDITED and (credited_on is None or credited_on <= day):
        return Decimal(0)
    return max((invoice.total_amount_incl_tax or Decimal(0)) - paid_in_part(invoice, day), Decimal(0))
