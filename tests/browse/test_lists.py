"""List pages against a stubbed Seven Time API: columns, API filters and sorting,
local filters, htmx partials, the 100-record cap and local paging (helpers: pages.py).
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browse.pages import (
    API_PATH,
    DETAIL_LOOKUPS,
    HISTORY_RESTORE,
    HTMX,
    body_rows,
    customer_doc,
    get,
    invoice_doc,
    many_customers,
    project_doc,
    search_params,
    section,
    stub,
    stub_list,
    stub_lookups,
    table,
    text,
    user_doc,
    vary,
    work_order_doc,
)

pytestmark = pytest.mark.django_db


# =====================================================================
# List pages: columns
# =====================================================================


def test_customer_list_shows_number_name_org_number_city_phone_and_active(office_client, api):
    stub_list(
        api,
        "customers",
        [
            customer_doc(),
            customer_doc(
                "cust-2",
                customerNumber="1002",
                name="Ahlgrens Måleri",
                organizationNumber="",
                city="Malmö",
                phone="",
                isActive=False,
            ),
        ],
    )
    response, page = get(office_client, "/customers/")
    assert response.status_code == 200
    assert table(page) == [
        ["1001", "Bergström Bygg AB", "556677-8899", "Lund", "046-12 34 56", "Active"],
        ["1002", "Ahlgrens Måleri", "", "Malmö", "", "Inactive"],
    ]
    assert 'href="/customers/cust-1/"' in body_rows(page)[0]
    assert "Showing 1–2 of 2 matches." in page


def test_project_list_shows_status_name_billing_and_stockholm_dates(office_client, api):
    stub_list(api, "projects", [project_doc()])
    response, page = get(office_client, "/projects/")
    assert response.status_code == 200
    assert table(page) == [
        ["2001", "Blåsippan", "Bergström Bygg AB", "Pågående", "Hourly price", "2026-03-01", "2026-06-30"]
    ]
    row = body_rows(page)[0]
    assert 'href="/projects/proj-1/"' in row and 'href="/customers/cust-1/"' in row
    assert "pstatus-active" not in row


def test_work_order_list_shows_status_name_and_local_times(office_client, api):
    stub_list(api, "workorders", [work_order_doc()])
    response, page = get(office_client, "/workorders/")
    assert response.status_code == 200
    assert table(page) == [
        ["4843", "Byt element", "Bergström Bygg AB", "Blåsippan", "Ny", "2026-07-01 07:00", "2026-01-15 07:00"]
    ]
    row = body_rows(page)[0]
    for href in ("/workorders/wo-1/", "/customers/cust-1/", "/projects/proj-1/"):
        assert f'href="{href}"' in row


def test_user_list_shows_role_and_department_names(manager_client, api):
    stub_list(
        api,
        "users",
        [
            user_doc(),
            user_doc(
                "user-2",
                firstName="Anna",
                lastName="Ek",
                userName="anna",
                email="",
                userRoleId=2,
                department="dept-sales",
                departmentName="Sälj (old name)",
                isActive=False,
            ),
        ],
    )
    response, page = get(manager_client, "/users/")
    assert response.status_code == 200
    assert table(page) == [
        ["Hellström, Felix", "felix", "felix@example.test", "Administratör", "Utveckling", "Active"],
        ["Ek, Anna", "anna", "", "Tekniker", "Försäljning", "Inactive"],
    ]
    assert 'href="/users/user-1/"' in body_rows(page)[0]


def test_invoice_list_shows_amount_currency_stockholm_dates_and_state(office_client, api):
    stub_list(api, "invoices", [invoice_doc()])
    response, page = get(office_client, "/invoices/")
    assert response.status_code == 200
    assert table(page) == [
        ["24481", "Hellapps AB", "Blåsippan", "2020-11-05", "2099-12-05", "16,876.24", "SEK", "Sent, not yet due"]
    ]
    row = body_rows(page)[0]
    for href in ("/invoices/inv-1/", "/customers/cust-1/", "/projects/proj-1/"):
        assert f'href="{href}"' in row


def test_empty_result_says_nothing_matches(office_client, api):
    stub_list(api, "customers", [], name="zzz")
    response, page = get(office_client, "/customers/?name=zzz")
    assert response.status_code == 200
    assert "Nothing matches these filters." in page
    assert body_rows(page) == []

# =====================================================================
# List pages: API filters and sorting
# =====================================================================


@pytest.mark.parametrize(
    ("kind", "query", "api_params"),
    [
        (
            "customers",
            "name=Berg&customer_number=1001&organization_number=556677&city=Lund",
            {"name": "Berg", "customerNumber": "1001", "organizationNumber": "556677", "city": "Lund"},
        ),
        ("projects", "name=Blå&project_number=2001", {"name": "Blå", "projectNumber": "2001"}),
        (
            "workorders",
            "title=element&work_order_number=4843&project_id=proj-1",
            {"title": "element", "workOrderNumber": "4843", "projectId": "proj-1"},
        ),
        (
            "users",
            "name=Felix&person_number=19800101&department=dept-dev&user_role=1&is_active=true"
            "&is_activated=false&default_salary_type=salary-ot&user_skills=skill-weld",
            {
                "name": "Felix",
                "personNumber": "19800101",
                "department": "dept-dev",
                "userRole": "1",
                "isActive": "true",
                "isActivated": "false",
                "defaultSalaryType": "salary-ot",
                "userSkills": "skill-weld",
            },
        ),
        (
            "invoices",
            "invoice_number=24481&ocr_number=2448173&customer_number=3028",
            {"invoiceNumber": "24481", "OCRNumber": "2448173", "customerNumber": "3028"},
        ),
    ],
)
def test_list_filters_go_to_the_api_under_their_api_names(superuser_client, api, kind, query, api_params):
    docs = {
        "customers": customer_doc,
        "projects": project_doc,
        "workorders": work_order_doc,
        "users": user_doc,
        "invoices": invoice_doc,
    }
    stub_list(api, kind, [docs[kind](id="match-1")], **api_params)
    response, page = get(superuser_client, f"/{kind}/?{query}")
    assert response.status_code == 200
    assert f'href="/{kind}/match-1/"' in page
    list_calls = [call for call in api.calls if urlsplit(call.request.url).path.endswith("/" + API_PATH[kind])]
    assert len(list_calls) == 1


@pytest.mark.parametrize(
    ("kind", "sort", "sort_by"),
    [
        ("customers", "number", "customerNumber"),
        ("customers", "city", "city"),
        ("projects", "customer", "customerName"),
        ("workorders", "start_date", "startDate"),
        ("users", "department", "departmentName"),
        ("invoices", "due_date", "dueDate"),
        ("invoices", "total", "totalAmountInclTax"),
    ],
)
@pytest.mark.parametrize("direction", ["ascending", "descending"])
def test_chosen_sort_goes_to_the_api_as_sort_by_and_sort_direction(
    superuser_client, api, kind, sort, sort_by, direction
):
    stub_list(api, kind, [], sortBy=sort_by, sortDirection=direction)
    response, page = get(superuser_client, f"/{kind}/?sort={sort}&dir={direction}")
    assert response.status_code == 200
    assert "Nothing matches these filters." in page


@pytest.mark.parametrize(
    ("direction", "api_order", "names"),
    [
        # The API orders by the role's number, with no role first; the column shows names.
        ("ascending", [("Ahl", None), ("Berg", 1), ("Ek", 1), ("Dahl", 2)], ["Berg", "Ek", "Dahl", "Ahl"]),
        ("descending", [("Dahl", 2), ("Berg", 1), ("Ek", 1), ("Ahl", None)], ["Ahl", "Dahl", "Berg", "Ek"]),
    ],
)
def test_users_sorted_by_role_come_in_the_order_of_the_role_names_shown(manager_client, api, direction, api_order, names):
    docs = [user_doc(f"user-{last}", lastName=last, userRoleId=role) for last, role in api_order]
    stub_list(api, "users", docs, sortBy="userRoleId", sortDirection=direction)

    response, page = get(manager_client, f"/users/?sort=role&dir={direction}")

    # Administratör, Tekniker, then no role ("–"); one role's users keep the API's order.
    assert [row[0].split(",")[0] for row in table(page)] == names  # "Last, First"


def test_projects_sorted_by_billing_come_in_the_order_of_the_billing_names_shown(office_client, api):
    codes = ["RUNNING", "PRICELIST", "PERUSER", "HOURLY"]  # the API orders by code: PERUSER before PRICELIST
    docs = [project_doc(f"proj-{code}", name=code, billingMethod=code) for code in sorted(codes)]
    stub_list(api, "projects", docs, sortBy="billingMethod", sortDirection="ascending")

    response, page = get(office_client, "/projects/?sort=billing_method&dir=ascending")

    assert [row[4] for row in table(page)] == ["Hourly price", "Price list", "Price per user", "Running price"]


def test_sorted_column_is_marked_and_its_link_reverses_the_direction(office_client, api):
    stub_list(api, "customers", [customer_doc()], name="Berg", sortBy="city", sortDirection="ascending")
    response, page = get(office_client, "/customers/?name=Berg&sort=city&dir=ascending")
    assert response.status_code == 200
    header = re.search(r'<th scope="col" aria-sort="ascending">(.*?)</th>', page, re.S)
    assert header and "City" in header.group(1)
    link = re.search(r'href="\?([^"]+)"', header.group(1)).group(1)
    assert parse_qs(html_lib.unescape(link)) == {"name": ["Berg"], "sort": ["city"], "dir": ["descending"]}


@pytest.mark.parametrize(
    "query",
    ["sort=bogus&dir=sideways", "sort=status", "dir=upwards"],
    ids=["unknown-key-and-direction", "column-without-api-sort", "unknown-direction"],
)
def test_unknown_or_unsortable_sort_falls_back_to_the_default(office_client, api, query):
    stub_list(api, "projects", [project_doc()])  # sortBy=projectNumber, descending
    response, page = get(office_client, f"/projects/?{query}")
    assert response.status_code == 200
    assert 'href="/projects/proj-1/"' in page

# =====================================================================
# List pages: local filters
# =====================================================================


@pytest.mark.parametrize(
    ("active", "names"),
    [("true", ["Bergström Bygg AB"]), ("false", ["Ahlgrens Måleri"]), ("", ["Bergström Bygg AB", "Ahlgrens Måleri"])],
)
def test_customer_active_filter_narrows_rows_locally(office_client, api, active, names):
    stub_list(api, "customers", [customer_doc(), customer_doc("cust-2", name="Ahlgrens Måleri", isActive=False)])
    response, page = get(office_client, f"/customers/?active={active}")
    assert response.status_code == 200
    assert [row[1] for row in table(page)] == names


PROJECTS = [
    project_doc("p-1", name="Alfa", customerName="Bergström Bygg AB", projectStatusRef="pstatus-active", isActive=True),
    project_doc("p-2", name="Beta", customerName="Ahlgrens Måleri", projectStatusRef="pstatus-closed", isActive=False),
    project_doc(
        "p-3", name="Gamma", customerName="BERGSTRÖM BYGG AB", projectStatusRef="pstatus-closed", isActive=True
    ),
]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("status=pstatus-closed", ["Beta", "Gamma"]),
        ("customer=bergström", ["Alfa", "Gamma"]),
        ("active=false", ["Beta"]),
        ("status=pstatus-closed&customer=berg&active=true", ["Gamma"]),
        ("status=no-such-status", []),
    ],
)
def test_project_status_customer_and_active_filters_narrow_rows_locally(office_client, api, query, names):
    stub_list(api, "projects", PROJECTS)
    response, page = get(office_client, f"/projects/?{query}")
    assert response.status_code == 200
    assert [row[1] for row in table(page)] == names


@pytest.mark.parametrize("kind, api_kind", [("projects", "projects"), ("workorders", "workorders")])
def test_one_customers_records_are_matched_by_id_not_by_a_name_containing_theirs(office_client, api, kind, api_kind):
    doc = project_doc if kind == "projects" else work_order_doc
    field = "name" if kind == "projects" else "title"
    docs = [
        doc(f"{kind}-1", **{field: "Hos Berg"}, customer="cust-berg", customerName="Berg Tandvård AB"),
        doc(f"{kind}-2", **{field: "Hos Lundberg"}, customer="cust-lund", customerName="Lundberg Tandvård AB"),
    ]
    stub_list(api, api_kind, docs)
    response, page = get(office_client, f"/{kind}/?customer_id=cust-berg")
    assert response.status_code == 200
    assert [row[1] for row in table(page)] == ["Hos Berg"]
    assert f"Only the {kind.replace('workorders', 'work orders')} of Berg Tandvård AB." in page
    assert f'<a href="/{kind}/">Show all' in page
    assert 'type="hidden" name="customer_id" value="cust-berg"' in page  # kept while filtering further


def test_a_capped_answer_with_no_local_match_does_not_claim_nothing_exists(office_client, api):
    """Local filters only see the records Seven Time sent (at most 100): with none of
    them matching, the page must not say that nothing matches at all."""
    docs = [project_doc(f"p-{i}", name=f"P{i}", customer="cust-other") for i in range(100)]
    stub_list(api, "projects", docs)
    response, page = get(office_client, "/projects/?customer_id=cust-berg")
    assert "Nothing matches these filters." not in page
    assert "None of the 100 records Seven Time sent match these filters; there may be matches beyond them." in page
    assert "There may be more." in page
    # Named when nothing names it; and why a customer's projects may be missing.
    assert "Only the projects of one customer." in page
    assert "Seven Time cannot search projects by customer, so this list looks for the customer's among the 100 it sent." in page


def test_project_status_filter_offers_status_names_from_the_lookup(office_client, api):
    stub_list(api, "projects", PROJECTS)
    response, page = get(office_client, "/projects/?status=pstatus-closed")
    select = re.search(r'<select name="status"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select) == [
        ("", "Any"),
        ("pstatus-closed", "Avslutad"),
        ("pstatus-active", "Pågående"),
    ]
    assert re.search(r'<option value="pstatus-closed" selected>', select)


WORK_ORDERS = [
    work_order_doc(
        "w-1", title="Ett", statusRef="wstatus-new", workOrderType="wtype-service", customerName="Bergström Bygg AB"
    ),
    work_order_doc(
        "w-2", title="Två", statusRef="wstatus-done", workOrderType="wtype-extra", customerName="Ahlgrens Måleri"
    ),
    work_order_doc(
        "w-3", title="Tre", statusRef="wstatus-done", workOrderType="wtype-service", customerName="bergström bygg ab"
    ),
]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("status=wstatus-done", ["Två", "Tre"]),
        ("work_order_type=wtype-service", ["Ett", "Tre"]),
        ("customer=BERGSTRÖM", ["Ett", "Tre"]),
        ("status=wstatus-done&work_order_type=wtype-service&customer=berg", ["Tre"]),
    ],
)
def test_work_order_status_type_and_customer_filters_narrow_rows_locally(office_client, api, query, titles):
    stub_list(api, "workorders", WORK_ORDERS)
    response, page = get(office_client, f"/workorders/?{query}")
    assert response.status_code == 200
    assert [row[1] for row in table(page)] == titles


INVOICES = [
    invoice_doc("i-sent", invoiceNumber="101"),
    invoice_doc(
        "i-overdue", invoiceNumber="102", dueDate="2020-12-04T23:00:00.000Z", invoiceDate="2020-11-05T23:00:00.000Z"
    ),
    invoice_doc(
        "i-paid",
        invoiceNumber="103",
        paymentDate="2020-11-20T10:00:00.000Z",
        currencyCode="EUR",
        invoiceDate="2020-11-30T23:00:00.000Z",
    ),
    invoice_doc("i-draft", invoiceNumber="", sentDate=None, currencyCode="eur", invoiceDate="2020-12-01T08:00:00.000Z"),
]


@pytest.mark.parametrize(
    ("query", "numbers"),
    [
        ("state=overdue", ["102"]),
        ("state=paid", ["103"]),
        ("state=draft", ["(draft)"]),
        ("state=sent", ["101"]),
        ("currency=eur", ["103", "(draft)"]),
        ("currency=SEK&state=overdue", ["102"]),
        # 2020-11-04T23:00Z is 5 Nov in Stockholm, 2020-11-05T23:00Z is 6 Nov.
        ("date_from=2020-11-05&date_to=2020-11-05", ["101"]),
        ("date_from=2020-11-06", ["102", "103", "(draft)"]),
        ("date_to=2020-12-01", ["101", "102", "103", "(draft)"]),
        ("date_to=2020-11-30", ["101", "102"]),  # 103 is 1 Dec in Stockholm
        # 2020-11-30T23:00Z is already 1 Dec in Stockholm.
        ("date_from=2020-12-01&date_to=2020-12-01", ["103", "(draft)"]),
    ],
)
def test_invoice_state_currency_and_date_range_filters_narrow_rows_locally(office_client, api, query, numbers):
    stub_list(api, "invoices", INVOICES)
    response, page = get(office_client, f"/invoices/?{query}")
    assert response.status_code == 200
    assert [row[0] for row in table(page)] == numbers


def test_invoice_date_range_ending_before_it_starts_shows_an_error(office_client, api):
    stub_list(api, "invoices", INVOICES)
    response, page = get(office_client, "/invoices/?date_from=2020-12-01&date_to=2020-11-01")
    assert response.status_code == 200
    error = re.search(r'<small class="field-error" role="alert">(.*?)</small>', page, re.S)
    assert error and text(error.group(1)) == "The end of the period is before its start."


def test_invoice_invalid_date_shows_an_error_and_is_not_applied(office_client, api):
    stub_list(api, "invoices", INVOICES)
    response, page = get(office_client, "/invoices/?date_from=yesterday")
    assert response.status_code == 200
    assert 'class="field-error" role="alert"' in page
    assert len(table(page)) == 4


def test_invoice_date_range_error_is_shown_in_the_htmx_partial(office_client, api):
    stub_list(api, "invoices", INVOICES)
    response, page = get(office_client, "/invoices/?date_from=2020-12-01&date_to=2020-11-01", **HTMX)
    assert response.status_code == 200
    assert "<html" not in page
    assert "The end of the period is before its start." in page

# =====================================================================
# htmx: partial or full page
# =====================================================================


def test_htmx_request_gets_only_the_results_partial(office_client, api):
    stub_list(api, "customers", [customer_doc()])
    response, page = get(office_client, "/customers/", **HTMX)
    assert response.status_code == 200
    assert "<html" not in page and 'id="filters"' not in page
    assert table(page)[0][1] == "Bergström Bygg AB"
    assert "hx-request" in vary(response)


def test_plain_request_gets_the_full_page(office_client, api):
    stub_list(api, "customers", [customer_doc()])
    response, page = get(office_client, "/customers/")
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert 'id="filters"' in page and 'id="results"' in page
    assert table(page)[0][1] == "Bergström Bygg AB"
    assert "hx-request" in vary(response)


def test_history_restore_request_gets_the_full_page(office_client, api):
    stub_list(api, "customers", [customer_doc()])
    response, page = get(office_client, "/customers/", **HISTORY_RESTORE)
    assert response.status_code == 200
    assert "<html" in page and 'id="filters"' in page
    assert table(page)[0][1] == "Bergström Bygg AB"
    assert "hx-request" in vary(response)


def sort_links(page: str) -> dict[str, dict[str, list[str]]]:
    """The table head's sort links: column label -> their query parameters."""
    head = re.search(r"<thead[^>]*>(.*?)</thead>", page, re.S).group(1)
    return {
        text(label): parse_qs(html_lib.unescape(query))
        for query, label in re.findall(r'<a href="\?([^"]*)"[^>]*>(.*?)</a>', head, re.S)
    }


