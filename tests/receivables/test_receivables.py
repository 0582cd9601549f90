"""The receivables pages (dashboard/receivables/): the chase list, aged receivables on
any day, a customer's statement and the ROT/RUT checks.

Every figure is checked against a computation written here from the sandbox's raw
invoice documents and the rules as docs/invoice-overview.md words them ("Receivables"),
never through dashboard.receivables or dashboard.invoice_state.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group

from dashboard.models import ChaseNote, ChasePause, HouseWorkClaim
from dashboard.overview import sync as invoice_sync
from seventime.sandbox import store
from tests.overview.test_overview import doc, local_today, midnight, money, parse, rows_of, stockholm_day
from tests.sync.support import make_invoice_copy

CENT = Decimal("0.01")
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
BUCKET_LABELS = ("Not due", "1–30 days", "31–60 days", "61–90 days", "Over 90 days")
VOIDED = 4  # Seven Time's invoiceStatus "Obliterated"


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# =====================================================================================
# The rules, written independently on raw documents
# =====================================================================================


def amount(d: dict) -> Decimal:
    return Decimal(str(d.get("totalAmountInclTax") or 0))


def code_of(d: dict) -> str:
    return (d.get("currencyCode") or "SEK").upper()


def owed_now(d: dict) -> bool:
    """Sent and not settled: not a credit note, credited, archived, paid, voided or a draft."""
    return not (
        d.get("isCreditInvoice")
        or d.get("isCredited")
        or d.get("creditInvoice")
        or d.get("archived")
        or d.get("paymentDate")
        or not d.get("sentDate")
        or d.get("invoiceStatus") == VOIDED
    )


def part_paid(d: dict, by: dt.date | None = None) -> Decimal:
    total = Decimal(0)
    for payment in d.get("partialPayments") or []:
        day = stockholm_day(payment.get("paymentDate"))
        if by is None or day is None or day <= by:
            total += Decimal(str(payment.get("amount") or 0))
    return total


def late_days(d: dict, on: dt.date) -> int:
    due = stockholm_day(d.get("dueDate"))
    return max(0, (on - due).days) if due else 0


def bucket(days: int) -> str:
    return "current" if days == 0 else "1-30" if days <= 30 else "31-60" if days <= 60 else "61-90" if days <= 90 else "90+"


def credited_day(d: dict, docs: list[dict]) -> dt.date | None:
    for other in docs:
        if other.get("isCreditInvoice") and (other.get("creditForInvoice") == d["_id"] or other["_id"] == d.get("creditInvoice")):
            return stockholm_day(other.get("invoiceDate"))
    return None


def owed_on(d: dict, day: dt.date, docs: list[dict]) -> Decimal:
    """What was left on `d` at the end of Stockholm day `day`."""
    if d.get("isCreditInvoice") or d.get("invoiceStatus") == VOIDED or not d.get("sentDate"):
        return Decimal(0)
    if stockholm_day(d["sentDate"]) > day:
        return Decimal(0)
    paid = stockholm_day(d.get("paymentDate"))
    if paid is not None and paid <= day:
        return Decimal(0)
    if d.get("isCredited") or d.get("creditInvoice"):
        credited = credited_day(d, docs)
        if credited is None or credited <= day:
            return Decimal(0)
    return max(amount(d) - part_paid(d, day), Decimal(0))


def expected_aged(docs: list[dict], day: dt.date):
    totals = defaultdict(lambda: {key: Decimal(0) for key in BUCKETS})
    counts = defaultdict(int)
    customers = defaultdict(lambda: {key: Decimal(0) for key in BUCKETS})
    for d in docs:
        left = owed_on(d, day, docs)
        if left <= 0:
            continue
        key = bucket(late_days(d, day))
        totals[code_of(d)][key] += left
        counts[code_of(d)] += 1
        customers[d["customer"], code_of(d)][key] += left
    return totals, counts, customers


def expected_chase(docs: list[dict], today: dt.date):
    """customer id -> (weight, {currency: left}, [invoice numbers by weight])."""
    customers = defaultdict(lambda: [Decimal(0), defaultdict(Decimal), []])
    for d in docs:
        if not owed_now(d):
            continue
        days = late_days(d, today)
        left = amount(d) - part_paid(d)
        if days <= 0 or left <= 0:
            continue
        rate = Decimal(str(d.get("currencyRate") or 1)) if code_of(d) != "SEK" else Decimal(1)
        weight = days * left * rate
        entry = customers[d["customer"]]
        entry[0] += weight
        entry[1][code_of(d)] += left
        entry[2].append((-weight, -days, d["invoiceNumber"]))
    return customers


def rot_rate(kind: int, day: dt.date) -> Decimal:
    if kind == 2:
        return Decimal("0.5")
    return Decimal("0.5") if dt.date(2025, 5, 12) <= day <= dt.date(2025, 12, 31) else Decimal("0.3")


def paid_in_full(d: dict) -> dt.date | None:
    if d.get("isCreditInvoice") or d.get("isCredited") or d.get("creditInvoice") or d.get("invoiceStatus") == VOIDED:
        return None
    return stockholm_day(d.get("paymentDate"))


def masked(number: str, today: dt.date) -> str:
    digits = re.sub(r"\D", "", number)
    if len(digits) == 12:
        return digits[:8] + "-••••"
    century = "20" if int(digits[:2]) <= today.year % 100 else "19"
    return century + digits[:6] + "-••••"


# =====================================================================================
# Helpers
# =====================================================================================


@pytest.fixture
def sandbox_copy(db, settings):
    assert not settings.SEVENTIME_API_URL
    return invoice_sync.sync_invoices()


def with_attr(dom, name: str):
    return [node for node in dom.iter() if name in node.attrs]


def amounts_by_currency(text: str) -> dict[str, Decimal]:
    return {code: money(value) for value, code in re.findall(r"(-?[\d,]+\.\d\d) ([A-Z]{3})", text)}


# =====================================================================================
# The chase list
# =====================================================================================


def test_chase_list_equals_the_order_and_amounts_computed_from_the_sandbox(manager_client, sandbox_copy):
    raw = store.all("invoices")
    today = local_today()
    want = expected_chase(raw, today)
    assert len(want) > 20 and any(len(v[1]) and "EUR" in v[1] for v in want.values())
    dom = parse(manager_client.get("/receivables/chase/"))
    articles = [node for node in with_attr(dom, "data-customer") if node.tag == "article"]
    shown_order = [node.attrs["data-customer"] for node in articles]
    assert shown_order == sorted(want, key=lambda key: (-want[key][0],))
    for node in articles:
        weight, left, invoices = want[node.attrs["data-customer"]]
        head = node.find("p", cls="chase-left")
        assert amounts_by_currency(head.text()) == {code: cents(value) for code, value in left.items()}
        numbers = [cells[0].text() for cells in rows_of(node.find("table"))]
        assert numbers == [number for _w, _d, number in sorted(invoices)]


def small_copy(today: dt.date):
    """Two customers with overdue invoices, one EUR, one part paid; others not owed."""
    docs = [
        doc("101", "10000", dueDate=midnight(today - dt.timedelta(days=10)), customer="c-a", customerName="Alfa AB",
            reminderDate=midnight(today - dt.timedelta(days=2))),
        doc("102", "1000", "EUR", currencyRate=11.5, dueDate=midnight(today - dt.timedelta(days=40)), customer="c-b",
            customerName="Beta GmbH"),
        doc("103", "5000", dueDate=midnight(today - dt.timedelta(days=5)), customer="c-a", customerName="Alfa AB",
            partiallyPaid=True, partialPayments=[{"_id": "p1", "paymentDate": midnight(today - dt.timedelta(days=1)), "amount": 1500}]),
        doc("104", "9999", dueDate=midnight(today - dt.timedelta(days=90)), customer="c-c", customerName="Paid AB",
            paymentDate=midnight(today - dt.timedelta(days=3))),
        doc("105", "-10000", dueDate=midnight(today - dt.timedelta(days=90)), customer="c-c", isCreditInvoice=True),
        doc("106", "7777", dueDate=midnight(today), customer="c-d", customerName="Due Today AB"),
    ]
    make_invoice_copy(docs)
    return docs


def test_chase_list_orders_by_days_late_times_amount_left_and_weighs_eur_by_its_rate(manager_client, db):
    today = local_today()
    small_copy(today)
    dom = parse(manager_client.get("/receivables/chase/"))
    order = [n.attrs["data-customer"] for n in with_attr(dom, "data-customer") if n.tag == "article"]
    # Beta: 40 days × 1000 EUR × 11.5 = 460 000; Alfa: 10 × 10 000 + 5 × 3 500 = 117 500.
    assert order == ["c-b", "c-a"]  # paid, credit notes and an invoice due today are not chased
    alfa = next(n for n in with_attr(dom, "data-customer") if n.attrs["data-customer"] == "c-a")
    assert amounts_by_currency(alfa.find("p", cls="chase-left").text()) == {"SEK": Decimal("13500.00")}
    assert alfa.find("dd", **{"data-fact": "reminder"}).text() == f"{today - dt.timedelta(days=2)}"
    assert alfa.find("dd", **{"data-fact": "days"}).text() == "10"


def test_a_manager_adds_a_note_with_an_expected_day_and_it_shows_who_and_when(manager_client, manager_user, db):
    small_copy(local_today())
    response = manager_client.post(
        "/receivables/chase/note/", {"customer_id": "c-a", "text": "Called, pays Friday", "expected_payment": "2026-12-11"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#customer-c-a")
    note = ChaseNote.objects.get()
    assert (note.author, note.author_name, note.customer_id) == (manager_user, manager_user.username, "c-a")
    dom = parse(manager_client.get("/receivables/chase/"))
    alfa = next(n for n in with_attr(dom, "data-customer") if n.attrs["data-customer"] == "c-a")
    assert "Called, pays Friday" in alfa.text() and "expects payment 2026-12-11" in alfa.text()
    assert alfa.find("dd", **{"data-fact": "expected"}).text() == "2026-12-11"
    assert alfa.find("dd", **{"data-fact": "contact"}).text().endswith(manager_user.username)


def test_a_note_that_is_too_long_or_has_a_bad_day_is_shown_again_with_the_problem(manager_client, db):
    small_copy(local_today())
    response = manager_client.post("/receivables/chase/note/", {"customer_id": "c-a", "text": "Ring back", "expected_payment": "next week"})
    assert response.status_code == 400
    dom = parse(response)
    alfa = next(n for n in with_attr(dom, "data-customer") if n.attrs["data-customer"] == "c-a")
    assert "Enter a valid date" in alfa.find("div", cls="form-errors").text()
    assert alfa.find("input", name="text").attrs["value"] == "Ring back"  # nothing lost
    assert not ChaseNote.objects.exists()
    response = manager_client.post("/receivables/chase/note/", {"customer_id": "c-a", "text": "<script>x</script>" + "a" * 1000})
    assert response.status_code == 400 and b"<script>x" not in response.content


def test_a_paused_customer_goes_last_with_who_paused_it_and_comes_back_when_resumed(manager_client, manager_user, db):
    small_copy(local_today())
    manager_client.post("/receivables/chase/pause/", {"customer_id": "c-b", "reason": "Payment plan", "action": "pause"})
    pause = ChasePause.objects.get()
    assert (pause.customer_id, pause.paused_by_name, pause.reason) == ("c-b", manager_user.username, "Payment plan")
    dom = parse(manager_client.get("/receivables/chase/"))
    order = [n.attrs["data-customer"] for n in with_attr(dom, "data-customer") if n.tag == "article"]
    assert order == ["c-a", "c-b"]
    beta = next(n for n in with_attr(dom, "data-customer") if n.attrs["data-customer"] == "c-b")
    assert "Payment plan" in beta.find("dd", **{"data-fact": "paused"}).text()
    manager_client.post("/receivables/chase/pause/", {"customer_id": "c-b", "action": "resume"})
    assert not ChasePause.objects.exists()


def test_notes_and_expected_days_survive_a_sync(manager_client, sandbox_copy):
    today = local_today()
    customer = next(iter(expected_chase(store.all("invoices"), today)))
    manager_client.post("/receivables/chase/note/", {"customer_id": customer, "text": "Promised by Friday", "expected_payment": "2026-12-11"})
    manager_client.post("/receivables/chase/pause/", {"customer_id": customer, "reason": "Dispute", "action": "pause"})
    invoice_sync.sync_invoices()  # a full sweep rewrites the copy
    dom = parse(manager_client.get("/receivables/chase/"))
    node = next(n for n in with_attr(dom, "data-customer") if n.attrs["data-customer"] == customer)
    assert "Promised by Friday" in node.text()
    assert node.find("dd", **{"data-fact": "expected"}).text() == "2026-12-11"
    assert "Dispute" in node.find("dd", **{"data-fact": "paused"}).text()


def test_office_staff_read_the_chase_list_and_only_managers_write(client, office_user, manager_user, plain_user, db):
    small_copy(local_today())
    client.force_login(office_user)
    page = client.get("/receivables/chase/")
    assert page.status_code == 200 and b"Alfa AB" in page.content
    assert b'action="/receivables/chase/note/"' not in page.content  # no forms to write with
    for path, data in (
        ("/receivables/chase/note/", {"customer_id": "c-a", "text": "x"}),
        ("/receivables/chase/pause/", {"customer_id": "c-a", "action": "pause"}),
        ("/receivables/rot-rut/claim/", {"invoice_id": "inv-1", "claimed_on": "2026-01-10"}),
    ):
        assert client.post(path, data).status_code == 403
    assert not ChaseNote.objects.exists() and not ChasePause.objects.exists() and not HouseWorkClaim.objects.exists()
    for path in ("/receivables/aged/", "/receivables/rot-rut/", "/receivables/statement/c-a/"):
        assert client.get(path).status_code == 200, path
    client.force_login(plain_user)
    for path in ("/receivables/chase/", "/receivables/aged/", "/receivables/rot-rut/", "/receivables/statement/c-a/"):
        assert client.get(path).status_code == 403, path
    client.force_login(manager_user)
    assert client.post("/receivables/chase/note/", {"customer_id": "c-a", "text": "ok"}).status_code == 302


def test_groups_have_the_receivables_permissions(db):
    office = set(Group.objects.get(name="Office staff").permissions.values_list("codename", flat=True))
    managers = set(Group.objects.get(name="Managers").permissions.values_list("codename", flat=True))
    assert "view_receivables" in office and "change_receivables" not in office
    assert {"view_receivables", "change_receivables"} <= managers


def test_pages_say_when_there_is_no_copy_of_the_invoices_yet(manager_client, db):
    from dashboard.models import CopyStatus

    CopyStatus.objects.filter(entity="invoices").delete()
    for path in ("/receivables/chase/", "/receivables/aged/", "/receivables/rot-rut/", "/receivables/statement/x/"):
        response = manager_client.get(path)
        assert response.status_code == 200 and b"not there yet" in response.content, path


# =====================================================================================
# Aged receivables on a day
# =====================================================================================


def shown_aged(response):
    dom = parse(response)
    totals = {}
    for cells in rows_of(dom.find("table", cls="aged-totals")):
        totals[cells[0].text()] = (int(cells[1].text()), {key: money(c.text()) for key, c in zip(BUCKETS, cells[2:7], strict=True)}, money(cells[7].text()))
    customers = {}
    for row in dom.find("table", cls="aged-customers").find("tbody").find_all("tr"):
        cells = row.cells()
        values = [Decimal(0) if c.text() == "–" else money(c.text()) for c in cells[2:7]]
        customers[row.attrs["data-customer"], cells[1].text()] = dict(zip(BUCKETS, values, strict=True))
    return totals, customers


def sandbox_days(today: dt.date) -> list[dt.date]:
    return [today, today - dt.timedelta(days=45), today - dt.timedelta(days=200), dt.date(2025, 10, 26)]


def test_aged_receivables_on_several_days_equal_the_sandbox_computed_independently(manager_client, sandbox_copy):
    raw = store.all("invoices")
    today = local_today()
    assert any(d.get("partialPayments") for d in raw) and any(d.get("isCreditInvoice") for d in raw)
    for day in sandbox_days(today):
        want_totals, want_counts, want_customers = expected_aged(raw, day)
        shown_totals, shown_customers = shown_aged(manager_client.get(f"/receivables/aged/?on={day}"))
        assert list(shown_totals) == sorted(want_totals, key=lambda c: (c != "SEK", c)), day
        for code, (count, buckets, total) in shown_totals.items():
            assert count == want_counts[code], (day, code)
            assert buckets == {k: cents(v) for k, v in want_totals[code].items()}, (day, code)
            assert total == cents(sum(want_totals[code].values())), (day, code)
        assert shown_customers == {key: {k: cents(v) for k, v in b.items()} for key, b in want_customers.items()}, day


def test_aged_receivables_downloads_parse_to_the_same_figures(manager_client, sandbox_copy):
    raw = store.all("invoices")
    day = local_today() - dt.timedelta(days=45)
    _totals, _counts, want = expected_aged(raw, day)
    response = manager_client.get(f"/receivables/aged/?on={day}&export=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_customer = {d["customerNumber"]: d["customer"] for d in raw}
    got = {(by_customer[r["Customer number"]], r["Currency"]): {k: Decimal(r[label]) for k, label in zip(BUCKETS, BUCKET_LABELS, strict=True)} for r in rows}
    assert got == {key: {k: cents(v) for k, v in b.items()} for key, b in want.items()}
    for r in rows:
        assert Decimal(r["Total"]) == sum(Decimal(r[label]) for label in BUCKET_LABELS)

    response = manager_client.get(f"/receivables/aged/?on={day}&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    xlsx_rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert len(xlsx_rows) == len(rows)
    got = {(by_customer[r["Customer number"]], r["Currency"]): {k: cents(Decimal(str(r[label] or 0))) for k, label in zip(BUCKETS, BUCKET_LABELS, strict=True)} for r in xlsx_rows}
    assert got == {key: {k: cents(v) for k, v in b.items()} for key, b in want.items()}

    response = manager_client.get(f"/receivables/aged/?on={day}&rows=invoices&export=csv")
    invoices = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    want_invoices = {d["invoiceNumber"]: cents(owed_on(d, day, raw)) for d in raw if owed_on(d, day, raw) > 0}
    assert {r["Invoice number"]: Decimal(r["Left to pay"]) for r in invoices} == want_invoices
    assert all(int(r["Days overdue"]) == late_days(next(d for d in raw if d["invoiceNumber"] == r["Invoice number"]), day) for r in invoices)


def aged_of(client, day: dt.date) -> dict[str, tuple[str, Decimal]]:
    """invoice number -> (age bucket label, left), from the per-invoice download."""
    response = client.get(f"/receivables/aged/?on={day}&rows=invoices&export=csv")
    return {r["Invoice number"]: (r["Age"], Decimal(r["Left to pay"])) for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}


def test_an_invoice_counts_from_the_stockholm_day_it_was_sent_until_the_day_it_was_paid(manager_client, db):
    make_invoice_copy([
        # Sent 31 March 22:30 UTC = 1 April 00:30 in Stockholm (summer time); paid 15 April.
        doc("201", "1000", sentDate="2026-03-31T22:30:00.000Z", dueDate=midnight(dt.date(2026, 4, 10)),
            paymentDate=midnight(dt.date(2026, 4, 15))),
    ])
    assert aged_of(manager_client, dt.date(2026, 3, 31)) == {}
    assert aged_of(manager_client, dt.date(2026, 4, 1)) == {"201": ("Not due", Decimal("1000"))}
    assert aged_of(manager_client, dt.date(2026, 4, 10)) == {"201": ("Not due", Decimal("1000"))}
    assert aged_of(manager_client, dt.date(2026, 4, 14)) == {"201": ("1–30 days", Decimal("1000"))}
    assert aged_of(manager_client, dt.date(2026, 4, 15)) == {}


@pytest.mark.parametrize(
    ("due", "day", "label"),
    [
        # Summer time starts 29 March 2026: due that day, sent as 28 March 23:00 UTC.
        (dt.date(2026, 3, 29), dt.date(2026, 3, 29), "Not due"),
        (dt.date(2026, 3, 29), dt.date(2026, 3, 30), "1–30 days"),
        (dt.date(2026, 3, 29), dt.date(2026, 4, 28), "1–30 days"),
        (dt.date(2026, 3, 29), dt.date(2026, 4, 29), "31–60 days"),
        # Winter time starts 25 October 2026: due 26 October is 25 October 23:00 UTC.
        (dt.date(2026, 10, 26), dt.date(2026, 10, 26), "Not due"),
        (dt.date(2026, 10, 26), dt.date(2026, 11, 25), "1–30 days"),
        (dt.date(2026, 10, 26), dt.date(2026, 11, 26), "31–60 days"),
        (dt.date(2025, 10, 1), dt.date(2025, 12, 30), "61–90 days"),
        (dt.date(2025, 10, 1), dt.date(2025, 12, 31), "Over 90 days"),
    ],
)
def test_age_is_whole_stockholm_days_past_due_across_the_clock_changes(manager_client, db, due, day, label):
    make_invoice_copy([doc("301", "500", sentDate="2025-09-01T08:00:00.000Z", dueDate=midnight(due))])
    assert aged_of(manager_client, day) == {"301": (label, Decimal("500"))}


def test_part_payments_count_from_their_day_and_undated_ones_always(manager_client, db):
    payments = [
        {"_id": "p1", "paymentDate": midnight(dt.date(2026, 5, 10)), "amount": 300},
        {"_id": "p2", "paymentDate": None, "amount": 200},
        {"_id": "p3", "paymentDate": "2026-05-19T22:30:00.000Z", "amount": 100.5},  # 20 May, 00:30 in Stockholm
    ]
    make_invoice_copy([doc("401", "1000", sentDate="2026-05-01T08:00:00.000Z", dueDate=midnight(dt.date(2026, 5, 31)),
                           partiallyPaid=True, partialPayments=payments)])
    assert aged_of(manager_client, dt.date(2026, 5, 9))["401"][1] == Decimal("800")
    assert aged_of(manager_client, dt.date(2026, 5, 10))["401"][1] == Decimal("500")
    assert aged_of(manager_client, dt.date(2026, 5, 19))["401"][1] == Decimal("500")
    assert aged_of(manager_client, dt.date(2026, 5, 20))["401"][1] == Decimal("399.50")


def test_a_credited_invoice_counts_until_its_credit_note_and_the_note_never(manager_client, db):
    make_invoice_copy([
        doc("501", "2000", sentDate="2026-02-01T08:00:00.000Z", dueDate=midnight(dt.date(2026, 3, 1)),
            isCredited=True, creditInvoice="inv-502", creditInvoiceNumber="502"),
        doc("502", "-2000", sentDate="2026-02-20T08:00:00.000Z", invoiceDate=midnight(dt.date(2026, 2, 20)),
            dueDate=midnight(dt.date(2026, 3, 20)), isCreditInvoice=True, creditForInvoice="inv-501"),
        doc("503", "300", "EUR", sentDate="2026-02-01T08:00:00.000Z", dueDate=midnight(dt.date(2026, 3, 1))),
        doc("504", "999", sentDate=None, dueDate=midnight(dt.date(2026, 3, 1))),  # a draft
    ])
    assert aged_of(manager_client, dt.date(2026, 2, 19)) == {"501": ("Not due", Decimal("2000")), "503": ("Not due", Decimal("300"))}
    assert aged_of(manager_client, dt.date(2026, 2, 20)) == {"503": ("Not due", Decimal("300"))}
    totals, _customers = shown_aged(manager_client.get("/receivables/aged/?on=2026-02-19"))
    assert {code: total for code, (_n, _b, total) in totals.items()} == {"SEK": Decimal("2000.00"), "EUR": Decimal("300.00")}


def test_voided_invoices_are_never_receivables(manager_client, db):
    from dashboard.invoice_state import InvoiceState

    if not hasattr(InvoiceState, "VOIDED"):
        pytest.skip("invoice_state.py has no voided state yet (the 'receive' change adds it)")
    make_invoice_copy([doc("601", "1000", invoiceStatus=VOIDED, dueDate=midnight(dt.date(2026, 3, 1)))])
    assert aged_of(manager_client, local_today()) == {}
    dom = parse(manager_client.get("/receivables/chase/"))
    assert not with_attr(dom, "data-customer")


def test_a_malformed_day_says_so_and_shows_today(manager_client, db):
    small_copy(local_today())
    response = manager_client.get("/receivables/aged/?on=31/12/2025")
    assert response.status_code == 200
    dom = parse(response)
    assert "Enter a valid date" in dom.find("div", cls="form-errors").text()
    assert f"Aged receivables on {local_today()}" in dom.find("h1").text()


# =====================================================================================
# A customer's statement
# =====================================================================================


def statement_of(client, customer: str, lang: str = "en"):
    dom = parse(client.get(f"/receivables/statement/{customer}/?lang={lang}"))
    table = dom.find("table", cls="statement-lines")
    lines = [[c.text() for c in cells] for cells in rows_of(table)] if table else []
    totals = {row.attrs["data-currency"]: [c.text() for c in row.cells()] for row in (table.find("tfoot").find_all("tr") if table else [])}
    return dom, lines, totals


def test_statement_lists_every_open_invoice_with_totals_per_currency(manager_client, sandbox_copy):
    raw = store.all("invoices")
    open_docs = defaultdict(list)
    for d in raw:
        if owed_now(d):
            open_docs[d["customer"]].append(d)
    # A customer with part payments, and one with EUR invoices, if the demo has them.
    picks = {next(c for c, ds in open_docs.items() if any(d.get("partialPayments") for d in ds))}
    picks |= {c for c, ds in open_docs.items() if any(code_of(d) == "EUR" for d in ds)}
    for customer in sorted(picks)[:3]:
        _dom, lines, totals = statement_of(manager_client, customer)
        want = open_docs[customer]
        assert sorted(line[0].split()[0] for line in lines) == sorted(d["invoiceNumber"] for d in want)
        for line in lines:
            d = next(d for d in want if d["invoiceNumber"] == line[0].split()[0])
            assert money(line[3]) == cents(amount(d)) and line[3].endswith(code_of(d))
            assert money(line[5]) == cents(amount(d) - part_paid(d))
            assert (line[4] == "–") == (part_paid(d) == 0)
        want_totals = defaultdict(Decimal)
        for d in want:
            want_totals[code_of(d)] += amount(d) - part_paid(d)
        assert {code: money(cells[3]) for code, cells in totals.items()} == {c: cents(v) for c, v in want_totals.items()}


def test_statement_in_swedish_and_english(manager_client, db):
    small_copy(local_today())
    dom, lines, totals = statement_of(manager_client, "c-a", "sv")
    assert dom.find("h1").text() == "Kontoutdrag"
    assert dom.find("article", cls="statement").attrs["lang"] == "sv"
    assert [line[0] for line in lines] == ["101", "103"]
    assert totals["SEK"][0] == "Summa i SEK"
    assert totals["SEK"][3] == "13 500,00 SEK"  # Swedish grouping and decimal comma (text() folds the no-break space)
    dom, lines, totals = statement_of(manager_client, "c-a", "en")
    assert dom.find("h1").text() == "Statement of account"
    assert totals["SEK"][3] == "13,500.00 SEK"
    assert "1,500.00 SEK" in lines[1][4]


def test_statement_of_a_customer_with_nothing_open_says_so_and_unknown_is_404(manager_client, db):
    small_copy(local_today())
    response = manager_client.get("/receivables/statement/c-c/?lang=en")
    assert response.status_code == 200 and b"No open invoices" in response.content
    assert manager_client.get("/receivables/statement/nobody/").status_code == 404


# =====================================================================================
# ROT/RUT checks
# =====================================================================================


def house_docs(raw: list[dict], today: dt.date) -> list[dict]:
    return [d for d in raw if d.get("invoiceType") in (1, 2) and (paid_in_full(d) or owed_now(d))]


def test_rot_rut_checks_equal_the_rules_computed_from_the_sandbox(manager_client, sandbox_copy):
    raw = store.all("invoices")
    today = local_today()
    docs = house_docs(raw, today)
    assert docs and any(d["invoiceType"] == 1 for d in docs) and any(d["invoiceType"] == 2 for d in docs)
    dom = parse(manager_client.get("/receivables/rot-rut/"))

    # Per invoice: the rule in force on the payment day (today when unpaid).
    shown = {row.attrs["data-invoice"]: [c.text() for c in row.cells()] for row in dom.find("table", cls="house-invoices").find("tbody").find_all("tr")}
    assert set(shown) == {d["invoiceNumber"] for d in docs}
    differ = 0
    for d in docs:
        cells = shown[d["invoiceNumber"]]
        day = paid_in_full(d) or today
        basis = Decimal(str(d.get("houseDeductionBasisAmount") or 0))
        expected = (basis * rot_rate(d["invoiceType"], day)).quantize(Decimal(1), rounding=ROUND_FLOOR)
        limit = Decimal(str(d["houseProperties"].get("maxDeductionAmount") or 0))
        if limit:
            expected = min(expected, limit)
        on_invoice = Decimal(str(d.get("houseDeductionAmount") or 0))
        assert cells[2] == ("ROT" if d["invoiceType"] == 1 else "RUT")
        assert cells[5] == f"{int(rot_rate(d['invoiceType'], day) * 100)} %"
        assert money(cells[6]) == cents(expected), d["invoiceNumber"]
        assert money(cells[7]) == cents(on_invoice)
        assert cells[8] == ("As the rule says" if expected == on_invoice else "Differs")
        differ += expected != on_invoice
    # The sandbox deducts ROT at 30 % whatever the day: work paid 12 May - 31 Dec 2025 differs.
    assert differ == sum(1 for d in docs if d["invoiceType"] == 1 and paid_in_full(d) and dt.date(2025, 5, 12) <= paid_in_full(d) <= dt.date(2025, 12, 31) and Decimal(str(d["houseDeductionBasisAmount"])) >= 5)

    # Per person and year: each person's share of the paid invoices' deductions.
    people = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for d in docs:
        paid = paid_in_full(d)
        if not paid:
            continue
        for share in d["houseProperties"]["deductionDistribution"]:
            part = cents(Decimal(str(d["houseDeductionAmount"])) * Decimal(str(share["distributionPercent"])) / 100)
            people[paid.year, masked(share["personalNumber"], today)][0 if d["invoiceType"] == 1 else 1] += part
    rows = dom.find("table", cls="house-people").find("tbody").find_all("tr")
    got = {(int(r.attrs["data-year"]), r.attrs["data-person"]): [money(c.text()) for c in r.cells()[3:5]] for r in rows}
    assert got == {key: [cents(rot), cents(rut)] for key, (rot, rut) in people.items()}
    for row in rows:
        rot, rut = got[int(row.attrs["data-year"]), row.attrs["data-person"]]
        check = row.cells()[6].text()
        assert check == ("ROT over the ceiling" if rot > 50000 else "ROT + RUT over the ceiling" if rot + rut > 75000 else "Within the ceilings")
        assert re.fullmatch(r"(19|20)\d{6}-••••", row.attrs["data-person"])
    page_text = dom.text()
    for d in docs:
        for share in d["houseProperties"]["deductionDistribution"]:
            assert share["personalNumber"] not in page_text  # never the whole number
            assert share["personalNumber"].replace("-", "") not in page_text

    # Claims due: every paid invoice with a deduction, by 31 January of the next year.
    unclaimed = [[c.text() for c in r.cells()] for r in dom.find("table", cls="house-unclaimed").find("tbody").find_all("tr")]
    want = sorted(
        ((dt.date(paid_in_full(d).year + 1, 1, 31), d["invoiceNumber"]) for d in docs if paid_in_full(d) and Decimal(str(d["houseDeductionAmount"])) > 0)
    )
    assert [(row[5].split()[0], row[0]) for row in unclaimed] == [(f"{day}", number) for day, number in want]
    assert all(("passed" in row[5]) == (dt.date.fromisoformat(row[5].split()[0]) < today) for row in unclaimed)


def test_a_manager_records_a_claim_and_the_invoice_leaves_the_claims_due(manager_client, sandbox_copy):
    raw = store.all("invoices")
    d = next(d for d in house_docs(raw, local_today()) if paid_in_full(d) and d["houseDeductionAmount"])
    response = manager_client.post("/receivables/rot-rut/claim/", {"invoice_id": d["_id"], "claimed_on": "2026-01-20"})
    assert response.status_code == 302
    dom = parse(manager_client.get("/receivables/rot-rut/"))
    numbers = [r.attrs["data-invoice"] for r in dom.find("table", cls="house-unclaimed").find("tbody").find_all("tr")]
    assert d["invoiceNumber"] not in numbers
    assert manager_client.post("/receivables/rot-rut/claim/", {"invoice_id": d["_id"], "claimed_on": "soon"}).status_code == 302
    assert HouseWorkClaim.objects.get().claimed_on == dt.date(2026, 1, 20)


def rot_doc(number, paid: dt.date | None, basis, deduction, people, kind=1, **fields):
    return doc(
        number,
        str(basis),
        invoiceType=kind,
        paymentDate=midnight(paid) if paid else None,
        houseDeductionBasisAmount=basis,
        houseDeductionAmount=deduction,
        houseProperties={"maxDeductionAmount": 0, "deductionDistribution": [
            {"_id": f"{number}-{i}", "userName": name, "personalNumber": pnr, "distributionPercent": pct}
            for i, (name, pnr, pct) in enumerate(people)
        ]},
        **fields,
    )


def test_rot_rate_follows_the_payment_day_and_the_ceilings_sum_over_the_year(manager_client, db):
    anna = ("Anna Berg", "19800101-1234", 100)
    make_invoice_copy([
        rot_doc("701", dt.date(2025, 5, 11), 10000, 3000, [anna]),  # before the higher ROT
        rot_doc("702", dt.date(2025, 5, 12), 10000, 3000, [anna]),  # first day of 50 %: 5000 by the rule
        rot_doc("703", dt.date(2025, 12, 31), 100000, 50000, [anna]),
        rot_doc("704", dt.date(2026, 1, 1), 10000, 3000, [anna]),  # 30 % again
        rot_doc("705", dt.date(2025, 6, 1), 60000, 30000, [anna], kind=2),  # RUT 50 %
        rot_doc("706", dt.date(2025, 8, 1), 1000, 500, [anna], isCredited=True, creditInvoice="x"),  # credited: left out
    ])
    dom = parse(manager_client.get("/receivables/rot-rut/"))
    rows = {r.attrs["data-invoice"]: [c.text() for c in r.cells()] for r in dom.find("table", cls="house-invoices").find("tbody").find_all("tr")}
    assert set(rows) == {"701", "702", "703", "704", "705"}
    assert (rows["701"][5], rows["701"][6], rows["701"][8]) == ("30 %", "3,000.00", "As the rule says")
    assert (rows["702"][5], rows["702"][6], rows["702"][8]) == ("50 %", "5,000.00", "Differs")
    assert (rows["703"][5], rows["703"][8]) == ("50 %", "As the rule says")
    assert (rows["704"][5], rows["704"][8]) == ("30 %", "As the rule says")
    assert (rows["705"][5], rows["705"][8]) == ("50 %", "As the rule says")
    people = {(r.attrs["data-year"], r.attrs["data-person"]): [c.text() for c in r.cells()] for r in dom.find("table", cls="house-people").find("tbody").find_all("tr")}
    assert set(people) == {("2025", "19800101-••••"), ("2026", "19800101-••••")}
    y2025 = people["2025", "19800101-••••"]
    assert y2025[3:6] == ["56,000.00", "30,000.00", "86,000.00"] and y2025[6] == "ROT over the ceiling"
    assert people["2026", "19800101-••••"][6] == "Within the ceilings"
    assert "1234" not in dom.find("table", cls="house-people").text()
    deadlines = {r.attrs["data-invoice"]: r.cells()[5].text() for r in dom.find("table", cls="house-unclaimed").find("tbody").find_all("tr")}
    assert deadlines["703"].startswith("2026-01-31") and deadlines["704"].startswith("2027-01-31")


def test_rot_and_rut_together_over_75000_is_flagged(manager_client, db):
    couple = [("Bo Ek", "7505051234", 50), ("Eva Ek", "19770707-2345", 50)]
    make_invoice_copy([
        rot_doc("801", dt.date(2026, 3, 1), 200000, 60000, couple),  # 30 000 ROT each
        rot_doc("802", dt.date(2026, 4, 1), 200000, 100000, couple, kind=2),  # 50 000 RUT each
    ])
    dom = parse(manager_client.get("/receivables/rot-rut/"))
    people = {r.attrs["data-person"]: [c.text() for c in r.cells()] for r in dom.find("table", cls="house-people").find("tbody").find_all("tr")}
    assert set(people) == {"19750505-••••", "19770707-••••"}
    assert people["19750505-••••"][3:7] == ["30,000.00", "50,000.00", "80,000.00", "ROT + RUT over the ceiling"]
