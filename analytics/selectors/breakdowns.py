"""Breakdowns of sales: by category, product, margin and seller, and the dashboard's product and
category panels in one pass (the SQL is in analytics/board.py)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum, Value
from django.db.models.functions import NullIf, Round

from catalog.models import Product
from catalog.selectors import shown_name

from ..models import BoardSnapshotCategory, BoardSnapshotProduct, SalesDayProduct, SalesDaySeller
from ..periods import Period
from ._base import (is_store_wide, LINE_COST, margin_percent, MONEY, QUANTITY, sale_lines, ZERO,
                    _money)
from .figures import _rollup_days


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
            .values("product_id", unit=F("product__unit"), name=shown_name("product__"),
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

    from .. import board as snapshots

    quote = connection.ops.quote_name
    params = {"first": period.first, "last": period.last, "limit": limit,
              "offset": limit - 1}
    seller = ""
    if not is_store_wide(viewer):
        seller = "AND seller_id = %(seller)s"
        params["seller"] = viewer.pk
    tables = {"sdp": quote(SalesDayProduct._meta.db_table),
              "product": quote(Product._meta.db_table),
              "category": quote(Category._meta.db_table),
              "pname": snapshots.product_name_sql("p")}
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
