"""The invoice overview in a real browser, as a manager: the figures, live filtering
by customer (htmx, no page load, the filter in the URL) and an aging bucket's list."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import PASSWORD, login, screenshot, show_filters

pytestmark = pytest.mark.e2e

STOCKHOLM = ZoneInfo("Europe/Stockholm")
BUCKET_DAYS = {"1-30": (1, 30), "31-60": (31, 60), "61-90": (61, 90), "90+": (91, 10**6)}


def managers_group():
    """The "Managers" group of the data migration (transactional tests empty the
    database, groups included, so it is made again from the migration when needed)."""
    from django.contrib.auth.models import Group, Permission

    codenames = importlib.import_module("dashboard.migrations.0002_groups").MANAGERS
    group, created = Group.objects.get_or_create(name="Managers")
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="dashboard", codename__in=codenames))
    return group


@pytest.fixture
def manager_page(page, django_user_model, sandbox_data):
    """Logged in as a manager, with the copy of the invoices made (as the worker
    would have made it: tests/e2e/test_sync_page.py follows the worker)."""
    from dashboard.sync import engine

    engine.sync(full=True, entities=["invoices"])
    user = django_user_model.objects.create_user("maja", password=PASSWORD)
    user.groups.add(managers_group())
    login(page, "maja")
    return page


def assert_no_traceback(page: Page) -> None:
    text = page.locator("body").inner_text()
    for sign in ("Traceback (most recent call last)", "Internal Server Error", "Server Error (500)"):
        assert sign not in text, f"{page.url} shows an error page:\n{text[:2000]}"


def expect_query(page: Page, timeout: float = 8_000, **params: str) -> None:
    try:
        page.wait_for_function(
            "(params) => { const query = new URLSearchParams(location.search);"
            " return Object.entries(params).every(([key, value]) => query.get(key) === value); }",
            arg=params,
            timeout=timeout,
        )
    except PlaywrightTimeout:
        raise AssertionError(f"the URL never got {params}: it is {page.url}") from None


def wait_until_settled(page: Page) -> None:
    page.wait_for_function("!document.querySelector('.htmx-request')")


def card_figure(page: Page, currency: str, term: str) -> str:
    card = page.locator("section.cards article.card").filter(has=page.locator("h2", has_text=currency))
    return card.locator(f"dt:text-is('{term}') + dd").inner_text().strip()


def aging_rows(page: Page) -> list[dict]:
    rows = []
    table = page.locator("section").filter(has=page.get_by_role("heading", name="Overdue by age")).locator("table")
    for row in table.locator("tbody tr").all():
        link = row.locator("th a")
        href = link.get_attribute("href")
        rows.append(
            {
                "label": link.inner_text().strip(),
                "href": href,
                "bucket": parse_qs(urlsplit(href).query)["bucket"][0],
                "count": int(row.locator("td").first.inner_text()),
                "link": link,
            }
        )
    return rows


def test_manager_narrows_the_overview_by_customer_and_follows_an_aging_bucket(manager_page):
    page = manager_page
    response = page.goto("/overview/")  # the first visit makes the local copy (some 240 API calls)
    assert response is not None and response.ok
    assert_no_traceback(page)
    expect(page.get_by_role("heading", name="Invoice overview", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview")).to_have_attribute(
        "aria-current", "page"
    )

    # What the figures cover, and the key figure cards per currency.
    coverage = page.locator("p.coverage")
    expect(coverage).to_contain_text(re.compile(r"These figures cover all 600 invoices in Seven Time as of \d{4}-\d\d-\d\d"))
    expect(page.locator("section.cards article.card h2")).to_have_text(["SEK", "EUR"])
    sek_outstanding = card_figure(page, "SEK", "Outstanding")
    sek_overdue = card_figure(page, "SEK", "Overdue")
    assert sek_outstanding.endswith(" SEK") and sek_overdue.endswith(" SEK")
    all_aging = {row["bucket"]: row["count"] for row in aging_rows(page)}
    assert list(all_aging) == ["1-30", "31-60", "61-90", "90+"] and all(all_aging.values())
    expect(page.locator("svg.chart").first).to_be_visible()
    screenshot(page, "overview")

    # Pick the customer owing the most (first in the top-10 table) and type its name.
    top = page.locator("section").filter(has=page.get_by_role("heading", name="Outstanding by customer, top 10"))
    customer = top.locator("tbody th a").first.inner_text().strip()
    assert customer
    page.evaluate("window.__marker = 1")
    show_filters(page)
    field = page.get_by_label("Customer name or number")
    field.fill("")
    field.press_sequentially(customer, delay=20)
    expect_query(page, customer=customer)
    wait_until_settled(page)
    expect(coverage).to_contain_text(re.compile(r"\d+ of them match(es)? the filters\."))
    expect(page.locator("section.cards article.card").first).to_be_visible()
    assert card_figure(page, "SEK", "Outstanding") != sek_outstanding
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of updated by htmx"
    expect(field).to_have_value(customer)
    # Every overdue row now belongs to that customer.
    overdue_customers = page.locator("#overdue tbody tr td:nth-child(2)").all_inner_texts()
    assert overdue_customers and {name.strip() for name in overdue_customers} == {customer}, overdue_customers
    filtered_aging = aging_rows(page)
    assert sum(row["count"] for row in filtered_aging) == len(overdue_customers)
    screenshot(page, "overview-filtered")

    # Follow a bucket that has invoices: its list holds exactly those invoices.
    row = next(row for row in filtered_aging if row["count"])
    assert parse_qs(urlsplit(row["href"]).query) == {"bucket": [row["bucket"]], "customer": [customer]}
    with page.expect_navigation():
        row["link"].click()
    expect(page).to_have_url(re.compile(r"/overview/invoices/\?"))
    expect_query(page, bucket=row["bucket"], customer=customer)
    assert_no_traceback(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Overdue {row['label']}")
    expect(page.get_by_label("Customer name or number")).to_have_value(customer)
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(row["count"])
    today = dt.datetime.now(STOCKHOLM).date()
    low, high = BUCKET_DAYS[row["bucket"]]
    for index in range(row["count"]):
        cells = rows.nth(index).locator("td")
        assert cells.nth(1).inner_text().strip() == customer
        due = dt.date.fromisoformat(cells.nth(3).inner_text().strip())
        assert low <= (today - due).days <= high, (due, row["bucket"])
        assert int(cells.nth(6).inner_text()) == (today - due).days  # the "Days overdue" column
        assert cells.nth(7).inner_text().strip() in ("Overdue", "Partially paid")
    expect(page.locator("p.coverage")).to_contain_text("all 600 invoices")
    screenshot(page, "overview-bucket")

    # Back to the overview through the breadcrumb, with the customer filter kept.
    with page.expect_navigation():
        page.locator(".breadcrumb").get_by_role("link", name="Invoice overview").click()
    expect(page).to_have_url(re.compile(r"/overview/\?"))
    expect_query(page, customer=customer)
    assert "bucket" not in parse_qs(urlsplit(page.url).query)
    expect(page.get_by_label("Customer name or number")).to_have_value(customer)
    expect(page.locator("p.coverage")).to_contain_text("match")


def test_overview_in_a_narrow_window(manager_page):
    page = manager_page
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto("/overview/")
    assert response is not None and response.ok
    expect(page.locator("p.coverage")).to_contain_text("600 invoices")
    # Nothing wider than the window but the scrollable tables.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a phone screen"
    screenshot(page, "overview-mobile")
