"""Unit tests of `seventime.client.SevenTimeClient`.

The API is stubbed with `responses` (every mock must be used, and every request's
method, path, query, `Client-Secret` header and JSON body is asserted with
matchers). A few tests speak real HTTP to a socket on 127.0.0.1, because
`responses` replaces `HTTPAdapter.send` and so never runs urllib3's own retry
and timeout handling.

The example documents of the API reference (/work/shared/seventime-api-reference.md)
are copied verbatim to tests/fixtures/seventime_*.json, one file per example, in
the order they appear. Where an example is not valid JSON, the minimal fix made is:

* lists end with a `{ // ... }` placeholder standing for "more records like the
  first" (customers, contact persons, users, user roles, salary types, user
  skills, departments, projects, project statuses/types/tags, work orders, work
  order types/tags/statuses, price lists, invoices, invoice tags, and the
  `deductionDistribution`, `invoiceItems`, `invoiceLogEntries` lists inside
  invoices): the placeholder and the comma before it are removed;
* project statuses/types/tags and work order types have a trailing comma after
  the last element: removed;
* the invoice list's `workOrderIds` ends with `// ...` and a trailing comma:
  both removed;
* the customer create response misses its closing brace: added;
* the project create response uses JavaScript object syntax (bare keys, single
  quotes): keys quoted and single quotes turned into double quotes;
* the work order create response (also shown, unchanged, as the invoice create
  response) misses a comma after `"title": "Support"`, has a `// ...` comment
  inside `createdByUser` and a trailing comma after `createdByUserName`: the
  comma is added, the comment and the trailing comma removed.

Nothing else is changed (not even the U+FFFD in "Bj\ufffdrn Romansoff").
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import socket
import subprocess
import sys
import threading
import time
import traceback
import types
from collections import deque
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
import responses
import urllib3.exceptions
import urllib3.util.connection
import urllib3.util.retry
from responses import matchers

import seventime.client as client_module
from seventime import jsontext, records
from seventime.client import Page, SevenTimeClient
from seventime.ratelimit import BACKGROUND, INTERACTIVE, LocalLimiter, background
from seventime.errors import (
    AuthenticationError,
    BadResponse,
    ConnectionFailed,
    NotFound,
    RateLimited,
    ServerError,
    SevenTimeError,
    Timeout,
    Unavailable,
    ValidationError,
)

BASE = "https://api.example.test/api/1/"
SECRET = "s3cr3t-key"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
STOCKHOLM = ZoneInfo("Europe/Stockholm")

CUSTOMER_ID = "5bb26376c42fb99275000080"


def reference(name: str):
    """One example document of the API reference (see the module docstring)."""
    return json.loads((FIXTURES / f"seventime_{name}.json").read_text(encoding="utf-8"))


# These two deliberately override tests/conftest.py's `api` (which points Django
# settings at a fake URL and does not require every mock to be used) and
# pytest-django's `client`: the client under test needs neither Django nor settings.
@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


class LimiterClock:
    """The limiter's clock and sleep: a 429's pause is waited out without sleeping."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def limiter_clock():
    return LimiterClock()


@pytest.fixture
def client(limiter_clock):
    # The default limiter (LocalLimiter: a 429 pauses the client's next calls) on a
    # fake clock, so that no test waits out a Retry-After for real.
    return SevenTimeClient(BASE, SECRET, limiter=LocalLimiter(clock=limiter_clock.time, sleep=limiter_clock.sleep))


def stub(api, method, path, *, params=None, payload=None, **kwargs):
    """Register one answer for `method BASE+path`; the request must carry the
    secret, exactly `params` as its query and, when given, `payload` as JSON body."""
    match = [matchers.header_matcher({"Client-Secret": SECRET}), matchers.query_param_matcher(params or {})]
    if payload is not None:
        match += [
            matchers.json_params_matcher(payload),
            matchers.header_matcher({"Content-Type": "application/json"}),
        ]
    if "json" not in kwargs and "body" not in kwargs:
        kwargs["json"] = []
    return api.add(method, BASE + path, match=match, **kwargs)


# --- 1. requests: method, path, query, header, body --------------------------------

# method name, path, keyword arguments it needs, query those produce
LIST_ENDPOINTS = [
    ("list_customers", "customers", {}, {}),
    ("list_contact_persons", "contactPersons", {"customer_id": CUSTOMER_ID}, {"customerId": CUSTOMER_ID}),
    ("list_users", "users", {}, {}),
    ("list_user_roles", "userRoles", {}, {}),
    ("list_salary_types", "defaultSalaryTypes", {}, {}),
    ("list_user_skills", "userSkills", {}, {}),
    ("list_departments", "departments", {}, {}),
    ("list_projects", "projects", {}, {}),
    ("list_project_statuses", "projectStatuses", {}, {}),
    ("list_project_types", "projectTypes", {}, {}),
    ("list_project_tags", "projectTags", {}, {}),
    ("list_work_orders", "workOrders", {}, {}),
    ("list_work_order_types", "workOrderTypes", {}, {}),
    ("list_work_order_tags", "workOrderTags", {}, {}),
    ("list_work_order_statuses", "workOrderStatuses", {}, {}),
    # The reference's "HTTP Request" line says /projects; curl and JavaScript say /priceLists.
    ("list_price_lists", "priceLists", {}, {}),
    ("list_invoices", "invoices", {}, {}),
    ("list_invoice_tags", "invoiceTags", {}, {}),
]
LIST_IDS = [endpoint[0] for endpoint in LIST_ENDPOINTS]

GET_ENDPOINTS = [
    ("get_customer", "customers", records.Customer),
    ("get_contact_person", "contactPersons", records.ContactPerson),
    ("get_user", "users", records.User),
    ("get_department", "departments", records.Department),
    ("get_project", "projects", records.Project),
    ("get_work_order", "workOrders", records.WorkOrder),
    # The reference's "HTTP Request" line says /invoice/<_id>; curl says /invoices/<_id>.
    ("get_invoice", "invoices", records.Invoice),
]

CREATE_CUSTOMER = {
    "name": "Tommy Hellström",
    "address": "Glimmingevägen 18",
    "zipCode": "269 74",
    "city": "Västra Karup",
    "phone": "0431-360050",
    "email": "support@seventime.se",
    "organizationNumber": "555555-5555",
    "paymentDays": 20,
    "billingSettings": {
        "useSeparateBillingAddress": False,
        "invoiceDeliveryType": 10,
        "isROTCustomer": True,
        "isRUTCustomer": False,
        "typeOfProperty": 1,
        "propertyDescription": "Västra Karup 1:23",
        "deductionDistribution": [
            {"userName": "Tommy Hellström", "personalNumber": "555555-5555", "distributionPercent": 60},
            {"userName": "Anna Hellström", "personalNumber": "666666-6666", "distributionPercent": 40},
        ],
    },
}
CREATE_USER = {
    "firstName": "Tommy",
    "lastName": "Hellström",
    "email": "tommy@nummer7.se",
    "userName": "TommyH",
    "userRoleId": 1,
    "isActive": False,
    "language": "SV",
}
CREATE_PROJECT = {
    "name": "App development",
    "customer": "5763e05bcddce98e3b00004b",
    "billingMethod": "FIXED_PRICE",
    "fixedPrice": 25000,
    "startDate": "2020-11-17",
    "projectTags": ["5fb2c736deb93b2713515684", "5fb2c736deb93b2713515685"],
    "deliveryAddress": {
        "name": "Kontoret",
        "address": "Glimmingevägen 18",
        "zipCode": "269 74",
        "city": "Västra Karup",
        "country": "SE",
        "phone": "0431-360050",
    },
}
CREATE_WORK_ORDER = {
    "title": "Support",
    "customer": "571f61330c7f498a2d0001a4",
    "createdByUser": "5912626016d971c030916402",
    "startDate": "2020-11-16 08:00",
    "users": ["5112826056d961c030000002", "5f48eb3e65d7ee4942c46eeb"],
    "workAddress": {
        "useOtherAddress": True,
        "address": "Glimmingevägen 18",
        "zipCode": "269 74",
        "city": "Västra Karup",
        "country": "SE",
    },
}
CREATE_INVOICE = {
    "customer": "5cc05b6a4e595e684effc134",
    "createdByUser": "51714655fbb708f379000003",
    "language": "SV",
    "invoiceType": 1,
    "houseProperties": {
        "typeOfProperty": 1,
        "propertyDescription": "Västra Karup 1:23",
        "deductionDistribution": [{"userName": "testUser", "personalNumber": "12345", "distributionPercent": 40}],
    },
    "invoiceItems": [
        {"itemType": "expense", "name": "Skivhantel", "numberOfItems": 2, "unitPrice": 327.24},
        {"itemType": "time", "name": "Montering", "numberOfItems": 1.5, "unitPrice": 650},
    ],
    "tags": ["5f742440d608b2201c3e7bab"],
}

# method name, path, payload, reference example answered, record type
CREATE_ENDPOINTS = [
    ("create_customer", "customers", CREATE_CUSTOMER, "customer_create", records.Customer),
    ("create_user", "users", CREATE_USER, "user_create", records.User),
    ("create_project", "projects", CREATE_PROJECT, "project_create", records.Project),
    ("create_work_order", "workOrders", CREATE_WORK_ORDER, "work_order_create", records.WorkOrder),
    ("create_invoice", "invoices", CREATE_INVOICE, "invoice_create", records.Invoice),
]


def test_every_public_endpoint_method_is_covered_by_these_tests():
    public = {name for name in vars(SevenTimeClient) if name.startswith(("list_", "get_", "create_"))}
    covered = {e[0] for e in LIST_ENDPOINTS} | {e[0] for e in GET_ENDPOINTS} | {e[0] for e in CREATE_ENDPOINTS}
    assert public == covered


