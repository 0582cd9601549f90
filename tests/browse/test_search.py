"""The home search against a stubbed Seven Time API (helpers: pages.py)."""

from __future__ import annotations

import re

import pytest

from tests.browse.pages import (
    SEARCH_FILTERS,
    called_paths,
    customer_doc,
    get,
    invoice_doc,
    many_customers,
    project_doc,
    search_params,
    search_section,
    stub,
    work_order_doc,
)

pytestmark = pytest.mark.django_db


# =====================================================================
# Home search
# =====================================================================


def test_search_without_digits_asks_names_and_titles_only(office_client, api):
    query = "Bergström"
    stub(api, "customers", [customer_doc()], search_params("customers", "name", query))
    stub(api, "projects", [project_doc()], search_params("projects", "name", query))
    stub(api, "workOrders", [work_order_doc()], search_params("workOrders", "title", query))
    response, page = get(office_client, "/?q=Bergstr%C3%B6m")
    assert response.status_code == 200
    assert sorted(called_paths(api)) == ["customers", "projects", "workOrders"]
    assert 'href="/customers/cust-1/"' in search_section(page, "Customers", "1")
    assert 'href="/projects/proj-1/"' in search_section(page, "Projects", "1")
    assert 'href="/workorders/wo-1/"' in search_section(page, "Work orders", "1")
    assert "type digits to search them" in search_section(page, "Invoices", "")  # not "(0)": not searched


def test_search_with_digits_also_asks_numbers_and_invoices(office_client, api):
    query = "24481"
    stub(api, "customers", [customer_doc()], search_params("customers", "name", query))
    stub(api, "customers", [customer_doc(), customer_doc("cust-2", name="Annan kund")], search_params("customers", "customerNumber", query))
    stub(api, "projects", [], search_params("projects", "name", query))
    stub(api, "projects", [project_doc()], search_params("projects", "projectNumber", query))
    stub(api, "workOrders", [], search_params("workOrders", "title", query))
    stub(api, "workOrders", [], search_params("workOrders", "workOrderNumber", query))
    stub(api, "invoices", [invoice_doc()], search_params("invoices", "invoiceNumber", query))
    stub(api, "invoices", [invoice_doc(), invoice_doc("inv-2", invoiceNumber="30000")], search_params("invoices", "OCRNumber", query))
    response, page = get(office_client, f"/?q={query}")
    assert response.status_code == 200
    assert len(api.calls) == 8
    customers = search_section(page, "Customers", "2")  # found twice, listed once
    assert customers.count('href="/customers/cust-1/"') == 1 and 'href="/customers/cust-2/"' in customers
    assert 'href="/projects/proj-1/"' in search_section(page, "Projects", "1")
    invoices = search_section(page, "Invoices", "2")
    assert 'href="/invoices/inv-1/"' in invoices and 'href="/invoices/inv-2/"' in invoices
    assert "No matches." in search_section(page, "Work orders", "0")


def test_office_staff_search_never_calls_users(office_client, api):
    for path, key in SEARCH_FILTERS:
        stub(api, path, [], search_params(path, key, "Felix 1"))
    response, page = get(office_client, "/?q=Felix+1")
    assert response.status_code == 200
    assert len(api.calls) == 8
    assert not any(path.startswith("users") for path in called_paths(api))
    assert "Users" not in re.search(r'<div id="results".*', page, re.S).group(0)


def test_search_shows_at_most_eight_per_section_and_links_to_the_full_list(office_client, api):
    stub(api, "customers", many_customers(9), search_params("customers", "name", "Kund"))
    stub(api, "projects", [], search_params("projects", "name", "Kund"))
    stub(api, "workOrders", [], search_params("workOrders", "title", "Kund"))
    response, page = get(office_client, "/?q=Kund")
    customers = search_section(page, "Customers")
    assert customers.count("<li>") == 8
    assert 'href="/customers/?name=Kund"' in customers


def test_search_lists_customers_by_name_and_numbered_records_newest_first(office_client, api):
    for path, key in SEARCH_FILTERS:
        docs = {
            ("customers", "name"): [customer_doc("c-o", name="Östen 12"), customer_doc("c-a", name="anders 12")],
            ("customers", "customerNumber"): [customer_doc("c-b", name="Bertil", customerNumber="1200")],
            ("invoices", "invoiceNumber"): [invoice_doc(f"i-{n}", invoiceNumber=n) for n in ("24012", "24120", "9120")],
            ("invoices", "OCRNumber"): [invoice_doc("i-x", invoiceNumber="31200")],
        }.get((path, key), [])
        stub(api, path, docs, search_params(path, key, "12"))

    response, page = get(office_client, "/?q=12")

    customers = re.findall(r'href="/customers/([^/]+)/"', search_section(page, "Customers", "3"))
    assert customers == ["c-a", "c-b", "c-o"]  # anders, Bertil, Östen: by name, whatever the case
    invoices = re.findall(r'href="/invoices/([^/]+)/"', search_section(page, "Invoices", "4"))
    assert invoices == ["i-x", "i-24120", "i-24012", "i-9120"]  # 31200, 24120, 24012, 9120


def test_search_more_link_uses_the_filter_that_found_the_records(office_client, api):
    for path, key in SEARCH_FILTERS:
        docs = many_customers(100) if key == "customerNumber" else []
        stub(api, path, docs, search_params(path, key, "1001"))
    response, page = get(office_client, "/?q=1001")
    customers = search_section(page, "Customers", "100+")
    assert 'href="/customers/?customer_number=1001"' in customers


def test_search_more_links_one_list_per_field_that_found_matches(office_client, api):
    """"11" finds projects by name and others by number: a list filters by one field,
    so the page offers both lists instead of one that misses the other's records."""
    by_name = [project_doc(f"p-n{n}", name=f"Hus 11{n}", projectNumber=str(3000 + n)) for n in range(4)]
    by_number = [project_doc(f"p-{n}", name=f"Projekt {n}", projectNumber=f"311{n}") for n in range(10)]
    for path, key in SEARCH_FILTERS:
        docs = {("projects", "name"): by_name, ("projects", "projectNumber"): by_number}.get((path, key), [])
        stub(api, path, docs, search_params(path, key, "11"))
    response, page = get(office_client, "/?q=11")
    projects = search_section(page, "Projects", "14")
    assert 'href="/projects/?name=11">Name</a>' in projects
    assert 'href="/projects/?project_number=11">Project number</a>' in projects


def test_empty_search_shows_the_section_links_and_calls_nothing(office_client, api):
    response, page = get(office_client, "/?q=+++")
    assert response.status_code == 200
    assert len(api.calls) == 0
    assert 'class="section-link"' in page
