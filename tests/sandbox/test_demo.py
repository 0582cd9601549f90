"""The sandbox's demo data and invoice arithmetic.

Plain functions without the database: `seventime.sandbox.demo` and
`seventime.invoicing` do not import Django.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import random
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from seventime import invoicing
from seventime.invoicing import (
    INVOICE_DRAFT,
    INVOICE_PAID,
    INVOICE_SENT,
    INVOICE_VOIDED,
    compute_row,
    compute_totals,
    house_deduction,
    json_number,
    luhn_valid,
    ocr_number,
)
from seventime.sandbox import demo

TODAY = dt.date(2026, 11, 26)
WINDOW_START = dt.date(2025, 5, 26)  # 18 months before TODAY
STOCKHOLM = ZoneInfo("Europe/Stockholm")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
TIMESTAMP_FIELDS = {
    "createdDate", "modifiedDate", "createDate", "invoiceDate", "dueDate", "sentDate", "paymentDate",
    "startDate", "endDate", "logDate", "reminderDate", "archivedDate",
}  # fmt: skip

# The keys of the reference's example documents (list and single-record examples together).
REFERENCE_KEYS = {
    "customers": {
        "_id", "customerNumber", "vatNumber", "organizationNumber", "email", "phone", "city", "zipCode", "address",
        "name", "documents", "billingSettings", "modifiedDate", "createdDate", "__v", "address2", "country",
        "billingMethod", "pricePerHour", "paymentDays", "notes", "isActive",
    },
    "contactPersons": {
        "_id", "name", "title", "workPhone", "cellPhone", "email", "customer", "customerName", "mainContact",
        "isActive", "createdDate", "modifiedDate", "systemAccount", "__v",
    },
    "users": {
        "_id", "firstName", "lastName", "email", "personalNumber", "employeeNumber", "userName", "workPhone",
        "cellPhone", "createdDate", "modifiedDate", "userRoleId", "isActive", "isActivated", "language",
    },
    "userRoles": {"userRoleId", "userRoleName"},
    "defaultSalaryTypes": {
        "_id", "name", "description", "code", "isAbsenceTimeType", "isRuleType", "absenceTimeCategory",
        "absenceTimeCategoryName", "__v", "unitType", "canBeRegistered", "salaryAmount", "typeInSalarySystem",
    },
    "userSkills": {"_id", "systemAccount", "skillTitle", "__v", "requireEducations"},
    "departments": {"_id", "name", "departmentNumber", "isActive", "managerIds", "__v"},
    "projects": {
        "_id", "permissions", "tags", "name", "projectNumber", "projectStatus", "projectStatusRef", "projectType",
        "projectTypeName", "billingMethod", "pricePerHour", "fixedPrice", "fixedPriceInvoiced",
        "fixedPriceLeftToInvoice", "fixedPriceExpenseItem", "timeCategoryPriceList", "estimatedTime",
        "recurringBudgetType", "recurringBudget", "resultUnit", "resultUnitName", "customer", "customerName",
        "contactPerson", "contactPersonName", "projectLeader", "projectLeaderName", "quote", "quoteNumber",
        "department", "departmentName", "marking", "yourOrderNumber", "deliveryAddress", "invoiceStatus", "notes",
        "documents", "startDate", "endDate", "budget", "budgetCalculation", "enableConstructionDiary",
        "enablePaymentPlans", "timeCategoryItems", "expenseItemItems", "staffLedger", "projectTimeNotification",
        "workRuleStartOfDay", "workRuleEndOfDay", "timeLogRegistrationMethods", "timeShouldNotBeWorkTime",
        "enablePortalAccess", "projectResources", "checkLists", "color", "isActive", "comments", "customFields",
        "createdDate", "modifiedDate", "systemAccount", "__v",
    },
    "projectStatuses": {"_id", "statusName", "color", "inProgressStatus", "closedStatus", "isActive"},
    "projectTypes": {"_id", "projectTypeName", "isActive", "__v"},
    "projectTags": {"_id", "tagName", "color"},
    "workOrders": {
        "_id", "workOrderNumber", "createdByUserName", "createdByUser", "systemAccount", "statusRef", "status",
        "customerNumber", "customerName", "customer", "estimatedTime", "endDate", "startDate", "description",
        "title", "customFields", "tags", "workOrderUserWorkTypes", "workOrderUserSkills", "budgetCalculation",
        "invoiceRows", "todoItems", "reminders", "checkLists", "documents", "locationCoordinates", "workAddress",
        "comments", "partTimeResources", "machines", "users", "createDate", "__v", "relations", "marking",
        "yourOrderNumber", "color",
    },
    "workOrderTypes": {"_id", "isActive", "workOrderTypeName", "__v", "color"},
    "workOrderTags": {"_id", "tagName", "color"},
    "workOrderStatuses": {
        "_id", "statusName", "color", "inProgressStatus", "closedStatus", "isActive", "plannedStatus",
    },
    "priceLists": {"_id", "name", "isActive", "__v"},
    "invoices": {
        "deliveryAddress", "houseProperties", "timeLogIds", "expenseIds", "driverJournalIds", "machineTimeLogIds",
        "supplierInvoiceIds", "workOrderIds", "externalSystemExport", "tags", "_id", "createDate", "invoiceItems",
        "documents", "invoiceLogEntries", "partialPayments", "checkLists", "supplementOrders", "customFields",
        "invoiceName", "marking", "yourOrderNumber", "notes", "taxPercent", "invoiceStatus", "invoiceDate",
        "createdByUser", "createdByUserName", "customer", "customerName", "dueDate", "language", "project",
        "projectName", "contactPerson", "contactPersonName", "ourReference", "ourReferenceName", "workOrder",
        "workOrderNumber", "invoiceType", "resultUnit", "resultUnitName", "priceList", "priceListName",
        "multipleTaxesOnRows", "currencyCode", "totalAmount", "totalTaxAmount", "totalAmountInclTax",
        "totalAmountRounding", "sentDate", "invoiceNumber", "OCRNumber", "__v", "archived", "archivedDate",
        "creditForInvoice", "creditForInvoiceNumber", "creditInvoice", "creditInvoiceNumber", "currencyRate",
        "customerAddress", "customerEmail", "customerNumber", "customerOrgNo", "customerVAT", "description",
        "discountInPercent", "exportedToEconomy", "footerInfoText", "footerText", "headerText",
        "houseDeductionAmount", "houseDeductionBasisAmount", "isCreditInvoice", "isCredited", "partiallyPaid",
        "paymentDate", "paymentPlan", "paymentPlanRowId", "quote", "quoteNumber", "reminderDate",
        "showPriceInclTaxesOnRows", "supplementOrder", "supplementOrderNumber", "totalCost",
    },
    "invoiceTags": {"_id", "tagName", "color"},
}  # fmt: skip
BILLING_SETTINGS_KEYS = {
    "useSeparateBillingAddress", "address", "address2", "zipCode", "city", "useSeparateBillingEmail",
    "invoiceEmail", "invoiceDeliveryType", "defaultEmailSubject", "isConstructionCompany", "isROTCustomer",
    "isRUTCustomer", "typeOfProperty", "propertyDescription", "housingSocietyNumber", "apartmentNumber",
    "personalNumber", "deductionDistribution", "expenseDiscount", "expenseCustomProfitMargin",
    "markupPercentSupplierInvoice", "priceList", "priceListName",
}  # fmt: skip
INVOICE_ITEM_KEYS = {
    "createDate", "_id", "houseWorkTypeOfWork", "name", "description", "expenseItem", "expenseItemName",
    "itemType", "numberOfItems", "unit", "unitCost", "totalCost", "discountPercent", "taxPercent", "unitPrice",
    "totalAmount", "totalTaxAmount", "totalAmountInclTax", "itemId", "itemOrder", "houseWorkFlag",
}  # fmt: skip
LOG_ENTRY_KEYS = {"logDate", "_id", "logType", "description", "user", "userName", "additionalData"}
HOUSE_PROPERTIES_KEYS = {
    "typeOfProperty", "propertyDescription", "housingSocietyNumber", "apartmentNumber", "maxDeductionAmount",
    "personalNumber", "deductionDistribution",
}  # fmt: skip
ADDRESS_KEYS = {"name", "address", "address2", "zipCode", "city", "country", "phone"}


@pytest.fixture(scope="module")
def data() -> dict[str, list[dict]]:
    return demo.generate(TODAY)


@pytest.fixture(scope="module")
def ids(data) -> dict[str, dict[str, dict]]:
    return {name: {doc["_id"]: doc for doc in docs if "_id" in doc} for name, docs in data.items()}


def moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def local_day(value: str) -> dt.date:
    return moment(value).astimezone(STOCKHOLM).date()


def is_local_midnight(value: str) -> bool:
    local = moment(value).astimezone(STOCKHOLM)
    return (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)


def amount(value) -> Decimal:
    return Decimal(str(value))


def full_name(user: dict) -> str:
    return f"{user['firstName']} {user['lastName']}"


def walk(value, path=""):
    """Every (key, value, path) in a document, nested ones included."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item, f"{path}.{key}"
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


