"""Browse pages: who may see what, API errors as friendly pages, escaping and
sanitising what the API sends (helpers: pages.py).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.browse.pages import (
    DEFAULT_SORT,
    DETAIL_LOOKUPS,
    HISTORY_RESTORE,
    HTMX,
    PAGE_LOOKUPS,
    SEARCH_FILTERS,
    body_rows,
    contact_doc,
    customer_doc,
    fields,
    full_invoice,
    get,
    invoice_doc,
    project_doc,
    search_params,
    stub,
    stub_invoice,
    stub_list,
    stub_lookups,
    table,
    user_doc,
    vary,
)
from tests.conftest import API, SECRET

pytestmark = pytest.mark.django_db


# =====================================================================
# Permissions
# =====================================================================

ALL_PAGES = [
    "/",
    "/?q=Berg",
    "/customers/",
    "/customers/cust-1/",
    "/projects/",
    "/projects/proj-1/",
    "/workorders/",
    "/workorders/wo-1/",
    "/users/",
    "/users/user-1/",
    "/invoices/",
    "/invoices/inv-1/",
]
ENTITY_PAGES = [page for page in ALL_PAGES if page not in ("/", "/?q=Berg")]  # lists and details


@pytest.mark.parametrize("url", ALL_PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, api, url):
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/login/"
    assert parse_qs(location.query)["next"] == [url]
    assert len(api.calls) == 0


@pytest.mark.parametrize("url", ENTITY_PAGES)
def test_user_without_group_gets_the_friendly_403_page(plain_client, api, url):
    response, page = get(plain_client, url)
    assert response.status_code == 403
    assert "You do not have access to this page" in page
    assert "ask a manager or the administrator" in page
    assert len(api.calls) == 0


def test_user_without_group_sees_no_sections_and_cannot_search(plain_client, api):
    response, page = get(plain_client, "/")
    assert response.status_code == 200
    assert "section-link" not in page
    response, page = get(plain_client, "/?q=Berg")
    assert "You do not have access to any section to search." in page
    assert len(api.calls) == 0


@pytest.mark.parametrize("kind", ["customers", "projects", "workorders", "invoices"])
def test_office_staff_can_browse_customers_projects_work_orders_and_invoices(office_client, api, kind):
    stub_list(api, kind, [])
    response, page = get(office_client, f"/{kind}/")
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/users/", "/users/?name=Felix", "/users/user-1/"])
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_office_staff_gets_403_on_users(office_client, api, url, headers):
    response, page = get(office_client, url, **headers)
    assert response.status_code == 403
    if headers:  # htmx: an inline message for the swapped region, not a whole page
        assert "No access" in page and "<html" not in page
    else:
        assert "You do not have access to this page" in page
    assert len(api.calls) == 0


def test_user_names_are_not_links_for_staff_who_cannot_open_users(office_client, api):
    stub_invoice(api, full_invoice())
    response, page = get(office_client, "/invoices/inv-1/")
    assert fields(page)["Our reference"] == "Felix Hellström"
    assert 'href="/users/' not in page


def test_office_staff_navigation_and_home_do_not_offer_users(office_client, api):
    response, page = get(office_client, "/")
    assert 'href="/customers/"' in page and 'href="/invoices/"' in page
    assert 'href="/users/"' not in page


def test_managers_see_users(manager_client, api):
    stub_list(api, "users", [user_doc()])
    response, page = get(manager_client, "/users/")
    assert response.status_code == 200
    assert table(page)[0][0] == "Hellström, Felix"
    assert 'href="/users/"' in page  # in the navigation


@pytest.mark.parametrize("kind", ["customers", "projects", "workorders", "users", "invoices"])
def test_superuser_sees_every_list(superuser_client, api, kind):
    stub_list(api, kind, [])
    response, page = get(superuser_client, f"/{kind}/")
    assert response.status_code == 200
    assert 'href="/users/"' in page

# =====================================================================
# API errors
# =====================================================================


def test_unknown_id_gives_404_page_naming_what_was_not_found(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["customers"])
    stub(api, "customers/nope-42", status=404, json={"errorMessage": "Customer not found"})
    stub(api, "contactPersons", [], {"customerId": "nope-42", "sortBy": "name"})
    response, page = get(office_client, "/customers/nope-42/")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in page
    assert "There is no customer with the id “nope-42” in Seven Time." in page
    assert "Try again" not in page


@pytest.mark.parametrize(
    ("kind", "path", "name"),
    [
        ("projects", "projects", "project"),
        ("workorders", "workOrders", "work order"),
        ("invoices", "invoices", "invoice"),
    ],
)
def test_unknown_id_of_other_kinds_names_the_kind(superuser_client, api, kind, path, name):
    stub_lookups(api)
    stub(api, f"{path}/x-1", status=404, json={"errorMessage": "not found"})
    stub(api, "workOrders", [], {"projectId": "x-1", "sortBy": "workOrderNumber", "sortDirection": "descending"})
    response, page = get(superuser_client, f"/{kind}/x-1/")
    assert response.status_code == 404
    assert f"There is no {name} with the id “x-1” in Seven Time." in page


def test_unknown_id_with_markup_is_escaped_on_the_404_page(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["invoices"])
    api.get(re.compile(re.escape(API) + r"invoices/.+"), status=404, json={"errorMessage": "not found"})
    response, page = get(office_client, "/invoices/%3Cb%3Ebold/")
    assert response.status_code == 404
    assert "<b>bold" not in page
    assert "There is no invoice with the id “&lt;b&gt;bold” in Seven Time." in page


def test_rejected_client_secret_tells_the_administrator_and_never_shows_the_secret(office_client, api):
    stub_lookups(api, PAGE_LOOKUPS["customers"])
    stub(
        api,
        "customers",
        params=DEFAULT_SORT["customers"],
        status=401,
        json={"errorMessage": f"Invalid Client-Secret {SECRET}"},
    )
    response, page = get(office_client, "/customers/")
    assert response.status_code == 503
    assert "Seven Time refused our credentials" in page
    assert "Administrator: check SEVENTIME_CLIENT_SECRET" in page
    assert SECRET not in page
    assert "Try again" not in page


def test_rejected_client_secret_on_a_detail_page(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["invoices"])
    stub(api, "invoices/inv-1", status=401, json={"errorMessage": f"bad secret {SECRET}"})
    response, page = get(office_client, "/invoices/inv-1/")
    assert response.status_code == 503
    assert "SEVENTIME_CLIENT_SECRET" in page and SECRET not in page


API_FAILURES = {
    "connection-error": (
        {"body": requests.exceptions.ConnectionError("refused")},
        503,
        "The dashboard could not reach Seven Time.",
    ),
    "read-timeout": ({"body": requests.exceptions.ReadTimeout()}, 504, "Seven Time did not answer in time."),
    "server-error": (
        {"status": 500, "json": {"errorMessage": "NullPointerException at line 12"}},
        502,
        "Seven Time reported an internal error.",
    ),
    "not-json": (
        {"status": 200, "body": "<html><body>Maintenance</body></html>", "content_type": "text/html"},
        502,
        "The answer could not be read.",
    ),
}


def assert_no_internals(page):
    for leak in ("Traceback", "requests.exceptions", "NullPointerException", "Maintenance", "ConnectionFailed", SECRET):
        assert leak not in page


@pytest.mark.parametrize("failure", API_FAILURES, ids=list(API_FAILURES))
def test_api_failure_on_a_list_gives_a_friendly_page_with_retry(office_client, api, failure):
    stub_kwargs, status, explanation = API_FAILURES[failure]
    stub_lookups(api, PAGE_LOOKUPS["customers"])
    stub(api, "customers", params=DEFAULT_SORT["customers"] | {"city": "Lund"}, **stub_kwargs)
    response, page = get(office_client, "/customers/?city=Lund")
    assert response.status_code == status
    assert "<html" in page and 'class="api-error"' in page
    assert explanation in page
    assert re.search(r'<a href="/customers/\?city=Lund" role="button">Try again</a>', page)
    assert_no_internals(page)


def test_a_request_the_api_rejects_on_a_list_gives_a_page_without_try_again(office_client, api):
    """A 400 would be rejected again: the page says so and offers no "Try again"
    (ValidationError.retryable is False)."""
    stub_lookups(api, PAGE_LOOKUPS["customers"])
    rejected = {"status": 400, "json": {"errorMessage": "city is not valid"}}
    stub(api, "customers", params=DEFAULT_SORT["customers"] | {"city": "Lund"}, **rejected)
    response, page = get(office_client, "/customers/?city=Lund")
    assert response.status_code == 502
    assert "Seven Time did not accept the request." in page
    assert "Try again" not in page
    assert_no_internals(page)


@pytest.mark.parametrize("failure", API_FAILURES, ids=list(API_FAILURES))
def test_api_failure_on_a_detail_page_gives_a_friendly_page_with_retry(office_client, api, failure):
    stub_kwargs, status, explanation = API_FAILURES[failure]
    stub_lookups(api, DETAIL_LOOKUPS["invoices"])
    stub(api, "invoices/inv-1", **stub_kwargs)
    response, page = get(office_client, "/invoices/inv-1/")
    assert response.status_code == status
    assert explanation in page
    assert 'href="/invoices/inv-1/" role="button">Try again</a>' in page
    assert_no_internals(page)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_list_showing_a_malformed_field_says_the_answer_could_not_be_read(office_client, api, headers):
    # Fields are converted when a page reads them: this one is read for the amount column.
    stub_list(api, "invoices", [invoice_doc(), invoice_doc(id="inv-2", totalAmountInclTax="a lot")])
    response, page = get(office_client, "/invoices/", **headers)
    assert "The answer could not be read." in page and response.status_code == 502
    assert ("<html" in page) is not bool(headers)  # htmx gets the inline message for the results
    assert_no_internals(page)
    assert "a lot" not in page


def test_a_detail_page_with_a_malformed_field_it_only_compares_says_so(office_client, api):
    # invoiceType is only compared ({% if record.invoice_type == 1 %}), where Django's
    # templates would take an error for "no": the page checks every field first.
    stub_invoice(api, full_invoice(invoiceType="ROT"))
    response, page = get(office_client, "/invoices/inv-1/")
    assert response.status_code == 502 and "The answer could not be read." in page
    assert_no_internals(page)


def test_an_invoice_with_a_malformed_row_is_listed_and_its_page_explains(office_client, api):
    """The list never shows rows, so one unreadable row does not hide the invoice;
    the invoice's own page, which shows the rows, says the answer could not be read."""
    broken = invoice_doc(invoiceItems=[{"name": "Målning", "numberOfItems": "ett par"}])
    stub_list(api, "invoices", [broken, invoice_doc(id="inv-2", invoiceNumber="24482")])
    response, page = get(office_client, "/invoices/")
    assert response.status_code == 200
    assert [row[0] for row in table(page)] == ["24481", "24482"]

    stub_lookups(api, DETAIL_LOOKUPS["invoices"])
    stub(api, "invoices/inv-1", broken)
    response, page = get(office_client, "/invoices/inv-1/")
    assert response.status_code == 502
    assert "The answer could not be read." in page
    assert 'href="/invoices/inv-1/" role="button">Try again</a>' in page
    assert_no_internals(page)
    assert "ett par" not in page