def shown_head(client, url: str) -> str:
    """The data-head of the table head a full page shows (what dashboard.js sends back)."""
    page = client.get(url).content.decode()
    return re.search(r'<thead id="list-head"[^>]* data-head="([^"]+)"', page)[1]


def test_filter_partial_leaves_out_the_table_head_the_page_already_shows(office_client, api):
    # dashboard.js says which head the page shows; filtering keeps the sort, so the head
    # is not sent again: an empty placeholder tells htmx to keep the one on the page.
    stub_list(api, "customers", [customer_doc()], sortBy="name", sortDirection="ascending")
    stub_list(api, "customers", [customer_doc()], city="Lund")
    head = shown_head(office_client, "/customers/?sort=name&dir=ascending")
    assert head.startswith("name ascending ")
    response, page = get(office_client, "/customers/?city=Lund&sort=name&dir=ascending", **HTMX,
                         **{"X-Table-Head": head})
    assert re.search(r'<thead id="list-head" hx-preserve="true">\s*</thead>', page)
    assert "sort=" not in page and 'name="sort"' not in page
    assert table(page)[0][1] == "Bergström Bygg AB"
    assert {"hx-request", "x-table-head"} <= vary(response)


@pytest.mark.parametrize(
    "headers",
    [
        {**HTMX, "X-Table-Head": "name descending {digest}"},  # a sort header was clicked
        {**HTMX, "X-Table-Head": "city ascending {digest}"},
        {**HTMX, "X-Table-Head": "name ascending 0000"},  # other columns (a release) or language
        HTMX,  # the page shows no head (an error was shown instead)
        {**HISTORY_RESTORE, "X-Table-Head": "{head}"},  # back button: whole page
        {"X-Table-Head": "{head}"},  # no htmx: whole page
    ],
    ids=["other-direction", "other-column", "other-columns", "no-head-on-the-page", "history-restore", "plain-request"],
)
def test_table_head_is_sent_when_the_page_does_not_show_it(office_client, api, headers):
    stub_list(api, "customers", [customer_doc()], sortBy="name", sortDirection="ascending")
    stub_list(api, "customers", [customer_doc()], city="Lund")
    head = shown_head(office_client, "/customers/?sort=name&dir=ascending")
    headers = {name: value.format(head=head, digest=head.split()[-1]) for name, value in headers.items()}
    response, page = get(office_client, "/customers/?city=Lund&sort=name&dir=ascending", **headers)
    assert "hx-preserve" not in page
    assert f'<thead id="list-head" hx-boost="true" data-head="{head}">' in page
    links = sort_links(page)
    assert links["Name ▲"] == {"city": ["Lund"], "sort": ["name"], "dir": ["descending"]}
    assert links["City"] == {"city": ["Lund"], "sort": ["city"], "dir": ["ascending"]}


