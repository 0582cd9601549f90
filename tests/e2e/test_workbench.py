"""Issue 16 in a real browser: the command palette (Ctrl+K, the combobox pattern),
saved views (save, the navigation, open, share) and the start page of each role,
with screenshots at 1366 and 390 px in English and Swedish."""

from __future__ import annotations

import importlib
import re

import pytest
from playwright.sync_api import Page, expect

from seventime.sandbox import store
from tests.workbench.support import make_copy

from .conftest import PASSWORD, SCREENSHOTS, login, show_filters

pytestmark = pytest.mark.e2e


def group(name: str, module_constant: str):
    """A group of the data migration (transactional tests empty the database)."""
    from django.contrib.auth.models import Group, Permission

    codenames = getattr(importlib.import_module("dashboard.migrations.0002_groups"), module_constant)
    found, created = Group.objects.get_or_create(name=name)
    if created:
        found.permissions.set(Permission.objects.filter(content_type__app_label="dashboard", codename__in=codenames))
    return found


@pytest.fixture
def copied_data(sandbox_data):
    make_copy()


def user_in(django_user_model, username: str, group_name: str, constant: str):
    user = django_user_model.objects.create_user(username, password=PASSWORD)
    user.groups.add(group(group_name, constant))
    return user


@pytest.fixture
def office_page(page, django_user_model, copied_data):
    user_in(django_user_model, "olle", "Office staff", "OFFICE_STAFF")
    login(page, "olle")
    return page


@pytest.fixture
def manager_page(page, django_user_model, copied_data):
    user_in(django_user_model, "maja", "Managers", "MANAGERS")
    login(page, "maja")
    return page


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def combobox_of(page: Page):
    """The palette's input (a list page's selects are comboboxes too)."""
    return page.locator("#palette").get_by_role("combobox")


def active_option(page: Page):
    combobox = combobox_of(page)
    option_id = combobox.get_attribute("aria-activedescendant")
    assert option_id, "no active option"
    option = page.locator(f"#{option_id}")
    expect(option).to_have_attribute("aria-selected", "true")
    return option


def wait_for_query(page: Page, name: str, value: str) -> None:
    page.wait_for_function(
        "([name, value]) => new URLSearchParams(location.search).get(name) === value", arg=[name, value]
    )


# --- the command palette ---


def test_ctrl_k_finds_a_record_beyond_the_newest_hundred_and_arrows_and_enter_open_it(office_page):
    page = office_page
    oldest = min(store.all("customers"), key=lambda doc: doc.get("createdDate") or "")
    page.goto("/customers/")
    page.keyboard.press("Control+k")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    combobox = combobox_of(page)
    expect(combobox).to_be_focused()
    expect(combobox).to_have_attribute("aria-controls", "palette-listbox")
    combobox.fill(oldest["customerNumber"])
    listbox = page.get_by_role("dialog").get_by_role("listbox")
    first = listbox.get_by_role("option").first
    expect(first).to_contain_text(oldest["name"])
    expect(combobox).to_have_attribute("aria-expanded", "true")
    assert active_option(page).get_attribute("href") == f"/customers/{oldest['_id']}/"
    # Down moves to the next option, up comes back: focus stays in the input.
    count = listbox.get_by_role("option").count()
    assert count > 1
    page.keyboard.press("ArrowDown")
    assert active_option(page).get_attribute("id") == listbox.get_by_role("option").nth(1).get_attribute("id")
    expect(combobox).to_be_focused()
    page.keyboard.press("ArrowUp")
    assert active_option(page).get_attribute("href") == f"/customers/{oldest['_id']}/"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/customers/{oldest['_id']}/")
    expect(page.locator("h1")).to_contain_text(oldest["name"])


