"""How money comes into a wallet from outside: one small interface, so that a real gateway
(Kaspi Pay, a bank's acquiring) can replace the demo one without touching the wallet code.

    gateway = payment_gateway()
    result = gateway.charge(user=user, amount=Decimal("5000"))
    if result.ok: wallet_topup(...)

PAYMENT_GATEWAY (environment) chooses it: empty (the default when DEBUG is off) means no
gateway, and the top-up page says top-up is not available; `demo` is the demo gateway that
credits any amount without a payment (the default in development; in production only when the
environment says so, and then every top-up page and `check --deploy` warn); anything else is a
dotted path to a class with `name`, `is_demo` and `charge(*, user, amount) -> PaymentResult`.
A demo class named by its path while DEBUG is off refuses to start (accounts.checks). A real gateway will usually redirect the
shopper to its page and confirm by callback: its callback view then calls wallet_topup with the
confirmed reference, exactly as the demo page does right away.
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


class DemoGateway:
    """Pretends the card was charged. No money moves anywhere: it exists to show the flow."""

    name = "demo"
    is_demo = True

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
