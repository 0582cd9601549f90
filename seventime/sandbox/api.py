"""The sandbox API: routing, authentication, filters, sorting and creates.

`handle()` takes a plain request description and returns (status, headers, body),
so the same code serves real HTTP under /sandbox/api/1/ (views.py) and the
client's in-process transport (transport.py).

Behaviour the reference does not state, and what we chose (also listed in
docs/api-assumptions.md):

* Text filters (`name`, `city`, `title`, numbers such as `customerNumber`) match
  a case-insensitive substring; id filters (`customerId`, `projectId`,
  `department`, `userRole`, ...) match exactly; boolean filters take true/false.
* The cap of 100 applies after filtering and sorting. Without `sortBy` records
  come in the order they were created (oldest first).
* `sortBy` takes any document field; numbers stored as text sort as numbers;
  empty values sort last in both directions.
* Ids in URLs that no record has give 404 with an `errorMessage`.
* Bodies may be JSON or form-encoded with bracket nesting
  (`billingSettings[isROTCustomer]=true`, `invoiceItems[0][name]=...`).
* `/invoice/<id>` (singular, as one line of the reference says) is accepted as
  an alias of `/invoices/<id>`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, transaction

from seventime.invoicing import HOUSE_DEDUCTION_CEILINGS, INVOICE_DRAFT, REVERSE_CHARGE, compute_row, compute_totals, house_deduction, json_number, ocr_number, plain_number

from . import faults, ratelimit, store
from .demo import PALETTE, PROJECT_STATUS_CODES, RESULT_UNITS, WORK_ORDER_STATUS_CODES

logger = logging.getLogger("seventime.sandbox")

LIST_LIMIT = 100
MAX_FORM_INDEX = 999  # form bodies name list positions; a huge one must not allocate a huge list
STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Copies of codes whose source is dashboard.vocabulary (the sandbox may not import the
# dashboard; tests/create/test_forms.py keeps them equal): the work order colours are
# demo.PALETTE, and these are the invoicing statuses of projects and work orders.
WORK_INVOICING_STATUSES = (0, 5, 10, 20, 30)
PROJECT_BILLING_METHODS = (
    "ACCORDING_TO_CUSTOMER",
    "HOURLY",
    "PERUSER",
    "HOURLY_PER_TIMECATEGORY",
    "FIXED_PRICE",
    "PRICELIST",
)
WORK_ORDER_BILLING_METHODS = ("RUNNING", "FIXED_PRICE", "ACCORDING_TO_QUOTE")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Invalid(Exception):
    """A create the API would reject with 400; the message names the field."""


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    collection: str | None = None  # for a list answer: whose documents it holds
    headers: tuple[tuple[str, str], ...] = ()  # beyond Content-Type
    raw: bytes | None = None  # sent as it is instead of `body` (a malformed answer)

    def encode(self) -> tuple[int, dict[str, str], bytes]:
        return self._encoded

    @cached_property
    def _encoded(self) -> tuple[int, dict[str, str], bytes]:
        if self.raw is not None:
            payload = self.raw
        elif self.collection is not None:
            payload = store.encode(self.collection, self.body)
        else:
            payload = json.dumps(self.body, ensure_ascii=False).encode()
        return self.status, {"Content-Type": "application/json; charset=utf-8", **dict(self.headers)}, payload


def error(status: int, message: str) -> Response:
    return Response(status, {"errorMessage": message})


# --- filters ---


def contains(key: str) -> Callable[[dict, str], bool]:
    return lambda doc, wanted: wanted.casefold() in str(doc.get(key) or "").casefold()


def equals(key: str) -> Callable[[dict, str], bool]:
    return lambda doc, wanted: _ref_id(doc.get(key)) == wanted


def has(key: str) -> Callable[[dict, str], bool]:
    return lambda doc, wanted: wanted in [_ref_id(item) for item in doc.get(key) or []]


def flag(key: str) -> Callable[[dict, str], bool]:
    return lambda doc, wanted: bool(doc.get(key)) == (wanted.strip().lower() in ("true", "1"))


def user_name(doc: dict, wanted: str) -> bool:
    full = f"{doc.get('firstName') or ''} {doc.get('lastName') or ''} {doc.get('userName') or ''}"
    return wanted.casefold() in full.casefold()


def _ref_id(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("_id")
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Collection:
    name: str
    filters: Mapping[str, Callable[[dict, str], bool]] = field(default_factory=dict)
    required_filters: tuple[str, ...] = ()
    gettable: bool = False
    create: Callable[[dict], dict] | None = None


# --- small parsers for create bodies: each raises Invalid naming the field ---


def _text(payload: Mapping, key: str, *, required: bool = False) -> str:
    value = payload.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{key} is required")
        return ""
    if isinstance(value, (dict, list)):
        raise Invalid(f"{key} must be a string")
    return str(value).strip()


def _number(payload: Mapping, key: str, *, required: bool = False, low=None, high=None) -> int | float | None:
    value = payload.get(key)
    if value is None or value == "":
        if required:
            raise Invalid(f"{key} is required")
        return None
    if isinstance(value, bool):
        raise Invalid(f"{key} must be a number")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise Invalid(f"{key} must be a number") from None
    if not number.is_finite():
        raise Invalid(f"{key} must be a number")
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            raise Invalid(f"{key} must be between {low} and {high}")
        raise Invalid(f"{key} must be at least {low}" if low is not None else f"{key} must be at most {high}")
    return plain_number(number)  # quantities and percentages are not money: no rounding


def _bool(payload: Mapping, key: str, default: bool | None = False) -> bool | None:
    value = payload.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "on", "yes"):
        return True
    if text in ("false", "0", "off", "no"):
        return False
    raise Invalid(f"{key} must be true or false")


def _code(payload: Mapping, key: str, allowed: tuple, default=None):
    value = payload.get(key)
    if value is None or value == "":
        return default
    for option in allowed:
        if str(option) == str(value).strip():
            return option
    raise Invalid(f"{key} must be one of {', '.join(map(str, allowed))}")


def _object(payload: Mapping, key: str) -> dict | None:
    value = payload.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise Invalid(f"{key} must be an object") from None
    if not isinstance(value, dict):
        raise Invalid(f"{key} must be an object")
    return value


def _array(payload: Mapping, key: str) -> list:
    value = payload.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise Invalid(f"{key} must be an array")
    return value


def _date(payload: Mapping, key: str) -> str | None:
    """`YYYY-MM-DD`, a day in Sweden: stored as midnight Stockholm time in UTC."""
    value = _text(payload, key)
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise Invalid(f"{key} must be in the format YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{key} is not a valid date") from None
    return stockholm_midnight(day)


def _date_time(payload: Mapping, key: str) -> str | None:
    """`YYYY-MM-DD HH:MM`, read as Stockholm local time (the reference gives no
    zone; the people entering it are in Sweden) and stored in UTC."""
    value = _text(payload, key)
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", value):
        raise Invalid(f"{key} must be in the format YYYY-MM-DD HH:MM")
    try:
        local = dt.datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=STOCKHOLM)
    except ValueError:
        raise Invalid(f"{key} is not a valid date and time") from None
    return iso(local)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def stockholm_midnight(day: dt.date) -> str:
    return iso(dt.datetime.combine(day, dt.time(), tzinfo=STOCKHOLM))


def now_iso() -> str:
    return iso(dt.datetime.now(dt.UTC))


def today_in_stockholm() -> dt.date:
    return dt.datetime.now(STOCKHOLM).date()


def _ref(payload: Mapping, key: str, collection: str, *, required: bool = False) -> dict | None:
    """The referenced document, which must exist."""
    value = payload.get(key)
    if isinstance(value, dict):
        value = value.get("_id")
    if value is None or str(value).strip() == "":
        if required:
            raise Invalid(f"{key} is required")
        return None
    doc = store.get(collection, str(value).strip())
    if doc is None:
        raise Invalid(f"{key}: there is no {collection[:-1]} with id {value}")
    return doc


def _refs(payload: Mapping, key: str, collection: str) -> list[str]:
    ids = []
    for value in _array(payload, key):
        value = _ref_id(value)
        if store.get(collection, value) is None:
            raise Invalid(f"{key}: there is no {collection[:-1]} with id {value}")
        ids.append(value)
    return ids


def _result_unit(payload: Mapping) -> dict | None:
    value = _text(payload, "resultUnit")
    if not value:
        return None
    for unit in RESULT_UNITS:
        if unit["_id"] == value:
            return unit
    raise Invalid(f"resultUnit: there is no result unit with id {value}")


def _unique_number(payload: Mapping, key: str, collection: str, *, numeric: bool = False) -> str:
    def canonical(number: str) -> str:
        return str(int(number)) if number.isdigit() else number  # "04001" is 4001

    value = _text(payload, key)
    taken = {canonical(str(doc.get(key))) for doc in store.all(collection)}
    if value:
        if numeric and not value.isdigit():
            raise Invalid(f"{key} must be a number")
        if numeric:
            value = canonical(value)
        if canonical(value) in taken:
            raise Invalid(f"{key} {value} is already in use")
        return value
    numbers = [int(number) for number in taken if number.isdigit()]
    return str(max(numbers, default=1000) + 1)


def _address(payload: Mapping, key: str, *, other_flag: bool = False) -> dict | None:
    address = _object(payload, key)
    if address is None:
        return None
    result = {part: _text(address, part) for part in ("name", "address", "address2", "zipCode", "city", "country", "phone")}
    if other_flag:
        if address.get("useOtherAddress") in (None, ""):
            raise Invalid(f"{key}.useOtherAddress is required")
        result = {"useOtherAddress": _bool(address, "useOtherAddress"), **result}
    return result


def _distribution(items: list, key: str) -> list[dict]:
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise Invalid(f"{key}[{index}] must be an object")
        rows.append(
            {
                "_id": store.new_id(),
                "itemId": str(item.get("itemId") or index),
                "userName": _text(item, "userName", required=True),
                "personalNumber": _text(item, "personalNumber", required=True),
                "distributionPercent": _number(item, "distributionPercent", required=True, low=1, high=100),
            }
        )
    # Not stated by the reference, but a distribution of a deduction that does not
    # add up to the whole would be meaningless; Skatteverket needs 100 %.
    if rows and sum(Decimal(str(row["distributionPercent"])) for row in rows) != 100:
        raise Invalid(f"{key}: distributionPercent must add up to 100")
    return rows


def _contact_of(payload: Mapping, customer: dict | None) -> dict | None:
    contact = _ref(payload, "contactPerson", "contactPersons")
    if contact is None:
        return None
    if customer is None:
        raise Invalid("contactPerson requires customer")
    if contact.get("customer") != customer["_id"]:
        raise Invalid("contactPerson does not belong to the customer")
    return contact


def _full_name(user: dict | None) -> str:
    if not user:
        return ""
    return f"{user.get('firstName', '')} {user.get('lastName', '')}".strip()


def _name(doc: dict | None, key: str = "name") -> str:
    return (doc or {}).get(key) or ""


def _id(doc: dict | None) -> str | None:
    return doc["_id"] if doc else None


# --- creates ---


def create_customer(payload: dict) -> dict:
    name = _text(payload, "name", required=True)
    email = _text(payload, "email")
    if email and not EMAIL.match(email):
        raise Invalid("email is not a valid email address")
    billing = _object(payload, "billingSettings") or {}
    invoice_email = _text(billing, "invoiceEmail")
    if invoice_email and not EMAIL.match(invoice_email):
        raise Invalid("billingSettings.invoiceEmail is not a valid email address")
    price_list = _ref(billing, "priceList", "priceLists")
    payment_days = _number(payload, "paymentDays", low=0, high=365)
    created = now_iso()
    return {
        "_id": store.new_id(),
        "customerNumber": _unique_number(payload, "customerNumber", "customers"),
        "vatNumber": _text(payload, "vatNumber"),
        "organizationNumber": _text(payload, "organizationNumber"),
        "email": email,
        "phone": _text(payload, "phone"),
        "city": _text(payload, "city"),
        "zipCode": _text(payload, "zipCode"),
        "address": _text(payload, "address"),
        "name": name,
        "documents": [],
        "billingSettings": {
            "useSeparateBillingAddress": _bool(billing, "useSeparateBillingAddress"),
            "address": _text(billing, "address"),
            "address2": _text(billing, "address2"),
            "zipCode": _text(billing, "zipCode"),
            "city": _text(billing, "city"),
            "useSeparateBillingEmail": _bool(billing, "useSeparateBillingEmail"),
            "invoiceEmail": invoice_email,
            "invoiceDeliveryType": _code(billing, "invoiceDeliveryType", (0, 10, 20), default=0),
            "defaultEmailSubject": _text(billing, "defaultEmailSubject"),
            "isConstructionCompany": _bool(billing, "isConstructionCompany"),
            "isROTCustomer": _bool(billing, "isROTCustomer"),
            "isRUTCustomer": _bool(billing, "isRUTCustomer"),
            "typeOfProperty": _code(billing, "typeOfProperty", (1, 2)),
            "propertyDescription": _text(billing, "propertyDescription"),
            "housingSocietyNumber": _text(billing, "housingSocietyNumber"),
            "apartmentNumber": _text(billing, "apartmentNumber"),
            "personalNumber": _text(billing, "personalNumber"),
            "deductionDistribution": _distribution(
                _array(billing, "deductionDistribution"), "billingSettings.deductionDistribution"
            ),
            "expenseDiscount": 0,
            "expenseCustomProfitMargin": 0,
            "markupPercentSupplierInvoice": -1000,
            "priceList": _id(price_list),
            "priceListName": _name(price_list),
        },
        "modifiedDate": created,
        "createdDate": created,
        "__v": 0,
        "address2": _text(payload, "address2"),
        "country": _text(payload, "country"),
        "billingMethod": "",
        "pricePerHour": 0,
        "paymentDays": 30 if payment_days is None else payment_days,
        "notes": _text(payload, "notes"),
        "isActive": True,
    }


def create_user(payload: dict) -> dict:
    first_name = _text(payload, "firstName", required=True)
    last_name = _text(payload, "lastName", required=True)
    email = _text(payload, "email", required=True)
    if not EMAIL.match(email):
        raise Invalid("email is not a valid email address")
    user_name = _text(payload, "userName", required=True)
    if any(str(user.get("userName", "")).casefold() == user_name.casefold() for user in store.all("users")):
        raise Invalid(f"userName {user_name} is already in use")
    # The reference's curl example posts `userRolesId`; its table says `userRoleId`.
    role_key = "userRoleId" if payload.get("userRoleId") not in (None, "") else "userRolesId"
    role_id = _text(payload, role_key)
    if not role_id:
        raise Invalid("userRoleId is required")
    role = next((r for r in store.all("userRoles") if str(r["userRoleId"]) == role_id), None)
    if role is None:
        raise Invalid(f"userRoleId: there is no user role {role_id}")
    language = (_text(payload, "language") or "SV").upper()
    if not re.fullmatch(r"[A-Z]{2}", language):
        raise Invalid("language must be a two-letter code such as SV")
    department = _ref(payload, "department", "departments")
    created = now_iso()
    return {
        "_id": store.new_id(),
        "firstName": first_name,
        "lastName": last_name,
        "email": email,
        "personalNumber": _text(payload, "personalNumber"),
        "employeeNumber": _text(payload, "employeeNumber"),
        "userName": user_name,
        "workPhone": _text(payload, "workPhone"),
        "cellPhone": _text(payload, "cellPhone"),
        "createdDate": created,
        "modifiedDate": created,
        "userRoleId": role["userRoleId"],
        "department": _id(department),
        "departmentName": _name(department),
        "isActive": _bool(payload, "isActive"),
        "isActivated": _bool(payload, "isActivated"),
        "language": language,
    }


def create_project(payload: dict) -> dict:
    name = _text(payload, "name", required=True)
    customer = _ref(payload, "customer", "customers")
    contact = _contact_of(payload, customer)
    status = _ref(payload, "projectStatusRef", "projectStatuses")
    leader = _ref(payload, "projectLeader", "users")
    project_type = _ref(payload, "projectType", "projectTypes")
    department = _ref(payload, "department", "departments")
    result_unit = _result_unit(payload)
    billing_method = _code(payload, "billingMethod", PROJECT_BILLING_METHODS, default="")
    price_per_hour = _number(payload, "pricePerHour", required=billing_method == "HOURLY", low=0)
    fixed_price = _number(payload, "fixedPrice", required=billing_method == "FIXED_PRICE", low=0)
    price_list = _ref(payload, "timeCategoryPriceList", "priceLists", required=billing_method == "PRICELIST")
    start, end = _date(payload, "startDate"), _date(payload, "endDate")
    if start and end and end < start:
        raise Invalid("endDate must not be before startDate")
    created = now_iso()
    return {
        "_id": store.new_id(),
        "permissions": {"permUsers": [], "permRoles": [], "permDepartments": [], "permissionFlag": 1},
        "tags": _refs(payload, "projectTags", "projectTags"),
        "name": name,
        "projectNumber": _unique_number(payload, "projectNumber", "projects", numeric=True),
        "projectStatus": PROJECT_STATUS_CODES.get((status or {}).get("statusName"), 0),
        "projectStatusRef": _id(status),
        "projectType": _id(project_type),
        "projectTypeName": _name(project_type, "projectTypeName") or None,
        "billingMethod": billing_method,
        "pricePerHour": price_per_hour or 0,
        "fixedPrice": fixed_price or 0,
        "fixedPriceInvoiced": False,
        "fixedPriceLeftToInvoice": fixed_price or 0,
        "fixedPriceExpenseItem": None,
        "timeCategoryPriceList": _id(price_list),
        "estimatedTime": 0,
        "recurringBudgetType": 10,
        "recurringBudget": {"budgetTime": 0, "budgetAmount": 0, "budgetType": 10},
        "resultUnit": _id(result_unit),
        "resultUnitName": _name(result_unit),
        "customer": _id(customer),
        "customerName": _name(customer) or None,
        "contactPerson": _id(contact),
        "contactPersonName": _name(contact) or None,
        "projectLeader": _id(leader),
        "projectLeaderName": _full_name(leader) or None,
        "quote": None,
        "quoteNumber": "",
        "department": _id(department),
        "departmentName": _name(department),
        "marking": _text(payload, "marking"),
        "yourOrderNumber": _text(payload, "yourOrderNumber"),
        "deliveryAddress": _address(payload, "deliveryAddress")
        or {"name": "", "address": "", "address2": "", "zipCode": "", "city": "", "country": "", "phone": ""},
        "invoiceStatus": _code(payload, "invoiceStatus", WORK_INVOICING_STATUSES, default=0),
        "notes": _text(payload, "notes"),
        "documents": [],
        "startDate": start,
        "endDate": end,
        "budget": {"typeOfBenefitCalc": 1, "benefits": [], "benefitTotal": 0, "typeOfCostCalc": 1, "costs": [], "costTotal": 0},
        "budgetCalculation": {"invoiceItems": [], "totalBenefitAmount": 0, "totalCostAmount": 0},
        "enableConstructionDiary": False,
        "enablePaymentPlans": False,
        "timeCategoryItems": [],
        "expenseItemItems": [],
        "timeLogRegistrationMethods": [],
        "projectResources": [],
        "checkLists": [],
        "color": "FAFAFA",
        "isActive": True,
        "comments": [],
        "customFields": [],
        "createdDate": created,
        "modifiedDate": created,
        "systemAccount": store.SYSTEM_ACCOUNT,
        "__v": 0,
    }


def create_work_order(payload: dict) -> dict:
    title = _text(payload, "title", required=True)
    customer = _ref(payload, "customer", "customers", required=True)
    creator = _ref(payload, "createdByUser", "users", required=True)
    # The reference's create table spells the project parameter `Project` (the client
    # sends that); its documents say `project`, which is accepted too.
    project = _ref(payload, "Project" if payload.get("Project") not in (None, "") else "project", "projects")
    statuses = store.all("workOrderStatuses")
    status = _ref(payload, "statusRef", "workOrderStatuses") or (statuses[0] if statuses else None)
    contact = _contact_of(payload, customer)
    start, end = _date_time(payload, "startDate"), _date_time(payload, "endDate")
    if start and end and end < start:
        raise Invalid("endDate must not be before startDate")
    color = _text(payload, "color")
    if color:
        palette = {c.lower(): c for c in PALETTE}
        if color.lstrip("#").lower() not in palette:
            raise Invalid("color must be one of the documented work order colours")
        color = palette[color.lstrip("#").lower()]
    billing_method = _code(payload, "billingMethod", WORK_ORDER_BILLING_METHODS, default="")
    work_address = _address(payload, "workAddress", other_flag=True) or {
        "useOtherAddress": False,
        "name": customer.get("name", ""),
        "address": customer.get("address", ""),
        "address2": customer.get("address2", ""),
        "zipCode": customer.get("zipCode", ""),
        "city": customer.get("city", ""),
        "country": customer.get("country", ""),
        "phone": customer.get("phone", ""),
    }
    work_order_type = _ref(payload, "workOrderType", "workOrderTypes")
    department = _ref(payload, "department", "departments")
    return {
        "_id": store.new_id(),
        "workOrderNumber": int(_unique_number(payload, "workOrderNumber", "workOrders", numeric=True)),
        "title": title,
        "description": _text(payload, "description"),
        "createdByUserName": _full_name(creator),
        "createdByUser": creator["_id"],
        "systemAccount": store.SYSTEM_ACCOUNT,
        "statusRef": _id(status),
        "status": WORK_ORDER_STATUS_CODES.get((status or {}).get("statusName"), 0),
        "customerNumber": customer.get("customerNumber", ""),
        "customerName": customer.get("name", ""),
        "customer": customer["_id"],
        "project": _id(project),
        "projectName": _name(project),
        "contactPerson": _id(contact),
        "contactPersonName": _name(contact),
        "workOrderType": _id(work_order_type),
        "workOrderTypeName": _name(work_order_type, "workOrderTypeName"),
        "department": _id(department),
        "departmentName": _name(department),
        "workLeader": _id(_ref(payload, "workLeader", "users")),
        "currentOwner": _id(_ref(payload, "currentOwner", "users")),
        "estimatedTime": _number(payload, "estimatedTime", low=0) or 0,
        "startDate": start,
        "endDate": end,
        "color": color or (status or {}).get("color", "FF5722"),
        "marking": _text(payload, "marking"),
        "yourOrderNumber": _text(payload, "yourOrderNumber"),
        "invoiceStatus": _code(payload, "invoiceStatus", WORK_INVOICING_STATUSES, default=0),
        "billingMethod": billing_method,
        "fixedPrice": _number(payload, "fixedPrice", low=0) or 0,
        "isSupplementOrder": _bool(payload, "isSupplementOrder"),
        "enablePortalAccess": _bool(payload, "enablePortalAccess"),
        "allowRegistrationOfTimes": _bool(payload, "allowRegistrationOfTimes", default=True),
        "allowRegistrationOfExpenses": _bool(payload, "allowRegistrationOfExpenses", default=True),
        "customFields": [],
        "tags": [],
        "workOrderUserWorkTypes": [],
        "workOrderUserSkills": [],
        "budgetCalculation": {"invoiceItems": []},
        "invoiceRows": [],
        "todoItems": [],
        "reminders": [],
        "checkLists": [],
        "documents": [],
        "locationCoordinates": [],
        "workAddress": work_address,
        "comments": [],
        "partTimeResources": [],
        "machines": [str(machine) for machine in _array(payload, "machines")],
        "users": _refs(payload, "users", "users"),
        "relations": [],
        "createDate": now_iso(),
        "__v": 0,
    }


def _house_properties(payload: Mapping, invoice_type: int) -> dict | None:
    house = _object(payload, "houseProperties")
    if invoice_type not in (1, 2):
        return house and {"typeOfProperty": _code(house, "typeOfProperty", (1, 2))}
    if house is None:
        raise Invalid("houseProperties is required when invoiceType is 1 (ROT) or 2 (RUT)")
    type_of_property = _code(house, "typeOfProperty", (1, 2))
    if type_of_property is None:
        raise Invalid("houseProperties.typeOfProperty is required")
    description = _text(house, "propertyDescription")
    society = _text(house, "housingSocietyNumber")
    apartment = _text(house, "apartmentNumber")
    if type_of_property == 1 and not description:
        raise Invalid("houseProperties.propertyDescription is required for a detached property")
    if type_of_property == 2 and not society:
        raise Invalid("houseProperties.housingSocietyNumber is required for a condominium")
    if type_of_property == 2 and not apartment:
        raise Invalid("houseProperties.apartmentNumber is required for a condominium")
    distribution = _distribution(_array(house, "deductionDistribution"), "houseProperties.deductionDistribution")
    return {
        "typeOfProperty": type_of_property,
        "propertyDescription": description,
        "housingSocietyNumber": society,
        "apartmentNumber": apartment,
        # The yearly ceiling applies per person (50 000 kr ROT, 75 000 kr RUT).
        "maxDeductionAmount": HOUSE_DEDUCTION_CEILINGS[invoice_type] * max(1, len(distribution)),
        "personalNumber": _text(house, "personalNumber"),
        "deductionDistribution": distribution,
    }


def _invoice_rows(payload: Mapping, default_tax, multiple_taxes: bool) -> list[dict]:
    rows = []
    created = now_iso()
    for index, item in enumerate(_array(payload, "invoiceItems")):
        if not isinstance(item, dict):
            raise Invalid(f"invoiceItems[{index}] must be an object")
        key = f"invoiceItems[{index}]"
        item_type = _text(item, "itemType")
        if not item_type:
            raise Invalid(f"{key}.itemType is required")
        quantity = _number(item, "numberOfItems")
        price = _number(item, "unitPrice")
        discount = _number(item, "discountPercent", low=0, high=100)
        tax = _number(item, "taxPercent", low=0, high=100) if multiple_taxes else None
        row = {
            "_id": store.new_id(),
            "createDate": created,
            "houseWorkTypeOfWork": _number(item, "houseWorkTypeOfWork"),
            "name": _text(item, "name"),
            "description": _text(item, "description"),
            "itemType": item_type,
            "numberOfItems": 1 if quantity is None else quantity,
            "unit": _text(item, "unit"),
            "unitCost": _number(item, "unitCost") or 0,
            "discountPercent": discount or 0,
            "taxPercent": default_tax if tax is None else tax,
            "unitPrice": price or 0,
            "itemId": str(index),
            "itemOrder": (index + 1) * 1024,
            "houseWorkFlag": _bool(item, "houseWorkFlag"),
        }
        row = compute_row(row)
        row["totalCost"] = json_number(Decimal(str(row["unitCost"])) * Decimal(str(row["numberOfItems"])))
        rows.append(row)
    return rows


def create_invoice(payload: dict) -> dict:
    customer = _ref(payload, "customer", "customers", required=True)
    creator = _ref(payload, "createdByUser", "users", required=True)
    language = _text(payload, "language", required=True).upper()
    if not re.fullmatch(r"[A-Z]{2}", language):
        raise Invalid("language must be a two-letter code such as SV")
    invoice_day = _date(payload, "invoiceDate") or stockholm_midnight(today_in_stockholm())
    payment_days = 30 if customer.get("paymentDays") in (None, "") else int(customer["paymentDays"])
    invoice_local = dt.datetime.fromisoformat(invoice_day.replace("Z", "+00:00")).astimezone(STOCKHOLM).date()
    due_day = _date(payload, "dueDate") or stockholm_midnight(invoice_local + dt.timedelta(days=payment_days))
    if due_day < invoice_day:
        raise Invalid("dueDate must not be before invoiceDate")
    project = _ref(payload, "project", "projects")
    contact = _contact_of(payload, customer)
    our_reference = _ref(payload, "ourReference", "users")
    work_order = _ref(payload, "workOrder", "workOrders")
    result_unit = _result_unit(payload)
    invoice_type = _code(payload, "invoiceType", (0, 1, 2, 3), default=0)
    house = _house_properties(payload, invoice_type)
    price_list = _ref(payload, "priceList", "priceLists")
    multiple_taxes = _bool(payload, "multipleTaxesOnRows")
    tax_percent = _number(payload, "taxPercent", low=0, high=100)
    tax_percent = 25 if tax_percent is None else tax_percent
    if invoice_type == REVERSE_CHARGE:
        # Construction services: the buyer accounts for the VAT, the invoice charges none.
        multiple_taxes, tax_percent = False, 0
    currency = (_text(payload, "currencyCode") or "SEK").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise Invalid("currencyCode must be a three-letter code such as SEK")
    rate = _number(payload, "currencyRate", low=0)
    rows = _invoice_rows(payload, tax_percent, multiple_taxes)
    totals = compute_totals(rows, currency)
    number = _unique_number({}, "invoiceNumber", "invoices")
    created = now_iso()
    name = _text(payload, "name") or ("Faktura" if language == "SV" else "Invoice")
    address = "<br>".join(
        part
        for part in (customer.get("address", ""), f"{customer.get('zipCode', '')} {customer.get('city', '')}".strip())
        if part
    )
    return {
        "_id": store.new_id(),
        "deliveryAddress": _address(payload, "deliveryAddress")
        or {"name": "", "address": "", "address2": "", "zipCode": "", "city": "", "country": "", "phone": ""},
        "houseProperties": house,
        "timeLogIds": [],
        "expenseIds": [],
        "driverJournalIds": [],
        "machineTimeLogIds": [],
        "supplierInvoiceIds": [],
        "workOrderIds": [work_order["_id"]] if work_order else [],
        "externalSystemExport": [],
        "tags": _refs(payload, "tags", "invoiceTags"),
        "createDate": created,
        "invoiceItems": rows,
        "documents": [],
        "invoiceLogEntries": [
            {
                "_id": store.new_id(),
                "logDate": created,
                "logType": 1,
                "description": "Skapad via API",
                "user": creator["_id"],
                "userName": _full_name(creator),
                "additionalData": "",
            }
        ],
        "partialPayments": [],
        "checkLists": [],
        "supplementOrders": [],
        "customFields": [],
        "invoiceName": name,
        "marking": _text(payload, "marking"),
        "yourOrderNumber": _text(payload, "yourOrderNumber"),
        "notes": _text(payload, "notes"),
        "taxPercent": tax_percent,
        "invoiceStatus": INVOICE_DRAFT,
        "invoiceDate": invoice_day,
        "createdByUser": creator["_id"],
        "createdByUserName": _full_name(creator),
        "customer": customer["_id"],
        "customerName": customer.get("name", ""),
        "dueDate": due_day,
        "language": language,
        "project": _id(project),
        "projectName": _name(project),
        "contactPerson": _id(contact),
        "contactPersonName": _name(contact),
        "ourReference": _id(our_reference),
        "ourReferenceName": _full_name(our_reference),
        "workOrder": _id(work_order),
        "workOrderNumber": str(work_order["workOrderNumber"]) if work_order else "",
        "invoiceType": invoice_type,
        "resultUnit": _id(result_unit),
        "resultUnitName": _name(result_unit),
        "priceList": _id(price_list),
        "priceListName": _name(price_list),
        "multipleTaxesOnRows": multiple_taxes,
        "currencyCode": currency,
        **totals,
        "sentDate": None,
        "invoiceNumber": number,
        "OCRNumber": ocr_number(number),
        "__v": 0,
        "archived": False,
        "archivedDate": None,
        "creditForInvoice": None,
        "creditForInvoiceNumber": "",
        "creditInvoice": None,
        "creditInvoiceNumber": "",
        "currencyRate": 1 if rate is None else rate,
        "customerAddress": address,
        "customerEmail": customer.get("email", ""),
        "customerNumber": customer.get("customerNumber", ""),
        "customerOrgNo": customer.get("organizationNumber", ""),
        "customerVAT": customer.get("vatNumber", ""),
        "description": None,
        "discountInPercent": 0,
        "exportedToEconomy": False,
        "footerInfoText": None,
        "footerText": None,
        "headerText": None,
        **house_deduction(rows, invoice_type, (house or {}).get("maxDeductionAmount")),
        "isCreditInvoice": False,
        "isCredited": False,
        "partiallyPaid": False,
        "paymentDate": None,
        "paymentPlan": None,
        "paymentPlanRowId": "",
        "quote": None,
        "quoteNumber": "",
        "reminderDate": None,
        "showPriceInclTaxesOnRows": False,
        "supplementOrder": None,
        "supplementOrderNumber": "",
        "totalCost": json_number(sum((Decimal(str(row["totalCost"])) for row in rows), Decimal(0))),
    }


def _work_order_response(doc: dict) -> dict:
    """The create answer embeds the creating user, as the reference's example shows."""
    user = store.get("users", doc["createdByUser"]) or {"_id": doc["createdByUser"]}
    keep = ("_id", "firstName", "lastName", "email", "userName")
    return {**doc, "createdByUser": {key: user[key] for key in keep if key in user}}


COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection(
            "customers",
            {
                "name": contains("name"),
                "customerNumber": contains("customerNumber"),
                "organizationNumber": contains("organizationNumber"),
                "city": contains("city"),
            },
            gettable=True,
            create=create_customer,
        ),
        Collection("contactPersons", {"customerId": equals("customer")}, ("customerId",), gettable=True),
        Collection(
            "users",
            {
                "name": user_name,
                "personNumber": contains("personalNumber"),
                "department": equals("department"),
                "userRole": equals("userRoleId"),
                "isActive": flag("isActive"),
                "isActivated": flag("isActivated"),
                "defaultSalaryType": equals("defaultSalaryType"),
                "userSkills": has("userSkills"),
            },
            gettable=True,
            create=create_user,
        ),
        Collection("userRoles"),
        Collection("defaultSalaryTypes"),
        Collection("userSkills"),
        Collection("departments", gettable=True),
        Collection(
            "projects",
            {"name": contains("name"), "projectNumber": contains("projectNumber")},
            gettable=True,
            create=create_project,
        ),
        Collection("projectStatuses"),
        Collection("projectTypes"),
        Collection("projectTags"),
        Collection(
            "workOrders",
            {
                "title": contains("title"),
                "workOrderNumber": contains("workOrderNumber"),
                "projectId": equals("project"),
            },
            gettable=True,
            create=create_work_order,
        ),
        Collection("workOrderTypes"),
        Collection("workOrderTags"),
        Collection("workOrderStatuses"),
        Collection("priceLists"),
        Collection(
            "invoices",
            {
                "invoiceNumber": contains("invoiceNumber"),
                "OCRNumber": contains("OCRNumber"),
                "customerNumber": contains("customerNumber"),
            },
            gettable=True,
            create=create_invoice,
        ),
        Collection("invoiceTags"),
    )
}
ALIASES = {"invoice": "invoices"}


