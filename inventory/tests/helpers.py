"""The ledger invariant, asserted after every operation in these tests."""

from decimal import Decimal

from django.db.models import Sum

from catalog.models import Product
from inventory.models import StockMovement


def assert_ledger_holds(*products):
    """product.quantity == sum of its movements, never below zero, and the last movement's
    `quantity_after` is what is on hand. With no arguments: every product."""
    queryset = Product.objects.all()
    if products:
        queryset = queryset.filter(pk__in=[p.pk for p in products])
    for product in queryset:
        total = StockMovement.objects.filter(product=product).aggregate(
            s=Sum("quantity"))["s"] or Decimal("0")
        assert product.quantity == total, f"{product}: on hand {product.quantity}, ledger {total}"
        assert product.quantity >= 0
        last = StockMovement.objects.filter(product=product).order_by("-pk").first()
        if last is not None:
            assert last.quantity_after == product.quantity, f"{product}: quantity_after drifts"
