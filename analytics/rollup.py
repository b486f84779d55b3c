"""Writing the daily sales rollup (analytics.models): the incremental path run by the order
history signal, and the rebuild from the order lines.

Incremental: inside the order service's transaction, each (day, product, seller), (day, seller)
and day row gets `x = x + delta` through INSERT … ON CONFLICT DO UPDATE, one statement per
table: the row is inserted when missing, and a concurrent transaction inserting the same row
makes this one wait for it and then add to it, never fail. Rows are touched in one order
(products by id, sellers by id, then the day) so two orders never wait on each other crosswise.
Rows that fall to zero (the last sale of that day cancelled) are deleted, so the rollup holds
exactly the rows a rebuild would write.

Rebuild: delete the days' rows and INSERT ... SELECT the aggregates of the order lines, one
statement per table, in one transaction. On PostgreSQL the three tables are locked (EXCLUSIVE:
reads go on, order signals wait) so an order committing meanwhile is counted exactly once."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from bibarys.money import line_total
from orders.models import OrderLine, OrderStatus

from .board import forget, forget_if_closed
from .models import SalesDay, SalesDayProduct, SalesDaySeller

SALE_STATUSES = [s.value for s in OrderStatus if s != OrderStatus.CANCELLED]


def store_zone():
    return timezone.get_default_timezone()


def sale_day(moment: datetime.datetime) -> datetime.date:
    """The Almaty calendar day of a moment."""
    return timezone.localtime(moment, store_zone()).date()


def line_cost(quantity: Decimal, cost_price: Decimal) -> Decimal:
    return line_total(cost_price, quantity)


def line_items(unit: str, quantity: Decimal) -> Decimal:
    """Pieces count one by one; a weighed or poured line counts as one item."""
    return quantity if unit == "pcs" else Decimal("1")


def _add(model, keys: tuple[str, ...], rows: list[dict]) -> None:
    """Each row's counters are added to the rollup row with the same `keys`, which is inserted
    when missing: one INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite alike), which a
    concurrent order inserting the same row cannot make fail (see the module)."""
    fields = [model._meta.get_field(name) for name in rows[0]]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(field.column) for field in fields]
    conflict = ", ".join(quote(model._meta.get_field(key).column) for key in keys)
    adds = ", ".join(f"{column} = {table}.{column} + EXCLUDED.{column}"
                     for field, column in zip(fields, columns) if field.name not in keys)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    params = [field.get_db_prep_save(row[field.name], connection)
              for row in rows for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "
                       f"ON CONFLICT ({conflict}) DO UPDATE SET {adds}", params)


def rollup_order(order, *, sign: int) -> None:
    """Add (sign=1, the order was placed) or subtract (sign=-1, it was cancelled) the order's
    lines to the rollup of the order's day. Runs in the caller's transaction."""
    day = sale_day(order.created_at)
    lines = list(OrderLine.objects.filter(order=order).order_by("product_id", "seller_id")
                 .values_list("product_id", "seller_id", "unit", "quantity", "line_total",
                              "cost_price"))
    if not lines:
        return
    total = {"items": Decimal("0"), "revenue": Decimal("0"), "cost": Decimal("0")}
    sellers = set()
    product_rows = []
    for product_id, seller_id, unit, quantity, sold_for, cost_price in lines:
        delta = {"quantity": quantity, "items": line_items(unit, quantity),
                 "revenue": sold_for, "cost": line_cost(quantity, cost_price)}
        for key in total:
            total[key] += delta[key]
        sellers.add(seller_id)
        product_rows.append({"day": day, "product": product_id, "seller": seller_id,
                             **{key: value * sign for key, value in delta.items()}})
    # Rows are written in one order (products by id, sellers by id, then the day).
    _add(SalesDayProduct, ("day", "product", "seller"), product_rows)
    _add(SalesDaySeller, ("seller", "day"),
         [{"day": day, "seller": seller_id, "orders": sign} for seller_id in sorted(sellers)])
    _add(SalesDay, ("day",),
         [{"day": day, "orders": sign, **{k: v * sign for k, v in total.items()}}])
    if sign < 0:
        # The last sale of a row cancelled: drop it, as a rebuild would not write it.
        SalesDayProduct.objects.filter(day=day, product_id__in=[line[0] for line in lines],
                                       quantity=0).delete()
        SalesDaySeller.objects.filter(day=day, seller_id__in=sellers, orders=0).delete()
        SalesDay.objects.filter(day=day, orders=0).delete()
    # A snapshot of the dashboard's board holding the day is stale now. Last, after the rollup
    # rows are locked: the rebuild takes the tables first and the snapshots' lock second too.
    forget_if_closed(day)


# ---------------------------------------------------------------------------------------------
# Rebuild.


def _day_bounds(first, last):
    zone = store_zone()
    start = end = None
    if first is not None:
        start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min), zone)
    if last is not None:
        end = timezone.make_aware(
            datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min),
            zone)
    return start, end


def _insert_select(model, queryset, columns: dict) -> int:
    """INSERT INTO model (columns...) SELECT <queryset>: `columns` maps the queryset's output
    names to the table's columns."""
    query = queryset.query
    # Django 5.2 keeps the SELECT order of values()/annotate() in `selected`.
    names = list(query.selected)
    sql, params = query.sql_with_params()
    targets = ", ".join(connection.ops.quote_name(columns[name]) for name in names)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({targets}) {sql}", params)
        return cursor.rowcount


