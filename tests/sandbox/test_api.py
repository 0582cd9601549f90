"""The sandbox's HTTP contract: /sandbox/api/1/... as curl (or any non-Python
caller) sees it, through Django's test client.

The sandbox is our fake of the Seven Time API (/work/shared/seventime-api-reference.md);
where the reference is silent it behaves as seventime/sandbox/api.py's docstring
and docs/api-assumptions.md say. Expected values are derived from the demo data
(tests/conftest.py loads it once per session); creates are rolled back by `db`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from seventime.sandbox import store

from .cases import (
    BIG_LISTS,
    FILTER_PARAMS,
    FILTERS,
    GETTABLE,
    LIMIT,
    LOOKUPS,
    NO_SUCH_ID,
    NUMERIC_TEXT_SORTS,
    SECRET,
    THREE_ROWS,
    THREE_ROWS_INVOICE,
    THREE_ROWS_TOTALS,
    TIMESTAMP,
    all_alike,
    customer_with_contacts,
    empty_and_filled,
    expected_ids,
    is_sorted,
    ocr_like_reference,
    pick_value,
    recent,
    sort_key,
    stockholm_midnight_utc,
)

BASE = "/sandbox/api/1/"
AUTH = {"HTTP_CLIENT_SECRET": SECRET}
FORM = "application/x-www-form-urlencoded"
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
STOCKHOLM = ZoneInfo("Europe/Stockholm")


# --- helpers ---


def get(client, path, params=None, **headers):
    return client.get(BASE + path, params or {}, **(headers or AUTH))


def post(client, path, payload):
    return client.post(BASE + path, data=json.dumps(payload), content_type="application/json", **AUTH)


def post_form(client, path, body, content_type=FORM):
    """A form body sent as is, the way `curl -d` sends it."""
    return client.post(BASE + path, data=body, content_type=content_type, **AUTH)


def ok(response):
    assert response.status_code == 200, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def rejected(response, status, field=""):
    """The error answer: `status` and a JSON `errorMessage` starting with `field`."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["errorMessage"]
    assert isinstance(body["errorMessage"], str) and body["errorMessage"].strip()
    assert body["errorMessage"].startswith(field), body["errorMessage"]
    return body["errorMessage"]


def ids(docs):
    return [doc["_id"] for doc in docs]


def count(collection):
    return len(store.all(collection))


def next_number(collection, key):
    return max(int(doc[key]) for doc in store.all(collection) if str(doc[key]).isdigit()) + 1


def comparable(doc, drop=("_id", "createdDate", "modifiedDate", "createDate", "logDate")):
    """A created document without what differs between two otherwise equal creates."""
    if isinstance(doc, dict):
        return {key: comparable(value, drop) for key, value in doc.items() if key not in drop}
    if isinstance(doc, list):
        return [comparable(item, drop) for item in doc]
    return doc


@pytest.fixture
def refs(db):
    """Ids of demo records that creates refer to."""
    customer, contact, other_contact = customer_with_contacts()
    users = store.all("users")
    projects = store.all("projects")
    return {
        "customer": customer,
        "contact": contact,
        "other_contact": other_contact,
        "user": users[2],
        "other_user": users[5],
        "project": projects[3],
        "department": store.all("departments")[1],
        "project_status": store.all("projectStatuses")[2],
        "project_type": store.all("projectTypes")[1],
        "project_tags": store.all("projectTags")[:2],
        "work_order": store.all("workOrders")[10],
        "work_order_status": store.all("workOrderStatuses")[1],
        "work_order_type": store.all("workOrderTypes")[2],
        "price_list": store.all("priceLists")[0],
        "invoice_tags": store.all("invoiceTags")[:2],
    }


# --- authentication ---

AUTH_PATHS = ["customers", "userRoles", "customers/{customer}", "invoices/{invoice}", "nothingHere"]


def _path(template):
    return template.format(customer=store.all("customers")[0]["_id"], invoice=store.all("invoices")[0]["_id"])


@pytest.mark.parametrize("template", AUTH_PATHS)
def test_request_without_client_secret_is_refused_with_401_and_an_error_message(db, client, template):
    response = client.get(BASE + _path(template))

    rejected(response, 401)


@pytest.mark.parametrize("secret", ["wrong", "SANDBOX-SECRET", "sandbox-secret-and-more", "sandbox", ""])
@pytest.mark.parametrize("template", AUTH_PATHS[:3])
def test_request_with_a_wrong_client_secret_is_refused_with_401(db, client, template, secret):
    response = client.get(BASE + _path(template), HTTP_CLIENT_SECRET=secret)

    rejected(response, 401)


def test_request_with_the_client_secret_is_answered_with_200_json(db, client):
    response = get(client, "customers")

    assert isinstance(ok(response), list)


def test_create_without_client_secret_is_refused_and_creates_nothing(db, client):
    before = count("customers")

    response = client.post(BASE + "customers", data=json.dumps({"name": "Smygkund AB"}), content_type="application/json")

    rejected(response, 401)
    assert count("customers") == before


# --- lists ---


@pytest.mark.parametrize("collection", BIG_LISTS)
def test_big_list_returns_at_most_100_records_the_oldest_first(db, client, collection):
    docs = store.all(collection)
    assert len(docs) > LIMIT  # the demo data holds more than the cap

    body = ok(get(client, collection))

    assert len(body) == LIMIT
    assert ids(body) == ids(docs)[:LIMIT]


@pytest.mark.parametrize("collection", [lookup[0] for lookup in LOOKUPS] + ["users"])
def test_small_list_returns_every_record_as_stored(db, client, collection):
    docs = store.all(collection)
    assert 0 < len(docs) <= LIMIT

    assert ok(get(client, collection)) == docs


@pytest.mark.parametrize("path", ["customers/", "userRoles/", "workOrderStatuses/"])
def test_list_path_with_a_trailing_slash_answers_like_without(db, client, path):
    assert ok(get(client, path)) == ok(get(client, path.rstrip("/")))


def test_list_path_with_a_trailing_slash_keeps_its_filters(db, client):
    city = store.all("customers")[0]["city"]

    body = ok(get(client, "customers/", {"city": city}))

    assert body and all(doc["city"] == city for doc in body)


def test_get_path_with_a_trailing_slash_answers_the_record(db, client):
    doc = store.all("projects")[0]

    assert ok(get(client, f"projects/{doc['_id']}/")) == doc


@pytest.mark.parametrize("path", ["nothingHere", "customer", "invoice", "customers/a/b"])
def test_unknown_endpoint_answers_404_with_an_error_message(db, client, path):
    rejected(get(client, path), 404)


# --- filters ---


@pytest.mark.parametrize("case", FILTER_PARAMS)
def test_filter_answers_exactly_the_matching_records_oldest_first(db, client, case):
    wanted = pick_value(case)
    expected = expected_ids(case, wanted)
    assert 0 < len(expected) and (len(expected) < count(case.collection) or all_alike(case))

    body = ok(get(client, case.collection, {case.param: wanted}))

    assert ids(body) == expected


@pytest.mark.parametrize("case", [p for p in FILTER_PARAMS if p.values[0].kind != "flag"])
def test_filter_with_a_value_no_record_has_answers_an_empty_list(db, client, case):
    assert ok(get(client, case.collection, {case.param: "zz-no-such-value-zz"})) == []


TEXT_CASES = ["customers-name", "customers-city", "users-name", "projects-name", "workOrders-title"]


@pytest.mark.parametrize("case", [p for p in FILTER_PARAMS if p.id in TEXT_CASES])
def test_text_filter_ignores_letter_case(db, client, case):
    wanted = pick_value(case)
    assert wanted.swapcase() != wanted

    body = ok(get(client, case.collection, {case.param: wanted.swapcase()}))

    assert ids(body) == expected_ids(case, wanted)


def test_customers_filter_by_city_is_case_insensitive_substring(db, client):
    customers = store.all("customers")
    city = next(doc["city"] for doc in customers if " " in doc["city"])  # e.g. "Västra Karup"
    piece = city[1:-1].upper()  # "ÄSTRA KARU"
    in_city = {doc["_id"] for doc in customers if doc["city"] == city}

    body = ok(get(client, "customers", {"city": piece}))

    assert in_city <= set(ids(body))
    assert all(piece.casefold() in doc["city"].casefold() for doc in body)


