"""Planned full sweeps (sweep.plan_queries, docs/sync.md "Planned sweeps"): once the
copy is complete, a sweep's queries come from the numbers it knows. It must still
hold exactly the sandbox's records (counted from the sandbox's own table), find a
record the copy has never seen, mark a removed one gone, and cost fewer calls than
the first sweep, as the sandbox counted them."""

from __future__ import annotations

from collections import Counter

import pytest

from dashboard.sync import engine, schedule
from dashboard.sync.entities import ENTITIES
from dashboard.sync.sweep import PLAN_TWO, plan_queries
from seventime.sandbox import api as sandbox_api
from seventime.sandbox import ratelimit as sandbox_ratelimit
from seventime.sandbox import store
from seventime.sandbox.models import Document
from tests.test_ratelimit import clock  # noqa: F401 - the fixture: both limits at 4 a second

from .test_engine import copy_ids, sandbox_ids, status

FILTERS = {"customerNumber", "personalNumber", "projectNumber", "workOrderNumber", "invoiceNumber"}


@pytest.fixture
def seen_by_sandbox(monkeypatch):
    """Every list request the sandbox answered: (path, query, ids it sent)."""
    real = sandbox_api.handle
    requests = []

    def handle(method, path, query, headers, body=b""):
        response = real(method, path, query, headers, body)
        requests.append((path, dict(query), response))
        return response

    monkeypatch.setattr(sandbox_api, "handle", handle)
    return requests


def calls_per_path(requests) -> Counter:
    return Counter(path.split("/")[0] for path, _query, _response in requests)


def test_a_planned_sweep_is_exact_finds_what_the_copy_never_saw_and_costs_fewer_calls(db, clock, seen_by_sandbox):  # noqa: F811
    began = clock.now
    first = engine.sync(full=True)
    first_seconds = clock.now - began
    assert first.complete and first.error == ""
    first_calls = calls_per_path(seen_by_sandbox)
    assert sandbox_ratelimit.peak()["refused"] == 0

    # Made inside Seven Time, unknown to the copy: an invoice with a number unlike any
    # the copy knows, created long ago (so not among the newest an unfiltered call sends).
    unknown = dict(
        store.all("invoices")[3], _id=store.new_id(), invoiceNumber="7770001", createDate="2019-01-02T08:00:00.000Z"
    )
    store.add("invoices", unknown)
    removed = store.all("invoices")[17]["_id"]
    removed_work_order = store.all("workOrders")[5]["_id"]
    Document.objects.filter(collection="invoices", doc_id=removed).delete()
    Document.objects.filter(collection="workOrders", doc_id=removed_work_order).delete()
    seen_by_sandbox.clear()
    started = clock.now

    planned = engine.sync(full=True)

    assert planned.complete and planned.error == ""
    for entity in ENTITIES:
        assert copy_ids(entity) == sandbox_ids(entity), entity
        assert status(entity).complete, entity
    assert unknown["_id"] in copy_ids("invoices")
    # Found by a number query, not by an unfiltered call.
    unfiltered = [resp for path, query, resp in seen_by_sandbox if path == "invoices" and not FILTERS & set(query)]
    assert unfiltered and all(unknown["_id"] not in str(resp.body) for resp in unfiltered)
    assert removed not in copy_ids("invoices") and removed_work_order not in copy_ids("work_orders")
    # Cheaper, per entity swept by a number, as the sandbox counted the calls.
    planned_calls = calls_per_path(seen_by_sandbox)
    print(
        f"\nfirst sync {sum(first_calls.values())} calls in {first_seconds:.0f} s (fake clock, 4/s); planned "
        f"{sum(planned_calls.values())} calls in {clock.now - started:.0f} s; per list:",
        {path: (first_calls[path], planned_calls[path]) for path in first_calls if first_calls[path] > 1},
    )
    for path in ("invoices", "workOrders", "customers"):
        assert planned_calls[path] < first_calls[path], path
    assert planned_calls["projects"] <= first_calls["projects"]  # 120: one call per digit either way
    assert sum(planned_calls.values()) < sum(first_calls.values())
    assert sandbox_ratelimit.peak(since=started)["refused"] == 0
    for entity in ("customers", "projects", "work_orders", "invoices"):  # the demo's 30 users: one call
        assert status(entity).sweep.get("matching") == "substring", entity  # what the sandbox does


