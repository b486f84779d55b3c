"""Every figure of the dashboards and reports, computed by the database.

What counts as a sale: an order in any status but `cancelled` (new, confirmed, ready and
completed). The shopper has paid or committed to pay and the stock has left the shelf; a
cancelled order has returned both, so it never counts.

Revenue is the sum of the order lines' totals (price × quantity copied at the moment of sale);
cost of goods is the sum of the lines' cost price × quantity, each rounded to the tiyn half up
(the copied cost, so later price changes do not rewrite history); profit = revenue − cost.
A seller sees only their own lines (OrderLine.seller, copied at sale); an admin sees the store.

Sales figures (totals, series, categories, products, margins, sellers) read the daily sales
rollup (analytics.models, kept in the order's transaction; see rollup.py) for whole Almaty days
instead of every order line, so their cost grows with days × products sold, not with lines.
Only the order count per category of the sales report (a distinct count no daily sum can give)
and the recent orders (a LIMIT query) read orders and lines.

Each function runs a fixed number of queries whatever the amount of data: aggregates and
GROUP BY in SQL, Python only fills empty buckets of a chart and divides two totals."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case, Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value,
    When,
)
from django.db.models.functions import NullIf, Round, TruncMonth, TruncWeek
from django.utils import timezone

from accounts.models import Role
from bibarys.money import money_round
from bibarys.sqlite import Alphabetical
from catalog.models import Product
from inventory.models import DocumentStatus, ReceiptLine, WriteOffLine
from orders.models import Order, OrderLine, OrderStatus

from .models import BoardSnapshotCategory, BoardSnapshotProduct, SalesDay, SalesDayProduct, SalesDaySeller
from .periods import Period

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


# ---------------------------------------------------------------------------------------------
# Breakdowns.


def _with_money(rows):
    out = []
    for row in rows:
        row = dict(row)
        if "sold" in row:
            row["quantity"] = row.pop("sold")
        row["revenue"] = _money(row.get("revenue"))
        row["cost"] = _money(row.get("cost"))
        row["profit"] = row["revenue"] - row["cost"]
        row["margin"] = margin_percent(row["profit"], row["revenue"])
        out.append(row)
    return out


_SUMS = {
    # Not called "quantity": that name is the rollup's own field.
    "sold": Sum("quantity", output_field=QUANTITY),
    "revenue": Sum("revenue", output_field=MONEY),
    "cost": Sum("cost", output_field=MONEY),
}


def _product_days(viewer, period: Period):
    return _rollup_days(SalesDayProduct, period.first, period.last, viewer)


def revenue_by_category(viewer, period: Period, *, with_orders: bool = False) -> list[dict]:
    """Revenue, cost and profit per category (the product's current category), highest
    revenue first, from the daily rollup. One query. `with_orders` (the sales report) adds the
    number of orders holding the category's products: a distinct count the daily rollup cannot
    sum, so that variant reads the order lines of the period (one query)."""
    if with_orders:
        rows = (sale_lines(viewer, period)
                .values(category_id=F("product__category_id"), name=F("product__category__name"))
                .annotate(revenue=Sum("line_total", output_field=MONEY),
                          cost=Sum(LINE_COST, output_field=MONEY),
                          orders=Count("order", distinct=True))
                .order_by("-revenue", "name"))
        return _with_money(rows)
    rows = (_product_days(viewer, period)
            .values(category_id=F("product__category_id"), name=F("product__category__name"))
            .annotate(revenue=_SUMS["revenue"], cost=_SUMS["cost"])
            .order_by("-revenue", "name"))
    return _with_money(rows)


def _by_product(viewer, period: Period):
    return (_product_days(viewer, period)
            .values("product_id", unit=F("product__unit"), name=F("product__name"),
                    sku=F("product__sku"))
            .annotate(**_SUMS))


def top_products(viewer, period: Period, *, by: str = "quantity", limit: int = 5) -> list[dict]:
    """The best `limit` products by quantity sold or by revenue. One query."""
    order = "-sold" if by == "quantity" else "-revenue"
    return _with_money(_by_product(viewer, period).order_by(order, "name", "product_id")[:limit])


def sales_by_product(viewer, period: Period, *, limit: int | None = None) -> list[dict]:
    """Every product sold in the period (or the first `limit`), highest revenue first. One
    query."""
    rows = _by_product(viewer, period).order_by("-revenue", "name", "product_id")
    return _with_money(rows[:limit] if limit else rows)


def products_sold(viewer, period: Period) -> int:
    """How many different products were sold in the period. One query."""
    return _product_days(viewer, period).values("product_id").distinct().count()


def by_margin(viewer, period: Period, *, best: bool = True, limit: int = 5,
              exclude: list[int] | None = None) -> list[dict]:
    """Products with the highest (or lowest) margin = profit / revenue, leaving out the
    product ids in `exclude` (the best ones, when a seller has few products). One query."""
    # Rounded to 10 places as in the board's SQL (board.margin_sql): equal margins tie on every
    # database (SQLite divides in floats) and are then ordered by revenue.
    margin = Round(ExpressionWrapper(
        (F("revenue") - F("cost")) * Value(Decimal("100.0000")) / NullIf(F("revenue"), ZERO),
        output_field=DecimalField(max_digits=30, decimal_places=10)), 10)
    rows = _by_product(viewer, period)
    if exclude:
        rows = rows.exclude(product_id__in=exclude)
    rows = (rows.filter(revenue__gt=0).annotate(margin_sort=margin)
            .order_by("-margin_sort" if best else "margin_sort", "-revenue", "product_id")
            [:limit])
    return _with_money(rows)


def sales_by_seller(viewer, period: Period) -> list[dict]:
    """Revenue, cost and profit per seller (the seller copied on the line), from the daily
    rollup. Two queries (money by product-days, orders by seller-days)."""
    rows = (_product_days(viewer, period)
            .values("seller_id", username=F("seller__username"),
                    first_name=F("seller__first_name"), last_name=F("seller__last_name"))
            .annotate(revenue=_SUMS["revenue"], cost=_SUMS["cost"])
            .order_by("-revenue", "username"))
    orders = dict(_rollup_days(SalesDaySeller, period.first, period.last, viewer)
                  .values("seller_id").annotate(n=Sum("orders")).order_by()
                  .values_list("seller_id", "n"))
    rows = _with_money(rows)
    for row in rows:
        row["orders"] = orders.get(row["seller_id"], 0)
        row["name"] = " ".join(p for p in (row["first_name"], row["last_name"]) if p) or \
            row["username"]
    return rows


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


# ---------------------------------------------------------------------------------------------
# Reports: stock, receipts, write-offs.

VALUE_AT_COST = Round(ExpressionWrapper(F("quantity") * F("cost_price"), output_field=QUANTITY),
                      2, output_field=MONEY)


def stock_products(viewer):
    """Products in the viewer's scope with their stock valued at cost, by category and name."""
    return (Product.objects.for_seller(viewer).select_related("category")
            .annotate(value=VALUE_AT_COST)
            .order_by(Alphabetical("category__name"), Alphabetical("name"), "pk"))


def stock_totals(viewer) -> dict:
    row = Product.objects.for_seller(viewer).aggregate(
        products=Count("pk"), value=Sum(VALUE_AT_COST, output_field=MONEY),
        low=Count("pk", filter=Q(quantity__lte=F("low_stock_threshold"))))
    return {"products": row["products"], "value": _money(row["value"]), "low": row["low"]}


RECEIPT_LINE_TOTAL = Round(
    ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=QUANTITY), 2,
    output_field=MONEY)


