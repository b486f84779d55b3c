"""Card payments through the online gateway (accounts/payments.py, RedirectGateway): started
here, paid only by the provider's signed notification, refunded through the queue.

The notification is the one thing that marks a payment paid, and it is checked three ways
before anything changes: its signature (a forged one is refused), our own record of the amount
and currency (a changed amount is refused), and the provider's payment id, unique in the
database (a replayed notification finds the payment already paid and changes nothing). Every
change of a payment's state is audited; a top-up's money goes on the wallet through the wallet
ledger (wallet_topup_record), an order's payment is handed to the orders app by a hook."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from bibarys.money import money_round
from jobs.services import enqueue_after_commit

from . import hooks
from .audit import audit_record
from .models import CardPayment, User
from .payments import GatewayError, Notification, SignatureInvalid, payment_gateway
from .wallet_services import TOPUP_UNAVAILABLE, wallet_topup_record

PROVIDER_DOWN = _("The payment provider did not answer. Nothing was charged: try again in a "
                  "minute.")


def card_gateway():
    """The store's gateway if it takes cards on its own page (redirects), else None."""
    gateway = payment_gateway()
    return gateway if getattr(gateway, "redirects", False) else None


def card_return_urls(request) -> dict:
    """Where the provider sends its notification and the shopper back: absolute, on the
    shop's public address (PAYMENT_SITE_URL, else the address of this request)."""
    base = (settings.PAYMENT_SITE_URL or request.build_absolute_uri("/")).rstrip("/")
    back = base + reverse("accounts:card_payment_return")
    return {"result_url": base + reverse("accounts:card_payment_result"),
            "success_url": back, "failure_url": back}


def card_payment_start(*, user: User, amount: Decimal, purpose: str, subject: str = "",
                       result_url: str, success_url: str, failure_url: str,
                       gateway=None, request=None) -> CardPayment:
    """Record a payment of `amount` and have the provider create it; returns the payment with
    the provider's page to send the shopper to (payment.redirect_url). The row is committed
    before the provider is called, so a notification can never arrive for a payment we lack."""
    gateway = gateway or card_gateway()
    if gateway is None:
        raise ValidationError(TOPUP_UNAVAILABLE, code="no_gateway")
    with transaction.atomic():
        payment = CardPayment.objects.create(user=user, purpose=purpose, subject=subject,
                                             provider=gateway.name, amount=money_round(amount))
        audit_record(actor=user, action="payment.create", obj=payment, request=request,
                     changes={"amount": payment.amount, "purpose": purpose, "subject": subject})
    try:
        checkout = gateway.payment_create(payment=payment, result_url=result_url,
                                          success_url=success_url, failure_url=failure_url)
    except GatewayError as exc:
        _set_status(payment, CardPayment.Status.FAILED, actor=user, note=str(exc))
        raise ValidationError(PROVIDER_DOWN, code="provider_down") from exc
    CardPayment.objects.filter(pk=payment.pk).update(
        provider_payment_id=checkout.provider_payment_id, redirect_url=checkout.redirect_url)
    payment.provider_payment_id = checkout.provider_payment_id
    payment.redirect_url = checkout.redirect_url
    return payment


def _set_status(payment: CardPayment, status: str, *, actor=None, note: str = "",
                ip: str | None = None, **fields) -> None:
    action = {CardPayment.Status.PAID: "payment.paid", CardPayment.Status.FAILED: "payment.failed",
              CardPayment.Status.REFUNDING: "payment.refund_queued",
              CardPayment.Status.REFUNDED: "payment.refunded"}[status]
    before = payment.status
    payment.status = status
    for name, value in fields.items():
        setattr(payment, name, value)
    payment.save(update_fields=["status", *fields])
    audit_record(actor=actor, action=action, obj=payment, ip=ip,
                 changes={"status": [before, status], "note": note})


def card_payment_notified(*, params: dict, path: str, gateway=None,
                          ip: str | None = None) -> tuple[bool, str]:
    """Handle the provider's notification (a POST to our result URL). Returns (accepted, why):
    accepted for a payment now or already paid, refused for anything forged, unknown or not
    matching our record, which then changes nothing but the audit log."""
    gateway = gateway or card_gateway()
    try:
        note = gateway.notification_verify(params=params, path=path)
    except SignatureInvalid:
        _refused(None, "signature", params, ip)
        return False, "signature"
    with transaction.atomic(durable=True):
        payment = (CardPayment.objects.select_for_update()
                   .filter(invoice=_uuid_or_none(note.invoice), provider=gateway.name).first())
        if payment is None:
            _refused(None, "unknown payment", params, ip)
            return False, "unknown payment"
        if payment.provider_payment_id not in (None, "", note.provider_payment_id):
            _refused(payment, "another provider payment id", params, ip)
            return False, "another provider payment id"
        return _settle(payment, note, gateway=gateway, params=params, ip=ip)