@pytest.mark.parametrize("method, path, kwargs, query", LIST_ENDPOINTS, ids=LIST_IDS)
def test_list_without_filters_gets_its_path_with_no_query_but_required_ones(api, client, method, path, kwargs, query):
    mock = stub(api, "GET", path, params=query, json=[])

    page = getattr(client, method)(**kwargs)

    assert isinstance(page, Page)
    assert len(page) == 0 and not page
    assert mock.call_count == 1
    assert api.calls[0].request.method == "GET"
    assert api.calls[0].request.url == BASE + path + ("?customerId=" + CUSTOMER_ID if query else "")


@pytest.mark.parametrize("method, path, kwargs, query", LIST_ENDPOINTS, ids=LIST_IDS)
@pytest.mark.parametrize("direction", ["ascending", "descending"])
def test_list_sends_sort_by_and_sort_direction_as_sortBy_and_sortDirection(
    api, client, method, path, kwargs, query, direction
):
    stub(api, "GET", path, params={**query, "sortBy": "name", "sortDirection": direction})

    getattr(client, method)(**kwargs, sort_by="name", sort_direction=direction)


@pytest.mark.parametrize("method, path, kwargs, query", LIST_ENDPOINTS, ids=LIST_IDS)
def test_list_rejects_an_unknown_sort_direction_without_calling_the_api(api, client, method, path, kwargs, query):
    with pytest.raises(ValueError, match="sort_direction"):
        getattr(client, method)(**kwargs, sort_by="name", sort_direction="down")
    assert len(api.calls) == 0


# method name, path, filters as Python keywords, the query they must become
FILTERED_LISTS = [
    pytest.param(
        "list_customers",
        "customers",
        {"name": "Tommy Hellström", "customer_number": "733352", "organization_number": "556596-0753", "city": "Västra Karup"},
        {"name": "Tommy Hellström", "customerNumber": "733352", "organizationNumber": "556596-0753", "city": "Västra Karup"},
        id="customers",
    ),
    pytest.param(
        "list_contact_persons", "contactPersons", {"customer_id": CUSTOMER_ID}, {"customerId": CUSTOMER_ID}, id="contact-persons"
    ),
    pytest.param(
        "list_users",
        "users",
        {
            "name": "Tommy Hellström",
            "person_number": "555555-5555",
            "department": "59d05abdc471b72e4901079",
            "user_role": 10,
            "is_active": True,
            "is_activated": False,
            "default_salary_type": "5834419c7a27db6932000052",
            "user_skills": "59f9d1c53ffd5f932a000067",
        },
        {
            "name": "Tommy Hellström",
            "personNumber": "555555-5555",
            "department": "59d05abdc471b72e4901079",
            "userRole": "10",
            "isActive": "true",
            "isActivated": "false",
            "defaultSalaryType": "5834419c7a27db6932000052",
            "userSkills": "59f9d1c53ffd5f932a000067",
        },
        id="users",
    ),
    pytest.param(
        "list_projects",
        "projects",
        {"name": "Från offert 20200811", "project_number": 3314},
        {"name": "Från offert 20200811", "projectNumber": "3314"},
        id="projects",
    ),
    pytest.param(
        "list_work_orders",
        "workOrders",
        {"title": "AO1", "work_order_number": 5555, "project_id": "5f924f4f533f102af78f95b6"},
        {"title": "AO1", "workOrderNumber": "5555", "projectId": "5f924f4f533f102af78f95b6"},
        id="work-orders",
    ),
    pytest.param(
        "list_invoices",
        "invoices",
        {"invoice_number": "24481", "ocr_number": "2448173", "customer_number": "3028"},
        {"invoiceNumber": "24481", "OCRNumber": "2448173", "customerNumber": "3028"},
        id="invoices",
    ),
]


@pytest.mark.parametrize("method, path, filters, query", FILTERED_LISTS)
def test_list_sends_filters_with_their_api_names(api, client, method, path, filters, query):
    stub(api, "GET", path, params={**query, "sortBy": "name", "sortDirection": "ascending"})

    getattr(client, method)(**filters, sort_by="name", sort_direction="ascending")


@pytest.mark.parametrize("value, sent", [(True, "true"), (False, "false")])
@pytest.mark.parametrize("keyword, name", [("is_active", "isActive"), ("is_activated", "isActivated")])
def test_list_users_sends_booleans_as_lowercase_words_and_false_is_a_real_filter(api, client, keyword, name, value, sent):
    stub(api, "GET", "users", params={name: sent})

    client.list_users(**{keyword: value})


@pytest.mark.parametrize("blank", [None, ""], ids=["none", "empty"])
@pytest.mark.parametrize("method, path, filters, query", [p for p in FILTERED_LISTS if p.id != "contact-persons"])
def test_list_does_not_send_filters_that_are_none_or_empty(api, client, method, path, filters, query, blank):
    stub(api, "GET", path, params={})

    getattr(client, method)(**dict.fromkeys(filters, blank), sort_by=blank, sort_direction=blank)


@pytest.mark.parametrize("customer_id", [None, ""])
def test_list_contact_persons_requires_a_customer_id_and_does_not_call_the_api_without_one(api, client, customer_id):
    with pytest.raises(ValueError, match="customer_id"):
        client.list_contact_persons(customer_id=customer_id)
    assert len(api.calls) == 0


@pytest.mark.parametrize("method, path, record_type", GET_ENDPOINTS, ids=[e[0] for e in GET_ENDPOINTS])
def test_get_requests_the_record_by_id_under_its_plural_path(api, client, method, path, record_type):
    record_id = "5bae34dca878bd790d02065g"  # not hex: ids are opaque
    mock = stub(api, "GET", f"{path}/{record_id}", json={"_id": record_id})

    record = getattr(client, method)(record_id)

    assert type(record) is record_type
    assert record.id == record_id
    assert mock.call_count == 1
    assert api.calls[0].request.method == "GET"


def test_get_escapes_the_id_so_it_cannot_change_the_path(api, client):
    stub(api, "GET", "customers/..%2Fusers%2F1%3Fx", json={"_id": "../users/1?x"})

    client.get_customer("../users/1?x")

    assert api.calls[0].request.path_url == "/api/1/customers/..%2Fusers%2F1%3Fx"


@pytest.mark.parametrize("method, path, record_type", GET_ENDPOINTS, ids=[e[0] for e in GET_ENDPOINTS])
@pytest.mark.parametrize("blank", [None, "", "   "])
def test_get_with_a_blank_id_raises_not_found_without_calling_the_api(api, client, method, path, record_type, blank):
    with pytest.raises(NotFound):
        getattr(client, method)(blank)
    assert len(api.calls) == 0


@pytest.mark.parametrize(
    "method, path, payload, answer, record_type", CREATE_ENDPOINTS, ids=[e[0] for e in CREATE_ENDPOINTS]
)
def test_create_posts_the_payload_as_a_json_body_to_its_path(api, client, method, path, payload, answer, record_type):
    mock = stub(api, "POST", path, payload=payload, json=reference(answer))

    record = getattr(client, method)(payload)

    assert type(record) is record_type
    assert mock.call_count == 1
    request = api.calls[0].request
    assert request.method == "POST"
    assert request.url == BASE + path
    assert json.loads(request.body) == payload  # nested objects and arrays intact, not form-encoded


def test_every_request_carries_the_client_secret_and_asks_for_json(api, client):
    stub(api, "GET", "customers")
    stub(api, "GET", f"customers/{CUSTOMER_ID}", json={"_id": CUSTOMER_ID})
    stub(api, "POST", "customers", payload={"name": "x"}, json={"_id": CUSTOMER_ID})

    client.list_customers()
    client.get_customer(CUSTOMER_ID)
    client.create_customer({"name": "x"})

    assert [call.request.headers["Client-Secret"] for call in api.calls] == [SECRET] * 3
    assert [call.request.headers["Accept"] for call in api.calls] == ["application/json"] * 3


# --- 2. parsing the reference's examples ----------------------------------------