def receipt_lines(viewer, period: Period):
    """Lines of goods receipts posted (and not reversed) with a document date in the period,
    the viewer's products only."""
    lines = ReceiptLine.objects.filter(document__status=DocumentStatus.POSTED,
                                       document__date__gte=period.first,
                                       document__date__lte=period.last)
    if not is_store_wide(viewer):
        lines = lines.filter(product__seller=viewer)
    return lines


def receipts_in(viewer, period: Period) -> list[dict]:
    """One row per receipt: date, supplier, lines, total at cost. One query."""
    rows = (receipt_lines(viewer, period)
            .values("document_id", date=F("document__date"), supplier=F("document__supplier"),
                    supplier_number=F("document__supplier_number"))
            .annotate(lines=Count("pk"), total=Sum(RECEIPT_LINE_TOTAL, output_field=MONEY))
            .order_by("date", "document_id"))
    out = []
    for row in rows:
        row = dict(row)
        row["total"] = _money(row["total"])
        row["number"] = f"№{row['document_id']:05d}"
        out.append(row)
    return out


def receipt_line_rows(viewer, period: Period):
    return (receipt_lines(viewer, period).select_related("document", "product")
            .annotate(line_sum=RECEIPT_LINE_TOTAL).order_by("document__date", "document_id", "id"))


def receipts_total(viewer, period: Period) -> dict:
    row = receipt_lines(viewer, period).aggregate(
        total=Sum(RECEIPT_LINE_TOTAL, output_field=MONEY), lines=Count("pk"),
        receipts=Count("document", distinct=True))
    return {"total": _money(row["total"]), "lines": row["lines"], "receipts": row["receipts"]}


