"""Browse pages (home search, lists, details) against a stubbed Seven Time API.

Every API request a page makes is registered with `responses` at its exact URL and
with `query_param_matcher`, so a page that sends a wrong or extra filter gets no
answer (a connection error) and its test fails. API documents are built by the
small factories below, in the API's camelCase.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from responses import matchers

from dashboard.entities import RESOURCES
from tests.conftest import API, SECRET

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


# --- API documents ---


def customer_doc(id="cust-1", **fields):
    doc = {
        "_id": id,
        "customerNumber": "1001",
        "name": "Bergström Bygg AB",
        "organizationNumber": "556677-8899",
        "city": "Lund",
        "phone": "046-12 34 56",
        "isActive": True,
    }
    return doc | fields


def contact_doc(id="contact-1", **fields):
    doc = {
        "_id": id,
        "name": "Tommy Hellström",
        "title": "Utvecklare",
        "email": "tommy@example.test",
        "cellPhone": "070-111 22 33",
        "customer": "cust-1",
        "mainContact": True,
        "isActive": True,
    }
    return doc | fields


def project_doc(id="proj-1", **fields):
    doc = {
        "_id": id,
        "projectNumber": "2001",
        "name": "Blåsippan",
        "customer": "cust-1",
        "customerName": "Bergström Bygg AB",
        "projectStatusRef": "pstatus-active",
        "billingMethod": "HOURLY",
        "pricePerHour": 650,
        "startDate": "2026-02-28T23:00:00.000Z",  # 1 March in Stockholm
        "endDate": "2026-06-29T22:00:00.000Z",  # 30 June in Stockholm
        "isActive": True,
    }
    return doc | fields


def work_order_doc(id="wo-1", **fields):
    doc = {
        "_id": id,
        "workOrderNumber": "4843",
        "title": "Byt element",
        "customer": "cust-1",
        "customerName": "Bergström Bygg AB",
        "project": "proj-1",
        "projectName": "Blåsippan",
        "statusRef": "wstatus-new",
        "workOrderType": "wtype-service",
        "startDate": "2026-07-01T05:00:00.000Z",  # 07:00 summer time
        "endDate": "2026-01-15T06:00:00.000Z",  # 07:00 winter time
    }
    return doc | fields


def user_doc(id="user-1", **fields):
    doc = {
        "_id": id,
        "firstName": "Felix",
        "lastName": "Hellström",
        "userName": "felix",
        "email": "felix@example.test",
        "userRoleId": 1,
        "department": "dept-dev",
        "departmentName": "Utveckling",
        "isActive": True,
        "isActivated": True,
    }
    return doc | fields


def invoice_doc(id="inv-1", **fields):
    doc = {
        "_id": id,
        "invoiceNumber": "24481",
        "OCRNumber": "2448173",
        "customer": "cust-1",
        "customerName": "Hellapps AB",
        "customerNumber": "3028",
        "project": "proj-1",
        "projectName": "Blåsippan",
        "invoiceDate": "2020-11-04T23:00:00.000Z",  # 5 November in Stockholm
        "dueDate": "2099-12-04T23:00:00.000Z",
        "sentDate": "2020-11-13T14:35:28.798Z",
        "paymentDate": None,
        "currencyCode": "SEK",
        "totalAmount": 13500,
        "totalTaxAmount": 3375,
        "totalAmountInclTax": 16876.24,
    }
    return doc | fields


#: Every lookup list, keyed by its API path.
LOOKUP_DOCS = {
    "projectStatuses": [
        {"_id": "pstatus-active", "statusName": "Pågående", "color": "4CAF50"},
        {"_id": "pstatus-closed", "statusName": "Avslutad", "color": "468847"},
    ],
    "projectTypes": [{"_id": "ptype-service", "projectTypeName": "Serviceavtal"}],
    "projectTags": [{"_id": "ptag-prio", "tagName": "Prioriterad", "color": "f44336"}],
    "workOrderStatuses": [
        {"_id": "wstatus-new", "statusName": "Ny", "color": "2196F3"},
        {"_id": "wstatus-done", "statusName": "Klar", "color": "4CAF50"},
    ],
    "workOrderTypes": [
        {"_id": "wtype-service", "workOrderTypeName": "Service"},
        {"_id": "wtype-extra", "workOrderTypeName": "Extra"},
    ],
    "workOrderTags": [{"_id": "wtag-urgent", "tagName": "Akut"}],
    "invoiceTags": [
        {"_id": "itag-review", "tagName": "Att granska", "color": "f44336"},
        {"_id": "itag-vip", "tagName": "VIP-kund"},
    ],
    "userRoles": [{"userRoleId": 1, "userRoleName": "Administratör"}, {"userRoleId": 2, "userRoleName": "Tekniker"}],
    "departments": [{"_id": "dept-dev", "name": "Utveckling"}, {"_id": "dept-sales", "name": "Försäljning"}],
    "priceLists": [{"_id": "plist-gross", "name": "Grosslistan"}],
    "defaultSalaryTypes": [{"_id": "salary-ot", "name": "Övertid"}],
    "userSkills": [
        {"_id": "skill-high", "skillTitle": "Höga arbeten"},
        {"_id": "skill-weld", "skillTitle": "Svetsning"},
    ],
    "users": [
        {"_id": "user-1", "firstName": "Felix", "lastName": "Hellström"},
        {"_id": "user-2", "firstName": "Anna", "lastName": "Ek"},
    ],
}

#: Lookup list name (dashboard.fetch.LOOKUPS) -> its API path.
LOOKUP_PATHS = {
    "project_statuses": "projectStatuses",
    "project_types": "projectTypes",
    "project_tags": "projectTags",
    "work_order_statuses": "workOrderStatuses",
    "work_order_types": "workOrderTypes",
    "work_order_tags": "workOrderTags",
    "invoice_tags": "invoiceTags",
    "user_roles": "userRoles",
    "departments": "departments",
    "price_lists": "priceLists",
    "salary_types": "defaultSalaryTypes",
    "user_skills": "userSkills",
    "users": "users",
}

#: The lookup lists each list page declares (by API path).
PAGE_LOOKUPS = {name: {LOOKUP_PATHS[lookup] for lookup in resource.lookups} for name, resource in RESOURCES.items()}
#: The lookup lists each detail page declares: the list's and any more its related records need.
DETAIL_LOOKUPS = {
    name: PAGE_LOOKUPS[name] | {LOOKUP_PATHS[lookup] for lookup in getattr(resource, "detail_lookups", ())}
    for name, resource in RESOURCES.items()
}

#: The default sort of each list, as sent to the API.
DEFAULT_SORT = {
    "customers": {"sortBy": "name", "sortDirection": "ascending"},
    "projects": {"sortBy": "projectNumber", "sortDirection": "descending"},
    "workorders": {"sortBy": "workOrderNumber", "sortDirection": "descending"},
    "users": {"sortBy": "lastName", "sortDirection": "ascending"},
    "invoices": {"sortBy": "invoiceNumber", "sortDirection": "descending"},
}

#: Dashboard URL prefix -> API path of the list.
API_PATH = {
    "customers": "customers",
    "projects": "projects",
    "workorders": "workOrders",
    "users": "users",
    "invoices": "invoices",
}


# --- stubbing ---


def stub(api, path, docs=None, params=None, **kwargs):
    """Answer GET <API><path> with exactly these query parameters (no more, no fewer)."""
    if docs is not None:
        kwargs["json"] = docs
    return api.get(API + path, match=[matchers.query_param_matcher(params or {})], **kwargs)


def stub_lookups(api, paths=None):
    for path in paths or LOOKUP_DOCS:
        stub(api, path, LOOKUP_DOCS[path])


def stub_list(api, kind, docs, **params):
    stub_lookups(api, PAGE_LOOKUPS[kind])
    stub(api, API_PATH[kind], docs, DEFAULT_SORT[kind] | params)


def called_paths(api):
    return [urlsplit(call.request.url).path.removeprefix(urlsplit(API).path) for call in api.calls]


# --- reading pages ---


def text(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def body_rows(page: str) -> list[str]:
    tbody = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert tbody, "no table body"
    return re.findall(r"<tr>(.*?)</tr>", tbody.group(1), re.S)


def cells(row: str) -> list[str]:
    return [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def table(page: str) -> list[list[str]]:
    return [cells(row) for row in body_rows(page)]


def fields(page: str) -> dict[str, str]:
    """The <dt>/<dd> pairs of a detail page, as text."""
    return {text(dt): text(dd) for dt, dd in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page, re.S)}


def section(page: str, heading: str) -> str:
    match = re.search(r"<section[^>]*>\s*<h2>" + re.escape(heading) + r"</h2>(.*?)</section>", page, re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


def search_section(page: str, title: str, count: str | None = None) -> str:
    """The body of one home search section; `count` is what its heading must show
    ("" for no count: the section was not searched)."""
    match = re.search(
        r"<h2[^>]*>" + re.escape(title) + r'(?: <small class="muted">\((.*?)\)</small>)?</h2>(.*?)</section>', page, re.S
    )
    assert match, f"no search section {title!r}"
    if count is not None:
        assert (match.group(1) or "") == count, (title, match.group(1))
    return match.group(2)


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, response.content.decode()


def vary(response) -> set[str]:
    return {value.strip().lower() for value in response.get("Vary", "").split(",")}


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root"))
    return client


@pytest.fixture
def plain_client(client, plain_user):
    client.force_login(plain_user)
    return client


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
        ["Felix Hellström", "felix", "felix@example.test", "Administratör", "Utveckling", "Active"],
        ["Anna Ek", "anna", "", "Tekniker", "Försäljning", "Inactive"],
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
    assert [row[0].split()[-1] for row in table(page)] == names


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


def many_customers(count):
    return [customer_doc(f"c-{n:03}", customerNumber=str(1000 + n), name=f"Kund {n:03}") for n in range(1, count + 1)]


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
# Detail pages
# =====================================================================


def test_customer_detail_shows_fields_billing_rot_distribution_and_contacts(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["customers"])
    stub(
        api,
        "customers/cust-1",
        customer_doc(
            email="info@bergstrom.test",
            vatNumber="SE556677889901",
            paymentDays=30,
            address="Storgatan 1",
            zipCode="222 22",
            billingSettings={
                "priceList": "plist-gross",
                "isROTCustomer": True,
                "typeOfProperty": 1,
                "propertyDescription": "Lund Stenkrossen 1",
                "deductionDistribution": [
                    {"userName": "Karin Berg", "personalNumber": "19700101-1234", "distributionPercent": 60},
                    {"userName": "Per Berg", "personalNumber": "19710202-2345", "distributionPercent": 40},
                ],
            },
        ),
    )
    stub(
        api,
        "contactPersons",
        [
            contact_doc(),
            contact_doc(
                "contact-2", name="Sara Ek", mainContact=False, isActive=False, cellPhone="", workPhone="046-55"
            ),
        ],
        {"customerId": "cust-1", "sortBy": "name"},
    )
    response, page = get(office_client, "/customers/cust-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Customer number"] == "1001"
    assert info["Org. / personal number"] == "556677-8899"
    assert info["VAT number"] == "SE556677889901"
    assert info["Payment terms"] == "30 days"
    assert info["Price list"] == "Grosslistan"
    assert info["Property"] == "Detached property: Lund Stenkrossen 1"
    assert text(section(page, "Address")) == "Storgatan 1 222 22 Lund"
    rot = section(page, "ROT/RUT")
    assert "ROT/RUT distribution" in rot
    assert [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", rot.split("<tbody>")[1], re.S)] == [
        ["Karin Berg", "19700101-1234", "60 %"],
        ["Per Berg", "19710202-2345", "40 %"],
    ]
    contacts = [
        cells(row) for row in re.findall(r"<tr>(.*?)</tr>", section(page, "Contact persons").split("<tbody>")[1], re.S)
    ]
    assert contacts == [
        ["Tommy Hellström Main contact", "Utvecklare", "tommy@example.test", "070-111 22 33"],
        ["Sara Ek (inactive)", "Utvecklare", "tommy@example.test", "046-55"],
    ]
    assert "ROT customer" in page


def test_customer_detail_links_to_its_invoices_projects_and_work_orders(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["customers"])
    stub(api, "customers/cust-1", customer_doc(name="Åsa & Co"))
    stub(api, "contactPersons", [], {"customerId": "cust-1", "sortBy": "name"})
    response, page = get(office_client, "/customers/cust-1/")
    related = section(page, "Related")
    assert 'href="/invoices/?customer_number=1001"' in related
    # By id, not by name: "Berg Tandvård AB" must not pick up Lundberg Tandvård AB's.
    assert 'href="/projects/?customer_id=cust-1"' in related
    assert 'href="/workorders/?customer_id=cust-1"' in related
    assert "No contact persons." in page


def test_project_detail_resolves_lookup_ids_to_names_and_lists_its_work_orders(manager_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["projects"])
    stub(
        api,
        "projects/proj-1",
        project_doc(
            projectStatusRef="pstatus-closed",
            projectType="ptype-service",
            department="dept-sales",
            tags=["ptag-prio"],
            projectLeader="user-1",
            projectLeaderName="Felix Hellström",
            invoiceStatus=10,
            estimatedTime=12.5,
        ),
    )
    stub(
        api,
        "workOrders",
        [
            work_order_doc("wo-2", workOrderNumber="4850", title="Efterkontroll", statusRef="wstatus-done"),
            work_order_doc(),
        ],
        {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"},
    )
    response, page = get(manager_client, "/projects/proj-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Customer"] == "Bergström Bygg AB"
    assert info["Project leader"] == "Felix Hellström"
    assert info["Type"] == "Serviceavtal"
    assert info["Department"] == "Försäljning"
    assert info["Period"] == "2026-03-01 – 2026-06-30"
    assert info["Billing method"] == "Hourly price"
    assert info["Price per hour"] == "650.00 SEK"
    assert info["Invoicing"] == "Ready to be invoiced"
    assert info["Estimated time"] == "12.5 h"
    header = re.search(r'<header class="detail-header">(.*?)</header>', page, re.S).group(1)
    assert "Avslutad" in header and "Prioriterad" in header
    for lookup_id in ("pstatus-closed", "ptype-service", "dept-sales", "ptag-prio"):
        assert lookup_id not in page
    assert 'href="/customers/cust-1/"' in page and 'href="/users/user-1/"' in page
    orders = section(page, "Work orders")
    rows = [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", orders.split("<tbody>")[1], re.S)]
    assert [[number, title, start] for number, title, _status, start in rows] == [
        ["4850", "Efterkontroll", "2026-07-01 07:00"],
        ["4843", "Byt element", "2026-07-01 07:00"],
    ]
    assert 'href="/workorders/wo-2/"' in orders and 'href="/workorders/wo-1/"' in orders
    assert "Only the latest 100 work orders are shown." not in orders


@pytest.mark.parametrize(
    "dates, period",
    [({}, "–"), ({"endDate": None}, "2026-03-01 – …"), ({"startDate": None}, "… – 2026-06-30")],
)
def test_project_without_status_or_dates_says_so_plainly(office_client, api, dates, period):
    stub_lookups(api, DETAIL_LOOKUPS["projects"])
    doc = project_doc(projectStatusRef=None) | ({"startDate": None, "endDate": None} if not dates else dates)
    stub(api, "projects/proj-1", doc)
    stub(api, "workOrders", [], {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"})
    response, page = get(office_client, "/projects/proj-1/")
    assert response.status_code == 200
    assert fields(page)["Period"] == period
    header = re.search(r'<header class="detail-header">(.*?)</header>', page, re.S).group(1)
    assert 'class="badge"' not in header  # no empty status badge


def test_project_detail_shows_the_status_name_of_each_work_order(office_client, api):
    stub_lookups(api)
    stub(api, "projects/proj-1", project_doc())
    stub(
        api,
        "workOrders",
        [work_order_doc("wo-2", workOrderNumber="4850", statusRef="wstatus-done"), work_order_doc()],
        {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"},
    )
    response, page = get(office_client, "/projects/proj-1/")
    orders = section(page, "Work orders")
    rows = [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", orders.split("<tbody>")[1], re.S)]
    assert [row[2] for row in rows] == ["Klar", "Ny"]


def test_project_detail_with_100_work_orders_links_to_the_full_list(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["projects"])
    stub(api, "projects/proj-1", project_doc())
    orders = [work_order_doc(f"wo-{n}", workOrderNumber=str(n)) for n in range(100)]
    stub(api, "workOrders", orders, {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"})
    response, page = get(office_client, "/projects/proj-1/")
    assert "Only the latest 100 work orders are shown." in page
    assert 'href="/workorders/?project_id=proj-1"' in page


def test_project_detail_with_unknown_status_id_says_unknown_not_the_id(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["projects"])
    stub(api, "projects/proj-1", project_doc(projectStatusRef="pstatus-gone"))
    stub(api, "workOrders", [], {"projectId": "proj-1", "sortBy": "workOrderNumber", "sortDirection": "descending"})
    response, page = get(office_client, "/projects/proj-1/")
    assert response.status_code == 200
    assert "pstatus-gone" not in page
    assert '<span class="badge">Unknown</span>' in page
    assert "No work orders." in page


def test_work_order_detail_links_customer_and_project_and_names_its_lookups(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["workorders"])
    stub(
        api,
        "workOrders/wo-1",
        work_order_doc(
            statusRef="wstatus-done",
            workOrderType="wtype-extra",
            department="dept-dev",
            tags=["wtag-urgent"],
            description="Byt <b>tre</b> element",
            workAddress={"name": "Villa Berg", "address": "Bergsvägen 3", "zipCode": "223 50", "city": "Lund"},
        ),
    )
    response, page = get(office_client, "/workorders/wo-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Customer"] == "Bergström Bygg AB"
    assert info["Project"] == "Blåsippan"
    assert info["Type"] == "Extra"
    assert info["Department"] == "Utveckling"
    assert info["Start"] == "2026-07-01 07:00"
    assert info["End"] == "2026-01-15 07:00"
    basics = section(page, "Basics")
    assert 'href="/customers/cust-1/"' in basics and 'href="/projects/proj-1/"' in basics
    header = re.search(r'<header class="detail-header">(.*?)</header>', page, re.S).group(1)
    assert "Klar" in header and "Akut" in header
    assert text(section(page, "Work address")) == "Villa Berg Bergsvägen 3 223 50 Lund"
    assert "Byt &lt;b&gt;tre&lt;/b&gt; element" in page
    for lookup_id in ("wstatus-done", "wtype-extra", "dept-dev", "wtag-urgent"):
        assert lookup_id not in page


@pytest.mark.parametrize(("client_name", "links"), [("manager_client", True), ("office_client", False)])
def test_work_order_detail_names_its_work_leader_owner_and_assigned_users(request, api, client_name, links):
    stub_lookups(api, DETAIL_LOOKUPS["workorders"])
    doc = work_order_doc(workLeader="user-1", currentOwner={"_id": "user-2"}, users=["user-2", "user-gone", "user-1"])
    stub(api, "workOrders/wo-1", doc)

    response, page = get(request.getfixturevalue(client_name), "/workorders/wo-1/")

    people = {label: value.replace(" ,", ",") for label, value in fields(section(page, "People")).items()}  # links end in a space here
    assert people == {
        "Work leader": "Felix Hellström",
        "Current owner": "Anna Ek",
        "Assigned users": "Anna Ek, User, Felix Hellström",
    }
    assert "user-gone" not in text(page)  # a manager's link may carry it; the page never shows it
    assert ('href="/users/user-1/"' in section(page, "People")) is links


def test_user_detail_shows_role_department_salary_type_and_skills_by_name(manager_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["users"])
    stub(
        api,
        "users/user-1",
        user_doc(
            userRoleId=2,
            department="dept-dev",
            departmentName="Old name",
            defaultSalaryType="salary-ot",
            userSkills=["skill-weld", "skill-high"],
            employeeNumber="E-17",
            isActivated=False,
        ),
    )
    response, page = get(manager_client, "/users/user-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Role"] == "Tekniker"
    assert info["Department"] == "Utveckling"
    assert info["Salary type"] == "Övertid"
    assert info["Skills"] == "Svetsning, Höga arbeten"
    assert info["Employee number"] == "E-17"
    assert 'href="/users/?department=dept-dev"' in page
    assert 'href="/users/?user_role=2"' in page  # the others with this role
    assert "Not activated" in page
    for lookup_id in ("salary-ot", "skill-weld", "skill-high"):
        assert lookup_id not in page


def full_invoice(**fields):
    return (
        invoice_doc(
            workOrder="wo-1",
            workOrderNumber="4843",
            ourReference="user-1",
            ourReferenceName="Felix Hellström",
            tags=["itag-review", "itag-vip"],
            invoiceType=1,
            priceList="plist-gross",
            customerAddress="Glimmingevägen 18<br>26974 Västra Karup",
            totalAmount=13500,
            totalTaxAmount=3375,
            totalAmountRounding=-0.24,
            totalAmountInclTax=16876.24,
            houseDeductionAmount=4050,
            houseDeductionBasisAmount=13500,
            houseProperties={
                "typeOfProperty": 2,
                "housingSocietyNumber": "769600-1234",
                "apartmentNumber": "1102",
                "maxDeductionAmount": 50000,
                "deductionDistribution": [
                    {"userName": "Karin Berg", "personalNumber": "19700101-1234", "distributionPercent": 50},
                    {"userName": "Per Berg", "personalNumber": "19710202-2345", "distributionPercent": 50},
                ],
            },
            invoiceItems=[
                {
                    "name": "Arbete",
                    "description": "Målning",
                    "numberOfItems": 10,
                    "unit": "tim",
                    "unitPrice": 650,
                    "discountPercent": 0,
                    "taxPercent": 25,
                    "totalAmount": 6500,
                    "houseWorkFlag": True,
                },
                {
                    "name": "Skruv",
                    "numberOfItems": 1.5,
                    "unit": "kg",
                    "unitPrice": 0.005,
                    "discountPercent": 12.5,
                    "taxPercent": 25,
                    "totalAmount": 0.125,
                },
            ],
            invoiceLogEntries=[
                {"logDate": "2020-11-13T14:35:28.797Z", "description": "Skapad", "userName": "Lucas Hellström"}
            ],
        )
        | fields
    )


def stub_invoice(api, doc):
    stub_lookups(api, DETAIL_LOOKUPS["invoices"])
    stub(api, f"invoices/{doc['_id']}", doc)


def test_invoice_detail_links_customer_project_work_order_and_names_tags(manager_client, api):
    stub_invoice(api, full_invoice(invoiceName="Service Q4 <i>urgent</i>", language="SV"))
    response, page = get(manager_client, "/invoices/inv-1/")
    assert response.status_code == 200
    info = fields(page)
    assert info["Invoice title"] == "Service Q4 <i>urgent</i>"  # shown as text
    assert info["Language"] == "Swedish"  # not the code "SV"
    assert info["Customer"] == "Hellapps AB (3028)"
    assert info["Project"] == "Blåsippan"
    assert info["Work order"] == "4843"
    assert info["Our reference"] == "Felix Hellström"
    assert info["OCR number"] == "2448173"
    assert info["Price list"] == "Grosslistan"
    basics = section(page, "Basics")
    for href in ("/customers/cust-1/", "/projects/proj-1/", "/workorders/wo-1/", "/users/user-1/"):
        assert f'href="{href}"' in basics
    header = re.search(r'<header class="detail-header">(.*?)</header>', page, re.S).group(1)
    assert "Att granska" in header and "VIP-kund" in header and "ROT" in header
    assert "itag-review" not in page and "itag-vip" not in page and "plist-gross" not in page


def test_invoice_detail_shows_rows_and_totals_with_currency(office_client, api):
    stub_invoice(api, full_invoice())
    response, page = get(office_client, "/invoices/inv-1/")
    rows_table = re.search(r'<table class="rows">(.*?)</table>', page, re.S).group(1)
    rows = [
        cells(row) for row in re.findall(r"<tr>(.*?)</tr>", rows_table.split("<tbody>")[1].split("</tbody>")[0], re.S)
    ]
    assert rows == [
        ["Arbete ROT/RUT work Målning", "10", "tim", "650.00", "", "25 %", "6,500.00"],
        ["Skruv", "1.5", "kg", "0.01", "12.5 %", "25 %", "0.13"],
    ]
    totals = {
        text(th): text(td)
        for th, td in re.findall(r'<th scope="row" colspan="6">(.*?)</th><td class="num">(.*?)</td>', rows_table, re.S)
    }
    assert totals == {
        "Amount excl. VAT": "13,500.00 SEK",
        "VAT": "3,375.00 SEK",
        "Rounding": "-0.24 SEK",
        "Total incl. VAT": "16,876.24 SEK",
        "ROT/RUT deduction": "-4,050.00 SEK",  # the same minus sign as the rounding's
        "Total to pay": "12,826.24 SEK",  # the customer's share
    }


def test_invoice_detail_in_euro_shows_the_currency_and_its_rate(office_client, api):
    stub_invoice(api, full_invoice(currencyCode="EUR", currencyRate=11.4525, totalAmountRounding=0))
    response, page = get(office_client, "/invoices/inv-1/")
    rows_table = re.search(r'<table class="rows">(.*?)</table>', page, re.S).group(1)
    totals = {
        text(th): text(td)
        for th, td in re.findall(r'<th scope="row" colspan="6">(.*?)</th><td class="num">(.*?)</td>', rows_table, re.S)
    }
    assert totals["Total incl. VAT"] == "16,876.24 EUR"
    assert totals["Currency rate to SEK"] == "11.4525"
    assert "Rounding" not in totals


def test_invoice_detail_shows_rot_property_deduction_and_distribution(office_client, api):
    stub_invoice(api, full_invoice())
    response, page = get(office_client, "/invoices/inv-1/")
    rot = section(page, "ROT/RUT")
    info = fields(rot)
    assert info == {
        "Property": "Condominium: association 769600-1234, apartment 1102",
        "Deduction basis": "13,500.00 SEK",
        "Deduction": "4,050.00 SEK",
        "Maximum deduction": "50,000.00 SEK",
    }
    assert [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", rot.split("<tbody>")[1], re.S)] == [
        ["Karin Berg", "19700101-1234", "50 %"],
        ["Per Berg", "19710202-2345", "50 %"],
    ]


def test_invoice_partial_payment_dates_are_stockholm_days(office_client, api):
    payments = [{"_id": "pay-1", "paymentDate": "2020-11-19T23:00:00.000Z", "amount": 5000}]
    stub_invoice(api, full_invoice(partiallyPaid=True, partialPayments=payments))
    response, page = get(office_client, "/invoices/inv-1/")
    payments_section = section(page, "Payments")
    assert "5,000.00 SEK" in payments_section
    assert "2020-11-19T23:00" not in payments_section
    assert "2020-11-20" in payments_section


@pytest.mark.parametrize("invoice_type", [0, 1])
def test_a_partly_paid_invoice_says_what_was_paid_and_what_is_left(office_client, api, invoice_type):
    payments = [
        {"_id": "pay-1", "paymentDate": "2020-11-19T23:00:00.000Z", "amount": 5000},
        {"_id": "pay-2", "paymentDate": "2020-11-26T23:00:00.000Z", "amount": 1876.24},
    ]
    doc = full_invoice(invoiceType=invoice_type, partiallyPaid=True, partialPayments=payments, sentDate="2020-11-05T08:00:00.000Z")
    if not invoice_type:
        doc["houseDeductionAmount"] = 0
    stub_invoice(api, doc)

    response, page = get(office_client, "/invoices/inv-1/")

    info = fields(section(page, "Payments"))
    assert info["Part payments in all"] == "6,876.24 SEK"
    # As the invoice overview counts it: the total less the payments.
    assert info["Left to pay"].startswith("10,000.00 SEK")
    assert ("Skatteverket" in info["Left to pay"]) is bool(invoice_type)


def test_a_paid_invoice_has_nothing_left_to_pay(office_client, api):
    payments = [{"_id": "pay-1", "paymentDate": "2020-11-19T23:00:00.000Z", "amount": 16876.24}]
    stub_invoice(api, full_invoice(partialPayments=payments, paymentDate="2020-11-19T23:00:00.000Z", sentDate="2020-11-05T08:00:00.000Z"))

    response, page = get(office_client, "/invoices/inv-1/")

    info = fields(section(page, "Payments"))
    assert info == {"Part payments in all": "16,876.24 SEK"}


def test_invoice_detail_without_rot_rut_type_has_no_deduction_section(office_client, api):
    stub_invoice(api, full_invoice(invoiceType=0))
    response, page = get(office_client, "/invoices/inv-1/")
    assert response.status_code == 200
    assert "<h2>ROT/RUT</h2>" not in page
    assert "ROT/RUT distribution" not in page


def test_a_reverse_charge_invoice_says_so(office_client, api):
    stub_invoice(api, full_invoice(invoiceType=3, houseProperties=None))
    _response, page = get(office_client, "/invoices/inv-1/")
    assert "Reverse charge" in text(re.search(r'<header class="detail-header">.*?</header>', page, re.S).group(0))
    assert "Reverse charge: no VAT on this invoice, the buyer accounts for it." in text(section(page, "Rows"))
    _response, page = get(office_client, "/invoices/inv-1/", **{"Accept-Language": "sv"})
    assert "Omvänd betalningsskyldighet" in text(page)
    stub_invoice(api, full_invoice(invoiceType=0))
    _response, page = get(office_client, "/invoices/inv-1/")
    assert "Reverse charge" not in page


def test_invoice_detail_dates_are_stockholm_days(office_client, api):
    stub_invoice(api, full_invoice(dueDate="2020-12-04T23:00:00.000Z", paymentDate="2020-12-01T23:30:00.000Z"))
    response, page = get(office_client, "/invoices/inv-1/")
    info = fields(page)
    assert info["Invoice date"] == "2020-11-05"
    assert info["Due date"] == "2020-12-05"
    assert info["Sent"] == "2020-11-13 15:35"
    assert info["Paid"] == "2020-12-02"
    assert info["State"].startswith("Paid")
    assert "2020-11-04" not in page


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
    assert table(page)[0][0] == "Felix Hellström"
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


#: Every (API path, filter) a search with digits sends.
SEARCH_FILTERS = [
    ("customers", "name"),
    ("customers", "customerNumber"),
    ("projects", "name"),
    ("projects", "projectNumber"),
    ("workOrders", "title"),
    ("workOrders", "workOrderNumber"),
    ("invoices", "invoiceNumber"),
    ("invoices", "OCRNumber"),
]


def search_params(path: str, key: str, query: str) -> dict[str, str]:
    """What the home search asks the API: one filter, in the list's own order."""
    kind = next(kind for kind, api_path in API_PATH.items() if api_path == path)
    return {key: query} | DEFAULT_SORT[kind]

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