def test_users_filter_by_name_matches_full_name_first_name_last_name_or_user_name(db, client):
    user = store.all("users")[10]

    for wanted in (f"{user['firstName']} {user['lastName']}", user["firstName"], user["lastName"], user["userName"]):
        body = ok(get(client, "users", {"name": wanted.upper()}))
        assert user["_id"] in ids(body), wanted


@pytest.mark.parametrize("param", ["isActive", "isActivated"])
def test_users_boolean_filter_true_and_false_split_the_users_between_them(db, client, param):
    users = store.all("users")

    active = ok(get(client, "users", {param: "true"}))
    inactive = ok(get(client, "users", {param: "false"}))

    assert all(doc[param] is True for doc in active) and all(doc[param] is False for doc in inactive)
    assert active and inactive
    assert sorted(ids(active) + ids(inactive)) == sorted(ids(users))


def test_users_filter_by_a_salary_type_nobody_has_answers_no_users(db, client):
    used = {doc["defaultSalaryType"] for doc in store.all("users")}
    unused = next(doc["_id"] for doc in store.all("defaultSalaryTypes") if doc["_id"] not in used)

    assert ok(get(client, "users", {"defaultSalaryType": unused})) == []


def test_filters_combine_so_every_record_matches_all_of_them(db, client):
    customers = store.all("customers")
    city = max((d["city"] for d in customers), key=lambda c: sum(1 for d in customers if d["city"] == c))
    in_city = [d for d in customers if d["city"] == city]
    letter = next(c for c in "bcdfghjkmpuvyåäö" if 0 < sum(1 for d in in_city if c in d["name"].casefold()) < len(in_city))
    expected = [d["_id"] for d in in_city if letter in d["name"].casefold()]

    body = ok(get(client, "customers", {"city": city, "name": letter}))

    assert ids(body) == expected


def test_cap_of_100_applies_after_filtering(db, client):
    customers = store.all("customers")
    letter = next(
        c for c in "aeinorstl" if LIMIT < sum(1 for d in customers if c in d["name"].casefold()) < len(customers)
    )
    matching = [d["_id"] for d in customers if letter in d["name"].casefold()]

    body = ok(get(client, "customers", {"name": letter}))

    assert ids(body) == matching[:LIMIT]


def test_contact_persons_without_customer_id_answer_400_naming_customerId(db, client):
    rejected(get(client, "contactPersons"), 400, "customerId")
    rejected(get(client, "contactPersons", {"customerId": ""}), 400, "customerId")


# --- sorting ---


@pytest.mark.parametrize("direction", ["ascending", "descending"])
def test_users_sorted_by_employee_number_stored_as_text_sort_as_numbers(db, client, direction):
    numbers = sorted(int(doc["employeeNumber"]) for doc in store.all("users"))
    assert max(numbers) >= 10  # as text "10" would come before "2"

    body = ok(get(client, "users", {"sortBy": "employeeNumber", "sortDirection": direction}))

    expected = numbers if direction == "ascending" else numbers[::-1]
    assert [int(doc["employeeNumber"]) for doc in body] == expected


def test_numbers_stored_as_text_of_different_lengths_sort_as_numbers(db, client):
    ok(post(client, "customers", {"name": "Kort nummer AB", "customerNumber": "999"}))
    ok(post(client, "customers", {"name": "Långt nummer AB", "customerNumber": "10000"}))

    ascending = ok(get(client, "customers", {"sortBy": "customerNumber", "sortDirection": "ascending"}))
    descending = ok(get(client, "customers", {"sortBy": "customerNumber", "sortDirection": "descending"}))

    assert ascending[0]["customerNumber"] == "999"  # as text it would sort last
    assert descending[0]["customerNumber"] == "10000"  # as text it would sort before "1001"


SORTS = [(collection, field) for collection, field, _ in NUMERIC_TEXT_SORTS] + [
    ("customers", "name"),
    ("customers", "createdDate"),
    ("invoices", "invoiceDate"),
    ("invoices", "totalAmountInclTax"),
    ("workOrders", "title"),
]


@pytest.mark.parametrize("direction", ["ascending", "descending"])
@pytest.mark.parametrize("collection, field", SORTS)
def test_sort_orders_the_whole_collection_before_the_cap(db, client, collection, field, direction):
    values = [doc[field] for doc in store.all(collection)]
    extreme = max(values, key=sort_key) if direction == "descending" else min(values, key=sort_key)

    body = ok(get(client, collection, {"sortBy": field, "sortDirection": direction}))

    assert len(body) == min(LIMIT, len(values))
    assert is_sorted([doc[field] for doc in body], descending=direction == "descending")
    assert sort_key(body[0][field]) == sort_key(extreme)


def test_sort_direction_defaults_to_ascending(db, client):
    ascending = ok(get(client, "projects", {"sortBy": "name", "sortDirection": "ascending"}))

    assert ok(get(client, "projects", {"sortBy": "name"})) == ascending


def test_sort_applies_within_a_filter(db, client):
    number = store.all("customers")[0]["customerNumber"]

    body = ok(get(client, "invoices", {"customerNumber": number, "sortBy": "totalAmountInclTax", "sortDirection": "descending"}))

    assert len(body) > 1 and all(number in doc["customerNumber"] for doc in body)
    assert [doc["totalAmountInclTax"] for doc in body] == sorted((doc["totalAmountInclTax"] for doc in body), reverse=True)


@pytest.mark.parametrize("direction", ["ascending", "descending"])
def test_records_with_an_empty_sort_field_come_last_in_both_directions(db, client, direction):
    city, empty, filled = empty_and_filled("customers", "vatNumber", by="city")

    body = ok(get(client, "customers", {"city": city, "sortBy": "vatNumber", "sortDirection": direction}))

    values = [doc["vatNumber"] for doc in body]
    assert len(values) == empty + filled
    assert all(values[:filled]) and not any(values[filled:])
    assert is_sorted(values[:filled], descending=direction == "descending")


@pytest.mark.parametrize("direction", ["down", "asc", "desc", "1"])
def test_unknown_sort_direction_answers_400_naming_sortDirection(db, client, direction):
    rejected(get(client, "customers", {"sortBy": "name", "sortDirection": direction}), 400, "sortDirection")


# --- get by id ---


@pytest.mark.parametrize("collection", [g[0] for g in GETTABLE])
def test_get_by_id_answers_the_record_as_the_list_has_it(db, client, collection):
    docs = store.all(collection)
    doc = docs[min(7, len(docs) - 1)]

    assert ok(get(client, f"{collection}/{doc['_id']}")) == doc


@pytest.mark.parametrize("collection", [g[0] for g in GETTABLE])
def test_get_by_unknown_id_answers_404_with_an_error_message(db, client, collection):
    rejected(get(client, f"{collection}/{NO_SUCH_ID}"), 404)


def test_get_by_the_id_of_a_record_of_another_kind_answers_404(db, client):
    customer_id = store.all("customers")[0]["_id"]

    rejected(get(client, f"projects/{customer_id}"), 404)


def test_invoice_singular_path_is_an_alias_of_invoices(db, client):
    doc = store.all("invoices")[42]

    assert ok(get(client, f"invoice/{doc['_id']}")) == ok(get(client, f"invoices/{doc['_id']}")) == doc


def test_invoice_singular_path_with_an_unknown_id_answers_404(db, client):
    rejected(get(client, f"invoice/{NO_SUCH_ID}"), 404)


# --- create customer ---


def test_create_customer_answers_it_with_server_assigned_id_number_and_timestamps(db, client):
    number = next_number("customers", "customerNumber")

    doc = ok(post(client, "customers", {"name": "Testbolaget ABC", "city": "Lund"}))

    assert OBJECT_ID.match(doc["_id"]) and store.get("customers", doc["_id"]) is not None
    assert doc["customerNumber"] == str(number)
    assert TIMESTAMP.match(doc["createdDate"]) and recent(doc["createdDate"])
    assert doc["modifiedDate"] == doc["createdDate"]
    assert (doc["name"], doc["city"], doc["isActive"], doc["billingSettings"]["deductionDistribution"]) == (
        "Testbolaget ABC", "Lund", True, []
    )  # fmt: skip


