"""The command palette's answers (issue 16): records from the complete local copy,
ranked exact number first, then names starting with the query; the pages and create
forms the user may open; never a call to Seven Time."""

from __future__ import annotations

import re

import pytest

from dashboard.collation import fold
from seventime.sandbox import store
from tests.browse.pages import text

pytestmark = pytest.mark.django_db

PALETTE = {"HTTP_X_PALETTE": "1"}


def options(page: str) -> list[tuple[str, str]]:
    """(href, text) of each option, in order."""
    return [
        (href, text(body))
        for href, body in re.findall(r'<a role="option" id="[^"]+" href="([^"]+)"[^>]*>(.*?)</a>', page, re.S)
    ]


def ask(client, query: str) -> list[tuple[str, str]]:
    response = client.get("/palette/", {"q": query}, **PALETTE)
    assert response.status_code == 200
    return options(response.content.decode())


def oldest(collection: str) -> dict:
    return min(store.all(collection), key=lambda doc: doc.get("createdDate") or doc.get("createDate") or "")


def test_a_record_far_beyond_the_newest_hundred_is_found_by_its_number_first(swept, office_client, seventime_down):
    customers = store.all("customers")
    assert len(customers) > 100
    customer = oldest("customers")
    found = ask(office_client, customer["customerNumber"])
    assert found[0][0] == f"/customers/{customer['_id']}/"
    assert customer["name"] in found[0][1]
    assert seventime_down == []


#: The documents' fields the copy's search matches (docs/sync.md), per collection.
KINDS = {  # URL kind: (sandbox collection, name of a document, its number)
    "customers": ("customers", lambda d: d.get("name"), "customerNumber"),
    "projects": ("projects", lambda d: d.get("name"), "projectNumber"),
    "workorders": ("workOrders", lambda d: d.get("title"), "workOrderNumber"),
    "invoices": ("invoices", lambda d: d.get("customerName"), "invoiceNumber"),
}


def by_id() -> dict[str, tuple[str, dict]]:
    return {doc["_id"]: (kind, doc) for kind, (collection, _n, _f) in KINDS.items() for doc in store.all(collection)}


def test_an_exact_number_comes_before_records_that_only_hold_it(copied, office_client, seventime_down):
    customer = next(doc for doc in store.all("customers") if doc["customerNumber"] == "1001")
    found = ask(office_client, "1001")
    assert found[0][0] == f"/customers/{customer['_id']}/"
    # Others hold 1001 somewhere (an OCR number, a phone...): they come after it.
    assert len([href for href, _text in found if re.match(r"/(customers|projects|workorders|invoices)/", href)]) > 1


def test_names_that_start_with_the_query_come_before_names_that_only_hold_it(
    copied, office_client, seventime_down
):
    docs = by_id()
    # A word that starts some names and sits inside others.
    query = "berg"
    starting = {i for i, (kind, doc) in docs.items() if fold(KINDS[kind][1](doc) or "").startswith(query)}
    inside = {i for i, (kind, doc) in docs.items() if query in fold(KINDS[kind][1](doc) or "") and i not in starting}
    assert starting and inside
    found = [href.strip("/").split("/")[1] for href, _text in ask(office_client, query)]
    ranks = [0 if record_id in starting else 1 for record_id in found]
    assert ranks == sorted(ranks), "every name starting with the query first"
    assert ranks[0] == 0
    assert len(found) == 10  # at most ten records


@pytest.mark.parametrize("field", ["organizationNumber", "email"])
def test_a_customer_is_found_by_org_number_and_e_mail(copied, office_client, seventime_down, field):
    customer = next(doc for doc in reversed(store.all("customers")) if doc.get(field))
    found = ask(office_client, customer[field].upper() if field == "email" else customer[field])
    assert f"/customers/{customer['_id']}/" in [href for href, _text in found]


def test_an_invoice_is_found_by_its_ocr_number(copied, office_client, seventime_down):
    invoice = next(doc for doc in store.all("invoices") if doc.get("OCRNumber"))
    found = ask(office_client, invoice["OCRNumber"])
    assert found[0][0] == f"/invoices/{invoice['_id']}/"


def test_pages_and_create_forms_are_only_those_the_user_may_open(copied, client, office_user, manager_user):
    client.force_login(office_user)
    office = dict((label, href) for href, label in ask(client, ""))
    assert office["Customers"] == "/customers/"
    assert office["New customer"] == "/customers/new/"
    assert "Users" not in office and "New user" not in office
    assert "Invoice overview" not in office and "Create log" not in office
    client.force_login(manager_user)
    manager = dict((label, href) for href, label in ask(client, ""))
    assert manager["Users"] == "/users/"
    assert manager["New user"] == "/users/new/"
    assert manager["Invoice overview"] == "/overview/"
    # Typing narrows the pages and forms down.
    assert [label for _href, label in ask(client, "overview")] == ["Invoice overview"]


def test_records_of_lists_the_user_may_not_browse_are_not_found(copied, client, office_user, manager_user):
    user = next(doc for doc in store.all("users") if doc.get("email"))
    client.force_login(office_user)
    assert not [href for href, _text in ask(client, user["email"]) if "/users/" in href]
    client.force_login(manager_user)
    assert f"/users/{user['_id']}/" in [href for href, _text in ask(client, user["email"])]


def test_before_the_copy_is_made_the_palette_says_what_it_did_not_search(office_client, seventime_down):
    response = office_client.get("/palette/", {"q": "berg"}, **PALETTE)
    page = text(response.content.decode())
    assert "Not searched yet: customers, projects, work orders, invoices" in page
    assert seventime_down == []


def test_html_in_the_query_is_shown_as_text(copied, office_client):
    response = office_client.get("/palette/", {"q": "<script>x</script>"}, **PALETTE)
    assert "<script>x" not in response.content.decode()
    assert "&lt;script&gt;" in response.content.decode()


def test_without_javascript_the_palette_is_a_page(copied, office_client):
    customer = oldest("customers")
    response = office_client.get("/palette/", {"q": customer["customerNumber"]})
    assert response.status_code == 200
    assert f'href="/customers/{customer["_id"]}/"' in response.content.decode()
    assert "<dialog" in response.content.decode()  # the whole page, with the dialog of every page


def test_every_page_has_the_palette_button_and_dialog(office_client):
    page = office_client.get("/").content.decode()
    assert 'data-palette-open' in page and 'role="combobox"' in page and 'aria-controls="palette-listbox"' in page
