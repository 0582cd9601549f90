"""The receivables pages' figures (docs/invoice-overview.md, "Receivables"): the chase
list, aged receivables on any day, a customer's statement and the ROT/RUT checks.

Pure functions of invoices (`seventime.records.Invoice`, read from the complete local
copy) and the dashboard's own notes; no Django models, no calls. Which invoices are
owed and what is left on them comes from `dashboard/invoice_state.py`; the ROT/RUT
rules from `seventime/invoicing.py`. Money stays per currency: EUR is never added to
SEK (the chase list's order alone weighs EUR by the invoice's own `currencyRate`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from seventime import invoicing
from seventime.records import Invoice

from ..invoice_state import amount_left, days_overdue, is_open, left_on, local_day, paid_in_part, paid_on

ZERO = Decimal(0)


def currency(invoice: Invoice) -> str:
    return (invoice.currency_code or "SEK").upper()


def customer_key(invoice: Invoice) -> str:
    """Invoices of one customer: its id, or its number when the invoice has no id."""
    return invoice.customer or f"number:{invoice.customer_number}"


def currencies_of(codes: Iterable[str]) -> list[str]:
    return sorted(set(codes), key=lambda code: (code != "SEK", code))


class Money(dict):
    """Amounts per currency (never added across currencies)."""

    def add(self, code: str, value: Decimal) -> None:
        self[code] = self.get(code, ZERO) + value

    def in_currency(self, code: str) -> Decimal:
        return self.get(code, ZERO)

    def ordered(self) -> list[tuple[str, Decimal]]:
        return [(code, self[code]) for code in currencies_of(self)]


# --- The chase list ----------------------------------------------------------------


def weight(invoice: Invoice, days: int, left: Decimal) -> Decimal:
    """Days late × amount left, in SEK for ordering only (an EUR invoice's amount times
    its own `currencyRate`; 1 when it has none)."""
    rate = invoice.currency_rate if currency(invoice) != "SEK" and invoice.currency_rate else Decimal(1)
    return days * left * rate


@dataclass
class ChaseInvoice:
    invoice: Invoice
    days: int
    left: Decimal
    weight: Decimal


@dataclass
class ChaseCustomer:
    key: str
    name: str
    number: str
    invoices: list[ChaseInvoice] = field(default_factory=list)
    left: Money = field(default_factory=Money)
    weight: Decimal = ZERO
    notes: list = field(default_factory=list)  # ChaseNote, newest first
    pause: object | None = None  # ChasePause

    @property
    def customer_id(self) -> str | None:
        return None if self.key.startswith("number:") else self.key

    @property
    def reminder_date(self) -> dt.datetime | None:
        """The newest reminder Seven Time sent for any of its overdue invoices."""
        dates = [row.invoice.reminder_date for row in self.invoices if row.invoice.reminder_date]
        return max(dates) if dates else None

    @property
    def last_note(self):
        return self.notes[0] if self.notes else None

    @property
    def expected_payment(self) -> dt.date | None:
        """The payment day the newest note that names one gives."""
        return next((note.expected_payment for note in self.notes if note.expected_payment), None)

    @property
    def most_days(self) -> int:
        return max(row.days for row in self.invoices)


def chase_list(invoices: Iterable[Invoice], today: dt.date, notes=(), pauses=()) -> list[ChaseCustomer]:
    """Every customer with overdue invoices, the one to chase first first: customers by
    the sum of days late × amount left of their overdue invoices, and their invoices so
    too; paused customers last (in the same order among themselves)."""
    customers: dict[str, ChaseCustomer] = {}
    for invoice in invoices:
        if not is_open(invoice, today):
            continue
        days = days_overdue(invoice, today)
        left = amount_left(invoice, today)
        if days <= 0 or left <= 0:
            continue
        key = customer_key(invoice)
        customer = customers.get(key)
        if customer is None:
            customer = customers[key] = ChaseCustomer(
                key, invoice.customer_name or invoice.customer_number, invoice.customer_number
            )
        row = ChaseInvoice(invoice, days, left, weight(invoice, days, left))
        customer.invoices.append(row)
        customer.left.add(currency(invoice), left)
        customer.weight += row.weight
    for note in notes:
        if note.customer_id in customers:
            customers[note.customer_id].notes.append(note)
    for pause in pauses:
        if pause.customer_id in customers:
            customers[pause.customer_id].pause = pause
    for customer in customers.values():
        customer.invoices.sort(key=lambda row: (-row.weight, -row.days, row.invoice.invoice_number))
        customer.notes.sort(key=lambda note: (note.created_at, note.pk or 0), reverse=True)
    return sorted(customers.values(), key=lambda c: (c.pause is not None, -c.weight, c.name.casefold(), c.key))


# --- Aged receivables on a day -----------------------------------------------------


@dataclass(frozen=True)
class AgeBucket:
    key: str
    label: str
    low: int
    high: int | None  # inclusive; None: no upper bound

    def holds(self, days: int) -> bool:
        return days >= self.low and (self.high is None or days <= self.high)


AGE_BUCKETS = (
    AgeBucket("current", _("Not due"), 0, 0),
    AgeBucket("1-30", _("1–30 days"), 1, 30),
    AgeBucket("31-60", _("31–60 days"), 31, 60),
    AgeBucket("61-90", _("61–90 days"), 61, 90),
    AgeBucket("90+", _("Over 90 days"), 91, None),
)


def bucket_of(days: int) -> AgeBucket:
    return next(bucket for bucket in AGE_BUCKETS if bucket.holds(days))


def credit_days(invoices: Iterable[Invoice]) -> dict[str, dt.date]:
    """The day each credited invoice was credited: its credit note's invoice date."""
    notes = [i for i in invoices if i.is_credit_invoice]
    by_id = {i.id: i for i in notes}
    days: dict[str, dt.date] = {}
    for note in notes:
        if note.credit_for_invoice and note.invoice_date:
            days[note.credit_for_invoice] = local_day(note.invoice_date)
    for invoice in invoices:
        note = by_id.get(invoice.credit_invoice or "")
        if note is not None and note.invoice_date and invoice.id not in days:
            days[invoice.id] = local_day(note.invoice_date)
    return days


