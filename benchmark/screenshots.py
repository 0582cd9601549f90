"""The README's screenshots: python -m benchmark.screenshots [--out docs/screenshots]
(`make screenshots`).

Every page kind a person meets, at 1366 × 900 and 390 × 844, in English and Swedish,
as the demo manager sees it (the admin for the create log), the visible part of the
page only. The server is set up as for Lighthouse (benchmark/lighthouse.py): gunicorn
with DEBUG off on a throwaway SQLite database, the sandbox's demo data and a complete
local copy. Not a measurement: it lives beside them for that set-up.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

from .lighthouse import ROOT, demo_env, free_port, prepare_demo, start_gunicorn, stop, wait_for

SIZES = {1366: {"width": 1366, "height": 900}, 390: {"width": 390, "height": 844}}
LANGUAGES = ("en", "sv")


def page_kinds(first: dict[str, str]) -> dict[str, str]:
    return {
        "home": "/",
        "customers": "/customers/",
        "customer": f"/customers/{first['customers']}/",
        "contact-person": f"/contactpersons/{first['contactpersons']}/",
        "projects": "/projects/",
        "project": f"/projects/{first['projects']}/",
        "work-order": f"/workorders/{first['workorders']}/",
        "users": "/users/",
        "invoices-overdue": "/invoices/?state=overdue",
        "invoices-detail": f"/invoices/{first['invoices']}/",
        "invoice-form": "/invoices/new/",
        "work-order-form": "/workorders/new/",
        "overview": "/overview/",
        "payments": "/overview/payments/",
        "chase-list": "/receivables/chase/",
        "aged-receivables": "/receivables/aged/",
        "statement": f"/receivables/statement/{first['customers']}/",
        "rot-rut": "/receivables/rot-rut/",
        "saved-views": "/views/",
        "sync": "/sync/",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    options = parser.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("Debian's chromium is needed (make browser)")
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="dashboard-screenshots-"))
    port = free_port()
    env = demo_env(work, port, "screenshots")
    prepare_demo(env)
    server = start_gunicorn(env)
    options.out.mkdir(parents=True, exist_ok=True)
    taken = 0
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            first = {}
            for width, viewport in SIZES.items():
                for language in LANGUAGES:
                    context = browser.new_context(base_url=base, viewport=viewport, locale="en-GB")
                    page = context.new_page()
                    sign_in(page, "manager")
                    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
                    if not first:
                        first = first_records(page)
                    for name, path in page_kinds(first).items():
                        answer = page.goto(path)
                        if answer is None or not answer.ok:
                            sys.exit(f"{path} answered {answer and answer.status}")
                        page.wait_for_load_state("networkidle")
                        page.screenshot(path=str(options.out / f"{name}-{width}-{language}.png"))
                        taken += 1
                    context.close()
            browser.close()
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{taken} screenshots in {options.out}")
    return 0


def sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-demo")
    with page.expect_navigation():
        page.locator("button[type=submit]").first.click()


def first_records(page) -> dict[str, str]:
    """Records to show: an overdue invoice and its customer (so that the statement has
    open invoices), a contact person, the first project and work order."""
    ids = r"([0-9a-f]{24})"
    found = {}
    for kind in ("projects", "workorders"):
        page.goto(f"/{kind}/")
        found[kind] = re.search(rf'href="/{kind}/{ids}/"', page.content()).group(1)
    page.goto("/invoices/?state=overdue")
    html = page.content()
    found["invoices"] = re.search(rf'href="/invoices/{ids}/"', html).group(1)
    customers = re.findall(rf'href="/customers/{ids}/"', html)
    found["customers"] = customers[0]
    for customer in customers:
        page.goto(f"/customers/{customer}/")
        contact = re.search(rf'href="/contactpersons/{ids}/"', page.content())
        if contact:
            found["contactpersons"] = contact.group(1)
            break
    return found


if __name__ == "__main__":
    raise SystemExit(main())