def _settle(payment: CardPayment, note: Notification, *, gateway, params: dict,
            ip: str | None) -> tuple[bool, str]:
    """Settle a locked payment by what the provider says of it (a verified notification or a
    signed status answer), once: a payment no longer waiting is a replay and changes nothing."""
    if payment.provider_payment_id not in (None, "", note.provider_payment_id):
        _refused(payment, "another provider payment id", params, ip)
        return False, "another provider payment id"
    if payment.status != CardPayment.Status.CREATED:
        return payment.status != CardPayment.Status.FAILED, "already " + payment.status
    if note.amount != payment.amount or note.currency != payment.currency:
        _refused(payment, "amount or currency", params, ip)
        return False, "amount or currency"
    if not note.paid:
        _set_status(payment, CardPayment.Status.FAILED, note="declined", ip=ip,
                    provider_payment_id=note.provider_payment_id)
        return True, "declined"
    _set_status(payment, CardPayment.Status.PAID, ip=ip, paid_at=timezone.now(),
                provider_payment_id=note.provider_payment_id)
    if payment.purpose == CardPayment.Purpose.TOPUP:
        wallet_topup_record(user=payment.user, amount=payment.amount, reason=gateway.name,
                            reference=f"card:{payment.provider_payment_id}")
    else:
        taken = any(answer for _receiver, answer in hooks.card_payment_paid.send(
            sender=CardPayment, payment=payment))
        if not taken:
            card_payment_refund(payment=payment, note="nothing to pay for any more")
    return True, "paid"


def card_payment_check(*, payment: CardPayment, gateway=None) -> CardPayment:
    """Ask the provider about a payment still waiting (its notification is late or was lost:
    the shopper came back first) and settle it by the signed answer, with the same checks."""
    gateway = gateway or card_gateway()
    if gateway is None or payment.status != CardPayment.Status.CREATED or not (
            payment.provider_payment_id):
        return payment
    try:
        state = gateway.payment_status(payment=payment)
    except GatewayError:
        return payment  # the notification will come; the provider retries it
    if state.status in ("paid", "failed"):
        note = Notification(invoice=str(payment.invoice),
                            provider_payment_id=payment.provider_payment_id,
                            amount=state.amount, currency=state.currency,
                            paid=state.status == "paid")
        with transaction.atomic(durable=True):
            locked = CardPayment.objects.select_for_update().get(pk=payment.pk)
            _settle(locked, note, gateway=gateway, params={"status query": state.status},
                    ip=None)
    payment.refresh_from_db()
    return payment


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _refused(payment, why: str, params: dict, ip) -> None:
    shown = {k: v for k, v in params.items() if k in ("pg_order_id", "pg_payment_id",
                                                      "pg_amount", "pg_currency", "pg_result")}
    obj = payment or CardPayment(pk=0, amount=0)
    audit_record(actor=None, action="payment.notification_refused", obj=obj, ip=ip,
                 changes={"why": why, "notification": shown})


def card_payment_refund(*, payment: CardPayment, by=None, note: str = "") -> CardPayment:
    """Queue the refund of a paid card payment to the card, after the caller's transaction
    commits (the provider is called by the worker, with retries). Once per payment."""
    with transaction.atomic():
        payment = CardPayment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != CardPayment.Status.PAID:
            return payment
        _set_status(payment, CardPayment.Status.REFUNDING, actor=by, note=note)
        enqueue_after_commit(card_payment_refund_run, payment.pk, key=f"card:refund:{payment.pk}")
    return payment


def card_payment_refund_for(*, subject: str, by=None, note: str = "") -> CardPayment | None:
    """The refund of the paid card payment for `subject` ("order:42"), if there is one."""
    payment = CardPayment.objects.filter(subject=subject,
                                         status=CardPayment.Status.PAID).first()
    return card_payment_refund(payment=payment, by=by, note=note) if payment else None


@task()
def card_payment_refund_run(payment_id: int) -> str:
    """The worker's half of a refund: ask the provider to refund, then record it. A provider
    error raises, and the queue tries again later (the provider refunds a payment once: a
    retried refund of an already refunded payment is seen by the status query first)."""
    payment = CardPayment.objects.get(pk=payment_id)
    if payment.status != CardPayment.Status.REFUNDING:
        return payment.status
    gateway = card_gateway()
    if gateway.payment_status(payment=payment).status != "refunded":
        gateway.payment_refund(payment=payment, amount=payment.amount)
    with transaction.atomic():
        payment = CardPayment.objects.select_for_update().get(pk=payment_id)
        if payment.status == CardPayment.Status.REFUNDING:
            _set_status(payment, CardPayment.Status.REFUNDED, refunded_at=timezone.now())
    return payment.status
