"""Wallet writes beyond the ledger core: top-ups through a payment gateway and admin credits.
Both post through accounts.services.wallet_post, so the balance stays the sum of the ledger."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import audit_record
from .models import User, WalletEntry
from .payments import PaymentGateway, payment_gateway
from bibarys.money import money_round

from .services import wallet_for, wallet_post

TOPUP_MIN = Decimal("100")
TOPUP_MAX = Decimal("1000000")
CREDIT_MAX = Decimal("1000000")
TOPUP_UNAVAILABLE = gettext_lazy(
    "Top-up is not available: the shop has not connected a payment provider yet.")


def wallet_topup(*, user: User, amount: Decimal, gateway: PaymentGateway | None = None,
                 request=None) -> WalletEntry:
    """Charge `amount` through the gateway and put it on the user's wallet."""
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
    with transaction.atomic():
        return wallet_post(wallet=wallet_for(user), kind=WalletEntry.Kind.TOPUP, amount=amount,
                           by=user, reason=reason, reference=f"topup:{result.reference}"[:64])


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
    with transaction.atomic():
        wallet = wallet_for(user)
        before = wallet.balance
        entry = wallet_post(wallet=wallet, kind=WalletEntry.Kind.CREDIT, amount=amount, by=by,
                            reason=reason[:255], reference=f"credit:{by.pk}")
        audit_record(actor=by, action="wallet.credit", obj=user, request=request,
                     changes={"balance": [before, entry.balance_after], "amount": amount,
                              "reason": reason})
        return entry