@dataclass
class AgedRow:
    """One customer's receivables in one currency, by age."""

    key: str
    name: str
    number: str
    currency: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: {b.key: ZERO for b in AGE_BUCKETS})
    count: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    def amounts(self) -> list[Decimal]:
        return [self.buckets[bucket.key] for bucket in AGE_BUCKETS]


@dataclass
class AgedInvoice:
    invoice: Invoice
    days: int
    bucket: AgeBucket
    left: Decimal


@dataclass
class Aged:
    day: dt.date
    totals: dict[str, AgedRow]  # currency -> the row of all customers
    customers: list[AgedRow]  # by currency, then most owed first
    invoices: list[AgedInvoice]

    @property
    def currencies(self) -> list[str]:
        return currencies_of(self.totals)

    @property
    def total_rows(self) -> list[AgedRow]:
        return [self.totals[code] for code in self.currencies]


def aged_receivables(invoices: list[Invoice], day: dt.date) -> Aged:
    """What was owed at the end of Stockholm day `day`, by days past due on that day."""
    credited = credit_days(invoices)
    totals: dict[str, AgedRow] = {}
    rows: dict[tuple[str, str], AgedRow] = {}
    listed = []
    for invoice in invoices:
        left = left_on(invoice, day, credited.get(invoice.id or ""))
        if left <= 0:
            continue
        code = currency(invoice)
        days = days_overdue(invoice, day)
        bucket = bucket_of(days)
        key = customer_key(invoice)
        row = rows.get((key, code))
        if row is None:
            row = rows[key, code] = AgedRow(key, invoice.customer_name or invoice.customer_number, invoice.customer_number, code)
        total = totals.setdefault(code, AgedRow("", "", "", code))
        for target in (row, total):
            target.buckets[bucket.key] += left
            target.count += 1
        listed.append(AgedInvoice(invoice, days, bucket, left))
    order = {code: index for index, code in enumerate(currencies_of(totals))}
    customers = sorted(rows.values(), key=lambda r: (order[r.currency], -r.total, r.name.casefold(), r.key))
    listed.sort(key=lambda r: (order[currency(r.invoice)], -r.days, r.invoice.invoice_number))
    return Aged(day, totals, customers, listed)


# --- A customer's statement ----------------------------------------------------------


@dataclass
class StatementLine:
    invoice: Invoice
    paid: Decimal
    left: Decimal
    days: int


@dataclass
class Statement:
    day: dt.date
    lines: list[StatementLine]
    totals: Money
    paid: Money
    left: Money


def statement(invoices: Iterable[Invoice], today: dt.date) -> Statement:
    """Every open invoice of one customer (the invoices given), oldest due first."""
    lines, totals, paid, left = [], Money(), Money(), Money()
    for invoice in invoices:
        if not is_open(invoice, today):
            continue
        code = currency(invoice)
        line = StatementLine(invoice, paid_in_part(invoice), amount_left(invoice, today), days_overdue(invoice, today))
        lines.append(line)
        totals.add(code, invoice.total_amount_incl_tax or ZERO)
        paid.add(code, line.paid)
        left.add(code, line.left)
    lines.sort(key=lambda line: (currency(line.invoice) != "SEK", currency(line.invoice), line.invoice.due_date or dt.datetime.max.replace(tzinfo=dt.UTC), line.invoice.invoice_number))
    return Statement(today, lines, totals, paid, left)


