"""The stock invariants that need the orders: every sale and return movement belongs to an order
line (the owners registered below), and on hand + sold (not cancelled) − returned = received ±
adjustments. Registered into inventory's `check_stock` in OrdersConfig.ready()."""

from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Abs, Coalesce

from catalog.models import Product
from inventory.checks import (HALF_STEP, QTY, ZERO, movement_sum, register_movement_owner,
                              register_stock_check)
from inventory.models import MovementKind

from .models import (OrderLine, OrderReturnLine, OrderStatus, StockShortfall,
                     StockShortfallCover)


def register() -> None:
    register_movement_owner(MovementKind.SALE, "sale_line")
    register_movement_owner(MovementKind.RETURN, "return_line")  # a cancelled order's line
    register_movement_owner(MovementKind.RETURN, "order_return_line")
    register_movement_owner(MovementKind.WRITE_OFF, "order_return_writeoff")  # spoiled, returned
    register_movement_owner(MovementKind.SALE, "shortfall_cover")  # sold short, booked later
    register_stock_check(sale_problems)
    register_stock_check(shortfall_problems)


def sale_problems(limit: int):
    # On hand + sold and not cancelled − returned − sold short and never booked = received ±
    # adjustments (receipts, write-offs, counts, corrections): the order lines and the stock
    # books tell the same story. Sold short (orders/shortstock.py): the part of a counter line
    # beyond the books that no receipt booked later (a count absorbed it, or it is still owed).
    sold = (OrderLine.objects.filter(product=OuterRef("pk"))
            .exclude(order__status=OrderStatus.CANCELLED)
            .order_by().values("product").annotate(total=Sum("quantity")).values("total"))
    returned = (OrderReturnLine.objects.filter(line__product=OuterRef("pk"))
                .order_by().values("line__product").annotate(total=Sum("quantity"))
                .values("total"))
    unbooked = (StockShortfall.objects.filter(product=OuterRef("pk"))
                .annotate(left=F("quantity") - Coalesce(
                    Subquery(StockShortfallCover.objects.filter(
                        shortfall=OuterRef("pk"), movement__isnull=False).order_by()
                        .values("shortfall").annotate(total=Sum("quantity")).values("total"),
                        output_field=QTY), ZERO))
                .order_by().values("product").annotate(total=Sum("left")).values("total"))
    booked = movement_sum(kind__in=[MovementKind.RECEIPT, MovementKind.WRITE_OFF,
                                    MovementKind.COUNT, MovementKind.CORRECTION])
    for pk, sku, quantity, sold_qty, booked_qty in (
            Product.objects.annotate(sold=Coalesce(Subquery(sold, output_field=QTY), ZERO),
                                     returned=Coalesce(Subquery(returned, output_field=QTY),
                                                       ZERO),
                                     unbooked=Coalesce(Subquery(unbooked, output_field=QTY),
                                                       ZERO),
                                     booked=booked)
            .annotate(gap=Abs(F("booked") - F("quantity") - F("sold") + F("returned")
                              + F("unbooked")))
            .filter(gap__gte=HALF_STEP).order_by("pk")
            .values_list("pk", "sku", "quantity", "sold", "booked")[:limit]):
        yield (f"product {pk} ({sku}): on hand {quantity} + sold {sold_qty} − returned "
               f"≠ received ± adjustments {booked_qty}")


def shortfall_problems(limit: int):
    # A line sold short: its sale movement (what the books held) + its shortfall = the line's
    # quantity; a shortfall is covered by no more than it owes. Any other line: its sale movement
    # is its whole quantity.
    covers = (StockShortfallCover.objects.filter(shortfall=OuterRef("shortfall"))
              .order_by().values("shortfall").annotate(total=Sum("quantity")).values("total"))
    rows = (OrderLine.objects.exclude(order__status=OrderStatus.CANCELLED)
            .annotate(moved=Coalesce(-F("sale_movement__quantity"), ZERO),
                      short=Coalesce(F("shortfall__quantity"), ZERO),
                      covered=Coalesce(Subquery(covers, output_field=QTY), ZERO))
            .annotate(gap=Abs(F("quantity") - F("moved") - F("short")))
            .filter(Q(gap__gte=HALF_STEP) | Q(covered__gt=F("short")))
            .order_by("pk").values_list("pk", "quantity", "moved", "short")[:limit])
    for pk, quantity, moved, short in rows:
        yield f"order line {pk}: sold {quantity} ≠ moved {moved} + sold short {short}"
