"""Browsing the dashboard in a real browser: the live server, the sandbox's demo
data and Chromium, end to end."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from seventime.sandbox.demo import SCRIPT_CUSTOMER_NAME

from .conftest import PASSWORD, login, screenshot, show_filters

pytestmark = pytest.mark.e2e

ROWS = "#results tbody tr"
LISTS = [  # (nav link, heading, path, screenshot name)
    ("Customers", "Customers", "/customers/", "list-customers"),
    ("Projects", "Projects", "/projects/", "list-projects"),
    ("Work orders", "Work orders", "/workorders/", "list-workorders"),
    ("Invoices", "Invoices", "/invoices/", "list-invoices"),
    ("Users", "Users", "/users/", "list-users"),
]


# --- helpers ---


def goto(page: Page, path: str):
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    assert_no_traceback(page)
    return response


def assert_no_traceback(page: Page) -> None:
    text = page.locator("body").inner_text()
    for sign in ("Traceback (most recent call last)", "Internal Server Error", "Server Error (500)"):
        assert sign not in text, f"{page.url} shows an error page:\n{text[:2000]}"


def column(page: Page, index: int) -> list[str]:
    """The texts of one column (0-based) of the results table, in order."""
    return page.locator(f"{ROWS} td:nth-child({index + 1})").all_inner_texts()


def header_index(page: Page, label: str) -> int:
    labels = [text.strip(" ▲▼\n") for text in page.locator("#results thead th").all_inner_texts()]
    return labels.index(label)


def expect_query(page: Page, /, timeout: float = 5_000, **params: str) -> None:
    """Wait until the address bar's query has these parameters (parsed, so `??x=1` does not count)."""
    try:
        page.wait_for_function(
            "(params) => { const query = new URLSearchParams(location.search);"
            " return Object.entries(params).every(([key, value]) => query.get(key) === value); }",
            arg=params,
            timeout=timeout,
        )
    except PlaywrightTimeout:
        raise AssertionError(f"the URL never got {params}: it is {page.url}") from None


def link_query(link) -> dict[str, str]:
    """The query parameters of the URL a link leads to, as the browser resolves it."""
    return link.evaluate("(a) => Object.fromEntries(new URL(a.href).searchParams)")


def mark_page(page: Page) -> None:
    """A flag that only survives while no full page load happens."""
    page.evaluate("window.__marker = 1")


def assert_no_full_load(page: Page) -> None:
    assert page.evaluate("window.__marker") == 1, "the page was reloaded instead of updated by htmx"


def wait_until_settled(page: Page) -> None:
    """No htmx request in flight any more."""
    page.wait_for_function("!document.querySelector('.htmx-request')")


def release_late(page: Page, held: list) -> None:
    """Let held requests go and wait until each has ended (answered, or aborted by the
    page) and htmx has done whatever it does with an answer."""
    for route in held:
        try:
            route.continue_()
        except Exception:  # noqa: BLE001 - the request was aborted by the page
            pass
        route.request.response()  # its answer, or None once it failed
    wait_until_settled(page)


def type_filter(page: Page, selector: str, text: str, *, keystrokes: bool = True) -> None:
    """Type into a field key by key, like a person. On a slow machine a pause between
    keys can let htmx send (and push to history) an intermediate value; tests that
    count history entries pass keystrokes=False: one input event, one entry."""
    show_filters(page)
    field = page.locator(selector)
    if keystrokes:
        field.fill("")
        field.press_sequentially(text, delay=30)
    else:
        field.fill(text)


# --- logging in and out ---


def test_login_logout_and_anonymous_redirect(page, superuser):
    goto(page, "/customers/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/customers/$"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot(page, "login")

    # A wrong password keeps us on the form with an explanation.
    page.fill("#id_username", superuser.username)
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".form-errors")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login/"))

    # The right one leads to the page asked for.
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    expect(page.get_by_role("heading", name="Customers", level=1)).to_be_visible()
    assert_no_traceback(page)

    # Log out is a POST button in the account menu of the header; it returns to the login page.
    page.locator("summary", has_text=superuser.username).click()
    logout = page.get_by_role("button", name=f"Log out {superuser.username}")
    expect(logout).to_be_visible()
    with page.expect_navigation():
        logout.click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("#id_username")).to_be_visible()

    # And the session is really gone.
    goto(page, "/customers/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/customers/$"))


