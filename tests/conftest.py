"""Shared fixtures: logins per group, the API stubbed with `responses`, sandbox data."""


import pytest
import responses
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache

from dashboard.api import _build_client
from dashboard.sync import engine
from seventime.client import SevenTimeClient
from seventime.errors import ConnectionFailed
from seventime.sandbox import store

#: Where view tests pretend the real API lives; `responses` answers for it.
API = "https://api.example.test/api/1/"
SECRET = "test-client-secret-4f9a"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the sandbox demo data once. pytest-django runs transactional tests
    (which empty the database) after all the others; those use `sandbox_data`."""
    with django_db_blocker.unblock():
        store.reset()


@pytest.fixture
def sandbox_data(transactional_db):
    if store.is_empty():
        store.reset()


@pytest.fixture(autouse=True)
def _no_sync_pauses(monkeypatch):
    """The sync engine waits between retries of a failed call: not in tests."""
    monkeypatch.setattr("dashboard.sync.engine.sleep", lambda seconds: None)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, whatever the one before activated."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    # A new client (and so a new limiter) per test: a pause one test's 429 began
    # must not hold back the next test's calls.
    _build_client.cache_clear()
    yield
    cache.clear()


def _user(django_user_model, username, group=None, **extra):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)
    if group:
        if not Group.objects.filter(name=group).exists():
            _make_groups()  # a transactional test before this one emptied every table
        user.groups.add(Group.objects.get(name=group))
    return user


def _make_groups():
    """The groups and their permissions as the migrations make them. The migrations'
    functions switch every app's `models_module` off and on around create_permissions
    (right for a migration's own app registry); here they run on the real registry, so
    each app's value is put back, or the next flush would make no content types or
    permissions at all."""
    import importlib

    from django.apps import apps

    kept = {config.label: config.models_module for config in apps.get_app_configs()}
    steps = (
        ("0002_groups", "create_groups"),
        ("0007_sync_permission", "give_managers"),
        ("0012_receive_expected_payments", "give_groups"),
        ("0013_chase_receivables", "give_groups"),
    )
    try:
        for module, function in steps:
            getattr(importlib.import_module(f"dashboard.migrations.{module}"), function)(apps, None)
    finally:
        for config in apps.get_app_configs():
            config.models_module = kept[config.label]


@pytest.fixture
def office_user(db, django_user_model):
    return _user(django_user_model, "olivia", "Office staff")


@pytest.fixture
def manager_user(db, django_user_model):
    return _user(django_user_model, "magnus", "Managers")


@pytest.fixture
def plain_user(db, django_user_model):
    return _user(django_user_model, "pelle")


@pytest.fixture
def office_client(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def manager_client(client, manager_user):
    client.force_login(manager_user)
    return client


@pytest.fixture
def api(settings):
    """The dashboard pointed at a fake API URL, answered by `responses`."""
    settings.SEVENTIME_API_URL = API
    settings.SEVENTIME_CLIENT_SECRET = SECRET
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def _empty_task_queue():
    """Every test starts and ends with an empty task queue (memory:// in tests)."""
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    yield
    HUEY.flush()


def run_queued_tasks() -> int:
    """Run every task waiting in the queue, here, as a worker would; how many ran.
    A task's exception is raised (a worker would log it). The database connection is
    the test's: djhuey's closing of connections around a task is left out."""
    from unittest import mock

    from huey.contrib.djhuey import HUEY

    ran = 0
    with mock.patch("huey.contrib.djhuey.close_old_connections", lambda: None):
        while (task := HUEY.dequeue()) is not None:
            task.execute()
            ran += 1
    return ran


# --- the local copy (issue 14: pages read it) ---

LIST_ENTITIES = ["customers", "contact_persons", "users", "departments", "projects", "work_orders", "invoices"]
LOOKUP_ENTITIES = [
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


def sync_copy(*entities: str):
    """A complete copy of these entities of the sandbox (all of them without any)."""
    run = engine.sync(full=True, entities=list(entities) or LIST_ENTITIES + LOOKUP_ENTITIES)
    assert run.error == "" and run.complete
    return run


@pytest.fixture
def copied(db):
    """A complete copy of the demo data."""
    return sync_copy()


@pytest.fixture
def seventime_down(monkeypatch):
    """Every call to Seven Time fails as if it could not be reached; counts the attempts."""
    calls = []

    def refuse(self, method, path, **kwargs):
        calls.append(path)
        raise ConnectionFailed("Could not connect to Seven Time.")

    monkeypatch.setattr(SevenTimeClient, "_request", refuse)
    return calls
