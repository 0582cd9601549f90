"""The sync engine (dashboard.sync, docs/sync.md) against the in-process sandbox:
complete copies of every entity, incremental passes, gone records, faults, the
plan's cost and a large account."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from unittest import mock

import pytest
import requests
from django.core.management import CommandError, call_command

from dashboard.api import get_client
from dashboard.fetch import account_key
from dashboard.models import CopyStatus, SyncedRecord, SyncRun, SyncStage
from dashboard.sync import engine, schedule
from dashboard.sync.entities import ENTITIES
from seventime.sandbox import api as sandbox_api
from seventime.sandbox import demo, store
from seventime.sandbox.models import Document

#: The sandbox's collection of each entity.
COLLECTIONS = {
    "customers": "customers",
    "contact_persons": "contactPersons",
    "users": "users",
    "departments": "departments",
    "projects": "projects",
    "work_orders": "workOrders",
    "invoices": "invoices",
    "project_statuses": "projectStatuses",
    "project_types": "projectTypes",
    "project_tags": "projectTags",
    "work_order_statuses": "workOrderStatuses",
    "work_order_types": "workOrderTypes",
    "work_order_tags": "workOrderTags",
    "invoice_tags": "invoiceTags",
    "user_roles": "userRoles",
    "price_lists": "priceLists",
    "salary_types": "defaultSalaryTypes",
    "user_skills": "userSkills",
}


def sandbox_ids(entity: str) -> set[str]:
    """Counted from the sandbox's own table, not through its API."""
    return set(Document.objects.filter(collection=COLLECTIONS[entity]).values_list("doc_id", flat=True))


def copy_ids(entity: str) -> set[str]:
    return set(
        SyncedRecord.objects.filter(entity=entity, gone_at__isnull=True).values_list("record_id", flat=True)
    )


def status(entity: str) -> CopyStatus:
    return CopyStatus.objects.get(account=account_key(), entity=entity)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def replace_document(collection: str, data: dict) -> None:
    """Change a record inside the sandbox as Seven Time would (a new version of it)."""
    Document.objects.filter(collection=collection, doc_id=data["_id"]).delete()
    store.add(collection, data)


@pytest.fixture
def full_copy(db):
    run = engine.sync(full=True)
    assert run.error == "" and run.complete
    return run


def test_the_entities_are_the_contracts():
    assert set(ENTITIES) == set(COLLECTIONS)


def test_a_full_sync_of_the_demo_data_holds_exactly_the_sandboxs_records(full_copy):
    for entity in ENTITIES:
        assert copy_ids(entity) == sandbox_ids(entity), entity
        assert status(entity).count == len(sandbox_ids(entity)) and status(entity).complete, entity
        assert status(entity).last_complete_at is not None and status(entity).incomplete_reason == ""
    assert len(copy_ids("invoices")) == 600 and len(copy_ids("contact_persons")) > 100  # beyond the cap
    assert not SyncStage.objects.exists()  # the staging rows were moved into the copy
    assert engine.copy_is_fresh()
    # Every call is counted: per entity and in all.
    assert full_copy.api_calls == sum(entry["calls"] for entry in full_copy.progress.values())
    assert all(entry["state"] == "done" for entry in full_copy.progress.values())


def test_the_copy_keeps_the_documents_and_fills_the_indexed_columns(full_copy):
    raw = next(d for d in store.all("invoices") if d.get("currencyCode") == "EUR" and d.get("invoiceNumber"))
    record = SyncedRecord.objects.get(entity="invoices", record_id=raw["_id"])
    assert record.data["invoiceNumber"] == raw["invoiceNumber"] and record.data.keys() == raw.keys()
    assert isinstance(record.data["totalAmountInclTax"], str)  # money as Decimal text, never a float
    assert (record.number, record.ocr, record.currency) == (raw["invoiceNumber"], raw["OCRNumber"], "eur")  # folded, as the text columns are
    assert record.customer_number == raw["customerNumber"] and record.customer_id == raw["customer"]
    assert record.date is not None and record.due_date is not None
    customer = SyncedRecord.objects.get(entity="customers", number="1006")
    assert customer.name and customer.city and customer.organization_number and customer.active is True
    work_order = SyncedRecord.objects.filter(entity="work_orders").exclude(project_id="").first()
    assert work_order.number and work_order.name and work_order.customer_id
    user = SyncedRecord.objects.filter(entity="users").first()
    assert user.name and user.department and user.role
    role = SyncedRecord.objects.get(entity="user_roles", record_id="10")
    assert role.name == "arbetsledare"  # text columns are case folded: filters ignore case
    assert role.name_key == "arbetsledare" and role.data["userRoleName"] == "Arbetsledare"
    # The search text: name, number, e-mail and phone (also as bare digits), folded.
    raw_customer = next(d for d in store.all("customers") if d["customerNumber"] == "1006")
    assert customer.name == raw_customer["name"].casefold() and customer.number_key.endswith("1006")
    for field in ("name", "customerNumber", "email"):
        if raw_customer.get(field):
            assert raw_customer[field].casefold() in customer.search, field