def test_office_staff_cannot_open_users(page, django_user_model):
    user = django_user_model.objects.create_user("olle", password=PASSWORD)
    user.groups.add(office_staff_group())
    login(page, "olle")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Invoices", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Users", exact=True)).to_have_count(0)
    expect(page.locator(".sections").get_by_role("link", name="Users")).to_have_count(0)
    response = page.goto("/users/")
    assert response.status == 403
    assert_no_traceback(page)
    expect(page.locator("main h1")).to_be_visible()
    screenshot(page, "error-403")


def office_staff_group():
    """The "Office staff" group of the data migration. Transactional tests empty the
    database, groups included, so it is made again from the migration when needed."""
    import importlib

    from django.contrib.auth.models import Group, Permission

    codenames = importlib.import_module("dashboard.migrations.0002_groups").OFFICE_STAFF
    group, created = Group.objects.get_or_create(name="Office staff")
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="dashboard", codename__in=codenames))
    return group


# --- lists ---


def test_every_list_shows_rows(logged_in):
    page = logged_in
    expect(page.get_by_role("heading", name="Seven Time dashboard")).to_be_visible()
    screenshot(page, "home")
    for link, heading, path, name in LISTS:
        page.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.locator(ROWS).first).to_be_visible()
        assert page.locator(ROWS).count() > 1, f"{path} shows no rows"
        expect(page.locator("#results .summary")).to_contain_text("Showing 1–")
        # The current section is marked in the navigation.
        expect(page.get_by_role("link", name=link, exact=True)).to_have_attribute("aria-current", "page")
        assert_no_traceback(page)
        screenshot(page, name)


def test_filter_updates_rows_in_place_and_back_restores(logged_in):
    page = logged_in
    goto(page, "/customers/")
    unfiltered = column(page, 1)
    mark_page(page)

    type_filter(page, "#id_name", "berg", keystrokes=False)
    expect_query(page, name="berg")
    wait_until_settled(page)
    names = column(page, 1)
    assert names and names != unfiltered
    assert all("berg" in name.casefold() for name in names), names
    assert_no_full_load(page)
    screenshot(page, "list-customers-filtered")

    type_filter(page, "#id_name", "bergström", keystrokes=False)
    expect_query(page, name="bergström")
    wait_until_settled(page)
    narrower = column(page, 1)
    assert narrower and narrower != names
    assert all("bergström" in name.casefold() for name in narrower), narrower
    assert_no_full_load(page)

    # Back: the previous filter comes back - URL, rows and the input's value.
    page.go_back()
    expect_query(page, name="berg")
    expect(page.locator("#id_name")).to_have_value("berg")
    wait_until_settled(page)
    expect(page.locator(f"{ROWS} td:nth-child(2)")).to_have_text(names)

    # Back once more: the unfiltered list.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    expect(page.locator("#id_name")).to_have_value("")
    wait_until_settled(page)
    expect(page.locator(f"{ROWS} td:nth-child(2)")).to_have_text(unfiltered)
    assert_no_traceback(page)


def test_city_filter(logged_in):
    page = logged_in
    goto(page, "/customers/")
    mark_page(page)
    type_filter(page, "#id_city", "Höganäs")
    expect_query(page, city="Höganäs")
    wait_until_settled(page)
    cities = column(page, header_index(page, "City"))
    assert cities and set(cities) == {"Höganäs"}, cities
    assert_no_full_load(page)

    type_filter(page, "#id_city", "Nowhere at all")
    expect_query(page, city="Nowhere at all")
    expect(page.locator("#results .summary")).to_have_text("Nothing matches these filters.")
    expect(page.locator(ROWS)).to_have_count(0)

    # A select filters too, without a button.
    show_filters(page)
    page.locator("#id_city").fill("")
    page.select_option("#id_active", "false")
    expect_query(page, active="false")
    wait_until_settled(page)
    expect(page.locator(ROWS).first).to_be_visible()
    assert set(column(page, header_index(page, "Active"))) == {"Inactive"}
    assert_no_full_load(page)


PERIOD_ERROR = "The end of the period is before its start."


def test_invalid_filter_error_on_a_full_page(logged_in):
    page = logged_in
    goto(page, "/invoices/?date_from=2026-12-01&date_to=2026-01-01")
    expect(page.get_by_role("alert").filter(has_text=PERIOD_ERROR).first).to_be_visible()
    expect(page.locator("#id_date_to")).to_have_value("2026-01-01")


