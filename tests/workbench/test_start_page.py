"""The start page for each role (issue 16). Every figure is computed here, again and
on its own, from the sandbox's documents: not with the code the page uses."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dashboard.models import CreateAttempt
from dashboard.templatetags.dashboard import money
from seventime.sandbox import store
from tests.browse.pages import text

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def day(value) -> dt.date | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(STOCKHOLM).date()


def left_to_pay(doc: dict, on: dt.date) -> Decimal:
    """What was left to pay on `on` (end of day), by the rules of docs/invoice-states.md
    read from the document's dates; 0 when it was not sent and unpaid then."""
    if doc.get("isCreditInvoice") or doc.get("isCredited") or doc.get("creditInvoice"):
        return Decimal(0)
    if doc.get("invoiceStatus") == 4:  # voided (Seven Time's "Obliterated"): owes nothing
        return Decimal(0)
    if day(doc.get("createDate") or doc.get("invoiceDate")) and day(doc.get("createDate") or doc.get("invoiceDate")) > on:
        return Decimal(0)
    if doc.get("archived") and (not doc.get("archivedDate") or day(doc["archivedDate"]) <= on):
        return Decimal(0)
    if doc.get("paymentDate") and day(doc["paymentDate"]) <= on:
        return Decimal(0)
    if not doc.get("sentDate") or day(doc["sentDate"]) > on:
        return Decimal(0)
    paid = sum(
        (Decimal(str(p.get("amount") or 0)) for p in doc.get("partialPayments") or []
         if not p.get("paymentDate") or day(p["paymentDate"]) <= on),
        Decimal(0),
    )
    return max(Decimal(str(doc.get("totalAmountInclTax") or 0)) - paid, Decimal(0))


def late_days(doc: dict, on: dt.date) -> int:
    due = day(doc.get("dueDate"))
    return (on - due).days if due and due < on else 0


def figures(on: dt.date) -> dict[str, tuple[Decimal, Decimal]]:
    """currency -> (outstanding, overdue) on a day."""
    sums: dict[str, list[Decimal]] = {}
    for doc in store.all("invoices"):
        left = left_to_pay(doc, on)
        if not left:
            continue
        code = (doc.get("currencyCode") or "SEK").upper()
        row = sums.setdefault(code, [Decimal(0), Decimal(0)])
        row[0] += left
        if late_days(doc, on):
            row[1] += left
    return {code: (row[0], row[1]) for code, row in sums.items()}


def a_month_before(on: dt.date) -> dt.date:
    year, month = (on.year, on.month - 1) if on.month > 1 else (on.year - 1, 12)
    for candidate in range(on.day, 27, -1):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    return dt.date(year, month, on.day)


def signed(value: Decimal, code: str) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "±") + money(abs(value), code)


def block(page: str, name: str) -> str:
    found = re.search(rf'<section class="start-block start-{name}"(.*?)</section>', page, re.S)
    return found.group(1) if found else ""


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_a_manager_sees_money_owed_per_currency_with_the_change_since_a_month_ago(copied, manager_client, seventime_down):
    today = timezone.localdate()
    now, before = figures(today), figures(a_month_before(today))
    assert len(now) >= 2, "the demo data has invoices in more than one currency"
    page = manager_client.get("/").content.decode()
    money_block = block(page, "money")
    for code in sorted(set(now) | set(before)):
        out_now, late_now = now.get(code, (Decimal(0), Decimal(0)))
        out_then, late_then = before.get(code, (Decimal(0), Decimal(0)))
        row = re.search(rf'<tr data-currency="{code}">(.*?)</tr>', money_block, re.S).group(1)
        cell = {name: text(value) for name, value in re.findall(r'data-figure="([^"]+)"[^>]*>(.*?)</', row, re.S)}
        assert cell == {
            "outstanding": money(out_now, code),
            "outstanding-change": signed(out_now - out_then, code),
            "overdue": money(late_now, code),
            "overdue-change": signed(late_now - late_then, code),
        }, code
    assert seventime_down == []


def test_a_manager_sees_the_invoices_to_chase_today_most_days_times_amount_first(copied, manager_client):
    today = timezone.localdate()
    late = [
        (late_days(doc, today) * left_to_pay(doc, today), late_days(doc, today), doc)
        for doc in store.all("invoices")
        if left_to_pay(doc, today) and late_days(doc, today)
    ]
    late.sort(key=lambda row: (-row[0], -row[1], row[2]["invoiceNumber"]))
    assert len(late) > 10
    chase = block(manager_client.get("/").content.decode(), "chase")
    assert f"({len(late)})" in text(chase)
    links = [href for href in hrefs(chase) if href.startswith("/invoices/")]
    assert links == [f"/invoices/{row[2]['_id']}/" for row in late[:10]]