# fixture: (HTTP method, path, call, record type, query)
REFERENCE_EXAMPLES = {
    "customers_list": ("GET", "customers", lambda c: c.list_customers(), records.Customer),
    "customer_get": ("GET", f"customers/{CUSTOMER_ID}", lambda c: c.get_customer(CUSTOMER_ID), records.Customer),
    "customer_create": ("POST", "customers", lambda c: c.create_customer(CREATE_CUSTOMER), records.Customer),
    "contact_persons_list": (
        "GET",
        "contactPersons",
        lambda c: c.list_contact_persons(customer_id=CUSTOMER_ID),
        records.ContactPerson,
        {"customerId": CUSTOMER_ID},
    ),
    "contact_person_get": (
        "GET",
        "contactPersons/5fb7bcd0ab7bb01d4d798762",
        lambda c: c.get_contact_person("5fb7bcd0ab7bb01d4d798762"),
        records.ContactPerson,
    ),
    "users_list": ("GET", "users", lambda c: c.list_users(), records.User),
    "user_get": ("GET", "users/5112826056d961c030000002", lambda c: c.get_user("5112826056d961c030000002"), records.User),
    "user_roles_list": ("GET", "userRoles", lambda c: c.list_user_roles(), records.UserRole),
    "salary_types_list": ("GET", "defaultSalaryTypes", lambda c: c.list_salary_types(), records.SalaryType),
    "user_skills_list": ("GET", "userSkills", lambda c: c.list_user_skills(), records.UserSkill),
    "user_create": ("POST", "users", lambda c: c.create_user(CREATE_USER), records.User),
    "departments_list": ("GET", "departments", lambda c: c.list_departments(), records.Department),
    "department_get": (
        "GET",
        "departments/59d05abdc471b72e4901079",
        lambda c: c.get_department("59d05abdc471b72e4901079"),
        records.Department,
    ),
    "projects_list": ("GET", "projects", lambda c: c.list_projects(), records.Project),
    "project_get": (
        "GET",
        "projects/5f326f4f433f102ff77f95d6",
        lambda c: c.get_project("5f326f4f433f102ff77f95d6"),
        records.Project,
    ),
    "project_statuses_list": ("GET", "projectStatuses", lambda c: c.list_project_statuses(), records.Status),
    "project_types_list": ("GET", "projectTypes", lambda c: c.list_project_types(), records.ProjectType),
    "project_tags_list": ("GET", "projectTags", lambda c: c.list_project_tags(), records.Tag),
    "project_create": ("POST", "projects", lambda c: c.create_project(CREATE_PROJECT), records.Project),
    "work_orders_list": ("GET", "workOrders", lambda c: c.list_work_orders(), records.WorkOrder),
    "work_order_get": (
        "GET",
        "workOrders/5bae34dca878bd790d02065g",
        lambda c: c.get_work_order("5bae34dca878bd790d02065g"),
        records.WorkOrder,
    ),
    "work_order_types_list": ("GET", "workOrderTypes", lambda c: c.list_work_order_types(), records.WorkOrderType),
    "work_order_tags_list": ("GET", "workOrderTags", lambda c: c.list_work_order_tags(), records.Tag),
    "work_order_statuses_list": ("GET", "workOrderStatuses", lambda c: c.list_work_order_statuses(), records.Status),
    "work_order_create": ("POST", "workOrders", lambda c: c.create_work_order(CREATE_WORK_ORDER), records.WorkOrder),
    "price_lists_list": ("GET", "priceLists", lambda c: c.list_price_lists(), records.PriceList),
    "invoices_list": ("GET", "invoices", lambda c: c.list_invoices(), records.Invoice),
    "invoice_get": (
        "GET",
        "invoices/5fae99b072aa334cb539ab73",
        lambda c: c.get_invoice("5fae99b072aa334cb539ab73"),
        records.Invoice,
    ),
    "invoice_tags_list": ("GET", "invoiceTags", lambda c: c.list_invoice_tags(), records.Tag),
    # The reference shows the work order create answer again for invoices; the
    # client reads whatever comes back as an invoice.
    "invoice_create": ("POST", "invoices", lambda c: c.create_invoice(CREATE_INVOICE), records.Invoice),
}


def fetch(api, client, fixture, doc=None):
    """Answer the call of REFERENCE_EXAMPLES[fixture] with `doc` (the example by default)."""
    method, path, call, _record_type, *params = REFERENCE_EXAMPLES[fixture]
    stub(api, method, path, params=params[0] if params else None, json=reference(fixture) if doc is None else doc)
    return call(client)


def api_keys(record_type) -> set[str]:
    """The API keys a record type models (its fields' camelCase names or `api()` keys)."""
    return {f.metadata.get("api") or records.camel(f.name) for f in dataclasses.fields(record_type) if f.name != "extra"}


def test_every_reference_example_is_a_fixture_and_is_used():
    assert {p.name.removeprefix("seventime_").removesuffix(".json") for p in FIXTURES.glob("seventime_*.json")} == set(
        REFERENCE_EXAMPLES
    )


@pytest.mark.parametrize("fixture", list(REFERENCE_EXAMPLES))
def test_reference_example_parses_into_its_record_type_keeping_unknown_fields(api, client, fixture):
    record_type = REFERENCE_EXAMPLES[fixture][3]
    doc = reference(fixture)

    result = fetch(api, client, fixture)

    documents = doc if isinstance(doc, list) else [doc]
    parsed = list(result) if isinstance(doc, list) else [result]
    if isinstance(doc, list):
        assert isinstance(result, Page)
        assert len(result) == len(doc) >= 1
        assert not result.maybe_truncated
    assert [type(record) for record in parsed] == [record_type] * len(documents)
    assert [record.id for record in parsed] == [str(d.get("_id", d.get("userRoleId"))) for d in documents]
    for record, document in zip(parsed, documents):
        # nothing is lost: what the record does not model is in `extra`, as sent
        assert set(record.extra) == set(document) - api_keys(record_type)
        assert all(document[key] == value for key, value in record.extra.items())
        if "__v" in document:
            assert record.extra["__v"] == document["__v"]


@pytest.mark.parametrize("fixture", ["customers_list", "customer_get"])
def test_customer_example_fields_and_billing_settings(api, client, fixture):
    result = fetch(api, client, fixture)
    customer = result.items[0] if isinstance(result, Page) else result

    assert customer.id == CUSTOMER_ID
    assert customer.customer_number == "733352"
    assert customer.name == customer.label == "Tommy Hellström"
    assert customer.organization_number == "556596-0753"
    assert customer.vat_number == "SE556596075301"
    assert (customer.address, customer.zip_code, customer.city) == ("Glimmingevägen 18", "269 74", "Västra Karup")
    assert customer.payment_days == 20
    assert customer.price_per_hour == Decimal("0") and isinstance(customer.price_per_hour, Decimal)
    assert customer.is_active is True
    assert customer.created_date == datetime(2018, 10, 1, 18, 12, 6, 25000, tzinfo=UTC)
    assert customer.extra["documents"] == [] and customer.extra["__v"] == 0

    billing = customer.billing_settings
    assert isinstance(billing, records.BillingSettings)
    assert billing.is_rot_customer is True  # isROTCustomer
    assert billing.is_rut_customer is False
    assert billing.type_of_property == 1
    assert billing.invoice_delivery_type == 0
    assert billing.price_list is None
    assert billing.expense_discount == Decimal("0")
    assert billing.extra == {"expenseCustomProfitMargin": 0, "markupPercentSupplierInvoice": -1000}
    (item,) = billing.deduction_distribution
    assert isinstance(item, records.DeductionItem)
    assert item.id == "5bb2683d3a0fdb697e000080"
    assert item.item_id == "0.40862768612862976"  # an id, kept as the text the API sent
    assert (item.user_name, item.personal_number) == ("Tommy Hellström", "555555-5555")
    assert item.distribution_percent == Decimal("100")


@pytest.mark.parametrize("flag", [True, False])
def test_isROTCustomer_becomes_billing_settings_is_rot_customer(api, client, flag):
    stub(api, "GET", "customers/c1", json={"_id": "c1", "billingSettings": {"isROTCustomer": flag, "isRUTCustomer": not flag}})

    billing = client.get_customer("c1").billing_settings

    assert billing.is_rot_customer is flag
    assert billing.is_rut_customer is (not flag)


def test_created_customer_example_without_optional_fields_gets_defaults(api, client):
    customer = fetch(api, client, "customer_create")

    assert customer.name == "Tommy Hellström"
    assert customer.organization_number == "555555-5555"
    assert customer.billing_settings.deduction_distribution == ()
    assert customer.billing_settings.is_rot_customer is False
    assert (customer.vat_number, customer.country, customer.notes) == ("", "", "")
    assert customer.payment_days is None and customer.price_per_hour is None


@pytest.mark.parametrize("fixture", ["contact_persons_list", "contact_person_get"])
def test_contact_person_example_fields(api, client, fixture):
    result = fetch(api, client, fixture)
    person = result.items[0] if isinstance(result, Page) else result

    assert person.id == "5fb7bcd0ab7bb01d4d798762"
    assert person.name == person.label == "Tommy"
    assert person.title == "Utvecklare"
    assert person.customer in {CUSTOMER_ID, "5bb2775da1640a751f000082"}
    assert person.customer_name == "Tommy Hellström"
    assert person.main_contact is True
    assert person.created_date == datetime(2020, 11, 17, 12, 6, 24, 281000, tzinfo=UTC)


@pytest.mark.parametrize(
    "fixture, role, active, language",
    [("users_list", 10, True, "SV"), ("user_get", 30, True, "EN"), ("user_create", 1, False, "SV")],
)
def test_user_example_fields(api, client, fixture, role, active, language):
    result = fetch(api, client, fixture)
    user = result.items[0] if isinstance(result, Page) else result

    assert user.user_role_id == role and isinstance(user.user_role_id, int)
    assert user.is_active is active and user.is_activated is active
    assert user.language == language
    assert user.full_name == user.label == "Tommy Hellström"
    assert user.email == "tommy@nummer7.se"
    assert user.department is None and user.user_skills == ()
    assert user.created_date.tzinfo is not None


LOOKUP_EXAMPLES = [
    ("user_roles_list", {"id": "1", "name": "Administratör", "label": "Administratör"}),
    (
        "salary_types_list",
        {
            "id": "5834419c7a27db6932000052",
            "name": "Övertid",
            "code": "123",
            "unit_type": "1",
            "salary_amount": Decimal("0"),
            "type_in_salary_system": 10,
            "is_absence_time_type": False,
            "can_be_registered": True,
        },
    ),
    (
        "user_skills_list",
        {"skill_title": "Höga arbeten", "label": "Höga arbeten", "require_educations": ("5a54ea1f7a7fe3c26200006e",)},
    ),
    (
        "departments_list",
        # 23 characters: ids are kept as they come, not validated as ObjectIds
        {"id": "59d05abdc471b72e4901079", "name": "Utveckling", "department_number": "2", "is_active": True, "manager_ids": ()},
    ),
    ("department_get", {"id": "59d05abdc471b72e4901079", "name": "Utveckling", "department_number": "2", "manager_ids": ()}),
    (
        "project_statuses_list",
        {"status_name": "Avslutad", "label": "Avslutad", "color": "468847", "closed_status": True, "in_progress_status": False},
    ),
    ("project_types_list", {"id": "5b276a908e0273b743607182", "project_type_name": "Dev", "label": "Dev", "is_active": True}),
    ("project_tags_list", {"id": "5fb2c736deb93b2713515684", "tag_name": "Viktigt", "color": "673ab7"}),
    ("work_order_types_list", {"work_order_type_name": "Extra", "label": "Extra", "color": "f44336", "is_active": True}),
    ("work_order_tags_list", {"tag_name": "1", "label": "1", "color": "FAFAFA"}),
    (
        "work_order_statuses_list",
        {"status_name": "Ej planerad", "color": "FF5722", "planned_status": False, "closed_status": False},
    ),
    ("price_lists_list", {"id": "58c1504a658fb5911d018f5f", "name": "Grosslistan", "label": "Grosslistan", "is_active": True}),
    ("invoice_tags_list", {"id": "5f742440d608b2201c3e7bab", "tag_name": "Att granska", "color": "f44336"}),
]


