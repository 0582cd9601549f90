"""The create forms' pickers and selects read the local copy (issue 14): every record,
ranked as the start page's search, no call to Seven Time; inactive users, statuses,
types and price lists are not offered; a choice from the copy still creates the record,
and one gone from Seven Time meanwhile gives a clear message. Against the sandbox."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from dashboard.api import get_client
from seventime.sandbox import store
from seventime.sandbox.models import Document
from tests.conftest import sync_copy
from tests.create.test_forms import field_error, fill, form_values, input_value, open_form, submit

pytestmark = pytest.mark.django_db

PICKED = ("customers", "projects", "work_orders", "users", "work_order_statuses", "work_order_types", "departments")


@pytest.fixture
def picked(db):
    """A complete copy of what the work order form chooses from (listed before `seventime_down`)."""
    return sync_copy(*PICKED)


def options(page: str) -> list[tuple[str, str]]:
    """A picker's matches: (id, label), in order."""
    return re.findall(r'<li role="option"[^>]*data-value="([^"]+)" data-label="([^"]*)"', page)


def pick(client, kind: str, field: str, query: str = "", **extra) -> str:
    response = client.get(f"/pick/{kind}/", {"field": field, f"{field}_search": query, **extra})
    assert response.status_code == 200
    return response.content.decode()


def select_options(page: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))


def a_user(client) -> str:
    """An active user the work order form offers as its creator."""
    return next(value for value, _label in select_options(open_form(client, "workorders"), "created_by_user") if value)


def test_the_customer_picker_finds_any_customer_by_any_field_ranked_without_asking(
    picked, office_client, seventime_down
):
    docs = sorted(store.all("customers"), key=lambda doc: doc["createdDate"], reverse=True)
    oldest = [doc for doc in docs if doc.get("email") and doc.get("phone") and doc.get("organizationNumber")][-1]
    assert docs.index(oldest) >= 100  # not among what one answer of Seven Time holds
    for query in (oldest["email"].upper(), oldest["phone"], oldest["organizationNumber"], oldest["name"].lower()):
        assert oldest["_id"] in [value for value, _label in options(pick(office_client, "customers", "customer", query))]
    # An exact number first, whatever its name.
    found = options(pick(office_client, "customers", "customer", oldest["customerNumber"]))
    assert found[0] == (oldest["_id"], oldest["name"])
    # Many matches: the first 20, and "type more".
    page = pick(office_client, "customers", "customer", "a")
    assert len(options(page)) == 20 and "type more to narrow them down" in page
    assert seventime_down == []


def test_the_project_picker_offers_the_chosen_customers_projects_first(picked, office_client, seventime_down):
    by_customer = Counter(doc["customer"] for doc in store.all("projects") if doc.get("customer"))
    customer, count = by_customer.most_common()[-1]  # a customer with few projects: the newest are others'
    own = {doc["_id"] for doc in store.all("projects") if doc.get("customer") == customer}
    page = pick(office_client, "projects", "project", customer=customer)
    listed = [value for value, _label in options(page)]
    assert set(listed[:count]) == own and len(listed) == 20
    # Searching: the customer's own matches before the others'.
    name = next(doc["name"] for doc in store.all("projects") if doc["_id"] in own)
    word = name.split()[0]
    listed = [value for value, _label in options(pick(office_client, "projects", "project", word, customer=customer))]
    assert listed[0] in own
    assert seventime_down == []


def test_a_user_beyond_the_first_100_is_offered_and_inactive_ones_are_not(office_client):
    template = next(doc for doc in store.all("users") if doc.get("isActive"))
    for index in range(105):
        store.add(
            "users",
            dict(
                template,
                _id=f"extra-user-{index:03d}",
                firstName="Extra",
                lastName=f"Användare {index:03d}",
                userName=f"extra{index}",
                personalNumber=f"19900101-{index:04d}",
                employeeNumber=str(900 + index),
            ),
        )
    last = "extra-user-104"
    assert last not in {user.id for user in get_client().list_users()}  # Seven Time sends the first 100
    sync_copy(*PICKED, "price_lists", "project_statuses", "project_types")
    page = open_form(office_client, "workorders")
    offered = dict(select_options(page, "created_by_user"))
    assert offered[last] == "Extra Användare 104"
    inactive = [doc for doc in store.all("users") if doc.get("isActive") is False]
    assert inactive and not {doc["_id"] for doc in inactive} & set(offered)
    assert len(offered) == 1 + sum(1 for doc in store.all("users") if doc.get("isActive") is not False)
    # Nor an inactive status, type or price list of a new project (the demo data has one of each).
    project_form = open_form(office_client, "projects")
    for name, collection in [
        ("project_status", "projectStatuses"),
        ("project_type", "projectTypes"),
        ("time_category_price_list", "priceLists"),
    ]:
        shown = {value for value, _label in select_options(project_form, name)} - {""}
        active = {doc["_id"] for doc in store.all(collection) if doc.get("isActive") is not False}
        assert active and len(active) < len(store.all(collection)), collection
        assert shown == active, name


