"""Short stock at the till (docs/till.md): refused with a clear message by default; with
TILL_SHORT_STOCK=allow sold anyway and recorded as an exception, the ledger never below zero,
check_stock exact; a goods receipt books what is owed, a stocktake closes it; the owner's
dashboard lists the open ones."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inventory.checks import stock_problems
from inventory.models import MovementKind, StockMovement
from inventory.services import stocktake_count, stocktake_post, stocktake_start
from inventory.tests.factories import stock_up
from orders.models import Order, StockShortfall
from orders.returns import ReturnItem
from orders.services import OrderItem
from orders.tests.factories import product_in_stock
from till.models import Till
from till.selectors import shift_totals
from till.services import PaymentPart, shift_open, till_return, till_sell

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def shift(cashier):
    return shift_open(till=Till.objects.create(name="Касса 1"), by=cashier, opening_float="1000")


@pytest.fixture
def allow(settings):
    settings.TILL_SHORT_STOCK = "allow"


def _sell(shift, cashier, product, quantity):
    total = (product.price * D(quantity)).quantize(D("0.01"))
    return till_sell(shift=shift, by=cashier, items=[OrderItem(product.pk, D(quantity))],
                     payments=[PaymentPart("cash", total)], expected_total=total,
                     idempotency_key=uuid.uuid4())


def test_short_stock_is_refused_by_default_with_a_clear_message(shift, cashier, seller):
    bread = product_in_stock("1", seller=seller, name="Нан", price=D("200.00"))
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as error:
        _sell(shift, cashier, bread, "3")
    assert "Нан" in error.value.messages[0] and "does not sell beyond" in error.value.messages[0]
    bread.refresh_from_db()
    assert bread.quantity == 1 and not Order.objects.exists()
    assert shift_totals(shift).expected_cash == D("1000")


def test_allowed_short_stock_is_sold_and_recorded_never_below_zero(allow, shift, cashier,
                                                                   seller):
    bread = product_in_stock("1", seller=seller, price=D("200.00"))
    order = _sell(shift, cashier, bread, "3")
    bread.refresh_from_db()
    assert bread.quantity == 0
    line = order.lines.get()
    assert line.quantity == 3 and line.sale_movement.quantity == -1
    shortfall = StockShortfall.objects.get()
    assert shortfall.line == line and shortfall.quantity == 2 and shortfall.covered_at is None
    assert shift_totals(shift).expected_cash == D("1600.00")
    assert list(stock_problems()) == []
    # Nothing on hand at all: no sale movement, the whole line owed.
    _sell(shift, cashier, bread, "2")
    assert StockShortfall.objects.filter(line__sale_movement__isnull=True).get().quantity == 2
    assert list(stock_problems()) == []


def test_a_goods_receipt_books_what_is_owed_oldest_first(allow, shift, cashier, seller):
    bread = product_in_stock("1", seller=seller, price=D("200.00"))
    _sell(shift, cashier, bread, "3")   # owes 2
    _sell(shift, cashier, bread, "1")   # owes 1
    stock_up(bread, "2")
    first, second = StockShortfall.objects.order_by("id")
    assert first.covered == 2 and first.covered_at is not None
    assert second.covered == 0 and second.covered_at is None
    bread.refresh_from_db()
    assert bread.quantity == 0
    assert list(stock_problems()) == []
    stock_up(bread, "5")
    second.refresh_from_db()
    bread.refresh_from_db()
    assert second.covered_at is not None and bread.quantity == 4
    assert StockMovement.objects.filter(product=bread, kind=MovementKind.SALE,
                                        shortfall_cover__isnull=False).count() == 2
    assert list(stock_problems()) == []


def test_a_stocktake_closes_what_is_owed(allow, shift, cashier, seller):
    bread = product_in_stock("1", seller=seller, price=D("200.00"))
    _sell(shift, cashier, bread, "3")
    count = stocktake_start(by=seller)
    stocktake_count(stocktake=count, by=seller, line=count.lines.get(product=bread),
                    counted=D("4"))
    stocktake_post(stocktake=count, by=seller)
    shortfall = StockShortfall.objects.get()
    assert shortfall.covered_at is not None and not shortfall.covers.get().movement_id
    bread.refresh_from_db()
    assert bread.quantity == 4
    assert list(stock_problems()) == []


def test_a_short_line_can_come_back(allow, shift, cashier, seller):
    bread = product_in_stock("1", seller=seller, price=D("200.00"))
    order = _sell(shift, cashier, bread, "3")
    till_return(shift=shift, by=cashier, order=order,
                items=[ReturnItem(order.lines.get().pk, D("2"))], refund="cash",
                idempotency_key=uuid.uuid4())
    bread.refresh_from_db()
    assert bread.quantity == 2
    assert list(stock_problems()) == []


def test_check_stock_knows_the_rule(allow, shift, cashier, seller):
    bread = product_in_stock("1", seller=seller, price=D("200.00"))
    _sell(shift, cashier, bread, "3")
    StockShortfall.objects.update(quantity=1)  # the books no longer explain the sale
    assert len(list(stock_problems())) == 2


def test_the_owners_dashboard_lists_open_exceptions(allow, shift, cashier, seller,
                                                    admin_client):
    bread = product_in_stock("1", seller=seller, name="Нан", price=D("200.00"))
    order = _sell(shift, cashier, bread, "3")
    html = admin_client.get(reverse("analytics:dashboard")).content.decode()
    assert "an-shortfalls" in html and order.number in html
    stock_up(bread, "5")
    html = admin_client.get(reverse("analytics:dashboard")).content.decode()
    assert "an-shortfalls" not in html