# A write-off line's value: quantity × the cost price kept when it was posted.
WRITEOFF_VALUE = Round(
    ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=QUANTITY), 2,
    output_field=MONEY)


def writeoff_lines(viewer, period: Period):
    lines = WriteOffLine.objects.filter(document__status=DocumentStatus.POSTED,
                                        document__date__gte=period.first,
                                        document__date__lte=period.last)
    if not is_store_wide(viewer):
        lines = lines.filter(product__seller=viewer)
    return lines


def writeoffs_by_reason(viewer, period: Period) -> list[dict]:
    """Lines and value at cost per write-off reason. One query."""
    from inventory.models import WriteOffReason

    labels = dict(WriteOffReason.choices)
    rows = (writeoff_lines(viewer, period).values("reason")
            .annotate(lines=Count("pk"), value=Sum(WRITEOFF_VALUE, output_field=MONEY))
            .order_by("-value", "reason"))
    return [{"reason": row["reason"], "label": labels.get(row["reason"], row["reason"]),
             "lines": row["lines"], "value": _money(row["value"])} for row in rows]


def writeoff_line_rows(viewer, period: Period):
    return (writeoff_lines(viewer, period).select_related("document", "product")
            .annotate(value=WRITEOFF_VALUE).order_by("document__date", "document_id", "id"))


def order_for_invoice(order_pk: int, viewer):
    """The order, if the viewer owns it or is an admin; None otherwise (the view answers 404)."""
    orders = Order.objects.select_related("user")
    if not is_store_wide(viewer):
        orders = orders.filter(user=viewer)
    return orders.filter(pk=order_pk).first()


# ---------------------------------------------------------------------------------------------
# The dashboard's product and category panels in one pass (the SQL is in board.py).


def _board_decimal(value, places: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):  # SQLite sums decimals as floats
        value = repr(value)
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def product_board(viewer, period: Period, *, limit: int = 5) -> dict:
    """The dashboard's top products by quantity and by revenue, best and worst margins and
    revenue by category, in one query over the period's live days and the snapshot of its
    closed days (analytics/board.py; one more query to find the snapshot, a few to build it
    the first time): each is the same list as top_products / by_margin / revenue_by_category
    give, in the same order (ties broken the same way)."""
    from catalog.models import Category

    from . import board as snapshots

    quote = connection.ops.quote_name
    params = {"first": period.first, "last": period.last, "limit": limit,
              "offset": limit - 1}
    seller = ""
    if not is_store_wide(viewer):
        seller = "AND seller_id = %(seller)s"
        params["seller"] = viewer.pk
    tables = {"sdp": quote(SalesDayProduct._meta.db_table),
              "product": quote(Product._meta.db_table),
              "category": quote(Category._meta.db_table)}
    closed_last, live_first = snapshots.split(period.first, period.last)
    if closed_last is None:  # only live days: the rollup itself is small
        sql = snapshots.LIVE_BOARD_SQL.format(margin=snapshots.margin_sql("revenue", "cost"),
                                              seller=seller, **tables)
    else:
        params["snapshot"] = snapshots.snapshot_for(
            0 if is_store_wide(viewer) else viewer.pk, period.first, closed_last)
        params.update(live_first=live_first, worst_limit=2 * limit)
        sql = snapshots.board_sql(seller=bool(seller), tables={
            **tables, "rows": quote(BoardSnapshotProduct._meta.db_table),
            "categories": quote(BoardSnapshotCategory._meta.db_table)})
    board = {"quantity": [], "revenue": [], "best": [], "worst": [], "category": []}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, pk, sold, revenue, cost, name, unit, sku, _unused in rows:
        row = {"revenue": _board_decimal(revenue, "0.01"), "cost": _board_decimal(cost, "0.01"),
               "name": name}
        if kind == "category":
            row["category_id"] = pk
        else:
            row.update(product_id=pk, unit=unit, sku=sku, sold=_board_decimal(sold, "0.001"))
        board[kind].append(row)
    out = {kind: _with_money(rows) for kind, rows in board.items()}
    out["quantity"].sort(key=lambda r: (-r["quantity"], r["name"], r["product_id"]))
    out["revenue"].sort(key=lambda r: (-r["revenue"], r["name"], r["product_id"]))
    margin = lambda r: (r["revenue"] - r["cost"]) / r["revenue"]  # noqa: E731
    out["best"].sort(key=lambda r: (-margin(r), -r["revenue"], r["product_id"]))
    out["worst"].sort(key=lambda r: (margin(r), -r["revenue"], r["product_id"]))
    out["category"].sort(key=lambda r: (-r["revenue"], r["name"]))
    return out
