"""The same cases as tests/sandbox/test_api.py, run through the real client.

`dashboard.api.get_client()` (no SEVENTIME_API_URL in tests) is the production client
with the sandbox mounted in-process: these tests check that what the sandbox
answers is what the client can read - parsed records, `Page` truncation flags,
Decimal money, aware UTC datetimes - and that the sandbox's errors become the
client's exceptions. The demo data is loaded once per session (conftest.py);
creates are rolled back by the `db` fixture.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

import seventime
from dashboard.api import SANDBOX_BASE_URL, _build_client, get_client
from seventime import records
from seventime.client import Page, SevenTimeClient
from seventime.sandbox import store

from tests.sandbox.cases import (
    BIG_LISTS,
    FILTER_PARAMS,
    GETTABLE,
    LIMIT,
    LOOKUPS,
    NO_SUCH_ID,
    NUMERIC_TEXT_SORTS,
    THREE_ROWS,
    THREE_ROWS_INVOICE,
    THREE_ROWS_TOTALS,
    all_alike,
    client_value,
    customer_with_contacts,
    expected_ids,
    is_sorted,
    ocr_like_reference,
    pick_value,
    sort_key,
)

UTC = dt.UTC
STOCKHOLM = ZoneInfo("Europe/Stockholm")
BIG_LIST_METHODS = {"customers": "list_customers", "projects": "list_projects", "workOrders": "list_work_orders",
                    "invoices": "list_invoices"}  # fmt: skip
CREATE_METHODS = ["create_customer", "create_user", "create_project", "create_work_order", "create_invoice"]


@pytest.fixture
def seven(db) -> SevenTimeClient:
    client = get_client()
    assert client.base_url == SANDBOX_BASE_URL  # the in-process sandbox, never a real API
    return client


def doc_id(doc: dict) -> str:
    return doc.get("_id") or str(doc["userRoleId"])


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def now_ish(moment: dt.datetime) -> bool:
    return moment.tzinfo is not None and abs((dt.datetime.now(UTC) - moment).total_seconds()) < 120


# --- coverage of the client's surface ---


def test_every_public_client_method_is_exercised_against_the_sandbox():
    public = {name for name in vars(SevenTimeClient) if name.startswith(("list_", "get_", "create_"))}
    exercised = (
        {method for _, method, _ in LOOKUPS}
        | set(BIG_LIST_METHODS.values())
        | {"list_users", "list_contact_persons"}
        | {method for _, method, _ in GETTABLE}
        | set(CREATE_METHODS)
    )
    assert public == exercised


# --- lists ---


@pytest.mark.parametrize("collection, method, record", LOOKUPS + [("users", "list_users", "User")])
def test_small_list_parses_every_record_and_is_not_truncated(seven, collection, method, record):
    docs = store.all(collection)

    page = getattr(seven, method)()

    assert isinstance(page, Page) and not page.maybe_truncated
    assert all(type(item) is getattr(records, record) for item in page)
    assert [item.id for item in page] == [doc_id(doc) for doc in docs]
    assert all(item.label for item in page)  # names parsed: what a page shows


@pytest.mark.parametrize("collection", BIG_LISTS)
def test_big_list_without_filter_is_100_records_and_may_be_truncated(seven, collection):
    assert len(store.all(collection)) > LIMIT

    page = getattr(seven, BIG_LIST_METHODS[collection])()

    assert len(page) == LIMIT and page.maybe_truncated
    assert [item.id for item in page] == [doc["_id"] for doc in store.all(collection)[:LIMIT]]


@pytest.mark.parametrize("case", FILTER_PARAMS)
def test_list_with_a_filter_parses_exactly_the_matching_records(seven, case):
    wanted = pick_value(case)
    expected = expected_ids(case, wanted)
    assert 0 < len(expected) and (len(expected) < len(store.all(case.collection)) or all_alike(case))

    page = getattr(seven, case.method)(**{case.keyword: client_value(case, wanted)})

    assert [item.id for item in page] == expected
    assert page.maybe_truncated == (len(expected) >= LIMIT)


@pytest.mark.parametrize(
    "method, kwargs",
    [("list_customers", {"customer_number": "1001"}), ("list_work_orders", {"title": "zz-none"}),
     ("list_invoices", {"invoice_number": "24001"}), ("list_projects", {"project_number": "3001"})],
)  # fmt: skip
def test_narrow_filter_is_not_flagged_as_truncated(seven, method, kwargs):
    page = getattr(seven, method)(**kwargs)

    assert len(page) < 20 and not page.maybe_truncated


def test_list_contact_persons_gives_the_customers_contact_persons(seven):
    customer, contact, _ = customer_with_contacts()

    page = seven.list_contact_persons(customer_id=customer["_id"])

    assert contact["_id"] in [person.id for person in page]
    assert all(isinstance(p, records.ContactPerson) and p.customer == customer["_id"] for p in page)


@pytest.mark.parametrize("is_active", [True, False])
def test_list_users_boolean_filter_sends_true_and_false(seven, is_active):
    page = seven.list_users(is_active=is_active)

    assert page and all(user.is_active is is_active for user in page)
    assert len(page) == sum(1 for doc in store.all("users") if doc["isActive"] is is_active)


# --- sorting ---

#: every list method, a field to sort by, and the keywords it needs
SORTABLE = [
    ("customers", "list_customers", "name", {}),
    ("contactPersons", "list_contact_persons", "name", "customer"),
    ("users", "list_users", "lastName", {}),
    ("userRoles", "list_user_roles", "userRoleName", {}),
    ("defaultSalaryTypes", "list_salary_types", "name", {}),
    ("userSkills", "list_user_skills", "skillTitle", {}),
    ("departments", "list_departments", "name", {}),
    ("projects", "list_projects", "name", {}),
    ("projectStatuses", "list_project_statuses", "statusName", {}),
    ("projectTypes", "list_project_types", "projectTypeName", {}),
    ("projectTags", "list_project_tags", "tagName", {}),
    ("workOrders", "list_work_orders", "title", {}),
    ("workOrderTypes", "list_work_order_types", "workOrderTypeName", {}),
    ("workOrderTags", "list_work_order_tags", "tagName", {}),
    ("workOrderStatuses", "list_work_order_statuses", "statusName", {}),
    ("priceLists", "list_price_lists", "name", {}),
    ("invoices", "list_invoices", "totalAmountInclTax", {}),
    ("invoiceTags", "list_invoice_tags", "tagName", {}),
]


def _sorted_ids(docs, field, descending):
    present = [doc for doc in docs if doc.get(field) not in (None, "")]
    empty = [doc for doc in docs if doc.get(field) in (None, "")]
    present.sort(key=lambda doc: sort_key(doc[field]), reverse=descending)
    return [doc_id(doc) for doc in present + empty][:LIMIT]


@pytest.mark.parametrize("direction", ["ascending", "descending"])
@pytest.mark.parametrize("collection, method, field, kwargs", SORTABLE, ids=[s[1] for s in SORTABLE])
def test_list_sorted_by_a_field_comes_back_in_that_order(seven, collection, method, field, kwargs, direction):
    docs = store.all(collection)
    if kwargs == "customer":
        customer = max({d["customer"] for d in docs}, key=lambda c: sum(1 for d in docs if d["customer"] == c))
        kwargs = {"customer_id": customer}
        docs = [doc for doc in docs if doc["customer"] == customer]
    expected = _sorted_ids(docs, field, direction == "descending")
    assert len(set(expected)) > 1

    page = getattr(seven, method)(**kwargs, sort_by=field, sort_direction=direction)

    assert [item.id for item in page] == expected


@pytest.mark.parametrize("direction", ["ascending", "descending"])
@pytest.mark.parametrize("collection, field, method", NUMERIC_TEXT_SORTS)
def test_numbers_stored_as_text_sort_as_numbers_through_the_client(seven, collection, field, method, direction):
    page = getattr(seven, method)(sort_by=field, sort_direction=direction)

    values = [getattr(item, snake(field)) for item in page]
    assert all(isinstance(value, str) for value in values)  # numbers that are labels are text for us
    assert is_sorted(values, descending=direction == "descending")
    extreme = (max if direction == "descending" else min)((doc[field] for doc in store.all(collection)), key=sort_key)
    assert values[0] == str(extreme)


def test_users_by_employee_number_descending_run_from_the_highest_number(seven):
    page = seven.list_users(sort_by="employeeNumber", sort_direction="descending")

    assert [int(user.employee_number) for user in page] == list(range(len(page), 0, -1))


def test_list_rejects_an_unknown_sort_direction_before_asking_the_sandbox(seven):
    calls = seven.calls

    with pytest.raises(ValueError, match="sort_direction"):
        seven.list_customers(sort_by="name", sort_direction="desc")
    assert seven.calls == calls


# --- get by id ---


@pytest.mark.parametrize("collection, method, record", GETTABLE)
def test_get_returns_the_same_record_as_the_list(seven, collection, method, record):
    docs = store.all(collection)
    doc = docs[min(7, len(docs) - 1)]
    if collection == "contactPersons":
        listed = seven.list_contact_persons(customer_id=doc["customer"])
    else:
        listed = getattr(seven, {"users": "list_users", "departments": "list_departments"}.get(collection) or BIG_LIST_METHODS[collection])()
    from_list = next(item for item in listed if item.id == doc["_id"])

    fetched = getattr(seven, method)(doc["_id"])

    assert type(fetched) is getattr(records, record)
    assert fetched == from_list
    assert fetched.extra == from_list.extra


@pytest.mark.parametrize("collection, method, record", GETTABLE)
@pytest.mark.parametrize("unknown", [NO_SUCH_ID, "nope"])
def test_get_with_an_unknown_id_raises_not_found(seven, collection, method, record, unknown):
    with pytest.raises(seventime.NotFound) as caught:
        getattr(seven, method)(unknown)

    assert caught.value.status == 404 and caught.value.message


def test_get_customer_nope_raises_not_found(seven):
    with pytest.raises(seventime.NotFound):
        seven.get_customer("nope")


# --- creates ---


def test_create_customer_returns_a_parsed_customer_that_get_and_list_then_return(seven):
    number = max(int(doc["customerNumber"]) for doc in store.all("customers")) + 1
    payload = {
        "name": "Kontraktkund AB",
        "city": "Båstad",
        "paymentDays": 20,
        "billingSettings": {
            "isROTCustomer": True,
            "invoiceDeliveryType": 10,
            "deductionDistribution": [
                {"userName": "Åsa Ström", "personalNumber": "19700101-1234", "distributionPercent": 50.5},
                {"userName": "Örjan Ström", "personalNumber": "19710101-1234", "distributionPercent": 49.5},
            ],
        },
    }

    customer = seven.create_customer(payload)

    assert isinstance(customer, records.Customer)
    assert (customer.name, customer.city, customer.payment_days, customer.customer_number) == (
        "Kontraktkund AB", "Båstad", 20, str(number)
    )  # fmt: skip
    billing = customer.billing_settings
    assert billing.is_rot_customer is True and billing.invoice_delivery_type == 10
    assert [item.distribution_percent for item in billing.deduction_distribution] == [Decimal("50.5"), Decimal("49.5")]
    assert now_ish(customer.created_date) and customer.created_date.utcoffset() == dt.timedelta(0)
    assert seven.get_customer(customer.id) == customer
    assert list(seven.list_customers(customer_number=customer.customer_number)) == [customer]
    assert customer in seven.list_customers(name="kontraktkund", city="BÅSTAD")


def test_create_user_returns_a_parsed_user_that_get_and_list_then_return(seven):
    department = store.all("departments")[1]

    user = seven.create_user({"firstName": "Tommy", "lastName": "Hellström", "email": "tommy@nummer7.se",
                              "userName": "TommyH", "userRoleId": 20, "department": department["_id"]})  # fmt: skip

    assert isinstance(user, records.User)
    assert (user.full_name, user.user_name, user.user_role_id, user.language) == ("Tommy Hellström", "TommyH", 20, "SV")
    assert (user.is_active, user.is_activated, user.department) == (False, False, department["_id"])
    assert now_ish(user.created_date)
    assert seven.get_user(user.id) == user
    assert list(seven.list_users(name="Tommy Hellström")) == [user]
    assert user in seven.list_users(user_role=20, is_active=False, department=department["_id"])


def test_create_project_returns_a_parsed_project_with_decimal_price_and_utc_dates(seven):
    customer, contact, _ = customer_with_contacts()
    tags = [tag["_id"] for tag in store.all("projectTags")[:2]]

    project = seven.create_project({"name": "App development", "customer": customer["_id"], "contactPerson": contact["_id"],
                                    "billingMethod": "HOURLY", "pricePerHour": 895.5, "startDate": "2026-03-10",
                                    "projectTags": tags})  # fmt: skip

    assert isinstance(project, records.Project)
    assert project.price_per_hour == Decimal("895.5") and isinstance(project.price_per_hour, Decimal)
    assert project.start_date == dt.datetime(2026, 3, 9, 23, 0, tzinfo=UTC)  # 10 March in Stockholm
    assert (project.customer, project.customer_name, project.contact_person, project.tags) == (
        customer["_id"], customer["name"], contact["_id"], tuple(tags)
    )  # fmt: skip
    assert now_ish(project.created_date)
    assert seven.get_project(project.id) == project
    assert list(seven.list_projects(project_number=project.project_number)) == [project]
    assert project in seven.list_projects(name="app DEVELOPMENT")


def test_create_work_order_returns_a_parsed_work_order_with_start_in_utc(seven):
    customer = store.all("customers")[3]
    user = store.all("users")[4]
    project = store.all("projects")[2]
    number = max(int(doc["workOrderNumber"]) for doc in store.all("workOrders")) + 1

    work_order = seven.create_work_order({"title": "Support", "customer": customer["_id"], "createdByUser": user["_id"],
                                          "project": project["_id"], "startDate": "2026-03-10 08:00",
                                          "endDate": "2026-03-10 16:30", "fixedPrice": 1499.5,
                                          "billingMethod": "FIXED_PRICE"})  # fmt: skip

    assert isinstance(work_order, records.WorkOrder)
    assert work_order.start_date == dt.datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # 08:00 in Stockholm (CET)
    assert work_order.end_date == dt.datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
    assert work_order.created_by_user == user["_id"]  # embedded object in the create answer, an id here
    assert work_order.work_order_number == str(number)
    assert work_order.fixed_price == Decimal("1499.5")
    assert now_ish(work_order.create_date)
    assert seven.get_work_order(work_order.id) == work_order
    assert list(seven.list_work_orders(work_order_number=work_order.work_order_number)) == [work_order]
    assert work_order in seven.list_work_orders(project_id=project["_id"])


def test_create_invoice_returns_a_parsed_invoice_with_exact_decimal_totals(seven):
    customer = store.all("customers")[8]
    user = store.all("users")[0]

    invoice = seven.create_invoice({"customer": customer["_id"], "createdByUser": user["_id"], "language": "SV",
                                    "invoiceDate": "2026-03-10", "multipleTaxesOnRows": True,
                                    "invoiceItems": THREE_ROWS})  # fmt: skip

    assert isinstance(invoice, records.Invoice)
    totals = {key: getattr(invoice, snake(key)) for key in THREE_ROWS_INVOICE}
    assert totals == THREE_ROWS_INVOICE and all(type(value) is Decimal for value in totals.values())
    assert str(invoice.total_amount) == "751.08"  # parsed from the JSON text, not through float
    assert [(row.total_amount, row.total_tax_amount, row.total_amount_incl_tax) for row in invoice.invoice_items] == THREE_ROWS_TOTALS
    assert invoice.invoice_date == dt.datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    # a calendar day is midnight in Stockholm: 30 days on may cross into summer time (UTC+2)
    due_day = invoice.due_date.astimezone(STOCKHOLM)
    assert (due_day.date(), due_day.time()) == (dt.date(2026, 3, 10) + dt.timedelta(days=customer["paymentDays"]), dt.time())
    # a new invoice is a draft: Seven Time's code 1 ("Draft"), no sentDate
    assert (invoice.invoice_status, invoice.sent_date, invoice.customer_number) == (1, None, customer["customerNumber"])
    assert invoice.ocr_number == ocr_like_reference(invoice.invoice_number)
    assert seven.get_invoice(invoice.id) == invoice
    assert list(seven.list_invoices(invoice_number=invoice.invoice_number)) == [invoice]
    assert list(seven.list_invoices(ocr_number=invoice.ocr_number)) == [invoice]
    assert invoice in seven.list_invoices(customer_number=customer["customerNumber"], sort_by="createDate",
                                          sort_direction="descending")  # fmt: skip


# --- errors through the real client ---


def test_create_customer_with_a_blank_name_raises_validation_error_naming_name(seven):
    with pytest.raises(seventime.ValidationError) as caught:
        seven.create_customer({"name": ""})

    assert (caught.value.status, caught.value.field) == (400, "name")
    assert caught.value.message.startswith("name")


def test_create_customer_with_an_empty_payload_raises_validation_error_with_field_name(seven):
    with pytest.raises(seventime.ValidationError) as caught:
        seven.create_customer({})

    assert caught.value.field == "name"


@pytest.mark.parametrize(
    "method, payload, field",
    [
        ("create_customer", {"name": "K", "email": "not-an-email"}, "email"),
        ("create_customer", {"name": "K", "customerNumber": "1001"}, "customerNumber"),
        ("create_user", {"firstName": "A", "lastName": "B", "email": "a@b.se", "userName": "ab", "userRoleId": 99}, "userRoleId"),
        ("create_project", {"name": "P", "startDate": "2026-13-01"}, "startDate"),
        ("create_work_order", {"title": "T", "customer": NO_SUCH_ID, "createdByUser": NO_SUCH_ID}, "customer"),
        ("create_invoice", {"customer": NO_SUCH_ID, "createdByUser": NO_SUCH_ID, "language": "SV"}, "customer"),
        pytest.param(
            "create_project", {"name": "P", "billingMethod": "HOURLY"}, "pricePerHour",
        ),
        pytest.param(
            "create_customer", {"name": "K", "billingSettings": {"invoiceEmail": "faktura@"}}, "invoiceEmail",
        ),
    ],
    ids=["email", "customerNumber", "userRoleId", "startDate", "work-order-customer", "invoice-customer",
         "pricePerHour-missing", "nested-invoiceEmail"],
)  # fmt: skip
def test_rejected_create_raises_validation_error_naming_the_field(seven, method, payload, field):
    with pytest.raises(seventime.ValidationError) as caught:
        getattr(seven, method)(payload)

    assert caught.value.status == 400 and caught.value.message
    assert caught.value.field == field


def test_rejected_create_adds_nothing(seven):
    before = len(store.all("invoices"))

    with pytest.raises(seventime.ValidationError):
        seven.create_invoice({"customer": store.all("customers")[0]["_id"], "createdByUser": store.all("users")[0]["_id"],
                              "language": "SV", "invoiceType": 1})  # fmt: skip
    assert len(store.all("invoices")) == before


@pytest.mark.parametrize(
    "call",
    [lambda c: c.list_customers(), lambda c: c.get_customer(store.all("customers")[0]["_id"]),
     lambda c: c.list_user_roles(), lambda c: c.create_customer({"name": "Smygkund AB"})],
    ids=["list", "get", "lookup", "create"],
)  # fmt: skip
def test_client_with_a_wrong_secret_raises_authentication_error(db, call):
    wrong = _build_client(SANDBOX_BASE_URL, "wrong", 3, 8)
    before = len(store.all("customers"))

    with pytest.raises(seventime.AuthenticationError) as caught:
        call(wrong)

    assert caught.value.status == 401
    assert len(store.all("customers")) == before


def test_client_built_by_hand_with_the_sandbox_adapter_talks_to_the_sandbox(db):
    from django.conf import settings

    from seventime.sandbox.transport import SandboxAdapter

    def build(secret):
        return SevenTimeClient(SANDBOX_BASE_URL, secret, transport=SandboxAdapter())

    assert len(build(settings.SANDBOX_CLIENT_SECRET).list_user_roles()) == len(store.all("userRoles"))
    with pytest.raises(seventime.AuthenticationError):
        build("sandbox-secret ").list_user_roles()


# --- the demo invoices as the client reads them ---


def test_every_demo_invoice_parses_with_decimal_totals_that_add_up_from_its_rows(seven):
    docs = store.all("invoices")
    listed = {invoice.id: invoice for invoice in seven.list_invoices()}
    checked = 0

    for doc in docs:
        invoice = seven.get_invoice(doc["_id"])
        assert isinstance(invoice, records.Invoice), doc["_id"]
        money = (invoice.total_amount, invoice.total_tax_amount, invoice.total_amount_incl_tax, invoice.total_amount_rounding)
        assert all(type(value) is Decimal for value in money), invoice.invoice_number
        rows = invoice.invoice_items
        assert rows, invoice.invoice_number
        assert all(row.total_amount_incl_tax == row.total_amount + row.total_tax_amount for row in rows), invoice.invoice_number
        assert invoice.total_amount == sum((row.total_amount for row in rows), Decimal(0)), invoice.invoice_number
        assert invoice.total_tax_amount == sum((row.total_tax_amount for row in rows), Decimal(0)), invoice.invoice_number
        exact = invoice.total_amount + invoice.total_tax_amount
        assert invoice.total_amount_incl_tax == exact + invoice.total_amount_rounding, invoice.invoice_number
        if invoice.currency_code == "SEK":
            assert invoice.total_amount_incl_tax == invoice.total_amount_incl_tax.to_integral_value(), invoice.invoice_number
            assert abs(invoice.total_amount_rounding) <= Decimal("0.5"), invoice.invoice_number
        else:
            assert invoice.total_amount_rounding == 0, invoice.invoice_number
        assert invoice.invoice_date.tzinfo is not None and invoice.due_date >= invoice.invoice_date
        if invoice.id in listed:
            assert listed[invoice.id] == invoice
        checked += 1

    assert checked == len(docs) > LIMIT