def test_escape_closes_the_palette_and_focus_returns(office_page):
    page = office_page
    page.goto("/invoices/")
    button = page.locator("[data-palette-open]")
    button.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(combobox_of(page)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(button).to_be_focused()
    # From the keyboard, anywhere: focus returns to what had it.
    link = page.locator("header nav").get_by_role("link", name="Projects")
    link.focus()
    page.keyboard.press("Control+k")
    expect(combobox_of(page)).to_be_focused()
    page.keyboard.press("Escape")
    expect(link).to_be_focused()


def test_the_palette_opens_pages_and_create_forms(office_page):
    page = office_page
    page.keyboard.press("Control+k")
    combobox_of(page).fill("new work")
    expect(page.get_by_role("dialog").get_by_role("option")).to_have_count(1)
    expect(page.get_by_role("dialog").get_by_role("option")).to_have_text("New work order")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/workorders/new/")


# --- saved views ---


def test_a_saved_view_is_in_the_navigation_restores_its_filters_and_its_link_works_for_another_user(
    office_page, browser, live_server, django_user_model
):
    page = office_page
    page.goto("/invoices/")
    show_filters(page)
    page.select_option("#id_state", "overdue")
    wait_for_query(page, "state", "overdue")
    page.locator("#results thead").get_by_role("link", name="Due date").click()
    wait_for_query(page, "sort", "due_date")
    page.get_by_text("Save this view").click()
    page.get_by_label("Name of the view").fill("Overdue by due date")
    with page.expect_navigation():
        page.get_by_role("button", name="Save view").click()
    expect(page.locator(".messages")).to_contain_text("Saved the view “Overdue by due date”")
    # In the navigation, on another page; it opens the list with its filters and sort.
    page.goto("/customers/")
    page.locator(".saved-views-menu summary").click()
    with page.expect_navigation():
        page.locator(".saved-views-menu").get_by_role("link", name=re.compile("Overdue by due date")).click()
    query = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", page.url))
    assert query == {"state": "overdue", "sort": "due_date", "dir": "ascending"}
    expect(page.locator("#id_state")).to_have_value("overdue")
    shared = page.url
    # Shared: another user who may see invoices opens the same list.
    user_in(django_user_model, "maja", "Managers", "MANAGERS")
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="en-GB")
    try:
        other_page = other.new_page()
        login(other_page, "maja")
        other_page.goto(shared)
        expect(other_page.locator("#id_state")).to_have_value("overdue")
        expect(other_page.locator("#results tbody tr").first).to_be_visible()
    finally:
        other.close()


# --- the start page of each role, and screenshots ---


def test_office_staff_and_managers_see_their_own_start_page(page, django_user_model, copied_data):
    user_in(django_user_model, "olle", "Office staff", "OFFICE_STAFF")
    login(page, "olle")
    page.goto("/")
    expect(page.get_by_role("heading", name="Invoices not sent yet")).to_be_visible()
    expect(page.get_by_role("heading", name="Created by you lately")).to_be_visible()
    expect(page.get_by_role("heading", name="Owed to us")).to_have_count(0)
    expect(page.get_by_role("heading", name="Invoices to chase today")).to_have_count(0)
    expect(page.locator("#q")).to_be_visible()  # the search box stays
    page.context.clear_cookies()
    user_in(django_user_model, "maja", "Managers", "MANAGERS")
    login(page, "maja")
    page.goto("/")
    expect(page.get_by_role("heading", name="Owed to us")).to_be_visible()
    expect(page.get_by_role("heading", name="Invoices to chase today")).to_be_visible()
    expect(page.get_by_role("heading", name="How fresh the local copy is")).to_be_visible()
    chase = page.locator(".chase-list tbody tr")
    expect(chase).to_have_count(10)
    with page.expect_navigation():
        chase.first.get_by_role("link").click()
    assert re.search(r"/invoices/[^/]+/$", page.url)


@pytest.mark.parametrize("language", ["en", "sv"])
def test_screenshots(manager_page, live_server, language):
    page = manager_page
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/invoices/?state=overdue")
    page.get_by_text("Save this view" if language == "en" else "Spara den här vyn").click()
    page.locator("#save-view-name").fill("Förfallna" if language == "sv" else "Overdue")
    with page.expect_navigation():
        page.locator(".save-view-form button").click()
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/")
        shot(page, f"workbench-start-manager-{language}-{width}")
        for part in ("money", "chase", "changed"):  # each block alone, to look at closely
            page.locator(f".start-{part}").screenshot(path=str(SCREENSHOTS / f"workbench-start-{part}-{language}-{width}.png"))
        shot(page, f"workbench-start-top-{language}-{width}", full_page=False)
        page.keyboard.press("Control+k")
        combobox_of(page).fill("berg")
        expect(page.locator("#palette-group-records")).to_be_visible()
        page.keyboard.press("ArrowDown")
        shot(page, f"workbench-palette-{language}-{width}", full_page=False)
        page.keyboard.press("Escape")
        page.goto("/views/")
        shot(page, f"workbench-saved-views-{language}-{width}")
        page.goto("/invoices/?state=overdue")
        if width < 1024:  # the navigation folds away behind "Menu" on a phone
            page.get_by_role("button", name="Menu" if language == "en" else "Meny").click()
        page.locator(".saved-views-menu summary").click()
        shot(page, f"workbench-saved-menu-{language}-{width}", full_page=False)
