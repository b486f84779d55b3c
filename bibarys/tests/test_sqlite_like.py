"""Staff searches use Django's icontains, which is LIKE: on SQLite it must ignore case in
Cyrillic and Kazakh as PostgreSQL's ILIKE does."""

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from bibarys.sqlite import unicode_like


def test_like_semantics():
    assert unicode_like("%асхат%", "Асхат Нұрланов")
    assert unicode_like("%ІРІМШІК%", "ірімшік")
    assert unicode_like("қ_з%", "Қыз")
    assert not unicode_like("%milk%", "Айран")
    assert unicode_like(r"%50\%%", "скидка 50%", "\\") and not unicode_like(r"%50\%%", "500", "\\")
    assert unicode_like("%x%", None) is None


@pytest.mark.django_db
def test_icontains_ignores_case_in_every_alphabet():
    UserFactory(username="ask", first_name="Асхат")
    UserFactory(username="ira", first_name="Ірімшік")
    from accounts.models import User

    assert list(User.objects.filter(first_name__icontains="асхат").values_list(
        "username", flat=True)) == ["ask"]
    assert User.objects.filter(first_name__icontains="ІРІМ").count() == 1
    assert User.objects.filter(first_name__icontains="ы").count() == 0
    if connection.vendor == "sqlite":  # the function in place on this very connection
        with connection.cursor() as cursor:
            cursor.execute("SELECT 'Қазақ' LIKE 'қазақ'")
            assert cursor.fetchone()[0] == 1
