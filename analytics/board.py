"""The dashboard's product board (top products by quantity and by revenue, best and worst
margins, revenue by category) without adding up every product-day of the period each time.

At 100,000 products most product-days hold one sale, so the 30-day rollup is ~300,000 rows
and summing them per product took 0.7 s. Days before today rarely change, so their
per-product totals are summed once into a snapshot (BoardSnapshot + BoardSnapshotProduct,
indexed by quantity, revenue and margin) and the board reads:

- the snapshot of the closed days (first .. yesterday), built by the first dashboard that
  needs it;
- the live day (today) straight from the rollup: one day of sales;
- for each list, only the products that can be on it: every product sold in the live days
  (their snapshot figures added) and the snapshot's own leaders not sold since, read by
  walking an index: by quantity and by revenue the first L with their ties (the board breaks
  ties by the current product name), by margin the first L (2L for the worst, from which the
  best are left out) in the board's own order.

The result is exactly what summing the rollup would give (analytics/tests/test_board.py
compares them). A snapshot is forgotten, in the same transaction, whenever a sale of one of
its days changes (an old order cancelled, the rollup rebuilt); building and forgetting take a
PostgreSQL advisory lock in turn, so a build never reads the rollup halfway through such a
change. Yesterday stays live for the first GRACE minutes of a day, so that an order placed
just before midnight and committed just after it is never missed by a snapshot built then."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import BoardSnapshot, BoardSnapshotCategory, BoardSnapshotProduct, SalesDayProduct

GRACE = datetime.timedelta(minutes=15)  # longer than any order transaction
KEEP = 40  # at most this many snapshots are kept, all built today (the rolling periods move)
LOCK_KEY = 7_001_906  # pg_advisory_xact_lock id shared by build and forget


def margin_sql(revenue: str, cost: str) -> str:
    """Profit × 100 / revenue, rounded to 10 places so the stored and the live figures of one
    product compare equal; NULL without revenue."""
    return (f"CASE WHEN {revenue} > 0 THEN ROUND(({revenue} - {cost}) * 100.0 / {revenue}, 10) "
            f"END")


def settled_day(now: datetime.datetime | None = None) -> datetime.date:
    """The first live day: today, or yesterday during the first GRACE of a day (an order
    placed at 23:59 may still be committing at 00:00, so yesterday is not closed yet)."""
    now = now or timezone.now()
    return timezone.localtime(now - GRACE).date()


def split(first: datetime.date, last: datetime.date):
    """(closed_last or None, live_first): the period's days read from a snapshot (first ..
    closed_last) and those read live (live_first .. last)."""
    live_first = max(first, settled_day())
    closed_last = min(last, live_first - datetime.timedelta(days=1))
    return (closed_last if closed_last >= first else None), live_first


def _start_of_today() -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _drop(ids: list[int]) -> None:
    if not ids:
        return
    for model in (BoardSnapshotProduct, BoardSnapshotCategory):
        rows = model.objects.filter(snapshot_id__in=ids)
        rows._raw_delete(rows.db)
    snapshots = BoardSnapshot.objects.filter(pk__in=ids)
    snapshots._raw_delete(snapshots.db)


def _build(scope: int, first: datetime.date, last: datetime.date) -> int:
    quote = connection.ops.quote_name
    with transaction.atomic():
        _lock()
        found = (BoardSnapshot.objects.filter(scope=scope, first=first, last=last)
                 .values_list("pk", flat=True).first())
        if found is not None:
            return found
        snapshot = BoardSnapshot.objects.create(scope=scope, first=first, last=last)
        seller = "AND seller_id = %(seller)s" if scope else ""
        sql = f"""
            INSERT INTO {quote(BoardSnapshotProduct._meta.db_table)}
                (snapshot_id, product_id, sold, revenue, cost, margin)
            SELECT %(snapshot)s, product_id, SUM(quantity), SUM(revenue), SUM(cost),
                   {margin_sql("SUM(revenue)", "SUM(cost)")}
            FROM {quote(SalesDayProduct._meta.db_table)}
            WHERE day >= %(first)s AND day <= %(last)s {seller}
            GROUP BY product_id"""
        from catalog.models import Product

        categories = f"""
            INSERT INTO {quote(BoardSnapshotCategory._meta.db_table)}
                (snapshot_id, category_id, revenue, cost)
            SELECT %(snapshot)s, p.category_id, SUM(s.revenue), SUM(s.cost)
            FROM {quote(BoardSnapshotProduct._meta.db_table)} s
            JOIN {quote(Product._meta.db_table)} p ON p.id = s.product_id
            WHERE s.snapshot_id = %(snapshot)s
            GROUP BY p.category_id"""
        with connection.cursor() as cursor:
            params = {"snapshot": snapshot.pk, "first": first, "last": last, "seller": scope}
            cursor.execute(sql, params)
            cursor.execute(categories, params)
            if connection.vendor == "postgresql":
                # Fresh rows without statistics make the planner read the whole snapshot
                # where an index walk of a few rows does (BENCHMARKS.md, "Figures behind the
                # code").
                cursor.execute(f"ANALYZE {quote(BoardSnapshotProduct._meta.db_table)}")
        _drop(list(BoardSnapshot.objects.filter(built_at__lt=_start_of_today())
                   .values_list("pk", flat=True)))
        _drop(list(BoardSnapshot.objects.order_by("-built_at", "-pk")
                   .values_list("pk", flat=True)[KEEP:]))
    return snapshot.pk


def snapshot_for(scope: int, first: datetime.date, last: datetime.date) -> int:
    """The id of the snapshot of first..last for the scope (0 = the store, else a seller's
    id), built now if there is none. One query when it exists."""
    found = (BoardSnapshot.objects.filter(scope=scope, first=first, last=last)
             .values_list("pk", flat=True).first())
    if found is not None:
        return found
    try:
        return _build(scope, first, last)
    except IntegrityError:  # another process built it first (SQLite has no advisory lock)
        return BoardSnapshot.objects.get(scope=scope, first=first, last=last).pk


def forget(first: datetime.date | None = None, last: datetime.date | None = None) -> None:
    """Drop the snapshots holding any day of first..last (None = open end): their sales
    changed. Runs in the caller's transaction."""
    _lock()
    snapshots = BoardSnapshot.objects.all()
    if last is not None:
        snapshots = snapshots.filter(first__lte=last)
    if first is not None:
        snapshots = snapshots.filter(last__gte=first)
    _drop(list(snapshots.values_list("pk", flat=True)))


