"""The list filters and sorts that used to finish in Python now run in the database
(issue 14): an invoice's state and currency, sorts by a customer's or project's name,
by amount, currency, dates and activity. Every count and order is checked against
the sandbox's own tables (its documents and dashboard/invoice_state.py), never against
the copy, and no page asks Seven Time."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import QueryDict

from dashboard import invoice_state as rules
from dashboard.browse import copy_list
from dashboard.collation import value_key
from dashboard.entities import RESOURCES
from dashboard.fetch import fetch
from dashboard.invoice_state import InvoiceState, invoice_state
from dashboard.models import CopyStatus, SyncedRecord
from dashboard.sync import copy, engine
from dashboard.sync import entities as sync_entities
from seventime.client import SevenTimeClient
from seventime.errors import ConnectionFailed
from seventime.records import Invoice
from seventime.sandbox import store
from tests.browse.pages import body_rows, get, text

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
#: Every entity the five list pages read, lookups included (contact persons are not listed).
ENTITIES = [
    "customers",
    "users",
    "departments",
    "projects",
    "work_orders",
    "invoices",
    "project_statuses",
    "project_types",
    "project_tags",
    "work_order_statuses",
    "work_order_types",
    "work_order_tags",
    "invoice_tags",
    "user_roles",
    "price_lists",
    "salary_types",
    "user_skills",
]


@pytest.fixture
def copied(db):
    run = engine.sync(full=True, entities=ENTITIES)
    assert run.error == "" and run.complete
    return run


@pytest.fixture
def seventime_down(monkeypatch):
    """Every call to Seven Time fails; the list holds the ones attempted."""
    calls = []

    def refuse(self, method, path, **kwargs):
        calls.append(path)
        raise ConnectionFailed("Could not connect to Seven Time.")

    monkeypatch.setattr(SevenTimeClient, "_request", refuse)
    return calls


def matches(page: str) -> int:
    found = re.search(r'<p class="summary"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no summary"
    count = re.search(r"of (\d+) match", text(found.group(1)))
    if count:
        return int(count.group(1))
    assert "Nothing matches" in text(found.group(1)), text(found.group(1))
    return 0


def shown_ids(page: str, kind: str) -> list[str]:
    ids = []
    for row in body_rows(page):
        found = re.search(rf'href="/{kind}/([^/"]+)/"', row)
        assert found, row
        ids.append(found.group(1))
    return ids


def states_on(day: dt.date) -> Counter:
    return Counter(invoice_state(Invoice.from_api(doc), on=day) for doc in store.all("invoices"))


def test_every_invoice_state_filter_counts_what_invoice_state_computes(copied, office_client, seventime_down):
    expected = states_on(rules.today())
    assert expected[InvoiceState.OVERDUE] > 5 and expected[InvoiceState.SENT] > 5 and expected[InvoiceState.PAID] > 5
    for state in InvoiceState:
        _response, page = get(office_client, f"/invoices/?state={state.value}")
        assert matches(page) == expected[state], state
        # The htmx partial says the same.
        _response, page = get(office_client, f"/invoices/?state={state.value}&sort=due_date&dir=ascending", **{
            "HX-Request": "true", "HX-Target": "results"
        })
        assert matches(page) == expected[state], state
    assert seventime_down == []


def test_overdue_begins_at_midnight_in_stockholm(copied, office_client, seventime_down):
    """An invoice due on a day is not overdue at 23:59 that day in Stockholm, and is at
    00:01 the next, whatever the UTC date: the copy's stored states follow the day."""
    today = rules.today()
    due_days = Counter(
        rules.local_day(invoice.due_date)
        for invoice in map(Invoice.from_api, store.all("invoices"))
        if invoice_state(invoice, on=today) in (InvoiceState.SENT, InvoiceState.OVERDUE)
    )
    day = next(
        (day for day, _count in due_days.most_common() if day and abs((day - today).days) <= 10), None
    )
    assert day is not None, "the demo data has sent invoices due around today"
    before = dt.datetime.combine(day, dt.time(23, 59), STOCKHOLM)
    after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 1), STOCKHOLM)
    counted = {}
    for moment in (before, after):
        with time_machine.travel(moment, tick=False):
            expected = states_on(rules.today())
            _response, page = get(office_client, "/invoices/?state=overdue")
            assert matches(page) == expected[InvoiceState.OVERDUE], moment
            _response, page = get(office_client, "/invoices/?state=sent")
            assert matches(page) == expected[InvoiceState.SENT], moment
            counted[moment] = expected[InvoiceState.OVERDUE]
    # The invoices due that day became overdue at midnight (in Stockholm: 22:59 or 23:01 UTC the day before).
    assert counted[after] - counted[before] == due_days[day] > 0
    assert seventime_down == []


def test_the_currency_filter_counts_an_invoice_without_a_currency_as_sek(copied, office_client, seventime_down):
    currencies = Counter((doc.get("currencyCode") or "SEK").upper() for doc in store.all("invoices"))
    assert len(currencies) >= 2
    for code, count in currencies.items():
        _response, page = get(office_client, f"/invoices/?currency={code.lower()}")
        assert matches(page) == count, code
    _response, page = get(office_client, "/invoices/?currency=NOK")
    assert matches(page) == currencies.get("NOK", 0)
    # With the state: both in the database.
    expected = sum(
        1
        for doc in store.all("invoices")
        if (doc.get("currencyCode") or "SEK").upper() == "SEK"
        and invoice_state(Invoice.from_api(doc)) == InvoiceState.PAID
    )
    _response, page = get(office_client, "/invoices/?currency=SEK&state=paid")
    assert matches(page) == expected
    assert seventime_down == []