def test_the_plan_is_a_prefix_free_cut_of_the_whole_trie_with_small_queries():
    numbers = [str(24001 + n) for n in range(5000)]
    queries = plan_queries(ENTITIES["invoices"], numbers)
    # Prefix-free, and every possible number (known or not) starts with one query.
    assert not any(a != b and b.startswith(a) for a in queries for b in queries)
    for number in ("1", "24001", "29999", "7770001", "0", "99999999", "3"):
        assert sum(number.startswith(q) for q in queries) == 1 or any(q.startswith(number) for q in queries)
    # Each query matches at most PLAN_TWO of the copy's numbers, even as substrings.
    for query in queries:
        assert sum(query in number for number in numbers) <= PLAN_TWO, query
    # Prefix matching seen: fewer, larger queries.
    assert len(plan_queries(ENTITIES["invoices"], numbers, "prefix")) < len(queries)


@pytest.mark.parametrize("semantics", ["substring", "prefix"])
def test_the_planned_sweep_costs_fewer_calls_than_the_first_in_the_simulation(semantics):
    for entity in ("invoices", "customers", "work_orders"):
        first, complete = schedule.sweep_cost(entity, 5000, semantics)
        planned, planned_complete = schedule.sweep_cost(entity, 5000, semantics, planned=True)
        assert complete and planned_complete and planned < first, entity


def invoice_number_calls(requests) -> int:
    return sum(1 for path, query, _response in requests if path == "invoices" and "invoiceNumber" in query)


def test_a_stopped_full_sweep_resumes_after_its_last_finished_queries(db, seen_by_sandbox, monkeypatch):
    engine.sync(full=True)
    seen_by_sandbox.clear()
    engine.sync(full=True, entities=["invoices"])
    whole = invoice_number_calls(seen_by_sandbox)  # a planned sweep of the invoices, uninterrupted
    seen_by_sandbox.clear()

    # The process is stopped (Ctrl-C, SIGTERM turned SystemExit) two thirds into the next one.
    real = sandbox_api.handle
    stop_at = 2 * whole // 3

    def stopping(method, path, query, headers, body=b""):
        if path == "invoices" and "invoiceNumber" in query and invoice_number_calls(seen_by_sandbox) >= stop_at:
            raise KeyboardInterrupt
        return real(method, path, query, headers, body)

    monkeypatch.setattr(sandbox_api, "handle", stopping)
    with pytest.raises(KeyboardInterrupt):
        engine.sync(full=True, entities=["invoices"])
    monkeypatch.setattr(sandbox_api, "handle", real)
    assert status("invoices").sweep["resume"]["done"]
    before = invoice_number_calls(seen_by_sandbox)
    assert before == stop_at
    # Meanwhile an invoice is made in Seven Time.
    unknown = dict(store.all("invoices")[8], _id=store.new_id(), invoiceNumber="24599999", createDate="2019-03-04T08:00:00.000Z")
    store.add("invoices", unknown)
    seen_by_sandbox.clear()

    resumed = engine.sync(full=True, entities=["invoices"])

    after = invoice_number_calls(seen_by_sandbox)
    assert resumed.complete and resumed.error == ""
    assert after < whole - whole // 3  # it went on, it did not begin again
    assert copy_ids("invoices") == sandbox_ids("invoices") and unknown["_id"] in copy_ids("invoices")
    assert status("invoices").complete and "resume" not in status("invoices").sweep
    # Paced by what the whole sweep cost, both attempts (the unfiltered calls included).
    assert status("invoices").full_sweep_calls >= before + after
