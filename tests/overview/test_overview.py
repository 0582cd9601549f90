"""The invoice overview for managers: its figures (dashboard.overview.figures.compute),
the complete local copy they are computed from (dashboard.overview.sync), the pages
(/overview/, /overview/invoices/, POST /overview/sync/), their filters, links and
permissions.

The completeness test compares the page with totals computed here, directly from
the sandbox's raw invoice documents and the rules in docs/invoice-states.md, never
through dashboard.overview.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import responses
from django.contrib.auth.models import Group
from django.utils import timezone

from dashboard.invoice_state import InvoiceState
from dashboard.models import CopyStatus, SyncedRecord, SyncRun
from dashboard.overview import sync as invoice_sync
from dashboard.sync import engine
from dashboard.overview.figures import AGING_BUCKETS, compute, last_months
from seventime.errors import BadResponse
from seventime.records import Invoice
from seventime.sandbox import store
from tests.conftest import API, run_queued_tasks
from tests.sync.support import invoice_status, make_invoice_copy

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HTMX = {"HX-Request": "true"}
CENT = Decimal("0.01")



# =====================================================================================
# Helpers
# =====================================================================================


def local_today() -> dt.date:
    return dt.datetime.now(STOCKHOLM).date()


def midnight(day: dt.date) -> str:
    """A Swedish calendar day as the API sends it: midnight in Stockholm, in UTC."""
    moment = dt.datetime.combine(day, dt.time(), tzinfo=STOCKHOLM).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def stockholm_day(text) -> dt.date | None:
    if not text:
        return None
    return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(STOCKHOLM).date()


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(text: str) -> Decimal:
    """ "1,234.50 SEK" or "-154,727.00" -> Decimal."""
    cleaned = re.sub(r"[^\d.\-]", "", text.replace("\u2212", "-"))
    return Decimal(cleaned)


def doc(number: str = "1001", amount="1000", currency: str = "SEK", **fields) -> dict:
    """An invoice document as the API sends it: sent, unpaid, not yet due."""
    base = {
        "_id": f"inv-{number}",
        "invoiceNumber": number,
        "invoiceDate": "2026-10-31T23:00:00.000Z",  # 1 November in Stockholm
        "dueDate": "2026-11-30T23:00:00.000Z",  # 1 December in Stockholm
        "sentDate": "2026-11-01T08:00:00.000Z",
        "paymentDate": None,
        "partiallyPaid": False,
        "partialPayments": [],
        "archived": False,
        "isCreditInvoice": False,
        "isCredited": False,
        "creditInvoice": None,
        "customer": "cust-1",
        "customerName": "Bergström Bygg AB",
        "customerNumber": "1001",
        "currencyCode": currency,
        "totalAmountInclTax": amount,
    }
    base.update(fields)
    return base


def inv(*args, **kwargs) -> Invoice:
    return Invoice.from_api(doc(*args, **kwargs))


# --- a minimal HTML tree, enough to read tables, cards and links ---

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return re.sub(r"\s+", " ", " ".join(parts)).strip()

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list[Node]:
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(key) == value for key, value in attrs.items())
        ]

    def find(self, *args, **kwargs) -> Node | None:
        found = self.find_all(*args, **kwargs)
        return found[0] if found else None

    def cells(self) -> list[Node]:
        return [child for child in self.children if isinstance(child, Node) and child.tag in ("th", "td")]


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs), self.stack[-1]))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(response) -> Node:
    builder = TreeBuilder()
    builder.feed(response.content.decode())
    return builder.root


def section(dom: Node, heading: str) -> Node:
    for node in dom.find_all("section"):
        h2 = node.find("h2")
        if h2 is not None and h2.text() == heading:
            return node
    raise AssertionError(f"no section headed {heading!r}")


def rows_of(table: Node, part: str = "tbody") -> list[list[Node]]:
    container = table.find(part)
    return [row.cells() for row in container.find_all("tr")] if container is not None else []


def currency_columns(table: Node) -> list[str]:
    """The currency of each amount column, from headers like "Incl. VAT, SEK"."""
    headers = [cell.text() for cell in rows_of(table, "thead")[0]]
    return [header.rsplit(" ", 1)[-1] for header in headers[2:]]


def query_of(href: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(href).query).items()}


def coverage(dom: Node) -> str:
    node = dom.find("p", cls="coverage")
    assert node is not None, "the page does not say which invoices its figures cover"
    return node.text()


def listed_numbers(response) -> list[str]:
    """The invoice numbers of a drill-down list, in order."""
    dom = parse(response)
    table = dom.find("div", id="results").find("table")
    return [cells[0].text() for cells in rows_of(table) if len(cells) > 1]


def cards(dom: Node) -> dict[str, dict[str, Node]]:
    """currency -> {"Outstanding": dd, "Overdue": dd, "All invoices in scope": dd}."""
    result = {}
    for card in dom.find("section", cls="cards").find_all("article", cls="card"):
        terms = [node.text() for node in card.find_all("dt")]
        result[card.find("h2").text()] = dict(zip(terms, card.find_all("dd"), strict=True))
    return result


def by_state(dom: Node) -> dict[str, tuple[int, dict[str, Decimal], Node]]:
    """state value -> (count, amount per currency, count cell)."""
    table = section(dom, "By state").find("table")
    codes = currency_columns(table)
    result = {}
    for cells in rows_of(table):
        state = next(c.removeprefix("state-") for c in cells[0].find("span").classes if c.startswith("state-"))
        result[state] = (int(cells[1].text()), dict(zip(codes, (money(c.text()) for c in cells[2:]), strict=True)), cells[1])
    return result


def aging(dom: Node) -> dict[str, tuple[int, dict[str, Decimal], str]]:
    """bucket key -> (count, outstanding per currency, link)."""
    table = section(dom, "Overdue by age").find("table")
    codes = currency_columns(table)
    result = {}
    for cells in rows_of(table):
        href = cells[0].find("a").attrs["href"]
        amounts = dict(zip(codes, (money(c.text()) for c in cells[2:]), strict=True))
        result[query_of(href)["bucket"]] = (int(cells[1].text()), amounts, href)
    return result


def state_total(dom: Node) -> int:
    table = section(dom, "By state").find("table")
    return int(rows_of(table, "tfoot")[0][1].text())


# =====================================================================================
# compute(): hand-built documents, today fixed
# =====================================================================================

TODAY = dt.date(2026, 11, 25)


def test_totals_are_per_currency_and_never_add_eur_to_sek():
    data = compute(
        [inv("1", "1000.50", "SEK"), inv("2", "100.25", "EUR"), inv("3", "250", "SEK"), inv("4", "40", "eur")],
        TODAY,
    )
    assert data.total.count == 4
    assert dict(data.total.amounts) == {"SEK": Decimal("1250.50"), "EUR": Decimal("140.25")}
    assert data.currencies == ["SEK", "EUR"]
    sent = dict(data.by_state)[InvoiceState.SENT]
    assert sent.count == 4 and dict(sent.amounts) == {"SEK": Decimal("1250.50"), "EUR": Decimal("140.25")}
    assert dict(data.outstanding.amounts) == {"SEK": Decimal("1250.50"), "EUR": Decimal("140.25")}
    # Nowhere is there a sum of both currencies.
    assert Decimal("1390.75") not in data.total.amounts.values()


def test_overdue_and_aging_are_per_currency():
    overdue_due = "2026-11-14T23:00:00.000Z"  # 15 Nov: 10 days overdue
    data = compute([inv("1", "500", "SEK", dueDate=overdue_due), inv("2", "70", "EUR", dueDate=overdue_due)], TODAY)
    assert dict(data.overdue.amounts) == {"SEK": Decimal(500), "EUR": Decimal(70)}
    bucket = dict((b.key, sums) for b, sums in data.aging)["1-30"]
    assert bucket.count == 2 and dict(bucket.amounts) == {"SEK": Decimal(500), "EUR": Decimal(70)}


def test_outstanding_is_the_total_less_partial_payments():
    payments = [
        {"_id": "p1", "paymentDate": "2026-11-02T23:00:00.000Z", "amount": 300},
        {"_id": "p2", "paymentDate": "2026-11-09T23:00:00.000Z", "amount": 200.5},
    ]
    partly = inv("1", "1000", partiallyPaid=True, partialPayments=payments, dueDate="2026-11-14T23:00:00.000Z")
    data = compute([partly], TODAY)
    # The state's amount is the invoice total; outstanding and overdue what is left to pay.
    assert dict(data.by_state)[InvoiceState.PARTIALLY_PAID].in_currency("SEK") == Decimal(1000)
    assert data.outstanding.in_currency("SEK") == Decimal("499.5")
    assert data.overdue.in_currency("SEK") == Decimal("499.5")
    assert dict((b.key, s) for b, s in data.aging)["1-30"].in_currency("SEK") == Decimal("499.5")
    assert [(row.invoice.invoice_number, row.days, row.outstanding) for row in data.overdue_rows] == [
        ("1", 10, Decimal("499.5"))
    ]
    assert data.top_customers["SEK"] == [("cust-1", "Bergström Bygg AB", Decimal("499.5"))]


def test_partially_paid_invoice_not_yet_due_is_outstanding_but_not_overdue():
    partly = inv("1", "1000", partiallyPaid=True, partialPayments=[{"amount": 400}])
    data = compute([partly], TODAY)
    assert data.outstanding.in_currency("SEK") == Decimal(600)
    assert data.overdue.count == 0 and not data.overdue_rows


@pytest.mark.parametrize(
    "fields",
    [
        {"paymentDate": "2026-11-20T23:00:00.000Z"},
        {"sentDate": None},
        {"archived": True},
        {"isCredited": True},
        {"creditInvoice": "inv-credit"},
        {"isCreditInvoice": True, "totalAmountInclTax": -1000},
        {"invoiceStatus": 4},
        {"invoiceStatus": 4, "partiallyPaid": True, "partialPayments": [{"amount": 100}]},
        {"invoiceStatus": 3},
    ],
    ids=["paid", "draft", "archived", "credited", "credit-invoice-set", "credit-note", "voided", "voided-part-paid", "paid-by-code"],
)
def test_paid_drafts_archived_credited_and_credit_notes_are_not_outstanding(fields):
    data = compute([inv("1", "1000", dueDate="2026-08-01T22:00:00.000Z", **fields)], TODAY)
    assert data.outstanding.count == 0 and dict(data.outstanding.amounts) == {}
    assert data.overdue.count == 0 and not data.overdue_rows
    assert all(sums.count == 0 for _bucket, sums in data.aging)
    assert data.top_customers == {}


STATE_CASES = [
    ({}, InvoiceState.SENT),
    ({"dueDate": "2026-11-24T23:00:00.000Z"}, InvoiceState.SENT),  # due today (25 Nov)
    ({"dueDate": "2026-11-23T23:00:00.000Z"}, InvoiceState.OVERDUE),  # due yesterday
    ({"dueDate": None}, InvoiceState.SENT),
    ({"sentDate": None}, InvoiceState.DRAFT),
    ({"sentDate": None, "dueDate": "2026-01-01T23:00:00.000Z"}, InvoiceState.DRAFT),
    ({"partiallyPaid": True}, InvoiceState.PARTIALLY_PAID),
    ({"partiallyPaid": True, "dueDate": "2026-01-01T23:00:00.000Z"}, InvoiceState.PARTIALLY_PAID),
    ({"paymentDate": "2026-11-20T23:00:00.000Z"}, InvoiceState.PAID),
    ({"paymentDate": "2026-11-20T23:00:00.000Z", "partiallyPaid": True}, InvoiceState.PAID),
    ({"archived": True}, InvoiceState.ARCHIVED),
    ({"archived": True, "paymentDate": "2026-11-20T23:00:00.000Z"}, InvoiceState.ARCHIVED),
    ({"isCredited": True}, InvoiceState.CREDITED),
    ({"creditInvoice": "inv-9"}, InvoiceState.CREDITED),
    ({"creditInvoice": "inv-9", "archived": True}, InvoiceState.CREDITED),
    ({"isCreditInvoice": True, "totalAmountInclTax": -1000}, InvoiceState.CREDIT_NOTE),
    ({"isCreditInvoice": True, "paymentDate": "2026-11-20T23:00:00.000Z"}, InvoiceState.CREDIT_NOTE),
    # Seven Time's invoiceStatus: 1 Draft, 2 Sent, 3 Paid, 4 Obliterated (voided).
    ({"invoiceStatus": 2}, InvoiceState.SENT),  # the reference's example: sent, unpaid
    ({"invoiceStatus": 2, "dueDate": "2026-11-23T23:00:00.000Z"}, InvoiceState.OVERDUE),
    ({"invoiceStatus": 1, "sentDate": None}, InvoiceState.DRAFT),
    ({"invoiceStatus": 3, "paymentDate": "2026-11-20T23:00:00.000Z"}, InvoiceState.PAID),
    # The code and the dates disagree: what records that something happened wins...
    ({"invoiceStatus": 3, "dueDate": "2026-11-23T23:00:00.000Z"}, InvoiceState.PAID),  # paid, date missing
    ({"invoiceStatus": 2, "paymentDate": "2026-11-20T23:00:00.000Z"}, InvoiceState.PAID),  # a payment is registered
    ({"invoiceStatus": 2, "sentDate": None}, InvoiceState.SENT),  # sent, date missing
    ({"invoiceStatus": 1, "dueDate": "2026-11-23T23:00:00.000Z"}, InvoiceState.OVERDUE),  # has a sentDate
    ({"invoiceStatus": 2, "partialPayments": [{"amount": 100}]}, InvoiceState.PARTIALLY_PAID),
    # ... except a voided invoice, which nobody owes whatever its dates and flags say.
    ({"invoiceStatus": 4}, InvoiceState.VOIDED),
    ({"invoiceStatus": 4, "dueDate": "2026-08-01T22:00:00.000Z"}, InvoiceState.VOIDED),  # would be overdue
    ({"invoiceStatus": 4, "partiallyPaid": True, "partialPayments": [{"amount": 100}]}, InvoiceState.VOIDED),
    ({"invoiceStatus": 4, "paymentDate": "2026-11-20T23:00:00.000Z"}, InvoiceState.VOIDED),
    ({"invoiceStatus": 4, "archived": True}, InvoiceState.VOIDED),
    ({"invoiceStatus": 4, "isCreditInvoice": True, "totalAmountInclTax": -1000}, InvoiceState.VOIDED),
]


@pytest.mark.parametrize(("fields", "state"), STATE_CASES)
def test_each_invoice_is_counted_in_exactly_its_state(fields, state):
    document = doc("1", "1000", **fields)
    data = compute([Invoice.from_api(document)], TODAY)
    counted = {s: sums.count for s, sums in data.by_state}
    assert counted == {s: int(s == state) for s in InvoiceState}
    assert dict(data.by_state)[state].in_currency("SEK") == Decimal(document["totalAmountInclTax"])
    assert [s for s, _sums in data.by_state] == list(InvoiceState)  # every state has a row, even empty


# Aging: due dates are midnight in Stockholm, sent in UTC. Today is 25 Nov 2026 (CET).
# Summer time ended on 25 Oct 2026 at 03:00: midnight 25 Oct is 22:00Z the day before,
# midnight 26 Oct is 23:00Z.
AGING_CASES = [
    ("2026-11-24T23:00:00.000Z", 0, None),  # due 25 Nov: due today, not overdue
    ("2026-11-23T23:00:00.000Z", 1, "1-30"),  # due 24 Nov
    ("2026-10-25T23:00:00.000Z", 30, "1-30"),  # due 26 Oct (CET)
    ("2026-10-24T22:00:00.000Z", 31, "31-60"),  # due 25 Oct (CEST until 03:00)
    ("2026-09-25T22:00:00.000Z", 60, "31-60"),  # due 26 Sep
    ("2026-09-24T22:00:00.000Z", 61, "61-90"),  # due 25 Sep
    ("2026-08-26T22:00:00.000Z", 90, "61-90"),  # due 27 Aug
    ("2026-08-25T22:00:00.000Z", 91, "90+"),  # due 26 Aug
    ("2025-11-24T23:00:00.000Z", 365, "90+"),  # a year
]


@pytest.mark.parametrize(("due", "days", "bucket"), AGING_CASES)
def test_aging_boundaries_in_stockholm_days(due, days, bucket):
    data = compute([inv("1", "1000", dueDate=due)], TODAY)
    counts = {b.key: sums.count for b, sums in data.aging}
    assert counts == {b.key: int(b.key == bucket) for b in AGING_BUCKETS}
    assert [row.days for row in data.overdue_rows] == ([days] if bucket else [])
    assert data.overdue.count == (1 if bucket else 0)


# The start of summer time: 29 Mar 2026 at 02:00. Midnight 29 Mar is CET (23:00Z the
# day before), midnight 30 Mar is CEST (22:00Z the day before). Today: 28 Apr 2026.
SPRING_CASES = [
    ("2026-03-29T22:00:00.000Z", 29, "1-30"),  # due 30 Mar
    ("2026-03-28T23:00:00.000Z", 30, "1-30"),  # due 29 Mar (a UTC reading would say 28 Mar: 31)
    ("2026-03-27T23:00:00.000Z", 31, "31-60"),  # due 28 Mar
]


@pytest.mark.parametrize(("due", "days", "bucket"), SPRING_CASES)
def test_aging_across_the_start_of_summer_time(due, days, bucket):
    data = compute([inv("1", "1000", dueDate=due)], dt.date(2026, 4, 28))
    assert [row.days for row in data.overdue_rows] == [days]
    assert {b.key for b, sums in data.aging if sums.count} == {bucket}


def test_due_date_sent_as_a_bare_date_is_that_day():
    data = compute([inv("1", "1000", dueDate="2026-10-26")], TODAY)
    assert [row.days for row in data.overdue_rows] == [30]


def test_overdue_rows_are_sorted_by_days_overdue_most_first():
    invoices = [
        inv("5", "10", dueDate="2026-11-23T23:00:00.000Z"),  # 1 day
        inv("6", "10", dueDate="2026-08-25T22:00:00.000Z"),  # 91
        inv("7", "10", dueDate="2026-10-24T22:00:00.000Z"),  # 31
        inv("8", "10", dueDate="2026-10-24T22:00:00.000Z"),  # 31
        inv("9", "10"),  # not due
    ]
    data = compute(invoices, TODAY)
    assert [(row.invoice.invoice_number, row.days) for row in data.overdue_rows] == [
        ("6", 91),
        ("7", 31),
        ("8", 31),
        ("5", 1),
    ]


def test_invoiced_per_month_covers_the_last_twelve_months_by_stockholm_day():
    months = last_months(TODAY)
    assert months[0] == dt.date(2025, 12, 1) and months[-1] == dt.date(2026, 11, 1) and len(months) == 12
    invoices = [
        inv("1", "100", invoiceDate="2026-10-31T23:00:00.000Z"),  # 1 Nov in Stockholm, 31 Oct in UTC
        inv("2", "200", invoiceDate="2026-10-31T22:59:00.000Z"),  # 23:59 on 31 Oct in Stockholm
        inv("3", "300", invoiceDate="2025-11-30T23:00:00.000Z"),  # 1 Dec 2025: the first month
        inv("4", "400", invoiceDate="2025-11-30T22:59:00.000Z"),  # 30 Nov 2025: too old
        inv("5", "50", "EUR", invoiceDate="2026-10-31T23:00:00.000Z"),
    ]
    data = compute(invoices, TODAY)
    by_month = {month: sums for month, sums in data.months}
    assert list(by_month) == months
    assert by_month[dt.date(2026, 11, 1)].count == 2
    assert dict(by_month[dt.date(2026, 11, 1)].amounts) == {"SEK": Decimal(100), "EUR": Decimal(50)}
    assert dict(by_month[dt.date(2026, 10, 1)].amounts) == {"SEK": Decimal(200)}
    assert dict(by_month[dt.date(2025, 12, 1)].amounts) == {"SEK": Decimal(300)}
    assert sum(sums.count for sums in by_month.values()) == 4


def test_credit_notes_count_negative_in_their_own_month():
    original = inv("1", "1000", invoiceDate="2026-09-14T22:00:00.000Z", isCredited=True, creditInvoice="inv-2")
    credit = inv("2", "-1000", invoiceDate="2026-10-04T22:00:00.000Z", isCreditInvoice=True, creditForInvoice="inv-1")
    data = compute([original, credit], TODAY)
    by_month = {month: sums for month, sums in data.months}
    assert by_month[dt.date(2026, 9, 1)].in_currency("SEK") == Decimal(1000)
    assert by_month[dt.date(2026, 10, 1)].in_currency("SEK") == Decimal(-1000)
    assert by_month[dt.date(2026, 10, 1)].count == 1
    assert dict(data.by_state)[InvoiceState.CREDIT_NOTE].in_currency("SEK") == Decimal(-1000)
    assert data.total.in_currency("SEK") == 0


def test_drafts_are_left_out_of_invoiced_per_month_but_counted_by_state():
    draft = inv("1", "5000", sentDate=None, invoiceDate="2026-11-19T23:00:00.000Z")
    sent = inv("2", "700", invoiceDate="2026-11-19T23:00:00.000Z")
    data = compute([draft, sent], TODAY)
    november = dict(data.months)[dt.date(2026, 11, 1)]
    assert november.count == 1 and november.in_currency("SEK") == Decimal(700)
    assert dict(data.by_state)[InvoiceState.DRAFT].in_currency("SEK") == Decimal(5000)


def test_voided_invoices_are_left_out_of_invoiced_per_month_and_of_what_is_owed():
    """A voided invoice past its due date: once counted as overdue, now its own state."""
    voided = inv("1", "5000", invoiceStatus=4, invoiceDate="2026-09-30T22:00:00.000Z", dueDate="2026-10-30T23:00:00.000Z")
    eur = inv("2", "300", "EUR", invoiceStatus=4, dueDate="2026-11-10T23:00:00.000Z")
    sent = inv("3", "700", invoiceStatus=2, invoiceDate="2026-09-30T22:00:00.000Z")
    data = compute([voided, eur, sent], TODAY)
    assert dict(dict(data.by_state)[InvoiceState.VOIDED].amounts) == {"SEK": Decimal(5000), "EUR": Decimal(300)}
    assert dict(data.by_state)[InvoiceState.OVERDUE].count == 0
    assert dict(data.outstanding.amounts) == {"SEK": Decimal(700)} and data.overdue.count == 0
    assert not data.overdue_rows and all(sums.count == 0 for _bucket, sums in data.aging)
    october = dict(data.months)[dt.date(2026, 10, 1)]
    assert october.count == 1 and dict(october.amounts) == {"SEK": Decimal(700)}


def test_overdue_by_age_counts_overdue_part_paid_invoices_that_by_state_does_not():
    payments = [{"_id": "p1", "paymentDate": "2026-11-02T23:00:00.000Z", "amount": 250}]
    late = "2026-11-14T23:00:00.000Z"
    data = compute(
        [
            inv("1", "1000", dueDate=late, partiallyPaid=True, partialPayments=payments),
            inv("2", "400", dueDate=late),
            inv("3", "90", "EUR", dueDate=late, partiallyPaid=True, partialPayments=[{"amount": 40}]),
        ],
        TODAY,
    )
    assert dict(data.by_state)[InvoiceState.OVERDUE].count == 1
    assert data.overdue.count == 3
    assert data.overdue_part_paid.count == 2
    assert data.overdue_part_paid.per_currency() == [("SEK", Decimal(750)), ("EUR", Decimal(50))]


def test_top_ten_customers_by_outstanding_per_currency():
    invoices = [
        inv(str(n), str(n * 100), customer=f"c{n:02}", customerName=f"Kund {n:02}", customerNumber=str(n))
        for n in range(1, 13)
    ]
    invoices += [
        # Two invoices of one customer add up (1300, more than anyone else).
        inv("20", "650", customer="c20", customerName="Östra Bygg"),
        inv("21", "650", customer="c20", customerName="Östra Bygg"),
        # A tie at 500 with "Kund 05": ordered by name.
        inv("22", "500", customer="c22", customerName="Alfa AB"),
        # Paid invoices owe nothing, however large.
        inv("23", "99999", customer="c23", customerName="Betalt AB", paymentDate="2026-11-01T23:00:00.000Z"),
        # Euro customers have their own list.
        inv("24", "99", "EUR", customer="c24", customerName="Nordsjø ApS"),
    ]
    data = compute(invoices, TODAY)
    sek = data.top_customers["SEK"]
    assert [(name, value) for _key, name, value in sek] == [
        ("Östra Bygg", Decimal(1300)),
        ("Kund 12", Decimal(1200)),
        ("Kund 11", Decimal(1100)),
        ("Kund 10", Decimal(1000)),
        ("Kund 09", Decimal(900)),
        ("Kund 08", Decimal(800)),
        ("Kund 07", Decimal(700)),
        ("Kund 06", Decimal(600)),
        ("Alfa AB", Decimal(500)),
        ("Kund 05", Decimal(500)),
    ]
    assert sek[0][0] == "c20"
    assert data.top_customers["EUR"] == [("c24", "Nordsjø ApS", Decimal(99))]


def test_top_customers_without_customer_id_are_grouped_by_number():
    data = compute(
        [
            inv("1", "100", customer=None, customerNumber="777", customerName="Utan Id AB"),
            inv("2", "200", customer=None, customerNumber="777", customerName="Utan Id AB"),
        ],
        TODAY,
    )
    assert data.top_customers["SEK"] == [("number:777", "Utan Id AB", Decimal(300))]


# =====================================================================================
# The local copy
# =====================================================================================


@pytest.fixture
def local_copy(db):
    """Make the local copy from the given documents (no API calls)."""

    def make(docs, *, complete=True, calls=11):
        return make_invoice_copy(docs, complete=complete, calls=calls)

    return make


def sync_invoices_run() -> SyncRun:
    """A full sweep of the invoices through the engine: its run (calls, error)."""
    return engine.sync(full=True, entities=["invoices"])


def copied_ids() -> set[str]:
    return set(SyncedRecord.objects.filter(entity="invoices", gone_at__isnull=True).values_list("record_id", flat=True))


@pytest.fixture
def sandbox_copy(db, settings):
    """The complete copy of the sandbox's invoices (some 70 calls, in-process)."""
    assert not settings.SEVENTIME_API_URL
    return invoice_sync.sync_invoices()


