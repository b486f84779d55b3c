"""The counter in the figures: revenue, returns and net by channel (online / in store) and by
payment type (a split counter sale under each of its parts), on the dashboard; a fixed number of
queries whatever the number of orders."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.channels import by_channel, by_payment
from analytics.periods import Period
from orders.returns import ReturnItem, order_return
from orders.services import OrderItem, order_place
from orders.tests.factories import fund, product_in_stock
from till.models import Till
from till.services import PaymentPart, shift_open, till_return, till_sell

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def today():
    from django.utils import timezone

    day = timezone.localdate()
    return Period(day - datetime.timedelta(days=1), day)


@pytest.fixture
def sales(seller, other_seller, cashier, shopper, admin_user):
    milk = product_in_stock("50", seller=seller, price=D("450.00"))
    cheese = product_in_stock("50", seller=other_seller, price=D("1000.00"))
    shift = shift_open(till=Till.objects.create(name="Касса 1"), by=cashier, opening_float="5000")
    split = till_sell(shift=shift, by=cashier,
                      items=[OrderItem(milk.pk, D("2")), OrderItem(cheese.pk, D("1"))],
                      payments=[PaymentPart("card", D("1000.00")), PaymentPart("cash", D("0"))],
                      expected_total=D("1900.00"), idempotency_key=uuid.uuid4())
    till_sell(shift=shift, by=cashier, items=[OrderItem(milk.pk, D("1"))],
              payments=[PaymentPart("kaspi", D("450.00"))], expected_total=D("450.00"),
              idempotency_key=uuid.uuid4())
    fund(shopper, "10000")
    online = order_place(user=shopper, items=[OrderItem(cheese.pk, D("3"))], payment="wallet",
                         idempotency_key=uuid.uuid4(), phone="+77011234567")
    from orders.services import order_status_set
    for status in ("confirmed", "ready", "completed"):
        order_status_set(order=online, status=status, by=admin_user)
    till_return(shift=shift, by=cashier, order=split,
                items=[ReturnItem(split.lines.get(product=milk).pk, D("1"))], refund="cash",
                idempotency_key=uuid.uuid4())
    order_return(order=online, items=[ReturnItem(online.lines.get().pk, D("1"))],
                 by=admin_user, refund="wallet", idempotency_key=uuid.uuid4())
    return milk, cheese


def test_revenue_returns_and_net_by_channel(sales, admin_user, today):
    rows = {row["key"]: row for row in by_channel(admin_user, today)}
    assert rows["counter"]["revenue"] == D("2350.00") and rows["counter"]["count"] == 2
    assert rows["counter"]["returns"] == D("450.00") and rows["counter"]["net"] == D("1900.00")
    assert rows["online"]["revenue"] == D("3000.00") and rows["online"]["returns"] == D("1000.00")
    assert rows["online"]["net"] == D("2000.00")


def test_a_seller_sees_own_lines_by_channel(sales, seller, today):
    rows = {row["key"]: row for row in by_channel(seller, today)}
    assert rows["counter"]["revenue"] == D("1350.00") and rows["counter"]["returns"] == D("450")
    assert rows["online"]["revenue"] == D("0")


def test_a_split_sale_counts_under_each_way_it_was_paid(sales, today):
    rows = {row["key"]: row for row in by_payment(today)}
    assert rows["card"]["revenue"] == D("1000.00")
    assert rows["cash"]["revenue"] == D("900.00") and rows["cash"]["returns"] == D("450.00")
    assert rows["kaspi"]["revenue"] == D("450.00")
    assert rows["wallet"]["revenue"] == D("3000.00") and rows["wallet"]["returns"] == D("1000")
    assert sum(r["revenue"] for r in rows.values()) == D("5350.00")


def test_the_dashboard_shows_channels_and_payments(sales, admin_client):
    html = admin_client.get(reverse("analytics:dashboard")).content.decode()
    assert "an-channel-counter" in html and "an-payment-kaspi" in html
    assert "1\xa0900,00\xa0₸" in html  # the counter's net


def test_channel_figures_take_fixed_queries(sales, admin_user, today, cashier):
    with CaptureQueriesContext(connection) as first:
        by_channel(admin_user, today), by_payment(today)
    shift = shift_open(till=Till.objects.create(name="Касса 2"), by=admin_user,
                       opening_float="0")
    milk = sales[0]
    for _ in range(5):
        till_sell(shift=shift, by=admin_user, items=[OrderItem(milk.pk, D("1"))],
                  payments=[PaymentPart("cash", D("450.00"))], expected_total=D("450.00"),
                  idempotency_key=uuid.uuid4())
    with CaptureQueriesContext(connection) as second:
        by_channel(admin_user, today), by_payment(today)
    assert len(first) == len(second) <= 6


def test_the_sales_report_has_channels_and_payments(sales, admin_user, today):
    import io

    from openpyxl import load_workbook

    from analytics.reports import sales_report
    from analytics.xlsx import sales_workbook

    from django.utils import translation

    with translation.override("en"):
        report = sales_report(admin_user, today)
        book = load_workbook(io.BytesIO(sales_workbook(report)))
    channels = [row for row in book["By channel"].iter_rows(values_only=True)]
    payments = [row for row in book["By payment type"].iter_rows(values_only=True)]
    assert channels[-1][2:] == (5350.0, 1450.0, 3900.0)   # the total: revenue, returns, net
    assert sum(row[2] for row in payments[1:-1]) == 5350.0
