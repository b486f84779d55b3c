import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from accounts.models import WalletEntry
from accounts.services import InsufficientFunds, wallet_for
from catalog.models import Product
from inventory.checks import stock_problems
from inventory.models import MovementKind, StockMovement
from orders.cart import saved_cart
from orders.models import CartLine, Order, OrderLine, OrderStatus, OrderStatusChange
from orders.services import OrderItem, OrderProblems, order_cancel, order_place, order_status_set

from .factories import fund, product_in_stock

pytestmark = pytest.mark.django_db


def fill_cart(user, *pairs):
    cart = saved_cart(user)
    for product, quantity in pairs:
        CartLine.objects.create(cart=cart, product=product, quantity=Decimal(quantity))
    return cart


def place(user, cart, payment="wallet", key=None, **kw):
    return order_place(user=user, cart=cart, payment=payment,
                       idempotency_key=key or uuid.uuid4(), phone="+77011234567", **kw)


def ledger_ok(user):
    wallet = wallet_for(user)
    return wallet.balance == (wallet.entries.aggregate(s=Sum("amount"))["s"] or 0)


def test_order_place_sells_pays_copies_prices_and_empties_the_cart(shopper):
    milk = product_in_stock("10", name="Milk 3.2% 1 L", price=Decimal("450.00"))
    bread = product_in_stock("5", name="Bread", price=Decimal("180.50"))
    Product.objects.filter(pk=milk.pk).update(cost_price=Decimal("300.00"))
    fund(shopper, "5000")
    order = place(shopper, fill_cart(shopper, (milk, "3"), (bread, "2")))

    assert order.status == OrderStatus.NEW and order.is_paid
    assert order.total == Decimal("1711.00")
    assert order.cost_total == Decimal("1100.00")
    lines = {line.product_id: line for line in order.lines.all()}
    assert lines[milk.pk].price == Decimal("450.00") and lines[milk.pk].cost_price == Decimal("300.00")
    assert lines[milk.pk].product_name == "Milk 3.2% 1 L" and lines[milk.pk].seller_id == milk.seller_id
    assert lines[milk.pk].sale_movement.kind == MovementKind.SALE
    assert lines[milk.pk].sale_movement.quantity == Decimal("-3")
    milk.refresh_from_db(), bread.refresh_from_db()
    assert milk.quantity == Decimal("7") and bread.quantity == Decimal("3")
    wallet = wallet_for(shopper)
    assert wallet.balance == Decimal("3289.00") and ledger_ok(shopper)
    assert wallet.entries.filter(kind=WalletEntry.Kind.PAYMENT, reference=f"order:{order.pk}").count() == 1
    assert not CartLine.objects.exists()
    assert order.history.get().to_status == OrderStatus.NEW
    assert list(stock_problems()) == []


def test_every_shortfall_is_reported_at_once_and_nothing_is_written(shopper):
    milk = product_in_stock("2", name="Milk 3.2% 1 L")
    bread = product_in_stock("1", name="Bread")
    gone = product_in_stock("5", name="Kefir")
    Product.objects.filter(pk=gone.pk).update(is_active=False)
    fund(shopper, "100000")
    cart = fill_cart(shopper, (milk, "3"), (bread, "4"), (gone, "1"))
    with pytest.raises(OrderProblems) as info:
        place(shopper, cart)
    text = " | ".join(info.value.messages)
    assert "Milk 3.2% 1 L" in text and "Bread" in text and "Kefir" in text
    assert "2" in text
    assert not Order.objects.exists() and not OrderLine.objects.exists()
    assert not StockMovement.objects.filter(kind=MovementKind.SALE).exists()
    assert CartLine.objects.count() == 3
    assert wallet_for(shopper).balance == Decimal("100000")


def test_short_money_rolls_everything_back(shopper):
    milk = product_in_stock("10", price=Decimal("500"))
    fund(shopper, "999.99")
    with pytest.raises(InsufficientFunds):
        place(shopper, fill_cart(shopper, (milk, "2")))
    milk.refresh_from_db()
    assert milk.quantity == Decimal("10")
    assert not Order.objects.exists()
    assert not StockMovement.objects.filter(kind=MovementKind.SALE).exists()
    assert wallet_for(shopper).balance == Decimal("999.99") and ledger_ok(shopper)


def test_empty_cart_is_refused(shopper):
    with pytest.raises(ValidationError):
        place(shopper, saved_cart(shopper))
    assert not Order.objects.exists()


def test_the_same_key_places_one_order(shopper):
    milk = product_in_stock("10")
    fund(shopper)
    key = uuid.uuid4()
    first = place(shopper, fill_cart(shopper, (milk, "1")), key=key)
    fill_cart(shopper, (milk, "1"))  # the shopper fills the cart again and replays the form
    second = place(shopper, saved_cart(shopper), key=key)
    assert first.pk == second.pk
    assert Order.objects.count() == 1
    assert wallet_for(shopper).entries.filter(kind=WalletEntry.Kind.PAYMENT).count() == 1


def test_someone_elses_key_is_refused(shopper, other_shopper):
    milk = product_in_stock("10")
    fund(shopper), fund(other_shopper)
    key = uuid.uuid4()
    place(shopper, fill_cart(shopper, (milk, "1")), key=key)
    with pytest.raises(ValidationError):
        place(other_shopper, fill_cart(other_shopper, (milk, "1")), key=key)


