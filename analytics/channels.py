"""Sales by channel (online / in store) and by payment type, and the returns against them
(DOMAIN.md, the till: the dashboard and the reports count the counter).

Revenue is what the other figures call revenue (selectors.py: lines of orders not cancelled,
placed in the period); returns are the money given back by the returns taken in the period
(orders.OrderReturn, at the price each line was sold); net = revenue − returns. A counter sale
paid in parts counts each part under its way of paying (till.TillPayment); an online order
under its own payment (wallet, or cash on pickup). A seller sees their own lines by channel;
payment types are store-wide (a split payment is not divided among the sellers of its lines).

Fixed queries whatever the number of orders: four for the store, two for a seller."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from orders.models import Order, OrderLine, OrderReturn, OrderReturnLine
from till.models import TillPayment

from .periods import Period
from .selectors import MONEY, SALE_STATUSES, is_store_wide

ZERO = Decimal("0.00")


def _row(key, label, revenue=ZERO, returned=ZERO, count=0, returns_count=0) -> dict:
    return {"key": key, "label": label, "revenue": revenue or ZERO, "returns": returned or ZERO,
            "net": (revenue or ZERO) - (returned or ZERO), "count": count or 0,
            "returns_count": returns_count or 0}


def _total(rows: list[dict], label) -> dict:
    return _row("total", label, sum((r["revenue"] for r in rows), ZERO),
                sum((r["returns"] for r in rows), ZERO), sum(r["count"] for r in rows),
                sum(r["returns_count"] for r in rows))


def by_channel(viewer, period: Period) -> list[dict]:
    """One row per channel: revenue, returns, net, how many sales and returns."""
    lines = OrderLine.objects.filter(order__status__in=SALE_STATUSES,
                                     order__created_at__gte=period.start,
                                     order__created_at__lt=period.end)
    returned = OrderReturnLine.objects.filter(order_return__created_at__gte=period.start,
                                              order_return__created_at__lt=period.end)
    if not is_store_wide(viewer):
        lines, returned = lines.filter(seller=viewer), returned.filter(line__seller=viewer)
    sold = {row["order__channel"]: row for row in lines.values("order__channel").annotate(
        revenue=Sum("line_total", output_field=MONEY), count=Count("order", distinct=True))
        .order_by()}
    back = {row["line__order__channel"]: row for row in returned.values("line__order__channel")
            .annotate(amount=Sum("amount", output_field=MONEY),
                      count=Count("order_return", distinct=True)).order_by()}
    return [_row(channel.value, channel.label, sold.get(channel.value, {}).get("revenue"),
                 back.get(channel.value, {}).get("amount"),
                 sold.get(channel.value, {}).get("count"),
                 back.get(channel.value, {}).get("count"))
            for channel in Order.Channel]


def by_payment(period: Period) -> list[dict]:
    """Store-wide, one row per way of paying that was used: taken, given back, net."""
    orders = Order.objects.filter(status__in=SALE_STATUSES, created_at__gte=period.start,
                                  created_at__lt=period.end)
    taken: dict[str, list] = {}
    for row in (orders.exclude(payment=Order.Payment.SPLIT).values("payment")
                .annotate(revenue=Sum("total", output_field=MONEY), count=Count("id"))
                .order_by()):
        taken[row["payment"]] = [row["revenue"] or ZERO, row["count"]]
    for row in (TillPayment.objects.filter(order__in=orders.filter(payment=Order.Payment.SPLIT),
                                           order_return__isnull=True)
                .values("method").annotate(revenue=Sum("amount", output_field=MONEY),
                                           count=Count("order", distinct=True)).order_by()):
        entry = taken.setdefault(row["method"], [ZERO, 0])
        entry[0] += row["revenue"] or ZERO
        entry[1] += row["count"]
    back = {row["refund"]: row for row in OrderReturn.objects.filter(
        created_at__gte=period.start, created_at__lt=period.end).values("refund")
        .annotate(amount=Sum("total", output_field=MONEY), count=Count("id")).order_by()}
    labels = {**dict(Order.Payment.choices), **dict(OrderReturn.Refund.choices)}
    keys = [key for key in labels if key != Order.Payment.SPLIT
            and (key in taken or key in back)]
    return [_row(key, labels[key], taken.get(key, [ZERO, 0])[0],
                 back.get(key, {}).get("amount"), taken.get(key, [ZERO, 0])[1],
                 back.get(key, {}).get("count")) for key in keys]


def channel_context(viewer, period: Period) -> dict:
    """The dashboard's and the reports' table of channels (and payment types, store-wide)."""
    channels = by_channel(viewer, period)
    context = {"channels": channels, "channels_total": _total(channels, _("Total"))}
    if is_store_wide(viewer):
        payments = by_payment(period)
        context.update(payments=payments, payments_total=_total(payments, _("Total")))
    return context
