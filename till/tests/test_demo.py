"""The till's demo: the cashier's closed shifts with sales through the real services, the books
clean after it (check_stock), and a second run adds nothing."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Role, User
from inventory.checks import stock_problems
from orders.models import Order
from till.models import Shift, TillPayment, TillSale
from till.selectors import shift_totals

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_closed_shifts_with_sales_and_keeps_the_books():
    out = io.StringIO()
    call_command("seed_demo", "--products", "30", stdout=out)
    cashier = User.objects.get(username="cashier1")
    assert cashier.role == Role.CASHIER and cashier.check_password("bibarys-demo")
    assert "cashier1" in out.getvalue()
    shifts = list(Shift.objects.filter(cashier=cashier))
    assert len(shifts) >= 3 and all(shift.closed_at for shift in shifts)
    assert TillSale.objects.count() >= 3 * 6
    assert Order.objects.filter(channel=Order.Channel.COUNTER).count() == TillSale.objects.count()
    methods = set(TillPayment.objects.values_list("method", flat=True))
    assert methods == {"cash", "card", "kaspi"}
    assert Order.objects.filter(channel=Order.Channel.COUNTER,
                                payment=Order.Payment.SPLIT).exists()
    assert TillPayment.objects.filter(order_return__isnull=False).exists()
    for shift in shifts:
        # Each Z report's recorded figures are the shift's own, after the timestamps moved.
        assert shift.expected_cash == shift_totals(shift).expected_cash
        assert shift.variance == shift.counted_cash - shift.expected_cash
        assert shift.opened_at < shift.closed_at
    assert sorted(shift.variance for shift in shifts)[0] == Decimal("-150.00")
    assert list(stock_problems()) == []
    # Weighed goods have PLUs: the label scale's list and the till's quick picks.
    from catalog.models import Product

    weighed = Product.objects.filter(plu__isnull=False)
    assert weighed.exists() and set(weighed.values_list("unit", flat=True)) == {"kg"}

    counts = (Shift.objects.count(), Order.objects.count(), TillPayment.objects.count())
    call_command("seed_demo", "--products", "30", stdout=io.StringIO())
    assert (Shift.objects.count(), Order.objects.count(), TillPayment.objects.count()) == counts
    assert list(stock_problems()) == []
