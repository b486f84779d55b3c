"""A hypothesis state machine over the store's money and stock operations: add to cart,
checkout, cancel, goods receipt, write-off, top-up, admin status changes. After every step the
books must hold: stock ≥ 0 and equal to its ledger (check_stock), balances ≥ 0 and equal to
their ledger, every order's lines consistent with its status."""

import datetime
import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.models import Wallet
from accounts.services import wallet_for
from accounts.tests.factories import UserFactory
from accounts.payments import DemoGateway
from accounts.wallet_services import wallet_topup_record
from catalog.models import Product
from inventory import services as stock
from inventory.checks import stock_problems
from orders import cart as carts
from orders.models import Order, OrderStatus
from orders.services import order_cancel, order_place, order_status_set

from .factories import ProductFactory

pytestmark = pytest.mark.django_db

QUANTITIES = st.sampled_from(["1", "2", "3", "0.5", "1.5", "5", "0", "-1", "abc", "1000000000"])


class StoreMachine(RuleBasedStateMachine):
    counter = 0

    def __init__(self):
        super().__init__()
        StoreMachine.counter += 1
        n = StoreMachine.counter
        # Every example runs in a savepoint that is rolled back at teardown.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.seller = UserFactory(username=f"sm-seller-{n}", role="seller")
        self.admin = UserFactory(username=f"sm-admin-{n}", role="admin")
        self.shoppers = [UserFactory(username=f"sm-shopper-{n}-{i}", role="shopper")
                         for i in range(2)]
        self.products = [
            ProductFactory(seller=self.seller, price=Decimal("120.50"), unit="pcs"),
            ProductFactory(seller=self.seller, price=Decimal("999.99"), unit="pcs"),
            ProductFactory(seller=self.seller, price=Decimal("310.00"), unit="kg"),
        ]
        self.orders = []

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _request(self, shopper):
        return SimpleNamespace(user=shopper)

    @rule(s=st.integers(0, 1), p=st.integers(0, 2), quantity=QUANTITIES)
    def add_to_cart(self, s, p, quantity):
        product = Product.objects.get(pk=self.products[p].pk)
        try:
            carts.cart_add(request=self._request(self.shoppers[s]), product=product,
                           quantity=quantity)
        except ValidationError:
            pass

    @rule(s=st.integers(0, 1), payment=st.sampled_from(["wallet", "cash"]))
    def checkout(self, s, payment):
        shopper = self.shoppers[s]
        try:
            order = order_place(user=shopper, cart=carts.saved_cart(shopper), payment=payment,
                                idempotency_key=uuid.uuid4(), phone="+77011234567")
        except ValidationError:
            return
        self.orders.append(order)

    @rule(index=st.integers(0, 20), by_admin=st.booleans())
    def cancel(self, index, by_admin):
        if not self.orders:
            return
        order = self.orders[index % len(self.orders)]
        by = self.admin if by_admin else order.user
        try:
            order_cancel(order=Order.objects.get(pk=order.pk), by=by)
        except ValidationError:
            pass

    @rule(index=st.integers(0, 20),
          status=st.sampled_from(["confirmed", "ready", "completed", "cancelled"]))
    def move(self, index, status):
        if not self.orders:
            return
        order = self.orders[index % len(self.orders)]
        try:
            order_status_set(order=Order.objects.get(pk=order.pk), status=status, by=self.admin)
        except ValidationError:
            pass

    @rule(p=st.integers(0, 2), quantity=st.sampled_from(["1", "4", "10"]))
    def receive(self, p, quantity):
        receipt = stock.receipt_create(by=self.seller, supplier="ТОО Тест",
                                       date=datetime.date(2026, 1, 10))
        stock.receipt_line_set(receipt=receipt, by=self.seller, product=self.products[p],
                               quantity=Decimal(quantity), unit_cost=Decimal("80"))
        # Inside the machine's own transaction: the composed form of the (durable) posting.
        stock.receipt_post_in_transaction(receipt=receipt, by=self.seller)

    @rule(p=st.integers(0, 2), quantity=st.sampled_from(["1", "3", "7"]))
    def write_off(self, p, quantity):
        writeoff = stock.writeoff_create(by=self.seller, date=datetime.date(2026, 1, 11))
        stock.writeoff_line_set(writeoff=writeoff, by=self.seller, product=self.products[p],
                                quantity=Decimal(quantity), reason="spoiled")
        try:
            with transaction.atomic():
                stock.writeoff_post_in_transaction(writeoff=writeoff, by=self.seller)
        except ValidationError:
            stock.writeoff_delete(writeoff=writeoff, by=self.seller)

    @rule(s=st.integers(0, 1), amount=st.sampled_from(["100", "500", "2500"]))
    def top_up(self, s, amount):
        # wallet_topup is durable (the charge is taken before the entry) and each example runs
        # in a savepoint: the gateway's charge, then the entry in this transaction, as the demo.
        paid = DemoGateway().charge(user=self.shoppers[s], amount=Decimal(amount))
        wallet_topup_record(user=self.shoppers[s], amount=Decimal(amount), reason="top-up",
                            reference=paid.reference)

    @invariant()
    def books_hold(self):
        assert list(stock_problems()) == []
        assert not Product.objects.filter(quantity__lt=0).exists()
        for shopper in self.shoppers:
            wallet = wallet_for(shopper)
            assert wallet.balance >= 0
            assert wallet.balance == (wallet.entries.aggregate(s=Sum("amount"))["s"]
                                      or Decimal("0"))
        for order in Order.objects.filter(pk__in=[o.pk for o in self.orders]):
            lines = order.lines.all()
            if order.status == OrderStatus.CANCELLED:
                assert all(line.return_movement_id for line in lines)
                assert not order.is_paid
            else:
                assert not any(line.return_movement_id for line in lines)
            if order.payment == "wallet" and order.status != OrderStatus.CANCELLED:
                assert order.is_paid


def test_store_invariants_hold_under_any_sequence(db):
    run_state_machine_as_test(
        StoreMachine,
        settings=settings(max_examples=15, stateful_step_count=20, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )
