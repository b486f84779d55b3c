from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import WalletEntry
from accounts.permissions import role_required
from accounts.services import wallet_for, wallet_post

pytestmark = pytest.mark.django_db


@role_required("seller", "admin")
def back_office_view(request):
    return HttpResponse("ok")


def call(user):
    request = RequestFactory().get("/back-office/")
    request.user = user
    return back_office_view(request)


def test_role_required_sends_anonymous_visitors_to_login():
    response = call(AnonymousUser())
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/back-office/")


def test_role_required_refuses_the_wrong_role(shopper):
    with pytest.raises(PermissionDenied):
        call(shopper)


@pytest.mark.parametrize("user_fixture", ["seller", "admin_user"])
def test_role_required_lets_the_right_role_in(request, user_fixture):
    assert call(request.getfixturevalue(user_fixture)).content == b"ok"


def test_another_users_wallet_entry_is_404(shopper, other_shopper, client):
    entry = wallet_post(wallet=wallet_for(other_shopper), kind=WalletEntry.Kind.TOPUP,
                        amount=Decimal("500"))
    client.force_login(shopper)
    assert client.get(reverse("accounts:wallet_entry", args=[entry.pk])).status_code == 404
    client.force_login(other_shopper)
    assert client.get(reverse("accounts:wallet_entry", args=[entry.pk])).status_code == 200
