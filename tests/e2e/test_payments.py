"""The payments page in a real browser: a manager sets the date an invoice's payment is
expected, from the menu to the saved row; office staff see the page without the forms."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, login

pytestmark = pytest.mark.e2e
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def user_with(django_user_model, username, *codenames):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(username, password=PASSWORD)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="dashboard", codename__in=codenames))
    return user


@pytest.fixture
def copied(sandbox_data):
    from dashboard.sync import engine

    engine.sync(full=True, entities=["invoices"])


def test_a_manager_sets_an_expected_date_from_the_page(page, django_user_model, copied):
    user_with(django_user_model, "maja", "view_payments", "set_expected_payment", "view_invoices")
    login(page, "maja")
    page.get_by_role("link", name="Payments").first.click()
    expect(page.get_by_role("heading", name="Days sales outstanding (DSO)")).to_be_visible()
    late = page.locator("details.expected-late")
    late.locator("summary").click()
    row = late.locator("tbody tr").first
    number = row.locator("td").nth(1).inner_text().strip()
    promised = dt.datetime.now(STOCKHOLM).date() + dt.timedelta(days=9)
    row.locator("input[type=date]").fill(f"{promised:%Y-%m-%d}")
    with page.expect_navigation():
        row.locator("input[type=date]").press("Enter")  # Enter saves: Save is the first button
    expect(page.locator(".messages")).to_contain_text(f"Invoice {number} is now expected to be paid on {promised:%Y-%m-%d}.")
    saved = page.locator("table.expected tbody tr").filter(has=page.get_by_role("link", name=number, exact=True)).first
    expect(saved.locator("td").first).to_have_text(f"{promised:%Y-%m-%d}")
    expect(saved.locator("td.why")).to_contain_text("Set by maja on")
    saved.get_by_role("button", name="Clear").click()
    expect(page.locator(".messages")).to_contain_text(f"Invoice {number} is expected on its due day")


def test_office_staff_see_the_page_without_forms(page, django_user_model, copied):
    user_with(django_user_model, "olle", "view_payments", "view_invoices")
    login(page, "olle")
    page.goto("/")
    page.locator("a.section-link", has_text="Payments").click()
    expect(page.get_by_role("heading", name="Expected payments", exact=True)).to_be_visible()
    expect(page.locator("form.expected-form")).to_have_count(0)