@pytest.mark.parametrize("fixture, expected", LOOKUP_EXAMPLES, ids=[e[0] for e in LOOKUP_EXAMPLES])
def test_lookup_example_fields(api, client, fixture, expected):
    result = fetch(api, client, fixture)
    record = result.items[0] if isinstance(result, Page) else result

    actual = {name: getattr(record, name) for name in expected}
    assert actual == expected
    assert all(type(actual[name]) is type(value) for name, value in expected.items())


@pytest.mark.parametrize(
    "fixture, record_id", [("projects_list", "5f924f4f533f102af78f95b6"), ("project_get", "5f326f4f433f102ff77f95d6")]
)
def test_project_example_fields_nulls_and_nested_objects(api, client, fixture, record_id):
    result = fetch(api, client, fixture)
    project = result.items[0] if isinstance(result, Page) else result

    assert project.id == record_id
    assert project.name == "Från offert 20200811"
    assert project.project_number == "3314"
    assert project.project_status == 50
    assert project.project_status_ref in {"5c8739d3205457b98b9883d4", "5c8639c3205457b88d9897b2"}
    assert project.project_type is None and project.project_type_name == ""  # both null in the example
    assert project.contact_person is None and project.contact_person_name == ""
    assert project.start_date is None and project.end_date is None
    assert project.billing_method == "FIXED_PRICE"
    assert project.fixed_price == Decimal("0")
    assert (project.customer, project.customer_name) == ("5763e05bcddce98e3b00004b", "Hellapps")
    assert (project.quote, project.quote_number) == ("5b110ea19b27f5ef3f00007b", "1058")
    assert isinstance(project.delivery_address, records.Address) and project.delivery_address.is_empty
    assert project.recurring_budget == {"budgetTime": 0, "budgetAmount": 0, "budgetType": 10}
    assert project.tags == ()
    (field,) = project.custom_fields
    assert (field.id, field.field_id, field.value) == (
        "5f326f50433f102ff77f95d7",
        "5c0e7342ce9a647150000083",
        "5c0e7342ce9a647150000085",
    )
    assert project.created_date == datetime(2020, 8, 11, 10, 13, 36, 1000, tzinfo=UTC)
    assert {"permissions", "staffLedger", "recurringBudgetType", "fixedPriceExpenseItem"} <= set(project.extra)


def test_created_project_example_in_javascript_syntax_parses_once_fixed(api, client):
    project = fetch(api, client, "project_create")

    assert project.id == "5fb3c92dd5472a243e9caa3b"
    assert project.name == "API test 4"
    assert project.project_number == "12345786"
    assert project.budget == {"benefits": [], "costs": []}
    assert project.created_date == datetime(2020, 11, 17, 12, 59, 25, 109000, tzinfo=UTC)
    assert project.extra["systemAccount"] == "5112826056d961c030000001"


@pytest.mark.parametrize("fixture", ["work_orders_list", "work_order_get"])
def test_work_order_example_fields(api, client, fixture):
    result = fetch(api, client, fixture)
    order = result.items[0] if isinstance(result, Page) else result

    assert order.id == "5bae34dca878bd790d02065g"  # not hex, kept as it is
    assert order.work_order_number == "2901"  # an int in the example
    assert order.label == "2901 AO1"
    assert order.created_by_user == "5112826056d961c030000002"
    assert order.created_by_user_name == "Tommy Hellström"
    assert (order.status, order.status_ref) == (100, "587f3157c73c0f6d9cea944f")
    assert order.customer_number == "511"
    assert order.start_date == datetime(2017, 10, 10, 7, 0, tzinfo=UTC)
    assert order.end_date == datetime(2017, 10, 12, 16, 0, tzinfo=UTC)
    assert order.estimated_time == Decimal("0")
    assert isinstance(order.work_address, records.Address)
    assert order.work_address.use_other_address is False
    assert order.users == () and order.tags == ()


@pytest.mark.parametrize(
    "fixture, number", [("work_order_get", "2901"), ("invoice_get", "4843"), ("work_order_create", "4908")]
)
def test_work_order_number_becomes_text_whether_sent_as_number_or_string(api, client, fixture, number):
    raw = reference(fixture)["workOrderNumber"]
    assert isinstance(raw, int) == (number != "4843")  # the examples really differ

    record = fetch(api, client, fixture)

    assert record.work_order_number == number
    assert type(record.work_order_number) is str


@pytest.mark.parametrize("sent, text", [(2901, "2901"), ("4843", "4843"), (2901.0, "2901"), ("0042", "0042")])
def test_work_order_number_is_text_without_a_decimal_point_or_lost_zeros(api, client, sent, text):
    stub(api, "GET", "workOrders/w1", json={"_id": "w1", "workOrderNumber": sent})

    assert client.get_work_order("w1").work_order_number == text


@pytest.mark.parametrize(
    "sent, expected",
    [
        ("2020-11-04T23:00:00.000Z", datetime(2020, 11, 4, 23, 0, tzinfo=UTC)),
        ("2020-11-04T23:00:00", datetime(2020, 11, 4, 23, 0, tzinfo=UTC)),  # no zone: UTC, as the API sends
        ("2020-11-05", datetime(2020, 11, 5, 0, 0, tzinfo=UTC)),  # a bare date: midnight UTC
        ("2020-11-05T00:00:00+01:00", datetime(2020, 11, 4, 23, 0, tzinfo=UTC)),
    ],
)
def test_timestamps_become_aware_datetimes(api, client, sent, expected):
    stub(api, "GET", "invoices/i1", json={"_id": "i1", "invoiceDate": sent})

    invoice_date = client.get_invoice("i1").invoice_date

    assert invoice_date.tzinfo is not None
    assert invoice_date == expected


@pytest.mark.parametrize(
    "fixture, user_id",
    [
        ("work_order_get", "5112826056d961c030000002"),  # an id
        ("work_order_create", "5912626016d971c030916402"),  # an embedded object
        ("invoice_create", "5912626016d971c030916402"),
    ],
)
def test_created_by_user_gives_the_id_whether_sent_as_id_or_object(api, client, fixture, user_id):
    assert isinstance(reference(fixture)["createdByUser"], dict) == (fixture != "work_order_get")

    assert fetch(api, client, fixture).created_by_user == user_id


def test_created_work_order_example_fields(api, client):
    order = fetch(api, client, "work_order_create")

    assert order.id == "5fb8517e1bcaad1cd2cd3f9c"
    assert order.title == "Support"
    assert order.created_by_user_name == "Lucas Hellström"
    assert (order.status, order.color) == (500, "FF5722")
    assert order.create_date == datetime(2020, 11, 16, 10, 15, 42, 216000, tzinfo=UTC)


@pytest.mark.parametrize(
    "fixture, record_id", [("invoices_list", "5fab29b038bd334ab540ab53"), ("invoice_get", "5fae99b072aa334cb539ab73")]
)
def test_invoice_example_fields(api, client, fixture, record_id):
    result = fetch(api, client, fixture)
    invoice = result.items[0] if isinstance(result, Page) else result

    assert invoice.id == record_id
    assert invoice.invoice_number == invoice.label == "24481"
    assert invoice.ocr_number == "2448173"  # OCRNumber
    assert (invoice.invoice_name, invoice.invoice_status, invoice.invoice_type) == ("Invoice", 2, 1)
    assert (invoice.customer, invoice.customer_number, invoice.customer_vat) == ("5cc05b6a4e595e684effc134", "3028", "")
    assert invoice.customer_address == "Glimmingevägen 18<br>26974 Västra Karup"
    assert invoice.contact_person_name == "Bj\ufffdrn Romansoff"
    assert (invoice.work_order, invoice.work_order_number) == ("5fa2b550c289ea64821ea37b", "4843")
    assert invoice.work_order_ids == ("5fa2b550c289ea64821ea37b",)
    assert invoice.tags == ("5f742440d608b2201c3e7bab", "5f74243ad608b2201c3e7ba9")
    assert invoice.our_reference == "518ff209d5af991b1c000003"
    assert invoice.created_by_user == "51714655fbb708f379000003"
    assert invoice.multiple_taxes_on_rows is True
    assert (invoice.currency_code, invoice.currency_rate) == ("SEK", Decimal("1"))
    assert invoice.total_amount == Decimal("16549")
    assert invoice.total_amount_incl_tax == Decimal("16876")
    assert invoice.total_cost == Decimal("4720")
    assert invoice.tax_percent == Decimal("12")
    # nulls
    assert invoice.archived is False and invoice.archived_date is None
    assert invoice.credit_invoice is None and invoice.credit_for_invoice is None
    assert invoice.description == "" and invoice.header_text == "" and invoice.footer_info_text == ""
    assert invoice.payment_date is None and invoice.reminder_date is None
    assert invoice.footer_text.startswith('<table width="100%">')
    # nested
    assert invoice.delivery_address.name == "Kontoret" and invoice.delivery_address.country == "SE"
    house = invoice.house_properties
    assert isinstance(house, records.HouseProperties)
    assert house.type_of_property == 1
    assert house.max_deduction_amount == Decimal("100000")
    (share,) = house.deduction_distribution
    assert (share.id, share.user_name, share.distribution_percent) == ("5fae99b072aa334cb539ab7d", "testUser", Decimal("40"))
    (row,) = invoice.invoice_items
    assert isinstance(row, records.InvoiceItem)
    assert (row.id, row.item_type, row.unit, row.item_order) == ("5fae99b072aa334cb539ab7b", "expense", "St", 1024)
    assert (row.number_of_items, row.unit_price, row.unit_cost) == (Decimal("1"), Decimal("12345"), Decimal("319"))
    assert row.house_work_flag is True and row.house_work_type_of_work == 1
    assert row.expense_item == "5de78ae9bb13565916362606"
    assert row.item_id == "0.9281811863461673"
    (entry,) = invoice.invoice_log_entries
    assert (entry.user, entry.log_type, entry.additional_data) == ("51714655fbb708f379000003", 1, "")
    assert entry.log_date == datetime(2020, 11, 13, 14, 35, 28, 797000, tzinfo=UTC)
    if fixture == "invoice_get":  # the list example has no customFields
        (field,) = invoice.custom_fields
        assert field.field_id == "5f67af2796bce73d3a61ff39"
        assert field.value == {"distributorId": None, "distributorName": ""}  # any JSON value is kept
    else:
        assert invoice.custom_fields == ()
    assert invoice.extra["paymentPlan"] is None
    assert {"paymentPlanRowId", "__v"} <= set(invoice.extra)
    # Read as fields (the invoice page shows them).
    assert (invoice.quote, invoice.quote_number, invoice.supplement_order, invoice.supplement_order_number) == (None, "", None, "")


