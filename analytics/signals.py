"""Keeps the daily sales rollup true in the order service's own transaction: the first history
row of an order (to `new` online, to `completed` for a counter sale) adds its lines, a move to `cancelled` subtracts them. No other
status change touches money (orders/services.py)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from catalog.signals import products_recategorised
from orders.models import OrderStatus, OrderStatusChange

from .board import forget
from .rollup import rollup_order


@receiver(post_save, sender=OrderStatusChange, dispatch_uid="analytics_sales_rollup")
def order_history_written(sender, instance, created, raw=False, **kwargs):
    if raw or not created:
        return
    if not instance.from_status and instance.to_status != OrderStatus.CANCELLED:
        rollup_order(instance.order, sign=1)
    elif (instance.to_status == OrderStatus.CANCELLED
          and instance.from_status != OrderStatus.CANCELLED):
        rollup_order(instance.order, sign=-1)


@receiver(products_recategorised, dispatch_uid="analytics_board_categories")
def products_moved(sender, product_ids, **kwargs):
    """The board's snapshots sum revenue by the categories products had when they were built."""
    forget()