def test_an_incremental_pass_picks_up_records_created_and_changed_in_the_sandbox(full_copy):
    # Created through the sandbox's API (not through the dashboard).
    created = get_client().create_customer({"name": "Nyskapad Kund AB", "city": "Lund"})
    # Changed inside Seven Time: a customer renamed, an invoice paid, a new invoice and work order.
    customer = dict(next(d for d in store.all("customers") if d["customerNumber"] == "1010"))
    customer.update(name="Omdöpt AB", modifiedDate=now_iso())
    replace_document("customers", customer)
    invoice = dict(next(d for d in store.all("invoices") if d.get("sentDate") and not d.get("paymentDate")))
    invoice.update(paymentDate=now_iso())
    replace_document("invoices", invoice)
    new_invoice = dict(store.all("invoices")[0], _id=store.new_id(), invoiceNumber="99999", createDate=now_iso())
    store.add("invoices", new_invoice)
    new_work_order = dict(store.all("workOrders")[0], _id=store.new_id(), workOrderNumber="9999", createDate=now_iso())
    store.add("workOrders", new_work_order)

    run = engine.sync()

    assert run.kind == "incremental" and run.error == ""
    assert run.api_calls <= schedule.INCREMENTAL_CALLS + engine.MAX_CONTACT_REFRESH
    assert SyncedRecord.objects.get(entity="customers", record_id=created.id).data["name"] == "Nyskapad Kund AB"
    assert SyncedRecord.objects.get(entity="customers", record_id=customer["_id"]).data["name"] == "Omdöpt AB"
    assert SyncedRecord.objects.get(entity="invoices", record_id=invoice["_id"]).data["paymentDate"]
    assert SyncedRecord.objects.get(entity="invoices", record_id=new_invoice["_id"]).number == "99999"
    assert SyncedRecord.objects.get(entity="work_orders", record_id=new_work_order["_id"]).number == "9999"
    for entity in ("customers", "invoices", "work_orders"):
        assert copy_ids(entity) == sandbox_ids(entity), entity


def test_contact_persons_of_a_changed_customer_are_read_again_in_the_incremental_pass(full_copy):
    customer = dict(next(d for d in store.all("customers") if d["customerNumber"] == "1020"))
    contact = dict(next(c for c in store.all("contactPersons") if c["customer"] != customer["_id"]))
    contact.update(_id=store.new_id(), customer=customer["_id"], name="Ny Kontakt", modifiedDate=now_iso())
    store.add("contactPersons", contact)
    customer["modifiedDate"] = now_iso()
    replace_document("customers", customer)

    engine.sync()

    assert SyncedRecord.objects.get(entity="contact_persons", record_id=contact["_id"]).customer_id == customer["_id"]


def test_a_record_removed_from_the_sandbox_is_marked_gone_by_the_next_full_sweep(full_copy):
    removed = store.all("invoices")[10]["_id"]
    removed_customer = store.all("customers")[5]["_id"]
    Document.objects.filter(collection="invoices", doc_id=removed).delete()
    Document.objects.filter(collection="customers", doc_id=removed_customer).delete()

    engine.sync(full=True)

    gone = SyncedRecord.objects.get(entity="invoices", record_id=removed)
    assert gone.gone_at is not None
    assert SyncedRecord.objects.get(entity="customers", record_id=removed_customer).gone_at is not None
    assert copy_ids("invoices") == sandbox_ids("invoices") and status("invoices").count == 599
    # Back again (restored in Seven Time): no longer gone.
    store.add("invoices", gone.data)
    engine.sync(full=True, entities=["invoices"])
    assert SyncedRecord.objects.get(entity="invoices", record_id=removed).gone_at is None


def failing_sandbox(monkeypatch, fails):
    """The sandbox answering as before, except the requests `fails(path, query)` picks:
    those answer 503 or time out (whatever `fails` returns)."""
    real = sandbox_api.handle

    def handle(method, path, query, headers, body=b""):
        outcome = fails(path, query)
        if outcome == "timeout":
            raise requests.exceptions.ReadTimeout("read timed out")
        if outcome == "503":
            return sandbox_api.error(503, "Service unavailable")
        return real(method, path, query, headers, body)

    monkeypatch.setattr(sandbox_api, "handle", handle)


