"""The customer statement prints on one clean A4 page (the browser's "Save as PDF"
makes the PDF), in Swedish and in English; the receivables pages at phone width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = pytest.mark.e2e

A4_POINTS = (595.0, 842.0)  # 210 × 297 mm


def small_customer() -> str:
    """A customer with one to three open invoices in the sandbox."""
    from collections import Counter

    from seventime.sandbox import store

    counts = Counter(
        d["customer"]
        for d in store.all("invoices")
        if d.get("sentDate") and not d.get("paymentDate") and not d.get("isCreditInvoice")
        and not d.get("isCredited") and not d.get("creditInvoice") and not d.get("archived")
    )
    return next(customer for customer, count in sorted(counts.items()) if 1 <= count <= 3)


def pdf_pages(pdf: bytes) -> tuple[int, list[tuple[float, float]]]:
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    boxes = [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)]
    return pages, boxes


@pytest.fixture
def statement_page(logged_in):
    from dashboard.sync import engine

    engine.sync(full=True, entities=["invoices"])
    return logged_in


@pytest.mark.parametrize(("lang", "heading", "total"), [("sv", "Kontoutdrag", "Summa i"), ("en", "Statement of account", "Total in")])
def test_statement_prints_on_one_clean_a4_page(statement_page, lang, heading, total):
    page = statement_page
    customer = small_customer()
    page.goto(f"/receivables/statement/{customer}/?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(".site-header")).to_be_visible()  # on screen: the site around it
    page.emulate_media(media="print")
    for chrome in (".site-header", ".statement-tools", "#main .freshness"):
        assert not page.locator(chrome).first.is_visible(), chrome
    expect(page.locator(".statement h1")).to_be_visible()
    expect(page.locator(".statement tfoot th").first).to_contain_text(total)
    screenshot(page, f"statement-print-{lang}")
    pdf = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
    pages, boxes = pdf_pages(pdf)
    assert pages == 1, f"{pages} pages"
    assert boxes and all(abs(w - A4_POINTS[0]) < 2 and abs(h - A4_POINTS[1]) < 2 for w, h in boxes), boxes


def test_receivables_pages_fit_a_phone(statement_page):
    page = statement_page
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/receivables/chase/", "/receivables/aged/", "/receivables/rot-rut/", f"/receivables/statement/{small_customer()}/"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        # Wide tables scroll inside their box; the page itself does not scroll sideways.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