def numbered_api(mock, docs, *, match="substring", limit=100, fail=None, log=None):
    """`responses` answering GET invoices like the API: filtered by invoiceNumber, capped."""

    def answer(request):
        wanted = query_of(request.url).get("invoiceNumber")
        if log is not None:
            log.append(wanted)
        if fail is not None and fail(wanted):
            return 500, {}, json.dumps({"errorMessage": "Internal error"})
        if wanted is None:
            # Like the API, newest first when asked (the docs are in order of creation).
            newest_first = query_of(request.url).get("sortDirection") == "descending"
            found = docs[::-1] if newest_first else docs
        elif match == "substring":
            found = [d for d in docs if wanted in (d.get("invoiceNumber") or "")]
        elif match == "prefix":
            found = [d for d in docs if (d.get("invoiceNumber") or "").startswith(wanted)]
        elif match == "exact":
            found = [d for d in docs if d.get("invoiceNumber") == wanted]
        else:  # the filter is ignored
            found = docs
        return 200, {"Content-Type": "application/json"}, json.dumps(found[:limit])

    mock.add_callback(responses.GET, API + "invoices", callback=answer)
    mock.get(API + "invoiceTags", json=[])


def many_invoices(count=250, start=50000, drafts=0, drafts_first=True) -> list[dict]:
    """`count` numbered invoices and `drafts` without a number, first or last in the
    API's order (the order of creation)."""
    docs = [doc(str(start + n), "100", _id=f"inv-{n}") for n in range(count)]
    numberless = [doc("", "100", _id=f"draft-{n}", invoiceNumber=None, sentDate=None) for n in range(drafts)]
    return numberless + docs if drafts_first else docs + numberless