def test_failing_lookup_list_gives_the_friendly_page(office_client, api):
    stub(api, "priceLists", status=500, json={})
    stub(api, "customers", [customer_doc()], DEFAULT_SORT["customers"])
    response, page = get(office_client, "/customers/")
    assert response.status_code == 502
    assert "Seven Time reported an internal error." in page


@pytest.mark.parametrize("failure", API_FAILURES, ids=list(API_FAILURES))
def test_api_failure_on_htmx_request_gives_the_inline_error_partial(office_client, api, failure):
    stub_kwargs, status, explanation = API_FAILURES[failure]
    stub_lookups(api, PAGE_LOOKUPS["customers"])
    stub(api, "customers", params=DEFAULT_SORT["customers"] | {"city": "Lund"}, **stub_kwargs)
    response, page = get(office_client, "/customers/?city=Lund", **HTMX)
    assert response.status_code == status
    assert "<html" not in page
    assert 'class="api-error inline"' in page
    assert explanation in page
    assert 'hx-get="/customers/?city=Lund"' in page
    assert_no_internals(page)


def test_api_failure_on_htmx_search_gives_the_inline_error_partial(office_client, api):
    stub(api, "customers", params=search_params("customers", "name", "Berg"), body=requests.exceptions.ConnectionError())
    stub(api, "projects", [], search_params("projects", "name", "Berg"))
    stub(api, "workOrders", [], search_params("workOrders", "title", "Berg"))
    response, page = get(office_client, "/?q=Berg", **HTMX)
    assert response.status_code == 503
    assert "<html" not in page and 'class="api-error inline"' in page


