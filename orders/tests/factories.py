"""Factories for orders tests: products with stock come from inventory's factories (a posted
goods receipt), so every test starts from books that check_stock accepts."""

from decimal import Decimal

from accounts.models import WalletEntry
from accounts.services import wallet_for, wallet_post
from inventory.tests.factories import ProductFactory, stock_up  # noqa: F401


def product_in_stock(quantity="10", **kwargs):
    product = ProductFactory(**kwargs)
    stock_up(product, quantity)
    return product


def fund(user, amount="10000"):
    """Top up the user's wallet through its ledger."""
    wallet = wallet_for(user)
    wallet_post(wallet=wallet, kind=WalletEntry.Kind.TOPUP, amount=Decimal(amount),
                reason="test", reference="test:topup")
    wallet.refresh_from_db()
    return wallet