def invoice_state(invoice: dict) -> str:
    if invoice["isCreditInvoice"]:
        return "credit invoice"
    if invoice["isCredited"]:
        return "credited"
    if invoice["invoiceStatus"] == 4:  # Seven Time's "Obliterated"
        return "voided"
    if invoice["sentDate"] is None:
        return "draft"
    if invoice["paymentDate"]:
        return "paid"
    if invoice["partiallyPaid"]:
        return "partially paid"
    return "overdue" if local_day(invoice["dueDate"]) < TODAY else "not due"


def days_overdue(invoice: dict) -> int:
    return (TODAY - local_day(invoice["dueDate"])).days


# --- generation as a whole -----------------------------------------------------------


def test_generation_is_deterministic(data):
    again = demo.generate(TODAY)
    assert again == data
    assert json.dumps(again, sort_keys=True) == json.dumps(data, sort_keys=True)
    assert demo.generate(TODAY, seed=8) != data
    assert demo.generate(TODAY, seed=7) == data  # 7 is the default seed


def test_generation_leaves_the_global_random_alone():
    state = random.getstate()
    demo.generate(TODAY, seed=3)
    assert random.getstate() == state


def test_modules_do_not_import_django():
    for module in (demo, invoicing):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "django" for name in names), module.__name__


def test_every_collection_is_present_non_empty_and_json(data):
    assert set(data) == set(demo.COLLECTIONS)
    assert len(demo.COLLECTIONS) == 18
    for name, docs in data.items():
        assert docs, name
    assert json.loads(json.dumps(data)) == data


def test_counts(data):
    assert len(data["customers"]) >= 300
    assert len(data["users"]) == 30
    assert len(data["projects"]) == 120
    assert len(data["workOrders"]) == 400
    assert len(data["invoices"]) == 600
    assert len(data["userRoles"]) == 5
    for name in (
        "defaultSalaryTypes",
        "userSkills",
        "projectStatuses",
        "projectTypes",
        "projectTags",
        "workOrderTypes",
        "workOrderTags",
        "workOrderStatuses",
    ):
        assert len(data[name]) >= 5, name
    assert len(data["departments"]) == 5
    assert len(data["priceLists"]) >= 4
    assert len(data["invoiceTags"]) >= 5


def test_documents_have_every_key_of_the_reference_examples(data):
    for name, keys in REFERENCE_KEYS.items():
        for doc in data[name]:
            assert keys <= set(doc), (name, keys - set(doc))
    for customer in data["customers"]:
        assert set(customer["billingSettings"]) == BILLING_SETTINGS_KEYS
    for project in data["projects"]:
        assert set(project["deliveryAddress"]) == ADDRESS_KEYS
        assert set(project["budget"]) == {
            "typeOfBenefitCalc",
            "benefits",
            "benefitTotal",
            "typeOfCostCalc",
            "costs",
            "costTotal",
        }
        assert set(project["recurringBudget"]) == {"budgetTime", "budgetAmount", "budgetType"}
        assert set(project["budgetCalculation"]) == {"invoiceItems", "totalBenefitAmount", "totalCostAmount"}
    for work_order in data["workOrders"]:
        assert {"useOtherAddress", "address", "zipCode", "city"} <= set(work_order["workAddress"])
    for invoice in data["invoices"]:
        assert set(invoice["deliveryAddress"]) == ADDRESS_KEYS
        assert set(invoice["houseProperties"]) == HOUSE_PROPERTIES_KEYS
        for row in invoice["invoiceItems"]:
            assert set(row) == INVOICE_ITEM_KEYS
        for entry in invoice["invoiceLogEntries"]:
            assert set(entry) == LOG_ENTRY_KEYS
        for payment in invoice["partialPayments"]:
            assert set(payment) == {"_id", "paymentDate", "amount"}