def test_rejected_secret_on_htmx_request_gives_the_inline_partial_without_retry(office_client, api):
    stub_lookups(api, PAGE_LOOKUPS["customers"])
    stub(api, "customers", params=DEFAULT_SORT["customers"], status=401, json={"errorMessage": SECRET})
    response, page = get(office_client, "/customers/", **HTMX)
    assert response.status_code == 503
    assert "<html" not in page and "SEVENTIME_CLIENT_SECRET" in page
    assert "Try again" not in page and SECRET not in page


def test_rate_limited_api_asks_to_wait_and_offers_retry(office_client, api):
    stub_lookups(api, PAGE_LOOKUPS["customers"])
    stub(api, "customers", params=DEFAULT_SORT["customers"], status=429, headers={"Retry-After": "30"}, json={})
    response, page = get(office_client, "/customers/")
    assert response.status_code == 503
    assert "Seven Time is receiving too many requests. Wait 30 seconds." in page
    assert "Try again" in page


def test_error_answer_that_depends_on_htmx_varies_on_hx_request(office_client, api):
    stub_lookups(api, PAGE_LOOKUPS["customers"])
    stub(api, "customers", params=DEFAULT_SORT["customers"], body=requests.exceptions.ConnectionError())
    response, page = get(office_client, "/customers/", **HTMX)
    assert 'class="api-error inline"' in page
    assert "hx-request" in vary(response)


