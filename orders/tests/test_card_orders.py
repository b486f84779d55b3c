"""An online order paid by card through Freedom Pay (the fake on loopback): it waits unpaid until
the signed notification; a cancelled card-paid order is refunded to the card by the queue."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEntry, CardPayment
from accounts.services import wallet_for
from accounts.tests.fake_freedompay import RESULT, freedompay  # noqa: F401 (the fixture)
from jobs.models import Job
from jobs.tests.test_queue import run_worker
from orders.models import Order, OrderStatus
from orders.services import order_status_set

from .factories import product_in_stock
from .test_views import checkout

pytestmark = pytest.mark.django_db(transaction=True)


def _card_order(client):
    milk = product_in_stock("5", name="Milk", price=Decimal("400"))
    client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "2"})
    _step1, review, placed = checkout(client, payment="card")
    return review, placed, Order.objects.get()


def test_card_is_offered_only_with_a_card_gateway(shopper_client, shopper, settings):
    milk = product_in_stock("5", price=Decimal("400"))
    shopper_client.post(reverse("orders:cart_add", args=[milk.pk]), {"quantity": "1"})
    _step1, review, placed = checkout(shopper_client, payment="card")
    assert "card" not in [value for value, _label in review.context["form"].fields[
        "payment"].choices]
    assert not Order.objects.exists()  # settings.PAYMENT_GATEWAY is the demo: no card


def test_a_card_order_waits_unpaid_and_is_paid_by_the_notification(shopper_client, shopper,
                                                                   freedompay, client):
    review, placed, order = _card_order(shopper_client)
    assert "card" in [value for value, _label in review.context["form"].fields[
        "payment"].choices]
    payment = CardPayment.objects.get(subject=f"order:{order.pk}")
    assert placed["Location"] == payment.redirect_url  # the provider's page
    assert (order.payment, order.is_paid, payment.amount) == ("card", False, Decimal("800.00"))
    notification = freedompay.notification(payment.provider_payment_id)
    assert b"<pg_status>ok</pg_status>" in client.post(RESULT, notification).content
    assert b"<pg_status>ok</pg_status>" in client.post(RESULT, notification).content  # replay
    order.refresh_from_db()
    assert order.is_paid and order.status == OrderStatus.NEW
    assert wallet_for(shopper).balance == 0  # the card paid the order, not the wallet
    assert AuditEntry.objects.filter(action="order.paid", object_id=str(order.pk)).count() == 1


def test_a_forged_notification_leaves_the_card_order_unpaid(shopper_client, shopper,
                                                            freedompay, client):
    _review, _placed, order = _card_order(shopper_client)
    payment = CardPayment.objects.get(subject=f"order:{order.pk}")
    client.post(RESULT, freedompay.notification(payment.provider_payment_id, secret="nope"))
    client.post(RESULT, freedompay.notification(payment.provider_payment_id, amount="8.00"))
    order.refresh_from_db()
    assert not order.is_paid


def test_a_cancelled_card_order_is_refunded_to_the_card_through_the_queue(
        shopper_client, shopper, freedompay, client, admin_client):
    _review, _placed, order = _card_order(shopper_client)
    payment = CardPayment.objects.get(subject=f"order:{order.pk}")
    client.post(RESULT, freedompay.notification(payment.provider_payment_id))
    response = admin_client.post(reverse("orders:order_cancel", args=[order.pk]),
                                 {"reason": "out of milk", "confirmed": "1"})
    assert response.status_code == 302
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and not order.is_paid
    assert payment.status == CardPayment.Status.REFUNDING
    assert freedompay.payments[payment.provider_payment_id]["refunded"] == "0"  # not yet
    run_worker()
    payment.refresh_from_db()
    assert payment.status == CardPayment.Status.REFUNDED
    assert freedompay.payments[payment.provider_payment_id]["refunded"] == "800.00"
    assert Job.objects.get(key=f"card:refund:{payment.pk}").status == Job.Status.DONE
    assert wallet_for(shopper).balance == 0  # to the card, not the wallet


def test_a_refund_the_provider_refuses_is_retried_and_visible(shopper_client, shopper,
                                                              freedompay, client, admin_client):
    _review, _placed, order = _card_order(shopper_client)
    payment = CardPayment.objects.get(subject=f"order:{order.pk}")
    client.post(RESULT, freedompay.notification(payment.provider_payment_id))
    admin_client.post(reverse("orders:order_cancel", args=[order.pk]), {"reason": "x", "confirmed": "1"})
    freedompay.mode = "error"
    run_worker()
    job = Job.objects.get(key=f"card:refund:{payment.pk}")
    assert job.status == Job.Status.RETRYING and "Freedom Pay refused" in job.last_error
    payment.refresh_from_db()
    assert payment.status == CardPayment.Status.REFUNDING


def test_a_payment_for_an_order_cancelled_meanwhile_is_refunded(shopper_client, shopper,
                                                                freedompay, client):
    _review, _placed, order = _card_order(shopper_client)
    payment = CardPayment.objects.get(subject=f"order:{order.pk}")
    shopper_client.post(reverse("orders:order_cancel", args=[order.pk]), {"reason": "", "confirmed": "1"})
    client.post(RESULT, freedompay.notification(payment.provider_payment_id))
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and not order.is_paid
    assert payment.status == CardPayment.Status.REFUNDING
    run_worker()
    assert freedompay.payments[payment.provider_payment_id]["refunded"] == "800.00"


def test_the_shopper_pays_an_unpaid_card_order_again_on_the_same_payment(
        shopper_client, shopper, other_shopper, freedompay, client):
    _review, placed, order = _card_order(shopper_client)
    page = shopper_client.get(reverse("orders:order_detail", args=[order.pk]))
    assert reverse("orders:order_pay_card", args=[order.pk]) in page.content.decode()
    again = shopper_client.post(reverse("orders:order_pay_card", args=[order.pk]))
    assert again["Location"] == placed["Location"]  # the payment already waiting, not a second
    assert CardPayment.objects.filter(subject=f"order:{order.pk}").count() == 1
    stranger = client
    stranger.force_login(other_shopper)
    assert stranger.post(reverse("orders:order_pay_card", args=[order.pk])).status_code == 404
    payment = CardPayment.objects.get()
    client.post(RESULT, freedompay.notification(payment.provider_payment_id))
    paid = shopper_client.post(reverse("orders:order_pay_card", args=[order.pk]))
    assert paid["Location"] == reverse("orders:order_detail", args=[order.pk])
    assert CardPayment.objects.count() == 1


def test_staff_cannot_move_an_unpaid_card_order_along(shopper_client, shopper, freedompay,
                                                      client, admin_user):
    _review, _placed, order = _card_order(shopper_client)
    with translation.override("en"), pytest.raises(ValidationError,
                                                   match="waits for its card payment"):
        order_status_set(order=order, status=OrderStatus.CONFIRMED, by=admin_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.NEW and not order.is_paid
    payment = CardPayment.objects.get()
    client.post(RESULT, freedompay.notification(payment.provider_payment_id))
    order_status_set(order=order, status=OrderStatus.CONFIRMED, by=admin_user)
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
