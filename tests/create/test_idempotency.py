"""The one-time token of a create form: a record is created at most once per
rendered form, whatever the browser, the network or the servers do."""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
import requests
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from responses import matchers

from dashboard.api import get_client
from dashboard.create import audit, idempotency
from dashboard.entities.customers import CustomerForm
from dashboard.entities.invoices import InvoiceForm
from dashboard.entities.projects import ProjectForm
from dashboard.entities.users import UserForm
from dashboard.entities.workorders import WorkOrderForm
from dashboard.models import CreateAttempt, CreateToken
from seventime import ServerError, Timeout, ValidationError
from tests.conftest import API
from tests.create.test_forms import (
    CREATED,
    customer_values,
    fill,
    minimal_customer,
    posts,
    stub_create,
    stub_get,
    submit,
)

TOKEN = "t0k3n-" + "x" * 26
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def record(id="new-1", label="Nytt AB"):
    return SimpleNamespace(id=id, label=label)


class FakeApi:
    """Stands in for the client's create and find calls, counting them."""

    def __init__(self, *, create=None, find=None):
        self.created, self.searched = 0, 0
        self._create, self._find = create, find

    def create(self, payload):
        self.created += 1
        if isinstance(self._create, Exception):
            raise self._create
        return self._create or record()

    def find_existing(self, payload, since):
        self.searched += 1
        return self._find

    def submit(self, user, token=TOKEN):
        return idempotency.submit(
            token,
            user=user,
            entity="customers",
            payload={"name": "Nytt AB", "password": "hemligt"},
            create=self.create,
            find_existing=self.find_existing,
            describe=lambda r: r.label,
        )


