"""accounts.backends.UserBackend reads the signed-in user with plain SQL: it must give exactly
the user the ORM gives, and refuse the same users ModelBackend refuses."""

import pytest
from django.contrib.auth import get_user_model

from accounts.backends import UserBackend
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_read_with_plain_sql_is_the_users_row_field_by_field():
    user = UserFactory(role="seller", first_name="Aliya", last_name="Kasym",
                       email="aliya@example.kz")
    user.refresh_from_db()
    read = UserBackend().get_user(str(user.pk))
    fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    assert {f: getattr(read, f) for f in fields} == {f: getattr(user, f) for f in fields}
    assert read.date_joined.tzinfo is not None and read.is_active is True
    assert read.is_seller and not read._state.adding


def test_unknown_malformed_and_blocked_users_are_refused():
    user = UserFactory(role="shopper")
    backend = UserBackend()
    assert backend.get_user(user.pk + 1000) is None
    assert backend.get_user("not-a-number") is None
    assert backend.get_user(str(2**64)) is None and backend.get_user(None) is None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert backend.get_user(user.pk) is None