def test_ids_are_object_ids_and_unique_everywhere(data):
    seen = Counter()
    for name, docs in data.items():
        for doc in docs:
            if name == "userRoles":
                assert "_id" not in doc
                continue
            assert OBJECT_ID.match(doc["_id"]), doc["_id"]
            seen[doc["_id"]] += 1
            for key, value, path in walk(doc):
                if key == "_id" and path != "._id":  # ids of sub-documents (rows, log entries, ...)
                    assert OBJECT_ID.match(value), value
                    seen[value] += 1
    for constant in (demo.RESULT_UNITS, demo.CUSTOM_FIELDS, demo.EXPENSE_ITEMS):
        for item in constant:
            seen[item["_id"]] += 1
    duplicates = [key for key, count in seen.items() if count > 1]
    assert not duplicates


def test_ids_of_lookups_do_not_depend_on_the_seed(data):
    other = demo.generate(TODAY, seed=99)
    for name in ("projectStatuses", "workOrderStatuses", "invoiceTags", "departments", "priceLists"):
        assert [doc["_id"] for doc in other[name]] == [doc["_id"] for doc in data[name]]


def test_colors_come_from_the_palette(data):
    palette = set(demo.PALETTE)
    assert len(palette) == 24
    for name in (
        "projectStatuses",
        "projectTags",
        "workOrderTypes",
        "workOrderTags",
        "workOrderStatuses",
        "invoiceTags",
        "projects",
        "workOrders",
    ):
        for doc in data[name]:
            assert doc["color"] in palette, (name, doc["color"])


# --- lookups and users ---------------------------------------------------------------


def test_user_roles(data):
    assert [(r["userRoleId"], r["userRoleName"]) for r in data["userRoles"]] == [
        (1, "Administratör"),
        (10, "Arbetsledare"),
        (20, "Tekniker"),
        (30, "Tjänsteman"),
        (40, "Ekonomi"),
    ]


def test_statuses(data):
    work_order_statuses = {s["statusName"]: s for s in data["workOrderStatuses"]}
    assert {"Ej planerad", "Planerad", "Pågående", "Klar", "Fakturerad", "Avbruten"} <= set(work_order_statuses)
    assert [s["statusName"] for s in data["workOrderStatuses"] if s["plannedStatus"]] == ["Planerad"]
    project_statuses = data["projectStatuses"]
    assert any(s["inProgressStatus"] for s in project_statuses)
    assert any(s["closedStatus"] for s in project_statuses)
    assert set(demo.PROJECT_STATUS_CODES) == {s["statusName"] for s in project_statuses}
    assert set(demo.WORK_ORDER_STATUS_CODES) == set(work_order_statuses)


def test_users(data, ids):
    users = data["users"]
    roles = Counter(u["userRoleId"] for u in users)
    assert set(roles) == {1, 10, 20, 30, 40}
    assert roles[20] >= 10
    assert 1 <= sum(not u["isActive"] for u in users) <= 5
    assert any(not u["isActivated"] for u in users)
    assert {u["language"] for u in users} == {"SV", "EN"}
    assert len({u["userName"] for u in users}) == 30
    assert len({u["email"] for u in users}) == 30
    assert len({u["employeeNumber"] for u in users}) == 30
    for user in users:
        assert re.fullmatch(r"\d{6}-\d{4}", user["personalNumber"])
        assert luhn_valid(user["personalNumber"].replace("-", ""))
        assert ids["departments"][user["department"]]["name"] == user["departmentName"]
        assert user["defaultSalaryType"] in ids["defaultSalaryTypes"]
        assert all(skill in ids["userSkills"] for skill in user["userSkills"])
        assert re.fullmatch(r"[\w.]+@[\w.-]+\.se", user["email"], re.ASCII)
    for department in data["departments"]:
        assert department["managerIds"]
        assert all(manager in ids["users"] for manager in department["managerIds"])


# --- customers and contact persons ---------------------------------------------------


def test_customer_numbers_are_unique_strings(data):
    numbers = [c["customerNumber"] for c in data["customers"]]
    assert all(isinstance(number, str) and number.isdigit() for number in numbers)
    assert len(set(numbers)) == len(numbers)


def test_organisation_numbers_pass_luhn(data):
    swedish = [c for c in data["customers"] if not c["country"]]
    for customer in swedish:
        number = customer["organizationNumber"]
        assert re.fullmatch(r"\d{6}-\d{4}", number), number
        assert luhn_valid(number.replace("-", "")), number
        if customer["vatNumber"]:  # a company: a real organisation number and a VAT number built from it
            assert int(number[2]) >= 2, number
            assert customer["vatNumber"] == "SE" + number.replace("-", "") + "01"
        else:  # a private person: a personnummer with a real birth date
            dt.datetime.strptime(number[:6], "%y%m%d")
    for customer in data["customers"]:
        if customer["organizationNumber"]:
            assert luhn_valid(customer["organizationNumber"].replace("-", ""))
        for person in customer["billingSettings"]["deductionDistribution"]:
            assert luhn_valid(person["personalNumber"].replace("-", ""))
        if customer["billingSettings"]["housingSocietyNumber"]:
            assert luhn_valid(customer["billingSettings"]["housingSocietyNumber"].replace("-", ""))
    assert sum(1 for c in swedish if c["vatNumber"]) >= 150
    assert sum(1 for c in swedish if not c["vatNumber"]) >= 50


def test_customer_names_and_places(data):
    names = [c["name"] for c in data["customers"]]
    assert names.count(demo.SCRIPT_CUSTOMER_NAME) == 1
    assert demo.SCRIPT_CUSTOMER_NAME == "<script>alert(1)</script> Test AB"
    assert [n for n in names if "<" in n or ">" in n] == [demo.SCRIPT_CUSTOMER_NAME]
    assert "Åkesson & Söner AB" in names
    assert "O'Brien Consulting" in names
    assert {"DK", "NO", "DE"} <= {c["country"] for c in data["customers"]}
    cities = {c["city"] for c in data["customers"]}
    assert {"Ängelholm", "Västra Karup"} & cities
    for customer in data["customers"]:
        if not customer["country"]:
            assert re.fullmatch(r"\d{3} \d{2}", customer["zipCode"]), customer["zipCode"]
        assert customer["paymentDays"] in (10, 15, 20, 30)
        assert "@" in customer["email"]
    assert 1 <= sum(not c["isActive"] for c in data["customers"]) <= 20


