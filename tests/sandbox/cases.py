"""Cases shared by tests/sandbox/test_api.py (the sandbox over HTTP) and
tests/seventime/test_contract.py (the same cases through the real client, in-process).

Expected values are derived from the demo data the sandbox holds (`store.all`),
never hard-coded, so the cases keep working when the demo generator changes.
The matching rules are the ones documented in seventime/sandbox/api.py and
docs/api-assumptions.md: text filters match a case-insensitive substring, id
filters match exactly, boolean filters take true/false, the user `name` filter
matches first name, last name or user name, and without `sortBy` records come in
the order they were created, at most 100 of them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pytest

from seventime.sandbox import store

SECRET = "sandbox-secret"
LIMIT = 100
NO_SUCH_ID = "ffffffffffffffffffffffff"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")

#: Lists the API caps at 100 because the demo data holds more.
BIG_LISTS = ["customers", "projects", "workOrders", "invoices"]

#: Endpoints that only list (no filters), with the client method and record class name.
LOOKUPS = [
    ("userRoles", "list_user_roles", "UserRole"),
    ("defaultSalaryTypes", "list_salary_types", "SalaryType"),
    ("userSkills", "list_user_skills", "UserSkill"),
    ("departments", "list_departments", "Department"),
    ("projectStatuses", "list_project_statuses", "Status"),
    ("projectTypes", "list_project_types", "ProjectType"),
    ("projectTags", "list_project_tags", "Tag"),
    ("workOrderTypes", "list_work_order_types", "WorkOrderType"),
    ("workOrderTags", "list_work_order_tags", "Tag"),
    ("workOrderStatuses", "list_work_order_statuses", "Status"),
    ("priceLists", "list_price_lists", "PriceList"),
    ("invoiceTags", "list_invoice_tags", "Tag"),
]

#: Records that can be fetched by id: collection, client get method, record class name.
GETTABLE = [
    ("customers", "get_customer", "Customer"),
    ("contactPersons", "get_contact_person", "ContactPerson"),
    ("users", "get_user", "User"),
    ("departments", "get_department", "Department"),
    ("projects", "get_project", "Project"),
    ("workOrders", "get_work_order", "WorkOrder"),
    ("invoices", "get_invoice", "Invoice"),
]


@dataclass(frozen=True)
class FilterCase:
    """One documented list filter.

    kind: "text" (case-insensitive substring of `field`), "id" (exact id in
    `field`), "member" (id among the ids in the list `field`), "flag" (boolean
    `field`), "user_name" (first name, last name or user name).
    """

    collection: str
    param: str  # the query parameter
    field: str  # the document field it looks at
    kind: str
    method: str  # the client's list method
    keyword: str  # the client method's keyword for the filter

    @property
    def id(self) -> str:
        return f"{self.collection}-{self.param}"


FILTERS = [
    FilterCase("customers", "name", "name", "text", "list_customers", "name"),
    FilterCase("customers", "customerNumber", "customerNumber", "text", "list_customers", "customer_number"),
    FilterCase("customers", "organizationNumber", "organizationNumber", "text", "list_customers", "organization_number"),
    FilterCase("customers", "city", "city", "text", "list_customers", "city"),
    FilterCase("contactPersons", "customerId", "customer", "id", "list_contact_persons", "customer_id"),
    FilterCase("users", "name", "", "user_name", "list_users", "name"),
    FilterCase("users", "personNumber", "personalNumber", "text", "list_users", "person_number"),
    FilterCase("users", "department", "department", "id", "list_users", "department"),
    FilterCase("users", "userRole", "userRoleId", "id", "list_users", "user_role"),
    FilterCase("users", "isActive", "isActive", "flag", "list_users", "is_active"),
    FilterCase("users", "isActivated", "isActivated", "flag", "list_users", "is_activated"),
    FilterCase("users", "defaultSalaryType", "defaultSalaryType", "id", "list_users", "default_salary_type"),
    FilterCase("users", "userSkills", "userSkills", "member", "list_users", "user_skills"),
    FilterCase("projects", "name", "name", "text", "list_projects", "name"),
    FilterCase("projects", "projectNumber", "projectNumber", "text", "list_projects", "project_number"),
    FilterCase("workOrders", "title", "title", "text", "list_work_orders", "title"),
    FilterCase("workOrders", "workOrderNumber", "workOrderNumber", "text", "list_work_orders", "work_order_number"),
    FilterCase("workOrders", "projectId", "project", "id", "list_work_orders", "project_id"),
    FilterCase("invoices", "invoiceNumber", "invoiceNumber", "text", "list_invoices", "invoice_number"),
    FilterCase("invoices", "OCRNumber", "OCRNumber", "text", "list_invoices", "ocr_number"),
    FilterCase("invoices", "customerNumber", "customerNumber", "text", "list_invoices", "customer_number"),
]
FILTER_PARAMS = [pytest.param(case, id=case.id) for case in FILTERS]


def ref_id(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("_id")
    return "" if value is None else str(value)


def matches(case: FilterCase, doc: dict, wanted: str) -> bool:
    """Whether `doc` should be in the answer to `?<param>=<wanted>`."""
    if case.kind == "text":
        return wanted.casefold() in str(doc.get(case.field) or "").casefold()
    if case.kind == "user_name":
        names = (doc.get("firstName"), doc.get("lastName"), doc.get("userName"))
        full = " ".join(str(name or "") for name in names)
        return wanted.casefold() in full.casefold()
    if case.kind == "id":
        return ref_id(doc.get(case.field)) == wanted
    if case.kind == "member":
        return wanted in [ref_id(item) for item in doc.get(case.field) or []]
    if case.kind == "flag":
        return bool(doc.get(case.field)) == (wanted == "true")
    raise AssertionError(case.kind)


def pick_value(case: FilterCase) -> str:
    """A value for the filter that some, but not all, records match.

    Text: a piece from the middle of a record's value (so neither a prefix nor the
    whole value). Ids: the id a record a third into the list refers to. Flags: the
    rarer of true and false.
    """
    docs = store.all(case.collection)
    if case.kind == "flag":
        trues = sum(1 for doc in docs if doc.get(case.field))
        return "true" if trues <= len(docs) - trues else "false"
    ordered = docs[len(docs) // 3 :] + docs[: len(docs) // 3]
    for doc in ordered:
        if case.kind == "user_name":
            value = f"{doc['firstName']} {doc['lastName']}"  # as the reference's example: ?name=Tommy Hellström
        elif case.kind == "text":
            text = str(doc.get(case.field) or "")
            value = text[1:-1] if len(text) >= 4 else text
        elif case.kind == "id":
            value = ref_id(doc.get(case.field))
        else:  # member
            items = doc.get(case.field) or []
            value = ref_id(items[-1]) if items else ""
        if value and sum(1 for other in docs if matches(case, other, value)) < len(docs):
            return value
    if all_alike(case):
        # Every record has the same value (users' defaultSalaryType in the demo data):
        # the matching value keeps them all; a value nobody has must then give none.
        return ref_id(docs[0].get(case.field))
    raise AssertionError(f"no value of {case.field} narrows {case.collection}")


def all_alike(case: FilterCase) -> bool:
    """Whether every record has the same value in the filter's field."""
    return case.kind == "id" and len({ref_id(doc.get(case.field)) for doc in store.all(case.collection)}) == 1