# --- ROT/RUT checks ------------------------------------------------------------------

HOUSE_TYPES = {invoicing.ROT: "ROT", invoicing.RUT: "RUT"}


def mask_personal_number(number: str, today: dt.date) -> str:
    """19800101-1234 or 800101-1234 -> "19800101-••••": the birth date, never the last four.
    A ten-digit number gets its century (under 100 years old; "+" marks 100 or more)."""
    digits = re.sub(r"\D", "", number or "")
    if len(digits) == 12:
        return f"{digits[:8]}-••••"
    if len(digits) == 10:
        year = today.year
        short = int(digits[:2])
        century = year // 100 if short <= year % 100 else year // 100 - 1
        if "+" in number:
            century -= 1
        return f"{century}{digits[:6]}-••••"
    return "••••" if number else ""


@dataclass
class HouseCheck:
    invoice: Invoice
    kind: str  # ROT or RUT
    paid: dt.date | None  # paid in full on (None: still open)
    rule_day: dt.date  # the day whose rule applies: the payment day, else today
    rate: Decimal
    basis: Decimal
    on_invoice: Decimal
    expected: Decimal
    claim: object | None = None  # HouseWorkClaim

    @property
    def matches(self) -> bool:
        return self.on_invoice == self.expected

    @property
    def deadline(self) -> dt.date | None:
        return invoicing.claim_deadline(self.paid) if self.paid and self.on_invoice > 0 else None


@dataclass
class PersonYear:
    year: int
    personal_number: str  # the full number: never shown (see `masked`)
    masked: str
    names: set[str] = field(default_factory=set)
    rot: Decimal = ZERO
    rut: Decimal = ZERO
    invoices: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.rot + self.rut

    @property
    def rot_over(self) -> bool:
        return self.rot > invoicing.ROT_CEILING

    @property
    def total_over(self) -> bool:
        return self.total > invoicing.HOUSE_WORK_CEILING

    @property
    def over(self) -> bool:
        return self.rot_over or self.total_over


@dataclass
class HouseChecks:
    invoices: list[HouseCheck]
    people: list[PersonYear]  # by year (newest first), then most deducted first
    unclaimed: list[HouseCheck]  # paid, deduction on the invoice, not marked claimed; deadline first


def house_checks(invoices: Iterable[Invoice], today: dt.date, claims: dict | None = None) -> HouseChecks:
    """ROT/RUT invoices that are owed or paid (not drafts, credit notes, credited or
    voided ones): the deduction against the rule in force on the payment day (on
    today for an invoice not yet paid), the yearly sums per person (paid invoices, by
    the year paid, each person's share of the invoice's deduction), and the claims due."""
    claims = claims or {}
    checks, people = [], {}
    for invoice in invoices:
        kind = HOUSE_TYPES.get(invoice.invoice_type or 0)
        if kind is None:
            continue
        paid = paid_on(invoice)
        if paid is None and not is_open(invoice, today):
            continue
        rule_day = paid or today
        house = invoice.house_properties
        limit = house.max_deduction_amount if house and house.max_deduction_amount else None
        basis = invoice.house_deduction_basis_amount or ZERO
        check = HouseCheck(
            invoice,
            kind,
            paid,
            rule_day,
            invoicing.house_deduction_rate(invoice.invoice_type, rule_day),
            basis,
            invoice.house_deduction_amount or ZERO,
            invoicing.deduction_of(basis, invoice.invoice_type, rule_day, limit),
            claims.get(invoice.id),
        )
        checks.append(check)
        if paid is None or house is None:
            continue
        for share in house.deduction_distribution:
            if not share.personal_number:
                continue
            key = (paid.year, re.sub(r"\D", "", share.personal_number))
            person = people.get(key)
            if person is None:
                person = people[key] = PersonYear(paid.year, share.personal_number, mask_personal_number(share.personal_number, today))
            part = invoicing.money(check.on_invoice * (share.distribution_percent or ZERO) / 100)
            if kind == "ROT":
                person.rot += part
            else:
                person.rut += part
            if share.user_name:
                person.names.add(share.user_name)
            person.invoices.append(invoice.invoice_number)
    checks.sort(key=lambda c: (c.rule_day, c.invoice.invoice_number), reverse=True)
    unclaimed = sorted(
        (c for c in checks if c.deadline and c.claim is None), key=lambda c: (c.deadline, c.invoice.invoice_number)
    )
    ordered_people = sorted(people.values(), key=lambda p: (-p.year, -p.total, p.masked))
    return HouseChecks(checks, ordered_people, unclaimed)