SORTS = [
    # (list, column key, document collection, field sorted by, link kind)
    ("invoices", "project", "invoices", "projectName", "invoices"),
    ("invoices", "total", "invoices", "totalAmountInclTax", "invoices"),
    ("invoices", "currency", "invoices", "currencyCode", "invoices"),
    ("workorders", "customer", "workOrders", "customerName", "workorders"),
    ("workorders", "project", "workOrders", "projectName", "workorders"),
    ("projects", "customer", "projects", "customerName", "projects"),
    ("projects", "start", "projects", "startDate", "projects"),
    ("customers", "active", "customers", "isActive", "customers"),
    ("users", "active", "users", "isActive", "users"),
]


def column_key(resource_name: str, sort_field: str) -> str:
    return next(column.key for column in RESOURCES[resource_name].columns if column.sort == sort_field)


@pytest.mark.parametrize("direction", ["ascending", "descending"])
def test_sorts_by_names_amounts_and_dates_order_every_record(copied, superuser_client, seventime_down, direction):
    for resource_name, _key, collection, field, kind in SORTS:
        key = column_key(resource_name, field)
        docs = store.all(collection)
        by_id = {doc["_id"]: value_key(doc.get(field)) for doc in docs}
        wanted = sorted(by_id.values(), reverse=direction == "descending")
        last_page = -(-len(docs) // 25)
        for number in (1, last_page):
            _response, page = get(superuser_client, f"/{resource_name}/?sort={key}&dir={direction}&page={number}")
            assert matches(page) == len(docs)
            shown = [by_id[record_id] for record_id in shown_ids(page, kind)]
            start = (number - 1) * 25
            # The records shown are those the sandbox's order puts on this page (ties in any order).
            assert shown == wanted[start : start + 25], (resource_name, field, direction, number)
    assert seventime_down == []


def test_the_common_filters_and_sorts_are_one_query_with_a_page_of_records(copied):
    """The list asks the database for one page of documents, rather than loading every
    match to filter or sort it in Python."""
    _results, lookups = fetch({}, ())
    cases = [
        ("invoices", "state=overdue", "dueDate"),
        ("invoices", "state=sent&currency=SEK", "totalAmountInclTax"),
        ("invoices", "customer_number=1001&state=paid", "projectName"),
        ("workorders", "status=x", "customerName"),
        ("projects", "active=true", "customerName"),
        ("customers", "active=false", "isActive"),
        ("users", "is_active=true", "isActive"),
    ]
    for resource_name, query, sort_field in cases:
        resource = RESOURCES[resource_name]
        form = resource.filter_form(QueryDict(query))
        assert form.is_valid(), form.errors
        found = copy_list.matching(resource, form, sort_field, "ascending", lookups)
        assert not isinstance(found, list), (resource_name, query, sort_field)


def test_a_change_of_the_state_rules_reaches_the_stored_states_at_the_next_pass(copied, office_client, monkeypatch):
    """The stored states are invoice_state.py's: when its rules change, the next sync pass
    recomputes them (the columns' version changes with the code)."""
    every = len(store.all("invoices"))
    _response, page = get(office_client, "/invoices/?state=paid")
    assert matches(page) < every
    # New rules: every invoice is paid (and a new version of the code that computes the columns).
    monkeypatch.setattr(sync_entities, "invoice_state", lambda invoice, on=None: InvoiceState.PAID)
    monkeypatch.setattr(copy, "columns_version", lambda: "new rules")
    run = engine.sync(entities=["invoices"])
    assert run.error == ""
    _response, page = get(office_client, "/invoices/?state=paid")
    assert matches(page) == every
    assert CopyStatus.objects.get(entity="invoices").columns_version == "new rules"


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_new_columns_of_an_existing_copy():
    if len(store.all("invoices")) < 60 or not store.all("projects"):  # another test may have emptied the sandbox
        store.reset()
    executor = MigrationExecutor(connection)
    before = [("dashboard", "0009_copy_read_keys")]
    after = [("dashboard", "0011_speed_copy_document_last")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldRecord = old_apps.get_model("dashboard", "SyncedRecord")
    OldStatus = old_apps.get_model("dashboard", "CopyStatus")
    docs = store.all("invoices")[:60] + store.all("projects")[:5]
    now = dt.datetime.now(dt.UTC)
    for doc in docs:
        entity = "invoices" if "invoiceNumber" in doc else "projects"
        OldRecord.objects.create(account="acct", entity=entity, record_id=doc["_id"], data=doc, synced_at=now)
    OldStatus.objects.create(account="acct", entity="invoices")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    for doc in docs[:60]:
        row = SyncedRecord.objects.get(account="acct", entity="invoices", record_id=doc["_id"])
        invoice = Invoice.from_api(doc)
        due = rules.local_day(invoice.due_date)
        if due:
            assert row.state == invoice_state(invoice, on=due)
            assert row.state_past_due == invoice_state(invoice, on=due + dt.timedelta(days=1))
        else:
            assert row.state == row.state_past_due == invoice_state(invoice)
        assert row.amount is not None
        assert row.data == doc  # the document survived its move to the end of the row (0011)
    project = SyncedRecord.objects.get(account="acct", entity="projects", record_id=docs[60]["_id"])
    assert project.customer_key or not docs[60].get("customerName")
    assert CopyStatus.objects.get(account="acct", entity="invoices").columns_version == copy.columns_version()
    SyncedRecord.objects.filter(account="acct").delete()
    CopyStatus.objects.filter(account="acct").delete()