def test_created_customer_is_listed_and_gettable(db, client):
    doc = ok(post(client, "customers", {"name": "Testbolaget Listad AB"}))

    assert ok(get(client, f"customers/{doc['_id']}")) == doc
    assert ok(get(client, "customers", {"name": "testbolaget listad"})) == [doc]
    assert doc in ok(get(client, "customers", {"customerNumber": doc["customerNumber"]}))


def test_customers_created_one_after_another_get_the_next_numbers(db, client):
    number = next_number("customers", "customerNumber")

    numbers = [ok(post(client, "customers", {"name": f"Kund {i}"}))["customerNumber"] for i in range(3)]

    assert numbers == [str(number), str(number + 1), str(number + 2)]


def test_create_customer_keeps_every_documented_field(db, client):
    price_list = store.all("priceLists")[0]
    payload = {
        "name": "Tommy Hellström",
        "customerNumber": "K-7001",
        "address": "Glimmingevägen 18",
        "address2": "Box 7",
        "zipCode": "269 74",
        "city": "Västra Karup",
        "country": "SE",
        "phone": "0431-360050",
        "email": "support@seventime.se",
        "organizationNumber": "555555-5555",
        "vatNumber": "SE555555555501",
        "paymentDays": 20,
        "billingSettings": {
            "useSeparateBillingAddress": True,
            "address": "Fakturavägen 1",
            "zipCode": "111 22",
            "city": "Stockholm",
            "useSeparateBillingEmail": True,
            "invoiceEmail": "faktura@seventime.se",
            "invoiceDeliveryType": 10,
            "isROTCustomer": True,
            "typeOfProperty": 1,
            "propertyDescription": "Karup 1:23",
            "priceList": price_list["_id"],
            "deductionDistribution": [
                {"userName": "Tommy Hellström", "personalNumber": "19700101-1234", "distributionPercent": 60},
                {"userName": "Anna Hellström", "personalNumber": "19710101-1234", "distributionPercent": 40},
            ],
        },
    }

    doc = ok(post(client, "customers", payload))

    for key, value in payload.items():
        if key != "billingSettings":
            assert doc[key] == value, key
    billing = doc["billingSettings"]
    for key, value in payload["billingSettings"].items():
        if key not in ("priceList", "deductionDistribution"):
            assert billing[key] == value, key
    assert (billing["priceList"], billing["priceListName"]) == (price_list["_id"], price_list["name"])
    assert [(d["userName"], d["personalNumber"], d["distributionPercent"]) for d in billing["deductionDistribution"]] == [
        ("Tommy Hellström", "19700101-1234", 60),
        ("Anna Hellström", "19710101-1234", 40),
    ]


@pytest.mark.parametrize("payload", [{}, {"name": ""}, {"name": "   "}, {"city": "Lund"}])
def test_create_customer_without_name_answers_400_naming_name(db, client, payload):
    before = count("customers")

    rejected(post(client, "customers", payload), 400, "name")
    assert count("customers") == before


def test_create_customer_with_a_customer_number_in_use_answers_400(db, client):
    taken = store.all("customers")[5]["customerNumber"]
    before = count("customers")

    rejected(post(client, "customers", {"name": "Dubblett AB", "customerNumber": taken}), 400, "customerNumber")
    assert count("customers") == before


def test_create_customer_keeps_a_customer_number_nobody_has(db, client):
    doc = ok(post(client, "customers", {"name": "Egen nummer AB", "customerNumber": "90210"}))

    assert doc["customerNumber"] == "90210"
    rejected(post(client, "customers", {"name": "Andra AB", "customerNumber": "90210"}), 400, "customerNumber")


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"billingSettings": {"invoiceEmail": "faktura@"}}, "billingSettings.invoiceEmail"),
        ({"billingSettings": {"priceList": NO_SUCH_ID}}, "priceList"),
        ({"billingSettings": {"invoiceDeliveryType": 5}}, "invoiceDeliveryType"),
        ({"billingSettings": {"typeOfProperty": 3}}, "typeOfProperty"),
        ({"paymentDays": "thirty"}, "paymentDays"),
    ],
    ids=["email", "invoiceEmail", "priceList", "invoiceDeliveryType", "typeOfProperty", "paymentDays"],
)
def test_create_customer_with_an_invalid_field_answers_400_naming_it(db, client, payload, field):
    rejected(post(client, "customers", {"name": "Felaktig AB", **payload}), 400, field)


def _distribution(*percents):
    return [
        {"userName": f"Person {i}", "personalNumber": f"19800101-000{i}", "distributionPercent": p}
        for i, p in enumerate(percents)
    ]


@pytest.mark.parametrize(
    "percents, accepted",
    [((100,), True), ((60, 40), True), ((1, 99), True), ((0, 100), False), ((101,), False), ((-10, 110), False),
     ((50, 40), False), ((60, 50), False)],
    ids=["100", "60+40", "1+99", "0+100", "101", "-10+110", "50+40", "60+50"],
)  # fmt: skip
def test_customer_deduction_distribution_must_be_1_to_100_each_and_add_up_to_100(db, client, percents, accepted):
    payload = {"name": "ROT-kund", "billingSettings": {"isROTCustomer": True, "deductionDistribution": _distribution(*percents)}}

    response = post(client, "customers", payload)

    if accepted:
        assert [d["distributionPercent"] for d in ok(response)["billingSettings"]["deductionDistribution"]] == list(percents)
    else:
        message = rejected(response, 400)
        assert message.startswith(("billingSettings.deductionDistribution", "distributionPercent")), message


@pytest.mark.parametrize("missing", ["userName", "personalNumber", "distributionPercent"])
def test_customer_deduction_item_without_a_required_attribute_answers_400(db, client, missing):
    item = _distribution(100)[0]
    del item[missing]

    message = rejected(post(client, "customers", {"name": "ROT-kund", "billingSettings": {"deductionDistribution": [item]}}), 400)
    assert missing in message


def test_create_customer_keeps_payment_days_0(db, client):
    assert ok(post(client, "customers", {"name": "Kontant AB", "paymentDays": 0}))["paymentDays"] == 0


# --- create user ---

USER = {"firstName": "Tommy", "lastName": "Hellström", "email": "tommy@nummer7.se", "userName": "TommyH", "userRoleId": 20}


def test_create_user_answers_it_with_server_assigned_id_timestamps_and_defaults(db, client):
    doc = ok(post(client, "users", USER))

    assert OBJECT_ID.match(doc["_id"]) and doc["_id"] not in ids(store.all("users")[:-1])
    assert TIMESTAMP.match(doc["createdDate"]) and recent(doc["createdDate"]) and doc["modifiedDate"] == doc["createdDate"]
    assert {k: doc[k] for k in USER} == USER
    assert (doc["language"], doc["isActive"], doc["isActivated"]) == ("SV", False, False)  # as the reference's example


def test_created_user_is_listed_and_gettable(db, client):
    doc = ok(post(client, "users", USER))

    assert ok(get(client, f"users/{doc['_id']}")) == doc
    assert ok(get(client, "users", {"name": "Tommy Hellström"})) == [doc]
    assert doc in ok(get(client, "users", {"userRole": "20"}))


def test_create_user_keeps_optional_fields(db, client):
    department = store.all("departments")[2]
    extra = {"employeeNumber": "77", "workPhone": "0431-1", "cellPhone": "070-1", "isActive": True,
             "isActivated": True, "language": "en", "department": department["_id"]}  # fmt: skip

    doc = ok(post(client, "users", {**USER, **extra}))

    assert (doc["employeeNumber"], doc["workPhone"], doc["cellPhone"]) == ("77", "0431-1", "070-1")
    assert (doc["isActive"], doc["isActivated"], doc["language"]) == (True, True, "EN")
    assert (doc["department"], doc["departmentName"]) == (department["_id"], department["name"])
    assert doc in ok(get(client, "users", {"department": department["_id"], "isActive": "true"}))


@pytest.mark.parametrize("field", list(USER))
def test_create_user_without_a_required_field_answers_400_naming_it(db, client, field):
    payload = {key: value for key, value in USER.items() if key != field}

    rejected(post(client, "users", payload), 400, field)


@pytest.mark.parametrize(
    "change, field",
    [({"userRoleId": 99}, "userRoleId"), ({"email": "tommy.nummer7.se"}, "email"),
     ({"department": NO_SUCH_ID}, "department"), ({"language": "Svenska"}, "language")],
    ids=["unknown-role", "bad-email", "unknown-department", "bad-language"],
)  # fmt: skip
def test_create_user_with_an_invalid_field_answers_400_naming_it(db, client, change, field):
    rejected(post(client, "users", {**USER, **change}), 400, field)


