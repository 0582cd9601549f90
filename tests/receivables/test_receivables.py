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
