"""axe (axe-core, bundled by the axe-playwright-python package: no CDN, no download at
test time) on every page kind, at 1366 × 900 and 390 × 844, in English and Swedish
(issue 16: 0 violations), and that no page scrolls sideways. One browser context per size and language visits every page,
read from a complete local copy of the demo data, as the admin (who may see them all),
with every fold ("More", filters) opened so that what they hold is checked too."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from seventime.sandbox import store
from tests.workbench.support import make_copy

from .conftest import PASSWORD, login
from .test_browse import assert_no_traceback

pytestmark = pytest.mark.e2e

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = ("en", "sv")
AXE = Axe()


def first(collection: str, **where) -> dict:
    return next(d for d in store.all(collection) if all(d.get(k) == v for k, v in where.items()))


def page_kinds() -> dict[str, str]:
    """One address of each kind of page a person meets."""
    customer = first("customers")
    return {
        "start": "/",
        "customers": "/customers/",
        "customer": f"/customers/{customer['_id']}/",
        "contact person": f"/contactpersons/{first('contactPersons')['_id']}/",
        "projects": "/projects/",
        "project": f"/projects/{first('projects')['_id']}/",
        "work orders": "/workorders/",
        "work order": f"/workorders/{first('workOrders')['_id']}/",
        "users": "/users/",
        "user": f"/users/{first('users')['_id']}/",
        "department": f"/departments/{first('departments')['_id']}/",
        "invoices": "/invoices/",
        "invoice": f"/invoices/{first('invoices')['_id']}/",
        "new customer": "/customers/new/",
        "new project": "/projects/new/",
        "new work order": "/workorders/new/",
        "new user": "/users/new/",
        "new invoice": "/invoices/new/",
        "overview": "/overview/",
        "payments": "/overview/payments/",
        "chase list": "/receivables/chase/",
        "aged receivables": "/receivables/aged/",
        "statement": f"/receivables/statement/{customer['_id']}/",
        "ROT/RUT": "/receivables/rot-rut/",
        "saved views": "/views/",
        "create log": "/audit/",
        "settings": "/settings/",
        "sync": "/sync/",
        "not found": "/customers/no-such-customer-0000/",
    }


def open_folds(page: Page) -> None:
    """Every "More" and the filters open (not the menus: they would cover the page)."""
    page.evaluate(
        """() => {
          document.querySelectorAll('details:not(.dropdown)').forEach(d => d.open = true);
          const toggle = document.querySelector('.filter-toggle[aria-expanded=false]');
          if (toggle) toggle.click();
        }"""
    )


def violations_on(page: Page, path: str, status: int = 200) -> list[str]:
    response = page.goto(path)
    # The page asked for, not a login form or an error page in its place.
    assert response is not None and response.status == status, f"{path} answered {response and response.status}"
    assert page.url.endswith(path), f"{path} ended on {page.url}"
    assert_no_traceback(page)
    expect(page.locator(".htmx-request")).to_have_count(0)  # the page's own requests answered
    open_folds(page)
    found = []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 1:
        found.append(f"the page is {overflow}px wider than the screen: it scrolls sideways")
    for violation in AXE.run(page).response["violations"]:
        where = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {where}")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", SIZES)
def test_no_axe_violations_on_any_page_kind(browser, live_server, sandbox_data, django_user_model, size, language):
    make_copy()
    django_user_model.objects.create_superuser("axel", "axel@example.test", PASSWORD)
    context = browser.new_context(base_url=live_server.url, viewport=SIZES[size], locale="en-GB")
    page = context.new_page()
    try:
        login(page, "axel")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        found = {
            name: violations_on(page, path, 404 if name == "not found" else 200) for name, path in page_kinds().items()
        }
        # The language really is the one asked for (the check would otherwise pass twice in one).
        page.goto("/customers/")
        assert page.locator("html").get_attribute("lang") == language
        expect(page.locator("h1")).to_have_text("Customers" if language == "en" else "Kunder")
    finally:
        context.close()
    found = {name: problems for name, problems in found.items() if problems}
    assert not found, "\n".join(f"{name}: {problem}" for name, problems in found.items() for problem in problems)