@pytest.mark.parametrize("outcome", ["503", "timeout"])
def test_errors_in_the_middle_of_a_sweep_leave_the_previous_complete_copy(full_copy, monkeypatch, outcome):
    before = {entity: copy_ids(entity) for entity in ("invoices", "work_orders")}
    complete_at = status("invoices").last_complete_at
    Document.objects.filter(collection="invoices", doc_id=store.all("invoices")[0]["_id"]).delete()
    # Deep in the sweep (three-digit queries), every attempt of the retries fails.
    failing_sandbox(
        monkeypatch, lambda path, query: outcome if len(query.get("invoiceNumber", "")) >= 3 else None
    )

    run = engine.sync(full=True, entities=["invoices", "work_orders"])

    assert not run.complete and run.error.startswith("invoices: ")
    assert run.progress["invoices"]["state"] == "failed" and run.progress["work_orders"]["state"] == "done"
    invoices = status("invoices")
    assert invoices.complete and invoices.last_complete_at == complete_at  # still the last complete copy
    assert invoices.last_error.startswith("ServerError" if outcome == "503" else "Timeout")
    assert invoices.last_error_at is not None
    assert copy_ids("invoices") == before["invoices"]  # nothing marked gone, nothing half-written
    assert not SyncStage.objects.exists()
    assert copy_ids("work_orders") == before["work_orders"] == sandbox_ids("work_orders")


def test_a_call_that_fails_once_is_retried_and_the_sweep_completes(full_copy, monkeypatch):
    failed = set()

    def once(path, query):
        key = (path, tuple(sorted(query.items())))
        if path == "invoices" and query.get("invoiceNumber") and key not in failed:
            failed.add(key)
            return "503"
        return None

    failing_sandbox(monkeypatch, once)
    run = engine.sync(full=True, entities=["invoices"])
    assert run.error == "" and status("invoices").complete and failed


def test_a_malformed_answer_fails_the_entity_not_the_copy(full_copy, monkeypatch):
    real = sandbox_api.handle

    def handle(method, path, query, headers, body=b""):
        answer = real(method, path, query, headers, body)
        if path == "projects" and query.get("projectNumber"):
            return sandbox_api.Response(200, {"not": "a list"})
        return answer

    monkeypatch.setattr(sandbox_api, "handle", handle)
    run = engine.sync(full=True, entities=["projects"])
    assert "projects: BadResponse" in run.error
    assert status("projects").complete and copy_ids("projects") == sandbox_ids("projects")


def test_an_incremental_pass_that_cannot_see_every_change_asks_for_a_full_sweep(full_copy):
    stamp = now_iso()
    for doc in store.all("customers")[:120]:
        replace_document("customers", dict(doc, modifiedDate=stamp))
    run = engine.sync()
    assert run.kind == "incremental"
    assert status("customers").sweep.get("due")  # more than one answer changed since the last pass
    run = engine.sync()
    assert run.progress["customers"]["calls"] == 1  # not at once: when the spare budget pays for it
    measured = engine._measured(account_key())
    later = engine.now() + schedule.early_every(status("customers").full_sweep_calls, measured)
    assert later - status("customers").last_full_at < schedule.FULL_EVERY  # sooner than the schedule
    with mock.patch.object(engine, "now", lambda: later):
        run = engine.sync()
    assert run.progress["customers"]["calls"] > 10  # the full sweep it asked for
    assert not status("customers").sweep.get("due")


def test_a_run_with_a_stale_heartbeat_is_closed_as_abandoned_and_the_next_starts_cleanly(db):
    moment = engine.now()
    SyncRun.objects.create(
        account=account_key(), started_at=moment - dt.timedelta(hours=1), heartbeat_at=moment - dt.timedelta(minutes=6)
    )
    SyncStage.objects.create(account=account_key(), entity="invoices", record_id="left-over", data={}, fetched_at=moment)
    run = engine.sync(entities=["invoices"])
    assert run.error == "" and status("invoices").complete
    assert SyncRun.objects.get(error=engine.ABANDONED).finished_at is not None
    assert "left-over" not in copy_ids("invoices") and not SyncStage.objects.exists()


def test_progress_is_written_while_the_run_goes(db):
    seen = []
    engine.sync(entities=["invoices", "user_roles"], on_progress=lambda run, progress: seen.append(
        {name: dict(entry) for name, entry in progress.items()}
    ))
    states = [snapshot["invoices"]["state"] for snapshot in seen]
    assert states[0] == "waiting" and "running" in states and states[-1] == "done"
    assert max(snapshot["invoices"]["calls"] for snapshot in seen) > 10