def forget_if_closed(day: datetime.date) -> None:
    """A sale of `day` changed: drop the snapshots holding it. Today is never in a snapshot,
    so the orders of the day cost nothing here."""
    if day < timezone.localdate():
        forget(day, day)


# One top list from {source}: the rows at or above the offset-th value of the column, ties by
# the product's name in the reader's language (looked up for those few rows only). {pname} is
# that name's SQL for the product aliased p (product_name_sql).
_TOP_BY = """    SELECT * FROM (
        SELECT '@KIND@' AS kind, a.product_id, a.sold, a.revenue, a.cost FROM {source} a
        WHERE a.@COLUMN@ >= COALESCE(
            (SELECT @COLUMN@ FROM {source} ORDER BY @COLUMN@ DESC LIMIT 1 OFFSET %(offset)s), 0)
        ORDER BY a.@COLUMN@ DESC, (SELECT {pname} FROM {product} p WHERE p.id = a.product_id),
                 a.product_id LIMIT %(limit)s) top_@KIND@
"""


def _top_by(kind: str, column: str) -> str:
    return _TOP_BY.replace("@KIND@", kind).replace("@COLUMN@", column)


# The board's lists from a CTE {source} of (product_id, sold, revenue, cost), one row a product:
# top by quantity and by revenue, best margins, worst margins but the best; the category rows
# follow.
_PICKS = """margins AS (
    SELECT product_id, sold, revenue, cost, {margin} AS margin FROM {source} WHERE revenue > 0
),
best AS (
    SELECT product_id FROM margins ORDER BY margin DESC, revenue DESC, product_id LIMIT %(limit)s
),
picked AS (
""" + _top_by("quantity", "sold") + """    UNION ALL
""" + _top_by("revenue", "revenue") + """    UNION ALL
    SELECT 'best' AS kind, m.product_id, m.sold, m.revenue, m.cost
    FROM margins m WHERE m.product_id IN (SELECT product_id FROM best)
    UNION ALL
    SELECT * FROM (
        SELECT 'worst' AS kind, product_id, sold, revenue, cost FROM margins
        WHERE product_id NOT IN (SELECT product_id FROM best)
        ORDER BY margin, revenue DESC, product_id LIMIT %(limit)s) w
)
SELECT x.kind, x.product_id, x.sold, x.revenue, x.cost, {pname}, p.unit, p.sku, NULL
FROM picked x JOIN {product} p ON p.id = x.product_id
UNION ALL
"""

# The board of live days only (today, or a period that has no closed day): from the rollup.
LIVE_BOARD_SQL = """
WITH agg AS (
    SELECT product_id, SUM(quantity) AS sold, SUM(revenue) AS revenue, SUM(cost) AS cost
    FROM {sdp} WHERE day >= %(first)s AND day <= %(last)s {seller}
    GROUP BY product_id
),
""" + _PICKS.replace("{source}", "agg") + """SELECT 'category', c.id, NULL, SUM(a.revenue), SUM(a.cost), c.name, NULL, NULL, NULL
FROM agg a JOIN {product} p ON p.id = a.product_id JOIN {category} c ON c.id = p.category_id
GROUP BY c.id, c.name
"""

