"""The payments page (/overview/payments/): DSO per currency, company-wide and per
customer; days to pay and days late per customer; the payments to expect in the next
7 and 30 days; the expected dates managers set (ExpectedPayment), who may see and set
them, and that they survive a sync.

Every figure is checked against a computation written here, from the raw invoice
documents (the sandbox's, or hand-built ones) and the rules of docs/invoice-states.md
and docs/invoice-overview.md, never through dashboard.overview or dashboard.invoice_state.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth.models import Group

from dashboard.fetch import account_key
from dashboard.models import ExpectedPayment, SyncRun
from dashboard.overview import payments
from dashboard.sync import engine
from seventime.records import Invoice
from seventime.sandbox import store
from tests.overview.test_overview import (
    cents,
    doc,
    local_today,
    midnight,
    money,
    parse,
    rows_of,
    stockholm_day,
)
from tests.sync.support import make_invoice_copy

URL = "/overview/payments/"
SET_URL = "/overview/payments/expected/"
OPEN = ("sent", "overdue", "partially_paid")
D = Decimal


# =====================================================================================
# The rules, written again on raw documents
# =====================================================================================


def raw_state(d: dict, today: dt.date) -> str:
    """docs/invoice-states.md on a raw document; Seven Time's codes 1 Draft, 2 Sent,
    3 Paid, 4 Obliterated (voided)."""
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
    return "overdue" if due is not None and due < today else "sent"


def total(d: dict) -> Decimal:
    return D(str(d.get("totalAmountInclTax") or 0))


def left_to_pay(d: dict) -> Decimal:
    return max(total(d) - sum((D(str(p.get("amount") or 0)) for p in d.get("partialPayments") or []), D(0)), D(0))


def code_of(d: dict) -> str:
    return (d.get("currencyCode") or "SEK").upper()


def round_away(numerator: int, count: int) -> int:
    """numerator / count to whole days, halves away from zero (2.5 -> 3, -2.5 -> -3)."""
    exact = abs(D(numerator) / count)
    whole = int(math.floor(exact + D("0.5")))
    return -whole if numerator < 0 else whole


def tenth(numerator, count) -> Decimal:
    return (D(numerator) / D(count)).quantize(D("0.1"), rounding=ROUND_HALF_UP)


def expected_figures(docs: list[dict], today: dt.date, set_dates: dict[str, dt.date] | None = None) -> dict:
    set_dates = set_dates or {}
    first = today - dt.timedelta(days=364)
    receivables, invoiced = defaultdict(D), defaultdict(D)
    per_customer = defaultdict(lambda: {"rec": defaultdict(D), "inv": defaultdict(D), "to_pay": [], "late": []})
    for d in docs:
        state, code, who = raw_state(d, today), code_of(d), d["customer"]
        if state in OPEN and left_to_pay(d):
            receivables[code] += left_to_pay(d)
            per_customer[who]["rec"][code] += left_to_pay(d)
        day = stockholm_day(d.get("invoiceDate"))
        if state not in ("draft", "voided") and day and first <= day <= today:
            invoiced[code] += total(d)
            per_customer[who]["inv"][code] += total(d)
        if d.get("paymentDate") and state not in ("voided", "credit_note", "credited") and day:
            paid = stockholm_day(d["paymentDate"])
            per_customer[who]["to_pay"].append((paid - day).days)
            if d.get("dueDate"):
                per_customer[who]["late"].append((paid - stockholm_day(d["dueDate"])).days)

    def dso(rec, inv):
        return (rec / inv * 365).quantize(D("0.1"), rounding=ROUND_HALF_UP) if inv > 0 else None

    lateness = {who: round_away(sum(c["late"]), len(c["late"])) if c["late"] else 0 for who, c in per_customer.items()}
    rows = []
    for d in docs:
        if raw_state(d, today) not in OPEN or not left_to_pay(d):
            continue
        due = stockholm_day(d.get("dueDate"))
        if d["_id"] in set_dates:
            when = set_dates[d["_id"]]
        else:
            when = due + dt.timedelta(days=lateness[d["customer"]]) if due else None
        rows.append((when, d["invoiceNumber"], code_of(d), left_to_pay(d), d["_id"]))
    windows = {name: defaultdict(D) for name in ("soon", "month", "earlier", "later")}
    for when, _number, code, left, _id in rows:
        if when is None:
            continue
        offset = (when - today).days
        name = "earlier" if offset < 0 else "month" if offset < 30 else "later"
        windows[name][code] += left
        if 0 <= offset < 7:
            windows["soon"][code] += left
    return {
        "dso": {code: dso(receivables[code], invoiced[code]) for code in set(receivables) | set(invoiced)},
        "receivables": receivables,
        "invoiced": invoiced,
        "customers": {
            who: {
                "paid": len(c["to_pay"]),
                "to_pay": tenth(sum(c["to_pay"]), len(c["to_pay"])) if c["to_pay"] else None,
                "late": tenth(sum(c["late"]), len(c["late"])) if c["late"] else None,
                "lateness": lateness[who],
                "dso": {code: dso(c["rec"][code], c["inv"][code]) for code in set(c["rec"]) | set(c["inv"])},
            }
            for who, c in per_customer.items()
        },
        "rows": sorted(rows, key=lambda row: (row[0] or dt.date.max, row[1])),
        "windows": windows,
    }


# =====================================================================================
# Reading the page
# =====================================================================================


def days_text(text: str) -> Decimal | None:
    found = re.search(r"(-?\d+(?:[.,]\d)?) (?:days|dagar)", text)
    return D(found.group(1).replace(",", ".")) if found else None


def cards(dom, cls: str) -> dict[str, list[str]]:
    return {
        card.find("h3").text(): [dd.text() for dd in card.find_all("dd")] for card in dom.find_all("article", cls=cls)
    }


def expected_tables(dom) -> list[list[tuple[str, str, str, Decimal, str, str]]]:
    """Each expected-payments table: (expected, number, customer, left, why, invoice id) per row."""
    tables = []
    for table in dom.find("section", id="expected").find_all("table", cls="expected"):
        rows = []
        for row in table.find("tbody").find_all("tr"):
            cells = row.cells()
            if len(cells) < 6:
                continue  # "No payments expected."
            rows.append(
                (cells[0].text(), cells[1].text(), cells[2].text(), money(cells[4].text()), cells[5].text(), row.attrs["data-invoice"])
            )
        tables.append(rows)
    return tables


def customer_rows(client) -> dict[str, list[str]]:
    """Every row of "How customers pay", over all its pages: customer link -> cells."""
    shown, page = {}, 1
    while True:
        dom = parse(client.get(URL, {"customers": page}))
        table = dom.find("section", id="customers").find("table")
        for cells in rows_of(table):
            link = cells[0].find("a")
            key = link.attrs["href"].rstrip("/").rsplit("/", 1)[-1] if link is not None else cells[0].text()
            shown[key] = [cell.text() for cell in cells]
        pager = dom.find("section", id="customers").find("a", rel="next")
        if pager is None:
            return shown
        page += 1


# =====================================================================================
# The whole sandbox, synced for real, against the computation above
# =====================================================================================


@pytest.fixture
def synced_sandbox(db, settings):
    assert not settings.SEVENTIME_API_URL  # the in-process sandbox
    run = engine.sync(full=True, entities=["invoices"])
    assert run.complete and not run.error
    return store.all("invoices")


def test_payment_figures_equal_a_computation_from_the_sandbox_documents(manager_client, synced_sandbox):
    raw, today = synced_sandbox, local_today()
    assert {raw_state(d, today) for d in raw} >= {"voided", "partially_paid", "credit_note", "credited", "paid", "overdue"}
    assert {code_of(d) for d in raw} == {"SEK", "EUR"}
    want = expected_figures(raw, today)
    dom = parse(manager_client.get(URL))

    # DSO per currency, with the formula and its window on the page.
    formula = dom.find("section", id="dso").find("p", cls="formula").text()
    assert "DSO = receivables ÷ invoiced over the last 365 days × 365" in formula
    assert f"{today - dt.timedelta(days=364):%Y-%m-%d} to {today:%Y-%m-%d}" in formula
    shown = cards(dom, "dso-card")
    assert list(shown) == ["SEK", "EUR"]
    for code, (dso_text, receivables, invoiced) in shown.items():
        assert money(receivables) == cents(want["receivables"][code]) and receivables.endswith(code)
        assert money(invoiced) == cents(want["invoiced"][code])
        assert days_text(dso_text) == want["dso"][code], code
        assert want["dso"][code] > 0

    # Expected payments: the sums per currency and window.
    expected_cards = cards(dom, "expected-card")
    for code, (soon, month, earlier, later) in expected_cards.items():
        for text, window in ((soon, "soon"), (month, "month"), (earlier, "earlier"), (later, "later")):
            assert money(text) == cents(want["windows"][window][code]), (code, window)
    assert want["windows"]["month"]["SEK"] > want["windows"]["soon"]["SEK"] > 0

    # The tables: every invoice expected in the next 30 days, per currency, then the
    # ones expected earlier and still unpaid, each with its date and what is left.
    *month_tables, late_table = expected_tables(dom)
    in_month = [row for row in want["rows"] if row[0] and 0 <= (row[0] - today).days < 30]
    for code, table in zip(["SEK", "EUR"], month_tables, strict=True):
        assert [(r[0], r[1], r[3]) for r in table] == [
            (f"{when:%Y-%m-%d}", number, cents(left)) for when, number, c, left, _id in in_month if c == code
        ], code
    assert [(r[0], r[1], r[3]) for r in late_table] == [
        (f"{when:%Y-%m-%d}", number, cents(left)) for when, number, _c, left, _id in want["rows"] if when and when < today
    ]
    # No voided invoice is expected to be paid, though some are past their due date.
    voided = {d["_id"] for d in raw if d.get("invoiceStatus") == 4}
    assert any(stockholm_day(d["dueDate"]) < today for d in raw if d["_id"] in voided)
    listed = {r[5] for table in (*month_tables, late_table) for r in table}
    assert listed and not listed & voided

    # How customers pay: every customer with invoices, all pages.
    rows = customer_rows(manager_client)
    customers = {who: c for who, c in want["customers"].items()}
    assert set(rows) == set(customers)
    for who, c in customers.items():
        cells = rows[who]
        assert int(cells[1]) == c["paid"], who
        assert cells[2] == (str(c["to_pay"]) if c["to_pay"] is not None else "–"), who
        assert cells[3] == (str(c["late"]) if c["late"] is not None else "–"), who
        days = c["lateness"]
        if c["late"] is None:
            assert cells[4] == "no paid invoice to go by", who
        elif days > 0:
            assert cells[4] == f"usually pays {days} day{'s' if days != 1 else ''} late", who
        elif days < 0:
            assert cells[4] == f"usually pays {-days} day{'s' if days != -1 else ''} early", who
        else:
            assert cells[4] == "usually pays on the due day", who
        for code, value in c["dso"].items():
            assert (f"{value} days {code}" if value is not None else f"– {code}") in cells[6], (who, code, cells[6])
    assert any(c["lateness"] > 0 for c in customers.values()) and any(c["lateness"] < 0 for c in customers.values())


# =====================================================================================
# Hand-built invoices: voided, part payments, credit notes, EUR, Stockholm days
# =====================================================================================

TODAY = dt.date(2026, 11, 25)


def paid(number, invoice_day, pay_moment, due_moment, amount="1000", customer="cust-1", **fields) -> dict:
    return doc(
        number,
        amount,
        invoiceStatus=3,
        invoiceDate=invoice_day,
        dueDate=due_moment,
        sentDate=invoice_day,
        paymentDate=pay_moment,
        customer=customer,
        **fields,
    )


def compute(docs, today=TODAY, set_dates=None):
    return payments.compute([Invoice.from_api(d) for d in docs], today, set_dates)


def test_days_to_pay_are_stockholm_days_across_midnight_and_the_change_to_summer_time():
    docs = [
        # Issued 29 Mar (CET: 23:00Z the day before), paid 30 Mar (CEST: 22:00Z the day
        # before): 1 day, though only 23 hours apart. Due 29 Mar: 1 day late.
        paid("1", "2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z", "2026-03-28T23:00:00.000Z"),
        # Paid at 00:30 on 26 Oct in Stockholm (23:30Z on 25 Oct, after summer time
        # ended): the 26th. Issued 25 Oct (22:00Z the day before, CEST), due 20 Oct.
        paid("2", "2026-10-24T22:00:00.000Z", "2026-10-25T23:30:00.000Z", "2026-10-19T22:00:00.000Z"),
    ]
    customer = compute(docs).customers[0]
    want = expected_figures(docs, TODAY)["customers"]["cust-1"]
    assert customer.days_to_pay == [1, 1] and customer.days_late == [1, 6]
    assert (customer.average_days_to_pay, customer.average_days_late) == (want["to_pay"], want["late"]) == (D("1.0"), D("3.5"))
    # 3.5 days late on average: usually 4 days late (halves away from zero).
    assert customer.usual_lateness == want["lateness"] == 4
    assert customer.how_they_pay == "usually pays 4 days late"


def test_usual_lateness_rounds_the_exact_mean_not_the_shown_one():
    # Days late 2, 2, 3, 3, 2, 3, 2, 3, 2, 2.45...: make a mean of 2.45 exactly (49 / 20).
    docs = []
    for index, late in enumerate([2] * 11 + [3] * 9):  # sum 49 over 20 invoices
        due = dt.date(2026, 9, 1)
        docs.append(paid(str(index), midnight(due - dt.timedelta(days=30)), midnight(due + dt.timedelta(days=late)), midnight(due)))
    customer = compute(docs).customers[0]
    assert customer.average_days_late == D("2.5")  # 2.45 shown to a tenth, half up
    assert customer.usual_lateness == round_away(49, 20) == 2  # not 3, as rounding 2.5 again would give


def test_early_payers_are_expected_before_the_due_date():
    docs = [
        paid("1", midnight(dt.date(2026, 9, 1)), midnight(dt.date(2026, 9, 20)), midnight(dt.date(2026, 10, 1))),
        doc("2", "500", invoiceStatus=2, dueDate=midnight(dt.date(2026, 12, 20))),
    ]
    data = compute(docs)
    assert data.customers[0].usual_lateness == -11 and data.customers[0].how_they_pay == "usually pays 11 days early"
    assert [(row.invoice.invoice_number, row.expected) for row in data.rows] == [("2", dt.date(2026, 12, 9))]


def test_voided_part_paid_credited_and_credit_notes_in_dso_and_expected_payments():
    day = midnight(dt.date(2026, 11, 1))
    due_soon = midnight(dt.date(2026, 11, 28))
    docs = [
        doc("1", "1000", invoiceStatus=2, invoiceDate=day, dueDate=due_soon),  # open: 1000
        # Part paid 300 of 2000: 1700 open, and 2000 invoiced.
        doc("2", "2000", invoiceStatus=2, invoiceDate=day, dueDate=due_soon, partiallyPaid=True,
            partialPayments=[{"_id": "p", "paymentDate": day, "amount": 300}]),
        # Voided, past its due date: neither owed nor invoiced nor expected.
        doc("3", "5000", invoiceStatus=4, invoiceDate=day, dueDate=midnight(dt.date(2026, 11, 10))),
        # Credited 400, and its credit note -400: invoiced nets to 0, nothing owed.
        doc("4", "400", invoiceStatus=2, invoiceDate=day, isCredited=True, creditInvoice="inv-5"),
        doc("5", "-400", invoiceStatus=2, invoiceDate=day, isCreditInvoice=True, creditForInvoice="inv-4"),
        # EUR: its own DSO, never added to SEK.
        doc("6", "100", "EUR", invoiceStatus=2, invoiceDate=day, dueDate=due_soon),
        doc("7", "300", "EUR", invoiceStatus=3, invoiceDate=day, paymentDate=day, dueDate=day, customer="cust-9"),
        # A draft and an invoice older than 365 days: not invoiced in the window.
        doc("8", "9000", invoiceStatus=1, sentDate=None, invoiceDate=day),
        doc("9", "7000", invoiceStatus=3, invoiceDate=midnight(TODAY - dt.timedelta(days=365)), paymentDate=day, customer="cust-9"),
        # Issued on the window's first day: in it.
        doc("10", "600", invoiceStatus=3, invoiceDate=midnight(TODAY - dt.timedelta(days=364)), paymentDate=day, customer="cust-9"),
    ]
    data = compute(docs)
    want = expected_figures(docs, TODAY)
    assert [c.key for c in data.customers] == ["cust-9", "cust-1"]  # cust-1 has no paid invoice: last
    assert data.customers[1].usual_lateness == 0  # its paid invoices are cust-9's
    sek, eur = data.company["SEK"], data.company["EUR"]
    assert (sek.receivables, sek.invoiced) == (want["receivables"]["SEK"], want["invoiced"]["SEK"]) == (D(2700), D(3600))
    assert sek.days == want["dso"]["SEK"] == D("273.8")  # 2700 / 3600 x 365 = 273.75
    assert (eur.receivables, eur.invoiced, eur.days) == (D(100), D(400), D("91.3"))  # 91.25
    assert data.currencies == ["SEK", "EUR"]
    assert sorted((row.invoice.invoice_number, row.left) for row in data.rows) == [("1", D(1000)), ("2", D(1700)), ("6", D(100))]
    assert data.soon.per_currency() == [("SEK", D(2700)), ("EUR", D(100))]
    assert dict(data.soon.amounts) == dict(want["windows"]["soon"])


def test_dso_is_none_without_anything_invoiced_in_the_window():
    old = doc("1", "1000", invoiceStatus=2, invoiceDate="2024-01-01T23:00:00.000Z", dueDate="2024-01-31T23:00:00.000Z")
    data = compute([old])
    assert data.company["SEK"].receivables == D(1000) and data.company["SEK"].days is None


def test_windows_are_stockholm_days_from_today():
    docs = [
        doc(str(offset), "10", invoiceStatus=2, dueDate=midnight(TODAY + dt.timedelta(days=offset)))
        for offset in (-1, 0, 6, 7, 29, 30)
    ]
    data = compute(docs)
    assert [row.invoice.invoice_number for row in data.within(7)] == ["0", "6"]
    assert [row.invoice.invoice_number for row in data.within(30)] == ["0", "6", "7", "29"]
    assert [row.invoice.invoice_number for row in data.overdue_expectations()] == ["-1"]
    assert (data.soon.count, data.month.count, data.earlier.count, data.later.count) == (2, 4, 1, 1)
    assert sum(value for _day, value in data.days["SEK"]) == D(40) and len(data.days["SEK"]) == 30


def test_a_set_date_overrides_the_computed_one():
    class Chosen:
        expected_on, set_by_name, set_at = dt.date(2026, 12, 24), "maja", None

    docs = [doc("1", "10", invoiceStatus=2, dueDate=midnight(dt.date(2026, 11, 1)))]
    data = compute(docs, set_dates={"inv-1": Chosen()})
    row = data.rows[0]
    assert (row.expected, row.set_by, row.lateness) == (dt.date(2026, 12, 24), "maja", 0)
    assert data.month.count == 1 and data.earlier.count == 0


# =====================================================================================
# The page with hand-built invoices; setting dates; permissions
# =====================================================================================


def open_invoice(number: str, due: dt.date, amount="1000", currency="SEK", **fields) -> dict:
    return doc(number, amount, currency, invoiceStatus=2, invoiceDate=midnight(due - dt.timedelta(days=30)), dueDate=midnight(due), **fields)


@pytest.fixture
def small_copy(db):
    today = local_today()
    docs = [
        open_invoice("101", today + dt.timedelta(days=3)),
        open_invoice("102", today - dt.timedelta(days=20), customer="cust-2", customerName="Åkesson Måleri"),
        open_invoice("103", today + dt.timedelta(days=10), "250.50", "EUR"),
        doc("104", "999", invoiceStatus=3, paymentDate=midnight(today), invoiceDate=midnight(today - dt.timedelta(days=9)), dueDate=midnight(today - dt.timedelta(days=5)), customer="cust-3", customerName="Berg & Son"),
    ]
    make_invoice_copy(docs)
    return docs


def set_date(client, invoice="inv-102", day=None, **extra):
    data = {"invoice": invoice, "expected_on": day, "next": URL, **extra}
    return client.post(SET_URL, {k: v for k, v in data.items() if v is not None})


def test_a_manager_sets_an_expected_date_and_it_is_used_shown_and_kept(manager_client, manager_user, small_copy):
    today = local_today()
    promised = today + dt.timedelta(days=5)
    response = set_date(manager_client, day=f"{promised:%Y-%m-%d}")
    assert response.status_code == 302 and response["Location"] == f"{URL}#expected"
    chosen = ExpectedPayment.objects.get()
    assert (chosen.account, chosen.invoice_id, chosen.expected_on) == (account_key(), "inv-102", promised)
    assert (chosen.set_by, chosen.set_by_name) == (manager_user, manager_user.username) and chosen.set_at
    dom = parse(manager_client.get(URL))
    sek_month, _eur_month, late = expected_tables(dom)
    row = next(r for r in sek_month if r[1] == "102")
    assert row[0] == f"{promised:%Y-%m-%d}" and row[4].startswith(f"Set by {manager_user.username} on ")
    assert not late  # it was expected 20 days ago; now in five days
    assert money(cards(dom, "expected-card")["SEK"][0]) == D(2000)  # 101 in 3 days, 102 in 5
    again = set_date(manager_client, day=f"{promised:%Y-%m-%d}")
    assert f"Invoice 102 is now expected to be paid on {promised:%Y-%m-%d}." in manager_client.get(again["Location"]).content.decode()
    assert ExpectedPayment.objects.count() == 1  # set again: the same row


def test_expected_dates_survive_a_sync_of_the_invoices(manager_client, synced_sandbox):
    today = local_today()
    open_doc = next(d for d in synced_sandbox if raw_state(d, today) == "overdue")
    promised = today + dt.timedelta(days=12)
    assert set_date(manager_client, open_doc["_id"], f"{promised:%Y-%m-%d}").status_code == 302
    for full in (True, False):
        run = engine.sync(full=full, entities=["invoices"])
        assert not run.error
    assert ExpectedPayment.objects.get(invoice_id=open_doc["_id"]).expected_on == promised
    rows = [r for table in expected_tables(parse(manager_client.get(URL))) for r in table]
    assert [(r[0], r[1]) for r in rows if r[5] == open_doc["_id"]] == [(f"{promised:%Y-%m-%d}", open_doc["invoiceNumber"])]
    want = expected_figures(synced_sandbox, today, {open_doc["_id"]: promised})
    dom = parse(manager_client.get(URL))
    assert money(cards(dom, "expected-card")[code_of(open_doc)][1]) == cents(want["windows"]["month"][code_of(open_doc)])


def test_clearing_a_date_goes_back_to_the_computed_one(manager_client, small_copy):
    set_date(manager_client, day=f"{local_today() + dt.timedelta(days=5):%Y-%m-%d}")
    response = set_date(manager_client, day="", clear="1")
    assert response.status_code == 302 and not ExpectedPayment.objects.exists()
    late = expected_tables(parse(manager_client.get(URL)))[-1]
    assert [r[1] for r in late] == ["102"]


@pytest.mark.parametrize(
    ("invoice", "day", "message"),
    [
        ("inv-102", "2026-13-45", "“2026-13-45” is not a date (write it as YYYY-MM-DD)."),
        ("inv-102", "next week", "“next week” is not a date"),
        ("inv-102", "", "“” is not a date"),
        ("inv-102", "PAST", "has passed: an expected payment date is today or later."),
        ("inv-102", "FAR", "is more than three years ahead."),
        ("inv-104", "SOON", "Invoice 104 is not open (Paid): no payment is expected."),
        ("inv-nope", "SOON", "That invoice is not in the local copy"),
    ],
)
def test_bad_input_says_why_and_changes_nothing(manager_client, small_copy, invoice, day, message):
    today = local_today()
    day = {"PAST": today - dt.timedelta(days=1), "FAR": today + dt.timedelta(days=4 * 365), "SOON": today + dt.timedelta(days=2)}.get(day, day)
    response = manager_client.post(SET_URL, {"invoice": invoice, "expected_on": str(day), "next": URL}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page.replace("&ldquo;", "“").replace("&rdquo;", "”"), page[:200]
    assert not ExpectedPayment.objects.exists()


def test_an_outside_next_is_refused(manager_client, small_copy):
    response = set_date(manager_client, day=f"{local_today():%Y-%m-%d}", next="https://evil.example/")
    assert response["Location"] == f"{URL}#expected"


def test_office_staff_see_the_page_but_cannot_set_dates(office_client, small_copy):
    response = office_client.get(URL)
    assert response.status_code == 200
    dom = parse(response)
    assert dom.find("form", cls="expected-form") is None and "Set the expected date" not in response.content.decode()
    assert set_date(office_client, day=f"{local_today():%Y-%m-%d}").status_code == 403
    assert not ExpectedPayment.objects.exists()
    # Reachable from the start page and the menu; the overview itself stays the managers'.
    home = office_client.get("/").content.decode()
    assert f'href="{URL}"' in home
    assert office_client.get("/overview/").status_code == 403


def test_managers_see_forms_and_reach_the_page_from_the_overview(manager_client, small_copy):
    dom = parse(manager_client.get(URL))
    forms = dom.find_all("form", cls="expected-form")
    assert {form.find("input", name="invoice").attrs["value"] for form in forms} == {"inv-101", "inv-102", "inv-103"}
    assert all(form.attrs["method"] == "post" and form.find("input", name="csrfmiddlewaretoken") for form in forms)
    assert f'href="{URL}"' in manager_client.get("/overview/").content.decode()


def test_anonymous_and_users_without_a_group_cannot_see_or_set(client, plain_user, small_copy):
    assert client.get(URL).status_code == 302 and client.post(SET_URL, {"invoice": "inv-102"}).status_code == 302
    client.force_login(plain_user)
    assert client.get(URL).status_code == 403 and client.post(SET_URL, {"invoice": "inv-102"}).status_code == 403
    assert not ExpectedPayment.objects.exists()


def test_setting_a_date_only_accepts_post(manager_client, small_copy):
    assert manager_client.get(SET_URL).status_code == 405


def test_groups_get_the_payment_permissions(db):
    office = set(Group.objects.get(name="Office staff").permissions.values_list("codename", flat=True))
    managers = set(Group.objects.get(name="Managers").permissions.values_list("codename", flat=True))
    assert "view_payments" in office and "set_expected_payment" not in office
    assert {"view_payments", "set_expected_payment"} <= managers


def test_no_copy_yet_asks_the_worker_and_says_so(office_client, api):
    from huey.contrib.djhuey import HUEY

    response = office_client.get(URL)
    assert response.status_code == 200 and "The invoices are being copied" in response.content.decode()
    assert HUEY.pending_count() == 1 and not SyncRun.objects.exists()  # asked of the worker, not made here


@pytest.mark.parametrize("language", ["en", "sv"])
def test_the_page_in_both_languages(manager_client, small_copy, language):
    response = manager_client.get(URL, HTTP_ACCEPT_LANGUAGE=language)
    assert response.headers["Content-Language"] == language
    page = response.content.decode()
    if language == "sv":
        assert "Väntade betalningar" in page and "Kundkredittid (DSO)" in page and "Expected payments" not in page
        assert "Förfallodagen (ingen betald faktura att gå efter)" in page
    else:
        assert "Expected payments" in page and "Days sales outstanding (DSO)" in page
    # SVG lengths need a decimal point in every language.
    geometry = re.findall(r'<rect class="bar"([^>]*)>', page)
    assert geometry
    for attributes in geometry:
        for name, value in re.findall(r'(x|y|width|height)="([^"]*)"', attributes):
            assert re.fullmatch(r"-?\d+(\.\d+)?", value), f"{name}={value!r} in {language}"
