"""Reads of orders that are more than one line: the lists of the shopper, the admin and the
seller, each with a fixed number of queries whatever the number of rows."""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Order, OrderLine


def orders_of(user) -> QuerySet:
    """A shopper's own orders, newest first, with how many lines each has."""
    return (Order.objects.filter(user=user).annotate(line_count=Count("lines"))
            .order_by("-created_at", "-id"))


def just_placed(user, *, minutes: int = 30) -> Order | None:
    """The shopper's order placed in the last `minutes`, if any: a checkout left open in a
    second tab finds its cart empty because of it."""
    since = timezone.now() - datetime.timedelta(minutes=minutes)
    return Order.objects.filter(user=user, created_at__gte=since).order_by("-id").first()


def order_for_page(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("user")


def order_lines(order: Order) -> QuerySet:
    return order.lines.select_related("product").order_by("id")


def order_history(order: Order) -> QuerySet:
    return order.history.select_related("by").order_by("created_at", "id")


def _day_start(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def orders_for_manage(*, status: str = "", date_from=None, date_to=None, shopper: str = "",
                      number: int | None = None) -> QuerySet:
    """All orders for the admin, filtered by status, the day they were placed (inclusive),
    the shopper (login or name) and the number."""
    queryset = Order.objects.select_related("user").annotate(line_count=Count("lines"))
    if status:
        queryset = queryset.filter(status=status)
    if date_from:
        queryset = queryset.filter(created_at__gte=_day_start(date_from))
    if date_to:
        queryset = queryset.filter(created_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    if shopper:
        for word in shopper.split()[:3]:
            queryset = queryset.filter(Q(user__username__icontains=word)
                                       | Q(user__first_name__icontains=word)
                                       | Q(user__last_name__icontains=word)
                                       | Q(phone__icontains=word))
    if number:
        queryset = queryset.filter(pk=number)
    return queryset.order_by("-created_at", "-id")


def seller_lines(user, *, status: str = "") -> QuerySet:
    """The order lines of a seller's own products (an admin sees every line). Only what
    fulfilment needs: the order's number, status, delivery type and date, never the shopper's
    wallet or the other lines of the order."""
    queryset = OrderLine.objects.all()
    if not getattr(user, "is_admin", False):
        queryset = queryset.filter(seller=user)
    if status:
        queryset = queryset.filter(order__status=status)
    return (queryset.select_related("order", "product")
            .only("id", "product_id", "product__slug", "product__name", "product__name_ru",
                  "product__name_en", "product_name", "unit",
                  "quantity", "price", "line_total", "seller_id", "order__id",
                  "order__status", "order__delivery", "order__created_at")
            .order_by("-order__created_at", "-order_id", "id"))


def order_returns(order: Order) -> QuerySet:
    """The returns of `order`, oldest first, with their lines and the lines' products (the
    name in the reader's language): three queries."""
    return (order.returns.select_related("by")
            .prefetch_related("lines__line__product").order_by("created_at", "id"))