def test_rot_and_rut_customers(data):
    house = [
        c for c in data["customers"] if c["billingSettings"]["isROTCustomer"] or c["billingSettings"]["isRUTCustomer"]
    ]
    assert len(house) >= 30
    assert any(c["billingSettings"]["isRUTCustomer"] for c in house)
    property_types = Counter(c["billingSettings"]["typeOfProperty"] for c in house)
    assert set(property_types) == {1, 2}
    for customer in house:
        settings = customer["billingSettings"]
        assert customer["vatNumber"] == ""  # private persons
        if settings["typeOfProperty"] == 1:
            assert re.fullmatch(r".+ \d+:\d+", settings["propertyDescription"])
        else:
            assert settings["housingSocietyNumber"] and settings["apartmentNumber"]
        people = settings["deductionDistribution"]
        assert 1 <= len(people) <= 2
        assert sum(p["distributionPercent"] for p in people) == 100
        assert people[0]["userName"] == customer["name"]
        assert people[0]["personalNumber"] == customer["organizationNumber"]
        for person in people:
            assert set(person) == {"itemId", "userName", "personalNumber", "distributionPercent", "_id"}


def test_contact_persons(data, ids):
    by_customer: dict[str, list[dict]] = {}
    for contact in data["contactPersons"]:
        customer = ids["customers"][contact["customer"]]
        assert contact["customerName"] == customer["name"]
        by_customer.setdefault(contact["customer"], []).append(contact)
    for contacts in by_customer.values():
        assert 1 <= len(contacts) <= 3
        assert sum(c["mainContact"] for c in contacts) == 1
    companies = [c for c in data["customers"] if c["vatNumber"]]
    assert sum(c["_id"] in by_customer for c in companies) >= 0.7 * len(companies)
    assert not any(c["_id"] in by_customer for c in data["customers"] if not c["vatNumber"] and not c["country"])


# --- projects and work orders --------------------------------------------------------


def test_projects(data, ids):
    statuses = ids["projectStatuses"]
    numbers = [p["projectNumber"] for p in data["projects"]]
    assert len(set(numbers)) == len(numbers) and all(isinstance(n, str) for n in numbers)
    methods = Counter(p["billingMethod"] for p in data["projects"])
    assert {"HOURLY", "FIXED_PRICE", "PRICELIST", "PERUSER", "HOURLY_PER_TIMECATEGORY", "ACCORDING_TO_CUSTOMER"} <= set(
        methods
    )
    assert {p["invoiceStatus"] for p in data["projects"]} <= {0, 5, 10, 20, 30}
    assert len({p["invoiceStatus"] for p in data["projects"]}) >= 4
    assert any(p["customFields"] for p in data["projects"])
    assert any(p["deliveryAddress"]["address"] for p in data["projects"])
    for project in data["projects"]:
        status = statuses[project["projectStatusRef"]]
        assert demo.PROJECT_STATUS_CODES[status["statusName"]] == project["projectStatus"]
        if project["billingMethod"] == "HOURLY" and project["customer"]:
            assert project["pricePerHour"] > 0
        if project["billingMethod"] == "FIXED_PRICE":
            assert project["fixedPrice"] > 0
        if project["billingMethod"] == "PRICELIST":
            assert project["timeCategoryPriceList"] in ids["priceLists"]
        if project["billingMethod"] == "ACCORDING_TO_CUSTOMER":
            assert ids["customers"][project["customer"]]["billingMethod"]
        for tag in project["tags"]:
            assert tag in ids["projectTags"]
        for field in project["customFields"]:
            assert field["fieldId"] in {f["_id"] for f in demo.CUSTOM_FIELDS}
        if project["startDate"] and project["endDate"]:
            assert project["startDate"] <= project["endDate"]


def test_work_orders(data, ids):
    numbers = [w["workOrderNumber"] for w in data["workOrders"]]
    assert len({str(n) for n in numbers}) == len(numbers)
    kinds = Counter(type(n) for n in numbers)
    assert kinds[int] > kinds[str] > 0
    assert 0.6 <= sum(1 for w in data["workOrders"] if w["project"]) / len(numbers) <= 0.85
    assert {"RUNNING", "FIXED_PRICE", "ACCORDING_TO_QUOTE"} == {w["billingMethod"] for w in data["workOrders"]}
    statuses = Counter(ids["workOrderStatuses"][w["statusRef"]]["statusName"] for w in data["workOrders"])
    assert set(statuses) == set(demo.WORK_ORDER_STATUS_CODES)
    for work_order in data["workOrders"]:
        status = ids["workOrderStatuses"][work_order["statusRef"]]
        assert demo.WORK_ORDER_STATUS_CODES[status["statusName"]] == work_order["status"]
        if work_order["billingMethod"] == "FIXED_PRICE":
            assert work_order["fixedPrice"] > 0
        assert work_order["invoiceStatus"] in (0, 5, 10, 20, 30)
        if work_order["startDate"]:
            start = moment(work_order["startDate"]).astimezone(STOCKHOLM)
            end = moment(work_order["endDate"]).astimezone(STOCKHOLM)
            assert (start.hour, end.hour) == (7, 16)
            assert start < end
        if status["statusName"] == "Planerad":
            assert local_day(work_order["startDate"]) >= TODAY
        if status["statusName"] == "Klar":
            assert local_day(work_order["endDate"]) < TODAY


# --- references between records ------------------------------------------------------


