"""A complete copy of the demo data, and Seven Time unreachable, for the workbench's tests."""

import pytest
from django.utils import timezone

from dashboard.api import account_key
from dashboard.models import CopyStatus
from dashboard.sync import copy, engine
from seventime.sandbox import store
from seventime.client import SevenTimeClient
from seventime.errors import ConnectionFailed

#: The copy's entities the workbench reads, and the sandbox's collections that hold them.
COLLECTIONS = {
    "customers": "customers",
    "users": "users",
    "projects": "projects",
    "work_orders": "workOrders",
    "invoices": "invoices",
}


@pytest.fixture
def copied(db):
    """A complete copy of the sandbox's records, as a full sweep would leave it, made
    straight from its tables (a real sweep takes seconds per test; tests/sync tests it)."""
    account, moment = account_key(), timezone.now()
    for entity, collection in COLLECTIONS.items():
        copy.status(account, entity)
        copy.put(account, entity, store.all(collection), moment)
        CopyStatus.objects.filter(account=account, entity=entity).update(
            complete=True, last_full_at=moment, last_complete_at=moment
        )


@pytest.fixture
def swept(db):
    """A copy made by a real full sweep through the API."""
    run = engine.sync(full=True, entities=list(COLLECTIONS))
    assert run.error == "" and run.complete
    return run


@pytest.fixture
def seventime_down(monkeypatch):
    """Every call to Seven Time fails; the list holds the paths asked for."""
    calls = []

    def refuse(self, method, path, **kwargs):
        calls.append(path)
        raise ConnectionFailed("Could not connect to Seven Time.")

    monkeypatch.setattr(SevenTimeClient, "_request", refuse)
    return calls


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root"))
    return client


@pytest.fixture
def plain_client(client, plain_user):
    client.force_login(plain_user)
    return client