@pytest.mark.parametrize("match", ["substring", "prefix"])
def test_sync_refines_queries_until_every_invoice_is_found(db, api, match):
    docs = many_invoices()  # 250 numbers that all contain (and start with) "50"
    log = []
    numbered_api(api, docs, match=match, log=log)
    run = sync_invoices_run()
    status = invoice_status()
    assert status.complete and run.error == "" and run.complete
    assert status.count == len(docs) == 250
    assert copied_ids() == {d["_id"] for d in docs}
    assert run.api_calls == len(log) > 10
    assert None in log and "5" in log and "50" in log and "500" in log  # refined digit by digit
    assert invoice_sync.latest_sync().invoice_count == 250
    assert sorted(i.id for i in invoice_sync.synced_invoices()) == sorted(d["_id"] for d in docs)


def test_sync_copies_numberless_drafts_of_the_unfiltered_answer(db, api):
    docs = many_invoices(count=50, drafts=3)
    numbered_api(api, docs)
    run = invoice_sync.sync_invoices()
    assert run.complete and run.invoice_count == 53
    assert {"draft-0", "draft-1", "draft-2"} <= copied_ids()


def test_capped_unfiltered_answer_with_numberless_drafts_is_not_called_complete(db, api):
    # The drafts found are copied, but more may lie beyond the cap of the unfiltered call.
    docs = many_invoices(count=250, drafts=3, drafts_first=True)
    numbered_api(api, docs)
    run = invoice_sync.sync_invoices()
    assert run.invoice_count == 253
    assert not run.complete