def test_create_user_with_a_user_name_in_use_in_any_letter_case_answers_400(db, client):
    taken = store.all("users")[0]["userName"]

    rejected(post(client, "users", {**USER, "userName": taken.upper()}), 400, "userName")


# --- create project ---


def test_create_project_answers_it_with_server_assigned_id_number_and_timestamps(db, client):
    number = next_number("projects", "projectNumber")

    doc = ok(post(client, "projects", {"name": "App development"}))

    assert OBJECT_ID.match(doc["_id"])
    assert doc["projectNumber"] == str(number)
    assert TIMESTAMP.match(doc["createdDate"]) and recent(doc["createdDate"]) and doc["modifiedDate"] == doc["createdDate"]
    assert (doc["name"], doc["tags"], doc["customer"]) == ("App development", [], None)


def test_created_project_is_listed_and_gettable(db, client):
    doc = ok(post(client, "projects", {"name": "App development"}))

    assert ok(get(client, f"projects/{doc['_id']}")) == doc
    assert ok(get(client, "projects", {"name": "APP DEVELOPMENT"})) == [doc]
    assert ok(get(client, "projects", {"projectNumber": doc["projectNumber"]})) == [doc]


def test_create_project_resolves_every_reference(db, client, refs):
    customer, contact, leader = refs["customer"], refs["contact"], refs["user"]
    payload = {
        "name": "Renovering",
        "projectNumber": "777001",
        "customer": customer["_id"],
        "contactPerson": contact["_id"],
        "projectLeader": leader["_id"],
        "projectStatusRef": refs["project_status"]["_id"],
        "projectType": refs["project_type"]["_id"],
        "department": refs["department"]["_id"],
        "projectTags": [tag["_id"] for tag in refs["project_tags"]],
        "billingMethod": "HOURLY",
        "pricePerHour": 895.5,
        "invoiceStatus": 10,
        "startDate": "2026-03-10",
        "endDate": "2026-06-30",
        "marking": "M1",
        "yourOrderNumber": "PO-1",
        "notes": "Anteckning",
        "deliveryAddress": {"name": "Bygget", "address": "Väg 1", "zipCode": "123 45", "city": "Lund", "country": "SE"},
    }

    doc = ok(post(client, "projects", payload))

    assert (doc["customer"], doc["customerName"]) == (customer["_id"], customer["name"])
    assert (doc["contactPerson"], doc["contactPersonName"]) == (contact["_id"], contact["name"])
    assert (doc["projectLeader"], doc["projectLeaderName"]) == (leader["_id"], f"{leader['firstName']} {leader['lastName']}")
    assert doc["projectStatusRef"] == refs["project_status"]["_id"]
    assert (doc["projectType"], doc["projectTypeName"]) == (refs["project_type"]["_id"], refs["project_type"]["projectTypeName"])
    assert (doc["department"], doc["departmentName"]) == (refs["department"]["_id"], refs["department"]["name"])
    assert doc["tags"] == payload["projectTags"]
    assert (doc["projectNumber"], doc["billingMethod"], doc["pricePerHour"], doc["invoiceStatus"]) == ("777001", "HOURLY", 895.5, 10)
    assert doc["startDate"] == stockholm_midnight_utc(dt.date(2026, 3, 10)) == "2026-03-09T23:00:00.000Z"
    assert doc["endDate"] == stockholm_midnight_utc(dt.date(2026, 6, 30)) == "2026-06-29T22:00:00.000Z"
    assert (doc["marking"], doc["yourOrderNumber"], doc["notes"]) == ("M1", "PO-1", "Anteckning")
    assert doc["deliveryAddress"]["city"] == "Lund" and doc["deliveryAddress"]["address2"] == ""


@pytest.mark.parametrize("payload", [{}, {"name": ""}, {"notes": "no name"}])
def test_create_project_without_name_answers_400_naming_name(db, client, payload):
    rejected(post(client, "projects", payload), 400, "name")


@pytest.mark.parametrize(
    "method, field, value",
    [("HOURLY", "pricePerHour", 950), ("FIXED_PRICE", "fixedPrice", 125000), ("PRICELIST", "timeCategoryPriceList", None)],
)
def test_project_billing_method_requires_its_price_field(db, client, method, field, value):
    value = value if value is not None else store.all("priceLists")[0]["_id"]

    rejected(post(client, "projects", {"name": "P", "billingMethod": method}), 400, field)
    doc = ok(post(client, "projects", {"name": "P", "billingMethod": method, field: value}))
    assert doc[field] == value


def test_project_with_another_billing_method_needs_no_price(db, client):
    assert ok(post(client, "projects", {"name": "P", "billingMethod": "PERUSER"}))["billingMethod"] == "PERUSER"


def test_create_project_with_a_contact_person_of_another_customer_answers_400(db, client, refs):
    payload = {"name": "P", "customer": refs["customer"]["_id"], "contactPerson": refs["other_contact"]["_id"]}

    rejected(post(client, "projects", payload), 400, "contactPerson")


def test_create_project_with_a_contact_person_but_no_customer_answers_400(db, client, refs):
    rejected(post(client, "projects", {"name": "P", "contactPerson": refs["contact"]["_id"]}), 400, "contactPerson")


def test_create_project_with_a_project_number_in_use_answers_400(db, client):
    taken = store.all("projects")[0]["projectNumber"]

    rejected(post(client, "projects", {"name": "P", "projectNumber": taken}), 400, "projectNumber")


@pytest.mark.parametrize("value", ["2026-13-01", "26-01-01", "2026-02-30", "2026-1-5", "10/03/2026", "2026-03-10 08:00"])
@pytest.mark.parametrize("field", ["startDate", "endDate"])
def test_create_project_with_a_bad_date_answers_400_naming_it(db, client, field, value):
    rejected(post(client, "projects", {"name": "P", field: value}), 400, field)


def test_create_project_ending_before_it_starts_answers_400(db, client):
    rejected(post(client, "projects", {"name": "P", "startDate": "2026-03-10", "endDate": "2026-03-09"}), 400, "endDate")


@pytest.mark.parametrize(
    "field, value",
    [("customer", NO_SUCH_ID), ("projectLeader", NO_SUCH_ID), ("projectStatusRef", NO_SUCH_ID),
     ("projectType", NO_SUCH_ID), ("department", NO_SUCH_ID), ("contactPerson", NO_SUCH_ID),
     ("resultUnit", NO_SUCH_ID), ("projectTags", [NO_SUCH_ID]), ("billingMethod", "MONTHLY"),
     ("invoiceStatus", 15), ("projectNumber", "P-12")],
)  # fmt: skip
def test_create_project_with_an_unknown_reference_or_code_answers_400_naming_it(db, client, field, value):
    rejected(post(client, "projects", {"name": "P", field: value}), 400, field)


def test_create_project_with_a_negative_price_says_it_must_not_be_negative(db, client):
    message = rejected(post(client, "projects", {"name": "P", "billingMethod": "HOURLY", "pricePerHour": -5}), 400, "pricePerHour")

    assert "None" not in message


# --- create work order ---


def _work_order(refs, **extra):
    return {"title": "Support", "customer": refs["customer"]["_id"], "createdByUser": refs["user"]["_id"], **extra}


def test_create_work_order_answers_it_with_server_assigned_id_number_and_timestamp(db, client, refs):
    number = next_number("workOrders", "workOrderNumber")

    doc = ok(post(client, "workOrders", _work_order(refs)))

    assert OBJECT_ID.match(doc["_id"])
    assert doc["workOrderNumber"] == number  # a number, as in the reference's example (4908)
    assert TIMESTAMP.match(doc["createDate"]) and recent(doc["createDate"])
    assert (doc["title"], doc["customer"], doc["customerName"]) == ("Support", refs["customer"]["_id"], refs["customer"]["name"])
    assert doc["createdByUserName"] == f"{refs['user']['firstName']} {refs['user']['lastName']}"


