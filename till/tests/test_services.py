"""The till's services against the real ledger: sales move stock and keep price and cost, the
drawer's expected cash follows every sale, refund and cash movement, returns never exceed what
was sold, and a replayed sale or return is recorded once."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from inventory.checks import stock_problems
from inventory.models import MovementKind
from orders.models import Order, OrderReturn, OrderStatus
from orders.returns import ReturnItem, order_return
from orders.services import OrderItem, order_place
from orders.tests.factories import fund, product_in_stock
from till.models import Shift, Till, TillPayment
from till.selectors import shift_totals
from till.services import (PaymentPart, shift_cash, shift_close, shift_open, till_return,
                           till_sell)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def till():
    return Till.objects.create(name="Касса 1")


@pytest.fixture
def shift(till, cashier):
    return shift_open(till=till, by=cashier, opening_float="5000")


@pytest.fixture
def milk(seller):
    return product_in_stock("10", seller=seller, price=D("450.00"), cost_price=D("300.00"))


@pytest.fixture
def apples(seller):
    return product_in_stock("20", seller=seller, price=D("899.00"), cost_price=D("600.00"),
                            unit="kg")


def _sell(shift, cashier, items, payments, total, tendered=None, key=None):
    return till_sell(shift=shift, by=cashier, items=[OrderItem(p.pk, D(q)) for p, q in items],
                     payments=[PaymentPart(m, D(a)) for m, a in payments], expected_total=D(total),
                     idempotency_key=key or uuid.uuid4(), tendered=tendered)


def test_a_cash_sale_moves_stock_keeps_prices_and_fills_the_drawer(shift, cashier, milk, apples):
    order = _sell(shift, cashier, [(milk, "2"), (apples, "0.5")], [("cash", "0")],
                  "1349.50", tendered="2000")
    assert order.channel == Order.Channel.COUNTER and order.user is None
    assert order.status == OrderStatus.COMPLETED and order.is_paid
    milk.refresh_from_db()
    apples.refresh_from_db()
    assert order.total == D("1349.50")
    lines = {line.product_id: line for line in order.lines.all()}
    assert lines[milk.pk].cost_price == milk.cost_price and lines[milk.pk].price == D("450.00")
    assert order.cost_total == (2 * milk.cost_price + apples.cost_price / 2).quantize(D("0.01"))
    assert milk.quantity == D("8") and apples.quantity == D("19.5")
    assert order.till_sale.tendered == D("2000") and order.till_sale.change == D("650.50")
    totals = shift_totals(shift)
    assert totals.sales == {"cash": D("1349.50")}
    assert totals.expected_cash == D("6349.50")
    assert list(stock_problems()) == []


def test_a_split_sale_records_each_method_and_only_cash_reaches_the_drawer(shift, cashier, milk):
    order = _sell(shift, cashier, [(milk, "4")], [("card", "1000"), ("kaspi", "500"),
                                                  ("cash", "300")], "1800.00", tendered="500")
    assert order.payment == Order.Payment.SPLIT
    assert dict(TillPayment.objects.filter(order=order).values_list("method", "amount")) == {
        "card": D("1000.00"), "kaspi": D("500.00"), "cash": D("300.00")}
    assert order.till_sale.change == D("200.00")
    assert shift_totals(shift).expected_cash == D("5300.00")


def test_a_sale_short_of_cash_or_over_paid_by_card_is_refused_and_writes_nothing(
        shift, cashier, milk):
    with pytest.raises(ValidationError):
        _sell(shift, cashier, [(milk, "1")], [("cash", "0")], "450.00", tendered="400")
    with pytest.raises(ValidationError):
        _sell(shift, cashier, [(milk, "1")], [("card", "500")], "450.00")
    milk.refresh_from_db()
    assert milk.quantity == D("10") and not Order.objects.exists()


def test_a_price_changed_since_the_till_showed_it_sells_nothing(shift, cashier, milk):
    with pytest.raises(ValidationError):
        _sell(shift, cashier, [(milk, "1")], [("cash", "0")], "400.00")
    assert not Order.objects.exists()


def test_a_replayed_pay_returns_the_same_sale(shift, cashier, milk):
    key = uuid.uuid4()
    first = _sell(shift, cashier, [(milk, "1")], [("card", "450")], "450.00", key=key)
    again = _sell(shift, cashier, [(milk, "1")], [("card", "450")], "450.00", key=key)
    assert first.pk == again.pk
    assert Order.objects.count() == 1 and TillPayment.objects.count() == 1
    milk.refresh_from_db()
    assert milk.quantity == D("9")


def test_a_counter_sale_short_of_stock_is_refused(shift, cashier, milk):
    with pytest.raises(ValidationError):
        _sell(shift, cashier, [(milk, "11")], [("cash", "0")], "4950.00")


def test_one_open_shift_per_till_and_per_cashier(till, cashier, seller, shift):
    with pytest.raises(ValidationError):
        shift_open(till=till, by=seller, opening_float="0")
    other = Till.objects.create(name="Касса 2")
    with pytest.raises(ValidationError):
        shift_open(till=other, by=cashier, opening_float="0")


def test_a_shopper_cannot_open_a_shift(till, shopper):
    with pytest.raises(PermissionDenied):
        shift_open(till=till, by=shopper, opening_float="0")


def test_cash_in_and_out_and_closing_records_the_variance(shift, cashier, milk):
    _sell(shift, cashier, [(milk, "2")], [("cash", "0")], "900.00", tendered="1000")
    shift_cash(shift=shift, by=cashier, kind="in", amount="2000", reason="Майда ақша")
    shift_cash(shift=shift, by=cashier, kind="out", amount="1500", reason="Иесіне берілді")
    with pytest.raises(ValidationError):
        shift_cash(shift=shift, by=cashier, kind="out", amount="100000", reason="тым көп")
    with pytest.raises(ValidationError):
        shift_cash(shift=shift, by=cashier, kind="in", amount="10", reason=" ")
    assert shift_totals(shift).expected_cash == D("6400.00")
    closed = shift_close(shift=shift, by=cashier, denominations={"5000": 1, "1000": 1, "200": 2})
    assert closed.counted_cash == D("6400.00") and closed.variance == D("0.00")
    again = shift_close(shift=shift, by=cashier, counted_cash="1")
    assert again.variance == D("0.00")  # closing twice closes once
    with pytest.raises(ValidationError):
        _sell(shift, cashier, [(milk, "1")], [("cash", "0")], "450.00")


def test_a_short_drawer_at_close_is_a_negative_variance(shift, cashier):
    closed = shift_close(shift=shift, by=cashier, counted_cash="4800")
    assert closed.expected_cash == D("5000.00") and closed.variance == D("-200.00")
    assert not Shift.objects.filter(closed_at__isnull=True).exists()


def test_a_partial_return_gives_back_the_stock_and_the_cash(shift, cashier, milk, apples):
    order = _sell(shift, cashier, [(milk, "3"), (apples, "1.250")], [("cash", "0")],
                  "2473.75", tendered="2500")
    milk_line = order.lines.get(product=milk)
    apple_line = order.lines.get(product=apples)
    returned = till_return(shift=shift, by=cashier, order=order,
                           items=[ReturnItem(milk_line.pk, D("1")),
                                  ReturnItem(apple_line.pk, D("0.250"), spoiled=True)],
                           refund="cash", idempotency_key=uuid.uuid4())
    assert returned.total == D("674.75")  # 450 + 0.25 × 899 = 224.75
    milk.refresh_from_db()
    apples.refresh_from_db()
    assert milk.quantity == D("8")
    assert apples.quantity == D("18.75")  # back to stock and written off at once
    assert returned.lines.get(line=apple_line).writeoff_movement.kind == MovementKind.WRITE_OFF
    totals = shift_totals(shift)
    assert totals.refunds == {"cash": D("674.75")}
    assert totals.expected_cash == D("5000.00") + D("2473.75") - D("674.75")
    assert list(stock_problems()) == []


def test_a_return_never_exceeds_what_was_sold_and_not_yet_returned(shift, cashier, milk):
    order = _sell(shift, cashier, [(milk, "2")], [("cash", "0")], "900.00")
    line = order.lines.get()
    till_return(shift=shift, by=cashier, order=order, items=[ReturnItem(line.pk, D("1"))],
                refund="cash", idempotency_key=uuid.uuid4())
    with pytest.raises(ValidationError):
        till_return(shift=shift, by=cashier, order=order, items=[ReturnItem(line.pk, D("2"))],
                    refund="cash", idempotency_key=uuid.uuid4())
    last = till_return(shift=shift, by=cashier, order=order, items=[ReturnItem(line.pk, D("1"))],
                       refund="cash", idempotency_key=uuid.uuid4())
    assert last.total == D("450.00")
    milk.refresh_from_db()
    assert milk.quantity == D("10")
    assert list(stock_problems()) == []


def test_a_line_returned_in_parts_refunds_exactly_its_sum(shift, cashier, apples):
    order = _sell(shift, cashier, [(apples, "0.333")], [("cash", "0")], "299.37")
    line = order.lines.get()
    parts = [till_return(shift=shift, by=cashier, order=order,
                         items=[ReturnItem(line.pk, D(q))], refund="cash",
                         idempotency_key=uuid.uuid4()).total for q in ("0.111", "0.111", "0.111")]
    assert sum(parts) == line.line_total == D("299.37")


def test_a_card_sale_is_refunded_by_card_only(shift, cashier, milk):
    order = _sell(shift, cashier, [(milk, "1")], [("card", "450")], "450.00")
    line = order.lines.get()
    with pytest.raises(ValidationError):
        till_return(shift=shift, by=cashier, order=order, items=[ReturnItem(line.pk, D("1"))],
                    refund="cash", idempotency_key=uuid.uuid4())
    till_return(shift=shift, by=cashier, order=order, items=[ReturnItem(line.pk, D("1"))],
                refund="card", idempotency_key=uuid.uuid4())
    totals = shift_totals(shift)
    assert totals.refunds == {"card": D("450.00")} and totals.expected_cash == D("5000.00")


def test_a_replayed_return_is_recorded_once(shift, cashier, milk):
    order = _sell(shift, cashier, [(milk, "2")], [("cash", "0")], "900.00")
    line = order.lines.get()
    key = uuid.uuid4()
    for _ in range(2):
        till_return(shift=shift, by=cashier, order=order, items=[ReturnItem(line.pk, D("1"))],
                    refund="cash", idempotency_key=key)
    assert OrderReturn.objects.count() == 1
    assert TillPayment.objects.filter(order_return__isnull=False).count() == 1
    milk.refresh_from_db()
    assert milk.quantity == D("9")


def test_a_completed_wallet_order_is_partly_returned_to_the_wallet(shopper, cashier, milk):
    wallet = fund(shopper, "5000")
    order = order_place(user=shopper, items=[OrderItem(milk.pk, D("2"))], payment="wallet",
                        idempotency_key=uuid.uuid4())
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.COMPLETED)
    line = order.lines.get()
    order_return(order=order, items=[ReturnItem(line.pk, D("1"))], by=cashier, refund="wallet",
                 idempotency_key=uuid.uuid4())
    wallet.refresh_from_db()
    assert wallet.balance == D("5000") - D("900") + D("450")
    assert list(stock_problems()) == []


def test_an_order_not_completed_cannot_be_returned(shopper, cashier, milk):
    fund(shopper, "5000")
    order = order_place(user=shopper, items=[OrderItem(milk.pk, D("1"))], payment="wallet",
                        idempotency_key=uuid.uuid4())
    with pytest.raises(ValidationError):
        order_return(order=order, items=[ReturnItem(order.lines.get().pk, D("1"))], by=cashier,
                     refund="wallet", idempotency_key=uuid.uuid4())


def test_online_checkout_cannot_choose_a_counter_payment(shopper, milk):
    fund(shopper, "5000")
    with pytest.raises(ValidationError):
        order_place(user=shopper, items=[OrderItem(milk.pk, D("1"))], payment="card",
                    idempotency_key=uuid.uuid4())


def test_cash_is_rounded_to_the_stores_step_and_the_drawer_counts_the_difference(
        settings, shift, cashier, apples):
    settings.TILL_CASH_ROUNDING = "1"  # no tiyn handed out
    order = _sell(shift, cashier, [(apples, "1.2")], [("cash", "0")], "1078.80", tendered="1100")
    assert order.total == D("1078.80")  # the sale keeps its exact sum
    sale = order.till_sale
    assert sale.rounding == D("0.20") and sale.change == D("21.00")  # 1 079 taken
    assert TillPayment.objects.get(order=order).amount == D("1078.80")
    totals = shift_totals(shift)
    assert totals.rounding == D("0.20")
    assert totals.expected_cash == D("5000.00") + D("1079.00")
    # A customer short of the rounded sum is refused, nothing sold.
    with pytest.raises(ValidationError):
        _sell(shift, cashier, [(apples, "1.2")], [("cash", "0")], "1078.80", tendered="1078.80")


def test_card_and_kaspi_are_never_rounded(settings, shift, cashier, apples):
    settings.TILL_CASH_ROUNDING = "5"
    order = _sell(shift, cashier, [(apples, "1.2")], [("card", "1078.80")], "1078.80")
    assert order.till_sale.rounding == D("0.00")
    assert shift_totals(shift).expected_cash == D("5000.00")
