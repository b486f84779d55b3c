"""Checkout under real concurrency: PostgreSQL, real threads, one connection per thread.

Run with DATABASE_URL=postgres://… (skipped on SQLite, which has no row locks)."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from accounts.models import WalletEntry
from accounts.services import InsufficientFunds, wallet_for
from accounts.tests.factories import UserFactory
from inventory.checks import stock_problems
from inventory.models import MovementKind, StockMovement
from orders.cart import saved_cart
from orders.models import CartLine, Order, OrderLine, OrderStatus
from orders.services import OrderItem, order_cancel, order_place

from .factories import fund, product_in_stock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(functions):
    """Start every function in its own thread at the same moment; return results/exceptions
    in order."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, fn):
        try:
            barrier.wait(timeout=30)
            results[index] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def ledger_matches(user):
    wallet = wallet_for(user)
    return wallet.balance == (wallet.entries.aggregate(s=Sum("amount"))["s"] or Decimal("0"))


def test_fifty_shoppers_race_for_the_last_ten_units():
    product = product_in_stock("10", name="Last milk", price=Decimal("500"))
    clients = []
    for index in range(50):
        user = UserFactory(username=f"racer{index}", role="shopper")
        fund(user, "1000")
        client = Client(raise_request_exception=False)
        client.force_login(user)
        assert client.post(reverse("orders:cart_add", args=[product.pk]),
                           {"quantity": "1"}).status_code == 302
        client.post(reverse("orders:checkout_delivery"),
                    {"delivery": "pickup", "phone": "+77011234567"})
        review = client.get(reverse("orders:checkout_review"))
        key = review.context["form"].initial["idempotency_key"]
        clients.append((client, key))
    close_old_connections()

    def submit(client, key):
        return lambda: client.post(reverse("orders:checkout_review"),
                                   {"payment": "wallet", "idempotency_key": str(key)})

    responses = run_at_once([submit(c, k) for c, k in clients])
    assert not [r for r in responses if isinstance(r, BaseException)]
    codes = [r.status_code for r in responses]
    assert 500 not in codes
    assert codes.count(302) == 10 and codes.count(200) == 40
    for response in responses:
        if response.status_code == 200:
            assert "Last milk" in response.content.decode()
    product.refresh_from_db()
    assert product.quantity == Decimal("0")
    assert Order.objects.count() == 10
    assert StockMovement.objects.filter(kind=MovementKind.SALE).count() == 10
    assert not StockMovement.objects.filter(quantity_after__lt=0).exists()
    assert list(stock_problems()) == []


def test_crossed_carts_never_deadlock():
    first = product_in_stock("1000", price=Decimal("10"))
    second = product_in_stock("1000", price=Decimal("10"))
    users = [UserFactory(username=f"pair{i}", role="shopper") for i in range(20)]
    for user in users:
        fund(user, "100000")

    def buy(user, order):
        def run():
            try:
                return order_place(user=user, payment="wallet", idempotency_key=uuid.uuid4(),
                                   items=[OrderItem(p.pk, Decimal("1")) for p in order])
            finally:
                connection.close()
        return run

    tasks = []
    for pair in range(100):
        tasks.append(buy(users[(2 * pair) % 20], (first, second)))
        tasks.append(buy(users[(2 * pair + 1) % 20], (second, first)))
    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(task) for task in tasks]
        errors = [f.exception(timeout=120) for f in futures]
    assert [e for e in errors if e is not None] == []
    first.refresh_from_db(), second.refresh_from_db()
    assert first.quantity == second.quantity == Decimal("800")
    assert Order.objects.count() == 200
    assert all(ledger_matches(user) for user in users)
    assert list(stock_problems()) == []


def test_fifty_tenge_pays_for_exactly_five_ten_tenge_orders():
    product = product_in_stock("100", price=Decimal("10"))
    user = UserFactory(username="thrifty", role="shopper")
    fund(user, "50")

    def buy():
        return order_place(user=user, payment="wallet", idempotency_key=uuid.uuid4(),
                           items=[OrderItem(product.pk, Decimal("1"))])

    results = run_at_once([buy] * 10)
    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(placed) == 5 and len(refused) == 5, results
    wallet = wallet_for(user)
    assert wallet.balance == Decimal("0") and ledger_matches(user)
    product.refresh_from_db()
    assert product.quantity == Decimal("95")
    assert list(stock_problems()) == []


def test_the_same_checkout_twice_at_once_places_one_order():
    product = product_in_stock("10", price=Decimal("100"))
    user = UserFactory(username="doubleclick", role="shopper")
    fund(user, "1000")
    cart = saved_cart(user)
    CartLine.objects.create(cart=cart, product=product, quantity=Decimal("2"))
    key = uuid.uuid4()

    def submit():
        return order_place(user=user, cart=cart, payment="wallet", idempotency_key=key)

    results = run_at_once([submit, submit])
    assert all(isinstance(r, Order) for r in results), results
    assert results[0].pk == results[1].pk
    assert Order.objects.count() == 1
    assert wallet_for(user).entries.filter(kind=WalletEntry.Kind.PAYMENT).count() == 1
    assert StockMovement.objects.filter(kind=MovementKind.SALE).count() == 1
    product.refresh_from_db()
    assert product.quantity == Decimal("8")


def test_two_cancels_at_once_refund_once():
    product = product_in_stock("10", price=Decimal("100"))
    user = UserFactory(username="canceller", role="shopper")
    admin = UserFactory(username="boss", role="admin")
    fund(user, "1000")
    order = order_place(user=user, payment="wallet", idempotency_key=uuid.uuid4(),
                        items=[OrderItem(product.pk, Decimal("3"))])

    results = run_at_once([lambda: order_cancel(order=Order.objects.get(pk=order.pk), by=user),
                           lambda: order_cancel(order=Order.objects.get(pk=order.pk), by=admin)])
    assert not [r for r in results if isinstance(r, BaseException)], results
    order.refresh_from_db(), product.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert product.quantity == Decimal("10")
    assert wallet_for(user).entries.filter(kind=WalletEntry.Kind.REFUND).count() == 1
    assert wallet_for(user).balance == Decimal("1000") and ledger_matches(user)
    assert StockMovement.objects.filter(kind=MovementKind.RETURN).count() == 1
    assert OrderLine.objects.filter(return_movement__isnull=False).count() == 1
    assert list(stock_problems()) == []


def test_quick_stepper_clicks_each_make_a_step():
    """Eight + clicks at once (tabs, a double tap) on one line: eight steps, none lost. The
    stepper used to read the line, add a step and write it back without the cart's lock, so
    clicks that read the same quantity wrote the same result."""
    shopper = UserFactory(role="shopper")
    product = product_in_stock("100", name="Stepped milk")
    CartLine.objects.create(cart=saved_cart(shopper), product=product, quantity=Decimal("1"))
    clients = []
    for _ in range(8):
        client = Client(raise_request_exception=False)
        client.force_login(shopper)
        clients.append(client)
    close_old_connections()
    url = reverse("orders:cart_update", args=[product.pk])
    responses = run_at_once([lambda c=c: c.post(url, {"step": "1"}) for c in clients])
    assert not [r for r in responses if isinstance(r, BaseException)]
    assert [r.status_code for r in responses] == [302] * 8
    assert CartLine.objects.get(product=product).quantity == Decimal("9")
    responses = run_at_once([lambda c=c: c.post(url, {"step": "-1"}) for c in clients])
    assert [r.status_code for r in responses] == [302] * 8
    assert CartLine.objects.get(product=product).quantity == Decimal("1")