def test_sync_marks_invoices_no_longer_listed_as_gone(db, api):
    docs = many_invoices(count=5, drafts=0)
    numbered_api(api, docs)
    first = invoice_sync.sync_invoices()
    assert first.invoice_count == 5
    api.reset()
    numbered_api(api, docs[:3])
    second = invoice_sync.sync_invoices()
    assert second.invoice_count == 3
    assert copied_ids() == {d["_id"] for d in docs[:3]}
    gone = SyncedRecord.objects.filter(entity="invoices", gone_at__isnull=False)
    assert set(gone.values_list("record_id", flat=True)) == {d["_id"] for d in docs[3:]}
    assert len(invoice_sync.synced_invoices()) == 3


def test_a_malformed_invoice_fails_the_sync_and_the_last_good_copy_stays(db, api):
    docs = many_invoices(count=5, drafts=0)
    numbered_api(api, docs)
    before = invoice_sync.sync_invoices()
    api.reset()
    broken = [dict(d) for d in docs]
    broken[2]["dueDate"] = "the fifth of never"
    numbered_api(api, broken)

    with pytest.raises(BadResponse, match="'dueDate'"):
        invoice_sync.sync_invoices()

    assert invoice_sync.latest_sync() == before
    assert SyncedRecord.objects.get(record_id="inv-2").data["dueDate"] == docs[2]["dueDate"]
    assert len(invoice_sync.synced_invoices()) == 5
    assert "dueDate" in invoice_status().last_error


def test_sync_does_not_claim_completeness_when_numberless_invoices_may_be_missed(db, api):
    docs = many_invoices(count=250, drafts=3, drafts_first=False)  # the newest are drafts
    numbered_api(api, docs)
    run = invoice_sync.sync_invoices()
    assert run.invoice_count == 253 or not run.complete


def test_sync_does_not_claim_completeness_when_the_number_filter_matches_exactly(db, api):
    docs = many_invoices(count=150, drafts=0)
    numbered_api(api, docs, match="exact")
    run = invoice_sync.sync_invoices()
    assert run.invoice_count == 150 or not run.complete


class RunawaySearch(Exception):
    pass


def test_sync_stops_when_refining_does_not_narrow_the_answer(db, api):
    """An API that ignores the filter answers every query alike: adding digits would go on
    for 10**12 calls. (The stub gives up after 400 calls so that a regression ends.)"""
    docs = many_invoices(count=150, drafts=0)
    log = []

    def give_up(_wanted):
        if len(log) > 400:
            raise RunawaySearch(f"{len(log)} API calls and still refining")
        return False

    numbered_api(api, docs, match="ignored", fail=give_up, log=log)
    run = sync_invoices_run()
    status = invoice_status()
    assert not status.complete and "ignores" in status.incomplete_reason
    assert run.api_calls == len(log) <= 400
    assert status.count == 150  # what the unfiltered calls (oldest and newest 100) saw


# =====================================================================================
# The completeness test: the page's figures against the sandbox's own data
# =====================================================================================


def raw_state(d: dict, today: dt.date) -> str:
    """docs/invoice-states.md, on the raw document (Seven Time's codes: 1 Draft, 2 Sent,
    3 Paid, 4 Obliterated)."""
    status = d.get("invoiceStatus")
    if status == 4:
        return "voided"
    if d.get("isCreditInvoice"):
        return "credit_note"
    if d.get("isCredited") or d.get("creditInvoice"):
        return "credited"
    if d.get("archived"):
        return "archived"
    if d.get("paymentDate") or status == 3:
        return "paid"
    if not d.get("sentDate") and status != 2:
        return "draft"
    if d.get("partiallyPaid") or d.get("partialPayments"):
        return "partially_paid"
    due = stockholm_day(d.get("dueDate"))
    if due is not None and due < today:
        return "overdue"
    return "sent"


def bucket_of(days: int) -> str:
    return "1-30" if days <= 30 else "31-60" if days <= 60 else "61-90" if days <= 90 else "90+"