# The board from a snapshot and the live days. {seller} limits the live rows to one seller;
# {quiet_s} / {quiet_q} say "not sold in the live days" for a snapshot row, probing the rollup
# by product (its product index), so the snapshot's indexes are walked in order and stop early.
SNAPSHOT_BOARD_SQL = """
WITH live AS (
    SELECT product_id, SUM(quantity) AS sold, SUM(revenue) AS revenue, SUM(cost) AS cost
    FROM {sdp} WHERE day >= %(live_first)s AND day <= %(last)s {seller}
    GROUP BY product_id
),
touched AS (
    SELECT l.product_id, l.sold + COALESCE(s.sold, 0) AS sold,
           l.revenue + COALESCE(s.revenue, 0) AS revenue, l.cost + COALESCE(s.cost, 0) AS cost
    FROM live l LEFT JOIN {rows} s ON s.snapshot_id = %(snapshot)s AND s.product_id = l.product_id
),
cand AS (
    SELECT product_id, sold, revenue, cost FROM touched
    UNION
    SELECT * FROM ({top_sold}) ts
    UNION
    SELECT * FROM ({top_revenue}) tr
    UNION
    SELECT * FROM (
        SELECT s.product_id, s.sold, s.revenue, s.cost FROM {rows} s
        WHERE s.snapshot_id = %(snapshot)s AND s.margin IS NOT NULL AND {quiet_s}
        ORDER BY s.margin DESC, s.revenue DESC, s.product_id LIMIT %(limit)s) tb
    UNION
    SELECT * FROM (
        SELECT s.product_id, s.sold, s.revenue, s.cost FROM {rows} s
        WHERE s.snapshot_id = %(snapshot)s AND s.margin IS NOT NULL AND {quiet_s}
        ORDER BY s.margin, s.revenue DESC, s.product_id LIMIT %(worst_limit)s) tw
),
""" + _PICKS.replace("{source}", "cand") + """SELECT 'category', c.id, NULL, SUM(a.revenue), SUM(a.cost), c.name, NULL, NULL, NULL
FROM (SELECT category_id, revenue, cost FROM {categories} WHERE snapshot_id = %(snapshot)s
      UNION ALL
      SELECT p.category_id, l.revenue, l.cost FROM live l JOIN {product} p ON p.id = l.product_id
) a
JOIN {category} c ON c.id = a.category_id
GROUP BY c.id, c.name
"""

# The snapshot's leaders by quantity or revenue not sold in the live days, ties included (the
# board breaks them by the product's current name, which the snapshot does not keep).
# PostgreSQL walks the index and stops after the ties; SQLite has no WITH TIES.
TOP_WITH_TIES = {
    "postgresql": """
        SELECT s.product_id, s.sold, s.revenue, s.cost FROM {rows} s
        WHERE s.snapshot_id = %(snapshot)s AND {quiet_s}
        ORDER BY s.{column} DESC FETCH FIRST %(limit)s ROWS WITH TIES""",
    "other": """
        SELECT s.product_id, s.sold, s.revenue, s.cost FROM {rows} s
        WHERE s.snapshot_id = %(snapshot)s AND {quiet_s} AND s.{column} >= COALESCE((
            SELECT q.{column} FROM {rows} q WHERE q.snapshot_id = %(snapshot)s AND {quiet_q}
            ORDER BY q.{column} DESC LIMIT 1 OFFSET %(offset)s), 0)""",
}

def product_name_sql(alias: str = "p") -> str:
    """SQL: the name of the product aliased `alias` in the active language, else its default
    name (as catalog.selectors.shown_name, for the board's raw SQL)."""
    from catalog.models import translated_field

    field = translated_field("name")  # one of a few fixed column names, never user input
    if field == "name":
        return f"{alias}.name"
    return f"COALESCE(NULLIF({alias}.{field}, ''), {alias}.name)"


def quiet(alias: str, seller: bool) -> str:
    """SQL: the snapshot row `alias` has no sale in the live days (in the seller's scope)."""
    scope = "AND d.seller_id = %(seller)s" if seller else ""
    return (f"NOT EXISTS (SELECT 1 FROM {{sdp}} d WHERE d.product_id = {alias}.product_id "
            f"AND d.day >= %(live_first)s AND d.day <= %(last)s {scope})")


def board_sql(*, seller: bool, tables: dict) -> str:
    """The snapshot board's SQL for this database, with the tables' quoted names in `tables`
    (sdp, product, category, rows, categories) and the product name's SQL (pname)."""
    probes = {"quiet_s": quiet("s", seller).format(sdp=tables["sdp"]),
              "quiet_q": quiet("q", seller).format(sdp=tables["sdp"])}
    top = TOP_WITH_TIES.get(connection.vendor, TOP_WITH_TIES["other"])
    parts = {f"top_{column}": top.format(column=column, rows=tables["rows"], **probes)
             for column in ("sold", "revenue")}
    return SNAPSHOT_BOARD_SQL.format(
        margin=margin_sql("revenue", "cost"),
        seller="AND seller_id = %(seller)s" if seller else "", **parts, **probes, **tables)