class FakeClock:
    """The clock a submit waits for another with: its pauses move the time on at once."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(idempotency, "time", clock)
    return clock


def waiting_for(first: threading.Thread, clock: FakeClock, monkeypatch) -> threading.Event:
    """Make a submit that waits for another wait until the thread `first` has ended;
    the event tells that it began waiting."""
    waiting = threading.Event()

    def pause(seconds):
        waiting.set()
        first.join(10)
        clock.now += seconds

    monkeypatch.setattr(clock, "sleep", pause)
    return waiting


# --- one token, one create ---


@pytest.mark.django_db
def test_the_first_submit_creates_and_records_the_outcome(office_user):
    api = FakeApi()
    result = api.submit(office_user)
    assert (result.kind, result.upstream_id, result.label) == ("created", "new-1", "Nytt AB")
    token = CreateToken.objects.get()
    assert (token.status, token.upstream_id, token.attempts, token.user, token.entity) == (
        "succeeded",
        "new-1",
        1,
        office_user,
        "customers",
    )
    attempt = CreateAttempt.objects.get()
    assert (attempt.outcome, attempt.upstream_id, attempt.username) == ("created", "new-1", "olivia")
    assert attempt.payload == {"name": "Nytt AB"}  # the password never reaches the log


@pytest.mark.django_db
def test_a_second_submit_of_a_created_form_does_not_call_the_api(office_user):
    api = FakeApi()
    api.submit(office_user)
    again = api.submit(office_user)
    assert (again.kind, again.upstream_id, again.label) == ("duplicate", "new-1", "Nytt AB")
    assert api.created == 1
    assert list(CreateAttempt.objects.order_by("id").values_list("outcome", flat=True)) == ["created", "duplicate"]


@pytest.mark.django_db
def test_a_rejected_submit_may_be_corrected_and_sent_again_with_the_same_token(office_user):
    rejected = FakeApi(create=ValidationError("name is required", field="name"))
    assert rejected.submit(office_user).kind == "failed"
    assert CreateToken.objects.get().status == "failed"
    accepted = FakeApi()
    assert accepted.submit(office_user).kind == "created"
    assert accepted.searched == 0  # nothing can have been created by a rejected attempt
    assert CreateToken.objects.get().attempts == 2


@pytest.mark.django_db
@pytest.mark.parametrize("error", [Timeout("no answer"), ServerError("boom", status=502)])
def test_after_no_answer_a_retry_looks_for_the_record_before_posting(office_user, error):
    assert FakeApi(create=error).submit(office_user).kind == "unknown"
    assert CreateToken.objects.get().maybe_created
    retry = FakeApi(find=record("found-1", "Nytt AB (1321)"))
    result = retry.submit(office_user)
    assert (result.kind, result.upstream_id, result.label) == ("found", "found-1", "Nytt AB (1321)")
    assert (retry.searched, retry.created) == (1, 0)
    assert CreateToken.objects.get().status == "succeeded"
    outcomes = list(CreateAttempt.objects.order_by("id").values_list("outcome", flat=True))
    assert outcomes == ["unknown" if error.status is None else "failed", "found"]


@pytest.mark.django_db
def test_after_no_answer_a_retry_that_finds_nothing_posts_again(office_user):
    FakeApi(create=Timeout("no answer")).submit(office_user)
    retry = FakeApi(find=None)
    assert retry.submit(office_user).kind == "created"
    assert (retry.searched, retry.created) == (1, 1)


@pytest.mark.django_db
def test_a_failed_search_keeps_the_outcome_unknown_and_posts_nothing(office_user):
    FakeApi(create=Timeout("no answer")).submit(office_user)

    class Down(FakeApi):
        def find_existing(self, payload, since):
            raise Timeout("still down")

    retry = Down()
    assert retry.submit(office_user).kind == "unknown"
    assert retry.created == 0
    assert CreateToken.objects.get().status == "unknown"


@pytest.mark.django_db
def test_the_search_looks_from_when_the_first_attempt_began(office_user):
    FakeApi(create=Timeout("no answer")).submit(office_user)
    started = CreateToken.objects.get().created_at
    seen = []

    class Watch(FakeApi):
        def find_existing(self, payload, since):
            seen.append(since)

    Watch().submit(office_user)
    assert seen == [started]


@pytest.mark.django_db
def test_a_bug_after_the_claim_leaves_the_token_for_a_careful_retry(office_user):
    class Broken(FakeApi):
        def create(self, payload):
            raise KeyError("oops")

    with pytest.raises(KeyError):
        Broken().submit(office_user)
    token = CreateToken.objects.get()
    assert (token.status, token.maybe_created) == ("unknown", True)


@pytest.mark.django_db
def test_a_token_is_only_good_for_its_own_user_and_entity(office_user, manager_user):
    FakeApi().submit(office_user)
    api = FakeApi()
    assert api.submit(manager_user).kind == "foreign"
    assert api.created == 0


# --- two submits at once ---


@pytest.mark.django_db
def test_a_second_submit_while_the_first_is_running_waits_for_it(office_user, clock, monkeypatch):
    CreateToken.objects.create(token=TOKEN, user=office_user, entity="customers", attempts=1)

    def first_finishes(seconds):  # while the second waits, the first one succeeds
        CreateToken.objects.filter(token=TOKEN).update(status="succeeded", upstream_id="new-1", label="Nytt AB")
        clock.now += seconds

    monkeypatch.setattr(clock, "sleep", first_finishes)
    api = FakeApi()
    result = api.submit(office_user)
    assert (result.kind, result.upstream_id) == ("duplicate", "new-1")
    assert api.created == 0


@pytest.mark.django_db
def test_a_second_submit_gives_up_waiting_without_calling_the_api(office_user, clock):
    CreateToken.objects.create(token=TOKEN, user=office_user, entity="customers", attempts=1)
    api = FakeApi()
    assert api.submit(office_user).kind == "busy"
    assert api.created == 0
    assert sum(clock.slept) >= idempotency.wait_seconds()  # it gave the first as long as an attempt can take


@pytest.mark.django_db
def test_an_abandoned_attempt_is_taken_over_carefully(office_user):
    # Its server died mid-request: the record may exist, so look first.
    old = timezone.now() - dt.timedelta(minutes=5)
    CreateToken.objects.create(
        token=TOKEN, user=office_user, entity="customers", attempts=1, created_at=old, updated_at=old
    )
    api = FakeApi(find=record("found-1"))
    assert api.submit(office_user).kind == "found"
    assert (api.searched, api.created) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_call_the_api_once(sandbox_data, django_user_model, clock, monkeypatch):
    user = django_user_model.objects.create_user("samtidig")
    in_api, release = threading.Event(), threading.Event()
    calls = []

    def slow_create(payload):
        calls.append(payload)
        in_api.set()
        assert release.wait(5)
        return record()

    results = {}

    def run(name):
        results[name] = idempotency.submit(
            TOKEN,
            user=user,
            entity="customers",
            payload={"name": "Nytt AB"},
            create=slow_create,
            find_existing=lambda payload, since: None,
            describe=lambda r: r.label,
        )

    first = threading.Thread(target=run, args=("first",))
    second_waiting = waiting_for(first, clock, monkeypatch)
    first.start()
    assert in_api.wait(5)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    assert second_waiting.wait(5)  # the second is waiting for the first
    assert "second" not in results
    release.set()
    first.join(5)
    second.join(5)
    assert len(calls) == 1
    assert {results["first"].kind, results["second"].kind} == {"created", "duplicate"}
    assert results["second"].upstream_id == "new-1"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_one_form_create_one_customer(
    sandbox_data, django_user_model, api, clock, monkeypatch
):
    """The whole stack: two requests with the same form at the same moment."""
    user = django_user_model.objects.create_user("dubbel")
    user.groups.add(Group.objects.get_or_create(name="Office staff")[0])
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="add_customers"))
    browser = Client()
    browser.force_login(user)
    values = customer_values(browser, api)
    in_api, release = threading.Event(), threading.Event()

    def slow(request):
        in_api.set()
        release.wait(5)
        return 200, {}, '{"_id": "new-cust", "name": "Ahlgrens Måleri", "customerNumber": "1321"}'

    api.add_callback("POST", API + "customers", callback=slow, match=[matchers.json_params_matcher(minimal_customer())])
    data = fill(values, name="Ahlgrens Måleri")
    answers = {}

    def post(name):
        client = Client()
        client.force_login(user)
        answers[name] = submit(client, "customers", data)

    first = threading.Thread(target=post, args=("first",))
    second_waiting = waiting_for(first, clock, monkeypatch)
    first.start()
    assert in_api.wait(5)
    second = threading.Thread(target=post, args=("second",))
    second.start()
    assert second_waiting.wait(5)  # the second is waiting for the first
    release.set()
    first.join(10)
    second.join(10)
    assert answers["first"]["Location"] == answers["second"]["Location"] == "/customers/new-cust/"
    assert len(posts(api, "customers")) == 1


# --- finding what an earlier attempt created ---


@pytest.fixture
def client_api(api):
    return get_client()


SINCE = NOW - dt.timedelta(seconds=30)
RECENT = (NOW - dt.timedelta(seconds=10)).isoformat().replace("+00:00", "Z")  # within the clock-skew margin
OLD = "2026-01-01T00:00:00.000Z"


def test_customer_is_found_by_its_number_when_one_was_given(api, client_api):
    stub_get(
        api,
        "customers",
        [
            {"_id": "c-2", "customerNumber": "10010", "createdDate": RECENT},
            {"_id": "c-1", "customerNumber": "1001", "createdDate": RECENT},
        ],
        {"customerNumber": "1001"},
    )
    assert CustomerForm.find_existing(client_api, {"name": "X", "customerNumber": "1001"}, SINCE).id == "c-1"


def test_an_older_customer_with_the_number_is_not_taken_for_the_attempts_record(api, client_api):
    # The number was taken before the attempt began: the attempt failed, it did not create it.
    stub_get(api, "customers", [{"_id": "c-1", "customerNumber": "1001", "createdDate": OLD}], {"customerNumber": "1001"})
    assert CustomerForm.find_existing(client_api, {"name": "X", "customerNumber": "1001"}, SINCE) is None


def test_customer_without_number_is_found_by_name_details_and_creation_time(api, client_api):
    stub_get(
        api,
        "customers",
        [
            {"_id": "same-name-older", "name": "Nytt AB", "createdDate": OLD},
            {"_id": "other-org", "name": "Nytt AB", "organizationNumber": "111111-1111", "createdDate": RECENT},
            {"_id": "longer-name", "name": "Nytt AB Holding", "createdDate": RECENT},
            {"_id": "ours", "name": "nytt ab ", "organizationNumber": "556677-8899", "createdDate": RECENT},
        ],
        {"name": "Nytt AB", "sortBy": "createdDate", "sortDirection": "descending"},
    )
    payload = {"name": "Nytt AB", "organizationNumber": "556677-8899"}
    assert CustomerForm.find_existing(client_api, payload, SINCE).id == "ours"
    assert (
        CustomerForm.find_existing(client_api, {"name": "Nytt AB", "organizationNumber": "000000-0000"}, SINCE) is None
    )


def test_user_is_found_by_the_unique_username(api, client_api):
    stub_get(
        api,
        "users",
        [
            {"_id": "u-1", "userName": "TommyHH", "createdDate": RECENT},
            {"_id": "u-2", "userName": "tommyh", "createdDate": RECENT},
        ],
        {"name": "TommyH"},
    )
    assert UserForm.find_existing(client_api, {"userName": "TommyH"}, SINCE).id == "u-2"


def test_an_older_user_with_the_username_is_not_taken_for_the_attempts_record(api, client_api):
    stub_get(api, "users", [{"_id": "u-2", "userName": "tommyh", "createdDate": OLD}], {"name": "TommyH"})
    assert UserForm.find_existing(client_api, {"userName": "TommyH"}, SINCE) is None


def test_project_is_found_by_name_customer_and_creation_time(api, client_api):
    stub_get(
        api,
        "projects",
        [
            {"_id": "p-old", "name": "Blåsippan", "customer": "cust-1", "createdDate": OLD},
            {"_id": "p-other", "name": "Blåsippan", "customer": "cust-2", "createdDate": RECENT},
            {"_id": "p-ours", "name": "Blåsippan", "customer": "cust-1", "createdDate": RECENT},
        ],
        {"name": "Blåsippan", "sortBy": "createdDate", "sortDirection": "descending"},
    )
    assert ProjectForm.find_existing(client_api, {"name": "Blåsippan", "customer": "cust-1"}, SINCE).id == "p-ours"
    stub_get(api, "projects", [{"_id": "p-n", "projectNumber": "2001", "createdDate": RECENT}], {"projectNumber": "2001"})
    assert ProjectForm.find_existing(client_api, {"name": "X", "projectNumber": 2001}, SINCE).id == "p-n"


def test_work_order_is_found_by_title_customer_creator_and_creation_time(api, client_api):
    stub_get(
        api,
        "workOrders",
        [
            {
                "_id": "w-other-user",
                "title": "Service",
                "customer": "cust-1",
                "createdByUser": "user-2",
                "createDate": RECENT,
            },
            {
                "_id": "w-ours",
                "title": "Service",
                "customer": "cust-1",
                "createdByUser": "user-1",
                "createDate": RECENT,
            },
        ],
        {"title": "Service", "sortBy": "createDate", "sortDirection": "descending"},
    )
    payload = {"title": "Service", "customer": "cust-1", "createdByUser": "user-1"}
    assert WorkOrderForm.find_existing(client_api, payload, SINCE).id == "w-ours"


def test_invoice_is_found_among_the_customers_newest_by_creator_rows_and_time(api, client_api):
    stub_get(api, "customers/cust-1", {"_id": "cust-1", "customerNumber": "1001"})
    row = {"itemType": "time", "name": "Arbete"}
    stub_get(
        api,
        "invoices",
        [
            {
                "_id": "i-other-customer",
                "customer": "cust-9",
                "createdByUser": "user-1",
                "createDate": RECENT,
                "invoiceItems": [row],
            },
            {
                "_id": "i-two-rows",
                "customer": "cust-1",
                "createdByUser": "user-1",
                "createDate": RECENT,
                "invoiceItems": [row, row],
            },
            {"_id": "i-old", "customer": "cust-1", "createdByUser": "user-1", "createDate": OLD, "invoiceItems": [row]},
            {
                "_id": "i-ours",
                "customer": "cust-1",
                "createdByUser": "user-1",
                "createDate": RECENT,
                "invoiceItems": [row],
            },
        ],
        {"customerNumber": "1001", "sortBy": "createDate", "sortDirection": "descending"},
    )
    payload = {"customer": "cust-1", "createdByUser": "user-1", "invoiceItems": [row]}
    assert InvoiceForm.find_existing(client_api, payload, SINCE).id == "i-ours"


# --- the log keeps no secrets ---


def test_the_log_drops_passwords_and_shortens_personal_numbers():
    payload = {
        "password": "x",
        "name": "N",
        "billingSettings": {"deductionDistribution": [{"personalNumber": "19800101-1234", "userName": "A"}]},
    }
    assert audit.scrub(payload) == {
        "name": "N",
        "billingSettings": {"deductionDistribution": [{"personalNumber": "•••••••••1234", "userName": "A"}]},
    }


def test_tokens_are_long_random_and_checked_for_shape():
    tokens = {idempotency.new_token() for _ in range(50)}
    assert len(tokens) == 50 and all(idempotency.valid_token(t) for t in tokens)
    assert (
        not idempotency.valid_token("")
        and not idempotency.valid_token("short")
        and not idempotency.valid_token("x" * 20 + "<>")
    )


@pytest.mark.django_db
def test_the_view_uses_the_real_client_end_to_end(office_client, api):
    """A timeout on the real client (not a fake) leaves the token unknown and a retry finds the record."""
    values = customer_values(office_client, api)
    api.post(API + "customers", body=requests.exceptions.ReadTimeout())
    data = fill(values, name="Ahlgrens Måleri")
    assert submit(office_client, "customers", data).status_code == 504
    created = {**CREATED["customers"], "name": "Ahlgrens Måleri", "createdDate": timezone.now().isoformat()}
    stub_get(
        api, "customers", [created], {"name": "Ahlgrens Måleri", "sortBy": "createdDate", "sortDirection": "descending"}
    )
    stub_create(api, "customers", minimal_customer())  # must not be needed
    assert submit(office_client, "customers", data)["Location"] == "/customers/new-cust/"
    assert len(posts(api, "customers")) == 1