def expected_figures(docs: list[dict], today: dt.date) -> dict:
    zero = lambda: defaultdict(Decimal)  # noqa: E731
    states = defaultdict(lambda: [0, zero()])
    buckets = defaultdict(lambda: [0, zero()])
    total, outstanding, overdue = [0, zero()], zero(), zero()
    overdue_count = 0
    months = defaultdict(lambda: [0, zero()])
    customers = defaultdict(zero)
    names = {}
    overdue_rows = []
    year, month = (today.year, today.month - 11) if today.month == 12 else (today.year - 1, today.month + 1)
    first_month = dt.date(year, month, 1)  # the 12th month back, counting this one
    for d in docs:
        code = (d.get("currencyCode") or "SEK").upper()
        amount = Decimal(str(d.get("totalAmountInclTax") or 0))
        state = raw_state(d, today)
        states[state][0] += 1
        states[state][1][code] += amount
        total[0] += 1
        total[1][code] += amount
        if state in ("sent", "overdue", "partially_paid"):
            paid = sum((Decimal(str(p.get("amount") or 0)) for p in d.get("partialPayments") or []), Decimal(0))
            left = amount - paid
            outstanding[code] += left
            customers[code][d["customer"]] += left
            names[d["customer"]] = d["customerName"]
            due = stockholm_day(d.get("dueDate"))
            if due is not None and due < today:
                days = (today - due).days
                overdue_count += 1
                overdue[code] += left
                buckets[bucket_of(days)][0] += 1
                buckets[bucket_of(days)][1][code] += left
                overdue_rows.append((days, d["invoiceNumber"], left))
        if state not in ("draft", "voided"):
            day = stockholm_day(d.get("invoiceDate"))
            if day is not None and first_month <= day:
                key = f"{day:%Y-%m}"
                months[key][0] += 1
                months[key][1][code] += amount
    top = {
        code: sorted(((names[c], v) for c, v in values.items()), key=lambda item: (-item[1], item[0]))[:10]
        for code, values in customers.items()
    }
    return {
        "states": states,
        "total": total,
        "outstanding": outstanding,
        "overdue": overdue,
        "overdue_count": overdue_count,
        "buckets": buckets,
        "months": months,
        "top": top,
        "overdue_rows": sorted(overdue_rows, key=lambda row: (-row[0], row[1])),
    }


def test_overview_figures_equal_totals_computed_from_the_sandbox(manager_client, settings):
    assert not settings.SEVENTIME_API_URL  # the in-process sandbox
    run = sync_invoices_run()  # the real enumeration
    raw = store.all("invoices")
    assert len(raw) == 600
    assert run.complete is True and run.error == ""
    assert invoice_status().count == 600 and SyncedRecord.objects.filter(entity="invoices").count() == 600
    assert copied_ids() == {d["_id"] for d in raw}
    assert run.api_calls > 10  # 600 numbers that all contain "24": refined beyond the ten digits

    today = local_today()
    response = manager_client.get("/overview/")
    assert response.status_code == 200
    dom = parse(response)
    expected = expected_figures(raw, today)
    codes = sorted(expected["total"][1], key=lambda c: (c != "SEK", c))
    assert codes == ["SEK", "EUR"]

    assert re.search(r"\bcover all 600 invoices\b", coverage(dom)), coverage(dom)
    assert "match the filters" not in coverage(dom)

    # By state: counts and amounts per currency, and the total row.
    shown = by_state(dom)
    assert set(shown) == {s.value for s in InvoiceState}
    for state, (count, amounts, _cell) in shown.items():
        want_count, want_amounts = expected["states"].get(state, [0, {}])
        assert count == want_count, state
        assert amounts == {c: cents(want_amounts.get(c, Decimal(0))) for c in codes}, state
    assert sum(count for count, _a, _c in shown.values()) == 600
    foot = rows_of(section(dom, "By state").find("table"), "tfoot")[0]
    assert int(foot[1].text()) == 600
    assert [money(c.text()) for c in foot[2:]] == [cents(expected["total"][1][c]) for c in codes]

    # The key figure cards.
    shown_cards = cards(dom)
    assert list(shown_cards) == codes
    for code in codes:
        card = shown_cards[code]
        assert money(card["Outstanding"].text()) == cents(expected["outstanding"][code]), code
        assert money(card["Overdue"].text()) == cents(expected["overdue"][code]), code
        assert money(card["All invoices in scope"].text()) == cents(expected["total"][1][code]), code
        assert card["Outstanding"].text().endswith(code)

    # Aging.
    shown_aging = aging(dom)
    assert list(shown_aging) == ["1-30", "31-60", "61-90", "90+"]
    for key, (count, amounts, _href) in shown_aging.items():
        want_count, want_amounts = expected["buckets"].get(key, [0, {}])
        assert count == want_count, key
        assert amounts == {c: cents(want_amounts.get(c, Decimal(0))) for c in codes}, key
    assert sum(count for count, _a, _h in shown_aging.values()) == expected["overdue_count"]
    aging_foot = rows_of(section(dom, "Overdue by age").find("table"), "tfoot")[0]
    assert int(aging_foot[1].text()) == expected["overdue_count"]
    # The demo data puts two invoices on each of the days 1, 30, 31, 60, 61, 90, 91: they
    # must be in the buckets the days say (the plan was made for the UTC date).
    assert expected["overdue_count"] >= 68

    # Invoiced per month (the chart's accessible table).
    month_table = next(t for t in dom.find_all("table") if t.find("caption") is not None)
    assert month_table.find("caption").text() == "The same figures as a table"
    month_rows = rows_of(month_table)
    assert len(month_rows) == 12
    assert month_rows[-1][0].text() == f"{today:%Y-%m}"
    for cells in month_rows:
        want_count, want_amounts = expected["months"].get(cells[0].text(), [0, {}])
        assert int(cells[1].text()) == want_count, cells[0].text()
        assert [money(c.text()) for c in cells[2:]] == [cents(want_amounts.get(c, Decimal(0))) for c in codes]

    # Outstanding by customer, top 10, per currency.
    top_section = section(dom, "Outstanding by customer, top 10")
    for figure in top_section.find_all("figure"):
        code = figure.find("figcaption").text()
        shown_top = [(cells[0].text(), money(cells[1].text())) for cells in rows_of(figure.find("table"))]
        assert shown_top == [(name, cents(value)) for name, value in expected["top"][code]], code

    # The overdue list: one row per overdue invoice, most days first.
    overdue_table = dom.find("section", id="overdue").find("table")
    listed = [(int(cells[5].text()), cells[0].text(), money(cells[3].text())) for cells in rows_of(overdue_table)]
    assert [(days, number) for days, number, _left in listed] == [
        (days, number) for days, number, _left in expected["overdue_rows"]
    ]
    assert [left for _d, _n, left in listed] == [cents(left) for _d, _n, left in expected["overdue_rows"]]


@pytest.mark.parametrize(
    "narrow",
    [
        {"customer": "bergs"},
        {"customer": "1181"},
        {"result_unit": "Service Väst"},
        {"tag": "Påminnelse skickad"},
        {"result_unit": "Kontor Syd", "tag": "Avbetalningsplan"},
    ],
)
def test_filtered_figures_equal_totals_of_the_matching_sandbox_invoices(manager_client, sandbox_copy, narrow):
    tags = tag_ids()
    params = {key: tags[value] if key == "tag" else value for key, value in narrow.items()}

    def matches(d):
        who = f"{d.get('customerName')} {d.get('customerNumber')}".casefold()
        return (
            ("customer" not in params or params["customer"].casefold() in who)
            and ("result_unit" not in params or d.get("resultUnitName") == params["result_unit"])
            and ("tag" not in params or params["tag"] in (d.get("tags") or []))
        )

    raw = [d for d in store.all("invoices") if matches(d)]
    assert 0 < len(raw) < 600
    expected = expected_figures(raw, local_today())
    dom = overview_of(manager_client, **params)
    assert f"{len(raw)} of them match" in coverage(dom) or f"{len(raw)} of them matches" in coverage(dom)
    shown = by_state(dom)
    for state, (count, amounts, _cell) in shown.items():
        want_count, want_amounts = expected["states"].get(state, [0, {}])
        assert count == want_count, state
        assert all(amounts[c] == cents(want_amounts.get(c, Decimal(0))) for c in amounts), state
    for code, card in cards(dom).items():
        assert money(card["Outstanding"].text()) == cents(expected["outstanding"].get(code, Decimal(0)))
        assert money(card["Overdue"].text()) == cents(expected["overdue"].get(code, Decimal(0)))
    for key, (count, _amounts, _href) in aging(dom).items():
        assert count == expected["buckets"].get(key, [0])[0], key


def test_overview_has_the_worker_make_the_copy_when_there_is_none(manager_client, api):
    from huey.contrib.djhuey import HUEY

    log = []
    numbered_api(api, [doc("1", _id="i1")], log=log)
    assert invoice_sync.latest_sync() is None
    response = manager_client.get("/overview/")
    page = response.content.decode()
    # Asked of the worker, not made in the request: the page says so and reloads.
    assert response.status_code == 200 and not log
    assert "The invoices are being copied" in page and '<meta http-equiv="refresh" content="5">' in page
    assert HUEY.pending_count() == 1
    manager_client.get("/overview/")
    assert HUEY.pending_count() == 1  # asked once, not again on every reload

    run_queued_tasks()
    response = manager_client.get("/overview/")
    assert "cover the 1 invoice in Seven Time" in coverage(parse(response))
    calls = len(log)
    manager_client.get("/overview/")
    assert len(log) == calls and HUEY.pending_count() == 0  # the copy is reused, not made again on every page