def test_table_head_of_another_language_is_not_kept(office_client, api):
    stub_list(api, "customers", [customer_doc()])
    english = shown_head(office_client, "/customers/")
    page = office_client.get("/customers/", headers={"Accept-Language": "sv"}).content.decode()
    swedish = re.search(r'data-head="([^"]+)"', page)[1]
    assert english.split()[:2] == swedish.split()[:2] and english != swedish
    response, page = get(office_client, "/customers/", **HTMX, **{"X-Table-Head": english, "Accept-Language": "sv"})
    assert "hx-preserve" not in page and "Namn ▲" in sort_links(page)


def test_filter_form_carries_the_sort(office_client, api):
    stub_list(api, "customers", [customer_doc()], city="Lund", sortBy="city", sortDirection="descending")
    response, page = get(office_client, "/customers/?city=Lund&sort=city&dir=descending")
    form = re.search(r'<form id="filters".*?</form>', page, re.S)[0]
    assert '<input type="hidden" name="sort" value="city" data-follow-address>' in form
    assert '<input type="hidden" name="dir" value="descending" data-follow-address>' in form


def test_summary_marks_an_empty_result_so_the_download_links_hide(office_client, api):
    stub_list(api, "customers", [customer_doc()], name="Berg")
    stub_list(api, "customers", [], name="Zzz")
    assert '<p class="summary">' in get(office_client, "/customers/?name=Berg", **HTMX)[1]
    assert '<p class="summary" data-empty>' in get(office_client, "/customers/?name=Zzz", **HTMX)[1]