def sales_rollup_rebuild(*, first: datetime.date | None = None,
                         last: datetime.date | None = None) -> dict:
    """Recompute the rollup of the days first..last (both included; None = open end) from the
    order lines. One transaction; returns the rows written per table."""
    from .selectors import ITEMS, LINE_COST, MONEY, QUANTITY

    start, end = _day_bounds(first, last)
    day = TruncDate("order__created_at", tzinfo=store_zone())
    lines = OrderLine.objects.filter(order__status__in=SALE_STATUSES)
    if start is not None:
        lines = lines.filter(order__created_at__gte=start)
    if end is not None:
        lines = lines.filter(order__created_at__lt=end)
    lines = lines.annotate(sale_day=day).order_by()
    written = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table)
                               for m in (SalesDayProduct, SalesDaySeller, SalesDay))
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        forget(first, last)
        for model in (SalesDayProduct, SalesDaySeller, SalesDay):
            rows = model.objects.all()
            if first is not None:
                rows = rows.filter(day__gte=first)
            if last is not None:
                rows = rows.filter(day__lte=last)
            rows._raw_delete(rows.db)
        written["products"] = _insert_select(
            SalesDayProduct,
            lines.values("sale_day", "product_id", "seller_id").annotate(
                sum_quantity=Sum("quantity", output_field=QUANTITY),
                sum_items=Sum(ITEMS, output_field=QUANTITY),
                sum_revenue=Sum("line_total", output_field=MONEY),
                sum_cost=Sum(LINE_COST, output_field=MONEY)),
            {"sale_day": "day", "product_id": "product_id", "seller_id": "seller_id",
             "sum_quantity": "quantity", "sum_items": "items", "sum_revenue": "revenue",
             "sum_cost": "cost"})
        written["sellers"] = _insert_select(
            SalesDaySeller,
            lines.values("sale_day", "seller_id").annotate(
                n_orders=Count("order_id", distinct=True)),
            {"sale_day": "day", "seller_id": "seller_id", "n_orders": "orders"})
        written["days"] = _insert_select(
            SalesDay,
            lines.values("sale_day").annotate(
                n_orders=Count("order_id", distinct=True),
                sum_items=Sum(ITEMS, output_field=QUANTITY),
                sum_revenue=Sum("line_total", output_field=MONEY),
                sum_cost=Sum(LINE_COST, output_field=MONEY)),
            {"sale_day": "day", "n_orders": "orders", "sum_items": "items",
             "sum_revenue": "revenue", "sum_cost": "cost"})
    return written