def test_the_being_copied_page_shows_how_far_the_worker_is(manager_client, db):
    from dashboard.fetch import account_key

    SyncRun.objects.create(
        account=account_key(), kind="full", started_at=timezone.now(),
        progress={"invoices": {"done": 200, "total": 600, "calls": 20, "state": "running"}},
    )
    page = manager_client.get("/overview/").content.decode()
    assert "The invoices are being copied" in page
    assert '<progress value="200" max="600"' in page and "200 of 600 invoices" in page


def test_coverage_says_when_the_copy_could_not_be_proven_complete(manager_client, local_copy):
    local_copy([doc("1"), doc("2")], complete=False)
    text = coverage(parse(manager_client.get("/overview/")))
    assert "all 2 invoices" in text
    assert "could not be proven complete" in text


def test_coverage_names_the_time_of_the_copy(manager_client, local_copy):
    run = local_copy([doc("1")])
    stamp = timezone.localtime(run.finished_at).strftime("%Y-%m-%d %H:%M")
    assert stamp in coverage(parse(manager_client.get("/overview/")))


# =====================================================================================
# Syncing from the page
# =====================================================================================


def test_sync_now_hands_the_copy_to_the_worker_and_returns_at_once(manager_client, db, api):
    log = []
    numbered_api(api, many_invoices(count=120, drafts=0), log=log)
    response = manager_client.post("/overview/sync/", {"next": "/overview/"})
    assert response.status_code == 302 and response["Location"] == "/overview/"
    assert not log  # nothing fetched in the request
    response = manager_client.get("/overview/")
    assert "Every invoice is being fetched from Seven Time again, in the background." in response.content.decode()
    run_queued_tasks()
    assert log and "all 120 invoices" in coverage(parse(manager_client.get("/overview/")))


