"""Series for the charts: sales by day, week or month, every bucket filled."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone


from ..models import SalesDay, SalesDayProduct, SalesDaySeller
from ..periods import Period
from ._base import is_store_wide, MONEY, ZERO, _money
from .figures import _rollup_days


# ---------------------------------------------------------------------------------------------
# Series for charts.


def _bucket_start(day: datetime.date, granularity: str) -> datetime.date:
    if granularity == "week":
        return day - datetime.timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def _next_bucket(day: datetime.date, granularity: str) -> datetime.date:
    if granularity == "week":
        return day + datetime.timedelta(days=7)
    if granularity == "month":
        return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return day + datetime.timedelta(days=1)


def _as_local_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


@dataclass
class Point:
    start: datetime.date
    revenue: Decimal
    cost: Decimal
    orders: int

    @property
    def profit(self) -> Decimal:
        return self.revenue - self.cost


def _bucket(granularity: str):
    return {"day": F("day"), "week": TruncWeek("day"), "month": TruncMonth("day")}[granularity]


def sales_series(viewer, period: Period, granularity: str | None = None, *,
                 zero_fill: bool = True) -> list[Point]:
    """Revenue, cost and orders per day, week (from Monday) or month of the period (Almaty
    days, from the daily rollup); every bucket of the period is present (zero when nothing
    sold) unless zero_fill is off. One query for an admin, two for a seller."""
    granularity = granularity or period.granularity
    bucket = _bucket(granularity)
    sums = {"revenue": Sum("revenue", output_field=MONEY), "cost": Sum("cost", output_field=MONEY)}
    if is_store_wide(viewer):
        rows = (_rollup_days(SalesDay, period.first, period.last).annotate(bucket=bucket)
                .values("bucket").annotate(**sums, orders=Sum("orders")).order_by("bucket"))
        found = {_as_local_date(row["bucket"]): row for row in rows}
    else:
        rows = (_rollup_days(SalesDayProduct, period.first, period.last, viewer)
                .annotate(bucket=bucket).values("bucket").annotate(**sums).order_by("bucket"))
        orders = {_as_local_date(row["bucket"]): row["orders"] for row in
                  _rollup_days(SalesDaySeller, period.first, period.last, viewer)
                  .annotate(bucket=bucket).values("bucket").annotate(orders=Sum("orders"))
                  .order_by("bucket")}
        found = {}
        for row in rows:
            day = _as_local_date(row["bucket"])
            found[day] = {**row, "orders": orders.get(day, 0)}
    if not zero_fill:
        return [Point(day, _money(row["revenue"]), _money(row["cost"]), row["orders"] or 0)
                for day, row in sorted(found.items())]
    points = []
    day = _bucket_start(period.first, granularity)
    while day <= period.last:
        row = found.get(day)
        points.append(Point(day, _money(row["revenue"]) if row else ZERO,
                            _money(row["cost"]) if row else ZERO,
                            (row["orders"] or 0) if row else 0))
        day = _next_bucket(day, granularity)
    return points