def test_references_exist_and_copied_names_match(data, ids):
    customers, users, projects = ids["customers"], ids["users"], ids["projects"]
    contacts, work_orders = ids["contactPersons"], ids["workOrders"]
    result_units = {u["_id"]: u["name"] for u in demo.RESULT_UNITS}

    for project in data["projects"]:
        if project["customer"]:
            assert project["customerName"] == customers[project["customer"]]["name"]
        if project["contactPerson"]:
            contact = contacts[project["contactPerson"]]
            assert contact["customer"] == project["customer"] and contact["name"] == project["contactPersonName"]
        assert project["projectLeaderName"] == full_name(users[project["projectLeader"]])
        assert ids["departments"][project["department"]]["name"] == project["departmentName"]
        assert ids["projectTypes"][project["projectType"]]["projectTypeName"] == project["projectTypeName"]
        if project["resultUnit"]:
            assert result_units[project["resultUnit"]] == project["resultUnitName"]

    for work_order in data["workOrders"]:
        customer = customers[work_order["customer"]]
        assert (work_order["customerName"], work_order["customerNumber"]) == (
            customer["name"],
            customer["customerNumber"],
        )
        assert work_order["createdByUserName"] == full_name(users[work_order["createdByUser"]])
        if work_order["project"]:
            project = projects[work_order["project"]]
            assert project["name"] == work_order["projectName"] and project["customer"] == work_order["customer"]
        if work_order["contactPerson"]:
            assert contacts[work_order["contactPerson"]]["customer"] == work_order["customer"]
        assert work_order["workOrderType"] in ids["workOrderTypes"]
        assert work_order["department"] in ids["departments"]
        assert work_order["workLeader"] in users
        assert all(user in users for user in work_order["users"])
        assert all(tag in ids["workOrderTags"] for tag in work_order["tags"])

    expense_items = {item["_id"]: item["name"] for item in demo.EXPENSE_ITEMS}
    for invoice in data["invoices"]:
        customer = customers[invoice["customer"]]
        assert invoice["customerName"] == customer["name"]
        assert invoice["customerNumber"] == customer["customerNumber"]
        assert invoice["customerOrgNo"] == customer["organizationNumber"]
        assert invoice["customerVAT"] == customer["vatNumber"]
        assert (
            customer["address"] in invoice["customerAddress"]
            or customer["billingSettings"]["useSeparateBillingAddress"]
        )
        assert invoice["createdByUserName"] == full_name(users[invoice["createdByUser"]])
        assert invoice["ourReferenceName"] == full_name(users[invoice["ourReference"]])
        if invoice["project"]:
            project = projects[invoice["project"]]
            assert project["name"] == invoice["projectName"] and project["customer"] == invoice["customer"]
        else:
            assert invoice["projectName"] == ""
        if invoice["contactPerson"]:
            contact = contacts[invoice["contactPerson"]]
            assert contact["customer"] == invoice["customer"] and contact["name"] == invoice["contactPersonName"]
        if invoice["workOrder"]:
            work_order = work_orders[invoice["workOrder"]]
            assert str(work_order["workOrderNumber"]) == invoice["workOrderNumber"]
            assert invoice["workOrderIds"][0] == invoice["workOrder"]
        for work_order_id in invoice["workOrderIds"]:
            work_order = work_orders[work_order_id]
            assert work_order["customer"] == invoice["customer"]
            assert work_order["project"] == invoice["project"]
        if invoice["resultUnit"]:
            assert result_units[invoice["resultUnit"]] == invoice["resultUnitName"]
        if invoice["priceList"]:
            assert ids["priceLists"][invoice["priceList"]]["name"] == invoice["priceListName"]
        assert all(tag in ids["invoiceTags"] for tag in invoice["tags"])
        for row in invoice["invoiceItems"]:
            if row["expenseItem"]:
                assert expense_items[row["expenseItem"]] == row["expenseItemName"]
        for entry in invoice["invoiceLogEntries"]:
            assert entry["userName"] == full_name(users[entry["user"]])

    # Invoiced work orders are marked so, and every work order marked invoiced has an invoice.
    invoiced = {wo for invoice in data["invoices"] for wo in invoice["workOrderIds"]}
    for work_order in data["workOrders"]:
        assert (work_order["_id"] in invoiced) == (work_order["status"] == demo.WORK_ORDER_STATUS_CODES["Fakturerad"])


def test_records_exist_when_they_are_used(data, ids):
    for contact in data["contactPersons"]:
        assert ids["customers"][contact["customer"]]["createdDate"] <= contact["createdDate"]
    for project in data["projects"]:
        if project["customer"]:
            assert ids["customers"][project["customer"]]["createdDate"] <= project["createdDate"]
    for work_order in data["workOrders"]:
        assert ids["customers"][work_order["customer"]]["createdDate"] <= work_order["createDate"]
        if work_order["project"]:
            assert ids["projects"][work_order["project"]]["createdDate"] <= work_order["createDate"]
    for invoice in data["invoices"]:
        customer = ids["customers"][invoice["customer"]]
        assert customer["createdDate"] <= invoice["createDate"]
        if invoice["project"]:
            assert ids["projects"][invoice["project"]]["createdDate"] <= invoice["createDate"]
        for work_order_id in invoice["workOrderIds"]:
            assert ids["workOrders"][work_order_id]["createDate"] <= invoice["createDate"]


# --- dates ----------------------------------------------------------------------------


def test_timestamps_are_utc_with_milliseconds(data):
    for name, docs in data.items():
        for doc in docs:
            for key, value, path in walk(doc):
                if key in TIMESTAMP_FIELDS or key == "paymentDate":
                    assert value is None or TIMESTAMP.match(value), (name, path, value)


def test_calendar_days_are_midnight_in_stockholm(data):
    for invoice in data["invoices"]:
        for key in ("invoiceDate", "dueDate", "paymentDate"):
            assert invoice[key] is None or is_local_midnight(invoice[key]), (key, invoice[key])
        for payment in invoice["partialPayments"]:
            assert is_local_midnight(payment["paymentDate"])
    for project in data["projects"]:
        for key in ("startDate", "endDate"):
            assert project[key] is None or is_local_midnight(project[key])
    # Both sides of daylight saving time occur: 23:00Z in winter, 22:00Z in summer.
    hours = {moment(i["invoiceDate"]).hour for i in data["invoices"]}
    assert hours == {22, 23}


def test_dates_lie_within_the_last_18_months(data):
    earliest = WINDOW_START
    for invoice in data["invoices"]:
        for key in ("invoiceDate", "createDate", "sentDate", "paymentDate", "reminderDate", "archivedDate"):
            if invoice[key]:
                assert earliest <= local_day(invoice[key]) <= TODAY, (key, invoice[key])
        for entry in invoice["invoiceLogEntries"]:
            assert earliest <= local_day(entry["logDate"]) <= TODAY
        for payment in invoice["partialPayments"]:
            assert earliest <= local_day(payment["paymentDate"]) <= TODAY
        assert local_day(invoice["dueDate"]) <= TODAY + dt.timedelta(days=31)
    for name, docs in data.items():
        for doc in docs:
            for key in ("createdDate", "modifiedDate", "createDate"):
                if key in doc:
                    assert earliest <= local_day(doc[key]) <= TODAY, (name, key, doc[key])
            if "createdDate" in doc and "modifiedDate" in doc:
                assert doc["createdDate"] <= doc["modifiedDate"], (name, doc["_id"])
    invoice_days = [local_day(i["invoiceDate"]) for i in data["invoices"]]
    assert min(invoice_days) <= WINDOW_START + dt.timedelta(days=30)
    assert max(invoice_days) >= TODAY - dt.timedelta(days=3)


# --- invoices -----------------------------------------------------------------------


