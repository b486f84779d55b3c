"""How money comes into a wallet from outside: one small interface, so that a real gateway
(Kaspi Pay, a bank's acquiring) can replace the demo one without touching the wallet code.

    gateway = payment_gateway()
    result = gateway.charge(user=user, amount=Decimal("5000"))
    if result.ok: wallet_topup(...)

Set PAYMENT_GATEWAY = "dotted.path.ToYourGateway" in settings to swap it; the class needs `name`,
`is_demo` and `charge(*, user, amount) -> PaymentResult`. A real gateway will usually redirect the
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


def payment_gateway() -> PaymentGateway:
    path = getattr(settings, "PAYMENT_GATEWAY", "") or "accounts.payments.DemoGateway"
    return import_string(path)()
