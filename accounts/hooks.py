"""What the apps above accounts tell it about a person, without accounts importing them.

accounts is low in the layers (see README, "Layout"): the orders a person placed belong to the
orders app. As Django's auth sends `user_logged_in` and never imports its listeners, accounts
sends these signals and the higher apps answer them (orders connects its receivers in
OrdersConfig.ready())."""

from django.dispatch import Signal

# Sent inside the transaction that anonymises `user`: erase the personal data you keep of them
# (the orders' delivery contact, the saved cart).
user_anonymising = Signal()

# Asked before `user`'s account is closed: a receiver answers a refusal (a text for the admin)
# or None.
user_close_refusal = Signal()

# The admin's page of `user` asks for their orders: a receiver answers a dict of context for
# that page ({"orders": [...], "order_count": n}).
user_page_context = Signal()


def first_refusal(signal: Signal, **kwargs) -> str | None:
    """The first refusal any receiver of `signal` gives, or None."""
    for _receiver, answer in signal.send(sender=None, **kwargs):
        if answer:
            return answer
    return None


def merged_context(signal: Signal, **kwargs) -> dict:
    """The receivers' dicts of `signal`, merged."""
    context = {}
    for _receiver, answer in signal.send(sender=None, **kwargs):
        context.update(answer or {})
    return context

# Sent inside the transaction that marks a card payment for `subject` ("order:42") paid: the app
# that owns the subject records it and answers True. No receiver answering True (the order was
# cancelled while the shopper was paying) queues the payment's refund.
card_payment_paid = Signal()