@pytest.mark.parametrize("fixture", ["invoices_list", "invoice_get"])
def test_invoice_date_is_an_aware_utc_datetime_that_is_5_november_in_stockholm(api, client, fixture):
    result = fetch(api, client, fixture)
    invoice = result.items[0] if isinstance(result, Page) else result

    assert invoice.invoice_date.utcoffset().total_seconds() == 0
    assert invoice.invoice_date == datetime(2020, 11, 4, 23, 0, tzinfo=UTC)
    assert invoice.invoice_date.astimezone(STOCKHOLM).date() == date(2020, 11, 5)
    assert invoice.due_date.astimezone(STOCKHOLM).date() == date(2020, 12, 5)


@pytest.mark.parametrize("fixture", ["invoices_list", "invoice_get"])
def test_money_becomes_the_exact_decimal_of_the_json_number(api, client, fixture):
    result = fetch(api, client, fixture)
    invoice = result.items[0] if isinstance(result, Page) else result

    assert isinstance(invoice.total_tax_amount, Decimal)
    assert invoice.total_tax_amount == Decimal("327.24") and str(invoice.total_tax_amount) == "327.24"
    assert invoice.total_amount_rounding == Decimal("-0.24") and str(invoice.total_amount_rounding) == "-0.24"
    assert invoice.total_amount + invoice.total_tax_amount + invoice.total_amount_rounding == invoice.total_amount_incl_tax


def test_created_invoice_example_which_is_a_work_order_document_still_parses(api, client):
    invoice = fetch(api, client, "invoice_create")

    assert invoice.id == "5fb8517e1bcaad1cd2cd3f9c"
    assert invoice.work_order_number == "4908"
    assert invoice.customer == "571f61330c7f498a2d0001a4"
    assert invoice.extra["title"] == "Support"
    assert invoice.invoice_items == ()


def test_nulls_and_missing_fields_give_empty_defaults(api, client):
    stub(
        api,
        "GET",
        "customers/c1",
        json={"_id": "c1", "name": None, "pricePerHour": None, "paymentDays": None, "billingSettings": None, "createdDate": None},
    )

    customer = client.get_customer("c1")

    assert customer.name == "" and customer.email == "" and customer.city == ""
    assert customer.price_per_hour is None and customer.payment_days is None
    assert customer.billing_settings is None and customer.created_date is None
    assert customer.is_active is True  # missing: the record's default
    assert customer.extra == {}


def test_unknown_fields_are_kept_in_extra_and_known_ones_are_not(api, client):
    doc = {"_id": "w1", "title": "AO1", "brandNewField": {"nested": [1, 2]}, "__v": 3, "relations": [{"a": 1}]}
    stub(api, "GET", "workOrders/w1", json=doc)

    order = client.get_work_order("w1")

    assert order.extra == {"brandNewField": {"nested": [1, 2]}, "__v": 3}
    assert order.relations == ({"a": 1},)  # a field now (the work order page shows it)
    assert order.title == "AO1"


# --- 3. list answers and answers of the wrong shape -----------------------------


@pytest.mark.parametrize("count, truncated", [(99, False), (100, True)])
def test_page_may_be_truncated_only_when_the_api_returned_its_cap_of_100(api, client, count, truncated):
    stub(api, "GET", "customers", json=[{"_id": f"{i:024x}", "name": f"Customer {i}"} for i in range(count)])

    page = client.list_customers()

    assert len(page) == count
    assert page.maybe_truncated is truncated
    assert [customer.name for customer in page][-1] == f"Customer {count - 1}"


@pytest.mark.parametrize(
    "body", ['{"errorMessage": "nope"}', '"customers"', "null", "42"], ids=["object", "string", "null", "number"]
)
def test_list_answer_that_is_not_a_json_list_raises_bad_response(api, client, body):
    stub(api, "GET", "customers", body=body, content_type="application/json")

    with pytest.raises(BadResponse):
        client.list_customers()


@pytest.mark.parametrize(
    "method, path, call",
    [
        ("GET", "customers", lambda c: c.list_customers()),
        ("GET", "customers/c1", lambda c: c.get_customer("c1")),
        ("POST", "customers", lambda c: c.create_customer({"name": "x"})),
    ],
    ids=["list", "get", "create"],
)
@pytest.mark.parametrize("body", ["<html><body>Welcome</body></html>", "[{", ""], ids=["html", "truncated", "empty"])
def test_an_ok_answer_that_is_not_json_raises_bad_response(api, client, method, path, call, body):
    stub(api, method, path, body=body, content_type="text/html")

    with pytest.raises(BadResponse):
        call(client)


def test_a_stray_byte_in_an_answer_shows_as_a_replacement_character_not_an_error(api, client):
    stub(api, "GET", "customers", body=b'[{"_id": "c1", "name": "\xe5sa Bygg"}]', content_type="application/json")

    assert [customer.name for customer in client.list_customers()] == ["\ufffdsa Bygg"]


def test_an_answer_in_a_declared_charset_is_read_in_it(api, client):
    body = '[{"_id": "c1", "name": "Åsa Bygg"}]'.encode("iso-8859-1")
    stub(api, "GET", "customers", body=body, content_type="application/json; charset=iso-8859-1")

    assert [customer.name for customer in client.list_customers()] == ["Åsa Bygg"]


def test_an_answer_with_a_byte_order_mark_is_read(api, client):
    stub(api, "GET", "customers", body='[{"_id": "c1"}]'.encode("utf-8-sig"), content_type="application/json")

    assert [customer.id for customer in client.list_customers()] == ["c1"]


