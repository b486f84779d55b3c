"""An online order paid by card (Freedom Pay, accounts/card_payments.py): the order is placed
unpaid, the shopper pays on the provider's page, and the provider's signed notification marks
it paid through accounts' hook; a cancelled card-paid order is refunded to the card by the
queue. A notification for an order cancelled meanwhile is refunded at once (accounts does it
when no receiver takes the payment)."""

from django.db import transaction

from accounts.audit import audit_record
from accounts.card_payments import card_gateway, card_payment_start
from accounts.models import CardPayment

from .models import Order, OrderStatus


def card_payment_available() -> bool:
    return card_gateway() is not None


def online_payments() -> tuple[str, ...]:
    """What a shopper may choose at checkout now: the card only with a card gateway."""
    extra = (Order.Payment.CARD,) if card_payment_available() else ()
    return (*Order.ONLINE_PAYMENTS, *extra)


def order_card_payment(*, order: Order, urls: dict, request=None) -> CardPayment:
    """The card payment of an unpaid card order, to send the shopper to its page: the one
    already waiting (a replayed submit, the shopper coming back to pay) or a new one."""
    subject = f"order:{order.pk}"
    waiting = (CardPayment.objects.filter(subject=subject, status=CardPayment.Status.CREATED)
               .exclude(redirect_url="").first())
    if waiting is not None:
        return waiting
    return card_payment_start(user=order.user, amount=order.total,
                              purpose=CardPayment.Purpose.ORDER, subject=subject,
                              request=request, **urls)


def order_card_payment_latest(order: Order) -> CardPayment | None:
    """The order's latest card payment (for its page: paid, waiting, refund queued, refunded)."""
    if order.payment != Order.Payment.CARD or order.channel != Order.Channel.ONLINE:
        return None
    return CardPayment.objects.filter(subject=f"order:{order.pk}").order_by("-id").first()


def card_payment_paid(sender, *, payment: CardPayment, **kwargs) -> bool:
    """accounts.hooks.card_payment_paid: mark the order paid, in the notification's
    transaction. False (then accounts refunds the card) when the order was cancelled meanwhile,
    is paid already, or its total is not what was paid."""
    kind, _sep, pk = payment.subject.partition(":")
    if kind != "order" or not pk.isdigit():
        return False
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(
            pk=int(pk), user_id=payment.user_id, payment=Order.Payment.CARD).first()
        if (order is None or order.is_paid or order.status == OrderStatus.CANCELLED
                or order.total != payment.amount):
            return False
        order.is_paid = True
        order.save(update_fields=["is_paid", "updated_at"])
        audit_record(actor=None, action="order.paid", obj=order,
                     changes={"is_paid": [False, True], "card_payment": payment.pk,
                              "provider_payment_id": payment.provider_payment_id})
    return True
