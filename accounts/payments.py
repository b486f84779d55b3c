"""How money comes into a wallet from outside: one small interface, so that a real gateway
(Kaspi Pay, a bank's acquiring) can replace the demo one without touching the wallet code.

    gateway = payment_gateway()
    result = gateway.charge(user=user, amount=Decimal("5000"))
    if result.ok: wallet_topup(...)

PAYMENT_GATEWAY (environment) chooses it: empty (the default when DEBUG is off) means no
gateway, and the top-up page says top-up is not available; `demo` is the demo gateway that
credits any amount without a payment (the default in development; in production only when the
environment says so, and then every top-up page and `check --deploy` warn); anything else is a
dotted path to a gateway class: the demo's `charge(*, user, amount) -> PaymentResult`, or a
card gateway (RedirectGateway below; accounts/freedompay.py is the one Bibarys ships).
A demo class named by its path while DEBUG is off refuses to start (accounts.checks).

A card gateway (`redirects = True`) sends the shopper to the provider's page and learns the
outcome from the provider's signed notification (accounts/card_payments.py): it creates the
payment, verifies and answers a notification, asks a payment's status and refunds it. The same
interface serves a wallet top-up and an online order paid by card (docs/payments.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PaymentResult:
    ok: bool
    reference: str = ""
    message: str = ""


class PaymentGateway(Protocol):
    name: str
    is_demo: bool

    def charge(self, *, user, amount: Decimal) -> PaymentResult: ...


@dataclass(frozen=True)
class Checkout:
    """A payment the provider created: its id and the page the shopper is sent to."""
    provider_payment_id: str
    redirect_url: str


@dataclass(frozen=True)
class Notification:
    """What a verified notification says: which of our payments (`invoice`), the provider's
    id, the amount and currency it was paid in, and whether it was paid."""
    invoice: str
    provider_payment_id: str
    amount: Decimal
    currency: str
    paid: bool


@dataclass(frozen=True)
class PaymentState:
    """A payment's state as the provider answers a status query: "paid", "pending", "failed"
    or "refunded", with the amount and currency the provider holds."""
    status: str
    amount: Decimal
    currency: str


class GatewayError(Exception):
    """The provider refused, answered nonsense or did not answer in time."""


class SignatureInvalid(Exception):
    """A notification whose signature does not verify: forged or damaged."""


class RedirectGateway(Protocol):
    name: str
    is_demo: bool
    redirects: bool  # True

    def payment_create(self, *, payment, result_url: str, success_url: str,
                       failure_url: str) -> Checkout: ...

    def notification_verify(self, *, params: dict, path: str) -> Notification: ...

    def notification_answer(self, *, path: str, accepted: bool, description: str = "") -> str: ...

    def payment_status(self, *, payment) -> PaymentState: ...

    def payment_refund(self, *, payment, amount: Decimal) -> str: ...  # the refund's id


class DemoGateway:
    """Pretends the card was charged. No money moves anywhere: it exists to show the flow."""

    name = "demo"
    is_demo = True
    redirects = False

    def charge(self, *, user, amount: Decimal) -> PaymentResult:
        return PaymentResult(ok=True, reference=f"demo-{uuid.uuid4().hex[:16]}")


DEMO = "demo"


def gateway_class(value: str | None = None) -> type | None:
    """The gateway class PAYMENT_GATEWAY names, or None for no gateway."""
    value = (getattr(settings, "PAYMENT_GATEWAY", "") if value is None else value).strip()
    if not value:
        return None
    if value == DEMO:
        return DemoGateway
    return import_string(value)


def payment_gateway() -> PaymentGateway | None:
    """The store's gateway, or None: then top-up is not available."""
    cls = gateway_class()
    return cls() if cls is not None else None