def test_download_links_sit_outside_the_results_and_carry_the_filters(office_client, api):
    stub_list(api, "customers", [customer_doc()], city="Lund")
    response, page = get(office_client, "/customers/?city=Lund&page=2")
    before_results = page.split('id="results"')[0]
    downloads = dict(re.findall(r'<a href="\?([^"]*)" data-own-params="export" download>(\w+)</a>', before_results))
    assert {label: parse_qs(html_lib.unescape(query)) for query, label in downloads.items()} == {
        "CSV": {"city": ["Lund"], "export": ["csv"]},
        "Excel": {"city": ["Lund"], "export": ["xlsx"]},
    }
    response, partial = get(office_client, "/customers/?city=Lund", **HTMX)
    assert "export=" not in partial


@pytest.mark.parametrize("kind", ["customers", "projects", "workorders", "invoices"])
def test_each_list_row_links_to_its_record_once(superuser_client, api, kind):
    # One link per record (its name, or the number of an invoice): a screen reader's
    # list of links does not name every record twice.
    docs = {"customers": customer_doc, "projects": project_doc, "workorders": work_order_doc, "invoices": invoice_doc}
    stub_list(api, kind, [docs[kind]("rec-1")])
    response, page = get(superuser_client, f"/{kind}/")
    assert len(re.findall(rf'href="/{kind}/rec-1/"', body_rows(page)[0])) == 1


