"""Browser fixtures for the end-to-end tests: one Chromium for the whole run,
a fresh context and page per test, a logged-in superuser, and screenshots.

The tests drive Debian's chromium (never a downloaded browser): `make e2e`
installs it. When it is missing the tests fail with a message saying so.
"""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "e2e-password-7c1d"

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if not executable:
        pytest.fail(
            "Chromium is not installed: the e2e tests need Debian's chromium on PATH "
            "(`make browser`, or `apt-get install chromium`). Never `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """What went wrong on a page that a test would not otherwise see."""

    def __init__(self, page: Page):
        self.dialogs: list[str] = []
        self.errors: list[str] = []  # uncaught JavaScript errors
        self.server_errors: list[str] = []  # answers with a 5xx status
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("response", self._response)

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _response(self, response):
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def problems(self) -> list[str]:
        return [f"dialog opened: {d}" for d in self.dialogs] + [f"JS error: {e}" for e in self.errors] + [
            f"server error: {s}" for s in self.server_errors
        ]


@pytest.fixture
def page(browser, live_server, sandbox_data):
    """A page in a fresh browser context against the live server, with demo data.

    After the test it fails if a dialog opened, a script threw, or the server answered 5xx."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    problems = page.watch.problems()
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def superuser(django_user_model, sandbox_data):
    return django_user_model.objects.create_superuser("anna", "anna@example.test", PASSWORD)


@pytest.fixture
def logged_in(page, superuser):
    """The page, logged in as a superuser through the login form, on the home page."""
    login(page, superuser.username)
    return page


def login(page: Page, username: str, password: str = PASSWORD, path: str = "/login/") -> None:
    page.goto(path)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page.locator("#id_password")).to_have_count(0)


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def show_filters(page: Page) -> None:
    """Open a list's filters (they fold away behind the "Filters" button) if closed."""
    toggle = page.locator(".filter-toggle")
    if not toggle.count():
        return  # a page without folding filters (the home page's search)
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(page.locator("#filters")).to_be_visible()