def expected_ids(case: FilterCase, wanted: str) -> list[str]:
    """Ids the filtered list must hold: matching records, oldest first, at most 100."""
    return [doc["_id"] for doc in store.all(case.collection) if matches(case, doc, wanted)][:LIMIT]


def client_value(case: FilterCase, wanted: str) -> Any:
    """The filter value as a caller of the client passes it (booleans as bool)."""
    if case.kind == "flag":
        return wanted == "true"
    return wanted


# --- sorting ---


def sort_key(value: Any) -> tuple:
    """How a value orders: numbers (also numbers stored as text) by value, before text."""
    if isinstance(value, bool):
        return (0, Decimal(int(value)), "")
    try:
        return (0, Decimal(str(value).strip()), "")
    except InvalidOperation:
        return (1, Decimal(0), str(value).casefold())


def is_sorted(values: list, descending: bool = False) -> bool:
    keys = [sort_key(value) for value in values]
    return keys == sorted(keys, reverse=descending)


#: collection, a field stored as text whose numbers sort differently as text, client method
#: users' employeeNumber runs "1".."30": as text "10" would come before "2".
NUMERIC_TEXT_SORTS = [
    ("users", "employeeNumber", "list_users"),
    ("customers", "customerNumber", "list_customers"),
    ("projects", "projectNumber", "list_projects"),
    ("invoices", "invoiceNumber", "list_invoices"),
    ("workOrders", "workOrderNumber", "list_work_orders"),  # a mix of numbers and text
]