def test_failing_api_during_sync_keeps_the_previous_copy_and_says_so(manager_client, db, api):
    docs = many_invoices(count=150, drafts=0)
    broken = {"on": False}
    # Fails once the search is refined: the first round's answers must not be half-saved.
    numbered_api(api, docs, fail=lambda wanted: broken["on"] and wanted is not None and len(wanted) >= 2)
    before = invoice_sync.sync_invoices()
    assert before.invoice_count == 150

    broken["on"] = True
    manager_client.post("/overview/sync/", {"next": "/overview/"})
    run_queued_tasks()  # the worker's sweep fails
    response = manager_client.get("/overview/")
    assert "all 150 invoices" in coverage(parse(response))
    # The Sync page lists the failure.
    sync_page = manager_client.get("/sync/").content.decode()
    assert "invoices: ServerError" in sync_page
    assert len(copied_ids()) == 150
    after = invoice_sync.latest_sync()
    assert (after.invoice_count, after.complete) == (before.invoice_count, before.complete) == (150, True)
    failed = SyncRun.objects.latest("started_at")
    assert failed.error.startswith("invoices: ServerError") and failed.finished_at is not None
    assert invoice_status().last_error.startswith("ServerError") and invoice_status().last_error_at


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/overview/", "http://evil.example", "javascript:alert(1)"]
)
def test_sync_refuses_an_external_next_and_returns_to_the_overview(manager_client, local_copy, target):
    local_copy([doc("1")])
    response = manager_client.post("/overview/sync/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/overview/"


def test_sync_returns_to_the_filtered_overview_it_came_from(manager_client, local_copy):
    local_copy([doc("1")])
    response = manager_client.post("/overview/sync/", {"next": "/overview/?customer=berg"})
    assert response["Location"] == "/overview/?customer=berg"


def test_sync_without_next_returns_to_the_overview(manager_client, local_copy):
    local_copy([doc("1")])
    assert manager_client.post("/overview/sync/")["Location"] == "/overview/"


def test_sync_only_accepts_post(manager_client, local_copy):
    assert manager_client.get("/overview/sync/").status_code == 405


def test_sync_form_on_the_page_posts_with_csrf_and_comes_back_to_the_same_filters(manager_client, local_copy):
    local_copy([doc("1")])
    dom = parse(manager_client.get("/overview/?customer=berg"))
    form = dom.find("form", cls="sync-form")
    assert form.attrs["method"] == "post" and form.attrs["action"] == "/overview/sync/"
    assert form.find("input", name="csrfmiddlewaretoken") is not None
    assert form.find("input", name="next").attrs["value"] == "/overview/?customer=berg"


# =====================================================================================
# Filters, drill-down lists and links (a small hand-made copy)
# =====================================================================================


def tag_ids() -> dict[str, str]:
    return {t["tagName"]: t["_id"] for t in store.all("invoiceTags")}


def scenario() -> list[dict]:
    """A dozen invoices relative to today in Stockholm."""
    t = local_today()
    tags = tag_ids()

    def ago(days):
        return midnight(t - dt.timedelta(days=days))

    åkesson = {"customer": "cust-a", "customerName": "Åkesson Bygg AB", "customerNumber": "501"}
    bergström = {"customer": "cust-b", "customerName": "Bergström Måleri", "customerNumber": "502"}
    nordsjø = {"customer": "cust-c", "customerName": "Nordsjø Byg ApS", "customerNumber": "503"}
    lindqvist = {"customer": "cust-d", "customerName": "Lindqvist El", "customerNumber": "504"}
    north = {"resultUnit": "ru-n", "resultUnitName": "Kontor Nord"}
    south = {"resultUnit": "ru-s", "resultUnitName": "Kontor Syd"}
    solros = {"project": "proj-1", "projectName": "Solrosen etapp 2"}
    sippan = {"project": "proj-2", "projectName": "Blåsippan"}
    return [
        # number, amount, currency, ...: overdue 10 days
        doc("1001", "1000", invoiceDate=ago(40), dueDate=ago(10), customerEmail="ekonomi@akesson.test",
            reminderDate=ago(3), tags=[tags["Påminnelse skickad"]], **åkesson, **north, **solros),
        doc("1002", "2000", invoiceDate=ago(75), dueDate=ago(45), **bergström, **south, **sippan),
        doc("1003", "300", "EUR", invoiceDate=ago(130), dueDate=ago(100), tags=[tags["Inkasso"]], **nordsjø),
        doc("1004", "500", invoiceDate=ago(100), dueDate=ago(70), partiallyPaid=True,
            partialPayments=[{"_id": "p", "paymentDate": ago(80), "amount": 200}], **åkesson, **north),
        doc("1005", "800", invoiceDate=ago(20), dueDate=ago(-10), **bergström, **south, **sippan),
        doc("1006", "700", invoiceDate=ago(50), dueDate=ago(20), paymentDate=ago(25), **åkesson, **north),
        doc("1007", "400", invoiceDate=ago(2), dueDate=ago(-28), sentDate=None, **nordsjø),
        doc("1008", "600", invoiceDate=ago(60), dueDate=ago(30), isCredited=True, creditInvoice="inv-1009",
            **bergström, **south),
        doc("1009", "-600", invoiceDate=ago(55), dueDate=ago(25), isCreditInvoice=True, **bergström, **south),
        doc("1010", "900", invoiceDate=ago(200), dueDate=ago(170), paymentDate=ago(160), archived=True, **lindqvist),
        doc("1011", "1500", invoiceDate=ago(61), dueDate=ago(31), **lindqvist, **north),
        doc("1012", "1200", invoiceDate=ago(60), dueDate=ago(30), **lindqvist, **north),
    ]  # fmt: skip


@pytest.fixture
def scenario_copy(local_copy):
    return local_copy(scenario())


def overview_of(client, **params):
    response = client.get("/overview/", params)
    assert response.status_code == 200
    return parse(response)


def test_scenario_figures(manager_client, scenario_copy):
    dom = overview_of(manager_client)
    assert "all 12 invoices" in coverage(dom)
    states = {state: (count, amounts) for state, (count, amounts, _c) in by_state(dom).items()}
    assert states["overdue"] == (5, {"SEK": Decimal(5700), "EUR": Decimal(300)})  # 1001, 1002, 1011, 1012; 1003
    assert states["partially_paid"] == (1, {"SEK": Decimal(500), "EUR": Decimal(0)})
    assert states["sent"] == (1, {"SEK": Decimal(800), "EUR": Decimal(0)})
    assert states["draft"][0] == states["paid"][0] == states["archived"][0] == 1
    assert states["credited"][0] == states["credit_note"][0] == 1
    assert states["credit_note"][1]["SEK"] == Decimal(-600)
    figures = cards(dom)
    assert money(figures["SEK"]["Outstanding"].text()) == Decimal(800 + 1000 + 2000 + 300 + 1500 + 1200)
    assert money(figures["SEK"]["Overdue"].text()) == Decimal(1000 + 2000 + 300 + 1500 + 1200)
    assert money(figures["EUR"]["Overdue"].text()) == Decimal(300)
    buckets = aging(dom)
    assert {key: count for key, (count, _a, _h) in buckets.items()} == {"1-30": 2, "31-60": 2, "61-90": 1, "90+": 1}
    assert buckets["61-90"][1] == {"SEK": Decimal(300), "EUR": Decimal(0)}  # 500 less the 200 paid


def test_overdue_list_shows_invoice_customer_email_amount_due_days_and_reminder(manager_client, scenario_copy):
    dom = overview_of(manager_client)
    table = dom.find("section", id="overdue").find("table")
    headers = [cell.text() for cell in rows_of(table, "thead")[0]]
    assert headers == ["Invoice", "Customer", "E-mail", "Outstanding", "Due date", "Days overdue", "Reminder"]
    rows = rows_of(table)
    assert [cells[0].text() for cells in rows] == ["1003", "1004", "1002", "1011", "1012", "1001"]
    assert [int(cells[5].text()) for cells in rows] == [100, 70, 45, 31, 30, 10]
    first = rows[-1]  # 1001
    assert first[0].find("a").attrs["href"] == "/invoices/inv-1001/"
    assert first[1].find("a").attrs["href"] == "/customers/cust-a/"
    assert first[1].text() == "Åkesson Bygg AB"
    assert first[2].find("a").attrs["href"] == "mailto:ekonomi@akesson.test"
    assert money(first[3].text()) == Decimal(1000)
    t = local_today()
    assert first[4].text() == f"{t - dt.timedelta(days=10):%Y-%m-%d}"
    assert first[6].text() == f"{t - dt.timedelta(days=3):%Y-%m-%d}"
    assert money(rows[1][3].text()) == Decimal(300)  # partially paid: what is left
    assert rows[0][3].text().endswith("EUR")


@pytest.mark.parametrize(
    ("params", "numbers"),
    [
        ({"customer": "åkesson"}, {"1001", "1004", "1006"}),
        ({"customer": "ÅKESSON BYGG"}, {"1001", "1004", "1006"}),
        ({"customer": "502"}, {"1002", "1005", "1008", "1009"}),
        ({"customer_id": "cust-c"}, {"1003", "1007"}),
        ({"project": "solros"}, {"1001"}),
        ({"project": "Blåsippan"}, {"1002", "1005"}),
        ({"result_unit": "Kontor Syd"}, {"1002", "1005", "1008", "1009"}),
        ({"customer": "lindqvist", "result_unit": "Kontor Nord"}, {"1011", "1012"}),
    ],
)
def test_filters_narrow_every_figure(manager_client, scenario_copy, params, numbers):
    dom = overview_of(manager_client, **params)
    assert state_total(dom) == len(numbers)
    assert f"{len(numbers)} of them match" in coverage(dom) or f"{len(numbers)} of them matches" in coverage(dom)
    assert "all 12 invoices" in coverage(dom)
    # The drill-down list of the same filters lists exactly these invoices.
    listed = listed_numbers(manager_client.get("/overview/invoices/", params))
    assert set(listed) == numbers


def test_tag_filter(manager_client, scenario_copy):
    tag = tag_ids()["Inkasso"]
    dom = overview_of(manager_client, tag=tag)
    assert state_total(dom) == 1
    assert set(cards(dom)) == {"EUR"}
    assert dom.find("select", id="id_tag").find("option", value=tag).attrs.keys() >= {"selected"}


def test_period_filter_is_on_the_invoice_date(manager_client, scenario_copy):
    t = local_today()
    params = {"date_from": f"{t - dt.timedelta(days=61):%Y-%m-%d}", "date_to": f"{t - dt.timedelta(days=40):%Y-%m-%d}"}
    dom = overview_of(manager_client, **params)
    # 1001 (40 days ago), 1006 (50), 1009 (55), 1008 (60), 1012 (60), 1011 (61): both ends included.
    assert state_total(dom) == 6
    assert set(listed_numbers(manager_client.get("/overview/invoices/", params))) == {
        "1001", "1006", "1008", "1009", "1011", "1012",
    }  # fmt: skip


def test_filters_are_shown_in_the_form(manager_client, scenario_copy):
    dom = overview_of(manager_client, customer="åkesson", project="solros", result_unit="Kontor Nord")
    assert dom.find("input", id="id_customer").attrs["value"] == "åkesson"
    assert dom.find("input", id="id_project").attrs["value"] == "solros"
    assert dom.find("select", id="id_result_unit").find("option", value="Kontor Nord").attrs.keys() >= {"selected"}
    form = dom.find("form", id="filters")
    assert form.attrs["method"] == "get" and form.attrs["hx-push-url"] == "true"


def test_result_unit_choices_come_from_the_copy(manager_client, scenario_copy):
    dom = overview_of(manager_client)
    options = [o.attrs["value"] for o in dom.find("select", id="id_result_unit").find_all("option")]
    assert options == ["", "Kontor Nord", "Kontor Syd"]


def test_filter_that_matches_nothing_says_so(manager_client, scenario_copy):
    dom = overview_of(manager_client, customer="finns inte")
    assert "No invoices match these filters." in dom.find("section", cls="cards").text()
    assert "0 of them match the filters" in coverage(dom)


@pytest.mark.parametrize(
    "params",
    [{"date_from": "2026-12-01", "date_to": "2026-01-01"}],
)
def test_period_ending_before_it_starts_shows_an_error(manager_client, scenario_copy, params):
    response = manager_client.get("/overview/", params)
    assert response.status_code == 200
    dom = parse(response)
    alert = dom.find("div", cls="form-errors")
    assert alert is not None and alert.attrs["role"] == "alert"
    assert "The end of the period is before its start." in alert.text()
    # And in the htmx partial that live filtering swaps in.
    partial = parse(manager_client.get("/overview/", params, headers=HTMX))
    assert "The end of the period is before its start." in partial.find("div", cls="form-errors").text()


def test_malformed_date_shows_an_error(manager_client, scenario_copy):
    dom = overview_of(manager_client, date_from="2026-13-45")
    assert "Enter a valid date." in dom.find("div", cls="form-errors").text()
    assert state_total(dom) == 12  # the bad filter is not applied


def test_htmx_request_gets_only_the_results_partial(manager_client, scenario_copy):
    response = manager_client.get("/overview/", {"customer": "åkesson"}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="filters"' not in body and "sync-form" not in body
    assert 'class="coverage"' in body and "Overdue by age" in body
    assert "HX-Request" in response["Vary"]
    dom = parse(response)
    assert state_total(dom) == 3


def test_full_page_also_varies_on_hx_request(manager_client, scenario_copy):
    response = manager_client.get("/overview/")
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]
    response = manager_client.get("/overview/invoices/?bucket=1-30", headers=HTMX)
    assert "<html" not in response.content.decode() and "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(manager_client, scenario_copy):
    response = manager_client.get(
        "/overview/", {"customer": "x"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("bucket", "numbers"),
    [("1-30", ["1012", "1001"]), ("31-60", ["1002", "1011"]), ("61-90", ["1004"]), ("90+", ["1003"])],
)
def test_bucket_drill_down_lists_exactly_the_invoices_of_that_age(manager_client, scenario_copy, bucket, numbers):
    response = manager_client.get("/overview/invoices/", {"bucket": bucket})
    assert response.status_code == 200
    assert listed_numbers(response) == numbers  # most days overdue first
    assert parse(response).find("h1").text().startswith("Overdue")


@pytest.mark.parametrize(
    ("state", "numbers"),
    [
        ("overdue", {"1001", "1002", "1003", "1011", "1012"}),
        ("partially_paid", {"1004"}),
        ("sent", {"1005"}),
        ("paid", {"1006"}),
        ("draft", {"1007"}),
        ("credited", {"1008"}),
        ("credit_note", {"1009"}),
        ("archived", {"1010"}),
    ],
)
def test_state_drill_down(manager_client, scenario_copy, state, numbers):
    response = manager_client.get("/overview/invoices/", {"state": state})
    assert set(listed_numbers(response)) == numbers
    assert parse(response).find("h1").text() == InvoiceState(state).label


def test_outstanding_and_currency_drill_down(manager_client, scenario_copy):
    response = manager_client.get("/overview/invoices/", {"outstanding": "1", "currency": "EUR"})
    assert listed_numbers(response) == ["1003"]
    response = manager_client.get("/overview/invoices/", {"outstanding": "1", "currency": "SEK"})
    assert set(listed_numbers(response)) == {"1001", "1002", "1004", "1005", "1011", "1012"}


def test_aging_and_state_links_lead_to_the_lists_and_keep_the_filters(manager_client, scenario_copy):
    filters = {"customer": "åkesson", "result_unit": "Kontor Nord"}
    dom = overview_of(manager_client, **filters)
    for key, (count, _amounts, href) in aging(dom).items():
        assert urlsplit(href).path == "/overview/invoices/"
        assert query_of(href) == {**filters, "bucket": key}
        assert len(listed_numbers(manager_client.get(href))) == count, key
    for state, (count, _amounts, cell) in by_state(dom).items():
        link = cell.find("a")
        if not count:
            assert link is None
            continue
        assert urlsplit(link.attrs["href"]).path == "/overview/invoices/"
        assert query_of(link.attrs["href"]) == {**filters, "state": state}
        assert len(listed_numbers(manager_client.get(link.attrs["href"]))) == count, state


def test_bucket_list_keeps_its_bucket_when_filtered_and_links_back(manager_client, scenario_copy):
    response = manager_client.get("/overview/invoices/", {"bucket": "1-30", "customer": "lindqvist"})
    assert listed_numbers(response) == ["1012"]
    dom = parse(response)
    form = dom.find("form", id="filters")
    assert form.find("input", name="bucket").attrs["value"] == "1-30"
    back = dom.find("nav", cls="breadcrumb").find("a").attrs["href"]
    assert urlsplit(back).path == "/overview/" and query_of(back) == {"customer": "lindqvist"}


def test_top_customer_link_narrows_to_that_customer(manager_client, scenario_copy):
    dom = overview_of(manager_client, result_unit="Kontor Nord")
    link = section(dom, "Outstanding by customer, top 10").find("a")
    assert link.text() == "Lindqvist El"
    assert query_of(link.attrs["href"]) == {"result_unit": "Kontor Nord", "customer_id": "cust-d"}
    assert state_total(parse(manager_client.get(link.attrs["href"]))) == 2


def test_outstanding_card_links_to_the_outstanding_invoices_of_its_currency(manager_client, scenario_copy):
    dom = overview_of(manager_client)
    href = cards(dom)["SEK"]["Outstanding"].find("a").attrs["href"]
    assert set(listed_numbers(manager_client.get(href))) == {"1001", "1002", "1004", "1005", "1011", "1012"}


def test_overdue_card_links_to_the_overdue_invoices_of_its_currency(manager_client, scenario_copy):
    dom = overview_of(manager_client)
    href = cards(dom)["SEK"]["Overdue"].find("a").attrs["href"]
    assert set(listed_numbers(manager_client.get(href))) == {"1001", "1002", "1004", "1011", "1012"}


def test_unknown_bucket_or_state_is_ignored_not_an_error(manager_client, scenario_copy):
    assert manager_client.get("/overview/invoices/", {"bucket": "nonsense"}).status_code == 200
    assert manager_client.get("/overview/invoices/", {"state": "nonsense"}).status_code == 200


def test_drill_down_says_which_invoices_it_draws_from(manager_client, scenario_copy):
    response = manager_client.get("/overview/invoices/", {"bucket": "31-60"})
    text = coverage(parse(response))
    assert "all 12 invoices" in text and "2 of them match" in text


# --- "today" is the day in Stockholm, also just around midnight UTC ---


@pytest.mark.parametrize(
    ("utc_now", "bucket_counts"),
    [
        # 22:30 UTC on 25 Nov is 23:30 in Stockholm: still 25 Nov.
        ("2026-11-25T22:30:00+00:00", {"1-30": 1, "31-60": 0}),
        # 23:30 UTC on 25 Nov is 00:30 on 26 Nov in Stockholm: one day more for both.
        ("2026-11-25T23:30:00+00:00", {"1-30": 1, "31-60": 1}),
    ],
)
def test_aging_on_the_page_uses_the_stockholm_day_around_midnight_utc(
    manager_client, local_copy, monkeypatch, utc_now, bucket_counts
):
    local_copy(
        [
            doc("1", "100", dueDate="2026-11-24T23:00:00.000Z"),  # due 25 Nov
            doc("2", "100", dueDate="2026-10-25T23:00:00.000Z"),  # due 26 Oct
        ]
    )
    fixed = dt.datetime.fromisoformat(utc_now)
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    dom = overview_of(manager_client)
    shown = {key: count for key, (count, _a, _h) in aging(dom).items()}
    assert {key: shown[key] for key in bucket_counts} == bucket_counts
    rows = rows_of(dom.find("section", id="overdue").find("table"))
    days = {cells[0].text(): int(cells[5].text()) for cells in rows}
    if utc_now.startswith("2026-11-25T22"):
        assert days == {"2": 30}
    else:
        assert days == {"1": 1, "2": 31}


# =====================================================================================
# Permissions
# =====================================================================================

PAGES = ["/overview/", "/overview/invoices/", "/overview/invoices/?bucket=1-30"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/login/" and query_of(response["Location"]) == {"next": url}


def test_anonymous_sync_is_sent_to_the_login_page_and_syncs_nothing(client, db):
    response = client.post("/overview/sync/", {"next": "/overview/"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not SyncRun.objects.exists()


@pytest.mark.parametrize("url", PAGES)
def test_office_staff_get_403(office_client, url):
    response = office_client.get(url)
    assert response.status_code == 403
    assert not SyncRun.objects.exists()  # no sync happens for someone not allowed to see it


def test_office_staff_cannot_sync(office_client):
    response = office_client.post("/overview/sync/", {"next": "/overview/"})
    assert response.status_code == 403
    assert not SyncRun.objects.exists()


def test_user_without_group_gets_403(client, plain_user):
    client.force_login(plain_user)
    assert client.get("/overview/").status_code == 403


def test_office_staff_are_not_offered_the_overview(office_client):
    assert 'href="/overview/"' not in office_client.get("/").content.decode()


def test_managers_see_the_overview(manager_client, local_copy):
    local_copy([doc("1")])
    for url in PAGES:
        assert manager_client.get(url).status_code == 200, url
    assert 'href="/overview/"' in manager_client.get("/").content.decode()
    assert manager_client.post("/overview/sync/").status_code == 302


def test_superuser_sees_the_overview(client, django_user_model, local_copy):
    client.force_login(django_user_model.objects.create_superuser("sara", "sara@example.test", "pw"))
    local_copy([doc("1")])
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert client.post("/overview/sync/").status_code == 302


def test_managers_group_has_the_permission_and_office_staff_does_not(db):
    assert Group.objects.get(name="Managers").permissions.filter(codename="view_invoice_overview").exists()
    assert not Group.objects.get(name="Office staff").permissions.filter(codename="view_invoice_overview").exists()


@pytest.mark.parametrize("url", ["/overview/?export=csv", "/overview/invoices/?bucket=90%2B&export=xlsx"])
def test_office_staff_cannot_download_the_overview_lists(office_client, url):
    assert office_client.get(url).status_code == 403


@pytest.fixture
def copy_being_made(db):
    """No copy yet, and the worker is making the first one."""
    from dashboard.fetch import account_key

    SyncRun.objects.create(account=account_key(), kind="full", started_at=timezone.now())


@pytest.mark.parametrize("url", ["/overview/?export=xlsx", "/overview/invoices/?bucket=90%2B&export=csv"])
def test_a_download_asked_for_while_the_first_copy_is_made_is_told_to_come_back(
    manager_client, copy_being_made, url
):
    response = manager_client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Content-Disposition" not in response
    # A browser that followed the link shows the page, which loads the link again.
    page = response.content.decode()
    assert "The invoices are being copied" in page and '<meta http-equiv="refresh" content="5">' in page


def test_the_overview_page_itself_is_not_an_error_while_the_first_copy_is_made(manager_client, copy_being_made):
    response = manager_client.get("/overview/")
    assert response.status_code == 200 and "Retry-After" not in response
    assert '<meta http-equiv="refresh" content="5">' in response.content.decode()


@pytest.mark.parametrize("language", ["en", "sv"])
def test_chart_geometry_is_plain_numbers_in_every_language(manager_client, scenario_copy, language):
    """SVG lengths need a decimal point: Swedish decimal commas (`3,0`) draw nothing."""
    response = manager_client.get("/overview/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.headers["Content-Language"] == language
    page = response.content.decode()
    geometry = re.findall(r'<rect class="bar"([^>]*)>', page)
    assert geometry, "no chart bars on the page"
    for attributes in geometry:
        for name, value in re.findall(r'(x|y|width|height)="([^"]*)"', attributes):
            # Across in per cent (text keeps its size at any width), up in pixels.
            assert re.fullmatch(r"-?\d+(\.\d+)?%?", value), f"{name}={value!r} in {language}"