def test_work_order_create_answer_embeds_the_creator_but_the_stored_order_has_its_id(db, client, refs):
    user = refs["user"]

    created = ok(post(client, "workOrders", _work_order(refs)))
    fetched = ok(get(client, f"workOrders/{created['_id']}"))

    assert isinstance(created["createdByUser"], dict)
    assert created["createdByUser"]["_id"] == user["_id"]
    assert (created["createdByUser"]["firstName"], created["createdByUser"]["lastName"]) == (user["firstName"], user["lastName"])
    assert fetched["createdByUser"] == user["_id"]
    assert {**created, "createdByUser": user["_id"]} == fetched


def test_created_work_order_is_listed_by_number_title_and_project(db, client, refs):
    project = refs["project"]
    doc = ok(post(client, "workOrders", _work_order(refs, title="Unik felsökning", project=project["_id"])))
    stored = ok(get(client, f"workOrders/{doc['_id']}"))

    assert stored in ok(get(client, "workOrders", {"workOrderNumber": str(doc["workOrderNumber"])}))
    assert ok(get(client, "workOrders", {"title": "unik felsök"})) == [stored]
    assert stored in ok(get(client, "workOrders", {"projectId": project["_id"]}))
    assert (doc["project"], doc["projectName"]) == (project["_id"], project["name"])


@pytest.mark.parametrize("field", ["title", "customer", "createdByUser"])
def test_create_work_order_without_a_required_field_answers_400_naming_it(db, client, refs, field):
    payload = _work_order(refs)
    del payload[field]

    rejected(post(client, "workOrders", payload), 400, field)


@pytest.mark.parametrize(
    "value", ["2026-01-01", "2026-13-01 08:00", "26-01-01 08:00", "2026-01-01 25:00", "2026-01-01T08:00", "2026-01-01 8:00"]
)
@pytest.mark.parametrize("field", ["startDate", "endDate"])
def test_create_work_order_with_a_bad_date_time_answers_400_naming_it(db, client, refs, field, value):
    rejected(post(client, "workOrders", _work_order(refs, **{field: value})), 400, field)


@pytest.mark.parametrize(
    "local, utc",
    [("2026-03-10 08:00", "2026-03-10T07:00:00.000Z"), ("2026-07-01 08:00", "2026-07-01T06:00:00.000Z")],
    ids=["winter", "summer"],
)
def test_work_order_start_is_stockholm_time_stored_in_utc(db, client, refs, local, utc):
    doc = ok(post(client, "workOrders", _work_order(refs, startDate=local, endDate=local[:11] + "16:30")))

    assert doc["startDate"] == utc
    assert doc["endDate"] == utc[:11] + ("15" if utc[12] == "7" else "14") + ":30:00.000Z"


def test_create_work_order_ending_before_it_starts_answers_400(db, client, refs):
    payload = _work_order(refs, startDate="2026-03-10 08:00", endDate="2026-03-10 07:59")

    rejected(post(client, "workOrders", payload), 400, "endDate")


@pytest.mark.parametrize("color", ["123456", "red", "FF572", "#00FF00", "ff57220"])
def test_create_work_order_with_a_color_outside_the_palette_answers_400(db, client, refs, color):
    rejected(post(client, "workOrders", _work_order(refs, color=color)), 400, "color")


@pytest.mark.parametrize("color, stored", [("e91e63", "e91e63"), ("FAFAFA", "FAFAFA"), ("7C4DFF", "7C4DFF")])
def test_create_work_order_with_a_palette_color_keeps_it(db, client, refs, color, stored):
    assert ok(post(client, "workOrders", _work_order(refs, color=color)))["color"] == stored


def test_create_work_order_accepts_the_reference_spelling_Project(db, client, refs):
    doc = ok(post(client, "workOrders", _work_order(refs, Project=refs["project"]["_id"])))

    assert doc["project"] == refs["project"]["_id"]


def test_create_work_order_takes_the_documented_Project_when_both_spellings_come(db, client, refs):
    other = next(doc for doc in store.all("projects") if doc["_id"] != refs["project"]["_id"])
    payload = _work_order(refs, Project=refs["project"]["_id"], project=other["_id"])
    assert ok(post(client, "workOrders", payload))["project"] == refs["project"]["_id"]


@pytest.mark.parametrize(
    "field, value",
    [("customer", NO_SUCH_ID), ("createdByUser", NO_SUCH_ID), ("Project", NO_SUCH_ID), ("project", NO_SUCH_ID),
     ("statusRef", NO_SUCH_ID), ("contactPerson", NO_SUCH_ID), ("workOrderType", NO_SUCH_ID),
     ("department", NO_SUCH_ID), ("workLeader", NO_SUCH_ID), ("currentOwner", NO_SUCH_ID), ("users", [NO_SUCH_ID]),
     ("billingMethod", "HOURLY"), ("invoiceStatus", 7), ("workOrderNumber", "WO-1"), ("estimatedTime", "many")],
)  # fmt: skip
def test_create_work_order_with_an_unknown_reference_or_code_answers_400_naming_it(db, client, refs, field, value):
    rejected(post(client, "workOrders", _work_order(refs, **{field: value})), 400, field)


def test_create_work_order_resolves_every_reference(db, client, refs):
    payload = _work_order(
        refs,
        statusRef=refs["work_order_status"]["_id"],
        contactPerson=refs["contact"]["_id"],
        workOrderType=refs["work_order_type"]["_id"],
        department=refs["department"]["_id"],
        workLeader=refs["other_user"]["_id"],
        currentOwner=refs["user"]["_id"],
        users=[refs["user"]["_id"], refs["other_user"]["_id"]],
        estimatedTime=7.5,
        billingMethod="FIXED_PRICE",
        fixedPrice=12500,
        invoiceStatus=10,
        isSupplementOrder=True,
    )

    doc = ok(post(client, "workOrders", payload))

    assert doc["statusRef"] == refs["work_order_status"]["_id"]
    assert (doc["contactPerson"], doc["contactPersonName"]) == (refs["contact"]["_id"], refs["contact"]["name"])
    assert doc["workOrderType"] == refs["work_order_type"]["_id"]
    assert (doc["department"], doc["workLeader"], doc["currentOwner"]) == (
        refs["department"]["_id"], refs["other_user"]["_id"], refs["user"]["_id"]
    )  # fmt: skip
    assert doc["users"] == payload["users"]
    assert (doc["estimatedTime"], doc["billingMethod"], doc["fixedPrice"], doc["invoiceStatus"], doc["isSupplementOrder"]) == (
        7.5, "FIXED_PRICE", 12500, 10, True
    )  # fmt: skip


def test_create_work_order_with_a_contact_person_of_another_customer_answers_400(db, client, refs):
    payload = _work_order(refs, contactPerson=refs["other_contact"]["_id"])

    rejected(post(client, "workOrders", payload), 400, "contactPerson")


def test_create_work_order_with_a_work_order_number_in_use_answers_400(db, client, refs):
    taken = store.all("workOrders")[0]["workOrderNumber"]

    rejected(post(client, "workOrders", _work_order(refs, workOrderNumber=str(taken))), 400, "workOrderNumber")


def test_create_work_order_with_a_number_in_use_written_with_a_leading_zero_answers_400(db, client, refs):
    taken = store.all("workOrders")[0]["workOrderNumber"]

    rejected(post(client, "workOrders", _work_order(refs, workOrderNumber=f"0{taken}")), 400, "workOrderNumber")


def test_work_order_without_a_work_address_gets_the_customers_address(db, client, refs):
    customer = refs["customer"]

    address = ok(post(client, "workOrders", _work_order(refs)))["workAddress"]

    assert address["useOtherAddress"] is False
    assert (address["name"], address["address"], address["zipCode"], address["city"]) == (
        customer["name"], customer["address"], customer["zipCode"], customer["city"]
    )  # fmt: skip


def test_work_order_work_address_needs_useOtherAddress(db, client, refs):
    rejected(post(client, "workOrders", _work_order(refs, workAddress={"city": "Lund"})), 400, "workAddress.useOtherAddress")
    doc = ok(post(client, "workOrders", _work_order(refs, workAddress={"useOtherAddress": True, "city": "Lund"})))
    assert (doc["workAddress"]["useOtherAddress"], doc["workAddress"]["city"]) == (True, "Lund")


# --- create invoice ---


def _invoice(refs, **extra):
    return {"customer": refs["customer"]["_id"], "createdByUser": refs["user"]["_id"], "language": "SV", **extra}