def test_invalid_filter_error_while_filtering(logged_in):
    page = logged_in
    goto(page, "/invoices/")
    mark_page(page)
    show_filters(page)
    page.fill("#id_date_from", "2026-12-01")
    page.fill("#id_date_to", "2026-01-01")
    expect_query(page, date_from="2026-12-01", date_to="2026-01-01")
    wait_until_settled(page)
    assert_no_full_load(page)
    assert_no_traceback(page)
    expect(page.get_by_role("alert").filter(has_text=PERIOD_ERROR).first).to_be_visible()


def test_loading_indicator_shows_during_a_request(logged_in):
    page = logged_in
    goto(page, "/customers/")
    held = []

    def hold_partials(route):
        # Hold htmx's requests until the test lets them go; let anything else through.
        if route.request.headers.get("hx-request"):
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/customers/\?"), hold_partials)
    expect(page.locator("#loading")).to_be_hidden()
    with page.expect_request(lambda request: bool(request.headers.get("hx-request"))):
        type_filter(page, "#id_name", "berg", keystrokes=False)  # one request

    expect(page.locator("#results")).to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(page.locator("#loading")).to_be_visible()
    assert held, "typing into the filter sent no htmx request"

    for route in held:
        route.continue_()
    expect_query(page, name="berg")
    expect(page.locator("#results")).not_to_have_class(re.compile(r"\bhtmx-request\b"))
    expect(page.locator("#loading")).to_be_hidden()
    page.unroute(re.compile(r"/customers/\?"))


def test_sorting_by_a_column(logged_in):
    page = logged_in
    goto(page, "/customers/")
    city = header_index(page, "City")
    before = column(page, city)
    mark_page(page)

    link = page.locator("#results thead").get_by_role("link", name="City")
    assert link_query(link) == {"sort": "city", "dir": "ascending"}, link.get_attribute("href")
    link.click()
    expect_query(page, sort="city", dir="ascending")
    expect(page.locator(f"#results thead th:nth-child({city + 1})")).to_have_attribute("aria-sort", "ascending")
    wait_until_settled(page)
    ascending = column(page, city)
    assert ascending != before
    assert ascending == sorted(ascending, key=str.casefold), ascending
    assert_no_full_load(page)

    # Again: descending.
    page.locator("#results thead").get_by_role("link", name="City").click()
    expect_query(page, sort="city", dir="descending")
    expect(page.locator(f"#results thead th:nth-child({city + 1})")).to_have_attribute("aria-sort", "descending")
    wait_until_settled(page)
    descending = column(page, city)
    assert descending != ascending
    assert descending == sorted(descending, key=str.casefold, reverse=True), descending

    # Filtering keeps the chosen sort.
    type_filter(page, "#id_name", "berg", keystrokes=False)
    expect_query(page, name="berg", sort="city", dir="descending")
    wait_until_settled(page)
    cities = column(page, city)
    assert cities == sorted(cities, key=str.casefold, reverse=True), cities
    assert_no_full_load(page)

    # Back to the ascending sort: URL, marker on the header and rows.
    page.go_back()
    page.go_back()
    expect_query(page, sort="city", dir="ascending")
    expect(page.locator(f"#results thead th:nth-child({city + 1})")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator(f"{ROWS} td:nth-child({city + 1})")).to_have_text(ascending)


def test_filtering_keeps_the_table_head_and_its_links_follow_the_filters(logged_in):
    """A filter answer leaves out the table head the page already shows (the sort did not
    change): the browser keeps its head, and the sort and download links, which the
    server did not send again, carry the new filters all the same."""
    page = logged_in
    goto(page, "/customers/?sort=city&dir=descending")
    page.evaluate("document.querySelector('#list-head').dataset.marker = 'first'")
    before = column(page, 1)
    mark_page(page)

    type_filter(page, "#id_name", "berg")
    expect_query(page, name="berg", sort="city", dir="descending")
    wait_until_settled(page)
    names = column(page, 1)
    assert names != before and names and all("berg" in name.casefold() for name in names), names
    assert_no_full_load(page)
    head = page.locator("#list-head")
    expect(head).to_have_attribute("data-marker", "first")  # kept, not sent again
    expect(head.locator("th[aria-sort='descending']")).to_contain_text("City")

    sort_by = lambda label: head.get_by_role("link", name=label)  # noqa: E731
    assert link_query(sort_by("City")) == {"name": "berg", "sort": "city", "dir": "ascending"}
    assert link_query(sort_by("Name")) == {"name": "berg", "sort": "name", "dir": "ascending"}
    csv = page.locator(".list-actions").get_by_role("link", name="CSV")
    assert link_query(csv) == {"name": "berg", "sort": "city", "dir": "descending", "export": "csv"}

    # A sort chosen after filtering keeps the filter, and brings its own head.
    sort_by("Name").click()
    expect_query(page, name="berg", sort="name", dir="ascending")
    expect(head.locator("th[aria-sort='ascending']")).to_contain_text("Name")
    wait_until_settled(page)
    by_name = column(page, 1)
    assert by_name == sorted(by_name, key=str.casefold) and all("berg" in name.casefold() for name in by_name)
    assert_no_full_load(page)

    # The filter emptied: the links lose it too.
    type_filter(page, "#id_name", "", keystrokes=False)
    expect_query(page, sort="name", dir="ascending")
    page.wait_for_function("() => !new URL(location.href).searchParams.has('name')")
    wait_until_settled(page)
    assert link_query(sort_by("City")) == {"sort": "city", "dir": "ascending"}
    assert link_query(csv) == {"sort": "name", "dir": "ascending", "export": "csv"}