def test_htmx_search_on_home_gets_only_the_results_partial(office_client, api):
    stub(api, "customers", [customer_doc()], search_params("customers", "name", "Berg"))
    stub(api, "projects", [], search_params("projects", "name", "Berg"))
    stub(api, "workOrders", [], search_params("workOrders", "title", "Berg"))
    response, page = get(office_client, "/?q=Berg", **HTMX)
    assert response.status_code == 200
    assert "<html" not in page and 'id="search"' not in page
    assert 'href="/customers/cust-1/"' in page
    assert "hx-request" in vary(response)

# =====================================================================
# The 100-record cap and local paging
# =====================================================================


def test_cap_notice_appears_when_the_api_returns_100_records(office_client, api):
    stub_list(api, "customers", many_customers(100))
    response, page = get(office_client, "/customers/")
    assert "There may be more." in page
    assert "Seven Time sends at most 100 records for one search" in page


def test_no_cap_notice_with_99_records(office_client, api):
    stub_list(api, "customers", many_customers(99))
    response, page = get(office_client, "/customers/")
    assert response.status_code == 200
    assert "There may be more." not in page
    assert "Showing 1–25 of 99 matches." in page


def test_cap_notice_is_in_the_htmx_partial_too(office_client, api):
    stub_list(api, "customers", many_customers(100))
    response, page = get(office_client, "/customers/", **HTMX)
    assert "There may be more." in page


