"""The home search against a stubbed Seven Time API (helpers: pages.py)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from django.utils import timezone

from dashboard.api import account_key as engine_account
from dashboard.api import get_client
from dashboard.collation import fold
from dashboard.models import SyncRun
from seventime.client import SevenTimeClient
from seventime.sandbox import store

from tests.browse.pages import (
    SEARCH_FILTERS,
    HTMX,
    called_paths,
    customer_doc,
    get,
    invoice_doc,
    many_customers,
    project_doc,
    search_params,
    search_section,
    stub,
    text,
    work_order_doc,
)
from tests.conftest import sync_copy

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


# =====================================================================
# Home search from the local copy (issue 14)
# =====================================================================


SECTIONS = {"customers": "Customers", "projects": "Projects", "workOrders": "Work orders", "invoices": "Invoices"}
DETAIL = {"customers": "customers", "projects": "projects", "workOrders": "workorders", "invoices": "invoices"}


def oldest(collection: str, date_field: str, *fields: str) -> dict:
    """The oldest record that has every field, after checking that the newest 100 (what
    Seven Time sends for a list) do not hold it."""
    docs = sorted(store.all(collection), key=lambda doc: doc.get(date_field) or "", reverse=True)
    found = [doc for doc in docs if all(doc.get(field) for field in fields)][-1]
    assert docs.index(found) >= 100
    return found


def found_ids(page: str, collection: str, count: str | None = None) -> list[str]:
    section = search_section(page, SECTIONS[collection], count)
    return re.findall(rf'href="/{DETAIL[collection]}/([^/]+)/"', section)


def search(client, query: str, **headers) -> str:
    response, page = get(client, "/?" + urlencode({"q": query}), **headers)
    assert response.status_code == 200
    return page


@pytest.fixture
def searched(db):
    """A complete copy of what the start page searches (listed before `seventime_down`)."""
    return sync_copy("customers", "projects", "work_orders", "invoices")


def test_search_finds_a_record_beyond_the_newest_100_by_every_field_without_asking_seven_time(
    searched, office_client, seventime_down
):
    customer = oldest("customers", "createdDate", "organizationNumber", "email", "phone")
    phone_digits = re.sub(r"\D", "", customer["phone"])
    org_digits = re.sub(r"\D", "", customer["organizationNumber"])
    queries = {
        "name": customer["name"],
        "number": customer["customerNumber"],
        "organisation number": customer["organizationNumber"],
        "organisation number as digits": org_digits,
        "e-mail": customer["email"].upper(),
        "phone": customer["phone"],
        "phone as digits": phone_digits,
        "phone spaced otherwise": " ".join(phone_digits[i : i + 2] for i in range(0, len(phone_digits), 2)),
    }
    for field, query in queries.items():
        assert customer["_id"] in found_ids(search(office_client, query), "customers"), field
    invoice = oldest("invoices", "createDate", "OCRNumber", "invoiceNumber")
    for field in ("OCRNumber", "invoiceNumber"):
        assert found_ids(search(office_client, invoice[field]), "invoices")[0] == invoice["_id"], field
    project = oldest("projects", "createdDate", "projectNumber")
    assert found_ids(search(office_client, project["projectNumber"]), "projects")[0] == project["_id"]
    assert project["_id"] in found_ids(search(office_client, project["name"]), "projects")
    order = min(store.all("workOrders"), key=lambda doc: int(doc["workOrderNumber"]))
    assert found_ids(search(office_client, order["workOrderNumber"]), "workOrders")[0] == order["_id"]
    assert order["_id"] in found_ids(search(office_client, order["title"]), "workOrders")
    assert seventime_down == []


def test_search_ranks_an_exact_number_first_then_names_that_start_with_it_then_the_rest(office_client):
    client = get_client()
    for body in [
        {"name": "Beta Måleri", "customerNumber": "93170"},  # the number contains it
        {"name": "Alfa Bygg", "phone": "08-931 7 00"},  # the phone contains it
        {"name": "9317 Konsult AB"},  # the name starts with it
        {"name": "Zeta Rör", "customerNumber": "9317"},  # the number is it
    ]:
        client.create_customer(body)
    sync_copy("customers", "projects", "work_orders", "invoices")
    page = search(office_client, "9317")
    section = search_section(page, "Customers", "4")
    names = [text(label) for label in re.findall(r"<li><a [^>]*>(.*?)</a></li>", section, re.S)]
    assert [name.split(" · ")[1] for name in names] == ["Zeta Rör", "9317 Konsult AB", "Alfa Bygg", "Beta Måleri"]


def test_search_ignores_case_and_orders_each_group_in_swedish(office_client):
    for name in ["Qz Örebro", "Ängby Qz", "Qz Zeta", "Bergqz AB", "Qz Åre"]:
        get_client().create_customer({"name": name})
    sync_copy("customers", "projects", "work_orders", "invoices")

    def names(query: str, count: str | None = None) -> list[str]:
        section = search_section(search(office_client, query), "Customers", count)
        return [text(label).split(" · ")[1] for label in re.findall(r"<li><a [^>]*>(.*?)</a></li>", section, re.S)]

    # Names that start with it first, then the others; each group in Swedish order (Z, Å, Ä, Ö).
    expected = ["Qz Zeta", "Qz Åre", "Qz Örebro", "Bergqz AB", "Ängby Qz"]
    assert names("QZ", "5") == names("qz", "5") == names("Qz", "5") == expected
    assert "Qz Åre" in names("ÅRE") and "Qz Åre" in names("åre")
    assert names("ängby qz") == names("ÄNGBY QZ") == ["Ängby Qz"]
    assert names("qz örebro") == names("QZ ÖREBRO") == ["Qz Örebro"]


def test_search_counts_every_match_and_links_each_list_that_filters_as_it_found(office_client):
    sync_copy("customers", "projects", "work_orders", "invoices")
    fields = ("name", "customerNumber", "organizationNumber", "email", "phone")
    expected = sum(1 for doc in store.all("customers") if any("ab" in fold(doc.get(field)) for field in fields))
    assert expected > 100  # beyond what one answer of Seven Time holds
    by_name = sum(1 for doc in store.all("customers") if "ab" in fold(doc.get("name")))
    page = search(office_client, "ab")
    section = search_section(page, "Customers", str(expected))
    assert section.count("<li>") == 8
    assert 'href="/customers/?name=ab">See all matching customers</a>' in section  # only names hold "ab"
    _response, listed = get(office_client, "/customers/?name=ab")
    assert f"of {by_name} matches" in text(listed)
    assert re.search(r"Updated \d+ seconds? ago", text(page))


def test_the_search_partial_reads_the_copy_too(searched, office_client, seventime_down):
    """As typed (htmx): only the results, with the copy's age, and not one call."""
    invoice = store.all("invoices")[0]
    page = search(office_client, invoice["invoiceNumber"], **HTMX)
    assert "<html" not in page and '<form id="search"' not in page
    assert found_ids(page, "invoices")[0] == invoice["_id"]
    assert re.search(r"Updated \d+ seconds? ago", text(page))
    assert seventime_down == []


def test_before_the_first_complete_sync_the_search_asks_seven_time_and_says_the_copy_is_being_built(
    office_client, monkeypatch
):
    calls = []
    request = SevenTimeClient._request

    def counted(self, method, path, **kwargs):
        calls.append(path)
        return request(self, method, path, **kwargs)

    monkeypatch.setattr(SevenTimeClient, "_request", counted)
    SyncRun.objects.create(
        account=engine_account(), started_at=timezone.now(), progress={"customers": {"done": 40, "total": 320}}
    )
    customer = store.all("customers")[0]
    page = search(office_client, customer["name"])
    assert customer["_id"] in found_ids(page, "customers")
    assert "The local copy is being built. 40 of 320 read so far." in text(page)
    assert "at most 100 records" in text(page)
    assert calls  # asked live, as before the copy
