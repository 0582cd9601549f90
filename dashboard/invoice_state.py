"""One clear state per invoice, derived from its fields (see docs/invoice-states.md).

The rules are checked in this order; the first that holds gives the state:

1. credit note      `isCreditInvoice` is true (the invoice credits another one)
2. credited         `isCredited` is true or `creditInvoice` is set
3. archived         `archived` is true
4. paid             `paymentDate` is set
5. not sent         `sentDate` is empty (a draft)
6. partially paid   `partiallyPaid` is true
7. overdue          `dueDate`, as a day in Stockholm, is before today in Stockholm
8. sent             otherwise: sent and not yet due
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from seventime.records import Invoice


class InvoiceState(models.TextChoices):
    DRAFT = "draft", _("Not sent")
    SENT = "sent", _("Sent, not yet due")
    OVERDUE = "overdue", _("Overdue")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Credited")
    CREDIT_NOTE = "credit_note", _("Credit note")
    ARCHIVED = "archived", _("Archived")

    @property
    def description(self) -> str:
        return STATE_RULES[self]


STATE_RULES = {
    InvoiceState.CREDIT_NOTE: _("A credit invoice: it cancels all or part of another invoice."),
    InvoiceState.CREDITED: _("This invoice has been cancelled by a credit invoice."),
    InvoiceState.ARCHIVED: _("Archived in Seven Time."),
    InvoiceState.PAID: _("A payment date is registered."),
    InvoiceState.DRAFT: _("Not sent to the customer yet."),
    InvoiceState.PARTIALLY_PAID: _("Part of the amount has been paid."),
    InvoiceState.OVERDUE: _("Sent and unpaid, and the due date has passed (in Stockholm time)."),
    InvoiceState.SENT: _("Sent and unpaid, not yet due."),
}


def local_day(moment: dt.datetime | None) -> dt.date | None:
    """The calendar day of an API timestamp in the configured zone (Stockholm)."""
    return timezone.localtime(moment).date() if moment else None


def today() -> dt.date:
    return timezone.localdate()


def invoice_state(invoice: Invoice, on: dt.date | None = None) -> InvoiceState:
    on = on or today()
    if invoice.is_credit_invoice:
        return InvoiceState.CREDIT_NOTE
    if invoice.is_credited or invoice.credit_invoice:
        return InvoiceState.CREDITED
    if invoice.archived:
        return InvoiceState.ARCHIVED
    if invoice.payment_date:
        return InvoiceState.PAID
    if not invoice.sent_date:
        return InvoiceState.DRAFT
    if invoice.partially_paid:
        return InvoiceState.PARTIALLY_PAID
    due = local_day(invoice.due_date)
    if due and due < on:
        return InvoiceState.OVERDUE
    return InvoiceState.SENT


def days_overdue(invoice: Invoice, on: dt.date | None = None) -> int:
    """Whole days past the due date (0 when not due yet or without a due date)."""
    due = local_day(invoice.due_date)
    if not due:
        return 0
    return max(0, ((on or today()) - due).days)