def test_api_failure_on_history_restore_gives_the_full_error_page(office_client, api):
    stub_lookups(api, PAGE_LOOKUPS["customers"])
    stub(api, "customers", params=DEFAULT_SORT["customers"], body=requests.exceptions.ReadTimeout())
    response, page = get(office_client, "/customers/", **HISTORY_RESTORE)
    assert response.status_code == 504
    assert "<html" in page and 'class="api-error"' in page and "api-error inline" not in page

# =====================================================================
# Escaping and sanitising
# =====================================================================

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_customer_name_with_script_is_escaped_in_the_list(office_client, api):
    stub_list(api, "customers", [customer_doc(name=SCRIPT)])
    response, page = get(office_client, "/customers/")
    assert SCRIPT not in page
    assert ESCAPED in body_rows(page)[0]


def test_customer_name_with_script_is_escaped_on_the_detail_page(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["customers"])
    stub(api, "customers/cust-1", customer_doc(name=SCRIPT, notes=SCRIPT))
    stub(api, "contactPersons", [contact_doc(name=SCRIPT)], {"customerId": "cust-1", "sortBy": "name"})
    response, page = get(office_client, "/customers/cust-1/")
    assert response.status_code == 200
    assert SCRIPT not in page
    assert page.count(ESCAPED) >= 4  # title, heading, notes, contact person


def test_customer_name_with_script_is_escaped_in_search_results(office_client, api):
    stub(api, "customers", [customer_doc(name=SCRIPT)], search_params("customers", "name", "alert"))
    stub(api, "projects", [project_doc(customerName=SCRIPT)], search_params("projects", "name", "alert"))
    stub(api, "workOrders", [], search_params("workOrders", "title", "alert"))
    response, page = get(office_client, "/?q=alert")
    assert response.status_code == 200
    assert SCRIPT not in page
    assert page.count(ESCAPED) == 2


def test_lookup_names_with_markup_are_escaped(office_client, api):
    statuses = [{"_id": "pstatus-active", "statusName": SCRIPT, "color": "4CAF50"}]
    stub_lookups(api, PAGE_LOOKUPS["projects"] - {"projectStatuses"})
    stub(api, "projectStatuses", statuses)
    stub(api, "projects", [project_doc()], DEFAULT_SORT["projects"])
    response, page = get(office_client, "/projects/")
    assert response.status_code == 200
    assert SCRIPT not in page
    assert ESCAPED in body_rows(page)[0]  # the status badge
    assert f'<option value="pstatus-active">{ESCAPED}</option>' in page  # the status filter


def test_search_query_with_markup_is_escaped(office_client, api):
    query = '"><script>alert(1)</script>'
    for path, key in SEARCH_FILTERS:  # the query has a digit: numbers are asked too
        stub(api, path, [], search_params(path, key, query))
    response, page = get(office_client, "/?q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 200
    assert SCRIPT not in page
    assert 'value="&quot;&gt;&lt;script&gt;' in page


def test_invoice_footer_and_address_html_is_sanitised(office_client, api):
    footer = (
        '<b>Tack för er beställning</b><br><script>alert("footer")</script>'
        '<img src="x" onerror="alert(2)"><span style="position:fixed">Bankgiro 123-4567</span>'
        '<a href="javascript:alert(3)" onclick="alert(4)">klicka</a>'
    )
    address = (
        'Glimmingevägen 18<br>26974 Västra Karup<script>alert("address")</script>'
        '<div onmouseover="alert(5)" style="color:red">c/o</div>'
    )
    stub_invoice(
        api,
        full_invoice(
            footerText=footer, customerAddress=address, headerText="<i>Hej</i><style>body{display:none}</style>"
        ),
    )
    response, page = get(office_client, "/invoices/inv-1/")
    assert response.status_code == 200
    footer_html = re.search(r"<h2>Footer text</h2><div class=\"api-text\">(.*?)</div>\s*</section>", page, re.S).group(
        1
    )
    assert "<b>Tack för er beställning</b><br>" in footer_html
    assert "<span>Bankgiro 123-4567</span>" in footer_html
    address_html = re.search(r"<h3>Invoice address</h3>\s*<address>(.*?)</address>", page, re.S).group(1)
    assert address_html == "Glimmingevägen 18<br>26974 Västra Karup<div>c/o</div>"
    header_html = re.search(r"<h2>Header text</h2><div class=\"api-text\">(.*?)</div>", page, re.S).group(1)
    assert header_html == "<i>Hej</i>"
    for dangerous in (
        "alert(",
        "<img",
        "onerror",
        "onclick",
        "onmouseover",
        "javascript:",
        "position:fixed",
        "color:red",
        "display:none",
    ):
        assert dangerous not in page, dangerous