def empty_and_filled(collection: str, field: str, by: str) -> tuple[str, int, int]:
    """A value of the text field `by` whose records number at most 100 and
    include some with `field` empty and some with it filled."""
    docs = store.all(collection)
    for value in dict.fromkeys(doc[by] for doc in docs):
        group = [doc for doc in docs if doc[by] == value]
        empty = sum(1 for doc in group if doc.get(field) in (None, ""))
        if 0 < empty < len(group) <= LIMIT and all(value not in doc[by] for doc in docs if doc[by] != value):
            return value, empty, len(group) - empty
    raise AssertionError(f"no {by} groups {collection} with and without {field}")


# --- creates: payloads built from the demo data ---


def customer_with_contacts() -> tuple[dict, dict, dict]:
    """A customer, one of its contact persons and a contact person of another customer."""
    contacts = store.all("contactPersons")
    contact = contacts[0]
    other = next(c for c in contacts if c["customer"] != contact["customer"])
    return store.get("customers", contact["customer"]), contact, other


def stockholm_midnight_utc(day: dt.date) -> str:
    """A calendar day as the API stores it: midnight in Stockholm, in UTC."""
    from zoneinfo import ZoneInfo

    moment = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo("Europe/Stockholm")).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def recent(timestamp: str, seconds: float = 120) -> bool:
    moment = dt.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    return abs((dt.datetime.now(dt.UTC) - moment).total_seconds()) < seconds


#: Three invoice rows with VAT 25 %, 12 % and 6 % and a discount on the first, and
#: what the API must compute for them (worked out by hand, rounded to öre per row):
#:   3 x 199.90 - 10 %  = 539.73, VAT 25 % of it = 134.9325 -> 134.93, incl. 674.66
#:   2 x  45.50         =  91.00, VAT 12 %       =  10.92,              incl. 101.92
#:   1 x 120.35         = 120.35, VAT  6 %       =   7.221  ->   7.22,  incl. 127.57
#:   totals 751.08 + 153.07 = 904.15, payable in whole kronor: 904, rounding -0.15
THREE_ROWS = [
    {"itemType": "time", "name": "Montage", "numberOfItems": 3, "unit": "tim", "unitPrice": 199.90,
     "discountPercent": 10, "taxPercent": 25},
    {"itemType": "material", "name": "Livsmedel", "numberOfItems": 2, "unit": "st", "unitPrice": 45.50,
     "taxPercent": 12},
    {"itemType": "material", "name": "Böcker", "numberOfItems": 1, "unit": "st", "unitPrice": 120.35,
     "taxPercent": 6},
]  # fmt: skip
THREE_ROWS_TOTALS = [
    (Decimal("539.73"), Decimal("134.93"), Decimal("674.66")),
    (Decimal("91"), Decimal("10.92"), Decimal("101.92")),
    (Decimal("120.35"), Decimal("7.22"), Decimal("127.57")),
]
THREE_ROWS_INVOICE = {
    "totalAmount": Decimal("751.08"),
    "totalTaxAmount": Decimal("153.07"),
    "totalAmountInclTax": Decimal("904"),
    "totalAmountRounding": Decimal("-0.15"),
}


def ocr_like_reference(invoice_number: str) -> str:
    """The OCR number the reference shows (24481 -> 2448173) and the demo invoices
    carry: the number, a length digit (total length mod 10), a Luhn check digit."""
    digits = invoice_number + str((len(invoice_number) + 2) % 10)
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)
