"""The stock invariants of DOMAIN.md, computed in the database (correlated aggregates, one query
per rule), so that checking 100 000 products takes seconds, not a loop over rows."""

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Abs, Coalesce

from catalog.models import Product

from .models import MovementKind, StockMovement

QTY = DecimalField(max_digits=18, decimal_places=3)
ZERO = Value(Decimal("0"), output_field=QTY)
# Quantities have 3 decimal places. SQLite sums decimals as binary floats (73.308 comes back as
# 73.30800000000001), so two quantities differ when they differ by half a gram or more; on
# PostgreSQL (numeric) this is exact equality.
HALF_STEP = Value(Decimal("0.0005"), output_field=QTY)


def _movement_sum(**filters):
    rows = (StockMovement.objects.filter(product=OuterRef("pk"), **filters)
            .order_by().values("product").annotate(total=Sum("quantity")).values("total"))
    return Coalesce(Subquery(rows, output_field=QTY), ZERO)


def stock_problems(limit: int = 1000):
    """Yield one human-readable line per broken invariant (at most `limit` per rule)."""
    from orders.models import OrderLine, OrderStatus

    # 1. On hand equals the sum of the product's movements, and is never below zero.
    for pk, sku, quantity, ledger in (
            Product.objects.annotate(ledger=_movement_sum())
            .annotate(gap=Abs(F("quantity") - F("ledger"))).filter(gap__gte=HALF_STEP)
            .order_by("pk")
            .values_list("pk", "sku", "quantity", "ledger")[:limit]):
        yield f"product {pk} ({sku}): on hand {quantity} but its movements sum to {ledger}"
    for pk, sku, quantity in Product.objects.filter(quantity__lt=0).values_list(
            "pk", "sku", "quantity")[:limit]:
        yield f"product {pk} ({sku}): on hand is negative ({quantity})"

    # The running balance of the last movement is what is on hand.
    last_after = (StockMovement.objects.filter(product=OuterRef("pk")).order_by("-pk")
                  .values("quantity_after")[:1])
    for pk, sku, quantity, after in (
            Product.objects.annotate(last_after=Subquery(last_after, output_field=QTY))
            .filter(last_after__isnull=False)
            .annotate(gap=Abs(F("quantity") - F("last_after"))).filter(gap__gte=HALF_STEP)
            .order_by("pk")
            .values_list("pk", "sku", "quantity", "last_after")[:limit]):
        yield f"product {pk} ({sku}): on hand {quantity} but the last movement left {after}"

    # 2. Every movement belongs to its document line.
    orphans = {
        MovementKind.SALE: Q(sale_line__isnull=True),
        MovementKind.RECEIPT: Q(receipt_line__isnull=True),
        MovementKind.WRITE_OFF: Q(writeoff_line__isnull=True),
        MovementKind.COUNT: Q(stocktake_line__isnull=True),
    }
    for kind, condition in orphans.items():
        for pk, product_id, reference in (
                StockMovement.objects.filter(condition, kind=kind).order_by("pk")
                .values_list("pk", "product_id", "reference")[:limit]):
            yield (f"movement {pk} ({kind}, product {product_id}, {reference or 'no document'})"
                   f" belongs to no document line")

    # 3. On hand + sold and not cancelled = received ± adjustments (receipts, write-offs,
    #    counts, corrections): the order lines and the stock books tell the same story.
    sold = (OrderLine.objects.filter(product=OuterRef("pk"))
            .exclude(order__status=OrderStatus.CANCELLED)
            .order_by().values("product").annotate(total=Sum("quantity")).values("total"))
    booked = _movement_sum(kind__in=[MovementKind.RECEIPT, MovementKind.WRITE_OFF,
                                     MovementKind.COUNT, MovementKind.CORRECTION])
    for pk, sku, quantity, sold_qty, booked_qty in (
            Product.objects.annotate(sold=Coalesce(Subquery(sold, output_field=QTY), ZERO),
                                     booked=booked)
            .annotate(gap=Abs(F("booked") - F("quantity") - F("sold")))
            .filter(gap__gte=HALF_STEP).order_by("pk")
            .values_list("pk", "sku", "quantity", "sold", "booked")[:limit]):
        yield (f"product {pk} ({sku}): on hand {quantity} + sold {sold_qty} "
               f"≠ received ± adjustments {booked_qty}")