def test_cash_order_is_unpaid_until_completed(shopper, admin_user):
    milk = product_in_stock("10")
    order = place(shopper, fill_cart(shopper, (milk, "1")), payment="cash")
    assert not order.is_paid and not wallet_for(shopper).entries.exists()
    for status in ("confirmed", "ready", "completed"):
        order = order_status_set(order=order, status=status, by=admin_user)
    assert order.status == OrderStatus.COMPLETED and order.is_paid
    assert [c.to_status for c in order.history.all()] == ["new", "confirmed", "ready", "completed"]
    change = order.history.last()
    assert change.by == admin_user and change.from_status == "ready"


def test_cash_needs_pickup(shopper):
    milk = product_in_stock("10")
    with pytest.raises(ValidationError):
        place(shopper, fill_cart(shopper, (milk, "1")), payment="cash", delivery="delivery",
              address="Абай 10")


def test_transitions_follow_the_workflow_only(shopper, admin_user):
    milk = product_in_stock("10")
    fund(shopper)
    order = place(shopper, fill_cart(shopper, (milk, "1")))
    with pytest.raises(ValidationError):
        order_status_set(order=order, status="completed", by=admin_user)
    with pytest.raises(PermissionDenied):
        order_status_set(order=order, status="confirmed", by=shopper)
    order_status_set(order=order, status="confirmed", by=admin_user)
    order_status_set(order=order, status="ready", by=admin_user)
    order_status_set(order=order, status="completed", by=admin_user)
    with pytest.raises(ValidationError):
        order_status_set(order=order, status="cancelled", by=admin_user)
    with pytest.raises(ValidationError):
        order_cancel(order=order, by=admin_user)


def test_cancel_returns_stock_and_money_once(shopper):
    milk = product_in_stock("10", price=Decimal("250"))
    fund(shopper, "1000")
    order = place(shopper, fill_cart(shopper, (milk, "3")))
    order_cancel(order=order, by=shopper)
    order_cancel(order=order, by=shopper)  # a second cancel changes nothing
    order.refresh_from_db(), milk.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and not order.is_paid
    assert milk.quantity == Decimal("10")
    assert wallet_for(shopper).balance == Decimal("1000") and ledger_ok(shopper)
    assert wallet_for(shopper).entries.filter(kind=WalletEntry.Kind.REFUND).count() == 1
    line = order.lines.get()
    assert line.return_movement.kind == MovementKind.RETURN
    assert line.return_movement.quantity == Decimal("3")
    assert list(stock_problems()) == []


def test_shopper_cancels_only_while_new_admin_before_completed(shopper, other_shopper,
                                                               admin_user):
    milk = product_in_stock("10")
    fund(shopper)
    order = place(shopper, fill_cart(shopper, (milk, "1")))
    with pytest.raises(PermissionDenied):
        order_cancel(order=order, by=other_shopper)
    order_status_set(order=order, status="confirmed", by=admin_user)
    with pytest.raises(ValidationError):
        order_cancel(order=order, by=shopper)
    order_status_set(order=order, status="ready", by=admin_user)
    order_cancel(order=order, by=admin_user, reason="Сатып алушы келмеді")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.history.last().note == "Сатып алушы келмеді"


def test_admin_cancel_via_status_change_returns_stock_and_money(shopper, admin_user):
    milk = product_in_stock("4", price=Decimal("100"))
    fund(shopper, "400")
    order = place(shopper, fill_cart(shopper, (milk, "4")))
    order_status_set(order=order, status="cancelled", by=admin_user)
    milk.refresh_from_db()
    assert milk.quantity == Decimal("4") and wallet_for(shopper).balance == Decimal("400")


def test_counter_sale_items_path(shopper, seller):
    milk = product_in_stock("10")
    order = order_place(user=shopper, items=[OrderItem(milk.pk, Decimal("2"))], payment="cash",
                        idempotency_key=uuid.uuid4(), channel=Order.Channel.COUNTER, by=seller)
    assert order.channel == "counter" and order.lines.get().quantity == Decimal("2")
    # Paid and handed over at once: completed as it is placed, in one history row.
    assert order.status == "completed" and order.is_paid
    assert order.history.get().by == seller


def test_placing_costs_the_same_queries_for_one_line_or_twelve(shopper):
    """A grocery order has dozens of lines: stock, order lines, movements and the rollup are
    written with one statement each, whatever their number."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fund(shopper, "100000")
    products = [product_in_stock("50", price=Decimal("100.00")) for _ in range(13)]

    def queries_to_place(lines):
        cart = fill_cart(shopper, *[(product, "2") for product in lines])
        with CaptureQueriesContext(connection) as queries:
            order = place(shopper, cart)
        assert order.lines.count() == len(lines)
        return len(queries)

    one = queries_to_place(products[:1])
    twelve = queries_to_place(products[1:])
    assert one == twelve, (one, twelve)
    assert all(p.quantity == Decimal("48") for p in Product.objects.filter(
        pk__in=[p.pk for p in products]))
    assert list(stock_problems()) == []
