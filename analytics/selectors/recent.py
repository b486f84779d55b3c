"""Recent activity: the last orders and write-offs a viewer may see."""

from __future__ import annotations


from django.db.models import Exists, F, OuterRef, Subquery, Sum

from inventory.models import DocumentStatus, WriteOffLine
from orders.models import Order, OrderLine

from ._base import is_store_wide, MONEY


# ---------------------------------------------------------------------------------------------
# Recent activity.


def recent_orders(viewer, limit: int = 8) -> list[Order]:
    """The latest orders; for a seller the orders holding their products, with `amount` =
    the sum of their own lines only. One query."""
    if is_store_wide(viewer):
        orders = Order.objects.annotate(amount=F("total"))
    else:
        # EXISTS + a correlated sum, so the database walks orders newest first (created_at
        # index) and stops after `limit`, probing order lines by the (seller, order) index,
        # instead of grouping all of the seller's lines first.
        own = OrderLine.objects.filter(order=OuterRef("pk"), seller=viewer)
        amount = own.order_by().values("order").annotate(s=Sum("line_total")).values("s")
        orders = Order.objects.filter(Exists(own)).annotate(
            amount=Subquery(amount, output_field=MONEY))
    return list(orders.select_related("user").order_by("-created_at", "-id")[:limit])


def recent_writeoffs(viewer, limit: int = 8) -> list[WriteOffLine]:
    """The latest posted write-off lines of the viewer's products. One query."""
    lines = WriteOffLine.objects.filter(document__status=DocumentStatus.POSTED)
    if not is_store_wide(viewer):
        lines = lines.filter(product__seller=viewer)
    return list(lines.select_related("document", "product")
                .order_by("-document__posted_at", "-id")[:limit])
