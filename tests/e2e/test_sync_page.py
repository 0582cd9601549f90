"""The Sync page in a real browser, as a manager, with a worker running in a thread
of the test (the queue is in memory): "Sync now" hands a run to the worker, the
progress bar moves while it runs, and the page ends showing every entity complete."""

from __future__ import annotations

import importlib
import re
import threading

import pytest
from playwright.sync_api import expect

from .conftest import PASSWORD, login, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def worker():
    """A worker in a thread: runs what the live server enqueues, as `run_huey` would."""
    from huey.contrib.djhuey import HUEY

    stop = threading.Event()

    def loop():
        while not stop.is_set():
            task = HUEY.dequeue()
            if task is None:
                stop.wait(0.05)
            else:
                HUEY.execute(task)

    thread = threading.Thread(target=loop, name="test-worker", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=60)


@pytest.fixture
def manager_page(page, django_user_model, sandbox_data):
    from django.contrib.auth.models import Group, Permission

    codenames = importlib.import_module("dashboard.migrations.0002_groups").MANAGERS + ["view_sync"]
    group, _ = Group.objects.get_or_create(name="Managers")
    group.permissions.set(Permission.objects.filter(content_type__app_label="dashboard", codename__in=codenames))
    user = django_user_model.objects.create_user("maja", password=PASSWORD)
    user.groups.add(group)
    login(page, "maja")
    return page


def test_sync_now_runs_in_the_worker_and_the_page_follows_it_to_every_entity_complete(manager_page, worker, settings):
    # The limiter and the sandbox both at 40 calls a second: the run lasts some seconds
    # on any machine (unlimited, a fast one finished between two polls of the page), so
    # the page is seen following it.
    settings.SEVENTIME_RATE_LIMIT = 40
    settings.SANDBOX_RATE_LIMIT = 40
    page = manager_page
    percents: list[int] = []

    def note_progress(response):
        if "/sync/" in response.url and response.request.headers.get("hx-request") and response.ok:
            found = re.search(r'id="run-bar" value="(\d+)"', response.text())
            if found:
                percents.append(int(found.group(1)))

    page.on("response", note_progress)
    page.get_by_role("link", name="Sync", exact=True).click()
    expect(page.get_by_role("heading", name="Sync with Seven Time")).to_be_visible()
    expect(page.get_by_text("No sync is running.")).to_be_visible()
    screenshot(page, "sync-before-1366")

    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_text("A sync was handed to the worker")).to_be_visible()
    expect(page.locator("#run-bar")).to_be_visible()
    expect(page.get_by_text("API calls so far")).to_be_visible(timeout=30_000)
    screenshot(page, "sync-running-1366")

    expect(page.get_by_text("Every entity is complete.")).to_be_visible(timeout=180_000)
    expect(page.locator("#run-bar")).to_have_count(0)
    rows = page.locator("table.sync-entities tbody tr")
    expect(rows).to_have_count(18)
    expect(rows.filter(has_text="Not complete")).to_have_count(0)
    expect(rows.locator(".state-complete")).to_have_count(18)
    # The bar moved: the polled partial showed the run at more than one point.
    assert len(set(percents)) >= 2, percents
    assert percents == sorted(percents), percents
    screenshot(page, "sync-done-1366")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_text("Every entity is complete.")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390 px"
    screenshot(page, "sync-done-390")


def test_failures_read_in_swedish_with_the_detail_beside_and_fit_a_phone(manager_page):
    from django.utils import timezone

    from dashboard.fetch import account_key
    from dashboard.models import CopyStatus, SyncRun
    from dashboard.sync import engine
    from seventime import Timeout

    page = manager_page
    moment = timezone.now()
    detail = engine._describe(Timeout("Seven Time did not answer within 30 s (GET /invoices?invoiceNumber=245)"))
    SyncRun.objects.create(
        account=account_key(), kind="full", started_at=moment, finished_at=moment,
        error=f"invoices: {detail}\nwork_orders: ValueError: endDate 2026-13-01 is not a date",
    )  # fmt: skip
    CopyStatus.objects.create(account=account_key(), entity="invoices", count=600, last_error=detail, last_error_at=moment)
    page.goto("/sync/")
    page.locator(".account-menu summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    failures = page.locator("table.sync-failures")
    expect(failures.get_by_text("Seven Time svarar inte")).to_be_visible()
    expect(failures.get_by_text("Seven Time skickade en post som dashboarden inte kunde läsa.")).to_be_visible()
    expect(failures.get_by_text("Timeout: Seven Time did not answer within 30 s", exact=False)).to_be_visible()
    expect(page.locator('tr[data-entity="invoices"]').get_by_text("Seven Time svarar inte")).to_be_visible()
    screenshot(page, "sync-failures-sv-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390 px"
    screenshot(page, "sync-failures-sv-390")
