"""The stock invariants that need the orders: every sale and return movement belongs to an order
line (the owners registered below), and on hand + sold (not cancelled) − returned = received ±
adjustments. Registered into inventory's `check_stock` in OrdersConfig.ready()."""

from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Abs, Coalesce

from catalog.models import Product
from inventory.checks import (HALF_STEP, QTY, ZERO, movement_sum, register_movement_owner,
                              register_stock_check)
from inventory.models import MovementKind

from .models import OrderLine, OrderReturnLine, OrderStatus


def register() -> None:
    register_movement_owner(MovementKind.SALE, "sale_line")
    register_movement_owner(MovementKind.RETURN, "return_line")  # a cancelled order's line
    register_movement_owner(MovementKind.RETURN, "order_return_line")
    register_movement_owner(MovementKind.WRITE_OFF, "order_return_writeoff")  # spoiled, returned
    register_stock_check(sale_problems)


def sale_problems(limit: int):
    # On hand + sold and not cancelled − returned = received ± adjustments (receipts,
    # write-offs, counts, corrections): the order lines and the stock books tell the same story.
    sold = (OrderLine.objects.filter(product=OuterRef("pk"))
            .exclude(order__status=OrderStatus.CANCELLED)
            .order_by().values("product").annotate(total=Sum("quantity")).values("total"))
    returned = (OrderReturnLine.objects.filter(line__product=OuterRef("pk"))
                .order_by().values("line__product").annotate(total=Sum("quantity"))
                .values("total"))
    booked = movement_sum(kind__in=[MovementKind.RECEIPT, MovementKind.WRITE_OFF,
                                    MovementKind.COUNT, MovementKind.CORRECTION])
    for pk, sku, quantity, sold_qty, booked_qty in (
            Product.objects.annotate(sold=Coalesce(Subquery(sold, output_field=QTY), ZERO),
                                     returned=Coalesce(Subquery(returned, output_field=QTY),
                                                       ZERO),
                                     booked=booked)
            .annotate(gap=Abs(F("booked") - F("quantity") - F("sold") + F("returned")))
            .filter(gap__gte=HALF_STEP).order_by("pk")
            .values_list("pk", "sku", "quantity", "sold", "booked")[:limit]):
        yield (f"product {pk} ({sku}): on hand {quantity} + sold {sold_qty} − returned "
               f"≠ received ± adjustments {booked_qty}")