def test_create_invoice_answers_a_draft_with_the_next_number_and_dates(db, client, refs):
    customer = refs["customer"]
    number = next_number("invoices", "invoiceNumber")
    today = dt.datetime.now(STOCKHOLM).date()

    doc = ok(post(client, "invoices", _invoice(refs)))

    assert OBJECT_ID.match(doc["_id"])
    assert doc["invoiceNumber"] == str(number)
    assert TIMESTAMP.match(doc["createDate"]) and recent(doc["createDate"])
    assert doc["invoiceDate"] == stockholm_midnight_utc(today)
    assert doc["dueDate"] == stockholm_midnight_utc(today + dt.timedelta(days=customer["paymentDays"]))
    # A draft: Seven Time's code 1 ("Draft"), not sent.
    assert (doc["invoiceStatus"], doc["sentDate"], doc["invoiceName"], doc["language"]) == (1, None, "Faktura", "SV")
    assert (doc["customer"], doc["customerName"], doc["customerNumber"]) == (
        customer["_id"], customer["name"], customer["customerNumber"]
    )  # fmt: skip
    assert (doc["totalAmount"], doc["totalAmountInclTax"], doc["invoiceItems"]) == (0, 0, [])


def test_created_invoice_is_listed_and_gettable(db, client, refs):
    doc = ok(post(client, "invoices", _invoice(refs)))

    assert ok(get(client, f"invoices/{doc['_id']}")) == doc
    assert ok(get(client, f"invoice/{doc['_id']}")) == doc
    assert ok(get(client, "invoices", {"invoiceNumber": doc["invoiceNumber"]})) == [doc]
    assert ok(get(client, "invoices", {"OCRNumber": doc["OCRNumber"]})) == [doc]
    assert doc in ok(get(client, "invoices", {"customerNumber": refs["customer"]["customerNumber"]}))


def test_create_invoice_of_type_3_is_reverse_charge_without_vat(db, client, refs):
    rows = [{"itemType": "time", "name": "Gjutning", "numberOfItems": 8, "unitPrice": 650, "taxPercent": 25}]
    doc = ok(post(client, "invoices", _invoice(refs, invoiceType=3, taxPercent=25, multipleTaxesOnRows=True,
                                               invoiceItems=rows)))  # fmt: skip
    assert (doc["invoiceType"], doc["taxPercent"], doc["totalTaxAmount"], doc["totalAmountInclTax"]) == (3, 0, 0, 5200)
    assert [row["taxPercent"] for row in doc["invoiceItems"]] == [0]


def test_create_invoice_with_given_dates_and_names(db, client, refs):
    payload = _invoice(refs, language="en", invoiceDate="2026-03-10", name="Slutfaktura", marking="M", yourOrderNumber="PO")

    doc = ok(post(client, "invoices", payload))

    assert doc["invoiceDate"] == "2026-03-09T23:00:00.000Z"
    due = dt.date(2026, 3, 10) + dt.timedelta(days=refs["customer"]["paymentDays"])
    assert doc["dueDate"] == stockholm_midnight_utc(due)
    assert (doc["language"], doc["invoiceName"], doc["marking"], doc["yourOrderNumber"]) == ("EN", "Slutfaktura", "M", "PO")
    assert ok(post(client, "invoices", _invoice(refs, language="EN")))["invoiceName"] == "Invoice"


@pytest.mark.parametrize("field", ["customer", "createdByUser", "language"])
def test_create_invoice_without_a_required_field_answers_400_naming_it(db, client, refs, field):
    payload = _invoice(refs)
    del payload[field]
    before = count("invoices")

    rejected(post(client, "invoices", payload), 400, field)
    assert count("invoices") == before


@pytest.mark.parametrize("value", ["2026-13-01", "26-01-01", "2026-02-29", "2026-03-10 08:00", "20260310"])
@pytest.mark.parametrize("field", ["invoiceDate", "dueDate"])
def test_create_invoice_with_a_bad_date_answers_400_naming_it(db, client, refs, field, value):
    rejected(post(client, "invoices", _invoice(refs, **{field: value})), 400, field)


def test_create_invoice_due_before_its_date_answers_400(db, client, refs):
    rejected(post(client, "invoices", _invoice(refs, invoiceDate="2026-03-10", dueDate="2026-03-09")), 400, "dueDate")


def test_create_invoice_resolves_every_reference(db, client, refs):
    work_order = refs["work_order"]
    payload = _invoice(
        refs,
        project=refs["project"]["_id"],
        contactPerson=refs["contact"]["_id"],
        ourReference=refs["other_user"]["_id"],
        workOrder=work_order["_id"],
        priceList=refs["price_list"]["_id"],
        tags=[tag["_id"] for tag in refs["invoice_tags"]],
        deliveryAddress={"name": "Bygget", "city": "Lund"},
    )

    doc = ok(post(client, "invoices", payload))

    assert (doc["project"], doc["projectName"]) == (refs["project"]["_id"], refs["project"]["name"])
    assert (doc["contactPerson"], doc["contactPersonName"]) == (refs["contact"]["_id"], refs["contact"]["name"])
    assert doc["ourReference"] == refs["other_user"]["_id"]
    assert (doc["workOrder"], doc["workOrderNumber"], doc["workOrderIds"]) == (
        work_order["_id"], str(work_order["workOrderNumber"]), [work_order["_id"]]
    )  # fmt: skip
    assert (doc["priceList"], doc["priceListName"]) == (refs["price_list"]["_id"], refs["price_list"]["name"])
    assert doc["tags"] == payload["tags"]
    assert (doc["deliveryAddress"]["name"], doc["deliveryAddress"]["city"]) == ("Bygget", "Lund")


@pytest.mark.parametrize(
    "field, value",
    [("customer", NO_SUCH_ID), ("createdByUser", NO_SUCH_ID), ("project", NO_SUCH_ID), ("contactPerson", NO_SUCH_ID),
     ("ourReference", NO_SUCH_ID), ("workOrder", NO_SUCH_ID), ("priceList", NO_SUCH_ID), ("resultUnit", NO_SUCH_ID),
     ("tags", [NO_SUCH_ID]), ("invoiceType", 4), ("taxPercent", 101), ("currencyCode", "KRONOR"), ("language", "SVE"),
     ("invoiceItems", [{"name": "no item type"}])],
)  # fmt: skip
def test_create_invoice_with_an_unknown_reference_or_code_answers_400_naming_it(db, client, refs, field, value):
    rejected(post(client, "invoices", _invoice(refs, **{field: value})), 400, field)


def test_create_invoice_with_a_contact_person_of_another_customer_answers_400(db, client, refs):
    rejected(post(client, "invoices", _invoice(refs, contactPerson=refs["other_contact"]["_id"])), 400, "contactPerson")


DETACHED = {"typeOfProperty": 1, "propertyDescription": "Karup 1:23"}
CONDOMINIUM = {"typeOfProperty": 2, "housingSocietyNumber": "769600-1234", "apartmentNumber": "1102"}


@pytest.mark.parametrize("invoice_type", [1, 2], ids=["ROT", "RUT"])
@pytest.mark.parametrize(
    "house, field",
    [(None, "houseProperties"), ({}, "houseProperties"), ({"propertyDescription": "Karup 1:23"}, "houseProperties.typeOfProperty"),
     ({"typeOfProperty": 1}, "houseProperties.propertyDescription"),
     ({"typeOfProperty": 2, "apartmentNumber": "1102"}, "houseProperties.housingSocietyNumber"),
     ({"typeOfProperty": 2, "housingSocietyNumber": "769600-1234"}, "houseProperties.apartmentNumber"),
     ({"typeOfProperty": 3, "propertyDescription": "x"}, "typeOfProperty")],
    ids=["missing", "empty", "no-type", "detached-no-description", "condominium-no-society", "condominium-no-apartment",
         "unknown-type"],
)  # fmt: skip
def test_rot_and_rut_invoice_house_properties_rules(db, client, refs, invoice_type, house, field):
    payload = _invoice(refs, invoiceType=invoice_type)
    if house is not None:
        payload["houseProperties"] = house

    rejected(post(client, "invoices", payload), 400, field)


