"""The stock invariants that need the orders: every sale movement belongs to an order line, and
on hand + sold (not cancelled) = received ± adjustments. Registered into inventory's
`check_stock` in OrdersConfig.ready()."""

from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Abs, Coalesce

from catalog.models import Product
from inventory.checks import HALF_STEP, QTY, ZERO, movement_sum, orphan_movements
from inventory.models import MovementKind

from .models import OrderLine, OrderStatus


def sale_problems(limit: int):
    yield from orphan_movements({MovementKind.SALE: Q(sale_line__isnull=True)}, limit)

    # On hand + sold and not cancelled = received ± adjustments (receipts, write-offs, counts,
    # corrections): the order lines and the stock books tell the same story.
    sold = (OrderLine.objects.filter(product=OuterRef("pk"))
            .exclude(order__status=OrderStatus.CANCELLED)
            .order_by().values("product").annotate(total=Sum("quantity")).values("total"))
    booked = movement_sum(kind__in=[MovementKind.RECEIPT, MovementKind.WRITE_OFF,
                                    MovementKind.COUNT, MovementKind.CORRECTION])
    for pk, sku, quantity, sold_qty, booked_qty in (
            Product.objects.annotate(sold=Coalesce(Subquery(sold, output_field=QTY), ZERO),
                                     booked=booked)
            .annotate(gap=Abs(F("booked") - F("quantity") - F("sold")))
            .filter(gap__gte=HALF_STEP).order_by("pk")
            .values_list("pk", "sku", "quantity", "sold", "booked")[:limit]):
        yield (f"product {pk} ({sku}): on hand {quantity} + sold {sold_qty} "
               f"≠ received ± adjustments {booked_qty}")
