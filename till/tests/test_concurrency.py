"""The till under real concurrency (PostgreSQL, real threads, one connection each): the till and
an online checkout racing for the last unit, two tills selling the same product, a return racing
a sale. After each race the ledger (check_stock) and every drawer are exact.

Run with DATABASE_URL=postgres://… (skipped on SQLite, which has no row locks)."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from inventory.checks import stock_problems
from orders.models import Order, OrderReturn
from orders.returns import ReturnItem
from orders.services import OrderItem, order_place
from orders.tests.factories import fund, product_in_stock
from orders.tests.test_concurrency import run_at_once
from till.models import Till, TillPayment
from till.selectors import shift_totals
from till.services import PaymentPart, shift_open, till_return, till_sell

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def _shift(name, float_="1000"):
    cashier = UserFactory(role="cashier", username=f"cashier_{name}")
    return shift_open(till=Till.objects.create(name=name), by=cashier, opening_float=float_), \
        cashier


def _cash_sale(shift, cashier, product, quantity, total):
    return lambda: till_sell(shift=shift, by=cashier,
                             items=[OrderItem(product.pk, D(quantity))],
                             payments=[PaymentPart("cash", D(total))], expected_total=D(total),
                             idempotency_key=uuid.uuid4())


def _drawer_exact(shift):
    """Expected cash = float + cash sales − cash refunds ± cash in/out, from the rows."""
    totals = shift_totals(shift)
    cash = TillPayment.objects.filter(shift=shift, method="cash")
    taken = sum((p.amount for p in cash if p.order_return_id is None), D("0"))
    back = -sum((p.amount for p in cash if p.order_return_id is not None), D("0"))
    return totals.expected_cash == shift.opening_float + taken - back


def test_the_till_and_an_online_checkout_race_for_the_last_unit():
    product = product_in_stock("1", price=D("500.00"))
    shift, cashier = _shift("Касса 1")
    shopper = UserFactory(role="shopper", username="online_racer")
    fund(shopper, "1000")
    online = lambda: order_place(user=shopper, items=[OrderItem(product.pk, D("1"))],  # noqa: E731
                                 payment="wallet", idempotency_key=uuid.uuid4(),
                                 phone="+77011234567")
    results = run_at_once([_cash_sale(shift, cashier, product, "1", "500.00"), online] * 3)
    won = [r for r in results if isinstance(r, Order)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 5, results
    product.refresh_from_db()
    assert product.quantity == 0
    assert Order.objects.count() == 1
    assert list(stock_problems()) == []
    assert _drawer_exact(shift)
    assert shift_totals(shift).sales_count == (1 if won[0].is_counter else 0)


def test_two_tills_sell_the_same_product():
    product = product_in_stock("5", price=D("300.00"))
    first, first_cashier = _shift("Касса 1")
    second, second_cashier = _shift("Касса 2")
    sales = [_cash_sale(first, first_cashier, product, "1", "300.00"),
             _cash_sale(second, second_cashier, product, "1", "300.00")] * 4
    results = run_at_once(sales)
    won = [r for r in results if isinstance(r, Order)]
    assert len(won) == 5, results
    assert all(isinstance(r, (Order, ValidationError)) for r in results), results
    product.refresh_from_db()
    assert product.quantity == 0
    assert list(stock_problems()) == []
    counted = shift_totals(first).sales_count + shift_totals(second).sales_count
    assert counted == 5
    for shift in (first, second):
        assert _drawer_exact(shift)
        assert shift_totals(shift).expected_cash == D("1000") + D("300") * shift_totals(
            shift).sales_count


def test_a_return_races_a_sale_of_what_it_brings_back():
    product = product_in_stock("3", price=D("200.00"))
    shift, cashier = _shift("Касса 1")
    sold = _cash_sale(shift, cashier, product, "3", "600.00")()
    line = sold.lines.get()

    def give_back():
        return till_return(shift=shift, by=cashier, order=sold,
                           items=[ReturnItem(line.pk, D("2"))], refund="cash",
                           idempotency_key=uuid.uuid4())

    # The shelf is empty by the books: the sales of 1 succeed only after the return.
    results = run_at_once([give_back, give_back, _cash_sale(shift, cashier, product, "1",
                                                            "200.00"),
                           _cash_sale(shift, cashier, product, "1", "200.00")])
    assert all(isinstance(r, (Order, OrderReturn, ValidationError)) for r in results), results
    returns = [r for r in results if isinstance(r, OrderReturn)]
    sales = [r for r in results if isinstance(r, Order)]
    assert len(returns) == 1  # only 3 were sold: the second return of 2 is refused
    assert OrderReturn.objects.count() == 1
    product.refresh_from_db()
    assert product.quantity == D("2") - len(sales)
    assert list(stock_problems()) == []
    totals = shift_totals(shift)
    assert totals.expected_cash == D("1000") + D("600") - D("400") + D("200") * len(sales)
    assert _drawer_exact(shift)


def test_two_tills_sell_short_at_once_and_the_books_stay_exact(settings):
    settings.TILL_SHORT_STOCK = "allow"
    from orders.models import StockShortfall

    product = product_in_stock("3", price=D("100.00"))
    first, first_cashier = _shift("Касса 1")
    second, second_cashier = _shift("Касса 2")
    results = run_at_once([_cash_sale(first, first_cashier, product, "2", "200.00"),
                           _cash_sale(second, second_cashier, product, "2", "200.00")] * 2)
    assert all(isinstance(r, Order) for r in results), results
    product.refresh_from_db()
    assert product.quantity == 0  # never below zero: 8 sold, 3 booked, 5 owed
    assert sum(s.quantity for s in StockShortfall.objects.all()) == D("5")
    assert list(stock_problems()) == []