def test_invoice_numbers_and_ocr(data):
    invoices = data["invoices"]
    numbers = [i["invoiceNumber"] for i in invoices]
    assert len(set(numbers)) == len(numbers)
    assert sorted(int(n) for n in numbers) == list(range(int(min(numbers)), int(min(numbers)) + len(numbers)))
    by_number = sorted(invoices, key=lambda i: int(i["invoiceNumber"]))
    assert [i["invoiceDate"] for i in by_number] == sorted(i["invoiceDate"] for i in invoices)
    for invoice in invoices:
        ocr = invoice["OCRNumber"]
        assert ocr.startswith(invoice["invoiceNumber"])
        assert luhn_valid(ocr)
        assert ocr == ocr_number(invoice["invoiceNumber"])
        assert invoice["invoiceName"] in ("Faktura", "Invoice", "Kreditfaktura", "Credit invoice")


def test_due_date_follows_the_customers_payment_terms(data, ids):
    for invoice in data["invoices"]:
        days = (local_day(invoice["dueDate"]) - local_day(invoice["invoiceDate"])).days
        assert days == ids["customers"][invoice["customer"]]["paymentDays"]


def test_invoice_rows_are_computed_and_totals_are_their_sum(data):
    for invoice in data["invoices"]:
        rows = invoice["invoiceItems"]
        assert 1 <= len(rows) <= 6
        for row in rows:
            assert row["itemType"] in ("time", "expense", "text")
            assert compute_row(row) == row  # the stored totals are exactly what compute_row gives
            assert amount(row["totalAmountInclTax"]) == amount(row["totalAmount"]) + amount(row["totalTaxAmount"])
            assert row["unit"] in ("tim", "st", "m", "mil", "dag", "")
            if not invoice["multipleTaxesOnRows"]:
                assert row["taxPercent"] == invoice["taxPercent"]
        total = sum((amount(r["totalAmount"]) for r in rows), Decimal(0))
        tax = sum((amount(r["totalTaxAmount"]) for r in rows), Decimal(0))
        assert amount(invoice["totalAmount"]) == total
        assert amount(invoice["totalTaxAmount"]) == tax
        assert amount(invoice["totalAmountInclTax"]) == total + tax + amount(invoice["totalAmountRounding"])
        if invoice["currencyCode"] == "SEK":
            assert amount(invoice["totalAmountInclTax"]) == amount(invoice["totalAmountInclTax"]).to_integral_value()
            assert abs(amount(invoice["totalAmountRounding"])) <= Decimal("0.5")
        else:
            assert invoice["totalAmountRounding"] == 0
        assert compute_totals(rows, invoice["currencyCode"]) == {
            key: invoice[key] for key in ("totalAmount", "totalTaxAmount", "totalAmountInclTax", "totalAmountRounding")
        }
        assert amount(invoice["totalCost"]) == sum((amount(r["totalCost"]) for r in rows), Decimal(0))
    item_types = Counter(row["itemType"] for i in data["invoices"] for row in i["invoiceItems"])
    assert set(item_types) == {"time", "expense", "text"}
    assert any(row["discountPercent"] for i in data["invoices"] for row in i["invoiceItems"])


def test_every_invoice_state_is_present(data):
    states = Counter(invoice_state(i) for i in data["invoices"])
    assert states["draft"] >= 15
    assert states["not due"] >= 20
    assert states["overdue"] >= 40
    assert states["partially paid"] >= 8
    assert states["paid"] >= 300
    assert states["credited"] == states["credit invoice"] >= 5
    assert sum(1 for i in data["invoices"] if i["archived"]) >= 5
    assert any(i["reminderDate"] for i in data["invoices"] if invoice_state(i) == "overdue")


def test_overdue_invoices_cover_the_ageing_buckets_and_their_boundaries(data):
    overdue = Counter(days_overdue(i) for i in data["invoices"] if invoice_state(i) == "overdue")
    for days in (1, 30, 31, 60, 61, 90, 91):
        assert overdue[days] >= 1, days
    buckets = Counter()
    for days, count in overdue.items():
        buckets[1 if days <= 30 else 2 if days <= 60 else 3 if days <= 90 else 4] += count
    assert all(buckets[bucket] >= 5 for bucket in (1, 2, 3, 4)), buckets
    partly_paid_overdue = [i for i in data["invoices"] if invoice_state(i) == "partially paid" and days_overdue(i) > 0]
    assert partly_paid_overdue


def test_invoice_fields_match_their_state(data):
    for invoice in data["invoices"]:
        state = invoice_state(invoice)
        status = invoice["invoiceStatus"]
        log_types = [entry["logType"] for entry in invoice["invoiceLogEntries"]]
        assert log_types[0] == 1  # created
        assert [e["logDate"] for e in invoice["invoiceLogEntries"]] == sorted(
            e["logDate"] for e in invoice["invoiceLogEntries"]
        )
        assert local_day(invoice["createDate"]) == local_day(invoice["invoiceDate"])
        if state == "draft":
            assert status == INVOICE_DRAFT
            assert invoice["paymentDate"] is None and invoice["reminderDate"] is None
            assert not invoice["exportedToEconomy"] and not invoice["partialPayments"]
            assert local_day(invoice["invoiceDate"]) >= TODAY - dt.timedelta(days=14)
            assert log_types == [1]
            continue
        assert invoice["sentDate"] >= invoice["createDate"]
        assert 2 in log_types
        if state in ("not due", "overdue", "partially paid", "credited", "credit invoice"):
            # Seven Time's "Sent" (2): unpaid, whether due or not; crediting has no code of its own.
            assert status == INVOICE_SENT
            assert invoice["paymentDate"] is None
        if state == "voided":
            # "Obliterated" only on a sent invoice, never paid, and the log says when.
            assert status == INVOICE_VOIDED and invoice["paymentDate"] is None and not invoice["partialPayments"]
            assert log_types[-1] == 9 and not invoice["archived"]
        if state == "partially paid":
            paid = sum((amount(p["amount"]) for p in invoice["partialPayments"]), Decimal(0))
            assert 0 < paid < amount(invoice["totalAmountInclTax"])
            assert all(p["paymentDate"] > invoice["sentDate"] for p in invoice["partialPayments"])
        else:
            assert not invoice["partialPayments"] and not invoice["partiallyPaid"]
        if state == "paid":
            assert status == INVOICE_PAID
            assert invoice["paymentDate"] > invoice["sentDate"]
            assert local_day(invoice["paymentDate"]) <= TODAY
            assert 6 in log_types
        else:
            assert invoice["paymentDate"] is None
        if invoice["archived"]:
            assert state == "paid" and invoice["archivedDate"] > invoice["paymentDate"]
        else:
            assert invoice["archivedDate"] is None
        if invoice["reminderDate"]:
            assert local_day(invoice["reminderDate"]) > local_day(invoice["dueDate"])
    # Codes are used consistently: one status per state.
    by_state: dict[str, set[int]] = {}
    for invoice in data["invoices"]:
        by_state.setdefault(invoice_state(invoice), set()).add(invoice["invoiceStatus"])
    assert by_state["paid"] == {INVOICE_PAID} and by_state["draft"] == {INVOICE_DRAFT}
    assert by_state["overdue"] == by_state["not due"] == by_state["partially paid"] == {INVOICE_SENT}
    assert by_state["voided"] == {INVOICE_VOIDED}
    # Seven Time's codes: 1 Draft, 2 Sent, 3 Paid, 4 Obliterated; nothing else, and no 0.
    assert {invoice["invoiceStatus"] for invoice in data["invoices"]} == {1, 2, 3, 4}