def test_a_sort_click_right_after_the_rows_change_keeps_the_new_filter(logged_in):
    """htmx sets a boosted link up with its address; the kept head's links get new
    addresses when the rows arrive and must be set up again at once, not ~20 ms later."""
    page = logged_in
    goto(page, "/customers/?sort=city&dir=descending")
    page.evaluate(
        """() => document.body.addEventListener("htmx:afterSwap", () => setTimeout(
             () => document.querySelector("#list-head th:nth-child(2) a").click(), 5), {once: true})"""
    )
    show_filters(page)
    page.locator("#id_name").fill("berg")
    expect_query(page, name="berg", sort="name", dir="ascending")
    wait_until_settled(page)
    names = column(page, 1)
    assert names and all("berg" in name.casefold() for name in names), names


def test_after_an_error_the_list_keeps_its_sort_and_hides_downloads(logged_in):
    page = logged_in
    goto(page, "/customers/?sort=city&dir=descending")
    downloads = page.locator(".list-actions .downloads")
    expect(downloads).to_be_visible()

    # Seven Time fails once: the results show the error (and no table head).
    page.route(
        re.compile(r"/customers/\?(.*&)?name=ber&"),
        lambda route: route.fulfill(
            status=502,
            content_type="text/html",
            body='<div class="api-error inline" role="alert"><p><strong>Seven Time is not answering.</strong></p></div>',
        ),
        times=1,
    )
    type_filter(page, "#id_name", "ber", keystrokes=False)
    expect(page.locator("#results .api-error")).to_be_visible()
    expect(downloads).to_be_hidden()
    assert [error.split()[0] for error in page.watch.server_errors] == ["502"]
    page.watch.server_errors.clear()  # the one we made up

    # The next keystroke works again, still sorted by city, descending, with its head.
    type_filter(page, "#id_name", "berg", keystrokes=False)
    expect_query(page, name="berg", sort="city", dir="descending")
    expect(page.locator("#list-head th[aria-sort='descending']")).to_contain_text("City")
    wait_until_settled(page)
    cities = column(page, header_index(page, "City"))
    assert cities == sorted(cities, key=str.casefold, reverse=True), cities
    expect(downloads).to_be_visible()

    # Nothing to download when nothing matches.
    type_filter(page, "#id_name", "zzzzqx", keystrokes=False)
    expect(page.locator("#results .summary")).to_have_text("Nothing matches these filters.")
    expect(downloads).to_be_hidden()


def test_two_quick_steps_back_show_the_rows_of_the_last_one(logged_in):
    """Back re-renders from the server. When the answer for the first step back arrives
    after the answer for the second, the page must still show the rows of the address
    in the bar (the older request is cancelled), not the late ones."""
    page = logged_in
    goto(page, "/customers/?sort=city&dir=ascending")
    city = header_index(page, "City")
    ascending = column(page, city)
    mark_page(page)
    page.locator("#results thead").get_by_role("link", name="City").click()
    expect_query(page, sort="city", dir="descending")
    wait_until_settled(page)
    descending = column(page, city)
    assert descending != ascending
    type_filter(page, "#id_name", "berg", keystrokes=False)
    expect_query(page, name="berg")
    wait_until_settled(page)

    # The restore request for the first step back (?sort=city&dir=descending) is held
    # in the browser until we let it go, after the second step has been shown.
    held = []

    def hold_descending(route):
        if route.request.headers.get("hx-history-restore-request") and "dir=descending" in route.request.url:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/customers/\?"), hold_descending)
    page.go_back()
    page.wait_for_function("() => new URLSearchParams(location.search).get('dir') === 'descending'")
    page.go_back()
    expect_query(page, sort="city", dir="ascending")
    expect(page.locator(f"{ROWS} td:nth-child({city + 1})")).to_have_text(ascending)
    assert held, "the first step back never asked the server"

    release_late(page, held)  # the late answer (the browser has given up on it: nothing to deliver)
    expect(page.locator(f"#results thead th:nth-child({city + 1})")).to_have_attribute("aria-sort", "ascending")
    assert column(page, city) == ascending, "a late answer for an older address replaced the rows"
    assert_no_full_load(page)