def test_the_chase_block_leads_to_the_receivables_pages_for_those_who_may_see_them(copied, manager_client):
    chase = block(manager_client.get("/").content.decode(), "chase")
    for page in ("/receivables/chase/", "/receivables/aged/", "/overview/payments/"):
        assert page in hrefs(chase)
        assert manager_client.get(page).status_code == 200


def test_a_manager_sees_how_fresh_the_copy_is(copied, manager_client):
    fresh = text(block(manager_client.get("/").content.decode(), "fresh"))
    assert re.search(r"Invoices: updated \d+ (minute|minutes) ago", fresh)
    assert "Users: updated" in fresh


def test_office_staff_see_their_work_and_no_money(copied, office_client, office_user):
    customer = store.all("customers")[5]
    CreateAttempt.objects.create(
        user=office_user, username="olivia", entity="customers", token="t1", outcome="created",
        upstream_id=customer["_id"], payload={"name": customer["name"]},
    )
    CreateAttempt.objects.create(  # rejected: nothing was made
        user=office_user, username="olivia", entity="projects", token="t2", outcome="rejected", payload={"name": "Nope"},
    )
    page = office_client.get("/").content.decode()
    assert block(page, "money") == "" and block(page, "chase") == "" and block(page, "fresh") == ""
    created = block(page, "created")
    assert hrefs(created) == [f"/customers/{customer['_id']}/"]
    assert customer["name"] in text(created)
    # The newest changes of the lists an office may browse (customers, projects; not users).
    changes = sorted(
        [(doc["modifiedDate"], "customers", doc["_id"]) for doc in store.all("customers") if doc.get("modifiedDate")]
        + [(doc["modifiedDate"], "projects", doc["_id"]) for doc in store.all("projects") if doc.get("modifiedDate")],
        reverse=True,
    )
    assert hrefs(block(page, "changed")) == [f"/{kind}/{record_id}/" for _at, kind, record_id in changes[:8]]
    # Drafts: sent to nobody yet.
    drafts = [
        doc for doc in store.all("invoices")
        if not (doc.get("isCreditInvoice") or doc.get("isCredited") or doc.get("creditInvoice") or doc.get("archived")
                or doc.get("paymentDate") or doc.get("sentDate"))
    ]
    assert drafts
    draft_block = block(page, "drafts")
    assert f"({len(drafts)})" in text(draft_block)
    assert "/invoices/?state=draft" in hrefs(draft_block)
    # Quick actions: the forms office staff may use.
    assert hrefs(block(page, "new")) == ["/customers/new/", "/projects/new/", "/workorders/new/", "/invoices/new/"]
    # The search box stays.
    assert 'id="q" name="q"' in page


def test_before_the_copy_is_made_the_start_page_says_so(manager_client, seventime_down):
    page = manager_client.get("/").content.decode()
    assert "The invoices are not in the local copy yet" in text(page)
    assert "Invoices: not copied yet" in text(block(page, "fresh"))
    assert seventime_down == []


def test_a_user_without_permissions_sees_a_plain_start_page(plain_client):
    page = plain_client.get("/").content.decode()
    assert block(page, "money") == "" and block(page, "drafts") == "" and block(page, "new") == ""


ENGLISH = [
    "Owed to us", "Invoices to chase today", "Created by you lately", "Changed lately in Seven Time",
    "Invoices not sent yet", "How fresh the local copy is", "Saved views", "Find or go to", "Save this view",
    "Find a record, a page or an action", "Outstanding", "since ", "Records", "Go to",
]


def test_every_workbench_string_is_said_in_swedish(copied, manager_client):
    manager_client.cookies["django_language"] = "sv"
    pages = [
        manager_client.get("/").content.decode(),
        manager_client.get("/invoices/").content.decode(),
        manager_client.get("/views/").content.decode(),
        manager_client.get("/palette/", {"q": "berg"}, HTTP_X_PALETTE="1").content.decode(),
    ]
    seen = text(" ".join(pages))
    assert "Att få betalt" in seen and "Sparade vyer" in seen and "Spara den här vyn" in seen
    assert [phrase for phrase in ENGLISH if phrase in seen] == []