def test_some_voided_invoices_are_past_their_due_date(data):
    """Voided invoices that would count as overdue if the status were not read."""
    voided = [i for i in data["invoices"] if i["invoiceStatus"] == INVOICE_VOIDED]
    assert len(voided) == demo.INVOICE_STATE_COUNTS["voided"] >= 5
    assert sum(local_day(i["dueDate"]) < TODAY for i in voided) >= 3
    assert any(local_day(i["dueDate"]) >= TODAY for i in voided)
    assert {i["currencyCode"] for i in voided} <= {"SEK", "EUR"} and all(i["sentDate"] for i in voided)


def test_credit_invoices_point_at_their_originals(data, ids):
    invoices = ids["invoices"]
    credits = [i for i in data["invoices"] if i["isCreditInvoice"]]
    assert credits
    for credit in credits:
        original = invoices[credit["creditForInvoice"]]
        assert credit["creditForInvoiceNumber"] == original["invoiceNumber"]
        assert original["isCredited"] and not original["isCreditInvoice"]
        assert original["creditInvoice"] == credit["_id"]
        assert original["creditInvoiceNumber"] == credit["invoiceNumber"]
        assert credit["customer"] == original["customer"]
        assert credit["invoiceDate"] > original["invoiceDate"]
        assert amount(credit["totalAmount"]) == -amount(original["totalAmount"]) < 0
        assert amount(credit["totalAmountInclTax"]) == -amount(original["totalAmountInclTax"])
        for negated, row in zip(credit["invoiceItems"], original["invoiceItems"], strict=True):
            assert amount(negated["numberOfItems"]) == -amount(row["numberOfItems"])
            assert amount(negated["totalAmount"]) == -amount(row["totalAmount"])
    for invoice in data["invoices"]:
        if invoice["isCredited"]:
            assert invoices[invoice["creditInvoice"]]["creditForInvoice"] == invoice["_id"]
        elif not invoice["isCreditInvoice"]:
            assert invoice["creditInvoice"] is None and invoice["creditForInvoice"] is None


def test_rot_and_rut_invoices(data, ids):
    house = [i for i in data["invoices"] if i["invoiceType"] in (1, 2)]
    assert 0.07 <= len(house) / len(data["invoices"]) <= 0.13
    assert {i["invoiceType"] for i in house} == {1, 2}
    assert {i["houseProperties"]["typeOfProperty"] for i in house} == {1, 2}
    for invoice in house:
        customer = ids["customers"][invoice["customer"]]
        flag = "isROTCustomer" if invoice["invoiceType"] == 1 else "isRUTCustomer"
        assert customer["billingSettings"][flag]
        properties = invoice["houseProperties"]
        if properties["typeOfProperty"] == 1:
            assert properties["propertyDescription"]
        else:
            assert properties["housingSocietyNumber"] and properties["apartmentNumber"]
        people = properties["deductionDistribution"]
        assert people and sum(p["distributionPercent"] for p in people) == 100
        assert properties["maxDeductionAmount"] > 0
        labour = [r for r in invoice["invoiceItems"] if r["houseWorkFlag"]]
        assert labour and all(r["itemType"] == "time" and r["houseWorkTypeOfWork"] for r in labour)
        basis = sum((amount(r["totalAmountInclTax"]) for r in labour), Decimal(0))
        assert amount(invoice["houseDeductionBasisAmount"]) == basis
        rate = Decimal("0.30") if invoice["invoiceType"] == 1 else Decimal("0.50")
        assert invoice["houseDeductionAmount"] == int(basis * rate)  # rounded down to whole kronor
    for invoice in data["invoices"]:
        if invoice["invoiceType"] == 0:
            assert invoice["houseProperties"]["typeOfProperty"] is None
            assert invoice["houseDeductionAmount"] == invoice["houseDeductionBasisAmount"] == 0
            assert not any(r["houseWorkFlag"] for r in invoice["invoiceItems"])


def test_currencies_and_vat_rates(data):
    currencies = Counter(i["currencyCode"] for i in data["invoices"])
    assert set(currencies) == {"SEK", "EUR"}
    assert currencies["SEK"] / len(data["invoices"]) >= 0.9
    for invoice in data["invoices"]:
        if invoice["currencyCode"] == "EUR":
            assert Decimal("11.2") <= amount(invoice["currencyRate"]) <= Decimal("11.6")
        else:
            assert invoice["currencyRate"] == 1
    rates = Counter(row["taxPercent"] for i in data["invoices"] for row in i["invoiceItems"])
    assert {0, 6, 12, 25} <= set(rates)
    assert rates[25] == max(rates.values())
    mixed = [i for i in data["invoices"] if i["multipleTaxesOnRows"]]
    assert mixed and all(len({r["taxPercent"] for r in i["invoiceItems"]}) > 1 for i in mixed)
    assert {i["language"] for i in data["invoices"]} == {"SV", "EN"}


def test_html_in_invoices(data):
    notes = [i["notes"] for i in data["invoices"] if "<" in (i["notes"] or "")]
    assert notes == [demo.SCRIPT_NOTE]
    assert '<script>alert("x")</script>' in demo.SCRIPT_NOTE
    footers = [i["footerText"] for i in data["invoices"] if i["footerText"]]
    assert footers and all("<table" in f and "F-skatt" in f for f in footers)
    assert all(i["customerAddress"].count("<br>") >= 1 for i in data["invoices"])


def test_projects_invoice_status_follows_invoices(data):
    invoiced = {
        i["project"] for i in data["invoices"] if i["project"] and i["invoiceStatus"] not in (INVOICE_DRAFT, INVOICE_VOIDED)
    }
    for project in data["projects"]:
        if project["invoiceStatus"] in (20, 30) and not project["fixedPriceInvoiced"]:
            assert project["_id"] in invoiced
        if project["customer"] is None:
            assert project["invoiceStatus"] == 5


