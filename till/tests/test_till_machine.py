"""A hypothesis state machine over the till (refusing short stock, and again allowing it):
sales (cash, card, split), returns (any line, any quantity, spoiled or not, any refund way),
cash in and out, shift close and a new shift, goods receipts. After every step: stock = its ledger (check_stock) and = what the machine's own model
says; every drawer's expected cash = float + cash sales − cash refunds + cash in − cash out, by
the model's own sums; a closed shift's variance = counted − expected."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
import hypothesis
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.tests.factories import UserFactory
from catalog.models import Product
from inventory import services as stock
from inventory.checks import stock_problems
from orders.models import OrderReturn, StockShortfall
from orders.returns import ReturnItem
from orders.services import OrderItem
from orders.tests.factories import ProductFactory
from till.models import Shift, Till
from till.selectors import shift_totals
from till.services import (PaymentPart, shift_cash, shift_close, shift_open, till_return,
                           till_sell)

pytestmark = pytest.mark.django_db
D = Decimal
PRICES = [D("120.50"), D("999.99"), D("310.00")]


class TillMachine(RuleBasedStateMachine):
    counter = 0
    allow_short = False  # settings.TILL_SHORT_STOCK for this machine

    def __init__(self):
        super().__init__()
        TillMachine.counter += 1
        n = TillMachine.counter
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.seller = UserFactory(username=f"tm-seller-{n}", role="seller")
        self.cashiers = [UserFactory(username=f"tm-cashier-{n}-{i}", role="cashier")
                         for i in range(2)]
        self.tills = [Till.objects.create(name=f"tm-{n}-{i}") for i in range(2)]
        self.products = [ProductFactory(seller=self.seller, price=price, unit="pcs")
                         for price in PRICES]
        self.on_hand = {p.pk: D("0") for p in self.products}
        self.owed = {p.pk: D("0") for p in self.products}  # sold short, not yet booked
        self.shifts = [self._open(i) for i in range(2)]
        self.drawer = {}       # shift pk → the model's expected cash
        for shift in self.shifts:
            self.drawer[shift.pk] = shift.opening_float
        self.sales = []        # (order, shift index)
        self.closed = []

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _open(self, index, float_="2000.00"):
        shift = shift_open(till=self.tills[index], by=self.cashiers[index], opening_float=float_)
        if hasattr(self, "drawer"):
            self.drawer[shift.pk] = shift.opening_float
        return shift

    @rule(p=st.integers(0, 2), quantity=st.sampled_from(["1", "5", "10"]))
    def receive(self, p, quantity):
        receipt = stock.receipt_create(by=self.seller, supplier="ТОО Тест",
                                       date=datetime.date(2026, 1, 10))
        stock.receipt_line_set(receipt=receipt, by=self.seller, product=self.products[p],
                               quantity=D(quantity), unit_cost=D("80"))
        # Each step runs inside the machine's own transaction: the composable form.
        stock.receipt_post_in_transaction(receipt=receipt, by=self.seller)
        pk = self.products[p].pk
        self.on_hand[pk] += D(quantity)
        cover = min(self.owed[pk], self.on_hand[pk])  # the receipt books what was sold short
        self.on_hand[pk] -= cover
        self.owed[pk] -= cover

    @rule(t=st.integers(0, 1), lines=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 4)),
                                              min_size=1, max_size=3, unique_by=lambda x: x[0]),
          way=st.sampled_from(["cash", "card", "split", "kaspi"]))
    def sell(self, t, lines, way):
        total = sum((PRICES[p] * q for p, q in lines), D("0"))
        card = (total / 2).quantize(D("0.01")) if way == "split" else D("0")
        payments = {"cash": [PaymentPart("cash", total)], "card": [PaymentPart("card", total)],
                    "kaspi": [PaymentPart("kaspi", total)],
                    "split": [PaymentPart("card", card), PaymentPart("cash", total - card)]}[way]
        shift = self.shifts[t]
        try:
            order = till_sell(shift=shift, by=self.cashiers[t],
                              items=[OrderItem(self.products[p].pk, D(q)) for p, q in lines],
                              payments=payments, expected_total=total,
                              idempotency_key=uuid.uuid4())
        except ValidationError:
            # Refused only because the books are short: the model agrees.
            assert not self.allow_short
            assert any(self.on_hand[self.products[p].pk] < q for p, q in lines)
            return
        assert self.allow_short or all(self.on_hand[self.products[p].pk] >= q for p, q in lines)
        for p, q in lines:
            pk = self.products[p].pk
            booked = min(D(q), self.on_hand[pk])
            self.on_hand[pk] -= booked
            self.owed[pk] += D(q) - booked
        if way in ("cash", "split"):
            self.drawer[shift.pk] += total - card
        self.sales.append(order)

    @rule(t=st.integers(0, 1), index=st.integers(0, 30), quantity=st.integers(1, 3),
          spoiled=st.booleans(), refund=st.sampled_from(["cash", "card", "kaspi"]),
          replay=st.booleans())
    def give_back(self, t, index, quantity, spoiled, refund, replay):
        if not self.sales:
            return
        order = self.sales[index % len(self.sales)]
        line = order.lines.order_by("id").first()
        shift = self.shifts[t]
        key = uuid.uuid4()
        before = OrderReturn.objects.count()
        for _ in range(2 if replay else 1):
            try:
                returned = till_return(shift=shift, by=self.cashiers[t], order=order,
                                       items=[ReturnItem(line.pk, D(quantity), spoiled)],
                                       refund=refund, idempotency_key=key)
            except ValidationError:
                assert OrderReturn.objects.count() == before
                return
        assert OrderReturn.objects.count() == before + 1  # a replayed key returns once
        if not spoiled:
            self.on_hand[line.product_id] += D(quantity)
        if refund == "cash":
            self.drawer[shift.pk] -= returned.total

    @rule(t=st.integers(0, 1), kind=st.sampled_from(["in", "out"]),
          amount=st.sampled_from(["100.00", "2500.00", "0.01"]))
    def cash(self, t, kind, amount):
        shift = self.shifts[t]
        try:
            shift_cash(shift=shift, by=self.cashiers[t], kind=kind, amount=amount, reason="test")
        except ValidationError:
            assert kind == "out" and self.drawer[shift.pk] < D(amount)
            return
        self.drawer[shift.pk] += D(amount) if kind == "in" else -D(amount)

    @rule(t=st.integers(0, 1), off=st.sampled_from(["0", "-50.00", "10.00"]))
    def close_and_reopen(self, t, off):
        shift = self.shifts[t]
        counted = max(self.drawer[shift.pk] + D(off), D("0"))
        closed = shift_close(shift=shift, by=self.cashiers[t], counted_cash=counted)
        assert closed.expected_cash == self.drawer[shift.pk]
        assert closed.variance == counted - self.drawer[shift.pk]
        self.closed.append(closed.pk)
        self.shifts[t] = self._open(t, float_="1500.00")

    @invariant()
    def books_and_drawers_hold(self):
        assert list(stock_problems()) == []
        for product in Product.objects.filter(pk__in=self.on_hand):
            assert product.quantity == self.on_hand[product.pk] >= 0
            owed = sum((row.open_quantity for row in StockShortfall.objects.filter(
                product=product)), D("0"))
            assert owed == self.owed[product.pk]
        for shift in Shift.objects.filter(pk__in=list(self.drawer)):
            assert shift_totals(shift).expected_cash == self.drawer[shift.pk]
            if shift.closed_at:
                assert shift.variance == shift.counted_cash - shift.expected_cash


def test_the_till_keeps_stock_and_drawers_exact_under_any_sequence(db):
    run_state_machine_as_test(
        TillMachine,
        settings=settings(max_examples=10, stateful_step_count=20, deadline=None,
                          suppress_health_check=list(HealthCheck)),
    )


class ShortStockTillMachine(TillMachine):
    allow_short = True


def test_selling_short_keeps_the_books_exact_under_any_sequence(db, settings):
    settings.TILL_SHORT_STOCK = "allow"
    run_state_machine_as_test(
        ShortStockTillMachine,
        settings=hypothesis.settings(max_examples=10, stateful_step_count=20, deadline=None,
                                    suppress_health_check=list(HealthCheck)),
    )
