"""A 10,000-character name from the API never widens a page or a table: lists and the
create log cut it short in the cell (the whole text in its tooltip), page titles are
cut, the record's own page wraps it."""

import pytest
from playwright.sync_api import Page, expect

from dashboard.models import CreateAttempt
from seventime.sandbox import store

from .test_browse import goto

pytestmark = pytest.mark.e2e

LONG_NAME = "Långnamn" + "x" * 9_992  # no space anywhere: nothing to wrap at


def add_customer_and_invoice_named(name: str) -> dict:
    customer = {**store.all("customers")[0], "_id": "c0ffee0000000000000000aa", "customerNumber": "999999", "name": name}
    store.add("customers", customer)
    invoice = {**store.all("invoices")[0], "_id": "c0ffee0000000000000000bb", "invoiceNumber": "999999"}
    store.add("invoices", {**invoice, "customer": customer["_id"], "customerName": name, "customerNumber": "999999"})
    return customer


def assert_nothing_wider_than_the_window(page: Page, *, tables: bool = True) -> None:
    """The page does not scroll sideways, and (on a desktop screen) no table is wider than its box."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the window"
    if tables:
        widths = page.evaluate(
            "Array.from(document.querySelectorAll('table')).map(t => [t.scrollWidth, t.parentElement.clientWidth])"
        )
        assert widths and all(table <= box + 1 for table, box in widths), widths


def rem(page: Page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_10000_character_name_never_widens_a_list(logged_in, width):
    page = logged_in
    page.set_viewport_size({"width": width, "height": 900})
    customer = add_customer_and_invoice_named(LONG_NAME)
    for path in ("/customers/?customer_number=999999", "/invoices/?invoice_number=999999"):
        goto(page, path)
        # A phone's table scrolls in its box anyway (it has more columns than fit).
        assert_nothing_wider_than_the_window(page, tables=width > 1000)
        cell = page.locator("#results tbody .clip", has_text="Långnamn").first
        assert cell.get_attribute("title") == LONG_NAME  # the whole name, on hovering
        # On a laptop a cell; on a phone the row is a card whose name takes the line.
        assert cell.bounding_box()["width"] <= (15 * rem(page) if width > 1000 else width) + 1
    goto(page, f"/customers/{customer['_id']}/")
    assert len(page.title()) <= 100, len(page.title())
    assert page.title().startswith("Långnamn")
    assert_nothing_wider_than_the_window(page, tables=False)  # the contact persons' table is empty


def test_a_10000_character_name_never_widens_the_create_log(logged_in, superuser):
    page = logged_in
    CreateAttempt.objects.create(
        user=superuser,
        username=superuser.username,
        entity="customers",
        token="t" * 32,
        outcome="rejected",
        error=f"name {LONG_NAME} is already in use",
        payload={"name": LONG_NAME},
    )
    goto(page, "/audit/")
    page.get_by_text("Show", exact=True).click()  # what was sent
    assert_nothing_wider_than_the_window(page)
    assert page.locator("tbody .clip", has_text="Långnamn").first.get_attribute("title") == LONG_NAME
