"""Stale mode in a real browser (issue 14): the sandbox is told to fail as Seven Time
does (`manage.py sandbox_fault`), a sync meets the failure, and lists and detail
pages still render every record from the local copy, saying how old it is and that
the last update failed; the detail page's check with Seven Time says it could not
check. Creating a record still says plainly that Seven Time must answer."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dashboard.invoice_state import InvoiceState, invoice_state
from dashboard.sync import engine
from seventime.records import Invoice
from seventime.sandbox import store

from .conftest import screenshot

pytestmark = pytest.mark.e2e

ENTITIES = [
    "customers",
    "contact_persons",
    "users",
    "departments",
    "projects",
    "work_orders",
    "invoices",
    "project_statuses",
    "project_types",
    "project_tags",
    "work_order_statuses",
    "work_order_types",
    "work_order_tags",
    "invoice_tags",
    "user_roles",
    "price_lists",
    "salary_types",
    "user_skills",
]


@pytest.fixture
def copied(sandbox_data):
    run = engine.sync(full=True, entities=ENTITIES)
    assert run.error == "" and run.complete
    yield run
    call_command("sandbox_fault", "setting")


def test_with_seven_time_failing_lists_and_details_render_from_the_copy_with_a_notice(copied, logged_in):
    # One copy for both faults: a full sync of the demo data is the slow part.
    for fault in ("error", "slow"):
        see_stale_mode(logged_in, fault)


def see_stale_mode(page, fault):
    call_command("sandbox_fault", fault, "--seconds", "30")
    failed = engine.sync(entities=["customers", "invoices"])
    assert failed.error, "the sync should have met the fault"

    overdue = sum(1 for doc in store.all("invoices") if invoice_state(Invoice.from_api(doc)) == InvoiceState.OVERDUE)
    page.goto("/invoices/?state=overdue")
    notice = page.locator(".freshness[role=note]")
    expect(notice).to_contain_text(re.compile(r"Updated .+ ago"))
    expect(notice).to_contain_text("The last update from Seven Time failed")
    expect(page.locator(".summary")).to_contain_text(f"of {overdue} matches")
    expect(page.locator("#results tbody tr").first).to_be_visible()

    customer = store.all("customers")[0]
    page.goto(f"/customers/{customer['_id']}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(customer["name"][:20])
    expect(page.locator(".freshness[role=note]")).to_contain_text("The last update from Seven Time failed")
    # The background check asks Seven Time once and says it could not.
    expect(page.locator("#detail")).to_contain_text("Could not check with Seven Time")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"stale-{fault}-customer-390")

    # A create cannot stand in for Seven Time: it says so and keeps what was typed.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/customers/new/")
    page.fill("#id_name", "Stale Mode AB")
    page.get_by_role("button", name="Create customer").click()
    problem = page.locator("#problem")
    expect(problem).to_contain_text("Seven Time")
    expect(problem).to_be_focused()
    expect(page.locator("#id_name")).to_have_value("Stale Mode AB")
    # The form came back with Seven Time's failure as its status (502/504), as designed.
    assert all("/customers/new/" in error for error in page.watch.server_errors)
    page.watch.server_errors.clear()
    assert not any(doc.get("name") == "Stale Mode AB" for doc in store.all("customers"))
