"""A complete copy of the demo data, and Seven Time unreachable, for the workbench's tests."""

import pytest

from dashboard.sync import engine
from seventime.client import SevenTimeClient
from seventime.errors import ConnectionFailed

from .support import COLLECTIONS, make_copy


@pytest.fixture
def copied(db):
    make_copy()


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