# --- the command ---


def test_the_sync_command_runs_a_pass_and_exits_0_when_the_copy_is_complete_and_fresh(db, capsys):
    call_command("sync", "--full")
    out = capsys.readouterr().out
    assert "invoices" in out and "600/600 records" in out
    assert "The copy is complete and fresh." in out
    call_command("sync")  # an incremental pass keeps it fresh
    assert "Incremental pass: " in capsys.readouterr().out


def test_the_sync_command_exits_1_and_says_why_when_an_entity_failed(db, monkeypatch):
    failing_sandbox(monkeypatch, lambda path, query: "503" if path == "workOrders" else None)
    with pytest.raises(CommandError) as caught:
        call_command("sync")
    assert caught.value.returncode == 1
    assert "work_orders: ServerError: Seven Time had an internal problem (HTTP 503)." in str(caught.value)


def test_the_sync_command_prints_the_plan(capsys):
    call_command("sync", "--plan")
    out = capsys.readouterr().out
    assert "The target account" in out and "prefix matching" in out and "substring matching" in out
    assert "DOES NOT meet the target" in out and "meets the target" in out
    assert "planned full sweep (from the copy)" in out and "first full sweep (no copy yet)" in out


# --- the plan ---


def test_the_sweep_cost_is_what_the_sweep_really_costs_on_the_sandbox(full_copy):
    calls, complete = schedule.sweep_cost("invoices", 600, "substring")
    assert complete and calls == status("invoices").full_sweep_calls


def test_prefix_matching_costs_fewer_calls_than_substring_matching():
    substring, _ = schedule.sweep_cost("invoices", 5000, "substring")
    prefix, complete = schedule.sweep_cost("invoices", 5000, "prefix")
    assert complete and prefix < substring
    # Each three-digit prefix holds exactly 100 invoices (capped): asked both ways, not refined.
    assert prefix <= 2 * 5000 // 100 + 2 * 10 + 2 * 11 + 2


def test_the_plan_meets_the_target_on_the_demo_data_and_says_when_it_cannot():
    demo_plan = schedule.plan_cost(schedule.DEMO_ACCOUNT, "substring")
    assert demo_plan.meets_target and demo_plan.average_per_second <= 1
    target = schedule.plan_cost(schedule.TARGET_ACCOUNT, "prefix")
    assert not target.meets_target
    main, contacts = target.intervals
    assert main > schedule.FULL_EVERY and target.average_per_second <= 1.0 + 1e-9
    assert "DOES NOT meet the target" in target.describe()


def test_intervals_stay_at_15_minutes_while_the_budget_allows():
    assert schedule.intervals({"invoices": 100, "contact_persons": 300}) == (schedule.FULL_EVERY, schedule.FULL_EVERY)
    main, contacts = schedule.intervals({"invoices": 2000, "contact_persons": 5000})
    assert schedule.FULL_EVERY < main < contacts


# --- a large account ---


def test_scaled_demo_data_keeps_numbers_and_ids_unique_and_references_whole():
    today = dt.date(2026, 12, 5)
    one = demo.generate_scaled(today, 1)
    assert one == demo.generate(today)
    data = demo.generate_scaled(today, 3)
    assert len(data["invoices"]) == 1800 and len(data["customers"]) == 3 * len(one["customers"])
    assert len(data["projectStatuses"]) == len(one["projectStatuses"])  # lookups are shared
    for collection, key in (("invoices", "invoiceNumber"), ("customers", "customerNumber"),
                            ("workOrders", "workOrderNumber"), ("projects", "projectNumber")):  # fmt: skip
        numbers = Counter(d[key] for d in data[collection] if d.get(key))
        assert max(numbers.values()) == 1, collection
    ids = Counter(d.get("_id") for docs in data.values() for d in docs if d.get("_id"))
    assert max(ids.values()) == 1
    customers = {d["_id"]: d for d in data["customers"]}
    for invoice in data["invoices"]:
        if invoice.get("customer") in customers:
            assert customers[invoice["customer"]]["customerNumber"] == invoice["customerNumber"]
    assert all(d["OCRNumber"].startswith(d["invoiceNumber"]) for d in data["invoices"] if d.get("invoiceNumber"))


def test_sandbox_reset_scale_makes_a_large_account(db, capsys):
    call_command("sandbox_reset", "--scale", "2")
    assert "1200 invoices" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("sandbox_reset", "--scale", "0")


