import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse

from accounts.audit import audit_for
from accounts.models import WalletEntry
from accounts.payments import PaymentResult
from accounts.services import wallet_for
from accounts.wallet_services import wallet_credit, wallet_topup

pytestmark = pytest.mark.django_db


def ledger_sum(wallet):
    return wallet.entries.aggregate(s=Sum("amount"))["s"] or Decimal("0")


def test_topup_page_is_labelled_demo_and_credits_the_wallet(shopper_client, shopper):
    page = shopper_client.get(reverse("accounts:wallet_topup"))
    assert "demo-banner" in page.content.decode()
    response = shopper_client.post(reverse("accounts:wallet_topup"), {"amount": "5000"})
    assert response.status_code == 302
    wallet = wallet_for(shopper)
    assert wallet.balance == Decimal("5000.00") == ledger_sum(wallet)
    entry = wallet.entries.get()
    assert entry.kind == WalletEntry.Kind.TOPUP and entry.reference.startswith("topup:demo-")


@pytest.mark.parametrize("amount", ["99.99", "1000000.01", "-5", "abc", "", "1e9"])
def test_topup_outside_the_limits_writes_nothing(shopper_client, shopper, amount):
    response = shopper_client.post(reverse("accounts:wallet_topup"), {"amount": amount})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert not WalletEntry.objects.exists()


def test_topup_amount_is_typed_and_explained_in_the_shoppers_language(shopper_client, shopper):
    """A comma and spaces are how tenge are written here (a number box refused "100,5"); the
    limits are shown as money in the page's language, in the hint and in the error."""
    page = shopper_client.get(reverse("accounts:wallet_topup"), HTTP_ACCEPT_LANGUAGE="en")
    assert "From ₸100.00 to ₸1,000,000.00." in page.content.decode()
    response = shopper_client.post(reverse("accounts:wallet_topup"), {"amount": "99,5"},
                                   HTTP_ACCEPT_LANGUAGE="en")
    assert "Enter ₸100.00 or more." in response.content.decode()
    # What checkout suggests (?amount=904.80) is written the Kazakh way in the box.
    page = shopper_client.get(reverse("accounts:wallet_topup") + "?amount=904.80").content.decode()
    assert 'value="904,80"' in page
    for junk in ("abc", "1e30", "-5", "0", "2000000"):  # not a suggestion: an empty box
        page = shopper_client.get(reverse("accounts:wallet_topup"), {"amount": junk})
        box = re.search(r'<input[^>]*id="id_amount"[^>]*>', page.content.decode()).group(0)
        assert page.status_code == 200 and "value=" not in box
    response = shopper_client.post(reverse("accounts:wallet_topup"), {"amount": "1 500,50"})
    assert response.status_code == 302
    assert wallet_for(shopper).balance == Decimal("1500.50")


def test_topup_goes_back_to_checkout_when_asked(shopper_client):
    response = shopper_client.post(reverse("accounts:wallet_topup"),
                                   {"amount": "1000", "next": "/orders/checkout/review/"})
    assert response["Location"] == "/orders/checkout/review/"
    response = shopper_client.post(reverse("accounts:wallet_topup"),
                                   {"amount": "1000", "next": "https://evil.example/"})
    assert response["Location"] == reverse("accounts:wallet")


def test_a_failing_gateway_writes_nothing(shopper):
    class Declined:
        name, is_demo = "bank", False

        def charge(self, *, user, amount):
            return PaymentResult(ok=False, message="declined")

    with pytest.raises(Exception):
        wallet_topup(user=shopper, amount=Decimal("500"), gateway=Declined())
    assert not WalletEntry.objects.exists()


def test_topup_is_rate_limited(shopper_client, settings):
    settings.RATELIMIT_TOPUP = "2/m"
    for _ in range(2):
        assert shopper_client.post(reverse("accounts:wallet_topup"),
                                   {"amount": "100"}).status_code == 302
    assert shopper_client.post(reverse("accounts:wallet_topup"),
                               {"amount": "100"}).status_code == 429


def test_admin_credit_needs_a_reason_and_is_audited(admin_client, admin_user, shopper):
    url = reverse("accounts:wallet_credit", kwargs={"pk": shopper.pk})
    response = admin_client.post(url, {"amount": "700", "reason": ""})
    assert response.status_code == 200 and not WalletEntry.objects.exists()
    response = admin_client.post(url, {"amount": "700", "reason": "Бұзылған сүт үшін"})
    assert response.status_code == 302
    wallet = wallet_for(shopper)
    assert wallet.balance == Decimal("700.00") == ledger_sum(wallet)
    entry = wallet.entries.get()
    assert entry.kind == WalletEntry.Kind.CREDIT and entry.created_by == admin_user
    audit = audit_for(shopper).get()
    assert audit.action == "wallet.credit" and audit.actor == admin_user


def test_only_an_admin_may_credit(seller, shopper):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        wallet_credit(user=shopper, amount=Decimal("1"), reason="x", by=seller)


def test_wallet_page_shows_balance_and_paginated_history(shopper_client, shopper):
    for _ in range(25):
        wallet_topup(user=shopper, amount=Decimal("100"))
    page = shopper_client.get(reverse("accounts:wallet"))
    body = page.content.decode()
    assert page.context["page_obj"].paginator.count == 25
    assert len(page.context["page_obj"].object_list) == 20
    assert 'rel="next"' in body
    wallet = wallet_for(shopper)
    assert wallet.balance == ledger_sum(wallet) == Decimal("2500.00")


def test_wallet_page_queries_do_not_grow_with_entries(shopper_client, shopper):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wallet_topup(user=shopper, amount=Decimal("100"))
    with CaptureQueriesContext(connection) as few:
        shopper_client.get(reverse("accounts:wallet"))
    for _ in range(10):
        wallet_topup(user=shopper, amount=Decimal("100"))
    with CaptureQueriesContext(connection) as many:
        shopper_client.get(reverse("accounts:wallet"))
    assert len(many) == len(few)
