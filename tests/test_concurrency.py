"""Several people at the same moment, against a live server on the SQLite file
database the tests run on (tests/settings.py): each request has its own
connection, as under `make run`, so SQLite locks as it does in production."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth.models import Permission
from django.db import OperationalError
from django.test import Client

from seventime.sandbox import store
from tests.sandbox_cases import SECRET
from tests.test_create_forms import fill, form_values, input_value, open_form, submit

AT_ONCE = 5
DETAIL = re.compile(r"/customers/([0-9a-f]{24})/$")


def browser_for(live_server, user) -> requests.Session:
    """A requests session logged in as `user` (the session cookie of a forced login)."""
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.trust_env = False  # loopback only, whatever proxy the environment names
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def open_customer_form(live_server, session: requests.Session) -> dict[str, list[str]]:
    answer = session.get(f"{live_server.url}/customers/new/", timeout=30)
    assert answer.status_code == 200
    return form_values(answer.text)


def post_all_at_once(live_server, posts: list[tuple[requests.Session, dict]]) -> list[requests.Response]:
    """Every submit leaves at the same moment (a barrier), each on its own connection."""
    barrier = threading.Barrier(len(posts), timeout=30)

    def post(item):
        session, data = item
        barrier.wait()
        return session.post(
            f"{live_server.url}/customers/new/",
            data=data,
            headers={"Referer": f"{live_server.url}/customers/new/"},
            timeout=60,
        )

    with ThreadPoolExecutor(len(posts)) as pool:
        return list(pool.map(post, posts))


def customers_named(name: str) -> list[dict]:
    return [doc for doc in store.all("customers") if doc.get("name") == name]


@pytest.fixture
def office(django_user_model, sandbox_data):
    # Transactional tests empty the tables, the groups of the migrations included.
    user = django_user_model.objects.create_user("samtidig")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_customers", "add_customers"]))
    return user


@pytest.mark.django_db(transaction=True)
def test_five_people_creating_customers_at_the_same_moment_all_succeed(live_server, office):
    """Before immediate transactions, most of them answered a bare 500 ("database is
    locked") and their customers were never created."""
    posts = []
    for n in range(AT_ONCE):
        session = browser_for(live_server, office)
        posts.append((session, fill(open_customer_form(live_server, session), name=f"Samtidig Kund {n}")))

    answers = post_all_at_once(live_server, posts)

    assert [answer.status_code for answer in answers] == [200] * AT_ONCE
    created = []
    for n, answer in enumerate(answers):
        assert DETAIL.search(answer.url), answer.url  # each lands on its customer's page
        [customer] = customers_named(f"Samtidig Kund {n}")  # exactly once
        assert f"Customer “Samtidig Kund {n} ({customer['customerNumber']})” was created." in answer.text
        assert DETAIL.search(answer.url).group(1) == customer["_id"]
        created.append(customer["customerNumber"])
    assert len(set(created)) == AT_ONCE  # each got its own number


@pytest.mark.django_db(transaction=True)
def test_one_form_submitted_five_times_at_the_same_moment_creates_one_customer(live_server, office):
    session = browser_for(live_server, office)
    data = fill(open_customer_form(live_server, session), name="Dubbelklick AB")
    clicks = []
    for _n in range(AT_ONCE):
        click = requests.Session()
        click.trust_env = False
        click.cookies.update(session.cookies)
        clicks.append((click, data))

    answers = post_all_at_once(live_server, clicks)

    [customer] = customers_named("Dubbelklick AB")
    assert [answer.status_code for answer in answers] == [200] * AT_ONCE
    # Every answer is the one customer's page: none lost the form to an error page.
    assert {answer.url for answer in answers} == {f"{live_server.url}/customers/{customer['_id']}/"}
    created = f"Customer “Dubbelklick AB ({customer['customerNumber']})” was created."
    assert all(created in answer.text for answer in answers)


# --- when the sandbox's database fails all the same (busy beyond the timeout) ---


def locked(*args, **kwargs):
    raise OperationalError("database is locked")


def test_a_database_error_in_the_sandbox_is_a_503_answer_and_creates_nothing(client, db, monkeypatch):
    before = len(store.all("customers"))
    monkeypatch.setattr(store, "add", locked)
    answer = client.post(
        "/sandbox/api/1/customers", '{"name": "Låst AB"}', content_type="application/json", HTTP_CLIENT_SECRET=SECRET
    )
    assert answer.status_code == 503
    assert answer.json() == {"errorMessage": "The sandbox's database is busy. Try again."}
    assert len(store.all("customers")) == before


def test_a_database_error_in_the_sandbox_gives_the_create_form_back_with_everything_typed(
    office_client, monkeypatch
):
    data = fill(form_values(open_form(office_client, "customers")), name="Låst AB", city="Västra Karup")
    monkeypatch.setattr(store, "add", locked)

    answer = submit(office_client, "customers", data)

    page = answer.content.decode()
    assert answer.status_code == 502
    assert "Seven Time did not confirm whether the customer was created. Nothing you typed is lost." in page
    assert '<button type="submit" form="create-form" class="retry">Try again</button>' in page
    assert (input_value(page, "name"), input_value(page, "city")) == ("Låst AB", "Västra Karup")

    monkeypatch.undo()  # "Try again" once the database answers
    again = office_client.post("/customers/new/", data, follow=True)
    assert again.redirect_chain and "Customer “Låst AB" in again.content.decode()
