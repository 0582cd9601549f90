"""Payment figures from the complete local invoice copy: DSO (kundkredittid), days to
pay per customer and the payments to expect in the next 7 and 30 days.

Rules (also in docs/invoice-overview.md, "Payments"):

* Money is per currency, never added across currencies; amounts include VAT
  (`totalAmountInclTax`), as on the overview.
* Receivables: what is left to pay on the invoices in a receivable state (sent,
  overdue, partially paid: invoice_state.RECEIVABLE_STATES), the total less the part
  payments (figures.outstanding).
* Invoiced over the last 365 days: every invoice that is neither a draft nor voided
  whose invoice date, a day in Stockholm, lies from today - 364 days to today (365
  days, today included); credit notes count with their negative amounts.
* DSO = receivables / invoiced over the last 365 days x 365, in days, per currency,
  company-wide and per customer; none when nothing (or less than nothing) was invoiced.
* Days to pay, over a customer's paid invoices (a payment date registered; not voided,
  not a credit note, not credited; archived ones included): payment day - invoice day,
  and days late: payment day - due day (negative: early), all days in Stockholm. The
  averages are plain means over the invoices, shown to a tenth of a day; the customer's
  usual lateness is the mean days late rounded half away from zero to whole days (0
  without a paid invoice).
* Expected payment of an open invoice: the date a manager set (ExpectedPayment), else
  its due day moved by its customer's usual lateness; what is expected is what is left
  to pay. "Next 7 days": expected from today to today + 6; "next 30 days": today to
  today + 29. Expected before today but unpaid is shown apart, never in those windows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, ngettext

from seventime.records import Invoice

from ..invoice_state import InvoiceState, invoice_state, local_day
from .figures import NOT_INVOICED_STATES, ZERO, Sums, amount, currency, outstanding

YEAR_DAYS = 365
DSO_WINDOW_DAYS = 365
SOON_DAYS = 7
MONTH_DAYS = 30
TENTH = Decimal("0.1")

#: States whose payment dates say nothing about how a customer pays.
NOT_PAYMENTS = (InvoiceState.VOIDED, InvoiceState.CREDIT_NOTE, InvoiceState.CREDITED)


def window_start(today: dt.date) -> dt.date:
    """The first day of the 365 days ending today."""
    return today - dt.timedelta(days=DSO_WINDOW_DAYS - 1)


def dso(receivables: Decimal, invoiced: Decimal) -> Decimal | None:
    """Receivables / invoiced x 365, to a tenth of a day; None when nothing was invoiced."""
    if invoiced <= 0:
        return None
    return (receivables / invoiced * YEAR_DAYS).quantize(TENTH, rounding=ROUND_HALF_UP)


def mean(values: list[int], places: Decimal = TENTH) -> Decimal | None:
    """The mean rounded half away from zero to `places` (a tenth: as shown; 1: whole days),
    from the exact sum, never from a rounded mean."""
    return (Decimal(sum(values)) / len(values)).quantize(places, rounding=ROUND_HALF_UP) if values else None


def customer_key(invoice: Invoice) -> str:
    return invoice.customer or f"number:{invoice.customer_number}"


def paid_days(invoice: Invoice, today: dt.date) -> tuple[int, int | None] | None:
    """(days to pay, days late) of a paid invoice, or None when it says nothing about paying."""
    if not invoice.payment_date or invoice_state(invoice, today) in NOT_PAYMENTS:
        return None
    paid, issued, due = local_day(invoice.payment_date), local_day(invoice.invoice_date), local_day(invoice.due_date)
    if issued is None:
        return None
    return (paid - issued).days, (paid - due).days if due else None


@dataclass
class CurrencyDSO:
    receivables: Decimal = ZERO
    invoiced: Decimal = ZERO

    @property
    def days(self) -> Decimal | None:
        return dso(self.receivables, self.invoiced)


@dataclass
class CustomerPayments:
    key: str
    id: str | None
    name: str
    number: str
    days_to_pay: list[int] = field(default_factory=list)
    days_late: list[int] = field(default_factory=list)
    by_currency: dict[str, CurrencyDSO] = field(default_factory=lambda: defaultdict(CurrencyDSO))

    @property
    def paid_count(self) -> int:
        return len(self.days_to_pay)

    @property
    def average_days_to_pay(self) -> Decimal | None:
        return mean(self.days_to_pay)

    @property
    def average_days_late(self) -> Decimal | None:
        return mean(self.days_late)

    @property
    def usual_lateness(self) -> int:
        """Whole days the customer usually pays after the due date (negative: before it):
        the mean days late, rounded half away from zero; 0 without a paid invoice."""
        return int(mean(self.days_late, Decimal(1)) or 0)

    def currencies(self) -> list[tuple[str, CurrencyDSO]]:
        return sorted(self.by_currency.items(), key=lambda item: (item[0] != "SEK", item[0]))

    @property
    def how_they_pay(self) -> str:
        """"usually pays 9 days late", in words."""
        if not self.days_late:
            return gettext("no paid invoice to go by")
        days = self.usual_lateness
        if days > 0:
            return ngettext("usually pays %(days)s day late", "usually pays %(days)s days late", days) % {"days": days}
        if days < 0:
            return ngettext("usually pays %(days)s day early", "usually pays %(days)s days early", -days) % {
                "days": -days
            }
        return gettext("usually pays on the due day")


@dataclass
class ExpectedRow:
    invoice: Invoice
    currency: str
    left: Decimal
    due: dt.date | None
    expected: dt.date | None
    lateness: int  # the days added to the due day (0 when a manager set the date)
    set_by: str = ""  # who set the date, when a manager did
    set_at: dt.datetime | None = None
    customer: CustomerPayments | None = None


@dataclass
class Payments:
    today: dt.date
    window_start: dt.date
    currencies: list[str]
    company: dict[str, CurrencyDSO]
    customers: list[CustomerPayments]
    rows: list[ExpectedRow]  # every open invoice, by expected day
    soon: Sums  # expected in the next 7 days
    month: Sums  # expected in the next 30 days
    earlier: Sums  # expected before today, still unpaid
    later: Sums  # expected after the next 30 days
    undated: Sums  # no due day and no date set
    days: dict[str, list[tuple[dt.date, Decimal]]]  # currency -> each of the next 30 days

    def company_figures(self) -> list[tuple[str, CurrencyDSO]]:
        return [(code, self.company[code]) for code in self.currencies]

    def within(self, days: int) -> list[ExpectedRow]:
        last = self.today + dt.timedelta(days=days - 1)
        return [row for row in self.rows if row.expected and self.today <= row.expected <= last]

    def overdue_expectations(self) -> list[ExpectedRow]:
        return [row for row in self.rows if row.expected and row.expected < self.today]


def compute(invoices: list[Invoice], today: dt.date, set_dates: dict[str, object] | None = None) -> Payments:
    """`set_dates`: invoice id -> an ExpectedPayment (or anything with expected_on,
    set_by_name and set_at), the dates managers set."""
    set_dates = set_dates or {}
    start = window_start(today)
    customers: dict[str, CustomerPayments] = {}
    company: dict[str, CurrencyDSO] = defaultdict(CurrencyDSO)
    open_invoices: list[tuple[Invoice, Decimal]] = []

    def customer_of(invoice: Invoice) -> CustomerPayments:
        key = customer_key(invoice)
        if key not in customers:
            customers[key] = CustomerPayments(
                key, invoice.customer, invoice.customer_name or invoice.customer_number, invoice.customer_number
            )
        return customers[key]

    for invoice in invoices:
        state = invoice_state(invoice, today)
        code = currency(invoice)
        left = outstanding(invoice, today)
        if left:
            company[code].receivables += left
            customer_of(invoice).by_currency[code].receivables += left
            open_invoices.append((invoice, left))
        issued = local_day(invoice.invoice_date)
        if state not in NOT_INVOICED_STATES and issued and start <= issued <= today:
            company[code].invoiced += amount(invoice)
            customer_of(invoice).by_currency[code].invoiced += amount(invoice)
        days = paid_days(invoice, today)
        if days is not None:
            who = customer_of(invoice)
            who.days_to_pay.append(days[0])
            if days[1] is not None:
                who.days_late.append(days[1])

    rows = []
    for invoice, left in open_invoices:
        who = customers[customer_key(invoice)]
        due = local_day(invoice.due_date)
        chosen = set_dates.get(invoice.id)
        if chosen is not None:
            row = ExpectedRow(invoice, currency(invoice), left, due, chosen.expected_on, 0, chosen.set_by_name, chosen.set_at)
        else:
            moved = due + dt.timedelta(days=who.usual_lateness) if due else None
            row = ExpectedRow(invoice, currency(invoice), left, due, moved, who.usual_lateness if due else 0)
        row.customer = who
        rows.append(row)
    rows.sort(key=lambda row: (row.expected or dt.date.max, row.invoice.invoice_number))

    soon, month, earlier, later, undated = Sums(), Sums(), Sums(), Sums(), Sums()
    codes = sorted(company, key=lambda code: (code != "SEK", code))
    days = {code: {today + dt.timedelta(days=n): ZERO for n in range(MONTH_DAYS)} for code in codes}
    for row in rows:
        if row.expected is None:
            undated.add(row.currency, row.left)
        elif row.expected < today:
            earlier.add(row.currency, row.left)
        elif row.expected <= today + dt.timedelta(days=MONTH_DAYS - 1):
            month.add(row.currency, row.left)
            days[row.currency][row.expected] += row.left
            if row.expected <= today + dt.timedelta(days=SOON_DAYS - 1):
                soon.add(row.currency, row.left)
        else:
            later.add(row.currency, row.left)

    # Every customer that owes, was invoiced in the window or paid: latest payers first,
    # those without a paid invoice after them, by name.
    listed = sorted(
        customers.values(),
        key=lambda c: (c.average_days_late is None, -(c.average_days_late or ZERO), c.name.casefold(), c.key),
    )
    return Payments(
        today=today,
        window_start=start,
        currencies=codes,
        company=dict(company),
        customers=listed,
        rows=rows,
        soon=soon,
        month=month,
        earlier=earlier,
        later=later,
        undated=undated,
        days={code: list(per_day.items()) for code, per_day in days.items()},
    )