def test_back_while_a_filter_request_is_on_its_way(logged_in):
    """Stepping back while a filter answer is still coming: the late answer neither
    replaces the rows nor pushes its address on top of the step back."""
    page = logged_in
    goto(page, "/customers/")
    rows = column(page, 1)
    type_filter(page, "#id_city", "Båstad", keystrokes=False)
    expect_query(page, city="Båstad")
    wait_until_settled(page)
    mark_page(page)

    held = []

    def hold_filter(route):
        if route.request.headers.get("hx-request") and not route.request.headers.get("hx-history-restore-request"):
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/customers/\?"), hold_filter)
    type_filter(page, "#id_city", "Örebro", keystrokes=False)
    page.wait_for_function("() => document.querySelector('.htmx-request') !== null")
    page.go_back()
    page.wait_for_url(re.compile(r"/customers/$"))
    expect(page.locator(f"{ROWS} td:nth-child(2)")).to_have_text(rows)
    release_late(page, held)
    assert urlsplit(page.url).query == "", page.url
    assert column(page, 1) == rows, "a late filter answer replaced the rows after the step back"
    assert_no_full_load(page)


def test_typing_then_back_before_the_filter_fires(logged_in):
    """Back within the filter's 300 ms delay: the delayed filter request must not go
    out while the page is being restored, or its address would end up in the bar
    over rows that do not match it."""
    page = logged_in
    goto(page, "/customers/")
    rows = column(page, 1)
    type_filter(page, "#id_city", "Båstad", keystrokes=False)
    expect_query(page, city="Båstad")
    wait_until_settled(page)
    mark_page(page)

    held, filtered = [], []

    def hold_restore(route):
        headers = route.request.headers
        if headers.get("hx-history-restore-request"):
            held.append(route)
            return
        if headers.get("hx-request"):
            filtered.append(route.request.url)
        route.continue_()

    page.route(re.compile(r"/customers/"), hold_restore)
    page.clock.install()  # the page's timers (the filter's delay) move on only when told below
    page.evaluate("() => { window.sentRequests = 0; document.addEventListener('htmx:beforeSend', () => { window.sentRequests += 1; }); }")
    type_filter(page, "#id_city", "Örebro", keystrokes=False)
    with page.expect_request(lambda request: bool(request.headers.get("hx-history-restore-request"))):
        page.go_back()
    page.clock.run_for(900)  # the filter's delay has long passed
    assert held, "the step back never asked the server"
    assert page.evaluate("window.sentRequests") == 0, "a filter request went out during the restore"
    assert filtered == [], f"a filter request went out during the restore: {filtered}"
    for route in held:
        route.continue_()
    page.wait_for_url(re.compile(r"/customers/$"))
    expect(page.locator(f"{ROWS} td:nth-child(2)")).to_have_text(rows)
    page.clock.run_for(500)
    assert page.evaluate("window.sentRequests") == 0, "a filter request went out after the restore"
    assert urlsplit(page.url).query == "", page.url
    assert_no_full_load(page)