def test_first_page_shows_25_rows_and_the_counts(office_client, api):
    stub_list(api, "customers", many_customers(100))
    response, page = get(office_client, "/customers/")
    rows = table(page)
    assert len(rows) == 25
    assert rows[0][1] == "Kund 001" and rows[-1][1] == "Kund 025"
    assert "Showing 1–25 of 100 matches." in page
    assert "Page 1 of 4" in page
    assert 'rel="prev"' not in page


def test_second_page_shows_rows_26_to_50(office_client, api):
    stub_list(api, "customers", many_customers(100))
    response, page = get(office_client, "/customers/?page=2")
    rows = table(page)
    assert len(rows) == 25
    assert rows[0][1] == "Kund 026" and rows[-1][1] == "Kund 050"
    assert "Showing 26–50 of 100 matches." in page
    assert "Page 2 of 4" in page
    assert 'href="?page=1"' in page and 'href="?page=3"' in page


def test_paging_links_keep_the_filters(office_client, api):
    stub_list(api, "customers", many_customers(100), city="Lund")
    response, page = get(office_client, "/customers/?city=Lund&page=2")
    next_link = re.search(r'<a href="\?([^"]+)"[^>]*rel="next"', page).group(1)
    assert parse_qs(html_lib.unescape(next_link)) == {"city": ["Lund"], "page": ["3"]}


