"""The workbench design (issue 16): dense lists, folding filters with chips, phone
cards, pages that never scroll sideways, and charts that follow the filters."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot
from .test_browse import LISTS, ROWS, expect_query, goto, wait_until_settled
from .test_overview import manager_page  # noqa: F401 - a fixture

pytestmark = pytest.mark.e2e


def test_invoice_list_shows_twenty_rows_on_a_laptop_screen_and_no_pill_wraps(logged_in):
    page = logged_in
    goto(page, "/invoices/")
    rows = page.locator(ROWS)
    expect(rows.first).to_be_visible()
    bottoms = rows.evaluate_all("(rows) => rows.map(r => r.getBoundingClientRect().bottom)")
    fully_shown = sum(1 for bottom in bottoms if bottom <= 900)
    assert fully_shown >= 20, f"only {fully_shown} invoice rows fit on a 1366×900 screen"
    heights = rows.evaluate_all("(rows) => rows.map(r => r.getBoundingClientRect().height)")
    assert all(36 <= height <= 40 for height in heights), f"row heights {sorted(set(heights))}"
    # A pill is one line: as tall as one line of its text, however long its label.
    pills = page.locator("#results td .badge").evaluate_all(
        "(pills) => pills.map(p => [p.textContent, p.getBoundingClientRect().height,"
        " parseFloat(getComputedStyle(p).lineHeight)])"
    )
    assert pills
    wrapped = [text for text, height, line in pills if height > line * 1.5]
    assert not wrapped, f"these pills wrap: {wrapped}"
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


def test_on_a_phone_list_rows_are_cards_with_name_amount_and_state(logged_in):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    goto(page, "/invoices/")
    card = page.locator(ROWS).first
    for part in ("td.card-title", "td.card-amount", "td.card-state"):
        cell = card.locator(part)
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{part} is off-screen: {box}"
        assert cell.inner_text().strip(), f"{part} is empty"
    assert re.search(r"\d", card.locator("td.card-amount").inner_text())
    # The name and the amount share the first line; the state is on the second.
    title, amount, state = (card.locator(p).bounding_box() for p in ("td.card-title", "td.card-amount", "td.card-state"))
    assert abs(title["y"] - amount["y"]) < 8 and state["y"] > title["y"]
    expect(page.locator("#results thead")).not_to_be_in_viewport()
    screenshot(page, "list-invoices-phone")


def test_filter_chips_show_active_filters_and_removing_one_removes_the_filter(logged_in):
    page = logged_in
    goto(page, "/invoices/?state=overdue&currency=SEK")
    chips = page.locator("#results .filter-chips a")
    expect(chips).to_have_count(2)
    expect(chips.first).to_contain_text("State")
    expect(chips.first).to_contain_text("Overdue")
    expect(page.locator(".filter-toggle .filter-count")).to_have_text("2")
    page.evaluate("window.__marker = 1")
    chips.first.click()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('state')")
    wait_until_settled(page)
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of updated by htmx"
    expect_query(page, currency="SEK")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("SEK")
    expect(page.locator(".filter-toggle .filter-count")).to_have_text("1")
    # Focus does not fall back to the page: it is on the next chip.
    expect(chips.first).to_be_focused()
    page.locator(".filter-toggle").click()
    expect(page.locator("#id_state")).to_have_value("")
    expect(page.locator("#id_currency")).to_have_value("SEK")
    # Choosing a filter adds its chip.
    page.select_option("#id_state", "paid")
    expect_query(page, state="paid")
    expect(chips).to_have_count(2)


def test_filters_fold_away_and_open_with_the_keyboard(logged_in):
    page = logged_in
    goto(page, "/customers/")
    filters = page.locator("#filters")
    toggle = page.locator(".filter-toggle")
    expect(filters).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('filter-toggle')"):
            break
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(filters).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#id_name")).to_be_focused()
    page.keyboard.type("berg")
    expect_query(page, name="berg")
    wait_until_settled(page)
    toggle.focus()
    page.keyboard.press("Space")
    expect(filters).to_be_hidden()
    expect(page.locator("#results .filter-chips a")).to_have_count(1)


def test_the_menu_folds_away_on_a_phone_and_opens_with_the_keyboard(logged_in):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    goto(page, "/customers/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    page.locator(".nav-toggle").focus()
    page.keyboard.press("Enter")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Invoices", exact=True)).to_be_in_viewport()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(page.locator(".nav-toggle")).to_be_focused()


def test_month_chart_follows_the_period_filter_and_has_a_table_of_the_same_figures(manager_page):
    page = manager_page
    start = (dt.date.today() - dt.timedelta(days=150)).replace(day=1)
    firsts = [start, (start + dt.timedelta(days=32)).replace(day=1), (start + dt.timedelta(days=63)).replace(day=1)]
    end = (start + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    goto(page, f"/overview/?date_from={start}&date_to={end}")
    months = page.locator("section.months")
    expect(months.locator("table tbody tr")).to_have_count(3)
    assert months.locator("table tbody th").all_inner_texts() == [f"{day:%Y-%m}" for day in firsts]
    chart = months.locator("svg.chart").first
    expect(chart.locator("rect.bar")).to_have_count(3)
    expect(chart.locator("text.tick").first).to_be_visible()  # a value axis
    # Each month's value label says the table's figure, short.
    labels = chart.locator("text.axis:not(.year)").all_text_contents()
    assert labels == [f"{day:%b}" for day in firsts]
    values = chart.locator("text.value").all_text_contents()
    assert values and all(re.fullmatch(r"[\d.]+[kM]?", value) for value in values), values
    # Readable on a phone: month labels at least 11 px.
    page.set_viewport_size({"width": 390, "height": 844})
    size = chart.locator("text.axis").first.evaluate("(t) => t.getBoundingClientRect().height")
    assert size >= 11, f"month labels are {size:.1f} px tall on a phone"
    # Changing the period live changes the chart.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator(".filter-toggle").click()
    six = (start + dt.timedelta(days=190)).replace(day=1) - dt.timedelta(days=1)
    page.fill("#id_date_to", str(six))
    expect(months.locator("table tbody tr")).to_have_count(6)
    expect(chart.locator("rect.bar")).to_have_count(6)


@pytest.mark.parametrize("language", ["en-GB", "sv-SE"])
def test_no_page_kind_scrolls_sideways_on_a_phone(browser, live_server, superuser, language):
    from dashboard.sync import engine

    from .conftest import login

    engine.sync(full=True, entities=["invoices"])
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, locale=language)
    page = context.new_page()
    login(page, superuser.username) if language == "en-GB" else _login_sv(page, superuser.username)
    paths = ["/", "/overview/", "/overview/invoices/?overdue=1", "/sync/", "/audit/", "/settings/"]
    for _link, _heading, path, _name in LISTS:
        paths.append(path)
        paths.append(path + "new/")
    for path in paths:
        response = page.goto(path)
        assert response.ok, f"{path}: {response.status}"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} ({language}) is {overflow}px wider than a phone screen"
    context.close()


def _login_sv(page, username):
    from .conftest import PASSWORD

    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("button[type=submit]").click()


def test_downloads_a_swedish_office_opens_at_once(browser, live_server, superuser):
    """The list's "CSV" and "Excel" links in Swedish: the CSV has semicolons, decimal commas
    and a BOM, the Excel file number cells, a filter row and a frozen header; both hold every
    match, not a page of them."""
    import csv
    import io
    from pathlib import Path

    from openpyxl import load_workbook

    from tests.workbench.support import make_copy

    make_copy()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="sv-SE", accept_downloads=True
    )
    page = context.new_page()
    try:
        _login_sv(page, superuser.username)
        goto(page, "/invoices/?state=overdue")
        total = int(re.search(r"av (\d+) träffar", page.locator("#results .summary").inner_text()).group(1))
        assert total > 25  # more than one page
        with page.expect_download() as download:
            page.locator(".downloads").get_by_role("link", name="CSV").click()
        body = Path(download.value.path()).read_bytes()
        assert body.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline=""), delimiter=";"))
        header, rows = rows[0], rows[1:]
        assert len(rows) == total and len(header) > 5
        amounts = [row[header.index("Belopp inkl. moms")] for row in rows]
        # Decimal commas, never points (whole amounts have no decimals: "8578", "1724,83").
        assert all(re.fullmatch(r"-?\d+(,\d+)?", amount) for amount in amounts), amounts[:5]
        with page.expect_download() as download:
            page.locator(".downloads").get_by_role("link", name="Excel").click()
        sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
        assert sheet.max_row == total + 1
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
        assert all(isinstance(sheet.cell(row=r, column=1).value, int) for r in range(2, sheet.max_row + 1))
    finally:
        context.close()
