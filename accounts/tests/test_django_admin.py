"""Django admin is a back office, but it must not be a way around the user rules."""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, admin_user):
    """The owner's account as `createsuperuser` makes it: an admin with every Django permission."""
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_django_admin_cannot_change_role_or_block(superuser_client, shopper):
    url = reverse("admin:accounts_user_change", args=[shopper.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    form_fields = page.context["adminform"].form.fields
    assert "role" not in form_fields and "is_active" not in form_fields

    superuser_client.post(url, {"username": shopper.username, "role": "admin", "is_active": "",
                            "first_name": "X", "last_name": "", "email": "", "phone": "",
                            "address": ""})
    shopper.refresh_from_db()
    assert shopper.role == Role.SHOPPER
    assert shopper.is_active


def test_django_admin_cannot_delete_a_user(superuser_client, shopper):
    url = reverse("admin:accounts_user_delete", args=[shopper.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=shopper.pk).exists()
    assert not AuditEntry.objects.filter(action__startswith="user.delete").exists()
