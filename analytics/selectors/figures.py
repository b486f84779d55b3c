"""The dashboard's figures, each beside its previous period."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum

from accounts.models import Role
from catalog.models import Product
from orders.models import Order

from ..models import SalesDay, SalesDayProduct, SalesDaySeller
from ..periods import Period
from ._base import average, change_percent, is_store_wide, MONEY, QUANTITY, _money


# ---------------------------------------------------------------------------------------------
# Figures with their previous period.


@dataclass
class Figure:
    key: str
    current: Decimal | int | None
    previous: Decimal | int | None
    kind: str = "money"  # money, count, quantity

    @property
    def change(self) -> Decimal | None:
        if self.current is None or self.previous is None:
            return None
        return change_percent(self.current, self.previous)


def _totals(aggregate: dict, prefix: str) -> dict:
    revenue = _money(aggregate[f"{prefix}_revenue"])
    cost = _money(aggregate[f"{prefix}_cost"])
    orders = aggregate[f"{prefix}_orders"] or 0
    return {
        "revenue": revenue,
        "cost": cost,
        "profit": revenue - cost,
        "orders": orders,
        "average_check": average(revenue, orders),
        "items": aggregate[f"{prefix}_items"] or Decimal("0"),
    }


def sales_totals(viewer, period: Period) -> dict:
    """Revenue, cost, profit, orders, average check and items sold of one period."""
    return sales_figures(viewer, period, compare=False)["current"]


def _rollup_days(model, first: datetime.date, last: datetime.date, viewer=None):
    rows = model.objects.filter(day__gte=first, day__lte=last)
    if viewer is not None and not is_store_wide(viewer):
        rows = rows.filter(seller=viewer)
    return rows


def sales_figures(viewer, period: Period, *, compare: bool = True) -> dict:
    """The period's totals and, with `compare`, those of the previous period of the same
    length, from the daily rollup: one query for an admin (the store's days), two for a seller
    (their product-days, their order counts)."""
    first = period.previous().first if compare else period.first
    current = Q(day__gte=period.first)
    previous = Q(day__lt=period.first)
    prefixes = (("cur", current), ("prev", previous)) if compare else (("cur", current),)
    money_sums = {}
    order_sums = {}
    for prefix, condition in prefixes:
        money_sums.update({
            f"{prefix}_revenue": Sum("revenue", filter=condition, output_field=MONEY),
            f"{prefix}_cost": Sum("cost", filter=condition, output_field=MONEY),
            f"{prefix}_items": Sum("items", filter=condition, output_field=QUANTITY),
        })
        order_sums[f"{prefix}_orders"] = Sum("orders", filter=condition)
    if is_store_wide(viewer):
        row = _rollup_days(SalesDay, first, period.last).aggregate(**money_sums, **order_sums)
    else:
        row = _rollup_days(SalesDayProduct, first, period.last, viewer).aggregate(**money_sums)
        row.update(_rollup_days(SalesDaySeller, first, period.last, viewer)
                   .aggregate(**order_sums))
    result = {"current": _totals(row, "cur")}
    if compare:
        result["previous"] = _totals(row, "prev")
    return result


def new_shoppers(period: Period) -> tuple[int, int]:
    """Shoppers who signed up in the period and in the previous one (one query)."""
    previous = period.previous()
    row = get_user_model().objects.filter(
        role=Role.SHOPPER, date_joined__gte=previous.start, date_joined__lt=period.end,
    ).aggregate(cur=Count("pk", filter=Q(date_joined__gte=period.start)),
                prev=Count("pk", filter=Q(date_joined__lt=period.start)))
    return row["cur"], row["prev"]


def store_counts() -> dict:
    """Users, active products and orders of the whole store (three counts)."""
    return {
        "users": get_user_model().objects.count(),
        "products": Product.objects.active().count(),
        "orders": Order.objects.count(),
    }


def dashboard_figures(viewer, period: Period) -> list[Figure]:
    """The figure cards of the dashboard, each with its previous-period value."""
    both = sales_figures(viewer, period)
    cur, prev = both["current"], both["previous"]
    figures = [
        Figure("revenue", cur["revenue"], prev["revenue"]),
        Figure("profit", cur["profit"], prev["profit"]),
        Figure("orders", cur["orders"], prev["orders"], kind="count"),
        Figure("average_check", cur["average_check"], prev["average_check"]),
        Figure("items", cur["items"], prev["items"], kind="quantity"),
    ]
    if is_store_wide(viewer):
        joined, joined_before = new_shoppers(period)
        figures.append(Figure("new_shoppers", joined, joined_before, kind="count"))
    return figures
