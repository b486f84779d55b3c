from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import translation

from accounts.models import Wallet, WalletEntry
from accounts.services import InsufficientFunds, wallet_for, wallet_post

pytestmark = pytest.mark.django_db


def test_wallet_post_moves_the_balance_and_keeps_the_ledger_sum(shopper):
    wallet = wallet_for(shopper)
    wallet_post(wallet=wallet, kind=WalletEntry.Kind.TOPUP, amount=Decimal("1000.50"))
    entry = wallet_post(wallet=wallet, kind=WalletEntry.Kind.PAYMENT, amount=Decimal("-400.25"))
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("600.25")
    assert entry.balance_after == Decimal("600.25")
    assert wallet.entries.aggregate(s=Sum("amount"))["s"] == wallet.balance


def test_wallet_post_refuses_to_go_negative_and_writes_nothing(shopper):
    wallet = wallet_for(shopper)
    wallet_post(wallet=wallet, kind=WalletEntry.Kind.TOPUP, amount=Decimal("50"))
    with pytest.raises(InsufficientFunds) as refused:
        wallet_post(wallet=wallet, kind=WalletEntry.Kind.PAYMENT, amount=Decimal("-1050.01"))
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("50")
    assert wallet.entries.count() == 1
    # The shopper reads both sums as money in their language, not as raw numbers.
    with translation.override("en"):
        assert str(InsufficientFunds(balance=Decimal("1434.4"), needed=Decimal("11125"))
                   .messages[0]) == ("Not enough money in the wallet: ₸1,434.40 available, "
                                     "₸11,125.00 needed.")
    assert "1\xa0050,01\xa0₸" in refused.value.messages[0]


def test_database_refuses_a_negative_balance(shopper):
    wallet = wallet_for(shopper)
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(pk=wallet.pk).update(balance=Decimal("-1"))


def test_database_refuses_a_payment_with_a_positive_amount(shopper):
    wallet = wallet_for(shopper)
    with pytest.raises(IntegrityError), transaction.atomic():
        WalletEntry.objects.create(wallet=wallet, kind="payment", amount=Decimal("5"),
                                   balance_after=Decimal("5"))
