"""Wallet writes beyond the ledger core: top-ups through a payment gateway and admin credits.
Both post through accounts.services.wallet_post, so the balance stays the sum of the ledger."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bibarys.money import money_round

from .audit import audit_record
from .models import User, WalletEntry
from .payments import PaymentGateway, payment_gateway
from .services import wallet_for, wallet_post

TOPUP_MIN = Decimal("100")
TOPUP_MAX = Decimal("1000000")
CREDIT_MAX = Decimal("1000000")
TOPUP_UNAVAILABLE = gettext_lazy(
    "Top-up is not available: the shop has not connected a payment provider yet.")


def wallet_topup(*, user: User, amount: Decimal, gateway: PaymentGateway | None = None,
                 request=None) -> WalletEntry:
    """Charge `amount` through the gateway and put it on the user's wallet.

    Never inside another transaction (durable): the money is taken by the gateway before the
    entry is written, so a caller's rollback would keep the charge and lose the entry. Seeding
    code that needs a top-up in its own transaction uses wallet_topup_record."""
    amount = money_round(amount)
    if amount < TOPUP_MIN or amount > TOPUP_MAX:
        raise ValidationError(_("A top-up is from 100 ₸ to 1 000 000 ₸."), code="topup_limits")
    gateway = gateway or payment_gateway()
    if gateway is None:
        raise ValidationError(TOPUP_UNAVAILABLE, code="no_gateway")
    result = gateway.charge(user=user, amount=amount)
    if not result.ok:
        raise ValidationError(result.message or _("The payment did not go through."),
                              code="payment_failed")
    reason = _("Demo payment (no real money)") if gateway.is_demo else gateway.name
    with transaction.atomic(durable=True):
        return wallet_topup_record(user=user, amount=amount, reason=reason,
                                   reference=result.reference)


def wallet_topup_record(*, user: User, amount: Decimal, reason: str,
                        reference: str) -> WalletEntry:
    """The ledger row of a top-up already paid (`reference`: the gateway's), in the caller's
    transaction: wallet_topup's inner step, and the demo's seeded money."""
    return wallet_post(wallet=wallet_for(user), kind=WalletEntry.Kind.TOPUP,
                       amount=money_round(amount), by=user, reason=reason,
                       reference=f"topup:{reference}"[:64])


def wallet_credit(*, user: User, amount: Decimal, reason: str, by: User,
                  request=None) -> WalletEntry:
    """An admin puts money on a user's wallet (a goodwill credit, a refund made by hand), with
    a reason; the audit log records who did it."""
    if not getattr(by, "is_admin", False):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is required."), code="reason_required")
    amount = money_round(amount)
    if amount <= 0 or amount > CREDIT_MAX:
        raise ValidationError(_("A credit is from 0,01 ₸ to 1 000 000 ₸."), code="credit_limits")
    # Durable: an admin's credit is its own act, audited with the balance it saw.
    with transaction.atomic(durable=True):
        wallet = wallet_for(user)
        before = wallet.balance
        entry = wallet_post(wallet=wallet, kind=WalletEntry.Kind.CREDIT, amount=amount, by=by,
                            reason=reason[:255], reference=f"credit:{by.pk}")
        audit_record(actor=by, action="wallet.credit", obj=user, request=request,
                     changes={"balance": [before, entry.balance_after], "amount": amount,
                              "reason": reason})
        return entry
