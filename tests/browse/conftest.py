"""Logins the browse tests use besides those in tests/conftest.py."""

import pytest


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root"))
    return client


@pytest.fixture
def plain_client(client, plain_user):
    client.force_login(plain_user)
    return client