def test_a_long_sweep_runs_incremental_passes_between_its_calls(db, monkeypatch):
    asked = []
    failing_sandbox(monkeypatch, lambda path, query: asked.append((path, query.get("sortBy"))) and None)
    clock = iter(range(0, 10**6, 31))  # 31 s pass between any two looks at the clock
    monkeypatch.setattr(engine, "monotonic", lambda: next(clock))
    run = engine.sync(full=True, entities=["customers", "invoices"])
    assert run.error == ""
    incremental_rounds = asked.count(("customers", "modifiedDate"))
    assert incremental_rounds > 5  # not only the first: new records keep coming in during the sweep
    assert copy_ids("invoices") == sandbox_ids("invoices") and copy_ids("customers") == sandbox_ids("customers")


@pytest.mark.django_db(transaction=True)
def test_two_syncs_at_once_the_second_is_told_and_calls_nothing(sandbox_data):
    import threading

    from django.db import connections

    in_sweep, release = threading.Event(), threading.Event()
    outcome = {}

    def hold(run, progress):
        if progress["invoices"]["state"] == "running" and not in_sweep.is_set():
            in_sweep.set()
            assert release.wait(20)

    def first():
        try:
            outcome["first"] = engine.sync(entities=["invoices"], on_progress=hold)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first, daemon=True)
    thread.start()
    try:
        assert in_sweep.wait(20)
        client = get_client()
        calls = client.calls
        with pytest.raises(engine.SyncRunning) as caught:
            engine.sync()
        assert client.calls == calls  # told without calling the API
        assert caught.value.run.finished_at is None
    finally:
        release.set()
        thread.join(30)
    assert outcome["first"].error == "" and caught.value.run.pk == outcome["first"].pk
    assert SyncRun.objects.filter(finished_at__isnull=True).count() == 0


def test_a_copy_that_can_never_be_proven_complete_is_not_swept_at_every_pass(db, monkeypatch):
    """Pacing: the invoices' sweep never proves completeness (as when the API ignores
    the filter); passes every 30 s for half an hour stay within the budget on
    average, early sweeps included, as the sandbox counted the calls."""
    real_sweep = engine.sweep

    def never_complete(entity, *args, **kwargs):
        result = real_sweep(entity, *args, **kwargs)
        if entity.name == "invoices":
            result.reasons.append("Seven Time ignores the invoice_number filter.")
        return result

    monkeypatch.setattr(engine, "sweep", never_complete)
    moment = [engine.now()]
    monkeypatch.setattr(engine, "now", lambda: moment[0])
    engine.sync(full=True)
    assert not status("invoices").complete
    served = []
    real_handle = sandbox_api.handle
    monkeypatch.setattr(sandbox_api, "handle", lambda *a, **k: served.append(a[1]) or real_handle(*a, **k))
    passes, every = 60, schedule.INCREMENTAL_EVERY

    for _ in range(passes):
        moment[0] += every
        engine.sync()

    seconds = passes * every.total_seconds()
    assert len(served) / seconds <= schedule.BUDGET_PER_SECOND
    sweeps = SyncRun.objects.filter(progress__invoices__calls__gt=10).count() - 1
    assert sweeps >= 3  # early sweeps still come, as the spare budget allows
    assert not status("invoices").complete


def test_on_postgresql_a_full_sweep_leaves_the_planner_statistics_of_the_copy(db):
    """Without them, PostgreSQL planned the invoice state filter from nothing until
    autovacuum came by and took ~500 ms a page on the demo data (make benchmark-copy-production)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: make test-production")

    def rows_known() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [SyncedRecord._meta.db_table])
            return cursor.fetchone()[0]

    run = engine.sync(full=True, entities=["invoices"])
    assert run.error == "" and run.complete
    assert rows_known() >= len(store.all("invoices")) * 0.9  # ANALYZE samples; -1 means never analysed


def test_a_first_sync_makes_every_entity_but_contact_persons_complete_within_its_first_minute(db):
    """Contact persons are listed one customer at a time (320 calls on the demo data, 80 s
    at 4 calls a second): they come last, so that every other list is usable within the
    first 240 calls, a minute at Seven Time's limit."""
    seen = {}

    def watch(run, progress):
        if progress["contact_persons"]["calls"] and not seen:  # its sweep has begun
            seen.update({name: dict(entry) for name, entry in progress.items()})

    run = engine.sync(full=True, on_progress=watch)
    assert run.error == "" and run.complete
    others = {name: entry for name, entry in seen.items() if name != "contact_persons"}
    assert all(entry["state"] == "done" for entry in others.values()), others
    assert sum(entry["calls"] for entry in others.values()) <= 240
    assert run.progress["contact_persons"]["calls"] >= len(store.all("customers"))