def test_a_work_order_for_a_customer_chosen_in_the_picker_is_created(picked, office_client):
    customer = min(store.all("customers"), key=lambda doc: doc["createdDate"])
    (chosen, label), *_rest = options(pick(office_client, "customers", "customer", customer["customerNumber"]))
    assert chosen == customer["_id"]
    values = form_values(open_form(office_client, "workorders"))
    data = fill(values, title="Byt element", customer=chosen, customer_search=label, created_by_user=a_user(office_client))
    response = submit(office_client, "workorders", data)
    assert response.status_code == 302, field_error(response.content.decode(), "customer")
    created = max(store.all("workOrders"), key=lambda doc: int(doc["workOrderNumber"]))
    assert created["customer"] == chosen and created["title"] == "Byt element"


def test_a_customer_chosen_from_the_copy_but_gone_from_seven_time_gives_a_clear_message(picked, office_client):
    customer = min(store.all("customers"), key=lambda doc: doc["createdDate"])
    values = form_values(open_form(office_client, "workorders"))
    user = a_user(office_client)
    Document.objects.filter(collection="customers", doc_id=customer["_id"]).delete()  # removed in Seven Time
    data = fill(values, title="Byt element", customer=customer["_id"], customer_search=customer["name"], created_by_user=user)
    response = submit(office_client, "workorders", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert field_error(page, "customer") == "Seven Time has no such record."
    assert customer["name"] in page  # what was chosen is kept


def test_the_form_opens_from_the_copy_when_seven_time_is_down(copied, office_client, seventime_down):
    """Every select and picker of the invoice form, the chosen customer's contact persons
    too, from the copy: the page opens and asks nothing."""
    customer = next(doc for doc in store.all("customers") if any(c.get("customer") == doc["_id"] for c in store.all("contactPersons")))
    page = open_form(office_client, "invoices", customer=customer["_id"])
    assert input_value(page, "customer_search") == customer["name"]  # the chosen customer, named
    contacts = {doc["_id"] for doc in store.all("contactPersons") if doc.get("customer") == customer["_id"]}
    assert {value for value, _label in select_options(page, "contact_person")} - {""} == contacts
    # Without JavaScript: "Choose…", the first 100, and the chosen customer when not among them.
    offered = [value for value, _label in select_options(page, "customer") if value]
    assert customer["_id"] in offered and len(set(offered) - {customer["_id"]}) in (99, 100)
    response = office_client.get("/invoices/new/contacts/", {"customer": customer["_id"]}, headers={"HX-Request": "true"})
    assert {value for value in re.findall(r'<option value="([^"]+)"', response.content.decode())} == contacts
    assert seventime_down == []


def test_the_create_log_names_linked_records_from_the_copy(
    picked, manager_client, manager_user, seventime_down
):
    from dashboard.models import CreateAttempt, SyncedRecord

    customers = store.all("customers")[:3]
    for index, customer in enumerate(customers):
        CreateAttempt.objects.create(
            user=manager_user, username="magnus", entity="customers", token=f"{index}" * 32,
            outcome="created", upstream_id=customer["_id"], payload={"name": customer["name"]},
        )
    SyncedRecord.objects.filter(entity="customers", record_id=customers[0]["_id"]).update(gone_at="2026-01-01T00:00Z")
    page = manager_client.get("/audit/").content.decode()
    for customer in customers:
        assert f'href="/customers/{customer["_id"]}/">{customer["name"]} ({customer["customerNumber"]})</a>' in page.replace("&#x27;", "'").replace("&amp;", "&")
    assert page.count("Seven Time no longer has this record.") == 1
    assert seventime_down == []
