"""The daily sales rollup: what the dashboard and the sales report read instead of every order line.

A sale is an order line of an order that is not cancelled (see selectors.py). The rollup keeps,
per Almaty calendar day of the order's `created_at`:

- SalesDayProduct: per product (seller copied from the line): quantity, items, revenue, cost;
- SalesDaySeller: per seller, the number of orders holding their lines;
- SalesDay: the store-wide orders, items, revenue and cost.

Kept true in the same transaction as the order (analytics/signals.py: a placed order adds its
lines, a cancelled one subtracts them) and rebuilt from the order lines by
`manage.py rebuild_sales_rollup` (bulk paths such as the demo seeder write no history signals).
Revenue and cost are the sums of the lines' totals and their rounded costs, so the figures are
exactly those of the line-level queries."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _money(verbose):
    return models.DecimalField(verbose, max_digits=16, decimal_places=2, default=0)


def _quantity(verbose):
    return models.DecimalField(verbose, max_digits=16, decimal_places=3, default=0)


class SalesDayProduct(models.Model):
    day = models.DateField(_("day"))
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("seller"))
    quantity = _quantity(_("quantity"))
    items = _quantity(_("items sold"))
    revenue = _money(_("revenue"))
    cost = _money(_("cost of goods"))

    class Meta:
        verbose_name = _("daily product sales")
        verbose_name_plural = _("daily product sales")
        constraints = [models.UniqueConstraint(fields=["day", "product", "seller"],
                                               name="sales_day_product_unique")]
        indexes = [models.Index(fields=["seller", "day"], name="sales_day_product_seller")]


class SalesDaySeller(models.Model):
    day = models.DateField(_("day"))
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("seller"))
    orders = models.IntegerField(_("orders"), default=0)

    class Meta:
        verbose_name = _("daily seller orders")
        verbose_name_plural = _("daily seller orders")
        constraints = [models.UniqueConstraint(fields=["seller", "day"],
                                               name="sales_day_seller_unique")]


class SalesDay(models.Model):
    day = models.DateField(_("day"), unique=True)
    orders = models.IntegerField(_("orders"), default=0)
    items = _quantity(_("items sold"))
    revenue = _money(_("revenue"))
    cost = _money(_("cost of goods"))

    class Meta:
        verbose_name = _("daily sales")
        verbose_name_plural = _("daily sales")


class BoardSnapshot(models.Model):
    """The product totals of a run of closed days (first..last, all before today), for the
    dashboard's product board: store-wide (scope 0) or one seller's (scope = the seller's id).
    Built once, on the first dashboard that needs it, then read instead of every product-day;
    forgotten when a sale of one of its days changes (see analytics/board.py)."""

    scope = models.BigIntegerField(_("scope"))
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    built_at = models.DateTimeField(_("built at"), auto_now_add=True)

    class Meta:
        verbose_name = _("product board snapshot")
        verbose_name_plural = _("product board snapshots")
        constraints = [
            models.UniqueConstraint(fields=["scope", "first", "last"],
                                    name="board_snapshot_unique"),
            models.CheckConstraint(condition=models.Q(first__lte=models.F("last")),
                                   name="board_snapshot_days"),
        ]


class BoardSnapshotProduct(models.Model):
    """One product's totals over a snapshot's days. `margin` = profit × 100 / revenue (NULL
    without revenue), kept so the best and worst margins come from an index."""

    snapshot = models.ForeignKey(BoardSnapshot, on_delete=models.DO_NOTHING, related_name="+",
                                 verbose_name=_("snapshot"))
    # A derived copy, like a cache: no constraint may keep the store from deleting a product.
    product = models.ForeignKey("catalog.Product", on_delete=models.DO_NOTHING,
                                db_constraint=False, related_name="+", verbose_name=_("product"))
    sold = _quantity(_("quantity"))
    revenue = _money(_("revenue"))
    cost = _money(_("cost of goods"))
    margin = models.DecimalField(_("margin, %"), max_digits=30, decimal_places=10, null=True)

    class Meta:
        verbose_name = _("product board snapshot row")
        verbose_name_plural = _("product board snapshot rows")
        constraints = [models.UniqueConstraint(fields=["snapshot", "product"],
                                               name="board_snapshot_product_unique")]
        indexes = [
            models.Index(fields=["snapshot", "-sold"], name="board_snapshot_sold"),
            models.Index(fields=["snapshot", "-revenue"], name="board_snapshot_revenue"),
            # The board's own orders of the best and the worst margins, ties included.
            models.Index(fields=["snapshot", "-margin", "-revenue", "product"],
                         name="board_snapshot_best"),
            models.Index(fields=["snapshot", "margin", "-revenue", "product"],
                         name="board_snapshot_worst"),
        ]


class BoardSnapshotCategory(models.Model):
    """A category's totals over a snapshot's days (by the products' categories when it was
    built: moving products to another category forgets every snapshot)."""

    snapshot = models.ForeignKey(BoardSnapshot, on_delete=models.DO_NOTHING, related_name="+",
                                 verbose_name=_("snapshot"))
    category = models.ForeignKey("catalog.Category", on_delete=models.DO_NOTHING,
                                 db_constraint=False, related_name="+",
                                 verbose_name=_("category"))
    revenue = _money(_("revenue"))
    cost = _money(_("cost of goods"))

    class Meta:
        verbose_name = _("category board snapshot row")
        verbose_name_plural = _("category board snapshot rows")
        constraints = [models.UniqueConstraint(fields=["snapshot", "category"],
                                               name="board_snapshot_category_unique")]