def _sort_key(value: Any) -> tuple:
    if value is None or value == "":
        return (2,)
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float)):
        return (0, value, "")
    text = str(value)
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0, text.casefold())


def list_documents(collection: Collection, query: Mapping[str, str]) -> Response:
    for name in collection.required_filters:
        if not query.get(name):
            return error(400, f"{name} is required")
    docs = store.all(collection.name)
    for name, match in collection.filters.items():
        wanted = query.get(name)
        if wanted not in (None, ""):
            docs = [doc for doc in docs if match(doc, wanted)]
    sort_by = query.get("sortBy")
    if sort_by:
        direction = (query.get("sortDirection") or "ascending").lower()
        if direction not in ("ascending", "descending"):
            return error(400, "sortDirection must be ascending or descending")
        present = [doc for doc in docs if doc.get(sort_by) not in (None, "")]
        empty = [doc for doc in docs if doc.get(sort_by) in (None, "")]
        present.sort(key=lambda doc: _sort_key(doc.get(sort_by)), reverse=direction == "descending")
        docs = present + empty
    return Response(200, docs[:LIST_LIMIT], collection.name)


def parse_body(body: bytes, content_type: str) -> dict:
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return {}
    if "json" in content_type or text[:1] in "{[":
        try:
            data = json.loads(text)
        except ValueError:
            raise Invalid("The request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise Invalid("The request body must be a JSON object")
        return data
    return parse_form(text)


def parse_form(text: str) -> dict:
    """Form fields with bracket nesting: a[b]=1&a[c][0][d]=2&tags[]=x."""
    root: dict = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        parts = [key.split("[", 1)[0]] + re.findall(r"\[([^\]]*)\]", key)
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            following = None if last else parts[index + 1]
            if isinstance(node, list):
                if part == "":
                    if last:
                        node.append(value)
                        break
                    node.append([] if following == "" else {})
                    node = node[-1]
                    continue
                position = int(part) if part.isdigit() else len(node)
                if position > MAX_FORM_INDEX:
                    raise Invalid(f"{key}: list index {position} is too large")
                while len(node) <= position:
                    node.append(None)
                if last:
                    node[position] = value
                else:
                    if node[position] is None:
                        node[position] = [] if following in ("",) or (following or "").isdigit() else {}
                    node = node[position]
                continue
            if last:
                node[part] = value
            else:
                if part not in node:
                    node[part] = [] if following == "" or (following or "").isdigit() else {}
                node = node[part]
    return root


def handle(method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes = b"") -> Response:
    """Answer one API request. `path` is what follows /api/1/ (e.g. "customers/abc").

    A fault the sandbox is told to play (faults.py) is answered first, before the
    secret, the rate limit or any data is looked at. `down` raises faults.Down
    (there is no answer: the caller fails the connection); `slow` waits, and
    raises faults.TooSlow once the caller would have given up (its read timeout,
    faults.waiting_at_most).

    With SANDBOX_LATENCY_MS set, the answer takes that long in all: it is worked
    out first, then held back until the time has passed (a remote API's answer
    time, network included; the sandbox's own work on this machine is inside it,
    not added to it)."""
    started = time.monotonic()
    try:
        answer = _fault_answer(path) or _answer(method, path, query, headers, body)
    except DatabaseError:
        # The sandbox stands for a remote API: its storage failing (SQLite busy
        # beyond the timeout, say) is that API's 503, not a crash of the page
        # that asked. A create's transaction was rolled back: nothing was made.
        logger.exception("Sandbox: database error on %s %s", method, path)
        answer = error(503, "The sandbox's database is busy. Try again.")
    latency = getattr(settings, "SANDBOX_LATENCY_MS", 0)
    if latency:
        answer.encode()  # writing the JSON is part of the work, inside the latency
        remaining = latency / 1000 - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
    return answer


#: The malformed fault's answer: a list cut off halfway, as a dropped proxy connection leaves it.
MALFORMED_BODY = b'[{"_id": "5f1c2b9e8a1d4c0012345678", "name": "Bergs'


def _fault_answer(path: str) -> Response | None:
    """The failure the sandbox plays for `path`, or None to answer normally."""
    fault = faults.current()
    if not fault.applies_to(path):
        return None
    if fault.mode == "down":
        raise faults.Down(f"Connection refused (sandbox fault: down) for /{path}")
    if fault.mode == "slow":
        faults.wait(fault)
        return None  # then the normal answer, late
    if fault.mode == "error":
        return error(503, "Service temporarily unavailable. Try again later.")
    if fault.mode == "ratelimit":
        return Response(
            429,
            {"errorMessage": "Too many requests. Try again later."},
            headers=(("Retry-After", ratelimit.retry_after_header(fault.seconds)),),
        )
    return Response(200, None, raw=MALFORMED_BODY)


def _answer(method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> Response:
    secret = headers.get("Client-Secret") or headers.get("client-secret") or ""
    if not hmac.compare_digest(secret.encode(), settings.SANDBOX_CLIENT_SECRET.encode()):
        return error(401, "Missing or invalid Client-Secret")
    wait = ratelimit.take(secret)
    if wait is not None:
        return Response(
            429,
            {"errorMessage": "Too many requests: at most %g a second. Try again later." % settings.SANDBOX_RATE_LIMIT},
            headers=(("Retry-After", ratelimit.retry_after_header(wait)),),
        )
    parts = [part for part in path.strip("/").split("/") if part]
    if not parts or len(parts) > 2:
        return error(404, "Unknown endpoint")
    name = ALIASES.get(parts[0], parts[0]) if len(parts) == 2 else parts[0]
    collection = COLLECTIONS.get(name)
    if collection is None:
        return error(404, f"Unknown endpoint: {parts[0]}")
    if len(parts) == 2:
        if method != "GET" or not collection.gettable:
            return error(405, "Method not allowed")
        doc = store.get(collection.name, parts[1])
        if doc is None:
            return error(404, f"No {collection.name[:-1]} with id {parts[1]}")
        return Response(200, doc)
    if method == "GET":
        return list_documents(collection, query)
    if method == "POST" and collection.create:
        content_type = headers.get("Content-Type") or headers.get("content-type") or ""
        try:
            with transaction.atomic():
                store.lock(collection.name)
                doc = collection.create(parse_body(body, content_type))
                store.add(collection.name, doc)
        except Invalid as invalid:
            return error(400, str(invalid))
        if collection.name == "workOrders":
            return Response(200, _work_order_response(doc))
        return Response(200, doc)
    return error(405, "Method not allowed")