def test_switching_language_after_live_filtering_keeps_the_filters(logged_in):
    """The language switch returns to "this page": after live filtering that is the
    filtered address in the bar, not the one the page was first loaded with."""
    page = logged_in
    goto(page, "/customers/")
    type_filter(page, "#id_city", "Båstad", keystrokes=False)
    expect_query(page, city="Båstad")
    wait_until_settled(page)
    rows = column(page, 3)
    assert rows and set(rows) == {"Båstad"}, rows

    page.locator(".account-menu summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect_query(page, city="Båstad")
    expect(page.locator("#id_city")).to_have_value("Båstad")
    assert column(page, 3) == rows


def test_account_menu_closes_with_escape_and_when_focus_leaves(logged_in):
    page = logged_in
    goto(page, "/customers/")
    menu = page.locator("details.account-menu")
    summary = menu.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Tab")  # into the menu
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.locator(".filter-toggle").focus()  # focus moves elsewhere on the page
    expect(menu).not_to_have_attribute("open", "")


def test_keyboard_sorting_and_paging_keep_focus_on_the_control(logged_in):
    page = logged_in
    goto(page, "/customers/")
    city = header_index(page, "City")
    link = page.locator("#results thead").get_by_role("link", name="City")
    link.focus()
    page.keyboard.press("Enter")
    expect_query(page, sort="city", dir="ascending")
    wait_until_settled(page)
    focused = page.locator("#results thead th a").nth(city)
    expect(focused).to_be_focused()
    page.keyboard.press("Enter")  # again, from where focus is: descending
    expect_query(page, sort="city", dir="descending")
    wait_until_settled(page)
    expect(page.locator("#results thead th a").nth(city)).to_be_focused()

    page.locator(".pager a[rel=next]").focus()
    page.keyboard.press("Enter")
    expect_query(page, page="2")
    wait_until_settled(page)
    expect(page.locator(".pager a[rel=next]")).to_be_focused()


def test_paging(logged_in):
    page = logged_in
    goto(page, "/customers/")
    expect(page.locator("#results .summary")).to_contain_text("Showing 1–25 of")
    first_page = column(page, 1)
    mark_page(page)

    next_link = page.locator(".pager").get_by_role("link", name="Next →")
    assert link_query(next_link) == {"page": "2"}, next_link.get_attribute("href")
    next_link.click()
    expect_query(page, page="2")
    expect(page.locator("#results .summary")).to_contain_text("Showing 26–50 of")
    wait_until_settled(page)
    expect(page.locator(ROWS)).to_have_count(25)
    second_page = column(page, 1)
    assert not set(first_page) & set(second_page)
    expect(page.locator(".pager")).to_contain_text("Page 2 of")
    assert_no_full_load(page)

    page.locator(".pager").get_by_role("link", name="← Previous").click()
    expect(page.locator("#results .summary")).to_contain_text("Showing 1–25 of")
    expect(page.locator(f"{ROWS} td:nth-child(2)")).to_have_text(first_page)

    # Paging a filtered list keeps the filter; a new filter starts again on page 1.
    type_filter(page, "#id_name", "berg")
    expect_query(page, name="berg")
    wait_until_settled(page)
    page.locator(".pager").get_by_role("link", name="Next →").click()
    expect_query(page, name="berg", page="2")
    expect(page.locator("#results .summary")).to_contain_text("Showing 26–50 of")
    names = column(page, 1)
    assert names and all("berg" in name.casefold() for name in names), names
    type_filter(page, "#id_name", "bergs")
    expect_query(page, name="bergs")
    wait_until_settled(page)
    assert "page=" not in page.url
    expect(page.locator("#results .summary")).to_contain_text("Showing 1–")
    assert_no_full_load(page)


# --- detail pages ---


def test_invoice_to_customer(logged_in):
    page = logged_in
    goto(page, "/invoices/")
    row = page.locator(ROWS).filter(has=page.locator("td:nth-child(2) a")).first
    number = row.locator("td").first.inner_text().strip()
    customer = row.locator("td:nth-child(2)").inner_text().strip()
    row.locator("td").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/invoices/[^/]+/$"))
    expect(page.locator("h1")).to_contain_text(f"Invoice {number}")
    expect(page.locator(".breadcrumb")).to_contain_text("Invoices")
    assert_no_traceback(page)
    screenshot(page, "detail-invoice")

    page.locator("dt:text-is('Customer') + dd a").click()
    expect(page).to_have_url(re.compile(r"/customers/[^/]+/$"))
    expect(page.locator("h1")).to_contain_text(customer)
    expect(page.get_by_role("heading", name="Contact persons")).to_be_visible()
    assert_no_traceback(page)
    screenshot(page, "detail-customer")

    # From the customer to its invoices: a filtered list that contains the invoice.
    page.get_by_role("link", name="Invoices to this customer").click()
    expect(page).to_have_url(re.compile(r"/invoices/\?customer_number="))
    expect(page.locator(ROWS).first).to_be_visible()
    assert set(column(page, 1)) == {customer}
    assert number in column(page, 0)


def test_work_order_to_project_and_back(logged_in):
    page = logged_in
    goto(page, "/workorders/")
    row = page.locator(ROWS).filter(has=page.locator("td:nth-child(4) a")).first
    title = row.locator("td:nth-child(2)").inner_text().strip()
    project = row.locator("td:nth-child(4)").inner_text().strip()
    row.locator("td:nth-child(2) a").click()
    expect(page).to_have_url(re.compile(r"/workorders/[^/]+/$"))
    expect(page.locator("h1")).to_contain_text(title)
    assert_no_traceback(page)
    screenshot(page, "detail-workorder")
    work_order_url = page.url

    page.locator("dt:text-is('Project') + dd a").click()
    expect(page).to_have_url(re.compile(r"/projects/[^/]+/$"))
    expect(page.locator("h1")).to_contain_text(project)
    assert_no_traceback(page)
    screenshot(page, "detail-project")

    # The project lists its work orders; the one we came from is among them.
    orders = page.locator("section", has=page.get_by_role("heading", name="Work orders"))
    link = orders.locator(f"a[href='{urlsplit(work_order_url).path}']").first
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(work_order_url)
    expect(page.locator("h1")).to_contain_text(title)


def test_user_detail(logged_in):
    page = logged_in
    goto(page, "/users/")
    link = page.locator(f"{ROWS} td:first-child a").first
    name = link.inner_text().strip()
    link.click()
    expect(page).to_have_url(re.compile(r"/users/[^/]+/$"))
    # The list, sorted by last name, says "Last, First"; the page "First Last".
    last, _comma, first = name.partition(", ")
    expect(page.locator("h1")).to_contain_text(f"{first} {last}".strip())
    expect(page.get_by_role("heading", name="Basics")).to_be_visible()
    assert_no_traceback(page)
    screenshot(page, "detail-user")


def test_unknown_record_is_a_friendly_404(logged_in):
    page = logged_in
    response = page.goto("/customers/does-not-exist/")
    assert response.status == 404
    assert_no_traceback(page)
    expect(page.locator("main")).to_contain_text("does-not-exist")
    screenshot(page, "error-404")


# --- home search ---


def test_home_search(logged_in):
    page = logged_in
    mark_page(page)
    type_filter(page, "#q", "berg")
    expect_query(page, q="berg")
    wait_until_settled(page)
    sections = page.locator("#results .search-section")
    expect(sections.first).to_be_visible()
    headings = sections.locator("h2").all_inner_texts()
    assert any(h.startswith("Customers") for h in headings), headings
    assert_no_full_load(page)
    screenshot(page, "home-search")

    customers = sections.filter(has=page.get_by_role("heading", name=re.compile("^Customers")))
    first = customers.locator("li a").first
    label = first.inner_text()
    assert "berg" in label.casefold()
    first.click()
    expect(page).to_have_url(re.compile(r"/customers/[^/]+/$"))
    name = label.split(" · ")[1]
    expect(page.locator("h1")).to_contain_text(name)
    assert_no_traceback(page)


# --- keyboard ---


def test_keyboard_reaches_skip_link_filters_and_rows(logged_in):
    page = logged_in
    goto(page, "/customers/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_attribute("href", "#main")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))

    goto(page, "/customers/")
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.id || (e.closest('#results tbody') ? 'row-link' : e.tagName + ':' + e.textContent.trim()); }"
            )
        )
        if "row-link" in reached:
            break
        if page.evaluate("document.activeElement.classList.contains('filter-toggle')"):
            page.keyboard.press("Enter")  # the filters fold away: open them, focus goes to the first
            reached.append(page.evaluate("document.activeElement.id"))
    for wanted in ("id_name", "id_customer_number", "id_organization_number", "id_city", "id_active", "row-link"):
        assert wanted in reached, f"Tab never reached {wanted}: {reached}"
    assert reached.index("id_name") < reached.index("row-link")

    # Typing into a filter reached by keyboard works like any other typing.
    page.locator("#id_city").focus()
    page.keyboard.type("Lund")
    expect_query(page, city="Lund")
    wait_until_settled(page)
    expect(page.locator("#id_city")).to_be_focused()


