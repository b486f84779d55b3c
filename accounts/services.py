"""Writes that matter for users and wallets. Every wallet change goes through wallet_post."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bibarys.locks import lock_or_create
from bibarys.money import format_money, money_round

from .models import Role, User, Wallet, WalletEntry



class InsufficientFunds(ValidationError):
    """The wallet holds less than a payment needs."""

    def __init__(self, *, balance: Decimal, needed: Decimal):
        self.balance = balance
        self.needed = needed
        super().__init__(
            _("Not enough money in the wallet: %(balance)s available, %(needed)s needed.")
            % {"balance": format_money(balance), "needed": format_money(needed)},
            code="insufficient_funds",
        )


@transaction.atomic
def user_signup(*, username: str, password: str, email: str = "", first_name: str = "",
                last_name: str = "", phone: str = "") -> User:
    """Create a shopper with an empty wallet."""
    user = User(
        username=username, email=email, first_name=first_name, last_name=last_name,
        phone=phone, role=Role.SHOPPER,
    )
    user.set_password(password)
    user.save()
    Wallet.objects.create(user=user)
    return user


def wallet_for(user: User) -> Wallet:
    """The user's wallet, created empty the first time it is asked for."""
    wallet, _created = Wallet.objects.get_or_create(user=user)
    return wallet


def wallet_lock(user: User) -> Wallet:
    """Lock and return the user's wallet (created empty the first time), in one query when it
    exists. Must run inside a transaction; see bibarys.locks for the order of locks."""
    return lock_or_create(Wallet.objects.filter(user_id=user.pk), lambda: wallet_for(user))


def wallet_post(*, wallet: Wallet, kind: str, amount: Decimal, by: User | None = None,
                reason: str = "", reference: str = "", locked: bool = False) -> WalletEntry:
    """Write one ledger row and move the balance by `amount` (signed), atomically.

    `locked=True`: the caller holds the wallet's row lock (wallet_lock) in its transaction, so
    `wallet.balance` is the balance and the new one is computed here, without reading it back.
    Otherwise the wallet is moved inside a savepoint and read back. Either way the conditional
    UPDATE keeps the balance from going negative.
    """
    amount = money_round(amount)
    if amount == 0:
        raise ValidationError(_("The amount must not be zero."), code="zero_amount")
    if locked:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("wallet_post(locked=True) needs the caller's transaction")
        return _wallet_move(wallet, kind=kind, amount=amount, by=by, reason=reason,
                            reference=reference, known_balance=True)
    with transaction.atomic():
        return _wallet_move(wallet, kind=kind, amount=amount, by=by, reason=reason,
                            reference=reference, known_balance=False)


def _wallet_move(wallet, *, kind, amount, by, reason, reference, known_balance) -> WalletEntry:
    updated = Wallet.objects.filter(pk=wallet.pk, balance__gte=-amount).update(
        balance=F("balance") + amount
    )
    if not updated:
        current = Wallet.objects.get(pk=wallet.pk).balance
        raise InsufficientFunds(balance=current, needed=-amount)
    if known_balance:
        wallet.balance += amount
    else:
        wallet.refresh_from_db(fields=["balance"])
    return WalletEntry.objects.create(
        wallet=wallet, kind=kind, amount=amount, balance_after=wallet.balance,
        reason=reason, reference=reference, created_by=by,
    )


def user_update_profile(*, user: User, data: dict) -> User:
    """Save the personal details a user edits on their account page."""
    fields = ["first_name", "last_name", "email", "phone", "address"]
    for field in fields:
        setattr(user, field, data[field])
    user.save(update_fields=fields)
    return user
