"""Fixtures every app's tests share: users of each role and clients logged in as them."""

import pytest
from django.core.cache import cache

from accounts.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_hasher_and_clean_cache(settings):
    # MD5 keeps tests fast; the bcrypt test sets the real hasher itself.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    # Each test starts in the store's language: a request in another one (the test client's
    # Accept-Language) leaves it active in the thread after it.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    cache.clear()


@pytest.fixture
def shopper(db):
    return UserFactory(role="shopper", username="shopper_a")


@pytest.fixture
def other_shopper(db):
    return UserFactory(role="shopper", username="shopper_b")


@pytest.fixture
def seller(db):
    return UserFactory(role="seller", username="seller_a")


@pytest.fixture
def other_seller(db):
    return UserFactory(role="seller", username="seller_b")


@pytest.fixture
def cashier(db):
    return UserFactory(role="cashier", username="cashier_a")


@pytest.fixture
def admin_user(db):
    return UserFactory(role="admin", username="admin_a")


def _client_for(client_class, user):
    client = client_class()
    client.force_login(user)
    return client


@pytest.fixture
def shopper_client(shopper):
    from django.test import Client

    return _client_for(Client, shopper)


@pytest.fixture
def seller_client(seller):
    from django.test import Client

    return _client_for(Client, seller)


@pytest.fixture
def admin_client(admin_user):
    from django.test import Client

    return _client_for(Client, admin_user)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real row locks. Locally on SQLite they are skipped; in CI
    (BIBARYS_REQUIRE_POSTGRES=1) a missing PostgreSQL is an error, never a skip."""
    import os

    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if on_postgres:
        return
    if os.environ.get("BIBARYS_REQUIRE_POSTGRES"):
        raise pytest.UsageError("BIBARYS_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