def test_page_count_follows_the_local_filter(office_client, api):
    docs = many_customers(100)
    for doc in docs[:30]:
        doc["isActive"] = False
    stub_list(api, "customers", docs)
    response, page = get(office_client, "/customers/?active=true&page=3")
    rows = table(page)
    assert len(rows) == 20
    assert rows[0][1] == "Kund 081"
    assert "Showing 51–70 of 70 matches." in page
    assert "There may be more." in page


def test_page_past_the_end_shows_the_last_page(office_client, api):
    stub_list(api, "customers", many_customers(30))
    response, page = get(office_client, "/customers/?page=9")
    assert response.status_code == 200
    assert "Showing 26–30 of 30 matches." in page

# =====================================================================
# List pages: notes on filtered lists, exact customer numbers, long names
# =====================================================================


def test_work_orders_of_one_project_say_so_and_offer_all(office_client, api):
    stub_list(api, "workorders", [work_order_doc()], projectId="proj-1")
    response, page = get(office_client, "/workorders/?project_id=proj-1")
    assert response.status_code == 200
    assert "Only the work orders of the project Blåsippan." in page
    assert 'href="/workorders/">Show all work orders' in page


def test_the_named_project_is_the_one_filtered_for_not_the_first_row(office_client, api):
    other = work_order_doc("wo-9", project="proj-9", projectName="Annat projekt")
    stub_list(api, "workorders", [other, work_order_doc()], projectId="proj-1")
    _response, page = get(office_client, "/workorders/?project_id=proj-1")
    assert "Only the work orders of the project Blåsippan." in page


