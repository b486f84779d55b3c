"""What every figure shares: what counts as a sale, whose lines a viewer sees, the SQL
expressions of a line's cost and items, and the arithmetic of a figure (percent, average)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Value, When
from django.db.models.functions import Round

from bibarys.money import money_round
from orders.models import OrderLine, OrderStatus

from ..periods import Period


ZERO = Decimal("0.00")
SALE_STATUSES = [s.value for s in OrderStatus if s != OrderStatus.CANCELLED]

MONEY = DecimalField(max_digits=20, decimal_places=2)
QUANTITY = DecimalField(max_digits=20, decimal_places=3)

# The cost of one line: the copied cost price × quantity, rounded to the tiyn.
LINE_COST = Round(ExpressionWrapper(F("cost_price") * F("quantity"), output_field=QUANTITY), 2,
                  output_field=MONEY)
# Items sold: pieces count one by one; a weighed or poured line (kg, l) counts as one item.
ITEMS = Case(When(unit="pcs", then=F("quantity")), default=Value(Decimal("1")),
             output_field=QUANTITY)


def is_store_wide(viewer) -> bool:
    return getattr(viewer, "is_admin", False)


def sale_lines(viewer, period: Period | None = None):
    """Order lines that count as sales, in the viewer's scope, placed within the period."""
    lines = OrderLine.objects.filter(order__status__in=SALE_STATUSES)
    if not is_store_wide(viewer):
        lines = lines.filter(seller=viewer)
    if period is not None:
        lines = lines.filter(order__created_at__gte=period.start,
                             order__created_at__lt=period.end)
    return lines


def _money(value) -> Decimal:
    return money_round(value if value is not None else ZERO)


def change_percent(current, previous) -> Decimal | None:
    """The change from the previous period in percent (one decimal); None when there was
    nothing to compare with."""
    if not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)


def margin_percent(profit, revenue) -> Decimal | None:
    """Profit as a share of revenue, in percent with one decimal."""
    if not revenue:
        return None
    return (Decimal(profit) * 100 / Decimal(revenue)).quantize(Decimal("0.1"),
                                                                rounding=ROUND_HALF_UP)


def average(total, count) -> Decimal | None:
    if not count:
        return None
    return money_round(Decimal(total) / count)