# --- invoicing ------------------------------------------------------------------------


def test_compute_row_basic():
    row = compute_row({"numberOfItems": 2.5, "unitPrice": 595, "name": "Arbete elektriker"})
    assert row["totalAmount"] == 1487.5
    assert row["totalTaxAmount"] == 371.88  # 371.875 rounded half up
    assert row["totalAmountInclTax"] == 1859.38
    assert row["taxPercent"] == 25 and row["discountPercent"] == 0  # defaults
    assert row["name"] == "Arbete elektriker"


def test_compute_row_discount_tax_and_strings():
    row = compute_row({"numberOfItems": "3", "unitPrice": "129,90", "discountPercent": "10", "taxPercent": "12"})
    assert row["totalAmount"] == 350.73  # 3 * 129.90 * 0.9
    assert row["totalTaxAmount"] == 42.09  # 42.0876
    assert row["totalAmountInclTax"] == 392.82
    assert row["numberOfItems"] == 3 and row["unitPrice"] == 129.9
    assert isinstance(row["totalAmount"], float)


def test_compute_row_returns_a_copy_and_whole_numbers_as_int():
    original = {"numberOfItems": 4, "unitPrice": 250, "taxPercent": 0}
    row = compute_row(original)
    assert original == {"numberOfItems": 4, "unitPrice": 250, "taxPercent": 0}
    assert row["totalAmount"] == 1000 and isinstance(row["totalAmount"], int)
    assert row["totalTaxAmount"] == 0 and isinstance(row["totalTaxAmount"], int)


def test_compute_row_is_exact_where_floats_are_not():
    row = compute_row({"numberOfItems": 0.1, "unitPrice": 3, "taxPercent": 25})
    assert row["totalAmount"] == 0.3
    assert compute_row({"numberOfItems": 1, "unitPrice": 2.675, "taxPercent": 0})["totalAmount"] == 2.68
    assert compute_row({"numberOfItems": 1, "unitPrice": 0.01, "taxPercent": 50})["totalTaxAmount"] == 0.01


def test_compute_row_negative_and_text_rows():
    row = compute_row({"numberOfItems": -2, "unitPrice": 99.5})
    assert (row["totalAmount"], row["totalTaxAmount"], row["totalAmountInclTax"]) == (-199, -49.75, -248.75)
    text = compute_row({"itemType": "text", "name": "Enligt överenskommelse"})
    assert (text["totalAmount"], text["totalTaxAmount"], text["totalAmountInclTax"]) == (0, 0, 0)


@pytest.mark.parametrize(
    "bad",
    [
        {"numberOfItems": "två", "unitPrice": 1},
        {"numberOfItems": 1, "unitPrice": True},
        {"numberOfItems": 1, "unitPrice": "nan"},
        {"numberOfItems": 1, "unitPrice": 1, "discountPercent": 120},
    ],
)
def test_compute_row_rejects_bad_numbers(bad):
    with pytest.raises(ValueError):
        compute_row(bad)


def test_compute_totals_reference_example():
    rows = [
        compute_row({"numberOfItems": 1, "unitPrice": 12345, "taxPercent": 0}),
        compute_row({"numberOfItems": 1, "unitPrice": 2727, "taxPercent": 12}),
        compute_row({"numberOfItems": 1, "unitPrice": 1477, "taxPercent": 0}),
    ]
    assert compute_totals(rows, "SEK") == {
        "totalAmount": 16549,
        "totalTaxAmount": 327.24,
        "totalAmountInclTax": 16876,
        "totalAmountRounding": -0.24,
    }


def test_compute_totals_rounds_only_sek():
    rows = [compute_row({"numberOfItems": 1, "unitPrice": "100.40"})]  # 125.50 incl. VAT
    assert compute_totals(rows, "SEK")["totalAmountInclTax"] == 126
    assert compute_totals(rows, "SEK")["totalAmountRounding"] == 0.5
    assert compute_totals(rows, "EUR") == {
        "totalAmount": 100.4,
        "totalTaxAmount": 25.1,
        "totalAmountInclTax": 125.5,
        "totalAmountRounding": 0,
    }
    credit = [compute_row({"numberOfItems": -1, "unitPrice": "100.40"})]
    assert compute_totals(credit, "SEK")["totalAmountInclTax"] == -126
    assert compute_totals([], "SEK") == {
        "totalAmount": 0,
        "totalTaxAmount": 0,
        "totalAmountInclTax": 0,
        "totalAmountRounding": 0,
    }
    # Raw rows are computed first.
    assert compute_totals([{"numberOfItems": 2, "unitPrice": 50}], "sek")["totalAmountInclTax"] == 125


def test_json_number():
    assert json_number(Decimal("16876.00")) == 16876 and isinstance(json_number(Decimal("16876.00")), int)
    assert json_number(Decimal("327.240")) == 327.24
    assert json_number(Decimal("-0.24")) == -0.24
    assert json_number(Decimal("0.005")) == 0.01
    assert json_number(Decimal("2.675")) == 2.68
    assert json.dumps(json_number(Decimal("327.24"))) == "327.24"


def test_house_deduction():
    rows = [
        compute_row({"numberOfItems": 8, "unitPrice": 620, "houseWorkFlag": True}),  # 6200 incl. VAT
        compute_row({"numberOfItems": 1, "unitPrice": 1000, "houseWorkFlag": False}),
        compute_row({"numberOfItems": 1, "unitPrice": "99.99", "houseWorkFlag": True}),  # 124.99 incl. VAT
    ]
    assert house_deduction(rows, 1) == {"houseDeductionBasisAmount": 6324.99, "houseDeductionAmount": 1897}
    assert house_deduction(rows, 2) == {"houseDeductionBasisAmount": 6324.99, "houseDeductionAmount": 3162}
    assert house_deduction(rows, 2, max_amount=3000)["houseDeductionAmount"] == 3000
    assert house_deduction(rows, 0) == {"houseDeductionBasisAmount": 0, "houseDeductionAmount": 0}


def test_luhn_and_ocr():
    assert luhn_valid("5565960753")  # the reference's organisation number 556596-0753
    assert not luhn_valid("5565960754")
    assert invoicing.luhn_check_digit("811218987") == 6
    assert ocr_number("24481") == "2448173"  # the reference example
    assert luhn_valid(ocr_number("24001"))