@pytest.mark.parametrize("invoice_type", [1, 2], ids=["ROT", "RUT"])
@pytest.mark.parametrize("house", [DETACHED, CONDOMINIUM], ids=["detached", "condominium"])
def test_rot_and_rut_invoice_with_complete_house_properties_is_created(db, client, refs, invoice_type, house):
    doc = ok(post(client, "invoices", _invoice(refs, invoiceType=invoice_type, houseProperties=house)))

    assert doc["invoiceType"] == invoice_type
    assert {key: doc["houseProperties"][key] for key in house} == house


def test_normal_invoice_needs_no_house_properties(db, client, refs):
    assert ok(post(client, "invoices", _invoice(refs, invoiceType=0)))["invoiceType"] == 0
    assert ok(post(client, "invoices", _invoice(refs, invoiceType=3)))["invoiceType"] == 3


@pytest.mark.parametrize(
    "percents, accepted",
    [((100,), True), ((50, 50), True), ((0, 100), False), ((101,), False), ((70, 20), False), ((70, 40), False)],
    ids=["100", "50+50", "0+100", "101", "70+20", "70+40"],
)
def test_invoice_deduction_distribution_must_be_1_to_100_each_and_add_up_to_100(db, client, refs, percents, accepted):
    house = {**DETACHED, "deductionDistribution": _distribution(*percents)}

    response = post(client, "invoices", _invoice(refs, invoiceType=1, houseProperties=house))

    if accepted:
        assert [d["distributionPercent"] for d in ok(response)["houseProperties"]["deductionDistribution"]] == list(percents)
    else:
        message = rejected(response, 400)
        assert message.startswith(("houseProperties.deductionDistribution", "distributionPercent")), message


def test_invoice_rows_with_different_vat_rates_and_a_discount_give_row_and_invoice_totals(db, client, refs):
    doc = ok(post(client, "invoices", _invoice(refs, multipleTaxesOnRows=True, invoiceItems=THREE_ROWS)))

    rows = doc["invoiceItems"]
    assert [row["name"] for row in rows] == [row["name"] for row in THREE_ROWS]
    assert [row["taxPercent"] for row in rows] == [25, 12, 6]
    assert [
        (Decimal(str(r["totalAmount"])), Decimal(str(r["totalTaxAmount"])), Decimal(str(r["totalAmountInclTax"]))) for r in rows
    ] == THREE_ROWS_TOTALS
    assert {key: Decimal(str(doc[key])) for key in THREE_ROWS_INVOICE} == THREE_ROWS_INVOICE


def test_invoice_without_multiple_taxes_uses_its_tax_percent_on_every_row(db, client, refs):
    doc = ok(post(client, "invoices", _invoice(refs, taxPercent=12, invoiceItems=THREE_ROWS)))

    assert [row["taxPercent"] for row in doc["invoiceItems"]] == [12, 12, 12]
    # 751.08 at 12 %: 64.77 + 10.92 + 14.44 (öre per row) = 90.13; 841.21 payable as 841
    assert (doc["totalAmount"], doc["totalTaxAmount"], doc["totalAmountInclTax"]) == (751.08, 90.13, 841)
    assert ok(post(client, "invoices", _invoice(refs, invoiceItems=THREE_ROWS)))["invoiceItems"][1]["taxPercent"] == 25


@pytest.mark.parametrize(
    "price, payable, rounding",
    [(100.40, 126, 0.5), (100.39, 125, -0.49), (100.00, 125, 0), (99.99, 125, 0.01)],
    ids=["half-up", "down", "whole", "up"],
)
def test_sek_invoice_is_payable_in_whole_kronor_rounded_half_up(db, client, refs, price, payable, rounding):
    items = [{"itemType": "material", "name": "Rör", "numberOfItems": 1, "unitPrice": price}]

    doc = ok(post(client, "invoices", _invoice(refs, invoiceItems=items)))

    assert (doc["totalAmountInclTax"], doc["totalAmountRounding"]) == (payable, rounding)


def test_invoice_in_another_currency_is_not_rounded_to_whole_units(db, client, refs):
    items = [{"itemType": "material", "name": "Rör", "numberOfItems": 1, "unitPrice": 100.40}]

    doc = ok(post(client, "invoices", _invoice(refs, currencyCode="eur", currencyRate=11.5, invoiceItems=items)))

    assert (doc["currencyCode"], doc["currencyRate"]) == ("EUR", 11.5)
    assert (doc["totalAmountInclTax"], doc["totalAmountRounding"]) == (125.5, 0)


def test_rot_invoice_deducts_30_percent_of_the_labour_incl_vat(db, client, refs):
    items = [
        {"itemType": "time", "name": "Arbete", "numberOfItems": 10, "unitPrice": 500, "houseWorkFlag": True},
        {"itemType": "material", "name": "Material", "numberOfItems": 1, "unitPrice": 2000},
    ]

    doc = ok(post(client, "invoices", _invoice(refs, invoiceType=1, houseProperties=DETACHED, invoiceItems=items)))

    assert (doc["houseDeductionBasisAmount"], doc["houseDeductionAmount"]) == (6250, 1875)


def test_rot_deduction_is_capped_at_the_max_deduction_amount(db, client, refs):
    items = [{"itemType": "time", "name": "Arbete", "numberOfItems": 200, "unitPrice": 1000, "houseWorkFlag": True}]

    doc = ok(post(client, "invoices", _invoice(refs, invoiceType=1, houseProperties=DETACHED, invoiceItems=items)))

    assert doc["houseDeductionBasisAmount"] == 250000
    assert doc["houseDeductionAmount"] == doc["houseProperties"]["maxDeductionAmount"] == 50000  # not 75 000


def test_rot_deduction_cap_is_per_person_in_the_distribution(db, client, refs):
    house = {**DETACHED, "deductionDistribution": _distribution(50, 50)}
    items = [{"itemType": "time", "name": "Arbete", "numberOfItems": 200, "unitPrice": 1000, "houseWorkFlag": True}]

    doc = ok(post(client, "invoices", _invoice(refs, invoiceType=1, houseProperties=house, invoiceItems=items)))

    assert doc["houseProperties"]["maxDeductionAmount"] == 100000  # two owners, 50 000 each
    assert doc["houseDeductionAmount"] == 75000  # 30 % of 250 000, under the two owners' cap


def test_ocr_helper_of_these_tests_reproduces_the_reference_example(db):
    assert ocr_like_reference("24481") == "2448173"
    assert all(doc["OCRNumber"] == ocr_like_reference(doc["invoiceNumber"]) for doc in store.all("invoices"))


def test_created_invoice_ocr_number_has_the_reference_format(db, client, refs):
    doc = ok(post(client, "invoices", _invoice(refs)))

    assert doc["OCRNumber"] == ocr_like_reference(doc["invoiceNumber"])


def test_invoice_row_quantity_with_three_decimals_is_not_rounded_before_pricing(db, client, refs):
    items = [{"itemType": "material", "name": "Betong m³", "numberOfItems": 1.125, "unitPrice": 1000}]

    row = ok(post(client, "invoices", _invoice(refs, invoiceItems=items)))["invoiceItems"][0]

    assert (row["numberOfItems"], row["totalAmount"]) == (1.125, 1125)


def test_deduction_distribution_in_thirds_that_add_up_to_100_is_accepted(db, client):
    payload = {"name": "Tre ägare", "billingSettings": {"deductionDistribution": _distribution(33.333, 33.333, 33.334)}}

    doc = ok(post(client, "customers", payload))

    assert [d["distributionPercent"] for d in doc["billingSettings"]["deductionDistribution"]] == [33.333, 33.333, 33.334]


# --- form-encoded bodies ---