# --- escaping ---


def test_script_in_a_customer_name_is_shown_as_text(logged_in):
    page = logged_in
    goto(page, "/customers/")
    type_filter(page, "#id_name", "script")
    expect_query(page, name="script")
    wait_until_settled(page)
    cell = page.locator(f"{ROWS} td:nth-child(2)").filter(has_text=SCRIPT_CUSTOMER_NAME)
    expect(cell).to_have_count(1)
    expect(cell).to_have_text(SCRIPT_CUSTOMER_NAME)
    assert page.locator("#results script").count() == 0

    cell.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/customers/[^/]+/$"))
    expect(page.locator("h1")).to_contain_text(SCRIPT_CUSTOMER_NAME)
    assert SCRIPT_CUSTOMER_NAME in page.title()
    assert page.locator("main script").count() == 0

    goto(page, "/")
    type_filter(page, "#q", "script")
    expect_query(page, q="script")
    wait_until_settled(page)
    expect(page.locator("#results li a").filter(has_text=SCRIPT_CUSTOMER_NAME).first).to_be_visible()
    assert page.locator("#results script").count() == 0
    assert page.watch.dialogs == []


# --- found while looking at the pages ---


def test_project_page_shows_the_status_of_its_work_orders(logged_in):
    page = logged_in
    goto(page, "/workorders/")
    row = page.locator(ROWS).filter(has=page.locator("td:nth-child(4) a")).first
    number = row.locator("td:nth-child(1)").inner_text().strip()
    status = row.locator("td:nth-child(5)").inner_text().strip()
    assert status and status != "Unknown"
    row.locator("td:nth-child(4) a").click()
    expect(page).to_have_url(re.compile(r"/projects/[^/]+/$"))
    orders = page.locator("section", has=page.get_by_role("heading", name="Work orders"))
    order = orders.locator("tbody tr").filter(has=page.get_by_role("link", name=number, exact=True))
    expect(order.locator("td:nth-child(3)")).to_have_text(status, timeout=2_000)