# =====================================================================
# Stockholm dates and money
# =====================================================================


def test_invoice_date_just_before_midnight_utc_is_shown_as_the_stockholm_day(office_client, api):
    stub_list(
        api, "invoices", [invoice_doc(invoiceDate="2020-11-04T23:00:00.000Z", dueDate="2020-12-04T23:00:00.000Z")]
    )
    response, page = get(office_client, "/invoices/")
    row = table(page)[0]
    assert row[3] == "2020-11-05"
    assert row[4] == "2020-12-05"


def test_work_order_start_in_summer_is_shown_in_stockholm_summer_time(office_client, api):
    stub_lookups(api, DETAIL_LOOKUPS["workorders"])
    stub(
        api, "workOrders/wo-1", work_order_doc(startDate="2026-07-01T05:00:00.000Z", endDate="2026-07-01T14:30:00.000Z")
    )
    response, page = get(office_client, "/workorders/wo-1/")
    info = fields(page)
    assert info["Start"] == "2026-07-01 07:00"
    assert info["End"] == "2026-07-01 16:30"


def test_money_has_two_decimals_grouping_and_the_currency(office_client, api):
    stub_list(
        api,
        "invoices",
        [
            invoice_doc(totalAmountInclTax=16876.24, currencyCode="SEK"),
            invoice_doc("inv-2", invoiceNumber="24482", totalAmountInclTax=1200),
        ],
    )
    response, page = get(office_client, "/invoices/")
    assert [row[5] for row in table(page)] == ["16,876.24", "1,200.00"]
    # The search label shows the amount with its currency.
    for path, key in SEARCH_FILTERS:
        stub(api, path, [invoice_doc()] if key == "invoiceNumber" else [], search_params(path, key, "24481"))
    response, page = get(office_client, "/?q=24481")
    assert "24481 · Hellapps AB · 16,876.24 SEK" in page


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(0.005, "0.01"), (0.125, "0.13"), (2.675, "2.68"), (-0.005, "-0.01"), (1234567.994, "1,234,567.99"), (0, "0.00")],
)
def test_money_rounds_half_up_to_two_decimals(office_client, api, amount, shown):
    stub_list(api, "invoices", [invoice_doc(totalAmountInclTax=amount)])
    response, page = get(office_client, "/invoices/")
    assert table(page)[0][5] == shown


def test_missing_amount_is_shown_as_a_dash(office_client, api):
    stub_list(api, "invoices", [invoice_doc(totalAmountInclTax=None)])
    response, page = get(office_client, "/invoices/")
    assert table(page)[0][5] == "–"


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