def test_a_project_without_work_orders_says_one_project(office_client, api):
    stub_list(api, "workorders", [], projectId="proj-1")
    _response, page = get(office_client, "/workorders/?project_id=proj-1")
    assert "Only the work orders of one project." in page


def test_work_orders_without_a_project_filter_show_no_project_note(office_client, api):
    stub_list(api, "workorders", [work_order_doc()])
    _response, page = get(office_client, "/workorders/")
    assert "Only the work orders of one project." not in page


def test_invoices_of_a_customer_number_are_that_customers_only(office_client, api):
    """The API finds customer numbers as substrings: 10 also matches 1010 and 1100."""
    invoices = [
        invoice_doc("inv-10", invoiceNumber="501", customerNumber="10", customerName="Tio AB"),
        invoice_doc("inv-1010", invoiceNumber="502", customerNumber="1010", customerName="Tusentio AB"),
        invoice_doc("inv-1100", invoiceNumber="503", customerNumber="1100", customerName="Elvahundra AB"),
    ]
    stub_list(api, "invoices", invoices, customerNumber="10")
    stub(api, "customers/cust-10", customer_doc(id="cust-10", customerNumber="10"))
    stub(api, "contactPersons", [], {"customerId": "cust-10", "sortBy": "name"})
    stub_lookups(api, DETAIL_LOOKUPS["customers"])
    _response, detail = get(office_client, "/customers/cust-10/")
    link = re.search(r'href="(/invoices/\?[^"]*)"', section(detail, "Related")).group(1)
    response, page = get(office_client, html_lib.unescape(link))
    assert response.status_code == 200
    assert [row[:2] for row in table(page)] == [["501", "Tio AB"]]


def test_a_long_name_from_the_api_is_clipped_in_the_list_and_the_title(office_client, api):
    name = "Långnamn" + "x" * 9_992
    stub_list(api, "customers", [customer_doc(name=name), customer_doc(id="cust-2", name="Kort AB")])
    _response, page = get(office_client, "/customers/")
    rows = body_rows(page)
    assert f'<span class="clip" title="{name}">{name}</span>' in rows[0]
    assert ">Kort AB</a>" in rows[1] and "clip" not in rows[1]
    stub_lookups(api, DETAIL_LOOKUPS["customers"])
    stub(api, "customers/cust-1", customer_doc(name=name))
    stub(api, "contactPersons", [], {"customerId": "cust-1", "sortBy": "name"})
    _response, page = get(office_client, "/customers/cust-1/")
    title = html_lib.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))
    assert title == "Långnamn" + "x" * 71 + "… · Seven Time"


def test_a_long_title_is_cut_between_characters_never_inside_an_ampersand(office_client, api):
    name = "x" * 77 + " & Söner AB " + "y" * 100
    stub_lookups(api, DETAIL_LOOKUPS["customers"])
    stub(api, "customers/cust-1", customer_doc(name=name))
    stub(api, "contactPersons", [], {"customerId": "cust-1", "sortBy": "name"})
    _response, page = get(office_client, "/customers/cust-1/")
    raw = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert raw == "x" * 77 + " &amp;… · Seven Time"
    assert html_lib.unescape(raw) == "x" * 77 + " &… · Seven Time"
