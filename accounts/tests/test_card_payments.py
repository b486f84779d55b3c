"""Wallet top-up by card through Freedom Pay, against the fake Freedom Pay on loopback: paid once
by the signed notification, whatever is replayed or forged."""

from decimal import Decimal
from urllib.parse import urlparse
from urllib.request import urlopen

import pytest
from django.urls import reverse

from accounts.models import AuditEntry, CardPayment, WalletEntry
from accounts.services import wallet_for

from .fake_freedompay import RESULT, freedompay  # noqa: F401 (the fixture)


def _top_up(client, amount="5000"):
    response = client.post(reverse("accounts:wallet_topup"), {"amount": amount})
    assert response.status_code == 302, response.content
    return response


def _notify(client, params):
    return client.post(RESULT, params)


def test_top_up_by_card_redirects_to_the_providers_page_and_credits_nothing_yet(
        shopper_client, shopper, freedompay):
    response = _top_up(shopper_client)
    page = urlopen(response["Location"], timeout=2).read().decode()  # the fake's payment page
    assert "5000.00 KZT" in page
    payment = CardPayment.objects.get(user=shopper)
    assert payment.status == CardPayment.Status.CREATED and payment.amount == Decimal("5000")
    assert freedompay.payments[payment.provider_payment_id]["result_url"] == (
        "https://shop.example.kz" + RESULT)
    assert wallet_for(shopper).balance == 0


def test_top_up_is_paid_once_even_with_a_replayed_notification(shopper_client, shopper,
                                                                freedompay, client):
    _top_up(shopper_client)
    payment = CardPayment.objects.get(user=shopper)
    notification = freedompay.notification(payment.provider_payment_id)
    first = _notify(client, notification)
    assert first.status_code == 200 and b"<pg_status>ok</pg_status>" in first.content
    again = _notify(client, notification)
    assert b"<pg_status>ok</pg_status>" in again.content  # the provider stops retrying
    assert wallet_for(shopper).balance == Decimal("5000.00")
    assert WalletEntry.objects.filter(wallet__user=shopper, kind=WalletEntry.Kind.TOPUP).count() == 1
    payment.refresh_from_db()
    assert payment.status == CardPayment.Status.PAID
    assert AuditEntry.objects.filter(action="payment.paid", object_id=str(payment.pk)).count() == 1


def test_a_forged_signature_changes_nothing(shopper_client, shopper, freedompay, client):
    _top_up(shopper_client)
    payment = CardPayment.objects.get(user=shopper)
    forged = freedompay.notification(payment.provider_payment_id, secret="guessed")
    response = _notify(client, forged)
    assert b"<pg_status>rejected</pg_status>" in response.content
    payment.refresh_from_db()
    assert payment.status == CardPayment.Status.CREATED
    assert wallet_for(shopper).balance == 0
    assert AuditEntry.objects.filter(action="payment.notification_refused").exists()


def test_a_changed_amount_changes_nothing(shopper_client, shopper, freedompay, client):
    _top_up(shopper_client, "5000")
    payment = CardPayment.objects.get(user=shopper)
    # Correctly signed (as if the shopper paid another invoice of 50 000), but not our amount.
    changed = freedompay.notification(payment.provider_payment_id, amount="50000.00")
    assert b"rejected" in _notify(client, changed).content
    payment.refresh_from_db()
    assert payment.status == CardPayment.Status.CREATED
    assert wallet_for(shopper).balance == 0


def test_a_declined_payment_credits_nothing_and_its_replay_neither(shopper_client, shopper,
                                                                   freedompay, client):
    _top_up(shopper_client)
    payment = CardPayment.objects.get(user=shopper)
    declined = freedompay.notification(payment.provider_payment_id, result="0")
    assert b"<pg_status>ok</pg_status>" in _notify(client, declined).content
    paid_later = freedompay.notification(payment.provider_payment_id)
    assert b"rejected" in _notify(client, paid_later).content
    payment.refresh_from_db()
    assert payment.status == CardPayment.Status.FAILED
    assert wallet_for(shopper).balance == 0


def test_a_notification_for_another_payment_id_changes_nothing(shopper_client, shopper,
                                                               freedompay, client):
    _top_up(shopper_client)
    _top_up(shopper_client, "100")
    big, small = CardPayment.objects.order_by("-amount")
    # The small payment's notification, with the big payment's invoice: another provider id.
    freedompay.payments[small.provider_payment_id]["order_id"] = str(big.invoice)
    swapped = freedompay.notification(small.provider_payment_id, amount="5000.00")
    assert b"rejected" in _notify(client, swapped).content
    assert wallet_for(shopper).balance == 0


@pytest.mark.parametrize("mode", ["error", "timeout", "unsigned"])
def test_the_provider_failing_tells_the_shopper_and_charges_nothing(shopper_client, shopper,
                                                                    freedompay, mode):
    freedompay.mode = mode
    response = shopper_client.post(reverse("accounts:wallet_topup"), {"amount": "5000"},
                                   HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "did not answer" in response.content.decode()
    assert CardPayment.objects.get(user=shopper).status == CardPayment.Status.FAILED
    assert wallet_for(shopper).balance == 0


def test_the_notification_is_not_for_get_or_without_a_card_gateway(client, settings):
    settings.PAYMENT_GATEWAY = "demo"
    assert client.post(RESULT, {"pg_order_id": "x"}).status_code == 404
    assert client.get(RESULT).status_code == 405


def test_the_shopper_back_from_the_provider_sees_the_payment(shopper_client, shopper,
                                                             freedompay, client):
    _top_up(shopper_client)
    payment = CardPayment.objects.get(user=shopper)
    _notify(client, freedompay.notification(payment.provider_payment_id))
    back = shopper_client.get(urlparse(
        freedompay.payments[payment.provider_payment_id]["result_url"]).path.replace(
        "card/result", "card/back/"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "received" in back.content.decode()


def test_a_lost_notification_is_made_up_by_the_status_query_once(shopper_client, shopper,
                                                                 freedompay, client):
    _top_up(shopper_client)
    payment = CardPayment.objects.get(user=shopper)
    freedompay.pay(payment.provider_payment_id)  # paid, but the notification has not arrived
    shopper_client.get(reverse("accounts:card_payment_return"))
    assert "get_status3.php" in freedompay.calls
    assert wallet_for(shopper).balance == Decimal("5000.00")
    # The provider's notification arrives late: a replay, credited once.
    late = _notify(client, freedompay.notification(payment.provider_payment_id))
    assert b"<pg_status>ok</pg_status>" in late.content
    shopper_client.get(reverse("accounts:card_payment_return"))
    assert wallet_for(shopper).balance == Decimal("5000.00")


def test_a_status_answer_with_another_amount_changes_nothing(shopper_client, shopper,
                                                            freedompay):
    _top_up(shopper_client)
    payment = CardPayment.objects.get(user=shopper)
    freedompay.pay(payment.provider_payment_id)
    freedompay.payments[payment.provider_payment_id]["amount"] = "50.00"
    shopper_client.get(reverse("accounts:card_payment_return"))
    payment.refresh_from_db()
    assert payment.status == CardPayment.Status.CREATED
    assert wallet_for(shopper).balance == 0