@pytest.mark.parametrize(
    ("no_proxy", "proxied"), [("", True), ("api.example.test", False)], ids=["proxied", "host-in-no-proxy"]
)
def test_the_proxy_and_ca_bundle_of_the_environment_are_used(api, monkeypatch, no_proxy, proxied):
    # Read once when the client is made (requests would walk the environment on every call).
    for name in ("https_proxy", "no_proxy", "all_proxy", "ALL_PROXY", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.company.test:3128")
    monkeypatch.setenv("NO_PROXY", no_proxy)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/company-ca.pem")
    client = SevenTimeClient(BASE, SECRET)
    monkeypatch.setenv("HTTPS_PROXY", "http://changed-later.test:1")  # read once: not seen
    stub(api, "GET", "customers", json=[])

    client.list_customers()

    sent = api.calls[0].request.req_kwargs
    assert sent["verify"] == "/etc/ssl/company-ca.pem"
    assert (sent["proxies"].get("https") == "http://proxy.company.test:3128") is proxied


JSON_TEXTS = {
    "money": b'{"a": 1.10, "b": -0.24, "c": 1e3, "d": 1.5E-7, "e": -0.0, "f": 12345678901234567890.123456789}',
    "integers": b"[0, -0, 42, 18446744073709551616, -9223372036854775809]",
    "text": '["\u00e5sa", "\\ud83d\\ude00", "tab\\t", "\\u003cscript\\u003e", "Å"]'.encode(),
    "duplicate keys": b'{"name": "first", "name": "second"}',
    "nested": b'{"a": [[[{"b": [null, true, false, {}]}]]], "": ""}',
    "byte-order mark": '{"a": 1.5}'.encode("utf-8-sig"),
    "utf-16": '{"a": "Åsa", "b": 2.50}'.encode("utf-16"),
    "nan and infinity": b'[NaN, Infinity, -Infinity, 1.0]',
    "lone surrogate": b'["\\ud800"]',
    "whitespace": b' \r\n\t[1.0]\n ',
}


@pytest.mark.parametrize("text", JSON_TEXTS.values(), ids=JSON_TEXTS.keys())
def test_answers_decode_exactly_as_the_standard_library_reads_them(text):
    # repr tells Decimal("1.10") from Decimal("1.1") and 1 from 1.0.
    assert repr(jsontext.decode(text, None)) == repr(json.loads(text, parse_float=Decimal))


@pytest.mark.parametrize("text", [b"[{", b'{"a": 1,}', b"", b"<html>", b'["\x01"]'], ids=["cut", "comma", "empty", "html", "control"])
def test_text_that_is_not_json_is_refused_as_before(text):
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        jsontext.decode(text, None)


@pytest.mark.django_db
def test_a_list_read_field_by_field_gives_what_the_whole_answer_decoded_gives(api, client):
    from seventime.sandbox import api as sandbox_api, store

    store.reset()
    _status, _headers, content = sandbox_api.handle("GET", "invoices", {}, {"Client-Secret": "sandbox-secret"}, b"").encode()
    content = content.replace(b'"Faktura"', b'"Fakt\xe5ra"', 1)  # and a stray byte, as U+FFFD in both
    stub(api, "GET", "invoices", body=content, content_type="application/json")
    whole = jsontext.decode(content, None)

    page = client.list_invoices()

    assert repr(page.documents) == repr(tuple(whole))  # what a local copy stores
    assert "Fakt\ufffdra" in repr(page.documents)
    for invoice, doc in zip(page.items, whole, strict=True):
        eager = records.Invoice.from_api(doc).validate(deep=True)
        assert invoice.validate(deep=True) == eager and invoice.extra == eager.extra
        assert invoice.invoice_items == eager.invoice_items


@pytest.mark.django_db
def test_a_whole_sandbox_invoice_list_decodes_exactly_as_the_standard_library_reads_it():
    from seventime.sandbox import api as sandbox_api, store

    store.reset()
    _status, _headers, content = sandbox_api.handle("GET", "invoices", {}, {"Client-Secret": "sandbox-secret"}, b"").encode()

    decoded = jsontext.decode(content, None)

    assert len(decoded) == 100 and any(isinstance(doc["totalTaxAmount"], Decimal) for doc in decoded)
    assert repr(decoded) == repr(json.loads(content, parse_float=Decimal))


def test_a_refusal_with_a_stray_byte_keeps_its_message(api, client):
    body = '{"errorMessage": "Fältet name saknas "}'.encode().replace(b'saknas "', b'saknas \xe5"')
    stub(api, "POST", "customers", status=400, body=body, content_type="application/json")

    with pytest.raises(ValidationError, match="Fältet name saknas") as caught:
        client.create_customer({"name": "", "orgNo": "1"})
    assert caught.value.field == "name"


def test_a_get_answered_with_a_list_raises_bad_response(api, client):
    stub(api, "GET", "customers/c1", json=[{"_id": "c1"}])

    with pytest.raises(BadResponse):
        client.get_customer("c1")


def test_a_list_with_an_element_that_is_not_an_object_raises_bad_response(api, client):
    stub(api, "GET", "customers", json=[{"_id": "c1"}, "c2"])

    with pytest.raises(BadResponse):
        client.list_customers()


@pytest.mark.parametrize(
    "key, value",
    [
        ("invoiceItems", "one row"),
        ("tags", "5f742440d608b2201c3e7bab"),
        ("invoiceDate", "the fifth of November"),
        ("totalAmount", "a lot"),
        ("totalAmount", True),
        ("archived", "maybe"),
        ("invoiceStatus", 2.5),
        ("invoiceNumber", {"number": 1}),
    ],
)
def test_a_record_field_of_the_wrong_shape_raises_bad_response_naming_the_field_when_read(api, client, key, value):
    stub(api, "GET", "invoices", json=[{"_id": "i1", "invoiceName": "Faktura", key: value}])

    invoice = client.list_invoices().items[0]  # fields are converted when a page reads them

    assert invoice.id == "i1" and invoice.invoice_name == "Faktura"  # the others are fine
    for _attempt in range(2):  # and again: nothing half-converted is kept
        with pytest.raises(BadResponse, match=repr(key)):
            getattr(invoice, records.Invoice._plan()[key])


# --- 4. errors ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_401_and_403_raise_authentication_error(api, client, status):
    stub(api, "GET", "customers", status=status, json={"errorMessage": "Invalid client secret"})

    with pytest.raises(AuthenticationError) as caught:
        client.list_customers()

    assert caught.value.status == status
    assert "Invalid client secret" in caught.value.message


def test_404_raises_not_found_with_the_api_message(api, client):
    stub(api, "GET", "customers/c1", status=404, json={"errorMessage": "Customer not found"})

    with pytest.raises(NotFound) as caught:
        client.get_customer("c1")

    assert caught.value.status == 404
    assert caught.value.message == "Customer not found"
    assert caught.value.path == "customers/c1"


def test_404_without_a_body_still_raises_not_found(api, client):
    stub(api, "GET", "customers/c1", status=404, body="<html>Cannot GET</html>", content_type="text/html")

    with pytest.raises(NotFound, match="Not found"):
        client.get_customer("c1")


@pytest.mark.parametrize("status", [400, 409, 422])
def test_a_rejected_create_raises_validation_error_naming_the_field(api, client, status):
    stub(api, "POST", "customers", status=status, json={"errorMessage": "name is required"})

    with pytest.raises(ValidationError) as caught:
        client.create_customer({"name": "", "city": "Västra Karup"})

    assert "name is required" in caught.value.message
    assert caught.value.field == "name"
    assert caught.value.status == status


def test_validation_error_can_name_a_field_of_a_nested_object(api, client):
    stub(api, "POST", "customers", status=400, json={"errorMessage": "invoiceEmail is not a valid email."})

    with pytest.raises(ValidationError) as caught:
        client.create_customer({"name": "x", "billingSettings": {"invoiceEmail": "nope"}})

    assert caught.value.field == "invoiceEmail"


def test_validation_error_names_no_field_when_the_message_names_none_we_sent(api, client):
    stub(api, "POST", "customers", status=400, json={"errorMessage": "Something went wrong"})

    with pytest.raises(ValidationError) as caught:
        client.create_customer({"name": "x"})

    assert caught.value.field is None
    assert caught.value.message == "Something went wrong"


@pytest.mark.parametrize(
    "method, path, call",
    [("GET", "customers", lambda c: c.list_customers()), ("POST", "customers", lambda c: c.create_customer({"name": "x"}))],
    ids=["GET", "POST"],
)
def test_429_raises_rate_limited_with_retry_after_in_seconds(api, client, method, path, call):
    stub(api, method, path, status=429, headers={"Retry-After": "30"}, json={})

    with pytest.raises(RateLimited) as caught:
        call(client)

    assert caught.value.retry_after == 30
    assert caught.value.status == 429


@pytest.mark.parametrize("status", [500, 501, 505])
def test_5xx_raises_server_error(api, client, status):
    stub(api, "GET", "customers", status=status, json={"errorMessage": "boom"})

    with pytest.raises(ServerError) as caught:
        client.list_customers()

    assert caught.value.status == status


def test_a_5xx_with_an_html_page_raises_server_error_not_bad_response(api, client):
    stub(api, "POST", "customers", status=503, body="<html>Service Unavailable</html>", content_type="text/html")

    with pytest.raises(ServerError):
        client.create_customer({"name": "x"})


def test_an_unexpected_status_raises_the_base_error(api, client):
    stub(api, "GET", "customers", status=418, json={})

    with pytest.raises(SevenTimeError) as caught:
        client.list_customers()

    assert type(caught.value) is SevenTimeError
    assert caught.value.status == 418


@pytest.mark.parametrize(
    "exception, error_type",
    [
        (requests.exceptions.ConnectTimeout, Timeout),
        (requests.exceptions.ReadTimeout, Timeout),
        (requests.exceptions.ConnectionError, ConnectionFailed),
        (requests.exceptions.ChunkedEncodingError, ConnectionFailed),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_transport_failures_raise_unavailable_errors(api, client, exception, error_type, method):
    mock = stub(api, method, "customers", body=exception("boom"))

    with pytest.raises(error_type) as caught:
        client.list_customers() if method == "GET" else client.create_customer({"name": "x"})

    assert isinstance(caught.value, Unavailable)
    assert mock.call_count == 1


ECHOED = f"Invalid Client-Secret {SECRET} for name"
ERROR_STATUSES = [
    (400, ValidationError),
    (401, AuthenticationError),
    (403, AuthenticationError),
    (404, NotFound),
    (409, ValidationError),
    (422, ValidationError),
    (429, RateLimited),
    (500, ServerError),
    (503, ServerError),
    (418, SevenTimeError),
]


def assert_secret_hidden(error, client, caplog):
    texts = [
        str(error),
        repr(error),
        error.message,
        *map(str, error.args),
        "".join(traceback.format_exception(error)),  # the chain as logged (a suppressed context is not shown)
        caplog.text,
        repr(client),
        str(client),
    ]
    leaks = [text for text in texts if SECRET in text]
    assert leaks == []


@pytest.mark.parametrize("status, error_type", ERROR_STATUSES)
@pytest.mark.parametrize("key", ["errorMessage", "message", "error"])
def test_no_error_message_contains_the_secret_even_when_the_api_echoes_it(api, client, caplog, status, error_type, key):
    caplog.set_level("DEBUG")
    stub(api, "POST", "customers", status=status, json={key: ECHOED})

    with pytest.raises(error_type) as caught:
        client.create_customer({"name": "x"})

    assert_secret_hidden(caught.value, client, caplog)
    if error_type in (ValidationError, AuthenticationError, NotFound):
        assert "Invalid Client-Secret *** for name" in caught.value.message  # the rest of the message is kept


def test_an_echoed_secret_as_the_whole_text_body_is_not_shown(api, client, caplog):
    stub(api, "GET", "customers/c1", status=404, json=SECRET)

    with pytest.raises(NotFound) as caught:
        client.get_customer("c1")

    assert_secret_hidden(caught.value, client, caplog)


@pytest.mark.parametrize(
    "exception", [requests.exceptions.ConnectionError, requests.exceptions.ReadTimeout, requests.exceptions.ConnectTimeout]
)
def test_transport_errors_do_not_carry_the_secret(api, client, caplog, exception):
    stub(api, "GET", "customers", body=exception(f"proxy said: Client-Secret: {SECRET}"))

    with pytest.raises(Unavailable) as caught:
        client.list_customers()

    error = caught.value
    texts = (str(error), repr(error), "".join(traceback.format_exception(error)), caplog.text)
    leaks = [text for text in texts if SECRET in text]
    assert leaks == []


def test_repr_of_the_client_shows_the_url_but_never_the_secret():
    client = SevenTimeClient(BASE, SECRET)

    assert BASE in repr(client)
    assert SECRET not in repr(client) and SECRET not in str(client)


def test_bad_response_about_a_field_does_not_contain_the_secret_the_api_put_in_it(api, client, caplog):
    stub(api, "GET", "customers/c1", json={"_id": "c1", "pricePerHour": SECRET})

    with pytest.raises(BadResponse) as caught:
        _ = client.get_customer("c1").price_per_hour

    assert_secret_hidden(caught.value, client, caplog)


def test_a_redirect_to_another_host_does_not_receive_the_secret(api, client):
    stub(api, "GET", "customers", status=302, headers={"Location": "https://elsewhere.example.test/collect"}, body="")
    api.get("https://elsewhere.example.test/collect", json=[])

    with contextlib.suppress(SevenTimeError):
        client.list_customers()

    sent_elsewhere = [c.request.headers.get("Client-Secret") for c in api.calls if "elsewhere" in c.request.url]
    api.remove(responses.GET, "https://elsewhere.example.test/collect")  # not called at all is fine too
    assert SECRET not in sent_elsewhere


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_429_with_an_unreadable_retry_after_still_raises_rate_limited(api, client, method):
    stub(api, method, "customers", status=429, headers={"Retry-After": "soon"}, json={})

    with pytest.raises(RateLimited) as caught:
        client.list_customers() if method == "GET" else client.create_customer({"name": "x"})

    assert caught.value.retry_after is None


def test_validation_error_field_does_not_depend_on_the_hash_seed():
    script = f"""
import responses
from seventime import SevenTimeClient, ValidationError
with responses.RequestsMock() as mock:
    mock.post({BASE + "workOrders"!r}, status=400,
              json={{"errorMessage": "contactPerson does not belong to customer"}})
    try:
        SevenTimeClient({BASE!r}, "key").create_work_order(
            {{"title": "Support", "customer": "571f61330c7f498a2d0001a4", "contactPerson": "5af95e6b1e56d1623800027d"}})
    except ValidationError as error:
        print(error.field)
"""
    fields = set()
    for seed in range(8):
        run = subprocess.run(
            [sys.executable, "-c", script],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        fields.add(run.stdout.strip())
    assert fields == {"contactPerson"}  # the first input the message names


@pytest.mark.parametrize(
    "path, call, doc",
    [
        ("invoices/i1", lambda c: c.get_invoice("i1"), {"_id": "i1", "invoiceItems": ["one row"]}),
        ("invoices/i1", lambda c: c.get_invoice("i1"), {"_id": "i1", "deliveryAddress": ["Glimmingevägen 18"]}),
        ("customers/c1", lambda c: c.get_customer("c1"), {"_id": "c1", "billingSettings": "ROT"}),
    ],
    ids=["row-is-a-string", "address-is-a-list", "billing-settings-is-a-string"],
)
def test_a_nested_object_of_the_wrong_shape_raises_bad_response(api, client, path, call, doc):
    stub(api, "GET", path, json=doc)
    record = call(client)
    key = next(key for key in doc if key != "_id")

    with pytest.raises(BadResponse, match=repr(key)):
        getattr(record, type(record)._plan()[key])


def test_invoice_rows_are_converted_when_read_and_equal_the_eagerly_built_record(api, client):
    doc = {
        "_id": "i1",
        "invoiceNumber": "1001",
        "invoiceItems": [{"name": "Målning", "numberOfItems": "2,5", "unitPrice": 450}, None],
        "deliveryAddress": {"address": "Glimmingevägen 18", "city": "Lund"},
        "invoiceLogEntries": [],
    }
    stub(api, "GET", "invoices", json=[doc])

    invoice = client.list_invoices().items[0]

    assert invoice.invoice_items == (records.InvoiceItem(name="Målning", number_of_items=Decimal("2.5"), unit_price=Decimal(450)),)
    assert invoice.delivery_address.city == "Lund"
    assert invoice.invoice_log_entries == ()
    assert invoice.house_properties is None
    built = records.Invoice(
        id="i1",
        invoice_number="1001",
        invoice_items=invoice.invoice_items,
        delivery_address=invoice.delivery_address,
    )
    assert built == invoice
    assert built.invoice_items is invoice.invoice_items


def test_a_malformed_row_fails_only_where_the_rows_are_read(api, client):
    """A list page never shows rows: one bad row in one invoice must not break it;
    a page that reads the rows gets the same BadResponse naming the field."""
    stub(api, "GET", "invoices", json=[{"_id": "i1", "invoiceItems": [{"numberOfItems": "many"}]}, {"_id": "i2"}])

    invoices = client.list_invoices().items

    assert [invoice.id for invoice in invoices] == ["i1", "i2"]
    row = invoices[0].invoice_items[0]
    with pytest.raises(BadResponse, match="invoice row field 'numberOfItems'"):
        _ = row.number_of_items
    with pytest.raises(BadResponse, match="'numberOfItems'"):  # and again: nothing half-converted is kept
        _ = row.number_of_items


def test_records_with_unread_rows_survive_the_cache_round_trip(api, client):
    import pickle

    stub(api, "GET", "invoices/i1", json={"_id": "i1", "invoiceItems": [{"name": "Resa"}]})
    invoice = client.get_invoice("i1")

    copy = pickle.loads(pickle.dumps(invoice))

    assert copy.invoice_items == (records.InvoiceItem(name="Resa"),)
    assert copy == invoice


def test_a_record_cached_by_the_version_that_converted_on_arrival_still_reads():
    # Its state: every field converted but the nested ones, which waited in `_deferred`.
    old_state = {"id": "i1", "invoice_number": "1001", "customer_name": "", "extra": {"x": 1},
                 "_deferred": {"invoice_items": [{"name": "Resa"}]}}
    invoice = records.Invoice.__new__(records.Invoice)
    invoice.__setstate__(old_state)  # what pickle.loads does with it

    assert invoice.invoice_number == "1001" and invoice.extra == {"x": 1}
    assert invoice.invoice_items == (records.InvoiceItem(name="Resa"),)
    assert invoice.delivery_address is None and invoice.project_name == ""


def test_a_cached_record_keeps_its_rows_in_a_process_that_never_parsed_one(api, client):
    """A shared cache (Redis, several workers) hands records to processes that have
    not parsed an invoice yet: the rows must still be there, not the empty default."""
    import pickle

    stub(api, "GET", "invoices/i1", json={"_id": "i1", "invoiceItems": [{"name": "Resa"}], "deliveryAddress": {"city": "Lund"}})
    pickled = pickle.dumps(client.get_invoice("i1"))
    script = (
        "import pickle, sys\n"
        "invoice = pickle.loads(sys.stdin.buffer.read())\n"
        "print([row.name for row in invoice.invoice_items], invoice.delivery_address.city)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], input=pickled, capture_output=True, check=False, cwd=Path(__file__).resolve().parents[2]
    )
    assert run.returncode == 0, run.stderr.decode()
    assert run.stdout.decode().strip() == "['Resa'] Lund"


def test_money_with_more_digits_than_a_float_holds_stays_exact(api, client):
    stub(api, "GET", "invoices/i1", body='{"_id": "i1", "totalAmount": 12345678901234567.89}', content_type="application/json")

    assert client.get_invoice("i1").total_amount == Decimal("12345678901234567.89")


# --- 5. retries -----------------------------------------------------------------------


def test_the_adapter_retries_only_gets_so_responses_can_emulate_it(client):
    retry = client.session.get_adapter(BASE).max_retries

    assert isinstance(retry, client_module.GetRetry)
    assert retry.total == 2 and retry.allowed_methods == frozenset({"GET"})


@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_a_get_answered_with_a_transient_error_then_200_succeeds(api, client, status):
    failing = stub(api, "GET", "customers", status=status, json={})
    ok = stub(api, "GET", "customers", json=[{"_id": CUSTOMER_ID, "name": "Tommy Hellström"}])

    page = client.list_customers()

    assert [customer.name for customer in page] == ["Tommy Hellström"]
    assert (failing.call_count, ok.call_count, len(api.calls)) == (1, 1, 2)


@pytest.mark.parametrize("retries", [None, 0, 1, 3])
def test_a_get_that_keeps_failing_raises_server_error_after_one_plus_retries_calls(api, retries):
    client = SevenTimeClient(BASE, SECRET) if retries is None else SevenTimeClient(BASE, SECRET, retries=retries)
    mock = stub(api, "GET", "customers", status=502, json={})

    with pytest.raises(ServerError):
        client.list_customers()

    assert mock.call_count == 1 + (2 if retries is None else retries)


def test_a_get_answered_500_is_not_retried(api, client):
    mock = stub(api, "GET", "customers", status=500, json={})

    with pytest.raises(ServerError):
        client.list_customers()

    assert mock.call_count == 1


@pytest.mark.parametrize("status, error_type", [(503, ServerError), (502, ServerError), (429, RateLimited)])
def test_post_is_never_retried_after_an_error_answer(api, client, status, error_type):
    mock = stub(api, "POST", "workOrders", payload=CREATE_WORK_ORDER, status=status, json={})

    with pytest.raises(error_type):
        client.create_work_order(CREATE_WORK_ORDER)

    assert mock.call_count == 1


def test_post_is_never_retried_after_a_connection_error(api, client):
    mock = stub(api, "POST", "workOrders", payload=CREATE_WORK_ORDER, body=requests.exceptions.ConnectionError("reset"))

    with pytest.raises(ConnectionFailed):
        client.create_work_order(CREATE_WORK_ORDER)

    assert mock.call_count == 1


@pytest.mark.parametrize("retry_after", ["3600", "6"])
def test_a_429_whose_retry_after_exceeds_half_the_time_budget_is_not_waited_for(api, client, retry_after):
    mock = stub(api, "GET", "customers", status=429, headers={"Retry-After": retry_after}, json={})

    with pytest.raises(RateLimited) as caught:
        client.list_customers()

    assert caught.value.retry_after == float(retry_after)
    assert mock.call_count == 1


@pytest.mark.parametrize("retry_after", ["1", "5"])
def test_a_429_with_a_short_retry_after_is_retried_after_waiting_it_out(api, client, limiter_clock, retry_after):
    stub(api, "GET", "customers", status=429, headers={"Retry-After": retry_after}, json={})
    stub(api, "GET", "customers", json=[])

    assert len(client.list_customers()) == 0
    assert len(api.calls) == 2
    # The retry goes through the limiter, which the 429 paused: it waited Retry-After.
    assert limiter_clock.slept == [float(retry_after)]


def test_a_429_without_retry_after_waits_a_second_before_the_retry(api, client, limiter_clock):
    stub(api, "GET", "customers", status=429, json={})
    stub(api, "GET", "customers", json=[])

    assert len(client.list_customers()) == 0
    assert limiter_clock.slept == [client_module.RATE_LIMITED_PAUSE] == [1.0]


class RecordingLimiter:
    def __init__(self):
        self.events = []

    def acquire(self, priority=INTERACTIVE):
        self.events.append(("acquire", priority))

    def pause(self, seconds):
        self.events.append(("pause", seconds))


def test_every_request_asks_the_limiter_first_as_interactive_unless_in_background(api):
    limiter = RecordingLimiter()
    client = SevenTimeClient(BASE, SECRET, limiter=limiter)
    stub(api, "GET", "customers", json=[])
    stub(api, "POST", "customers", payload={"name": "x"}, json={"_id": CUSTOMER_ID, "name": "x"})

    client.list_customers()
    with background():
        client.create_customer({"name": "x"})
    client.list_customers()

    assert limiter.events == [("acquire", INTERACTIVE), ("acquire", BACKGROUND), ("acquire", INTERACTIVE)]


def test_a_429_pauses_the_limiter_and_a_get_asks_it_again_before_the_retry(api):
    limiter = RecordingLimiter()
    client = SevenTimeClient(BASE, SECRET, limiter=limiter)
    stub(api, "GET", "customers", status=429, headers={"Retry-After": "2"}, json={})
    stub(api, "GET", "customers", json=[])

    with background():
        client.list_customers()

    assert limiter.events == [("acquire", BACKGROUND), ("pause", 2.0), ("acquire", BACKGROUND)]


def test_a_429_to_a_post_pauses_the_limiter_and_is_not_retried(api):
    limiter = RecordingLimiter()
    client = SevenTimeClient(BASE, SECRET, limiter=limiter)
    mock = stub(api, "POST", "customers", payload={"name": "x"}, status=429, headers={"Retry-After": "1"}, json={})

    with pytest.raises(RateLimited):
        client.create_customer({"name": "x"})

    assert mock.call_count == 1
    assert limiter.events == [("acquire", INTERACTIVE), ("pause", 1.0)]


def test_a_get_answered_429_every_time_is_asked_one_plus_retries_times_and_pauses_each_time(api, limiter_clock):
    limiter = LocalLimiter(clock=limiter_clock.time, sleep=limiter_clock.sleep)
    client = SevenTimeClient(BASE, SECRET, limiter=limiter, retries=2)
    mock = stub(api, "GET", "customers", status=429, headers={"Retry-After": "1"}, json={})

    with pytest.raises(RateLimited):
        client.list_customers()

    assert mock.call_count == 3
    assert limiter_clock.slept == [1.0, 1.0]


def test_the_limiter_waits_for_urllib3s_retries_too():
    limiter = RecordingLimiter()
    retry = client_module.GetRetry(total=2, limiter=limiter, backoff_factor=0).new()

    with background():
        retry.sleep()

    assert limiter.events == [("acquire", BACKGROUND)]


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_a_get_stops_retrying_once_the_first_failure_is_older_than_the_time_budget(api, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(client_module, "time", types.SimpleNamespace(monotonic=clock.monotonic, sleep=clock.sleep))
    client = SevenTimeClient(BASE, SECRET, retries=10, time_budget=10)

    def slow_502(request):
        clock.now += 4  # every answer takes 4 seconds
        return 502, {}, "{}"

    api.add_callback(
        "GET", BASE + "customers", callback=slow_502, match=[matchers.header_matcher({"Client-Secret": SECRET})]
    )

    with pytest.raises(ServerError):
        client.list_customers()

    # first failure seen at t=4; retries at t=8 (4 s old), t=12 (8 s old); at t=16 it is 12 s old: stop
    assert len(api.calls) == 4


# --- 6. real sockets ---------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def count_connects(monkeypatch):
    attempts = []
    original = urllib3.util.connection.create_connection

    def counting(*args, **kwargs):
        attempts.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", counting)
    return attempts


@pytest.fixture
def retry_waits(monkeypatch):
    """The pauses urllib3 takes between attempts (backoff, Retry-After), recorded
    instead of slept."""
    waits = []
    monkeypatch.setattr(urllib3.util.retry, "time", types.SimpleNamespace(sleep=waits.append, time=time.time))
    return waits


def test_get_to_a_closed_port_raises_connection_failed_within_seconds_after_bounded_retries(count_connects, retry_waits):
    client = SevenTimeClient(f"http://127.0.0.1:{closed_port()}/api/1/", SECRET)

    with pytest.raises(ConnectionFailed) as caught:
        client.list_customers()

    assert len(count_connects) == 3  # 1 + retries=2
    assert sum(retry_waits) <= 1  # short backoffs between them
    assert SECRET not in str(caught.value)


def test_post_to_a_closed_port_is_attempted_once(count_connects):
    client = SevenTimeClient(f"http://127.0.0.1:{closed_port()}/api/1/", SECRET)

    with pytest.raises(ConnectionFailed):
        client.create_customer({"name": "x"})

    assert len(count_connects) == 1


class ScriptedAPI:
    """A real HTTP server on 127.0.0.1 answering from a script: each entry is
    (status, headers, body), "hang" (accept the request and never answer) or "stall"
    (begin an answer and never finish it)."""

    def __init__(self):
        self.script = deque()
        self.requests = []
        self.connections = set()  # the client's (address, port) of each request
        self.release = threading.Event()
        self.unanswered = 0  # requests held (hang, stall) and not yet let go
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like a real API

            def answer(self):
                api.requests.append((self.command, self.path, self.headers.get("Client-Secret")))
                api.connections.add(self.client_address)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                action = api.script.popleft() if api.script else (500, {}, b"")
                if action == "hang":
                    api.hold()
                    self.close_connection = True  # a client still waiting gets an error, not a hang
                    return
                if action == "stall":  # the answer begins, then stops coming
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(b'[{"_id": "c1"}')
                    self.wfile.flush()
                    api.hold()
                    self.close_connection = True  # a client still waiting gets an error, not a hang
                    return
                status, headers, body = action
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/api/1/"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def hold(self):
        self.unanswered += 1
        self.release.wait(10)
        self.unanswered -= 1

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_api():
    server = ScriptedAPI()
    server.thread.start()
    yield server
    server.close()


def test_real_get_answered_503_then_200_is_retried_once(local_api):
    local_api.script.extend([(503, {}, b"{}"), (200, {}, b'[{"_id": "c1"}]')])
    client = SevenTimeClient(local_api.base_url, SECRET)

    assert [customer.id for customer in client.list_customers()] == ["c1"]
    assert local_api.requests == [("GET", "/api/1/customers", SECRET)] * 2


def test_real_get_answered_429_with_a_long_retry_after_is_not_waited_for(local_api, retry_waits):
    local_api.script.append((429, {"Retry-After": "3600"}, b"{}"))
    client = SevenTimeClient(local_api.base_url, SECRET)

    with pytest.raises(RateLimited) as caught:
        client.list_customers()

    assert retry_waits == []
    assert caught.value.retry_after == 3600
    assert len(local_api.requests) == 1


def test_real_post_that_gets_no_answer_raises_timeout_and_is_sent_once(local_api):
    local_api.script.append("hang")
    client = SevenTimeClient(local_api.base_url, SECRET, read_timeout=0.3)

    with pytest.raises(Timeout):
        client.create_customer({"name": "x"})

    assert len(local_api.requests) == 1


def test_real_get_that_gets_no_answer_raises_timeout_without_retrying(local_api):
    local_api.script.append("hang")
    client = SevenTimeClient(local_api.base_url, SECRET, read_timeout=0.3)

    try:
        with pytest.raises(Timeout, match="did not answer within 0.3 seconds"):
            client.list_customers()
    finally:
        assert len(local_api.requests) == 1  # a slow API is not asked again
    assert local_api.unanswered == 1  # the client gave up while the API still held the request


def test_real_answers_large_and_failed_reuse_one_connection(local_api):
    invoices = [{"_id": f"i{n}", "totalAmount": 1234.5, "footerText": "x" * 5000} for n in range(100)]
    big = json.dumps(invoices).encode()  # ~500 KB, like 100 invoices
    local_api.script.extend([(200, {}, big), (404, {}, b'{"errorMessage": "No such invoice"}'), (200, {}, big)])
    client = SevenTimeClient(local_api.base_url, SECRET)

    assert [invoice.total_amount for invoice in client.list_invoices()] == [Decimal("1234.5")] * 100
    with pytest.raises(NotFound):
        client.get_invoice("nope")
    assert len(client.list_invoices().items) == 100
    assert len(local_api.requests) == 3 and len(local_api.connections) == 1


def test_real_answer_that_stops_coming_raises_timeout(local_api):
    local_api.script.append("stall")
    client = SevenTimeClient(local_api.base_url, SECRET, read_timeout=0.3)

    with pytest.raises(Timeout, match="did not answer within 0.3 seconds"):
        client.list_customers()
    assert local_api.unanswered == 1  # the client gave up while the API still held the answer