def test_home_search_counts_agree_with_the_list(logged_in):
    page = logged_in
    type_filter(page, "#q", "berg")
    expect_query(page, q="berg")
    wait_until_settled(page)
    heading = page.locator("#results .search-section h2").filter(has_text="Customers")
    expect(heading).to_be_visible()
    count_text = heading.locator("small").inner_text()

    page.get_by_role("link", name="See all matching customers").click()
    expect_query(page, name="berg")
    summary = page.locator("#results .summary").inner_text()
    total = re.search(r"of (\d+) match", summary).group(1)
    expect(page.locator("#results .notice")).to_have_count(0)  # the list got every match
    assert count_text == f"({total})", f"home says {count_text}, the list says {summary!r}"


def test_home_section_tiles_share_a_row(logged_in):
    page = logged_in
    tiles = page.locator(".sections .section-link")
    # The five kinds of record, and the payments page (DSO, expected payments).
    expect(tiles).to_have_count(6)
    expect(tiles.last).to_have_text("Payments")
    tops = {round(tiles.nth(i).bounding_box()["y"]) for i in range(6)}
    assert len(tops) < 6, f"each of the 6 tiles is on its own line at 1366 px (tops {sorted(tops)})"


def test_on_a_phone_the_header_is_short_and_the_filters_start_on_the_first_screen(logged_in):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    goto(page, "/customers/")
    header = page.locator("header.site-header").bounding_box()
    # It took ~380 px (45 %) when the sections stacked one per row beside the brand.
    assert header["height"] <= 0.25 * 844, f"the header takes {header['height']:.0f} of 844 px"
    # The filters fold away; opened, they start on the first screen.
    show_filters(page)
    expect(page.get_by_label("Name", exact=True)).to_be_in_viewport()
    expect(page.get_by_label("City", exact=True)).to_be_in_viewport()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a phone screen"
    page.locator(".account-menu summary").click()
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_in_viewport()
    screenshot(page, "list-customers-phone")
    # No page scrolls sideways (long e-mail addresses wrap; wide tables scroll in their box).
    for _link, _heading, path, _name in LISTS:
        goto(page, path)
        goto(page, page.locator(f"{ROWS} a").first.get_attribute("href"))
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{page.url} is {overflow}px wider than a phone screen"


def test_screen_readers_hear_the_summary_of_new_results_not_every_row(logged_in):
    page = logged_in
    goto(page, "/customers/")
    # The rows are not a live region: a reader would read all 25 on every keystroke.
    assert page.locator("#results").get_attribute("aria-live") is None
    status = page.locator("#results-status")
    expect(status).to_have_attribute("role", "status")

    type_filter(page, "#id_name", "berg", keystrokes=False)
    expect_query(page, name="berg")
    wait_until_settled(page)
    summary = page.locator("#results .summary").inner_text()
    assert re.search(r"of \d+ match", summary), summary
    expect(status).to_have_text(summary)

    type_filter(page, "#id_name", "no customer is called this", keystrokes=False)
    expect(status).to_have_text("Nothing matches these filters.")