def test_form_encoded_customer_with_bracket_nesting_equals_the_json_create(db, client):
    json_payload = {
        "name": "Nästlad Kund",
        "city": "Höganäs",
        "paymentDays": 15,
        "billingSettings": {
            "isROTCustomer": True,
            "useSeparateBillingEmail": True,
            "invoiceEmail": "faktura@nastlad.se",
            "invoiceDeliveryType": 10,
            "typeOfProperty": 2,
            "housingSocietyNumber": "769600-1234",
            "apartmentNumber": "1102",
            "deductionDistribution": [
                {"userName": "Åsa Ström", "personalNumber": "19700101-1234", "distributionPercent": 50.5},
                {"userName": "Örjan Ström", "personalNumber": "19710101-1234", "distributionPercent": 49.5},
            ],
        },
    }
    form = [
        ("name", "Nästlad Kund"),
        ("city", "Höganäs"),
        ("paymentDays", "15"),
        ("billingSettings[isROTCustomer]", "true"),
        ("billingSettings[useSeparateBillingEmail]", "true"),
        ("billingSettings[invoiceEmail]", "faktura@nastlad.se"),
        ("billingSettings[invoiceDeliveryType]", "10"),
        ("billingSettings[typeOfProperty]", "2"),
        ("billingSettings[housingSocietyNumber]", "769600-1234"),
        ("billingSettings[apartmentNumber]", "1102"),
        ("billingSettings[deductionDistribution][0][userName]", "Åsa Ström"),
        ("billingSettings[deductionDistribution][0][personalNumber]", "19700101-1234"),
        ("billingSettings[deductionDistribution][0][distributionPercent]", "50.5"),
        ("billingSettings[deductionDistribution][1][userName]", "Örjan Ström"),
        ("billingSettings[deductionDistribution][1][personalNumber]", "19710101-1234"),
        ("billingSettings[deductionDistribution][1][distributionPercent]", "49.5"),
    ]

    from_json = ok(post(client, "customers", json_payload))
    from_form = ok(post_form(client, "customers", urlencode(form)))

    assert from_form["billingSettings"]["isROTCustomer"] is True
    assert from_form["billingSettings"]["deductionDistribution"][1]["userName"] == "Örjan Ström"
    assert comparable(from_form, drop=("_id", "createdDate", "modifiedDate", "customerNumber")) == comparable(
        from_json, drop=("_id", "createdDate", "modifiedDate", "customerNumber")
    )


def test_form_encoded_invoice_rows_equal_the_json_create(db, client, refs):
    form = [("customer", refs["customer"]["_id"]), ("createdByUser", refs["user"]["_id"]), ("language", "SV"),
            ("multipleTaxesOnRows", "true")]  # fmt: skip
    for index, row in enumerate(THREE_ROWS):
        form += [(f"invoiceItems[{index}][{key}]", str(value)) for key, value in row.items()]

    from_json = ok(post(client, "invoices", _invoice(refs, multipleTaxesOnRows=True, invoiceItems=THREE_ROWS)))
    from_form = ok(post_form(client, "invoices", urlencode(form)))

    assert {key: Decimal(str(from_form[key])) for key in THREE_ROWS_INVOICE} == THREE_ROWS_INVOICE
    drop = ("_id", "createDate", "logDate", "invoiceNumber", "OCRNumber")
    assert comparable(from_form, drop) == comparable(from_json, drop)


def test_form_encoded_empty_brackets_make_a_list(db, client, refs):
    tags = [tag["_id"] for tag in refs["project_tags"]]
    users = [refs["user"]["_id"], refs["other_user"]["_id"]]

    project = ok(post_form(client, "projects", urlencode([("name", "Taggat"), *[("projectTags[]", t) for t in tags]])))
    work_order = ok(post_form(client, "workOrders", urlencode(
        [("title", "Fler"), ("customer", refs["customer"]["_id"]), ("createdByUser", users[0]), *[("users[]", u) for u in users]]
    )))  # fmt: skip

    assert project["tags"] == tags
    assert work_order["users"] == users


def test_form_encoded_work_address_object(db, client, refs):
    form = [("title", "Borta"), ("customer", refs["customer"]["_id"]), ("createdByUser", refs["user"]["_id"]),
            ("workAddress[useOtherAddress]", "true"), ("workAddress[address]", "Annan väg 2"), ("workAddress[city]", "Lund")]  # fmt: skip

    address = ok(post_form(client, "workOrders", urlencode(form)))["workAddress"]

    assert (address["useOtherAddress"], address["address"], address["city"]) == (True, "Annan väg 2", "Lund")


def test_form_encoded_create_is_validated_like_json(db, client):
    rejected(post_form(client, "customers", "city=Lund"), 400, "name")
    rejected(post_form(client, "projects", "name=P&billingMethod=HOURLY"), 400, "pricePerHour")
    rejected(post_form(client, "customers", "name=K&billingSettings[deductionDistribution][0][userName]=A&"
                                            "billingSettings[deductionDistribution][0][personalNumber]=1&"
                                            "billingSettings[deductionDistribution][0][distributionPercent]=90"),
             400, "billingSettings.deductionDistribution")  # fmt: skip


def test_reference_curl_example_create_customer(db, client):
    body = ("name=Tommy Hellström&address=Glimmingevägen 18&zipCode=269 74&city=Västra Karup&phone=0431-360050"
            "&email=support@seventime.se&organizationNumber=555555-5555")  # fmt: skip

    doc = ok(post_form(client, "customers/", body))

    assert {k: doc[k] for k in ("name", "address", "zipCode", "city", "phone", "email", "organizationNumber")} == {
        "name": "Tommy Hellström", "address": "Glimmingevägen 18", "zipCode": "269 74", "city": "Västra Karup",
        "phone": "0431-360050", "email": "support@seventime.se", "organizationNumber": "555555-5555",
    }  # fmt: skip
    assert doc["billingSettings"]["deductionDistribution"] == [] and doc["isActive"] is True
    assert doc in ok(get(client, "customers", {"organizationNumber": "555555-5555"}))


def test_reference_curl_example_create_user_with_userRolesId(db, client):
    doc = ok(post_form(client, "users/", "firstName=Tommy&lastName=Hellström&email=tommy@nummer7.se&userName=TommyH&userRolesId=1"))

    assert (doc["firstName"], doc["lastName"], doc["email"], doc["userName"], doc["userRoleId"]) == (
        "Tommy", "Hellström", "tommy@nummer7.se", "TommyH", 1
    )  # fmt: skip
    assert (doc["isActive"], doc["isActivated"], doc["language"]) == (False, False, "SV")


def test_reference_curl_example_create_project(db, client):
    doc = ok(post_form(client, "projects/", "name=App development"))

    assert doc["name"] == "App development" and doc["projectNumber"].isdigit()
    assert ok(get(client, f"projects/{doc['_id']}")) == doc


def test_reference_curl_example_create_work_order(db, client, refs):
    customer, user = refs["customer"], refs["user"]

    doc = ok(post_form(client, "workOrders/", f"title=Support&customer={customer['_id']}&createdByUser={user['_id']}"))

    assert (doc["title"], doc["customer"], doc["customerName"], doc["createdByUser"]["_id"]) == (
        "Support", customer["_id"], customer["name"], user["_id"]
    )  # fmt: skip
    assert doc["color"] and doc["statusRef"] and isinstance(doc["status"], int)


@pytest.mark.parametrize("content_type", ["x-www-form-urlencoded", "text/plain", ""])
def test_form_body_is_read_whatever_the_content_type_says(db, client, content_type):
    # The reference's JavaScript examples send `Content-Type: x-www-form-urlencoded`.
    assert ok(post_form(client, "customers", "name=Tommy%20Hellstr%C3%B6m&city=Lund", content_type))["name"] == "Tommy Hellström"


def test_json_body_is_read_whatever_the_content_type_says(db, client):
    assert ok(post_form(client, "customers", json.dumps({"name": "Jason AB"}), "x-www-form-urlencoded"))["name"] == "Jason AB"


@pytest.mark.parametrize("body", ['{"name": "Trasig', '["name"]'])
def test_body_that_is_not_a_json_object_answers_400(db, client, body):
    before = count("customers")

    rejected(client.post(BASE + "customers", data=body, content_type="application/json", **AUTH), 400)
    assert count("customers") == before


@pytest.mark.parametrize("path", ["userRoles", "departments", "contactPersons", "invoiceTags"])
def test_post_to_a_list_that_cannot_be_created_answers_405(db, client, path):
    rejected(post(client, path, {"name": "x"}), 405)


# every documented filter has a case in the shared table
def test_every_documented_filter_is_in_the_case_table():
    documented = {
        "customers": {"name", "customerNumber", "organizationNumber", "city"},
        "contactPersons": {"customerId"},
        "users": {"name", "personNumber", "department", "userRole", "isActive", "isActivated", "defaultSalaryType", "userSkills"},
        "projects": {"name", "projectNumber"},
        "workOrders": {"title", "workOrderNumber", "projectId"},
        "invoices": {"invoiceNumber", "OCRNumber", "customerNumber"},
    }
    table: dict[str, set] = {}
    for case in FILTERS:
        table.setdefault(case.collection, set()).add(case.param)
    assert table == documented
