"""Orders made directly for analytics tests: the figures depend on the rows, not on the checkout
that will normally write them. Line totals and costs follow the store's rounding (half up)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bibarys.money import money_round
from inventory.tests.factories import CategoryFactory, ProductFactory  # noqa: F401
from analytics.rollup import sales_rollup_rebuild
from orders.models import Order, OrderLine

def money(value) -> Decimal:
    return money_round(value)


def local_time(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An aware moment on an Almaty calendar day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    user = factory.SubFactory(UserFactory, role="shopper")
    status = "completed"
    total = Decimal("0.00")
    cost_total = Decimal("0.00")


def make_order(*, user=None, status="completed", at=None, lines=()):
    """An order with its lines: `lines` is a list of (product, quantity, price, cost_price).
    `at` is the moment it was placed (created_at is auto_now_add, so it is set afterwards)."""
    order = OrderFactory(user=user or UserFactory(role="shopper"), status=status)
    total = cost = Decimal("0.00")
    for product, quantity, price, cost_price in lines:
        quantity, price, cost_price = Decimal(quantity), Decimal(price), Decimal(cost_price)
        line_total = money(quantity * price)
        OrderLine.objects.create(
            order=order, product=product, seller=product.seller, product_name=product.name,
            unit=product.unit, quantity=quantity, price=price, cost_price=cost_price,
            line_total=line_total)
        total += line_total
        cost += money(quantity * cost_price)
    Order.objects.filter(pk=order.pk).update(
        total=total, cost_total=cost, created_at=at or timezone.now())
    order.refresh_from_db()
    # Rows written directly (no order history, created_at moved afterwards): bring the daily
    # sales rollup the dashboard reads up to date, as `rebuild_sales_rollup` does after bulk loads.
    sales_rollup_rebuild()
    return order
