"""What the browse tests share: API documents, stubbing the API, reading pages.

Every API request a page makes is registered with `responses` at its exact URL and
with `query_param_matcher`, so a page that sends a wrong or extra filter gets no
answer (a connection error) and its test fails. API documents are built by the
small factories below, in the API's camelCase.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

from responses import matchers

from dashboard.entities import RESOURCES
from tests.conftest import API

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


# --- larger documents and searches ---


def many_customers(count):
    return [customer_doc(f"c-{n:03}", customerNumber=str(1000 + n), name=f"Kund {n:03}") for n in range(1, count + 1)]


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
                    "totalTaxAmount": 1625,
                    "totalAmountInclTax": 8125,
                    "houseWorkFlag": True,
                    "houseWorkTypeOfWork": 1,
                },
                {
                    "name": "Skruv",
                    "numberOfItems": 1.5,
                    "unit": "kg",
                    "unitPrice": 0.005,
                    "discountPercent": 12.5,
                    "taxPercent": 25,
                    "totalAmount": 0.125,
                    "totalTaxAmount": 0.03,
                    "totalAmountInclTax": 0.16,
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
